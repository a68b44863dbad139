//! Languages of the report: the words (Danish or English) and the way
//! numbers and dates are written (`12.345,6` in Danish, `12,345.6` in
//! English).

use chrono::{Datelike, NaiveDate};

use crate::model::HouseholdType;
use crate::solve::Status;

/// The language of the report's labels and number formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// Danish: `.` between thousands, `,` before decimals.
    #[default]
    Da,
    /// English: `,` between thousands, `.` before decimals.
    En,
}

impl Lang {
    /// Parses `da` or `en`.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "da" => Some(Self::Da),
            "en" => Some(Self::En),
            _ => None,
        }
    }

    /// The HTML `lang` attribute.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::Da => "da",
            Self::En => "en",
        }
    }

    fn separators(self) -> (char, char) {
        match self {
            Self::Da => ('.', ','),
            Self::En => (',', '.'),
        }
    }
}

/// `x` rounded to `decimals` places, with the language's thousands and
/// decimal separators; `-` for a number that is not finite.
#[must_use]
pub fn number(x: f64, decimals: usize, lang: Lang) -> String {
    if !x.is_finite() {
        return "-".into();
    }
    let text = format!("{:.decimals$}", x.abs());
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let (thousands, decimal) = lang.separators();
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(thousands);
        }
        grouped.push(c);
    }
    // No "-0" after rounding.
    let negative = x < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0');
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    out.push_str(&grouped);
    if !frac.is_empty() {
        out.push(decimal);
        out.push_str(frac);
    }
    out
}

/// A share (0.042) as a percentage: `4,2 %` (Danish, with a space) /
/// `4.2%` (English).
#[must_use]
pub fn percent(share: f64, decimals: usize, lang: Lang) -> String {
    let n = number(share * 100.0, decimals, lang);
    match lang {
        Lang::Da => format!("{n} %"),
        Lang::En => format!("{n}%"),
    }
}

/// Whole Danish kroner: `12.345 kr.` / `DKK 12,345`.
#[must_use]
pub fn dkk(x: f64, lang: Lang) -> String {
    match lang {
        Lang::Da => format!("{} kr.", number(x, 0, lang)),
        Lang::En => format!("DKK {}", number(x, 0, lang)),
    }
}

const MONTHS_DA: [&str; 12] = [
    "jan.", "feb.", "mar.", "apr.", "maj", "jun.", "jul.", "aug.", "sep.", "okt.", "nov.", "dec.",
];
const MONTHS_EN: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A date as people write it: `5. feb. 2026` / `5 Feb 2026`.
#[must_use]
pub fn date(d: NaiveDate, lang: Lang) -> String {
    let m = d.month0() as usize;
    match lang {
        Lang::Da => format!("{}. {} {}", d.day(), MONTHS_DA[m], d.year()),
        Lang::En => format!("{} {} {}", d.day(), MONTHS_EN[m], d.year()),
    }
}

/// A month and year, for time axes: `feb. 2026` / `Feb 2026`.
#[must_use]
pub fn month(d: NaiveDate, lang: Lang) -> String {
    let m = d.month0() as usize;
    match lang {
        Lang::Da => format!("{} {}", MONTHS_DA[m], d.year()),
        Lang::En => format!("{} {}", MONTHS_EN[m], d.year()),
    }
}

/// A month alone, for time axes: `feb.` / `Feb`.
#[must_use]
pub fn month_only(d: NaiveDate, lang: Lang) -> String {
    let m = d.month0() as usize;
    match lang {
        Lang::Da => MONTHS_DA[m].into(),
        Lang::En => MONTHS_EN[m].into(),
    }
}

/// Declares the report's texts: each has an English and a Danish version,
/// so a missing translation is a compile error.
macro_rules! texts {
    ($($name:ident => $en:literal, $da:literal;)*) => {
        /// A text of the report.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum T { $($name),* }

        impl T {
            /// The text in `lang`.
            #[must_use]
            pub fn get(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $((T::$name, Lang::En) => $en, (T::$name, Lang::Da) => $da,)*
                }
            }
        }
    };
}

