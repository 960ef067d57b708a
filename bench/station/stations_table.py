#!/usr/bin/env python3
"""Turns station_bench's JSON lines (one per station) into one markdown table, with the target of
TARGETS.md ("Whole station") beside each figure and a mark where a station meets (ok) or misses
(MISS) it. Used by `scripts/bench stations`; usage: stations_table.py stations.jsonl"""

import json
import sys

STAGES = ["load", "reach", "allocation", "motion", "coordination", "verification"]


def main(path):
    runs = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line:
                runs.append(json.loads(line))
    # One column per run; named by station and seed when a station was run more than once.
    several_seeds = len({r["station"] for r in runs}) < len(runs)
    names = [f"{r['station']} seed {r.get('seed', '?')}" if several_seeds else r["station"]
             for r in runs]
    ok = [r for r in runs if "error" not in r]

    def mark(good):
        return " ok" if good else " MISS"

    rows = []  # (label, [cell per station], target)

    def row(label, fn, target=""):
        cells = []
        for r in runs:
            if "error" in r:
                cells.append(r["error"] if label == "robots × welds" else "—")
            else:
                cells.append(fn(r))
        rows.append((label, cells, target))

    row("robots × welds", lambda r: f"{r['robots']} × {r['welds']}")
    for s in STAGES:
        row(f"{s}: wall / CPU (s)",
            lambda r, s=s: f"{r['stages'][s]['wall']:.2f} / {r['stages'][s]['cpu']:.2f}")
    row("**total wall** (CPU) (s)",
        lambda r: f"**{r['total_wall']:.1f}** ({r['total_cpu']:.1f})"
        + (mark(r["total_wall"] <= 60.0) if r["station"] == "L" else ""),
        "L ≤ 60 s on 2 cores")
    # XL against the L run of the same seed.
    l_by_seed = {r.get("seed"): r for r in ok if r["station"] == "L"}

    def xl_ratio(r):
        if r["station"] != "XL":
            return ""
        l_run = l_by_seed.get(r.get("seed"))
        if l_run is None:
            return "— (no L run of this seed)"
        ratio = r["total_wall"] / l_run["total_wall"]
        return f"{ratio:.2f}{mark(ratio <= 5.0)}"

    if any(r["station"] == "XL" for r in ok):
        row("XL / L wall", xl_ratio, "≤ 5×")
    row("peak RSS (MiB)",
        lambda r: f"{r['peak_rss_mib']:.0f}{mark(r['peak_rss_mib'] <= 1024.0)}", "≤ 1024 (1 GiB)")
    row("makespan / cycle time (s)", lambda r: f"{r['makespan']:.2f} / {r['cycle_time']:.0f}")
    row("allocation estimate (s)", lambda r: f"{r['estimate']:.2f}")
    row("coordination overhead",
        lambda r: f"{100 * r['overhead']:+.1f} %{mark(r['overhead'] <= 0.10)}",
        "≤ 10 % (S, M, L)")
    row("overhead (s) on the critical robot = travel against its prices + waits + route",
        lambda r: "{robot}: {overhead:+.2f} = {travel:+.2f} + {waiting:.2f} + {route:+.2f}".format(
            **r["overhead_split"]))
    row("lower bound (s), makespan gap",
        lambda r: f"{r['lower_bound']:.2f}, +{100 * (r['makespan'] / r['lower_bound'] - 1):.0f} %"
        if r["lower_bound"] > 0 else "—", "report the gap")
    row("baseline allocator: estimate (s)", lambda r: f"{r['baseline']:.2f}")
    row("baseline allocator planned + coordinated: makespan (s), welds planned",
        lambda r: f"{r['baseline_planned']['makespan']:.2f}, "
        f"{r['baseline_planned']['welds_planned']} / {r['welds_reachable']}"
        if "baseline_planned" in r else "not run")
    row("gain over the baseline planned (over its estimate)",
        lambda r: (f"{100 * r['gain_planned']:+.1f} %"
                   + (mark(r["gain_planned"] >= 0.15) if r["station"] in ("M", "L") else "")
                   if "gain_planned" in r else "—")
        + f" ({100 * r['gain']:+.1f} %)",
        "≥ 15 % (M, L)")
    row("welds planned / reachable",
        lambda r: f"{r['welds_planned']} / {r['welds_reachable']}"
        + mark(r["welds_planned"] == r["welds_reachable"]), "100 %")
    # TARGETS.md's "0 collisions and 0 limit violations": the unsafe ones. A weld left out
    # (out of reach, or not planned: the row above) or a makespan over the cycle time is
    # listed, not marked.
    row("verification: unsafe violations (all by kind)",
        lambda r: f"{r['unsafe_count']}" + mark(r["unsafe_count"] == 0)
        + (" (all: " + ", ".join(f"{k} {v}" for k, v in r["violations"].items()) + ")"
           if r["violations"] else ""),
        "0 unsafe")
    row("verdict", lambda r: r["verdict"])
    row("work: reach candidates; moves direct / planned, stops skipped; "
        "re-allocations kept; verify checks",
        lambda r: f"{r['work']['reach_candidates']}; {r['work']['direct_moves']} / "
        f"{r['work']['planned_moves']}, "
        f"{r['work']['skipped_stops']}; {r['rebalance']['kept']} of {r['rebalance']['tried']}; "
        f"{r['work']['verify_checks']}")

    row("motion: robots done after (s)",
        lambda r: ", ".join(f"{t:.0f}" for t in r["work"].get("motion_robots_done_s", [])))
    jobs = sorted({r["jobs"] for r in ok})
    plain = any(r.get("plain_fcl") for r in ok)
    out = []
    out.append(f"Stations planned by bench/station/station_bench (Release, --jobs "
               f"{', '.join(map(str, jobs)) or '?'}{', plain FCL' if plain else ''}); one process "
               f"per station.")
    out.append("")
    out.append("| | " + " | ".join(names) + " | target |")
    out.append("|---|" + "---|" * len(names) + "---|")
    for label, cells, target in rows:
        out.append(f"| {label} | " + " | ".join(cells) + f" | {target} |")
    if several_seeds:
        out.append("")
        out.extend(seed_table(runs))
    for r in ok:
        if r.get("coordination_message"):
            out.append("")
            out.append(f"{r['station']}: coordination: {r['coordination_message']}")
    print("\n".join(out))


