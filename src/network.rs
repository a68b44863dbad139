//! The transport network: a graph built from links, and travel times over it
//! from many points to one place at once. Pure: no I/O (the links are read by
//! `load::network`).
//!
//! # Convention (README, rule 8)
//!
//! From a point (a unit), walk in a straight line to the nearest network node
//! at `walk_kmh`, travel the fastest path over the links, and walk from the
//! node nearest the place to the place. If walking the whole way directly is
//! faster, walk.
//!
//! # The graph
//!
//! Link endpoints closer than `snap_m` are one node ("street" node). A link
//! with no boarding wait (no `headway_min` and a walk/road mode, or no mode)
//! joins two street nodes directly. A link that is boarded (it has a
//! `headway_min`, or a transit mode such as `bus` or `train`) belongs to a
//! *service*: its `line` if given, else its `mode` and `headway_min`. Each
//! service has a "platform" node at every street node it stops at; getting on
//! costs the wait (half the headway, else `default_wait_min`), getting off is
//! free, and riding on along links of the same service costs no new wait.
//! Two lines with the same mode and headway and no `line` are one service, so
//! a change between them is not charged a wait (an underestimate; give `line`
//! to tell them apart).
//!
//! # Travel times for all units at once
//!
//! Travel goes unit → place, so one Dijkstra per place on the *reversed*
//! graph, from the node nearest the place, gives the network time from every
//! node to the place; each unit then adds its walk to its own nearest node
//! (found once, with an R-tree). Never one search per unit–place pair.

use geo::{Distance, Euclidean, Point};
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::{EdgeRef, Reversed};
use rstar::{RTree, primitives::GeomWithData};
use serde::Deserialize;

/// Scenario table `[network]`: how travel over a network is counted.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct NetworkSettings {
    /// Walking speed to, from and instead of the network, km/h.
    pub walk_kmh: f64,
    /// Link endpoints closer than this are one node, metres.
    pub snap_m: f64,
    /// Boarding wait on a transit link without `headway_min`, minutes.
    pub default_wait_min: f64,
    /// GTFS: the weekday whose timetable is used.
    pub gtfs_weekday: Weekday,
    /// GTFS: trips that leave their first stop in this window count.
    pub gtfs_window: TimeWindow,
    /// GTFS: the longest boarding wait, minutes (half the headway, at most this).
    pub gtfs_max_wait_min: f64,
    /// GTFS: stops closer than this are joined by walking links, metres.
    pub gtfs_transfer_m: f64,
}

/// A day of the week, as a scenario names it (`"tuesday"`, `"tue"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct Weekday(pub chrono::Weekday);

impl TryFrom<String> for Weekday {
    type Error = String;

    fn try_from(s: String) -> Result<Self, String> {
        s.trim().parse::<chrono::Weekday>().map(Weekday).map_err(|_| {
            format!(
                "key `network.gtfs_weekday`: found \"{s}\", expected a weekday such as \"tuesday\""
            )
        })
    }
}

impl Weekday {
    /// The weekday's column in GTFS `calendar.txt` (`monday` … `sunday`).
    #[must_use]
    pub fn column(self) -> &'static str {
        match self.0 {
            chrono::Weekday::Mon => "monday",
            chrono::Weekday::Tue => "tuesday",
            chrono::Weekday::Wed => "wednesday",
            chrono::Weekday::Thu => "thursday",
            chrono::Weekday::Fri => "friday",
            chrono::Weekday::Sat => "saturday",
            chrono::Weekday::Sun => "sunday",
        }
    }
}

/// A time window of a day, `"07:00-09:00"`: seconds after midnight, the
/// start included, the end not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct TimeWindow {
    pub from_s: u32,
    pub to_s: u32,
}

impl TryFrom<String> for TimeWindow {
    type Error = String;

