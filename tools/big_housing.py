#!/usr/bin/env python3
"""Grow a generated scenario's housing.csv to a given size, for the loading
benchmark (BENCHMARKS.md, "Loading").

    boligplan generate --size xl --seed 1 --out /tmp/big
    python3 tools/big_housing.py /tmp/big --mb 50
    python3 tools/big_housing.py /tmp/big --mb 50 --geojson


Repeats the rows of housing.csv with new ids (`P000001~2` for the second copy,
and so on; `building` likewise) until the file holds at least `--mb`
megabytes (10^6 bytes), stopping there, and writes it in place. The copies stand where the
originals stand, so the scenario stays valid. With `--geojson` the rows go
to housing.geojson instead (Point features in EPSG:25832, the same
properties) and the scenario is pointed at it. The big file is not committed.
"""

import argparse
import csv
import io
import json
import os


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", help="a folder written by `boligplan generate`")
    parser.add_argument("--mb", type=float, default=50.0, help="target size in MB")
    parser.add_argument("--geojson", action="store_true", help="write housing.geojson")
    args = parser.parse_args()
    path = os.path.join(args.dir, "housing.csv")
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = list(reader)
    id_col = header.index("id")
    building_col = header.index("building")
    target = int(args.mb * 1_000_000)
    out_path = os.path.join(args.dir, "housing.geojson") if args.geojson else path
    tmp = out_path + ".tmp"
    written = 0
    count = 0
    with open(tmp, "w", newline="", encoding="utf-8") as out:
        if args.geojson:
            out.write(
                '{"type": "FeatureCollection", "crs": {"type": "name", "properties": '
                '{"name": "urn:ogc:def:crs:EPSG::25832"}}, "features": [\n'
            )
        else:
            csv.writer(out, lineterminator="\n").writerow(header)
        copy = 1
        while written < target:
            for row in rows:
                if written >= target:
                    break
                if copy > 1:
                    row = list(row)
                    row[id_col] = f"{row[id_col]}~{copy}"
                    if row[building_col]:
                        row[building_col] = f"{row[building_col]}~{copy}"
                if args.geojson:
                    line = feature(header, row, first=count == 0)
                else:
                    buf = io.StringIO()
                    csv.writer(buf, lineterminator="\n").writerow(row)
                    line = buf.getvalue()
                out.write(line)
                written += len(line.encode("utf-8"))
                count += 1
            copy += 1
        if args.geojson:
            out.write("\n]}\n")
    os.replace(tmp, out_path)
    if args.geojson:
        scenario = os.path.join(args.dir, "scenario.toml")
        with open(scenario, encoding="utf-8") as f:
            text = f.read()
        with open(scenario, "w", encoding="utf-8") as f:
            f.write(text.replace('"housing.csv"', '"housing.geojson"'))
    print(f"{out_path}: {os.path.getsize(out_path)} bytes, {count} rows")


def feature(header: list, row: list, first: bool) -> str:
    """One GeoJSON Point feature of a housing row (x, y as its position)."""
    props = {}
    for name, value in zip(header, row):
        if name in ("x", "y") or value == "":
            continue
        props[name] = float(value) if name in ("area_m2",) else (
            int(value) if name in ("rooms", "rent", "capacity", "cost") else value
        )
    x = float(row[header.index("x")])
    y = float(row[header.index("y")])
    geometry = {"type": "Point", "coordinates": [x, y]}
    text = json.dumps({"type": "Feature", "properties": props, "geometry": geometry})
    return ("" if first else ",\n") + text


if __name__ == "__main__":
    main()