def mean(values):
    return sum(values) / len(values)


def spread(values, fmt):
    """'mean [min – max]' of `values`, each formatted with `fmt`."""
    return f"{fmt(mean(values))} [{fmt(min(values))} – {fmt(max(values))}]"


def seed_table(runs):
    """Per station, the figures that depend on the seed over all its runs that succeeded (the
    failed ones named): the seed changes the allocator's search and the motion planner's paths,
    and with them the interlock waits, so one seed's makespan can be its luck."""
    stations = list(dict.fromkeys(r["station"] for r in runs))  # in order of first run
    out = ["Over the seeds (mean [min – max] of the runs that succeeded; the overhead target is "
           "checked on the mean):", "",
           "| station | seeds | makespan (s) | coordination overhead | total wall (s) |",
           "|---|---|---|---|---|"]
    for name in stations:
        good = [r for r in runs if r["station"] == name and "error" not in r]
        failed = [r for r in runs if r["station"] == name and "error" in r]
        seeds = ", ".join(str(r.get("seed", "?")) for r in good)
        if failed:
            seeds += f" ({', '.join(str(r.get('seed', '?')) for r in failed)} failed)"
        if not good:
            out.append(f"| {name} | {seeds.strip()} | — | — | — |")
            continue
        overheads = [100 * r["overhead"] for r in good]
        mark = (" ok" if mean(overheads) <= 10.0 else " MISS") if name in ("S", "M", "L") else ""
        out.append(f"| {name} | {seeds} | "
                   f"{spread([r['makespan'] for r in good], lambda v: f'{v:.2f}')} | "
                   f"{spread(overheads, lambda v: f'{v:+.1f} %')}{mark} | "
                   f"{spread([r['total_wall'] for r in good], lambda v: f'{v:.1f}')} |")
    return out

if __name__ == "__main__":
    main(sys.argv[1])
