//! The validated domain data every later stage works on.
//!
//! Coordinates are projected (EPSG:25832, metres); dates are days counted
//! from the scenario's `start` (day 0).

use geo::{MultiPolygon, Point};

use crate::ids::{BuildingId, DistrictId, HouseholdId, PlaceId, UnitId};

/// A day of the plan: 0 is the scenario's `start`.
pub type Day = i64;

/// The members who follow a household later (familiesammenføring).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reunion {
    /// Day the members arrive (may lie beyond the horizon).
    pub day: Day,
    pub adults: u32,
    pub children: u32,
}

/// Household composition at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Composition {
    pub adults: u32,
    pub children: u32,
}

impl Composition {
    #[must_use]
    pub fn persons(self) -> u32 {
        self.adults + self.children
    }

    /// The household type that sets priority and the temporary charge.
    #[must_use]
    pub fn household_type(self) -> HouseholdType {
        if self.children > 0 {
            HouseholdType::Family
        } else if self.adults >= 2 {
            HouseholdType::Couple
        } else {
            HouseholdType::Single
        }
    }
}

/// Families first, then couples, then single adults (Herning's policy).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum HouseholdType {
    Family,
    Couple,
    Single,
}

impl HouseholdType {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            HouseholdType::Family => "family",
            HouseholdType::Couple => "couple",
            HouseholdType::Single => "single",
        }
    }
}

/// A newly arrived refugee household.
#[derive(Debug, Clone)]
pub struct Household {
    pub id: HouseholdId,
    /// The id in the households file.
    pub name: String,
    pub adults: u32,
    pub children: u32,
    /// Day of arrival; may be negative (arrived before the plan starts).
    pub arrival: Day,
    /// Income given in the file, DKK/month; `None`: computed from benefit rates.
    pub income_dkk: Option<i64>,
    pub reunion: Option<Reunion>,
    pub needs_accessible: bool,
    pub language_school: Option<PlaceId>,
    pub work_place: Option<PlaceId>,
    /// `locked_unit` of the households file (the officer's decisions,
    /// this one included, reach the stages as [`Decisions`]).
    pub locked_unit: Option<UnitId>,
}

/// Who pinned a household, which decides what happens when the pin breaks a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PinOrigin {
    /// `locked_unit` in the households file: a refused pin is explained in the plan.
    #[default]
    File,
    /// `--pin` on the command line: a refused pin stops the run (unless `--force`).
    CommandLine,
    /// Moved in before the scenario's start according to `--previous`: a fact, forced.
    MovedIn,
    /// Lived in a temporary place on the scenario's start according to
    /// `--previous`: it stays there while the place holds it; when the place
    /// closes or is full it moves, and `replanning` says why.
    Resident,
}

impl Household {
    /// Composition on arrival.
    #[must_use]
    pub fn initial(&self) -> Composition {
        Composition {
            adults: self.adults,
            children: self.children,
        }
    }

    /// Composition on `day` (reunited members count from their reunion day).
    #[must_use]
    pub fn at(&self, day: Day) -> Composition {
        match &self.reunion {
            Some(r) if day >= r.day => Composition {
                adults: self.adults + r.adults,
                children: self.children + r.children,
            },
            _ => self.initial(),
        }
    }

    /// Composition at the end of a horizon of `horizon` days.
    #[must_use]
    pub fn final_in(&self, horizon: Day) -> Composition {
        self.at(horizon - 1)
    }

    /// The household's type over the plan: the type it has at its largest,
    /// counting the members who join it inside the horizon (members only
    /// join, so that is its type at the end). A single adult whose spouse
    /// and children follow within the horizon is a family. It sets the
    /// priority ("families first"), the objective's weights, the summary's
    /// groups, explain and the report.
    #[must_use]
    pub fn household_type(&self, horizon: Day) -> HouseholdType {
        self.final_in(horizon).household_type()
    }
}

/// What kind of stock a unit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    MunicipalBuilding,
    PrivateRental,
    Container,
    SocialHousing,
}

