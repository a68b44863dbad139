//! Reads the input files a scenario names (households, housing, districts,
//! places, and the network's minutes) into `Inputs`, and places each unit
//! in its district by the checker's own point-in-polygon test.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use chrono::NaiveDate;
use geo::{Contains, MultiPolygon, Point};

use super::csv_rows::{get, parse_bool, parse_date, read_csv_maps};
use super::features::{ToUtm, flags_of, point_of, prop, read_geojson, shape};
use super::network::load_network;
use super::scenario::Scenario;

#[derive(Debug, Clone)]
pub struct Household {
    pub id: String,
    pub adults: u32,
    pub children: u32,
    pub arrival: NaiveDate,
    pub income: Option<f64>,
    pub reunion_date: Option<NaiveDate>,
    pub reunion_adults: u32,
    pub reunion_children: u32,
    pub needs_accessible: bool,
    pub language_school: Option<String>,
    pub work_place: Option<String>,
    pub locked_unit: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Unit {
    pub id: String,
    pub kind: String,
    pub temporary: bool,
    pub rooms: Option<f64>,
    pub area_m2: Option<f64>,
    pub rent: f64,
    pub capacity: Option<f64>,
    pub available_from: Option<NaiveDate>,
    pub available_until: Option<NaiveDate>,
    pub accessible: bool,
    pub building: String,
    /// Monthly cost to the municipality, if given (a dwelling's default is its rent).
    pub cost: Option<f64>,
    /// Given in the input, or found by point-in-polygon.
    pub district: Option<String>,
    pub x: f64,
    pub y: f64,
}

#[derive(Debug, Clone)]
pub struct District {
    pub id: String,
    /// The `name` property (the id when it has none).
    pub name: String,
    pub population: f64,
    pub newcomers: f64,
    pub flags: Vec<String>,
    pub shape: MultiPolygon<f64>,
}

#[derive(Debug, Clone)]
pub struct Place {
    pub id: String,
    pub kind: String,
    pub x: f64,
    pub y: f64,
}

#[derive(Debug, Clone)]
pub struct Inputs {
    pub households: Vec<Household>,
    pub units: BTreeMap<String, Unit>,
    pub districts: Vec<District>,
    pub places: Vec<Place>,
    /// Network minutes from each unit to each place a household travels to,
    /// `(unit id, place id)`; `None` without a network (straight-line).
    pub network_minutes: Option<HashMap<(String, String), f64>>,
}

fn load_households(path: &Path) -> Result<Vec<Household>, String> {
    let rows = read_csv_maps(path)?;
    let mut out = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        let line = i + 2;
        let num = |k: &str| -> Result<u32, String> {
            get(r, k)
                .unwrap_or("0")
                .parse::<u32>()
                .map_err(|_| format!("households line {line}: bad {k}"))
        };
        out.push(Household {
            id: get(r, "id")
                .ok_or(format!("households line {line}: no id"))?
                .to_string(),
            adults: num("adults")?,
            children: num("children")?,
            arrival: get(r, "arrival")
                .and_then(parse_date)
                .ok_or(format!("households line {line}: bad arrival"))?,
            income: get(r, "income").and_then(|s| s.parse().ok()),
            reunion_date: get(r, "reunion_date").and_then(parse_date),
            reunion_adults: num("reunion_adults")?,
            reunion_children: num("reunion_children")?,
            needs_accessible: parse_bool(get(r, "needs_accessible")),
            language_school: get(r, "language_school").map(str::to_string),
            work_place: get(r, "work_place").map(str::to_string),
            locked_unit: get(r, "locked_unit").map(str::to_string),
        });
    }
    Ok(out)
}

pub fn load_districts(path: &Path) -> Result<Vec<District>, String> {
    let g = read_geojson(path)?;
    let mut out = Vec::new();
    for (i, (p, geom)) in g.features.iter().enumerate() {
        let num = |k: &str| prop(p, k).and_then(|s| s.parse::<f64>().ok());
        out.push(District {
            id: prop(p, "id").ok_or(format!("districts feature {}: no id", i + 1))?,
            name: prop(p, "name")
                .or_else(|| prop(p, "id"))
                .unwrap_or_default(),
            population: num("population").unwrap_or(0.0),
            newcomers: num("newcomers").unwrap_or(0.0),
            flags: flags_of(p),
            shape: shape(&g.tx, geom).ok_or(format!("districts feature {}: no polygon", i + 1))?,
        });
    }
    Ok(out)
}

