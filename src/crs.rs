//! Coordinate reference systems: parsing CRS names and projecting points to
//! the planner's working CRS, EPSG:25832 (ETRS89 / UTM 32N, metres).
//!
//! Pure Rust: `proj4rs` does the maths, `crs-definitions` supplies the EPSG
//! definitions.

use geo::Point;
use proj4rs::proj::Proj;

/// The CRS the planner works in.
pub const WORKING_EPSG: u16 = 25832;

/// A coordinate reference system named by an EPSG code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Crs {
    /// EPSG code; 4326 also stands for OGC CRS84 (lon/lat axis order).
    pub epsg: u16,
}

impl Crs {
    /// WGS84 longitude/latitude (RFC 7946 GeoJSON).
    pub const WGS84: Crs = Crs { epsg: 4326 };

    /// Parses `EPSG:25832`, `urn:ogc:def:crs:EPSG::25832`,
    /// `urn:ogc:def:crs:OGC:1.3:CRS84`, `CRS84` and similar names.
    ///
    /// # Errors
    /// When the name is not understood or the code is unknown.
    pub fn parse(name: &str) -> Result<Self, String> {
        let trimmed = name.trim();
        let upper = trimmed.to_ascii_uppercase();
        if upper.ends_with("CRS84") || upper == "WGS84" {
            return Ok(Self::WGS84);
        }
        let code = upper
            .rsplit(':')
            .next()
            .filter(|_| upper.contains("EPSG"))
            .and_then(|c| c.parse::<u16>().ok())
            .ok_or_else(|| {
                format!("found \"{trimmed}\", expected a CRS like \"EPSG:25832\" or \"EPSG:4326\"")
            })?;
        if crs_definitions::from_code(code).is_none() {
            return Err(format!(
                "found \"{trimmed}\", an EPSG code this build does not know"
            ));
        }
        Ok(Self { epsg: code })
    }

    fn proj(self) -> Proj {
        let def = crs_definitions::from_code(self.epsg).expect("checked in Crs::parse");
        Proj::from_proj_string(def.proj4).expect("EPSG definitions parse")
    }

    #[must_use]
    pub fn is_geographic(self) -> bool {
        self.proj().is_latlong()
    }
}

impl std::fmt::Display for Crs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "EPSG:{}", self.epsg)
    }
}

/// Projects points between two CRSs (x/y in the CRS's own units, degrees
/// for geographic CRSs).
pub struct Transformer {
    from: Proj,
    to: Proj,
    from_geographic: bool,
    to_geographic: bool,
    identity: bool,
}

impl Transformer {
    #[must_use]
    pub fn new(from: Crs, to: Crs) -> Self {
        let from_proj = from.proj();
        let to_proj = to.proj();
        Self {
            from_geographic: from_proj.is_latlong(),
            to_geographic: to_proj.is_latlong(),
            from: from_proj,
            to: to_proj,
            identity: from == to,
        }
    }

    /// Into the working CRS.
    #[must_use]
    pub fn to_working(from: Crs) -> Self {
        Self::new(from, Crs { epsg: WORKING_EPSG })
    }

    /// From the working CRS to WGS84 lon/lat.
    #[must_use]
    pub fn working_to_wgs84() -> Self {
        Self::new(Crs { epsg: WORKING_EPSG }, Crs::WGS84)
    }

    /// Transforms one point.
    ///
    /// # Errors
    /// When the point cannot be projected (e.g. latitude beyond 90°).
    pub fn apply(&self, x: f64, y: f64) -> Result<(f64, f64), String> {
        if !x.is_finite() || !y.is_finite() {
            return Err("coordinate is not a finite number".into());
        }
        if self.identity {
            return Ok((x, y));
        }
        let mut p = if self.from_geographic {
            if !(-180.0..=180.0).contains(&x) || !(-90.0..=90.0).contains(&y) {
                return Err(format!(
                    "({x}, {y}) is not a longitude/latitude; is the file in another CRS?"
                ));
            }
            (x.to_radians(), y.to_radians(), 0.0)
        } else {
            (x, y, 0.0)
        };
        proj4rs::transform::transform(&self.from, &self.to, &mut p)
            .map_err(|e| format!("cannot transform ({x}, {y}): {e}"))?;
        if self.to_geographic {
            Ok((p.0.to_degrees(), p.1.to_degrees()))
        } else {
            Ok((p.0, p.1))
        }
    }

    /// Transforms one point, as a [`Point`].
    ///
    /// # Errors
    /// As [`Transformer::apply`].
    pub fn point(&self, x: f64, y: f64) -> Result<Point<f64>, String> {
        self.apply(x, y).map(|(a, b)| Point::new(a, b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_names_qgis_and_gdal_write() {
        assert_eq!(Crs::parse("EPSG:25832").unwrap().epsg, 25832);
        assert_eq!(
            Crs::parse("urn:ogc:def:crs:EPSG::25832").unwrap().epsg,
            25832
        );
        assert_eq!(
            Crs::parse("urn:ogc:def:crs:OGC:1.3:CRS84").unwrap(),
            Crs::WGS84
        );
        assert!(Crs::parse("ETRS89").is_err());
    }

    #[test]
    fn herning_station_lands_where_rejseplanen_has_it() {
        // Herning St. in Rejseplanen's stop register (2023): E 498 624, N 6 220 919
        // in EPSG:25832 (whole metres), 8.977861 E, 56.133328 N.
        let t = Transformer::to_working(Crs::WGS84);
        let (x, y) = t.apply(8.977_861, 56.133_328).unwrap();
        assert!((x - 498_624.0).abs() < 1.5, "x = {x}");
        assert!((y - 6_220_919.0).abs() < 1.5, "y = {y}");
        let (lon, lat) = Transformer::working_to_wgs84().apply(x, y).unwrap();
        assert!((lon - 8.977_861).abs() < 1e-8 && (lat - 56.133_328).abs() < 1e-8);
    }
}
