#!/usr/bin/env python3
"""Reference values of the spread figures from PySAL, pinned in tests/it/spread.rs.

Computes, for two fixed inputs,

  (a) tests/data/metrics/grid.geojson: a 4 x 4 grid of 1 km squares
      (EPSG:25832) with hand-made newcomer counts (written by this script), and
  (b) data/demo/districts.geojson with the fixed persons placed in DEMO_PLACED
      added to each district's newcomers and population,

the global indices of PySAL's `segregation` (Dissim, Isolation, Interaction,
Entropy), location quotients, queen contiguity and a distance band of
`libpysal`, and the local statistics of `esda` (G_Local with star=True and
binary weights, Moran_Local with row-standardised weights) of the newcomer
share xi/ti, and writes them to tests/data/metrics/reference.json.

Permutation p-values depend on the RNG, so only the analytical values are
pinned exactly (Gi*, its z-score and normal p-value, local Moran's I, its
z-score under total randomisation, the quadrant); esda's p_sim is recorded
for information.

Usage (from the repository root):

    python3 -m venv /tmp/pysal && /tmp/pysal/bin/pip install \
        segregation==2.5.4 esda==2.9.0 libpysal==4.14.1 geopandas==1.2.0
    /tmp/pysal/bin/python tools/reference_metrics.py
"""

import json
import warnings
from importlib.metadata import version
from pathlib import Path

import geopandas as gpd
import numpy as np
from esda.getisord import G_Local
from esda.moran import Moran_Local
from libpysal.weights import DistanceBand, Queen
from segregation.singlegroup import Dissim, Entropy, Interaction, Isolation
from shapely.geometry import box

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "data" / "metrics"
SEED = 20260101
PERMUTATIONS = 999

# (a) grid: row-major from the south-west corner; a cluster in the north-east.
GRID_POPULATION = [
    1000, 1200, 900, 1100,
    800, 1000, 1300, 950,
    1050, 900, 1000, 1200,
    1000, 1100, 850, 1000,
]
GRID_NEWCOMERS = [
    10, 15, 8, 20,
    12, 9, 40, 35,
    7, 14, 60, 90,
    11, 20, 55, 110,
]
# (b) demo: persons placed per district D01..D14 (a fixed, made-up plan).
DEMO_PLACED = [31, 0, 0, 12, 9, 20, 15, 8, 25, 10, 6, 14, 30, 4]
DEMO_BAND_M = 8000.0


def write_grid():
    feats = []
    for k, (t, x) in enumerate(zip(GRID_POPULATION, GRID_NEWCOMERS)):
        r, c = divmod(k, 4)
        x0, y0 = 500000.0 + c * 1000.0, 6200000.0 + r * 1000.0
        ring = [[x0, y0], [x0 + 1000, y0], [x0 + 1000, y0 + 1000], [x0, y0 + 1000], [x0, y0]]
        feats.append(
            {
                "type": "Feature",
                "properties": {"id": f"G{k + 1:02d}", "name": f"Grid {r},{c}", "population": t,
                               "newcomers": x, "flags": []},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    head = ('{"type":"FeatureCollection","name":"grid",'
            '"crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::25832"}},"features":[\n')
    body = ",\n".join(json.dumps(f, separators=(",", ":")) for f in feats)
    path = OUT / "grid.geojson"
    path.write_text(head + body + "\n]}\n")
    return path


def neighbour_lists(w, n):
    return [sorted(int(j) for j in w.neighbors[i]) for i in range(n)]


def figures(gdf, x, t, band=None):
    n = len(x)
    df = gpd.GeoDataFrame({"x": x, "t": t, "y": t - x}, geometry=gdf.geometry.values, crs=gdf.crs)
    share = x / t
    P = x.sum() / t.sum()
    out = {
        "ids": list(gdf["id"]),
        "newcomers": [float(v) for v in x],
        "population": [float(v) for v in t],
        "indices": {
            "dissimilarity": float(Dissim(df, "x", "t").statistic),
            "isolation": float(Isolation(df, "x", "t").statistic),
            "exposure": float(Interaction(df, "x", "t").statistic),
            "theil": float(Entropy(df, "x", "t").statistic),
        },
        "location_quotients": [float(v) for v in share / P],
    }
    wq = Queen.from_dataframe(df, use_index=False)
    out["queen"] = neighbour_lists(wq, n)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g = G_Local(share, wq, transform="B", star=True, permutations=PERMUTATIONS, seed=SEED)
    out["gi_star"] = {
        "G": [float(v) for v in g.Gs],
        "z": [float(v) for v in g.Zs],
        "p_norm": [float(v) for v in g.p_norm],
        "p_sim": [float(v) for v in g.p_sim],
        "significant_z_1_96": [i for i in range(n) if abs(g.Zs[i]) > 1.96],
    }
    wq_r = Queen.from_dataframe(df, use_index=False)
    m = Moran_Local(share, wq_r, transformation="r", permutations=PERMUTATIONS, seed=SEED)
    # Anselin's (1995) moments (esda's EI, VI) are for I = z_i/m2 * lag; esda's Is
    # carries (n - 1)/n of that, so rescale before standardising.
    z = (m.Is * n / (n - 1) - m.EI) / np.sqrt(m.VI)
    out["moran"] = {
        "I": [float(v) for v in m.Is],
        "z": [float(v) for v in z],
        "quadrant": [{1: "HH", 2: "LH", 3: "LL", 4: "HL"}[int(q)] for q in m.q],
        "p_sim": [float(v) for v in m.p_sim],
    }
    if band is not None:
        cents = np.array([[p.x, p.y] for p in df.geometry.centroid])
        wd = DistanceBand(cents, threshold=band, binary=True, silence_warnings=True)
        out["distance_band"] = {"metres": band, "neighbours": neighbour_lists(wd, n)}
    return out


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    grid = gpd.read_file(write_grid())
    demo = gpd.read_file(ROOT / "data" / "demo" / "districts.geojson")
    assert demo.crs.to_epsg() == 25832, demo.crs
    gx = grid["newcomers"].to_numpy(float)
    gt = grid["population"].to_numpy(float)
    placed = np.array(DEMO_PLACED, float)
    dx = demo["newcomers"].to_numpy(float) + placed
    dt = demo["population"].to_numpy(float) + placed
    ref = {
        "generated_by": "tools/reference_metrics.py",
        "packages": {p: version(p) for p in ("segregation", "esda", "libpysal", "geopandas", "numpy")},
        "value": "newcomer share x_i / t_i",
        "permutations": PERMUTATIONS,
        "seed": SEED,
        "grid": figures(grid, gx, gt, band=1000.0),
        "demo": {"placed": DEMO_PLACED, **figures(demo, dx, dt, band=DEMO_BAND_M)},
    }
    (OUT / "reference.json").write_text(json.dumps(ref, indent=1) + "\n")
    print(f"wrote {OUT / 'reference.json'}")


if __name__ == "__main__":
    main()