    fn try_from(s: String) -> Result<Self, String> {
        let bad = || {
            format!(
                "key `network.gtfs_window`: found \"{s}\", expected a window like \"07:00-09:00\" (start before end, at most 24:00)"
            )
        };
        let hm = |t: &str| -> Option<u32> {
            let (h, m) = t.trim().split_once(':')?;
            let (h, m) = (h.parse::<u32>().ok()?, m.parse::<u32>().ok()?);
            (m < 60 && h * 60 + m <= 24 * 60).then_some((h * 60 + m) * 60)
        };
        let (a, b) = s.split_once('-').ok_or_else(bad)?;
        match (hm(a), hm(b)) {
            (Some(from_s), Some(to_s)) if from_s < to_s => Ok(Self { from_s, to_s }),
            _ => Err(bad()),
        }
    }
}

impl TimeWindow {
    /// Length of the window in minutes.
    #[must_use]
    pub fn minutes(self) -> f64 {
        f64::from(self.to_s - self.from_s) / 60.0
    }

    /// Whether a time (seconds after midnight) lies in the window.
    #[must_use]
    pub fn contains(self, s: u32) -> bool {
        (self.from_s..self.to_s).contains(&s)
    }
}

impl Default for NetworkSettings {
    fn default() -> Self {
        Self {
            // A common planning value for adults walking (4–5 km/h).
            walk_kmh: 4.5,
            // Hand-drawn or digitised links rarely meet exactly; 5 m merges
            // them without merging distinct stops across a street.
            snap_m: 5.0,
            // Half of a 10-minute headway: a modest wait where the timetable
            // is unknown. Rural lines run hourly: give their `headway_min`.
            default_wait_min: 5.0,
            // A working day's morning peak, when people travel to school
            // and work; Tuesday avoids Monday's and Friday's exceptions.
            gtfs_weekday: Weekday(chrono::Weekday::Tue),
            gtfs_window: TimeWindow {
                from_s: 7 * 3600,
                to_s: 9 * 3600,
            },
            // Half an hourly headway: nobody who knows the timetable waits
            // longer than that for a bus they mean to catch.
            gtfs_max_wait_min: 30.0,
            // About four minutes' walk: a change across a square or between
            // the platforms of a station.
            gtfs_transfer_m: 300.0,
        }
    }
}

impl NetworkSettings {
    /// Checks the values; the message names the key.
    ///
    /// # Errors
    /// When a value is out of range.
    pub fn check(&self) -> Result<(), String> {
        if !(self.walk_kmh.is_finite() && self.walk_kmh > 0.0) {
            return Err(format!(
                "key `network.walk_kmh`: found {}, expected a speed above 0",
                self.walk_kmh
            ));
        }
        if !(self.snap_m.is_finite() && self.snap_m >= 0.0) {
            return Err(format!(
                "key `network.snap_m`: found {}, expected metres, 0 or more",
                self.snap_m
            ));
        }
        if !(self.default_wait_min.is_finite() && self.default_wait_min >= 0.0) {
            return Err(format!(
                "key `network.default_wait_min`: found {}, expected minutes, 0 or more",
                self.default_wait_min
            ));
        }
        if !(self.gtfs_max_wait_min.is_finite() && self.gtfs_max_wait_min >= 0.0) {
            return Err(format!(
                "key `network.gtfs_max_wait_min`: found {}, expected minutes, 0 or more",
                self.gtfs_max_wait_min
            ));
        }
        if !(self.gtfs_transfer_m.is_finite() && self.gtfs_transfer_m >= 0.0) {
            return Err(format!(
                "key `network.gtfs_transfer_m`: found {}, expected metres, 0 or more",
                self.gtfs_transfer_m
            ));
        }
        Ok(())
    }

    /// Metres walked per minute.
    #[must_use]
    pub fn walk_m_per_min(&self) -> f64 {
        self.walk_kmh * 1000.0 / 60.0
    }
}

