#!/usr/bin/env python3
"""Tables from the last `cargo bench -p cors-benches` run, for BENCHMARKS.md.

Reads target/criterion/<group>/<function>/new/estimates.json and prints markdown: the
core cases, the framework groups with the CORS overheads and the ratio
(ours - bare) / (native - bare), and every timing target, met or missed.

Each time is criterion's point estimate, the middle number of its `time: [lo est hi]`
line: the slope of the linear regression when criterion sampled linearly, otherwise the
mean. Usage: python3 benches/report.py [TARGET_DIR]   (default: $CARGO_TARGET_DIR, else
target)

Repeated runs (`benches/repeat.sh`): `--save FILE [TARGET_DIR]` stores the last run's
framework estimates as JSON; `--median FILE...` prints the framework table from the
median of each bench over those runs, with each run's ratio beside it.

The ratio is printed as n/a when native - bare is below 5 % of bare: the native crate
then costs about nothing over the bare app, and a ratio over that near-zero difference
says nothing (the target is then read as "ours - bare <= native - bare").

Per-framework summary (BENCHMARKS.md's first tables): `--frameworks CALLGRIND_MD
ALLOCS_MD` reads the saved outputs of `benches/callgrind.sh` and of the `allocs` binary
and prints, for each framework, instructions and allocations per request (bare, ours,
native, ours - bare) for the simple request and the preflight, the cells copied as
those tools printed them:

    benches/callgrind.sh 2000 >target/callgrind.md
    cargo run --release -p cors-benches --bin allocs >target/allocs.md
    python3 benches/report.py --frameworks target/callgrind.md target/allocs.md
"""

import json
import os
import statistics
import sys
from pathlib import Path

CORE = [
    "simple-allowed",
    "simple-rejected",
    "no-origin",
    "preflight-allowed",
    "preflight-rejected",
    "1000-origins-allowed",
    "subdomain-pattern-allowed",
    "glob-allowed",
    "hostile-acrh",
]
FRAMEWORKS = ["axum", "actix", "rocket", "warp"]
NATIVE = {
    "axum": "tower-http `CorsLayer`",
    "actix": "`actix-cors`",
    "rocket": "`rocket_cors` fairing",
    "warp": "`warp::cors()`",
}
KINDS = ["simple", "preflight"]
# Below this share of bare, native - bare is treated as zero and no ratio is printed.
NEAR_ZERO = 0.05


def default_root():
    return Path(os.environ.get("CARGO_TARGET_DIR") or "target")


def estimate(root, group, function):
    path = root / "criterion" / group / function / "new" / "estimates.json"
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        return None
    point = data.get("slope") or data["mean"]
    return point["point_estimate"]


def fmt(ns):
    if ns is None:
        return "—"
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.2f} µs"
    return f"{ns:.1f} ns"


def ratio_of(bare, ours, native):
    """The ratio as text and whether it meets the target."""
    d_ours, d_native = ours - bare, native - bare
    if d_native >= NEAR_ZERO * bare and d_native > 0:
        ratio = d_ours / d_native
        return f"{ratio:.2f}", ratio <= 0.5
    return "n/a (native − bare < 5 % of bare)", d_ours <= d_native


def framework_estimates(root):
    return {
        f"{f}-{k}/{v}": estimate(root, f"{f}-{k}", v)
        for f in FRAMEWORKS
        for k in KINDS
        for v in ("bare", "ours", "native")
    }