impl UnitKind {
    /// Parses the `kind` field.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "municipal_building" => Some(Self::MunicipalBuilding),
            "private_rental" => Some(Self::PrivateRental),
            "container" => Some(Self::Container),
            "social_housing" => Some(Self::SocialHousing),
            _ => None,
        }
    }

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MunicipalBuilding => "municipal_building",
            Self::PrivateRental => "private_rental",
            Self::Container => "container",
            Self::SocialHousing => "social_housing",
        }
    }

    /// Every kind, in the order temporary places of kinds left out of
    /// `temporary.order` are tried.
    pub const ALL: [UnitKind; 4] = [
        Self::MunicipalBuilding,
        Self::PrivateRental,
        Self::SocialHousing,
        Self::Container,
    ];
}

/// Whether a unit is a temporary site or a permanent dwelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tenure {
    Temporary,
    Permanent,
}

/// A dwelling (permanent) or a temporary site.
#[derive(Debug, Clone)]
pub struct Unit {
    pub id: UnitId,
    pub name: String,
    pub kind: UnitKind,
    pub tenure: Tenure,
    pub rooms: u32,
    pub area_m2: f64,
    pub rent_dkk: i64,
    /// Persons a temporary site holds on any day (0 for dwellings).
    pub capacity: u32,
    pub available_from: Day,
    /// Last day the unit can be used, inclusive.
    pub available_until: Option<Day>,
    pub accessible: bool,
    pub building: String,
    /// The building's number, the same for every unit of one `building`.
    pub building_id: BuildingId,
    /// Monthly cost to the municipality: a dwelling's empty rent, or a
    /// temporary site's cost per person housed.
    pub cost_dkk: i64,
    pub district: Option<DistrictId>,
    pub pos: Point<f64>,
}

/// A district with its population and flags.
#[derive(Debug, Clone)]
pub struct District {
    pub id: DistrictId,
    pub name: String,
    pub label: String,
    pub population: u32,
    pub newcomers: u32,
    pub flags: Vec<String>,
    pub geometry: MultiPolygon<f64>,
}

/// What a place is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlaceKind {
    LanguageSchool,
    Jobcentre,
    Workplace,
    School,
    Station,
}

impl PlaceKind {
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "language_school" => Some(Self::LanguageSchool),
            "jobcentre" => Some(Self::Jobcentre),
            "workplace" => Some(Self::Workplace),
            "school" => Some(Self::School),
            "station" => Some(Self::Station),
            _ => None,
        }
    }

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::LanguageSchool => "language_school",
            Self::Jobcentre => "jobcentre",
            Self::Workplace => "workplace",
            Self::School => "school",
            Self::Station => "station",
        }
    }
}

/// A place households travel to.
#[derive(Debug, Clone)]
pub struct Place {
    pub id: PlaceId,
    pub name: String,
    pub label: String,
    pub kind: PlaceKind,
    pub pos: Point<f64>,
}

/// Everything loaded from the scenario's input files.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    pub households: Vec<Household>,
    pub units: Vec<Unit>,
    pub districts: Vec<District>,
    pub places: Vec<Place>,
    /// The transport network, when the scenario names one.
    pub network: Option<crate::network::Network>,
}

/// What a pin asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinTarget {
    /// This unit (a dwelling, or a temporary site).
    Unit(UnitId),
    /// A permanent home in this district (`--pin H=district:D`); the planner
    /// picks the dwelling.
    District(DistrictId),
}

/// A pin of one household, and who set it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pin {
    pub target: PinTarget,
    pub origin: PinOrigin,
}

impl Pin {
    /// The pinned unit, for a pin to a unit.
    #[must_use]
    pub fn unit(self) -> Option<UnitId> {
        match self.target {
            PinTarget::Unit(u) => Some(u),
            PinTarget::District(_) => None,
        }
    }

    /// The district, for a partial pin.
    #[must_use]
    pub fn district(self) -> Option<DistrictId> {
        match self.target {
            PinTarget::District(d) => Some(d),
            PinTarget::Unit(_) => None,
        }
    }
}

