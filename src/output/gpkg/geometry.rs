//! Geometries as GeoPackage binary: the header (`GP`, version 0, flags for
//! little-endian and the envelope, the srs_id), then standard WKB.
//!
//! Invariants: always little-endian and in the working CRS EPSG:25832; a
//! point has no envelope, a multipolygon an xy envelope (an empty one the
//! empty flag); exterior rings counter-clockwise, holes clockwise.

use geo::{BoundingRect, MultiPolygon, Winding};

use crate::crs::WORKING_EPSG;

/// GeoPackage binary header: magic, version 0, flags (little-endian,
/// envelope indicator, empty bit), srs_id.
fn gp_header(buf: &mut Vec<u8>, envelope: Option<[f64; 4]>, empty: bool) {
    buf.extend_from_slice(b"GP");
    buf.push(0);
    let envelope_code = u8::from(envelope.is_some());
    let flags = 1 | (envelope_code << 1) | (u8::from(empty) << 4);
    buf.push(flags);
    buf.extend_from_slice(&i32::from(WORKING_EPSG).to_le_bytes());
    if let Some(e) = envelope {
        for v in e {
            buf.extend_from_slice(&v.to_le_bytes());
        }
    }
}

/// A point as GeoPackage binary (no envelope) + WKB.
pub(super) fn gp_point(x: f64, y: f64) -> Vec<u8> {
    let mut b = Vec::with_capacity(8 + 21);
    gp_header(&mut b, None, false);
    b.push(1);
    b.extend_from_slice(&1_u32.to_le_bytes());
    b.extend_from_slice(&x.to_le_bytes());
    b.extend_from_slice(&y.to_le_bytes());
    b
}

/// A multipolygon as GeoPackage binary (xy envelope: minx, maxx, miny,
/// maxy) + WKB; exterior rings counter-clockwise, holes clockwise.
pub(super) fn gp_multipolygon(mp: &MultiPolygon<f64>) -> Vec<u8> {
    let mut b = Vec::new();
    match mp.bounding_rect() {
        Some(r) => gp_header(
            &mut b,
            Some([r.min().x, r.max().x, r.min().y, r.max().y]),
            false,
        ),
        None => gp_header(&mut b, None, true),
    }
    b.push(1);
    b.extend_from_slice(&6_u32.to_le_bytes());
    b.extend_from_slice(&(mp.0.len() as u32).to_le_bytes());
    for poly in &mp.0 {
        b.push(1);
        b.extend_from_slice(&3_u32.to_le_bytes());
        b.extend_from_slice(&((1 + poly.interiors().len()) as u32).to_le_bytes());
        let mut exterior = poly.exterior().clone();
        exterior.make_ccw_winding();
        ring(&mut b, &exterior);
        for inner in poly.interiors() {
            let mut inner = inner.clone();
            inner.make_cw_winding();
            ring(&mut b, &inner);
        }
    }
    b
}

fn ring(b: &mut Vec<u8>, line: &geo::LineString<f64>) {
    b.extend_from_slice(&(line.0.len() as u32).to_le_bytes());
    for c in &line.0 {
        b.extend_from_slice(&c.x.to_le_bytes());
        b.extend_from_slice(&c.y.to_le_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn point_header_is_geopackage_binary() {
        let b = gp_point(500_000.0, 6_200_000.0);
        assert_eq!(&b[..4], b"GP\x00\x01");
        assert_eq!(i32::from_le_bytes(b[4..8].try_into().unwrap()), 25832);
        assert_eq!(b[8], 1);
        assert_eq!(u32::from_le_bytes(b[9..13].try_into().unwrap()), 1);
        assert_eq!(b.len(), 8 + 21);
    }
}
