#!/usr/bin/env python3
"""Benchmark boligplan on generated scenarios (sizes s, m, l, xl).

For each size and seed: `boligplan generate`, then `boligplan plan` with the
default strategy (optimise) and with `--strategy fcfs`, each under
`/usr/bin/time -v` (wall time, peak memory). Optionally HiGHS (the `highspy`
package) solves the exported model of the same scenario, for comparison.
Prints a Markdown table of medians over the seeds and writes the raw rows to
target/bench/results.json.

    python3 bench/bench.py --sizes s m --seeds 1 2 3 --highs --highs-time 600
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
BIN = os.path.join(TARGET, "release", "boligplan")
WORK = os.path.join(TARGET, "bench")


def timed(cmd, extra=None):
    """Runs cmd under /usr/bin/time -v; returns (wall seconds, peak RSS MiB).

    With a dict `extra`, also records the engine's work counters
    (BOLIGPLAN_STATS) and the user CPU seconds into it."""
    env = dict(os.environ, BOLIGPLAN_STATS="1")
    res = subprocess.run(["/usr/bin/time", "-v"] + cmd, capture_output=True, text=True, env=env)
    if res.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{res.stderr}")
    wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", res.stderr)
    hours = float(wall.group(1) or 0)
    seconds = hours * 3600 + float(wall.group(2)) * 60 + float(wall.group(3))
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", res.stderr).group(1))
    if extra is not None:
        extra["user_seconds"] = float(re.search(r"User time \(seconds\): ([\d.]+)", res.stderr).group(1))
        w = re.search(r"engine work: (.*)", res.stderr)
        if w:
            extra["engine_work"] = w.group(1)
    return seconds, rss_kb / 1024.0


def figures(out):
    with open(os.path.join(out, "summary.json")) as f:
        s = json.load(f)
    return {
        "objective": s["objective"],
        "bound": s["bound"],
        "gap": s["gap"],
        "persons_permanent": s["by_status"]["permanent"]["persons"],
        "temporary_person_days": s["temporary_person_days"],
        "max_share": s["spread"]["after"]["max_share"],
        "dissimilarity": s["spread"]["after"]["dissimilarity"],
        "solve_seconds": s["solve_seconds"],
    }


def highs(mps, limit):
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(limit))
    h.setOptionValue("threads", 1)
    h.readModel(mps)
    start = time.time()
    h.run()
    info = h.getInfo()
    return {
        "status": h.modelStatusToString(h.getModelStatus()),
        "objective": info.objective_function_value,
        "bound": info.mip_dual_bound,
        "seconds": time.time() - start,
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", nargs="+", default=["s", "m", "l", "xl"])
    ap.add_argument("--seeds", nargs="+", type=int, default=[1, 2, 3])
    ap.add_argument("--highs", action="store_true", help="also solve the exported model with HiGHS (s and m)")
    ap.add_argument("--highs-time", type=float, default=600.0)
    args = ap.parse_args()
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    rows = []
    for size in args.sizes:
        for seed in args.seeds:
            d = os.path.join(WORK, f"{size}-{seed}")
            gen_s, gen_mb = timed([BIN, "generate", "--size", size, "--seed", str(seed), "--out", d])
            scenario = os.path.join(d, "scenario.toml")
            row = {"size": size, "seed": seed, "generate_seconds": gen_s, "generate_mib": gen_mb}
            for strategy in ["optimise", "fcfs"]:
                out = os.path.join(d, f"out-{strategy}")
                extra = {}
                wall, mib = timed([BIN, "plan", scenario, "--out", out, "--quiet", "--strategy", strategy], extra)
                row[strategy] = dict(figures(out), wall_seconds=wall, peak_mib=mib, **extra)
            if args.highs and size in ("s", "m"):
                mps = os.path.join(d, "model.mps")
                subprocess.run([BIN, "export-model", scenario, "--mps", mps], check=True)
                row["highs"] = highs(mps, args.highs_time)
            rows.append(row)
            print(json.dumps(row), file=sys.stderr)
    with open(os.path.join(WORK, "results.json"), "w") as f:
        json.dump(rows, f, indent=1)
    med = statistics.median
    print("| size | runs | wall s | user CPU s | peak MiB | gap | vs fcfs: persons permanent | temp person-days | max share | D | HiGHS objective, s | ours within |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for size in args.sizes:
        rs = [r for r in rows if r["size"] == size]
        o = [r["optimise"] for r in rs]
        f = [r["fcfs"] for r in rs]
        line = [
            size,
            str(len(rs)),
            f"{med(x['wall_seconds'] for x in o):.2f}",
            f"{med(x['user_seconds'] for x in o):.2f}",
            f"{med(x['peak_mib'] for x in o):.0f}",
            f"{100 * med(x['gap'] for x in o):.3f} %",
            f"{med(x['persons_permanent'] for x in o):.0f} vs {med(x['persons_permanent'] for x in f):.0f}",
            f"{med(x['temporary_person_days'] for x in o):.0f} vs {med(x['temporary_person_days'] for x in f):.0f}",
            f"{med(x['max_share'] for x in o):.4f} vs {med(x['max_share'] for x in f):.4f}",
            f"{med(x['dissimilarity'] for x in o):.4f} vs {med(x['dissimilarity'] for x in f):.4f}",
        ]
        # HiGHS reports an infinite objective when it found no solution in time.
        hs = [r["highs"] for r in rs if "highs" in r and abs(r["highs"]["objective"]) != float("inf")]
        if hs:
            line.append(f"{med(h['objective'] for h in hs):.1f}, {med(h['seconds'] for h in hs):.1f} s")
            within = [
                (r["optimise"]["objective"] - r["highs"]["objective"]) / abs(r["highs"]["objective"])
                for r in rs
                if "highs" in r and abs(r["highs"]["objective"]) != float("inf")
            ]
            line.append(f"{100 * med(within):.3f} %")
        else:
            line += ["–", "–"]
        print("| " + " | ".join(line) + " |")


if __name__ == "__main__":
    main()
