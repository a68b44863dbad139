#!/usr/bin/env python3
"""Generate boligplan's demo scenario: Herning Kommune, synthetic stock and households.

    python3 tools/make_demo.py    # writes data/demo/* and scenarios/demo.toml,
                                  # prints tuning tables (affordability, a rough greedy plan)

Standard library only, deterministic (fixed seed). What is real and what is
synthetic is described in data/demo/README.md:

* real: the town names, their positions and populations, from GeoNames
  (https://www.geonames.org, CC BY 4.0), embedded below in TOWNS;
* synthetic: everything else -- the district polygons (Voronoi cells around the
  town points, clipped to a rough octagon; NOT official boundaries), the split
  of Herning's population across districts, rural populations, newcomer counts,
  district flags, the housing stock, the places' exact positions and names
  (approximate, near the real towns), all households, and the bus network
  (lines, stops, headways and speeds invented; not Midttrafik's routes).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import os
import random
import sys

SEED = 20260101
ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
OUT_DIR = os.path.join(ROOT, "data", "demo")
SCENARIO = os.path.join(ROOT, "scenarios", "demo.toml")

START = dt.date(2026, 1, 1)
HORIZON_DAYS = 365
END = START + dt.timedelta(days=HORIZON_DAYS)  # exclusive

# --------------------------------------------------------------------------
# Real data: towns of Herning Kommune (kommunekode 0657).
# Source: GeoNames gazetteer (geonames.org), CC BY 4.0, extract
# /work/shared/data/real/geonames-dk/places_4kommuner.csv.
# (geonameid, GeoNames name, latitude, longitude, population; 0 = unknown)
# GeoNames spells Aulum "Avlum" (2624419; "Aulum" is an alternate name).
# --------------------------------------------------------------------------
TOWNS = {
    "Herning": (2620425, "Herning", 56.13615, 8.97662, 50565),
    "Tjørring": (2611612, "Tjørring", 56.16741, 8.92690, 0),
    "Snejbjerg": (2613322, "Snejbjerg", 56.13291, 8.90353, 3513),
    "Lind": (2617619, "Lind", 56.10600, 8.97915, 3777),
    "Gjellerup": (2621436, "Gjellerup", 56.14616, 9.05467, 3731),
    "Hammerum": (2620814, "Hammerum", 56.13361, 9.06121, 3025),
    "Sunds": (2612107, "Sunds", 56.20743, 9.01386, 3525),
    "Vildbjerg": (2610259, "Vildbjerg", 56.20000, 8.76667, 3773),
    "Aulum": (2624419, "Avlum", 56.26539, 8.79256, 3249),
    "Kibæk": (2618931, "Kibæk", 56.03170, 8.85697, 2667),
    "Ørnhøj": (2615684, "Ørnhøj", 56.19874, 8.56452, 0),
}

# --------------------------------------------------------------------------
# Projection: ETRS89 / UTM zone 32N (EPSG:25832), GRS80, Krüger series
# (the n^4 series as given e.g. in Karney 2011 / the UTM article); accuracy
# far below a millimetre within the zone.
# --------------------------------------------------------------------------
_A = 6378137.0
_F = 1 / 298.257222101
_K0 = 0.9996
_E0 = 500000.0
_LON0 = math.radians(9.0)
_N = _F / (2 - _F)
_AA = _A / (1 + _N) * (1 + _N**2 / 4 + _N**4 / 64)
_ALPHA = (
    _N / 2 - 2 * _N**2 / 3 + 5 * _N**3 / 16 + 41 * _N**4 / 180,
    13 * _N**2 / 48 - 3 * _N**3 / 5 + 557 * _N**4 / 1440,
    61 * _N**3 / 240 - 103 * _N**4 / 140,
    49561 * _N**4 / 161280,
)
_BETA = (
    _N / 2 - 2 * _N**2 / 3 + 37 * _N**3 / 96 - _N**4 / 360,
    _N**2 / 48 + _N**3 / 15 - 437 * _N**4 / 1440,
    17 * _N**3 / 480 - 37 * _N**4 / 840,
    4397 * _N**4 / 161280,
)
_DELTA = (
    2 * _N - 2 * _N**2 / 3 - 2 * _N**3 + 116 * _N**4 / 45,
    7 * _N**2 / 3 - 8 * _N**3 / 5 - 227 * _N**4 / 45,
    56 * _N**3 / 15 - 136 * _N**4 / 35,
    4279 * _N**4 / 630,
)


def to_utm(lon: float, lat: float) -> tuple[float, float]:
    phi = math.radians(lat)
    lam = math.radians(lon) - _LON0
    c = 2 * math.sqrt(_N) / (1 + _N)
    t = math.sinh(math.atanh(math.sin(phi)) - c * math.atanh(c * math.sin(phi)))
    xi_p = math.atan2(t, math.cos(lam))
    eta_p = math.atanh(math.sin(lam) / math.sqrt(1 + t * t))
    e = eta_p
    n = xi_p
    for j, a in enumerate(_ALPHA, start=1):
        e += a * math.cos(2 * j * xi_p) * math.sinh(2 * j * eta_p)
        n += a * math.sin(2 * j * xi_p) * math.cosh(2 * j * eta_p)
    return _E0 + _K0 * _AA * e, _K0 * _AA * n


def to_lonlat(x: float, y: float) -> tuple[float, float]:
    xi = y / (_K0 * _AA)
    eta = (x - _E0) / (_K0 * _AA)
    xi_p, eta_p = xi, eta
    for j, b in enumerate(_BETA, start=1):
        xi_p -= b * math.sin(2 * j * xi) * math.cosh(2 * j * eta)
        eta_p -= b * math.cos(2 * j * xi) * math.sinh(2 * j * eta)
    chi = math.asin(math.sin(xi_p) / math.cosh(eta_p))
    phi = chi
    for j, d in enumerate(_DELTA, start=1):
        phi += d * math.sin(2 * j * chi)
    lam = _LON0 + math.atan2(math.sinh(eta_p), math.cos(xi_p))
    return math.degrees(lam), math.degrees(phi)


# --------------------------------------------------------------------------
# Planar geometry helpers (EPSG:25832 metres)
# --------------------------------------------------------------------------
def signed_area(ring):
    s = 0.0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1]):
        s += x1 * y2 - x2 * y1
    return s / 2


def clip_halfplane(poly, a, b, c):
    """Sutherland-Hodgman: keep the part of poly (open ring) with a*x + b*y <= c."""
    out = []
    n = len(poly)
    for i in range(n):
        p, q = poly[i], poly[(i + 1) % n]
        fp = a * p[0] + b * p[1] - c
        fq = a * q[0] + b * q[1] - c
        if fp <= 0:
            out.append(p)
        if (fp < 0 < fq) or (fq < 0 < fp):
            t = fp / (fp - fq)
            out.append((p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])))
    return out


def voronoi_cell(outline, seeds, i):
    sx, sy = seeds[i]
    cell = list(outline)
    for j, (tx, ty) in enumerate(seeds):
        if j == i:
            continue
        # |p - s_i|^2 <= |p - s_j|^2  <=>  2 (s_j - s_i) . p <= |s_j|^2 - |s_i|^2
        cell = clip_halfplane(cell, 2 * (tx - sx), 2 * (ty - sy), tx * tx + ty * ty - sx * sx - sy * sy)
    return cell


def point_in_ring(x, y, ring):
    inside = False
    n = len(ring)
    for i in range(n):
        x1, y1 = ring[i]
        x2, y2 = ring[(i + 1) % n]
        if (y1 > y) != (y2 > y):
            xc = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
            if x < xc:
                inside = not inside
    return inside


def dist_to_ring(x, y, ring):
    best = float("inf")
    n = len(ring)
    for i in range(n):
        x1, y1 = ring[i]
        x2, y2 = ring[(i + 1) % n]
        dx, dy = x2 - x1, y2 - y1
        t = 0.0 if dx == dy == 0 else max(0.0, min(1.0, ((x - x1) * dx + (y - y1) * dy) / (dx * dx + dy * dy)))
        best = min(best, math.hypot(x - x1 - t * dx, y - y1 - t * dy))
    return best


# --------------------------------------------------------------------------
# Districts
# --------------------------------------------------------------------------
# (id, name, town, offset east m, offset north m, population, newcomers, flags)
# Herning's 50,565 (GeoNames) are split over Herning Centrum/Nord/Syd/Vest and
# Tjørring (a Herning suburb without its own GeoNames population); the other
# towns get their GeoNames population plus a synthetic rural surrounding.
# Herning Nord's and Herning Syd's flags are SYNTHETIC (not the official lists).
DISTRICTS = [
    ("D01", "Herning Centrum", "Herning", 0, 0, 15200, 532, []),
    ("D02", "Herning Nord", "Herning", 300, 2400, 10900, 501, ["udsat", "parallelsamfund"]),
    ("D03", "Herning Syd", "Herning", 900, -1700, 9900, 366, ["forebyggelse"]),
    ("D04", "Herning Vest", "Herning", -2200, -250, 8700, 244, []),
    ("D05", "Tjørring", "Tjørring", 0, 0, 50565 - 15200 - 10900 - 9900 - 8700, 131, []),
    ("D06", "Snejbjerg", "Snejbjerg", 0, 0, 3513 + 900, 88, []),
    ("D07", "Lind", "Lind", 0, 0, 3777 + 650, 97, []),
    ("D08", "Gjellerup", "Gjellerup", 0, 0, 3731 + 750, 67, []),
    ("D09", "Hammerum", "Hammerum", 0, 0, 3025 + 300, 130, []),
    ("D10", "Sunds", "Sunds", 0, 0, 3525 + 1900, 81, []),
    ("D11", "Vildbjerg", "Vildbjerg", 0, 0, 3773 + 2100, 106, []),
    ("D12", "Aulum", "Aulum", 0, 0, 3249 + 2500, 92, []),
    ("D13", "Kibæk", "Kibæk", 0, 0, 2667 + 1600, 200, []),
    ("D14", "Ørnhøj", "Ørnhøj", 0, 0, 2300, 39, []),
]

# Rough octagon around the municipality (synthetic), centre and radius in metres.
OUTLINE_CENTRE_LONLAT = (8.86, 56.155)
OUTLINE_RADIUS = 23000.0


def build_districts():
    cx, cy = to_utm(*OUTLINE_CENTRE_LONLAT)
    outline = []
    for k in range(8):  # counter-clockwise, flat side up (22.5 deg offset)
        ang = math.radians(22.5 + 45 * k)
        # a little wider east-west than north-south, as the municipality is
        outline.append((cx + 1.05 * OUTLINE_RADIUS * math.cos(ang), cy + OUTLINE_RADIUS * math.sin(ang)))
    assert signed_area(outline) > 0
    seeds = []
    for d in DISTRICTS:
        gid, gname, lat, lon, _pop = TOWNS[d[2]]
        x, y = to_utm(lon, lat)
        seeds.append((x + d[3], y + d[4]))
    cells = []
    for i, d in enumerate(DISTRICTS):
        cell = voronoi_cell(outline, seeds, i)
        ring = []
        for x, y in cell:
            p = (round(x, 1), round(y, 1))
            if not ring or p != ring[-1]:
                ring.append(p)
        if ring[0] == ring[-1]:
            ring.pop()
        assert len(ring) >= 3, d
        if signed_area(ring) < 0:
            ring.reverse()
        assert point_in_ring(*seeds[i], ring), d
        cells.append(ring)
    return outline, seeds, cells


# --------------------------------------------------------------------------
# Benefits, housing benefit, rules (same formulas and defaults as the README)
# --------------------------------------------------------------------------
RULES = dict(
    max_persons_per_room=2,
    min_m2_per_person=20,
    min_disposable=dict(single=2800, couple=5000, per_child=1100),
    forbidden_flags=["udsat", "parallelsamfund", "omdannelse"],
    forbidden_flags_social_housing=["forebyggelse"],
    max_district_share=0.05,
    max_households_per_building=2,
    max_travel_min=60,
)
SPEED_KMH = 30.0
DETOUR = 1.3
BEN = dict(adult=6553, child_supplement=2784, single_parent=1638, child_allowance=1200)
HB = dict(
    rent_share=0.60, income_share=0.18, income_threshold=166600, min_own_payment=28300,
    max_counted_rent=94200, max_support=49716, no_children_cap_share=0.15,
    area_first_person_m2=65, area_per_extra_person_m2=20,
)


def benefit_income(adults, children):
    inc = adults * BEN["adult"]
    if children > 0:
        inc += BEN["child_supplement"] + BEN["child_allowance"] * children
        if adults == 1:
            inc += BEN["single_parent"]
    return inc


def housing_benefit(rent, area, persons, children, income):
    counted_area = HB["area_first_person_m2"] + HB["area_per_extra_person_m2"] * (persons - 1)
    counted_rent = min(rent * 12 * min(1.0, counted_area / area), HB["max_counted_rent"])
    hb = HB["rent_share"] * counted_rent - HB["income_share"] * max(0.0, income * 12 - HB["income_threshold"])
    hb = min(hb, rent * 12 - HB["min_own_payment"], HB["max_support"])
    if children == 0:
        hb = min(hb, HB["no_children_cap_share"] * rent * 12)
    return max(0, math.floor(max(0.0, hb) / 12))


def min_disposable(adults, children):
    md = RULES["min_disposable"]
    base = md["single"] if adults == 1 else md["couple"] + md["single"] * (adults - 2)
    return base + md["per_child"] * children


def affordable(adults, children, income_given, rent, area):
    income = income_given if income_given else benefit_income(adults, children)
    hb = housing_benefit(rent, area, adults + children, children, income)
    return income + hb - rent >= min_disposable(adults, children)


def size_ok(persons, rooms, area):
    return persons <= RULES["max_persons_per_room"] * rooms or area >= RULES["min_m2_per_person"] * persons


def travel_min(p, q):
    return math.hypot(p[0] - q[0], p[1] - q[1]) * DETOUR / 1000 / SPEED_KMH * 60


# --------------------------------------------------------------------------
# Generation
# --------------------------------------------------------------------------
RENT = {  # rooms -> (low, high) DKK/month incl. utilities; social in the lower part
    1: (3500, 4800), 2: (4500, 6500), 3: (5800, 8000), 4: (7000, 9500),
}
AREA = {1: (30, 45), 2: (50, 70), 3: (70, 90), 4: (90, 115)}

# Permanent stock: (district, kind, [rooms per unit], shared building?, indices accessible)
STOCK = [
    ("D01", "social_housing", [1, 1, 2, 2], True, [0]),
    ("D01", "social_housing", [2, 3, 3], True, []),
    ("D01", "private_rental", [1, 2, 3, 4, 1], False, []),
    ("D02", "social_housing", [2, 3, 4], True, []),       # udsat district: forbidden
    ("D03", "social_housing", [2, 3, 3], True, []),       # forebyggelse: social forbidden
    ("D03", "private_rental", [1, 3], False, []),         # forebyggelse: private allowed
    ("D04", "social_housing", [1, 2, 2, 3], True, [1]),
    ("D04", "private_rental", [2, 4, 1], False, []),
    ("D05", "private_rental", [2, 3, 3], False, []),
    ("D05", "social_housing", [1, 2], True, []),
    ("D06", "social_housing", [2, 3], True, []),
    ("D06", "private_rental", [3, 4], False, []),
    ("D07", "social_housing", [1, 2, 3, 3], True, [2]),
    ("D07", "private_rental", [2], False, []),
    ("D08", "social_housing", [2, 3], False, []),
    ("D08", "private_rental", [1, 3], False, []),
    ("D09", "social_housing", [2, 2, 3], True, []),
    ("D09", "private_rental", [1, 3], False, []),
    ("D10", "social_housing", [1, 2, 3], True, []),
    ("D10", "municipal_building", [1, 2], True, [0, 1]),
    ("D11", "social_housing", [2, 3], False, []),
    ("D11", "municipal_building", [1], False, [0]),
    ("D11", "private_rental", [4], False, []),
    ("D12", "social_housing", [1, 2, 3], True, [0]),
    ("D12", "private_rental", [2], False, []),
    ("D13", "social_housing", [2, 3, 3, 4], True, [1]),
    ("D13", "private_rental", [1, 2], False, []),
    ("D14", "private_rental", [2, 3], False, []),         # beyond the travel limit
    ("D14", "social_housing", [1], False, []),
]

# Temporary sites: (id, district, kind, name, capacity, rent, cost, from, until, accessible)
TEMP = [
    ("T01", "D11", "municipal_building", "Tidligere skole, Vildbjerg", 30, 2500, 1800, None, None, True),
    ("T02", "D10", "municipal_building", "Tidligere plejehjem, Sunds", 20, 2800, 2200, "2026-03-01", None, True),
    ("T03", "D04", "municipal_building", "Tom institution, Herning Vest", 15, 2000, 1500, None, "2026-06-30", False),
    ("T04", "D01", "private_rental", "Lejet udlejningsejendom, Herning Centrum", 10, 3000, 3200, None, None, False),
    ("T05", "D07", "private_rental", "Lejet hus, Lind", 8, 2800, 3000, "2026-05-01", None, False),
    ("T06", "D03", "container", "Pavilloner, Herning Syd", 30, 3000, 4500, None, None, False),
    ("T07", "D08", "container", "Pavilloner, Gjellerup", 20, 3000, 4800, "2026-08-01", None, False),
    ("T08", "D14", "municipal_building", "Tidligere skole, Ørnhøj", 20, 2200, 1500, None, None, True),
]

# Places: (id, kind, name, town, offset east m, offset north m). Positions are
# approximate (near the real towns), not surveyed addresses.
PLACES = [
    ("L01", "language_school", "Sprogcenter Midt Herning (approx. position)", "Herning", -350, 250),
    ("J01", "jobcentre", "Jobcenter Herning (approx. position)", "Herning", 450, -300),
    ("W01", "workplace", "Erhvervsområde Herning Øst (synthetic)", "Herning", 3000, -900),
    ("W02", "workplace", "Erhvervsområde Herning Syd (synthetic)", "Herning", 600, -3000),
    ("W03", "workplace", "Erhvervsområde Sunds (synthetic)", "Sunds", 900, -600),
    ("W04", "workplace", "Erhvervsområde Vildbjerg (synthetic)", "Vildbjerg", -700, 500),
    ("W05", "workplace", "Erhvervsområde Kibæk (synthetic)", "Kibæk", 800, 400),
    ("S01", "school", "Skole, Herning Centrum (synthetic)", "Herning", 200, 700),
    ("S02", "school", "Skole, Lind (synthetic)", "Lind", -300, 200),
    ("S03", "school", "Skole, Sunds (synthetic)", "Sunds", -200, 300),
    ("S04", "school", "Skole, Aulum (synthetic)", "Aulum", 250, -150),
    ("ST01", "station", "Herning St. (approx. position)", "Herning", 30, -300),
    ("ST02", "station", "Sunds St. (approx. position)", "Sunds", 150, -100),
    ("ST03", "station", "Vildbjerg St. (approx. position)", "Vildbjerg", 100, 150),
    ("ST04", "station", "Aulum St. (approx. position)", "Aulum", -100, -50),
    ("ST05", "station", "Kibæk St. (approx. position)", "Kibæk", 150, 200),
]

MARGIN_M = 25.0  # points keep this distance from every district edge


def town_xy(town):
    _gid, _n, lat, lon, _p = TOWNS[town]
    return to_utm(lon, lat)


def rounded_lonlat(x, y):
    lon, lat = to_lonlat(x, y)
    return round(lon, 6), round(lat, 6)


def sample_point(rng, centre, ring, rmax, rmin=0.0):
    for _ in range(100000):
        r = rmin + (rmax - rmin) * math.sqrt(rng.random())
        a = rng.random() * 2 * math.pi
        x, y = centre[0] + r * math.cos(a), centre[1] + r * math.sin(a)
        if not point_in_ring(x, y, ring) or dist_to_ring(x, y, ring) < MARGIN_M:
            continue
        lon, lat = rounded_lonlat(x, y)
        x2, y2 = to_utm(lon, lat)  # check again after rounding the output
        if point_in_ring(x2, y2, ring) and dist_to_ring(x2, y2, ring) >= MARGIN_M:
            return (x2, y2), (lon, lat)
    raise RuntimeError("no point found")


def rand_date(rng, lo: dt.date, hi: dt.date) -> dt.date:
    return lo + dt.timedelta(days=rng.randint(0, (hi - lo).days))


def round_to(v, step):
    return int(round(v / step) * step)


def gen_housing(rng, cells, dist_index, school_xy):
    units = []
    # temporary sites
    for tid, did, kind, name, cap, rent, cost, afrom, auntil, acc in TEMP:
        i = dist_index[did]
        ring = cells[i]
        centre = DIST_CENTRES[i]
        xy, ll = sample_point(rng, centre, ring, 1500)
        # the name stays in this script and data/demo/README.md: the README's housing
        # schema has no `name` field, and the loader warns about unknown properties
        props = {"id": tid, "kind": kind, "tenure": "temporary", "capacity": cap,
                 "rent": rent, "cost": cost}
        if afrom:
            props["available_from"] = afrom
        if auntil:
            props["available_until"] = auntil
        props["accessible"] = acc
        units.append((props, xy, ll, did))
    # permanent dwellings
    n = 0
    bcount = 0
    explicit_district_every = 9
    for did, kind, rooms_list, shared, acc_idx in STOCK:
        i = dist_index[did]
        ring = cells[i]
        centre = DIST_CENTRES[i]
        radius = 2000 if did in ("D12", "D14") else 2500
        if did.startswith("D0") and did in ("D01", "D02", "D03", "D04"):
            radius = 1600
        if shared:
            bcount += 1
            bid = f"B{bcount:02d}"
            xy, ll = sample_point(rng, centre, ring, radius)
        # a social block: low end of the range; private: upper part
        for k, rooms in enumerate(rooms_list):
            n += 1
            uid = f"P{n:03d}"
            if not shared:
                xy, ll = sample_point(rng, centre, ring, radius)
            lo, hi = RENT[rooms]
            if kind == "private_rental":
                rent = rng.uniform(lo + 0.35 * (hi - lo), hi)
            elif kind == "municipal_building":
                rent = rng.uniform(lo, lo + 0.5 * (hi - lo))
            else:
                rent = rng.uniform(lo, lo + 0.7 * (hi - lo))
            alo, ahi = AREA[rooms]
            area = rng.randint(alo, ahi)
            props = {"id": uid, "kind": kind, "tenure": "permanent", "rooms": rooms,
                     "area_m2": area, "rent": round_to(rent, 25)}
            if rng.random() > 0.35:
                props["available_from"] = rand_date(rng, dt.date(2026, 1, 10), dt.date(2026, 11, 30)).isoformat()
            if k in acc_idx:
                props["accessible"] = True
            if shared:
                props["building"] = bid
            if n % explicit_district_every == 0:
                props["district"] = did
            units.append((props, xy, ll, did))
    # one private lease that ends before the horizon (cannot be a permanent home)
    for props, *_ in units:
        if props["id"] == "P025":
            props["available_until"] = "2026-09-30"
    return units


def gen_households(rng):
    singles, couples = 36, 12
    fam_children = [1] * 7 + [2] * 8 + [3] * 6 + [4] * 5 + [5] * 6
    comp = [(1, 0)] * singles + [(2, 0)] * couples
    single_parent = {0, 1, 2, 7, 8, 9, 15, 16, 22, 23, 27}  # indices into fam_children
    for j, c in enumerate(fam_children):
        comp.append((1 if j in single_parent else 2, c))
    rng.shuffle(comp)
    span = (dt.date(2026, 11, 30) - dt.date(2026, 1, 5)).days
    days = sorted(rng.randint(0, span) for _ in comp)
    days[0], days[-1] = 0, span  # the first arrives on 5 January, the last on 30 November
    hh = []
    for k, ((a, c), d) in enumerate(zip(comp, days), start=1):
        hh.append(dict(id=f"H{k:03d}", adults=a, children=c,
                       arrival=dt.date(2026, 1, 5) + dt.timedelta(days=d), income=None,
                       reunion_date=None, reunion_adults=0, reunion_children=0,
                       needs_accessible=False, language_school="", work_place="", locked_unit=""))
    by_type = {"single": [h for h in hh if h["adults"] == 1 and h["children"] == 0],
               "couple": [h for h in hh if h["adults"] >= 2 and h["children"] == 0],
               "sp": [h for h in hh if h["adults"] == 1 and h["children"] > 0],
               "fam2": [h for h in hh if h["adults"] == 2 and h["children"] > 0]}

    def early(lst, before=dt.date(2026, 9, 15)):
        return [h for h in lst if h["arrival"] < before]

    # reunions (familiesammenføring) inside the year
    reun = []
    reun += [(h, 1, rng.randint(1, 3)) for h in rng.sample(early(by_type["single"]), 4)]
    reun += [(h, 0, rng.randint(1, 2)) for h in rng.sample([h for h in early(by_type["single"]) if h not in [r[0] for r in reun]], 1)]
    reun += [(h, 1, 0) for h in rng.sample(early(by_type["sp"]), 3)]
    reun += [(h, 0, 1) for h in rng.sample([h for h in early(by_type["fam2"]) if h["children"] == 4], 1)]
    reun += [(h, 0, 2) for h in rng.sample(early(by_type["couple"]), 1)]
    for h, ra, rc in reun:
        lo = h["arrival"] + dt.timedelta(days=45)
        h["reunion_date"] = rand_date(rng, lo, min(lo + dt.timedelta(days=150), dt.date(2026, 12, 20)))
        h["reunion_adults"], h["reunion_children"] = ra, rc
    # accessibility needs
    rng.choice([h for h in by_type["single"] if not h["reunion_date"]])["needs_accessible"] = True
    rng.choice(by_type["couple"])["needs_accessible"] = True
    rng.choice([h for h in by_type["fam2"] if h["children"] <= 3 and not h["reunion_date"]])["needs_accessible"] = True
    # some have work income (DKK/month, the household's total)
    free = lambda lst: [h for h in lst if not h["reunion_date"] and not h["needs_accessible"]]
    for h, inc in zip(rng.sample(free(by_type["single"]), 3), (14500, 17800, 21500)):
        h["income"] = inc
    rng.choice(free(by_type["couple"]))["income"] = 22000
    rng.choice(free(by_type["fam2"]))["income"] = 19500
    for h in rng.sample(hh, 6):
        h["language_school"] = "L01"
    for h, w in zip(rng.sample([h for h in hh if h["adults"] >= 1], 6), ("W01", "W02", "W03", "W04", "W05", "W01")):
        h["work_place"] = w
    return hh


def persons_end(h):
    return h["adults"] + h["children"] + h["reunion_adults"] + h["reunion_children"]


def hh_type(h):
    if h["children"] > 0:
        return "family"
    return "couple" if h["adults"] >= 2 else "single"


def fits(h, u, movein, forbidden, dist_of, school_xy, xy):
    """All unit-level rules for a permanent dwelling (not caps). Returns None or the failing rule."""
    p = u
    a0, c0 = h["adults"], h["children"]
    a1, c1 = a0 + h["reunion_adults"], c0 + h["reunion_children"]
    reunion_in = h["reunion_date"] is not None and h["reunion_date"] < END
    aend, cend = (a1, c1) if reunion_in else (a0, c0)
    if not size_ok(aend + cend, p["rooms"], p["area_m2"]):
        return "size"
    at_movein = (a1, c1) if (reunion_in and h["reunion_date"] <= movein) else (a0, c0)
    if not affordable(*at_movein, h["income"], p["rent"], p["area_m2"]):
        return "affordability"
    if reunion_in and not affordable(a1, c1, h["income"], p["rent"], p["area_m2"]):
        return "affordability"
    if forbidden:
        return "forbidden_district"
    if p.get("available_until"):
        return "availability"
    if h["needs_accessible"] and not p.get("accessible"):
        return "accessibility"
    if travel_min(xy, school_xy) > RULES["max_travel_min"]:
        return "travel"
    return None


DIST_CENTRES = []


def main():
    rng = random.Random(SEED)
    outline, seeds, cells = build_districts()
    DIST_CENTRES[:] = []
    for d, s in zip(DISTRICTS, seeds):
        DIST_CENTRES.append(s)
    dist_index = {d[0]: i for i, d in enumerate(DISTRICTS)}
    places = []
    for pid, kind, name, town, dx, dy in PLACES:
        tx, ty = town_xy(town)
        lon, lat = rounded_lonlat(tx + dx, ty + dy)
        places.append((pid, kind, name, to_utm(lon, lat), (lon, lat)))
    school_xy = [p[3] for p in places if p[1] == "language_school"][0]

    units = gen_housing(rng, cells, dist_index, school_xy)
    hh = gen_households(rng)

    # forbidden districts per unit
    flags = {d[0]: set(d[7]) for d in DISTRICTS}

    def forbidden(props, did):
        f = flags[did]
        if f & set(RULES["forbidden_flags"]):
            return True
        return props["kind"] == "social_housing" and bool(f & set(RULES["forbidden_flags_social_housing"]))

    # consistency: every unit strictly inside its district, explicit district agrees
    for props, xy, ll, did in units:
        i = dist_index[did]
        assert point_in_ring(*xy, cells[i]), props["id"]
        for j, ring in enumerate(cells):
            if j != i:
                assert not point_in_ring(*xy, ring), (props["id"], j)
        if "district" in props:
            assert props["district"] == did

    # travel: Ørnhøj (D14) is beyond the limit, everything else well inside it
    for props, xy, ll, did in units:
        t = travel_min(xy, school_xy)
        if did == "D14":
            assert t > RULES["max_travel_min"] + 2, (props["id"], t)
        else:
            assert t < RULES["max_travel_min"] - 2, (props["id"], t)

    perm = [u for u in units if u[0]["tenure"] == "permanent"]
    temp = [u for u in units if u[0]["tenure"] == "temporary"]

    # the officer's pin: an early two-adult family without reunion, pinned to a
    # dwelling that satisfies every rule for it (checked here)
    def avail(props):
        return dt.date.fromisoformat(props.get("available_from", START.isoformat()))

    cand_h = [h for h in hh if h["adults"] == 2 and h["children"] == 2 and not h["reunion_date"]
              and not h["needs_accessible"] and h["income"] is None]
    cand_h.sort(key=lambda h: h["arrival"])
    pin_h = cand_h[0]
    pin_u = None
    for props, xy, ll, did in perm:
        if did != "D07" or props["rooms"] != 3 or props.get("accessible"):
            continue
        if avail(props) <= pin_h["arrival"] + dt.timedelta(days=60) and \
                fits(pin_h, props, max(avail(props), pin_h["arrival"]), forbidden(props, did), None, school_xy, xy) is None:
            pin_u = props
            break
    assert pin_u is not None, "no dwelling for the pin"
    pin_h["locked_unit"] = pin_u["id"]

    write_outputs(outline, cells, units, places, hh)
    # the network last, without the random generator: the files above do not depend on it
    net_feats, net_links = build_network()
    write_network(net_feats)
    report(units, perm, temp, hh, places, school_xy, forbidden, dist_index, pin_h)
    check_network(net_links, units, school_xy)


# --------------------------------------------------------------------------
# Network (synthetic): bus lines between the real towns, Herning as the hub
# --------------------------------------------------------------------------
# Drawn after everything else and without the random generator, so the other
# demo files do not depend on it. Stops: (town, offset east m, offset north m);
# every stop is a link endpoint (a network node), the positions between two
# stops only bend the line (its length, hence its minutes at `speed_kmh`).
# Lines, headways and speeds are invented; they are NOT Midttrafik's routes.
STOPS = {
    "Herning Trafikcenter": ("Herning", 30, -260),
    "Herning Torv": ("Herning", 0, 0),
    "Sprogcenter": ("Herning", -330, 230),
    "Herning Syd": ("Herning", 900, -1500),
    "Herning Vest": ("Herning", -2000, -250),
    "Herning Nord": ("Herning", 300, 2000),
    "Lind Syd": ("Lind", 0, -900),
    "Lind": ("Lind", 0, 0),
    "Lind Nord": ("Lind", 100, 900),
    "Tjørring Vest": ("Tjørring", -900, 700),
    "Tjørring": ("Tjørring", 0, 0),
    "Tjørring Øst": ("Tjørring", 900, -900),
    "Snejbjerg Vest": ("Snejbjerg", -900, 100),
    "Snejbjerg": ("Snejbjerg", 0, 0),
    "Hammerum Øst": ("Hammerum", 900, -100),
    "Hammerum": ("Hammerum", 0, 0),
    "Gjellerup": ("Gjellerup", 0, 0),
    "Gjellerup Vest": ("Gjellerup", -900, -300),
    "Sunds Nord": ("Sunds", 0, 900),
    "Sunds": ("Sunds", 0, 0),
    "Sunds Syd": ("Sunds", -300, -1000),
    "Aulum Nordvest": ("Aulum", -800, 1200),
    "Aulum": ("Aulum", 0, 0),
    "Aulum Syd": ("Aulum", 100, -1000),
    "Vildbjerg Nord": ("Vildbjerg", 300, 900),
    "Vildbjerg": ("Vildbjerg", 0, 0),
    "Vildbjerg Syd": ("Vildbjerg", 0, -1500),
    "Vildbjerg Øst": ("Vildbjerg", 1000, -300),
    "Kibæk Vest": ("Kibæk", -900, 0),
    "Kibæk": ("Kibæk", 0, 0),
    "Kibæk Nord": ("Kibæk", 800, 900),
    "Ørnhøj Vest": ("Ørnhøj", -800, 0),
    "Ørnhøj": ("Ørnhøj", 0, 0),
    "Ørnhøj Øst": ("Ørnhøj", 900, -200),
}

# (line, name, headway_min, speed_kmh, stops from the outer end to Herning).
# Each pair of consecutive stops is one LineString feature, bent a little
# (BEND of its length, to the left) so that its length exceeds the straight line.
BUS_LINES = [
    ("1", "Lind - Herning - Sprogcenter", 20, 35,
     ["Lind Syd", "Lind", "Lind Nord", "Herning Syd", "Herning Trafikcenter", "Sprogcenter"]),
    ("2", "Tjørring - Herning", 20, 35,
     ["Tjørring Vest", "Tjørring", "Tjørring Øst", "Herning Trafikcenter"]),
    ("3", "Snejbjerg - Herning", 30, 35,
     ["Snejbjerg Vest", "Snejbjerg", "Herning Vest", "Herning Trafikcenter"]),
    ("4", "Hammerum - Gjellerup - Herning", 30, 40,
     ["Hammerum Øst", "Hammerum", "Gjellerup", "Gjellerup Vest", "Herning Trafikcenter"]),
    ("5", "Sunds - Herning", 30, 40,
     ["Sunds Nord", "Sunds", "Sunds Syd", "Herning Nord", "Herning Trafikcenter"]),
    ("6", "Vildbjerg - Herning", 30, 45,
     ["Vildbjerg Nord", "Vildbjerg", "Vildbjerg Syd", "Vildbjerg Øst", "Tjørring",
      "Herning Trafikcenter"]),
    ("7", "Kibæk - Herning", 40, 45,
     ["Kibæk Vest", "Kibæk", "Kibæk Nord", "Herning Vest", "Herning Trafikcenter"]),
    ("8", "Ørnhøj - Vildbjerg - Herning", 60, 45,
     ["Ørnhøj Vest", "Ørnhøj", "Ørnhøj Øst", "Vildbjerg", "Vildbjerg Øst", "Tjørring",
      "Herning Trafikcenter"]),
    ("9", "Aulum - Herning", 30, 45,
     ["Aulum Nordvest", "Aulum", "Aulum Syd", "Tjørring Vest", "Tjørring", "Herning Trafikcenter"]),
]
BEND = 0.06
# Line 5 is drawn ending 2 m east of the Trafikcenter stop, as hand-digitised
# lines do; the planner merges endpoints within `network.snap_m` (5 m).
SNAP_OFFSET = {("5", "Herning Trafikcenter"): (2.0, 0.0)}
# One stretch of line 7 is timetabled: `minutes` instead of `speed_kmh`.
TIMED = {("7", "Kibæk Nord", "Herning Vest"): 14}
# Short links in Herning's centre: (name, mode, from, to, speed_kmh, oneway).
CITY_LINKS = [
    ("Trafikcenter - Torv (footpath)", "walk", "Herning Trafikcenter", "Herning Torv", 4.5, False),
    ("Torv - Sprogcenter (gågade)", "walk", "Herning Torv", "Sprogcenter", 4.5, False),
    ("Trafikcenter - Sprogcenter (one-way street, bicycle)", "bike", "Herning Trafikcenter",
     "Sprogcenter", 15, True),
]
NET_WALK_KMH = 4.5
NET_SNAP_M = 5.0


def stop_lonlat(name, nudge=(0.0, 0.0)):
    town, dx, dy = STOPS[name]
    tx, ty = town_xy(town)
    return rounded_lonlat(tx + dx + nudge[0], ty + dy + nudge[1])


def bent(a, b):
    """Positions from a to b (lon/lat), with one bend point to the left."""
    (ax, ay), (bx, by) = to_utm(*a), to_utm(*b)
    mx, my = (ax + bx) / 2, (ay + by) / 2
    mx -= BEND * (by - ay)
    my += BEND * (bx - ax)
    return [list(a), list(rounded_lonlat(mx, my)), list(b)]


def build_network():
    """The network's features (WGS84) and its links for the tuning report:
    (from lon/lat, to lon/lat, minutes, oneway, service or None, wait)."""
    feats, links = [], []
    for line, name, headway, speed, stops in BUS_LINES:
        for s, t in zip(stops, stops[1:]):
            a = stop_lonlat(s, SNAP_OFFSET.get((line, s), (0.0, 0.0)))
            b = stop_lonlat(t, SNAP_OFFSET.get((line, t), (0.0, 0.0)))
            coords = bent(a, b)
            props = {"id": f"L{line}-{len(feats) + 1:03d}", "name": f"{name}: {s} - {t}",
                     "mode": "bus", "line": line, "headway_min": headway}
            pts = [to_utm(*c) for c in coords]
            length = sum(math.hypot(q[0] - p[0], q[1] - p[1]) for p, q in zip(pts, pts[1:]))
            if (line, s, t) in TIMED:
                props["minutes"] = TIMED[(line, s, t)]
                minutes = TIMED[(line, s, t)]
            else:
                props["speed_kmh"] = speed
                minutes = length / (speed * 1000 / 60)
            feats.append({"type": "Feature", "properties": props,
                          "geometry": {"type": "LineString", "coordinates": coords}})
            links.append((a, b, minutes, False, f"line:{line}", headway / 2))
    for name, mode, s, t, speed, oneway in CITY_LINKS:
        a, b = stop_lonlat(s), stop_lonlat(t)
        props = {"id": f"C{len(feats) + 1:03d}", "name": name, "mode": mode, "speed_kmh": speed}
        if oneway:
            props["oneway"] = True
        feats.append({"type": "Feature", "properties": props,
                      "geometry": {"type": "LineString", "coordinates": [list(a), list(b)]}})
        pa, pb = to_utm(*a), to_utm(*b)
        links.append((a, b, math.hypot(pb[0] - pa[0], pb[1] - pa[1]) / (speed * 1000 / 60),
                      oneway, None, 0.0))
    return feats, links


def network_minutes(links, origins, dest):
    """Travel minutes from each origin (EPSG:25832) to dest, by the README's
    convention (rule 8), with a plain Dijkstra: for the tuning report only."""
    import heapq
    nodes = []  # street node positions

    def node(p):
        for i, q in enumerate(nodes):
            if math.hypot(p[0] - q[0], p[1] - q[1]) <= NET_SNAP_M:
                return i
        nodes.append(p)
        return len(nodes) - 1

    adj = {}  # reversed graph: to -> [(from, minutes)]
    for a, b, minutes, oneway, service, wait in links:
        i, j = node(to_utm(*a)), node(to_utm(*b))
        if service is None:
            arcs = [(i, j)] + ([] if oneway else [(j, i)])
            for u, v in arcs:
                adj.setdefault(v, []).append((u, minutes))
        else:
            pi, pj = (i, service), (j, service)
            for s, p in ((i, pi), (j, pj)):
                adj.setdefault(p, []).append((s, wait))  # board
                adj.setdefault(s, []).append((p, 0.0))  # alight
            adj.setdefault(pj, []).append((pi, minutes))
            if not oneway:
                adj.setdefault(pi, []).append((pj, minutes))
    walk = NET_WALK_KMH * 1000 / 60

    def nearest(p):
        return min(range(len(nodes)), key=lambda i: math.hypot(p[0] - nodes[i][0], p[1] - nodes[i][1]))

    exit_ = nearest(dest)
    dist = {exit_: math.hypot(dest[0] - nodes[exit_][0], dest[1] - nodes[exit_][1]) / walk}
    heap = [(dist[exit_], 0, exit_)]
    k = 0
    while heap:
        d, _, v = heapq.heappop(heap)
        if d > dist.get(v, math.inf):
            continue
        for u, w in adj.get(v, []):
            if d + w < dist.get(u, math.inf):
                dist[u] = d + w
                k += 1
                heapq.heappush(heap, (d + w, k, u))
    out = []
    for p in origins:
        i = nearest(p)
        ride = math.hypot(p[0] - nodes[i][0], p[1] - nodes[i][1]) / walk + dist.get(i, math.inf)
        out.append(min(ride, math.hypot(p[0] - dest[0], p[1] - dest[1]) / walk))
    return out


def write_network(feats):
    pretty_features(os.path.join(OUT_DIR, "network.geojson"),
                    {"type": "FeatureCollection", "name": "network", "features": feats})


def check_network(links, units, school_xy):
    """Travel over the network: Ørnhøj (D14) stays beyond the limit, every
    other unit within it (as with the straight-line estimate)."""
    times = network_minutes(links, [xy for _p, xy, _ll, _d in units], school_xy)
    print("\ntravel to the language school over the network (min; straight-line in brackets):")
    by_district = {}
    for (props, xy, _ll, did), t in zip(units, times):
        by_district.setdefault(did, []).append((t, travel_min(xy, school_xy)))
        if did == "D14":
            assert t > RULES["max_travel_min"] + 2, (props["id"], t)
        else:
            assert t < RULES["max_travel_min"] - 2, (props["id"], t)
    for did in sorted(by_district):
        ts = sorted(by_district[did])
        print(f"  {did}: {len(ts):2d} units, {ts[0][0]:5.1f} .. {ts[-1][0]:5.1f} "
              f"({min(s for _, s in ts):4.1f} .. {max(s for _, s in ts):4.1f})")


# --------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------
def dump_geojson(path, fc):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        json.dump(fc, f, ensure_ascii=False, indent=None, separators=(",", ":"))
        f.write("\n")
    os.replace(tmp, path)


def pretty_features(path, fc):
    """One feature per line: diff-friendly and still valid JSON."""
    head = {k: v for k, v in fc.items() if k != "features"}
    lines = []
    for feat in fc["features"]:
        lines.append(json.dumps(feat, ensure_ascii=False, separators=(",", ":")))
    head_s = json.dumps(head, ensure_ascii=False, separators=(",", ":"))[:-1]
    text = head_s + ',"features":[\n' + ",\n".join(lines) + "\n]}\n"
    json.loads(text)
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    os.replace(tmp, path)


def write_outputs(outline, cells, units, places, hh):
    os.makedirs(OUT_DIR, exist_ok=True)
    os.makedirs(os.path.dirname(SCENARIO), exist_ok=True)
    feats = []
    for d, ring in zip(DISTRICTS, cells):
        coords = [[x, y] for x, y in ring] + [[ring[0][0], ring[0][1]]]
        feats.append({"type": "Feature",
                      "properties": {"id": d[0], "name": d[1], "population": d[5], "newcomers": d[6],
                                     "flags": d[7]},
                      "geometry": {"type": "Polygon", "coordinates": [coords]}})
    pretty_features(os.path.join(OUT_DIR, "districts.geojson"), {
        "type": "FeatureCollection", "name": "districts",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::25832"}},
        "features": feats})
    feats = [{"type": "Feature", "properties": {"id": pid, "kind": kind, "name": name},
              "geometry": {"type": "Point", "coordinates": [ll[0], ll[1]]}}
             for pid, kind, name, _xy, ll in places]
    pretty_features(os.path.join(OUT_DIR, "places.geojson"),
                    {"type": "FeatureCollection", "name": "places", "features": feats})
    feats = [{"type": "Feature", "properties": props,
              "geometry": {"type": "Point", "coordinates": [ll[0], ll[1]]}}
             for props, _xy, ll, _d in units]
    pretty_features(os.path.join(OUT_DIR, "housing.geojson"),
                    {"type": "FeatureCollection", "name": "housing", "features": feats})
    cols = ["id", "adults", "children", "arrival", "income", "reunion_date", "reunion_adults",
            "reunion_children", "needs_accessible", "language_school", "work_place", "locked_unit"]
    path = os.path.join(OUT_DIR, "households.csv")
    with open(path + ".tmp", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(cols)
        for h in hh:
            w.writerow([h["id"], h["adults"], h["children"], h["arrival"].isoformat(),
                        "" if h["income"] is None else h["income"],
                        h["reunion_date"].isoformat() if h["reunion_date"] else "",
                        h["reunion_adults"] if h["reunion_date"] else "",
                        h["reunion_children"] if h["reunion_date"] else "",
                        "true" if h["needs_accessible"] else "false",
                        h["language_school"], h["work_place"], h["locked_unit"]])
    os.replace(path + ".tmp", path)
    write_scenario()


def write_scenario():
    r = RULES
    md = r["min_disposable"]
    q = lambda xs: "[" + ", ".join(f'"{x}"' for x in xs) + "]"
    text = f'''# Demo scenario: synthetic housing stock and households on the real towns of
# Herning Kommune. Generated by tools/make_demo.py -- edit the script, not this file.
# See data/demo/README.md for what is real and what is synthetic.
name = "Herning demo (synthetic stock on real towns)"
start = "{START.isoformat()}"
horizon_days = {HORIZON_DAYS}
crs = "EPSG:25832"
seed = {SEED}

[inputs]
households = "../data/demo/households.csv"
housing    = "../data/demo/housing.geojson"
districts  = "../data/demo/districts.geojson"
places     = "../data/demo/places.geojson"
network    = "../data/demo/network.geojson"

# The defaults, spelled out.
[rules]
max_persons_per_room = {r["max_persons_per_room"]}
min_m2_per_person = {r["min_m2_per_person"]}
min_disposable = {{ single = {md["single"]}, couple = {md["couple"]}, per_child = {md["per_child"]} }}
forbidden_flags = {q(r["forbidden_flags"])}
forbidden_flags_social_housing = {q(r["forbidden_flags_social_housing"])}
max_district_share = {r["max_district_share"]}
max_households_per_building = {r["max_households_per_building"]}
max_travel_min = {r["max_travel_min"]}
'''
    with open(SCENARIO + ".tmp", "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    os.replace(SCENARIO + ".tmp", SCENARIO)


# --------------------------------------------------------------------------
# Tuning report: affordability table and a rough greedy plan
# --------------------------------------------------------------------------
def report(units, perm, temp, hh, places, school_xy, forbidden, dist_index, pin_h):
    out = sys.stdout
    usable = [(p, xy, ll, d) for p, xy, ll, d in perm
              if not forbidden(p, d) and travel_min(xy, school_xy) <= RULES["max_travel_min"]
              and not p.get("available_until")]
    print(f"permanent dwellings: {len(perm)}, usable (not forbidden, in travel range, open-ended): {len(usable)}", file=out)
    print(f"temporary sites: {len(temp)}, capacity {sum(p['capacity'] for p, *_ in temp)} persons, "
          f"in travel range {sum(p['capacity'] for p, xy, *_ in temp if travel_min(xy, school_xy) <= 60 and not forbidden(p, _[-1]))}",
          file=out)
    print("\nkinds / rooms (permanent):", file=out)
    for kind in ("social_housing", "private_rental", "municipal_building"):
        row = [sum(1 for p, *_ in perm if p["kind"] == kind and p["rooms"] == r) for r in (1, 2, 3, 4)]
        print(f"  {kind:20s} rooms1..4 = {row}", file=out)
    print("\nusable dwellings each household type fits (size) and can afford on benefits:", file=out)
    types = [(1, 0), (2, 0), (1, 1), (1, 2), (1, 3), (2, 1), (2, 2), (2, 3), (2, 4), (2, 5), (1, 5)]
    for a, c in types:
        n_size = sum(1 for p, *_ in usable if size_ok(a + c, p["rooms"], p["area_m2"]))
        n_aff = sum(1 for p, *_ in usable if size_ok(a + c, p["rooms"], p["area_m2"])
                    and affordable(a, c, None, p["rent"], p["area_m2"]))
        nh = sum(1 for h in hh if (h["adults"], h["children"]) == (a, c))
        print(f"  adults={a} children={c}: households {nh:2d}, fit {n_size:2d}, fit+afford {n_aff:2d}", file=out)
    print(f"  single max affordable rent on benefits: "
          f"{max(r for r in range(3000, 8000, 25) if affordable(1, 0, None, r, 40))}", file=out)

    # rough greedy: families, couples, singles by arrival; earliest move-in
    order = sorted(hh, key=lambda h: (not h["locked_unit"], {"family": 0, "couple": 1, "single": 2}[hh_type(h)], h["arrival"]))
    taken, bcount, pdist = set(), {}, {d[0]: 0 for d in DISTRICTS}
    dinfo = {d[0]: d for d in DISTRICTS}
    perm_from = {}
    reasons = {}
    for h in order:
        best = None
        why = set()
        for p, xy, ll, did in perm:
            if p["id"] in taken:
                continue
            if h["locked_unit"] and p["id"] != h["locked_unit"]:
                continue
            movein = max(h["arrival"], dt.date.fromisoformat(p.get("available_from", "2026-01-01")))
            f = fits(h, p, movein, forbidden(p, did), None, school_xy, xy)
            if f:
                why.add(f)
                continue
            b = p.get("building", p["id"])
            if bcount.get(b, 0) >= RULES["max_households_per_building"]:
                why.add("building_cap")
                continue
            d = dinfo[did]
            P = pdist[did] + persons_end(h)
            if (d[6] + P) / (d[5] + P) > RULES["max_district_share"]:
                why.add("district_cap")
                continue
            key = (movein, p["rooms"], p["rent"])
            if best is None or key < best[0]:
                best = (key, p, did)
        if best:
            (movein, *_), p, did = best
            taken.add(p["id"])
            b = p.get("building", p["id"])
            bcount[b] = bcount.get(b, 0) + 1
            pdist[did] += persons_end(h)
            perm_from[h["id"]] = movein
        else:
            reasons[h["id"]] = sorted(why)
    print(f"\ngreedy sketch: {len(perm_from)} of {len(hh)} households get a permanent home", file=out)
    for t in ("family", "couple", "single"):
        n = sum(1 for h in hh if hh_type(h) == t)
        k = sum(1 for h in hh if hh_type(h) == t and h["id"] in perm_from)
        print(f"  {t:7s}: {k}/{n}", file=out)
    print("  districts (P placed, share after):", file=out)
    for d in DISTRICTS:
        P = pdist[d[0]]
        print(f"    {d[0]} {d[1]:16s} pop {d[5]:6d} newc {d[6]:4d} ({100*d[6]/d[5]:.2f} %) P={P:3d} -> "
              f"{100*(d[6]+P)/(d[5]+P):.2f} %  travel {travel_min(DIST_CENTRES[dist_index[d[0]]], school_xy):5.1f} min",
              file=out)
    # persons waiting (in temporary places) per day
    peak, peak_day = 0, None
    for k in range(HORIZON_DAYS):
        day = START + dt.timedelta(days=k)
        n = 0
        for h in hh:
            if h["arrival"] <= day < perm_from.get(h["id"], END):
                n += h["adults"] + h["children"]
                if h["reunion_date"] and h["reunion_date"] <= day:
                    n += h["reunion_adults"] + h["reunion_children"]
        if n > peak:
            peak, peak_day = n, day
    cap_open = sum(p["capacity"] for p, xy, ll, d in temp
                   if travel_min(xy, school_xy) <= 60 and not forbidden(p, d) and not p.get("available_until"))
    print(f"  peak persons waiting in temporary places: {peak} on {peak_day} "
          f"(open-ended temp capacity in range: {cap_open})", file=out)
    print("  temporary sites:", file=out)
    for p, xy, ll, did in temp:
        print(f"    {p['id']} {did} {p['kind']:18s} cap {p['capacity']:2d} from {p.get('available_from', '-'):10s} "
              f"until {p.get('available_until', '-'):10s} acc {p['accessible']!s:5s} "
              f"travel {travel_min(xy, school_xy):4.1f} min", file=out)
    print("  accessible dwellings:", [(p["id"], d, p["rooms"], p["rent"], p.get("available_from", "-"))
                                      for p, xy, ll, d in perm if p.get("accessible")], file=out)
    print("  4-room dwellings:", [(p["id"], d, p["rent"], p.get("available_from", "-"))
                                      for p, xy, ll, d in perm if p["rooms"] == 4], file=out)
    print(f"  pin: {pin_h['id']} -> {pin_h['locked_unit']}", file=out)
    print("  large households (>= 7 persons at end):",
          [(h["id"], persons_end(h), h["id"] in perm_from) for h in hh if persons_end(h) >= 7], file=out)
    print("  no permanent home:", file=out)
    for h in hh:
        if h["id"] in reasons:
            print(f"    {h['id']} {h['adults']}+{h['children']} (+{h['reunion_adults']}+{h['reunion_children']}) "
                  f"arr {h['arrival']} inc {h['income']} acc {h['needs_accessible']}: {reasons[h['id']]}", file=out)


if __name__ == "__main__":
    main()