texts! {
    Title => "Housing plan", "Boligplan";
    Scenario => "Scenario", "Scenarie";
    Strategy => "Strategy", "Strategi";
    Plan => "Plan", "Plan";
    PlanStart => "Plan period", "Planperiode";
    Days => "days", "dage";
    KeyFigures => "Key figures", "Nøgletal";
    BestMarked => "★ marks the better value of a row (lower or higher, as the figure calls for).",
        "★ markerer den bedste værdi i en række (lavere eller højere, alt efter tallet).";
    Figure => "Figure", "Nøgletal";
    GroupHousing => "Housing", "Boliger";
    GroupMoney => "Money and travel", "Økonomi og transport";
    GroupSpread => "Spread", "Spredning";
    GroupModel => "Optimisation", "Optimering";
    Households => "Households in the plan", "Husstande i planen";
    Persons => "Persons in the plan", "Personer i planen";
    FamiliesHoused => "Families housed permanently", "Familier i permanent bolig";
    CouplesHoused => "Couples housed permanently", "Par i permanent bolig";
    SinglesHoused => "Single adults housed permanently", "Enlige i permanent bolig";
    WaitingHouseholds => "Households waiting in temporary places", "Husstande i midlertidigt opholdssted";
    WaitingPersons => "Persons waiting in temporary places", "Personer i midlertidigt opholdssted";
    Unplaced => "Households without any place", "Husstande uden plads";
    FamiliesWaiting => "Families waiting for a home", "Familier der venter på bolig";
    TemporaryPersonDays => "Temporary person-days", "Persondage i midlertidigt ophold";
    MedianDisposable => "Median disposable amount after rent (DKK/month)", "Median rådighedsbeløb efter husleje (kr./md.)";
    MedianTravel => "Median travel time to language school (min)", "Median rejsetid til sprogskole (min.)";
    CostTotal => "Municipal cost, total", "Kommunal udgift i alt";
    CostTemporary => "… of which temporary places", "… heraf midlertidige pladser";
    CostEmptyRent => "… of which empty rent", "… heraf tomgangsleje";
    MaxShareBefore => "Highest newcomer share in a district open to placement, before", "Højeste andel nytilkomne i et område åbent for boligplacering, før";
    MaxShareAfter => "Highest newcomer share in a district open to placement, after", "Højeste andel nytilkomne i et område åbent for boligplacering, efter";
    OverCapAfter => "Districts open to placement over the cap, after", "Områder åbne for boligplacering over loftet, efter";
    OverCapBeforeTitle => "Districts already over the cap before the plan", "Områder over loftet allerede før planen";
    OverCapBeforeNote => "Their newcomer share was over the cap before the plan placed anyone. A plan that places no one in such a district does not break the cap there. The highest share and the districts over the cap above count only districts open to placement (not forbidden for every kind of housing).",
        "Andelen af nytilkomne var over loftet, før planen placerede nogen. En plan, der ikke placerer nogen i et sådant område, bryder ikke loftet dér. Den højeste andel og områderne over loftet ovenfor tæller kun områder, der er åbne for boligplacering (ikke forbudt for alle boligtyper).";
    NoneOverCapBefore => "No district was over the cap before the plan.", "Intet område var over loftet før planen.";
    DistrictCol => "District", "Område";
    ShareBeforeCol => "Share before", "Andel før";
    ShareAfterCol => "Share after", "Andel efter";
    OpenCol => "Open to placement", "Åbent for boligplacering";
    ThisPlanCol => "This plan", "Denne plan";
    Yes => "yes", "ja";
    No => "no (forbidden district)", "nej (forbudt område)";
    PlacesNoOne => "places no one here, so it does not break the cap here", "placerer ingen her og bryder derfor ikke loftet her";
    PlacesSome => "places persons here", "placerer personer her";
    DissimilarityBefore => "Dissimilarity index D, before", "Segregationsindeks D, før";
    DissimilarityAfter => "Dissimilarity index D, after", "Segregationsindeks D, efter";
    IsolationAfter => "Isolation index, after", "Isolationsindeks, efter";
    ExposureAfter => "Exposure index, after", "Eksponeringsindeks, efter";
    TheilAfter => "Theil entropy index H, after", "Theils entropiindeks H, efter";
    HotSpotsAfter => "Significant hot spots (Gi*), after", "Signifikante hot spots (Gi*), efter";
    HighHighAfter => "High-high clusters (local Moran), after", "Høj-høj-klynger (lokal Moran), efter";
    DistrictsReceiving => "Districts receiving households", "Områder der modtager husstande";
    Objective => "Objective (lower is better)", "Målfunktion (lavere er bedre)";
    Gap => "Gap to the proven optimum", "Afstand til bevist optimum";
    Map => "Map", "Kort";
    MapNote => "Colour: newcomer share of the district's population after the plan. Points: where households live at the end of the plan (larger points: several households at one address).",
        "Farve: nytilkomnes andel af områdets befolkning efter planen. Punkter: hvor husstandene bor ved planens slutning (større punkter: flere husstande på samme adresse).";
    ShareAfter => "Newcomer share after", "Andel nytilkomne efter";
    StatusPermanent => "Permanent home", "Permanent bolig";
    StatusTemporary => "Temporary place only", "Kun midlertidigt opholdssted";
    StatusUnplaced => "No place", "Ingen plads";
    Forbidden => "Forbidden district (udsat, parallelsamfund, omdannelse)", "Forbudt område (udsat, parallelsamfund, omdannelse)";
    Prevention => "Prevention area: no social housing (forebyggelse)", "Forebyggelsesområde: ingen almen bolig";
    HotSpot => "Significant hot spot (Gi*)", "Signifikant hot spot (Gi*)";
    Charts => "Over time and across districts", "Over tid og på tværs af områder";
    TemporaryOverTime => "Persons in temporary places", "Personer i midlertidigt opholdssted";
    TemporaryOverTimeNote => "Persons counted as at the end of the plan (after family reunification).",
        "Personer talt som ved planens slutning (efter familiesammenføring).";
    SharesTitle => "Newcomer share by district, before and after", "Andel nytilkomne pr. område, før og efter";
    SharesNote => "The districts with the highest share after the plan; figures of districts with 1–4 placed persons are rounded as in plan.geojson.",
        "Områderne med den højeste andel efter planen; tal for områder med 1–4 placerede personer er afrundet som i plan.geojson.";
    Before => "before", "før";
    After => "after", "efter";
    Distributions => "Disposable amount and travel", "Rådighedsbeløb og rejsetid";
    DisposableTitle => "Disposable amount after rent, households in permanent homes", "Rådighedsbeløb efter husleje, husstande i permanent bolig";
    DisposableAxis => "DKK/month", "kr./md.";
    TravelTitle => "Travel time to language school, all placed households", "Rejsetid til sprogskole, alle placerede husstande";
    TravelAxis => "minutes", "minutter";
    HouseholdsAxis => "households", "husstande";
    PersonsAxis => "persons", "personer";
    ShareAxis => "share", "andel";
    Waiting => "Households that wait", "Husstande der venter";
    WaitingNote => "Households without a permanent home at the end of the plan, with the rule that stopped them. The words of the reason are the planner's (in English). No income or other amounts per household are shown.",
        "Husstande uden permanent bolig ved planens slutning, med den regel der forhindrede det. Begrundelsen er planlæggerens egne ord (på engelsk). Der vises ikke indkomst eller andre beløb pr. husstand.";
    NobodyWaits => "Every household has a permanent home at the end of the plan.", "Alle husstande har en permanent bolig ved planens slutning.";
    Household => "Household", "Husstand";
    Type => "Type", "Type";
    Status => "Status", "Status";
    PersonsCol => "Persons", "Personer";
    TemporaryPlace => "Temporary place", "Midlertidigt opholdssted";
    Since => "Since", "Siden";
    Reason => "Binding reason", "Afgørende grund";
    Details => "Details", "Detaljer";
    Family => "family", "familie";
    Couple => "couple", "par";
    Single => "single", "enlig";
    Footer => "Made by boligplan from the plan directories' summary.json, plan.geojson and plan.csv. Synthetic or real, the household ids are personal data: share this report only with those who may see the plan.",
        "Lavet af boligplan ud fra planmappernes summary.json, plan.geojson og plan.csv. Husstandsnumre er personoplysninger: del kun rapporten med dem, der må se planen.";
    ScaleBar => "Scale", "Målestok";
}