/// Modes whose links are used without boarding (no wait unless the link
/// gives a `headway_min`). Any other mode (`bus`, `train`, `ferry`, …) is
/// boarded.
pub const UNBOARDED_MODES: &[&str] = &["walk", "foot", "road", "car", "bike", "bicycle", "cycle"];

/// One link of the network, validated and projected (EPSG:25832).
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    /// The feature it came from, 1-based, for messages.
    pub feature: usize,
    pub from: Point<f64>,
    pub to: Point<f64>,
    /// In-vehicle (or walking) minutes from `from` to `to`.
    pub minutes: f64,
    /// Usable only from `from` to `to`.
    pub oneway: bool,
    pub mode: Option<String>,
    pub line: Option<String>,
    pub headway_min: Option<f64>,
}

impl Link {
    /// Minutes waited to board this link: half the headway where known, the
    /// default for a transit mode, else none.
    #[must_use]
    pub fn wait_min(&self, settings: &NetworkSettings) -> f64 {
        match (self.headway_min, self.mode.as_deref()) {
            (Some(h), _) => h / 2.0,
            (None, None) => 0.0,
            (None, Some(m)) if UNBOARDED_MODES.iter().any(|u| u.eq_ignore_ascii_case(m)) => 0.0,
            (None, Some(_)) => settings.default_wait_min,
        }
    }

    /// The service a boarded link belongs to: riding on within it costs no
    /// new wait.
    fn service(&self) -> String {
        match &self.line {
            Some(line) => format!("line:{line}"),
            None => format!(
                "mode:{}:{}",
                self.mode.as_deref().unwrap_or("").to_ascii_lowercase(),
                self.headway_min.map_or(-1.0, |h| h)
            ),
        }
    }
}

/// A point's way onto the network: its nearest street node and the walk there.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Access {
    pub node: NodeIndex,
    pub walk_min: f64,
}

/// Points prepared for many searches: each with its access to the network,
/// found once.
#[derive(Debug, Clone)]
pub struct Origins {
    points: Vec<Point<f64>>,
    access: Vec<Option<Access>>,
}

impl Origins {
    #[must_use]
    pub fn len(&self) -> usize {
        self.points.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }
}

/// Sizes of a built network, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct NetworkStats {
    pub links: usize,
    /// Street nodes (merged link endpoints).
    pub nodes: usize,
    /// Links whose two ends merged into one node, left out.
    pub loops_dropped: usize,
}

/// The network graph. Edge weights are minutes.
#[derive(Debug, Clone)]
pub struct Network {
    graph: DiGraph<(), f64>,
    /// Street nodes, the only ones a point walks to or from.
    streets: RTree<GeomWithData<[f64; 2], NodeIndex>>,
    walk_m_per_min: f64,
    pub stats: NetworkStats,
}

impl Network {
    /// Builds the graph: endpoints merged within `snap_m` (in link order, the
    /// first endpoint of a cluster gives the node its place), street and
    /// platform nodes as in the module doc.
    #[must_use]
    pub fn build(links: &[Link], settings: &NetworkSettings) -> Self {
        let mut graph: DiGraph<(), f64> = DiGraph::new();
        let mut streets: RTree<GeomWithData<[f64; 2], NodeIndex>> = RTree::new();
        let snap2 = settings.snap_m * settings.snap_m;
        let mut street = |graph: &mut DiGraph<(), f64>, p: Point<f64>| -> NodeIndex {
            let at = [p.x(), p.y()];
            if let Some(near) = streets.nearest_neighbor(&at) {
                let (dx, dy) = (near.geom()[0] - at[0], near.geom()[1] - at[1]);
                if dx * dx + dy * dy <= snap2 {
                    return near.data;
                }
            }
            let n = graph.add_node(());
            streets.insert(GeomWithData::new(at, n));
            n
        };
        let mut platforms: std::collections::HashMap<(NodeIndex, String), NodeIndex> =
            std::collections::HashMap::new();
        let mut stats = NetworkStats::default();
        for link in links {
            let a = street(&mut graph, link.from);
            let b = street(&mut graph, link.to);
            if a == b {
                stats.loops_dropped += 1;
                continue;
            }
            stats.links += 1;
            let wait = link.wait_min(settings);
            let (a, b) = if wait > 0.0 {
                let service = link.service();
                let mut platform = |graph: &mut DiGraph<(), f64>, s: NodeIndex| {
                    *platforms.entry((s, service.clone())).or_insert_with(|| {
                        let p = graph.add_node(());
                        graph.add_edge(s, p, wait);
                        graph.add_edge(p, s, 0.0);
                        p
                    })
                };
                (platform(&mut graph, a), platform(&mut graph, b))
            } else {
                (a, b)
            };
            graph.add_edge(a, b, link.minutes);
            if !link.oneway {
                graph.add_edge(b, a, link.minutes);
            }
        }
        stats.nodes = streets.size();
        Self {
            graph,
            streets,
            walk_m_per_min: settings.walk_m_per_min(),
            stats,
        }
    }

