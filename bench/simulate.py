#!/usr/bin/env python3
"""Rolling simulation benchmark (issue 7): `boligplan simulate` on generated
instances, the rolling plan as a percentage of the hindsight plan, with fcfs
beside it. Prints one Markdown row per run and a JSON line per run to
bench/simulate-results.jsonl.

    python3 bench/simulate.py --sizes m --seeds 1 2 3 --max-iterations 20
"""
import argparse
import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def binary():
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    subprocess.run(["cargo", "build", "--release", "-q"], cwd=ROOT, check=True)
    return os.path.join(target, "release", "boligplan")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", nargs="+", default=["m"])
    ap.add_argument("--seeds", nargs="+", type=int, default=[1, 2, 3])
    ap.add_argument("--max-iterations", type=int, default=20)
    ap.add_argument("--work", default="/tmp/boligplan-sim")
    ap.add_argument("--extra", action="append", default=[], help="one more simulate argument (repeat: --extra=--flag --extra=value)")
    args = ap.parse_args()
    exe = binary()
    os.makedirs(args.work, exist_ok=True)
    out = open(os.path.join(ROOT, "bench", "simulate-results.jsonl"), "a")
    print("| size | seed | rolling value % | fcfs value % | persons permanent (rolling / hindsight / fcfs) | temporary person-days | max share | D | wall s | peak MiB |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for size in args.sizes:
        for seed in args.seeds:
            d = os.path.join(args.work, f"{size}{seed}")
            subprocess.run([exe, "generate", "--size", size, "--seed", str(seed), "--out", d],
                           check=True, stdout=subprocess.DEVNULL)
            cmd = ["/usr/bin/time", "-v", exe, "simulate", os.path.join(d, "scenario.toml"),
                   "--quiet", "--json", "--max-iterations", str(args.max_iterations)] + args.extra
            p = subprocess.run(cmd, capture_output=True, text=True)
            if p.returncode != 0:
                print(p.stderr, file=sys.stderr)
                sys.exit(1)
            r = json.loads(p.stdout)
            wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", p.stderr).group(1)
            parts = [float(x) for x in wall.split(":")]
            secs = sum(v * 60 ** i for i, v in enumerate(reversed(parts)))
            rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr).group(1))
            a, h, f = r["rolling"], r["hindsight"], r["fcfs"]
            print(f"| {size} | {seed} | {r['rolling_of_hindsight']['value']:.1f} % | {r['fcfs_of_hindsight']['value']:.1f} % "
                  f"| {a['persons_permanent']} / {h['persons_permanent']} / {f['persons_permanent']} "
                  f"| {a['temporary_person_days']} / {h['temporary_person_days']} / {f['temporary_person_days']} "
                  f"| {a['max_share_after']:.4f} / {h['max_share_after']:.4f} / {f['max_share_after']:.4f} "
                  f"| {a['dissimilarity_after']:.4f} / {h['dissimilarity_after']:.4f} / {f['dissimilarity_after']:.4f} "
                  f"| {secs:.0f} | {rss // 1024} |", flush=True)
            out.write(json.dumps({"size": size, "seed": seed, "max_iterations": args.max_iterations,
                                  "extra": args.extra, "wall_s": secs, "peak_kb": rss, "report": r}) + "\n")
            out.flush()


if __name__ == "__main__":
    main()
