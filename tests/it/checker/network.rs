//! Travel minutes over the scenario's network, as the README describes the
//! network: endpoints merged within `snap_m`, links both ways unless
//! one-way, a boarding wait once per ride of a service, walking at either
//! end.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde_json::Value;

use super::csv_rows::parse_bool;
use super::features::{prop, read_geojson, ring};
use super::scenario::Scenario;

/// A search state: a node, and the service being ridden (`None`: on foot).
type State<'a> = (usize, Option<&'a str>);

/// The unsettled state with the least minutes, if any (a Dijkstra step
/// without a heap: the networks checked here are small).
fn closest_open<'a>(
    best: &HashMap<State<'a>, f64>,
    done: &HashSet<State<'a>>,
) -> Option<(State<'a>, f64)> {
    best.iter()
        .filter(|(s, _)| !done.contains(*s))
        .min_by(|x, y| x.1.total_cmp(y.1))
        .map(|(&s, &d)| (s, d))
}

/// One link between two merged endpoints.
#[derive(Debug, Clone)]
pub(super) struct NetLink {
    from: usize,
    to: usize,
    minutes: f64,
    oneway: bool,
    /// Boarding wait; 0 for a link used without boarding.
    wait: f64,
    /// The service riding on within costs no new wait (boarded links only).
    service: String,
}

/// The network as the README describes it: endpoints merged within
/// `snap_m`, links in both directions unless `oneway`.
#[derive(Debug, Clone, Default)]
pub(super) struct Net {
    nodes: Vec<(f64, f64)>,
    pub(super) links: Vec<NetLink>,
}

const WALK_MODES: [&str; 7] = ["walk", "foot", "road", "car", "bike", "bicycle", "cycle"];

pub(super) fn load_network(sc: &Scenario, path: &Path) -> Result<Net, String> {
    let g = read_geojson(path)?;
    let mut net = Net::default();
    for (i, (p, geom)) in g.features.iter().enumerate() {
        let num = |k: &str| prop(p, k).and_then(|s| s.parse::<f64>().ok());
        let minutes = num("minutes");
        let speed = num("speed_kmh");
        if minutes.is_none() && speed.is_none() {
            return Err(format!(
                "network feature {}: no minutes or speed_kmh",
                i + 1
            ));
        }
        let oneway = parse_bool(prop(p, "oneway").as_deref());
        let mode = prop(p, "mode");
        let line = prop(p, "line");
        let headway = num("headway_min");
        let wait = match (headway, &mode) {
            (Some(h), _) => h / 2.0,
            (None, None) => 0.0,
            (None, Some(m)) if WALK_MODES.iter().any(|w| w.eq_ignore_ascii_case(m)) => 0.0,
            (None, Some(_)) => sc.default_wait_min,
        };
        let service = match &line {
            Some(l) => format!("line {l}"),
            None => format!(
                "mode {} every {:?}",
                mode.as_deref().unwrap_or("").to_lowercase(),
                headway
            ),
        };
        let coords = geom.get("coordinates");
        let parts: Vec<Vec<(f64, f64)>> = match geom.get("type").and_then(Value::as_str) {
            Some("LineString") => vec![ring(&g.tx, coords.unwrap_or(&Value::Null))],
            Some("MultiLineString") => coords
                .and_then(Value::as_array)
                .map(|ls| ls.iter().map(|l| ring(&g.tx, l)).collect())
                .unwrap_or_default(),
            _ => return Err(format!("network feature {}: not a LineString", i + 1)),
        }
        .into_iter()
        .map(|l| l.0.iter().map(|c| (c.x, c.y)).collect())
        .collect();
        let length = |l: &[(f64, f64)]| -> f64 {
            l.windows(2)
                .map(|w| (w[1].0 - w[0].0).hypot(w[1].1 - w[0].1))
                .sum()
        };
        let total: f64 = parts.iter().map(|l| length(l)).sum();
        for part in &parts {
            let (Some(&a), Some(&b)) = (part.first(), part.last()) else {
                continue;
            };
            let len = length(part);
            let m = match (minutes, speed) {
                (Some(m), _) if total > 0.0 => m * len / total,
                (Some(m), _) => m / parts.len() as f64,
                (None, Some(kmh)) => len / (kmh * 1000.0 / 60.0),
                (None, None) => unreachable!(),
            };
            let from = net.node(a, sc.snap_m);
            let to = net.node(b, sc.snap_m);
            if from != to {
                net.links.push(NetLink {
                    from,
                    to,
                    minutes: m,
                    oneway,
                    wait,
                    service: service.clone(),
                });
            }
        }
    }
    Ok(net)
}

impl Net {
    /// The node an endpoint merges into: the nearest earlier endpoint within
    /// `snap_m`, else a new node.
    fn node(&mut self, p: (f64, f64), snap_m: f64) -> usize {
        if let Some((i, d)) = self.nearest(p)
            && d <= snap_m
        {
            return i;
        }
        self.nodes.push(p);
        self.nodes.len() - 1
    }

    fn nearest(&self, p: (f64, f64)) -> Option<(usize, f64)> {
        self.nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (i, (n.0 - p.0).hypot(n.1 - p.1)))
            .min_by(|a, b| a.1.total_cmp(&b.1))
    }

    /// Minutes from `a` to `b`: walk to the node nearest `a`, the fastest
    /// path, walk from the node nearest `b`; or walk directly if faster.
    /// A plain Dijkstra over states (node, riding service or on foot).
    pub(super) fn minutes(&self, sc: &Scenario, a: (f64, f64), b: (f64, f64)) -> f64 {
        let walk_m_per_min = sc.walk_kmh * 1000.0 / 60.0;
        let direct = (a.0 - b.0).hypot(a.1 - b.1) / walk_m_per_min;
        let (Some((start, walk_on)), Some((goal, walk_off))) = (self.nearest(a), self.nearest(b))
        else {
            return direct;
        };
        // Arcs from each node: (to, minutes, wait, service), both directions
        // unless one-way.
        let mut out: Vec<Vec<(usize, f64, f64, &str)>> = vec![Vec::new(); self.nodes.len()];
        for l in &self.links {
            out[l.from].push((l.to, l.minutes, l.wait, &l.service));
            if !l.oneway {
                out[l.to].push((l.from, l.minutes, l.wait, &l.service));
            }
        }
        // State: (node, Some(service) while riding a boarded service).
        let mut best: HashMap<State<'_>, f64> = HashMap::new();
        let mut done: HashSet<State<'_>> = HashSet::new();
        best.insert((start, None), 0.0);
        let mut arrive = f64::INFINITY;
        while let Some((state, d)) = closest_open(&best, &done) {
            done.insert(state);
            let (n, riding) = state;
            if n == goal {
                arrive = arrive.min(d);
            }
            // Getting off is free.
            let mut next: Vec<(State<'_>, f64)> = Vec::new();
            if riding.is_some() {
                next.push(((n, None), d));
            }
            for &(to, m, wait, service) in &out[n] {
                if wait > 0.0 {
                    let board = if riding == Some(service) { 0.0 } else { wait };
                    next.push(((to, Some(service)), d + board + m));
                } else if riding.is_none() {
                    next.push(((to, None), d + m));
                }
            }
            for (s, c) in next {
                if !done.contains(&s) && best.get(&s).is_none_or(|&b| c < b) {
                    best.insert(s, c);
                }
            }
        }
        let walk = |d: f64| d / walk_m_per_min;
        direct.min(walk(walk_on) + arrive + walk(walk_off))
    }
}