    /// The nearest street node of a point and the walk to it; `None` for a
    /// network without nodes.
    #[must_use]
    pub fn access(&self, p: Point<f64>) -> Option<Access> {
        let near = self.streets.nearest_neighbor(&[p.x(), p.y()])?;
        let node_at = Point::new(near.geom()[0], near.geom()[1]);
        Some(Access {
            node: near.data,
            walk_min: self.walk_min(p, node_at),
        })
    }

    /// Minutes to walk in a straight line.
    #[must_use]
    pub fn walk_min(&self, a: Point<f64>, b: Point<f64>) -> f64 {
        Euclidean.distance(a, b) / self.walk_m_per_min
    }

    /// Prepares points (units) for [`Network::minutes_to`].
    #[must_use]
    pub fn origins(&self, points: &[Point<f64>]) -> Origins {
        Origins {
            points: points.to_vec(),
            access: points.iter().map(|&p| self.access(p)).collect(),
        }
    }

    /// Minutes from every origin to `place` (the convention of the module
    /// doc), with one search.
    #[must_use]
    pub fn minutes_to(&self, place: Point<f64>, origins: &Origins) -> Vec<f64> {
        let to_place = self.minutes_to_place_from_nodes(place);
        origins
            .points
            .iter()
            .zip(&origins.access)
            .map(|(&p, access)| {
                let walk = self.walk_min(p, place);
                let ride = access.map_or(f64::INFINITY, |a| a.walk_min + to_place[a.node.index()]);
                walk.min(ride)
            })
            .collect()
    }

    /// Minutes from every node to `place`: a Dijkstra on the reversed graph
    /// from the node nearest the place, plus the walk from that node to the
    /// place; `INFINITY` where the place cannot be reached.
    fn minutes_to_place_from_nodes(&self, place: Point<f64>) -> Vec<f64> {
        let mut out = vec![f64::INFINITY; self.graph.node_count()];
        let Some(exit) = self.access(place) else {
            return out;
        };
        let found =
            petgraph::algo::dijkstra(Reversed(&self.graph), exit.node, None, |e| *e.weight());
        for (node, minutes) in found {
            out[node.index()] = minutes + exit.walk_min;
        }
        out
    }

    /// Street nodes, for messages and tests.
    #[must_use]
    pub fn node_count(&self) -> usize {
        self.stats.nodes
    }