def median_table(files):
    runs = [json.loads(Path(f).read_text()) for f in files]
    out = [
        f"Median of {len(runs)} runs per bench; ratio from the medians, then each run's ratio.",
        "",
        "| group | bare | ours | native | ours − bare | native − bare | ratio (medians) | ratio per run | target ≤ 0.5 |",
        "|---|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    missed = []
    for f in FRAMEWORKS:
        for k in KINDS:
            g = f"{f}-{k}"
            med = {}
            for v in ("bare", "ours", "native"):
                xs = [r[f"{g}/{v}"] for r in runs if r.get(f"{g}/{v}") is not None]
                med[v] = statistics.median(xs) if xs else None
            if None in med.values():
                out.append(f"| `{g}` | | | | | | | | missing |")
                missed.append(f"{g}: no estimates")
                continue
            ratio_s, ok = ratio_of(med["bare"], med["ours"], med["native"])
            per_run = ", ".join(
                ratio_of(r[f"{g}/bare"], r[f"{g}/ours"], r[f"{g}/native"])[0].split(" ")[0]
                for r in runs
                if None not in (r.get(f"{g}/bare"), r.get(f"{g}/ours"), r.get(f"{g}/native"))
            )
            if not ok:
                missed.append(f"{g}: {ratio_s}")
            out.append(
                f"| `{g}` | {fmt(med['bare'])} | {fmt(med['ours'])} | {fmt(med['native'])} | "
                f"{fmt(med['ours'] - med['bare'])} | {fmt(med['native'] - med['bare'])} | "
                f"{ratio_s} | {per_run} | {'met' if ok else '**missed**'} |"
            )
    out.append("")
    out.append("Timing targets (medians): " + ("all met." if not missed else "missed: " + "; ".join(missed)))
    print("\n".join(out))
    return 0


def table_rows(path):
    """`group -> [cells]` for every row of a markdown table whose first cell is `group`."""
    rows = {}
    for line in Path(path).read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 5 and cells[0].startswith("`") and cells[0].endswith("`"):
            rows.setdefault(cells[0].strip("`"), cells[1:])
    return rows


def frameworks_table(callgrind_md, allocs_md):
    ir, allocs = table_rows(callgrind_md), table_rows(allocs_md)
    out = []
    missing = []
    for f in FRAMEWORKS:
        out.append(f"**{f}** (native: {NATIVE[f]})")
        out.append("")
        out.append(
            "| request | instructions: bare | ours | native | ours − bare "
            "| allocations: bare | ours | native | ours − bare |"
        )
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for k in KINDS:
            g = f"{f}-{k}"
            a, b = ir.get(g), allocs.get(g)
            if a is None or b is None:
                missing.append(g)
            # bare, ours, native, ours − bare: the first four cells in both tables.
            a = (a or ["—"] * 4)[:4]
            b = (b or ["—"] * 4)[:4]
            out.append(f"| {k} | " + " | ".join(a + b) + " |")
        out.append("")
    print("\n".join(out).rstrip())
    if missing:
        print(f"missing rows: {', '.join(missing)}", file=sys.stderr)
        return 1
    return 0


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--frameworks":
        if len(sys.argv) != 4:
            print("usage: report.py --frameworks CALLGRIND_MD ALLOCS_MD", file=sys.stderr)
            return 2
        return frameworks_table(sys.argv[2], sys.argv[3])
    if len(sys.argv) > 1 and sys.argv[1] == "--save":
        root = Path(sys.argv[3]) if len(sys.argv) > 3 else default_root()
        Path(sys.argv[2]).write_text(json.dumps(framework_estimates(root), indent=1))
        return 0
    if len(sys.argv) > 1 and sys.argv[1] == "--median":
        return median_table(sys.argv[2:])
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else default_root()
    missed = []
    out = []

    out.append("| bench | time |")
    out.append("|---|---:|")
    core = {c: estimate(root, "core", c) for c in CORE}
    for c in CORE:
        out.append(f"| `core/{c}` | {fmt(core[c])} |")

    out.append("")
    out.append(
        "| group | bare | ours | native | ours − bare | native − bare | "
        "(ours − bare) / (native − bare) | target ≤ 0.5 |"
    )
    out.append("|---|---:|---:|---:|---:|---:|---:|---|")
    for f in FRAMEWORKS:
        for k in KINDS:
            g = f"{f}-{k}"
            bare, ours, native = (estimate(root, g, v) for v in ("bare", "ours", "native"))
            if None in (bare, ours, native):
                out.append(f"| `{g}` | {fmt(bare)} | {fmt(ours)} | {fmt(native)} | | | | missing |")
                missed.append(f"{g}: no estimates")
                continue
            d_ours, d_native = ours - bare, native - bare
            ratio_s, ok = ratio_of(bare, ours, native)
            if not ok:
                missed.append(f"{g}: (ours − bare) / (native − bare) = {ratio_s}")
            out.append(
                f"| `{g}` | {fmt(bare)} | {fmt(ours)} | {fmt(native)} | {fmt(d_ours)} | "
                f"{fmt(d_native)} | {ratio_s} | {'met' if ok else '**missed**'} |"
            )

    out.append("")
    simple, thousand, hostile = core["simple-allowed"], core["1000-origins-allowed"], core["hostile-acrh"]
    if simple and thousand:
        r = thousand / simple
        ok = r <= 1.5
        out.append(
            f"- `core/1000-origins-allowed` / `core/simple-allowed` = {fmt(thousand)} / {fmt(simple)} "
            f"= {r:.2f} (target ≤ 1.5): {'met' if ok else '**missed**'}"
        )
        if not ok:
            missed.append(f"core/1000-origins-allowed is {r:.2f} × core/simple-allowed")
    if hostile:
        ok = hostile < 20_000
        out.append(f"- `core/hostile-acrh` = {fmt(hostile)} (target < 20 µs): {'met' if ok else '**missed**'}")
        if not ok:
            missed.append(f"core/hostile-acrh = {fmt(hostile)}")
    out.append("")
    out.append("Timing targets: " + ("all met." if not missed else "missed: " + "; ".join(missed)))
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