/// The id of the first district whose polygon contains the point.
pub fn district_containing(districts: &[District], x: f64, y: f64) -> Option<String> {
    let pt = Point::new(x, y);
    districts
        .iter()
        .find(|d| d.shape.contains(&pt))
        .map(|d| d.id.clone())
}

fn unit_from(get: &dyn Fn(&str) -> Option<String>, x: f64, y: f64) -> Result<Unit, String> {
    let f = |k: &str| get(k).and_then(|s| s.parse::<f64>().ok());
    let d = |k: &str| get(k).and_then(|s| parse_date(&s));
    let id = get("id").ok_or("housing: unit without id")?;
    Ok(Unit {
        kind: get("kind").unwrap_or_default(),
        temporary: get("tenure").as_deref() == Some("temporary"),
        rooms: f("rooms"),
        area_m2: f("area_m2"),
        rent: f("rent").unwrap_or(0.0),
        capacity: f("capacity"),
        available_from: d("available_from"),
        available_until: d("available_until"),
        accessible: parse_bool(get("accessible").as_deref()),
        building: get("building").unwrap_or_else(|| id.clone()),
        cost: f("cost"),
        district: get("district"),
        id,
        x,
        y,
    })
}

fn load_units(sc: &Scenario) -> Result<Vec<Unit>, String> {
    let is_csv = sc
        .housing
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let mut out = Vec::new();
    if is_csv {
        let tx = ToUtm::new(sc.crs)?;
        for r in read_csv_maps(&sc.housing)? {
            let x = get(&r, "x").and_then(|s| s.parse::<f64>().ok());
            let y = get(&r, "y").and_then(|s| s.parse::<f64>().ok());
            let (Some(x), Some(y)) = (x, y) else {
                return Err("housing csv: row without x/y".into());
            };
            let (x, y) = tx.apply(x, y);
            out.push(unit_from(&|k| get(&r, k).map(str::to_string), x, y)?);
        }
    } else {
        let g = read_geojson(&sc.housing)?;
        for (i, (p, geom)) in g.features.iter().enumerate() {
            let (x, y) =
                point_of(&g.tx, geom).ok_or(format!("housing feature {}: no point", i + 1))?;
            out.push(unit_from(&|k| prop(p, k), x, y)?);
        }
    }
    Ok(out)
}

fn load_places(path: &Path) -> Result<Vec<Place>, String> {
    let g = read_geojson(path)?;
    let mut out = Vec::new();
    for (i, (p, geom)) in g.features.iter().enumerate() {
        let (x, y) = point_of(&g.tx, geom).ok_or(format!("places feature {}: no point", i + 1))?;
        out.push(Place {
            id: prop(p, "id").ok_or(format!("places feature {}: no id", i + 1))?,
            kind: prop(p, "kind").unwrap_or_default(),
            x,
            y,
        });
    }
    Ok(out)
}

pub fn load_inputs(sc: &Scenario) -> Result<Inputs, String> {
    let households = load_households(&sc.households)?;
    let districts = load_districts(&sc.districts)?;
    let places = load_places(&sc.places)?;
    let mut units = BTreeMap::new();
    for mut u in load_units(sc)? {
        if u.district.is_none() {
            u.district = district_containing(&districts, u.x, u.y);
        }
        units.insert(u.id.clone(), u);
    }
    let network_minutes = match &sc.network {
        Some(path) => {
            let net = load_network(sc, path)?;
            if net.links.is_empty() {
                None
            } else {
                let mut targets: Vec<&Place> = places
                    .iter()
                    .filter(|p| p.kind == "language_school")
                    .collect();
                for h in &households {
                    for named in [&h.language_school, &h.work_place] {
                        if let Some(s) = named
                            && let Some(p) = places.iter().find(|p| &p.id == s)
                        {
                            targets.push(p);
                        }
                    }
                }
                let mut m = HashMap::new();
                for u in units.values() {
                    for p in &targets {
                        m.entry((u.id.clone(), p.id.clone()))
                            .or_insert_with(|| net.minutes(sc, (u.x, u.y), (p.x, p.y)));
                    }
                }
                Some(m)
            }
        }
        None => None,
    };
    Ok(Inputs {
        households,
        units,
        districts,
        places,
        network_minutes,
    })
}