    /// Every edge as (from, to, minutes), for tests.
    #[cfg(test)]
    fn edges(&self) -> Vec<(usize, usize, f64)> {
        self.graph
            .edge_references()
            .map(|e| (e.source().index(), e.target().index(), *e.weight()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const X0: f64 = 500_000.0;
    const Y0: f64 = 6_220_000.0;

    fn p(x: f64, y: f64) -> Point<f64> {
        Point::new(X0 + x, Y0 + y)
    }

    fn link(from: Point<f64>, to: Point<f64>, minutes: f64) -> Link {
        Link {
            feature: 1,
            from,
            to,
            minutes,
            oneway: false,
            mode: None,
            line: None,
            headway_min: None,
        }
    }

    fn one(net: &Network, from: Point<f64>, to: Point<f64>) -> f64 {
        net.minutes_to(to, &net.origins(&[from]))[0]
    }

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-9, "{a} != {b}");
    }

    #[test]
    fn endpoints_within_snap_distance_are_one_node() {
        let s = NetworkSettings::default();
        let net = Network::build(
            &[
                link(p(0.0, 0.0), p(1000.0, 0.0), 2.0),
                link(p(1003.0, 4.0), p(2000.0, 0.0), 2.0), // 5 m from the first end
                link(p(2006.0, 0.0), p(3000.0, 0.0), 2.0), // 6 m: a node of its own
            ],
            &s,
        );
        assert_eq!(net.node_count(), 5);
        // 0 → 2000 over two links; the third link is not joined.
        close(one(&net, p(0.0, 0.0), p(2000.0, 0.0)), 4.0);
        // To 3000 the far link can only be reached by walking the 6 m gap,
        // which the convention does not do mid-route: walking 3 km wins.
        close(one(&net, p(0.0, 0.0), p(3000.0, 0.0)), 3000.0 / 75.0);
    }

    #[test]
    fn the_fastest_path_wins_over_the_shortest() {
        let s = NetworkSettings::default();
        let net = Network::build(
            &[
                link(p(0.0, 0.0), p(10_000.0, 0.0), 30.0),
                link(p(0.0, 0.0), p(5000.0, 5000.0), 4.0),
                link(p(5000.0, 5000.0), p(10_000.0, 0.0), 4.0),
            ],
            &s,
        );
        // 75 m walk on (1 min), 8 min around, 150 m walk off (2 min).
        close(one(&net, p(-75.0, 0.0), p(10_000.0, 150.0)), 11.0);
    }

    #[test]
    fn a_oneway_link_is_used_in_its_direction_only() {
        let s = NetworkSettings::default();
        let mut l = link(p(0.0, 0.0), p(20_000.0, 0.0), 15.0);
        l.oneway = true;
        let net = Network::build(&[l], &s);
        close(one(&net, p(0.0, 0.0), p(20_000.0, 0.0)), 15.0);
        // Against the direction only walking is left: 20 km at 75 m/min.
        close(one(&net, p(20_000.0, 0.0), p(0.0, 0.0)), 20_000.0 / 75.0);
    }

    #[test]
    fn boarding_waits_half_the_headway_once_per_service() {
        let s = NetworkSettings::default();
        let bus = |from, to, minutes| Link {
            mode: Some("bus".into()),
            headway_min: Some(30.0),
            line: Some("1".into()),
            ..link(from, to, minutes)
        };
        let net = Network::build(
            &[
                bus(p(0.0, 0.0), p(5000.0, 0.0), 6.0),
                bus(p(5000.0, 0.0), p(10_000.0, 0.0), 6.0),
            ],
            &s,
        );
        // One wait of 15 for the whole ride, not one per link.
        close(one(&net, p(0.0, 0.0), p(10_000.0, 0.0)), 15.0 + 12.0);
        // A change to another line pays a new wait.
        let mut other = bus(p(5000.0, 0.0), p(10_000.0, 0.0), 6.0);
        other.line = Some("2".into());
        other.headway_min = Some(10.0);
        let net = Network::build(&[bus(p(0.0, 0.0), p(5000.0, 0.0), 6.0), other], &s);
        close(
            one(&net, p(0.0, 0.0), p(10_000.0, 0.0)),
            15.0 + 6.0 + 5.0 + 6.0,
        );
    }

    #[test]
    fn waits_default_by_mode() {
        let s = NetworkSettings::default();
        let mut l = link(p(0.0, 0.0), p(1.0, 0.0), 1.0);
        close(l.wait_min(&s), 0.0);
        l.mode = Some("Walk".into());
        close(l.wait_min(&s), 0.0);
        l.mode = Some("train".into());
        close(l.wait_min(&s), 5.0);
        l.headway_min = Some(60.0);
        close(l.wait_min(&s), 30.0);
        l.mode = None;
        close(l.wait_min(&s), 30.0);
    }

    #[test]
    fn walking_directly_beats_a_slow_bus() {
        let s = NetworkSettings::default();
        let net = Network::build(
            &[Link {
                mode: Some("bus".into()),
                headway_min: Some(30.0),
                ..link(p(50.0, 0.0), p(-600.0, 0.0), 2.0)
            }],
            &s,
        );
        // Bus: 50 m walk + 15 wait + 2 ride; walking 600 m takes 8.
        close(one(&net, p(0.0, 0.0), p(-600.0, 0.0)), 8.0);
    }

    #[test]
    fn platforms_do_not_count_as_street_nodes() {
        let s = NetworkSettings::default();
        let net = Network::build(
            &[Link {
                mode: Some("bus".into()),
                ..link(p(0.0, 0.0), p(1000.0, 0.0), 2.0)
            }],
            &s,
        );
        assert_eq!(net.node_count(), 2);
        // Two streets, two platforms; board + alight at each end, ride both ways.
        let edges = net.edges();
        assert_eq!(edges.len(), 6);
        assert_eq!(
            edges.iter().filter(|e| (e.2 - 5.0).abs() < 1e-12).count(),
            2
        );
    }

    #[test]
    fn loops_are_dropped_and_an_empty_network_means_walking() {
        let s = NetworkSettings::default();
        let net = Network::build(&[link(p(0.0, 0.0), p(2.0, 0.0), 1.0)], &s);
        assert_eq!(net.stats.loops_dropped, 1);
        let empty = Network::build(&[], &s);
        assert!(empty.access(p(0.0, 0.0)).is_none());
        close(one(&empty, p(0.0, 0.0), p(750.0, 0.0)), 10.0);
    }

    /// The one-search-per-place table equals a plain forward Dijkstra per
    /// pair on a small random grid (the reversed graph is the point).
    #[test]
    fn reversed_search_matches_forward_search_per_pair() {
        let s = NetworkSettings::default();
        let mut links = Vec::new();
        let mut seed: u64 = 7;
        let mut next = || {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) as f64 / f64::from(1u32 << 31)
        };
        for i in 0..6 {
            for j in 0..6 {
                let here = p(f64::from(i) * 1000.0, f64::from(j) * 1000.0);
                for (di, dj) in [(1, 0), (0, 1)] {
                    if i + di < 6 && j + dj < 6 {
                        let there = p(f64::from(i + di) * 1000.0, f64::from(j + dj) * 1000.0);
                        let mut l = link(here, there, 1.0 + 5.0 * next());
                        l.oneway = next() < 0.4;
                        if next() < 0.3 {
                            l.mode = Some("bus".into());
                        }
                        links.push(l);
                    }
                }
            }
        }
        let net = Network::build(&links, &s);
        let units: Vec<Point<f64>> = (0..20)
            .map(|_| p(next() * 5000.0, next() * 5000.0))
            .collect();
        let place = p(2300.0, 4100.0);
        let table = net.minutes_to(place, &net.origins(&units));
        let exit = net.access(place).unwrap();
        for (u, got) in units.iter().zip(table) {
            let a = net.access(*u).unwrap();
            let forward =
                petgraph::algo::dijkstra(&net.graph, a.node, Some(exit.node), |e| *e.weight());
            let ride = forward
                .get(&exit.node)
                .map_or(f64::INFINITY, |m| a.walk_min + m + exit.walk_min);
            close(got, ride.min(net.walk_min(*u, place)));
        }
    }
}
