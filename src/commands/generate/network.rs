//! The synthetic bus network of a scenario (`network.geojson`): local lines
//! through each district's centre and trunk lines between neighbouring
//! centres, drawn from stream 4 and written as they are drawn.

use std::io::{self, Write};

use super::CRS_MEMBER;
use super::geography::Geography;
use super::random::Rng;

/// A synthetic bus network: in every district two local lines crossing at
/// its centre (south-west – centre – north-east and south-east – centre –
/// north-west, stops a fifth of the cell in from its corners, 25 km/h), and
/// trunk lines joining the centres of neighbouring districts along every row
/// and column of the grid (45 km/h). Headways are drawn per line: local 20,
/// 30 or 60 minutes, trunk 15, 20 or 30. EPSG:25832, like the districts.
pub(super) fn write_network(w: &mut impl Write, geo: &Geography, seed: u64) -> io::Result<()> {
    let mut rng = Rng::new(seed, 4);
    write!(
        w,
        "{{\"type\":\"FeatureCollection\",\"name\":\"network\",{CRS_MEMBER},\"features\":["
    )?;
    let mut first = true;
    let mut link = |w: &mut dyn Write,
                    line: &str,
                    headway: u32,
                    kmh: u32,
                    a: (f64, f64),
                    b: (f64, f64)|
     -> io::Result<()> {
        if !first {
            w.write_all(b",")?;
        }
        first = false;
        write!(
            w,
            "\n{{\"type\":\"Feature\",\"properties\":{{\"mode\":\"bus\",\"line\":\"{line}\",\"headway_min\":{headway},\"speed_kmh\":{kmh}}},\"geometry\":{{\"type\":\"LineString\",\"coordinates\":[[{:.1},{:.1}],[{:.1},{:.1}]]}}}}",
            a.0, a.1, b.0, b.1
        )
    };
    let count = geo.districts.len();
    let rows = count / geo.cols;
    let centre = |d: usize| geo.inside(d, 0.5, 0.5);
    for d in 0..count {
        let id = &geo.districts[d].id;
        for (k, (from, to)) in [((0.2, 0.2), (0.8, 0.8)), ((0.8, 0.2), (0.2, 0.8))]
            .into_iter()
            .enumerate()
        {
            let headway = [20, 30, 60][rng.below(3)];
            let line = format!("{id}-{}", ["a", "b"][k]);
            let (p, q) = (geo.inside(d, from.0, from.1), geo.inside(d, to.0, to.1));
            link(w, &line, headway, 25, p, centre(d))?;
            link(w, &line, headway, 25, centre(d), q)?;
        }
    }
    for j in 0..rows {
        let headway = [15, 20, 30][rng.below(3)];
        for i in 0..geo.cols - 1 {
            let d = j * geo.cols + i;
            link(
                w,
                &format!("R{}", j + 1),
                headway,
                45,
                centre(d),
                centre(d + 1),
            )?;
        }
    }
    for i in 0..geo.cols {
        let headway = [15, 20, 30][rng.below(3)];
        for j in 0..rows - 1 {
            let d = j * geo.cols + i;
            link(
                w,
                &format!("K{}", i + 1),
                headway,
                45,
                centre(d),
                centre(d + geo.cols),
            )?;
        }
    }
    w.write_all(b"\n]}\n")
}