/// What the officer decided: the pins (from the households file, the
/// command line, or moved in according to `--previous`), `--force` and the
/// earlier plan. Passed to the stages beside the inputs; the inputs are
/// never changed by a decision.
#[derive(Debug, Clone, Default)]
pub struct Decisions {
    /// Each household's pin, by household index (empty: no pins at all).
    pub pins: Vec<Option<Pin>>,
    /// `--force REASON`: pins that break a rule about the household and its
    /// own home (size, affordability, forbidden district, accessibility,
    /// travel) are honoured anyway, with this reason recorded.
    pub force: Option<String>,
    /// `--previous DIR`: the earlier proposal of each household (by household).
    pub previous: Option<PreviousPlan>,
}

/// The permanent homes an earlier plan proposed.
#[derive(Debug, Clone, Default)]
pub struct PreviousPlan {
    /// The directory it was read from, as given.
    pub dir: String,
    /// One entry per household of this scenario (`None`: no earlier proposal).
    pub proposals: Vec<Option<Proposal>>,
    /// Households of the earlier plan that are not in this scenario.
    pub dropped: Vec<String>,
    /// One entry per household: its stay in a temporary place going on at
    /// the scenario's start, if any.
    pub stays: Vec<Option<PreviousStay>>,
}

/// An earlier stay in a temporary place, going on at the scenario's start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviousStay {
    /// `None`: the site is no longer in the housing file.
    pub unit: Option<UnitId>,
    pub unit_name: String,
    /// The day it moved in (before the start).
    pub from: Day,
}

/// An earlier proposal: this dwelling from this day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    /// `None`: the dwelling is no longer in the housing file.
    pub unit: Option<UnitId>,
    pub unit_name: String,
    pub from: Day,
}

impl Decisions {
    /// The pins of the households file (`locked_unit`), nothing else.
    #[must_use]
    pub fn of_files(inputs: &Inputs) -> Self {
        Self {
            pins: inputs
                .households
                .iter()
                .map(|h| {
                    h.locked_unit.map(|u| Pin {
                        target: PinTarget::Unit(u),
                        origin: PinOrigin::File,
                    })
                })
                .collect(),
            ..Self::default()
        }
    }

    /// The household's pin.
    #[must_use]
    pub fn pin(&self, h: HouseholdId) -> Option<Pin> {
        self.pins.get(h.index()).copied().flatten()
    }

    /// The day a household moved into `unit` before the scenario's start,
    /// when that is a fact of the earlier plan (`--previous`): the plan
    /// keeps the real date.
    #[must_use]
    pub fn moved_in_on(&self, h: HouseholdId, unit: UnitId) -> Option<Day> {
        let pin = self.pin(h)?;
        let proposal = self.proposal(h)?;
        (pin.origin == PinOrigin::MovedIn
            && pin.unit() == Some(unit)
            && proposal.unit == Some(unit))
        .then_some(proposal.from)
        .filter(|&d| d < 0)
    }

    /// The household's earlier proposal when re-planning (`--previous`).
    #[must_use]
    pub fn proposal(&self, h: HouseholdId) -> Option<&Proposal> {
        self.previous
            .as_ref()
            .and_then(|p| p.proposals[h.index()].as_ref())
    }
}

impl Inputs {
    #[must_use]
    pub fn unit(&self, id: UnitId) -> &Unit {
        &self.units[id.index()]
    }

    /// How many buildings the units lie in ([`Unit::building_id`] is below).
    #[must_use]
    pub fn building_count(&self) -> usize {
        self.units
            .iter()
            .map(|u| u.building_id.index() + 1)
            .max()
            .unwrap_or(0)
    }

    #[must_use]
    pub fn district(&self, id: DistrictId) -> &District {
        &self.districts[id.index()]
    }

    #[must_use]
    pub fn place(&self, id: PlaceId) -> &Place {
        &self.places[id.index()]
    }
}
