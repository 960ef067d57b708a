#!/usr/bin/env python3
"""Checks bench/station/stations_table.py (the table of `scripts/bench stations`) on made-up
station_bench lines: one column per run, and with several seeds the table over the seeds (mean,
min, max; the overhead target marked on the mean; failed runs left out).
Usage: stations_table_test.py PATH/TO/stations_table.py"""

import json
import os
import subprocess
import sys
import tempfile


def run_line(station, seed, makespan, estimate, wall):
    stage = {"wall": 0.5, "cpu": 1.0}
    return {
        "station": station, "seed": seed, "jobs": 2, "robots": 2, "welds": 20,
        "stages": {s: stage for s in
                   ("load", "reach", "allocation", "motion", "coordination", "verification")},
        "total_wall": wall, "total_cpu": 2 * wall, "peak_rss_mib": 100.0,
        "makespan": makespan, "cycle_time": 60.0, "estimate": estimate,
        "overhead": (makespan - estimate) / estimate, "lower_bound": 10.0, "baseline": 30.0,
        "gain": 0.1, "welds_planned": 20, "welds_reachable": 20, "violations": {},
        "violation_count": 0, "unsafe_count": 0, "verdict": "pass",
        "work": {"reach_candidates": 1, "direct_moves": 1, "planned_moves": 1,
                 "skipped_stops": 0, "verify_checks": 1},
        "rebalance": {"kept": 1, "tried": 2},
        "overhead_split": {"robot": "R2", "overhead": makespan - estimate, "travel": 1.25,
                           "waiting": 0.5, "route": makespan - estimate - 1.75},
    }


def table(lines):
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "stations.jsonl")
        with open(path, "w", encoding="utf-8") as f:
            for line in lines:
                f.write(json.dumps(line) + "\n")
        done = subprocess.run([sys.executable, sys.argv[1], path], capture_output=True,
                              text=True, check=False)
    if done.returncode != 0:
        print(f"FAILED: stations_table.py exited {done.returncode}:\n{done.stderr}")
        sys.exit(1)
    return done.stdout


def expect(condition, what, text):
    if not condition:
        print(f"FAILED: {what}\n--- table:\n{text}")
        sys.exit(1)


def main():
    one = table([run_line("S", 1, 22.0, 20.0, 3.0)])
    expect("| | S | target |" in one, "one seed: the column is the station's name", one)
    expect("Over the seeds" not in one, "one seed: no table over the seeds", one)
    expect("| overhead (s) on the critical robot = travel against its prices + waits + route | "
           "R2: +2.00 = +1.25 + 0.50 + +0.25 |  |" in one,
           "the overhead's split on the critical robot", one)

    several = table([
        run_line("S", 1, 22.0, 20.0, 3.0),      # +10 %
        run_line("S", 2, 26.0, 20.0, 5.0),      # +30 %
        {"station": "S", "seed": 3, "error": "timeout after 1 s"},
        run_line("M", 1, 40.0, 40.0, 10.0),     # +0 %
        run_line("M", 2, 41.0, 40.0, 12.0),     # +2.5 %
    ])
    expect("| | S seed 1 | S seed 2 | S seed 3 | M seed 1 | M seed 2 | target |" in several,
           "several seeds: a column per run, named by station and seed", several)
    expect("| S | 1, 2 (3 failed) | 24.00 [22.00 – 26.00] | +20.0 % [+10.0 % – +30.0 %] MISS | "
           "4.0 [3.0 – 5.0] |" in several,
           "S over seeds 1 and 2 (the failed seed 3 left out): mean over 10 %: MISS", several)
    expect("| M | 1, 2 | 40.50 [40.00 – 41.00] | +1.2 % [+0.0 % – +2.5 %] ok | "
           "11.0 [10.0 – 12.0] |" in several, "M over seeds 1 and 2: mean within 10 %: ok",
           several)
    # A plain run (no --seed) where one station failed: its error line has no seed, the others
    # the cell's; still one run per station, so no seed columns and no table over seeds.
    failed = table([run_line("S", 1, 22.0, 20.0, 3.0),
                    {"station": "M", "error": "exit 1 (see build/bench/M.stderr)"},
                    run_line("L", 1, 60.0, 50.0, 40.0)])
    expect("| | S | M | L | target |" in failed, "one failed station: plain columns", failed)
    expect("Over the seeds" not in failed, "one run per station: no table over the seeds",
           failed)

    # XL against the L run of its own seed: 100 / 30 at seed 1, 300 / 40 at seed 2.
    xl = table([run_line("L", 1, 60.0, 50.0, 30.0), run_line("XL", 1, 90.0, 80.0, 100.0),
                run_line("L", 2, 60.0, 50.0, 40.0), run_line("XL", 2, 90.0, 80.0, 300.0)])
    expect("| XL / L wall |  | 3.33 ok |  | 7.50 MISS | ≤ 5× |" in xl,
           "XL / L per seed, each against the L run of that seed", xl)
    # A weld left out is listed but not unsafe; a collision is unsafe.
    left_out = run_line("S", 1, 22.0, 20.0, 3.0)
    left_out.update({"violations": {"weld": 1}, "violation_count": 1, "unsafe_count": 0})
    collided = run_line("M", 1, 40.0, 40.0, 10.0)
    collided.update({"violations": {"weld": 2, "robot collision": 1}, "violation_count": 3,
                     "unsafe_count": 1})
    verdicts = table([run_line("demo", 1, 22.0, 20.0, 3.0), left_out, collided])
    expect("| verification: unsafe violations (all by kind) | 0 ok | 0 ok (all: weld 1) | "
           "1 MISS (all: weld 2, robot collision 1) | 0 unsafe |" in verdicts,
           "unsafe violations marked, welds left out listed only", verdicts)
    print("stations_table: ok")


if __name__ == "__main__":
    main()