/// Words for a household type of plan.csv.
#[must_use]
pub fn household_type(t: HouseholdType, lang: Lang) -> &'static str {
    match t {
        HouseholdType::Family => T::Family.get(lang),
        HouseholdType::Couple => T::Couple.get(lang),
        HouseholdType::Single => T::Single.get(lang),
    }
}

/// Words for a status of plan.csv.
#[must_use]
pub fn status(status: Status, lang: Lang) -> &'static str {
    match status {
        Status::Permanent => T::StatusPermanent.get(lang),
        Status::TemporaryOnly => T::StatusTemporary.get(lang),
        Status::Unplaced => T::StatusUnplaced.get(lang),
    }
}

/// Short words for a `reason_code` of plan.csv.
#[must_use]
pub fn reason(code: &str, lang: Lang) -> String {
    let (en, da) = match code {
        "availability" => ("availability", "tilgængelighed"),
        "forbidden_district" => ("forbidden district", "forbudt område"),
        "accessibility" => ("accessibility", "tilgængelighed for handicappede"),
        "size" => ("size", "boligens størrelse"),
        "capacity" => ("capacity", "kapacitet"),
        "affordability" => ("affordability", "betalingsevne"),
        "travel" => ("travel time", "rejsetid"),
        "district_cap" => ("district cap", "loft for området"),
        "building_cap" => ("building cap", "loft for opgangen"),
        "taken" => (
            "fitting homes went to others",
            "passende boliger gik til andre",
        ),
        "trade_off" => ("trade-off of the plan", "afvejning i planen"),
        "no_temporary_bridge" => (
            "no temporary bridge",
            "intet midlertidigt ophold indtil indflytning",
        ),
        "pin" => ("pin refused", "fastlåsning afvist"),
        "arrival_after_horizon" => ("arrives after the plan", "ankommer efter planperioden"),
        other => (other, other),
    };
    match lang {
        Lang::En => en.into(),
        Lang::Da => da.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn danish_numbers_use_dot_thousands_and_comma_decimals() {
        assert_eq!(number(12_345.6, 1, Lang::Da), "12.345,6");
        assert_eq!(number(1_234_567.0, 0, Lang::Da), "1.234.567");
        assert_eq!(number(999.0, 0, Lang::Da), "999");
        assert_eq!(number(0.125, 3, Lang::Da), "0,125");
        assert_eq!(number(-4_000.25, 2, Lang::Da), "-4.000,25");
        assert_eq!(percent(0.042, 1, Lang::Da), "4,2 %");
        assert_eq!(dkk(14_317.0, Lang::Da), "14.317 kr.");
    }

    #[test]
    fn english_numbers_use_comma_thousands_and_dot_decimals() {
        assert_eq!(number(12_345.6, 1, Lang::En), "12,345.6");
        assert_eq!(number(1_000.0, 2, Lang::En), "1,000.00");
        assert_eq!(number(-12.0, 0, Lang::En), "-12");
        assert_eq!(percent(0.05, 0, Lang::En), "5%");
        assert_eq!(dkk(9_760.4, Lang::En), "DKK 9,760");
    }

    #[test]
    fn rounding_never_gives_minus_zero_and_infinity_is_a_dash() {
        assert_eq!(number(-0.04, 1, Lang::En), "0.0");
        assert_eq!(number(999.96, 1, Lang::Da), "1.000,0");
        assert_eq!(number(f64::NAN, 1, Lang::Da), "-");
    }

    #[test]
    fn dates_in_both_languages() {
        let d = NaiveDate::from_ymd_opt(2026, 5, 7).unwrap();
        assert_eq!(date(d, Lang::Da), "7. maj 2026");
        assert_eq!(date(d, Lang::En), "7 May 2026");
        assert_eq!(month(d, Lang::Da), "maj 2026");
    }

    #[test]
    fn texts_differ_between_languages() {
        assert_eq!(T::Title.get(Lang::Da), "Boligplan");
        assert_eq!(T::Title.get(Lang::En), "Housing plan");
        assert_eq!(reason("district_cap", Lang::Da), "loft for området");
        assert_eq!(Lang::parse("da"), Some(Lang::Da));
        assert_eq!(Lang::parse("de"), None);
    }
}
