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
and prints, for each framework, instructions and allocations per request (bare, floor,
ours, native, ours - floor, native - floor) for the simple request and the preflight,
the cells copied as those tools printed them. `--chart CALLGRIND_MD SVG` draws the
instruction table as an SVG bar chart (one panel per framework and request, bars bare,
floor, ours, native, and warp's ours-tower):

    benches/callgrind.sh 2000 >target/callgrind.md
    cargo run --release -p cors-benches --bin allocs >target/allocs.md
    python3 benches/report.py --frameworks target/callgrind.md target/allocs.md
    python3 benches/report.py --chart target/callgrind.md benches/chart.svg
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
        for v in ("bare", "floor", "ours", "native", "ours-tower")
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
            "| request | instructions: bare | floor | ours | native | ours − floor | native − floor "
            "| allocations: bare | floor | ours | native | ours − floor | native − floor |"
        )
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for k in KINDS:
            g = f"{f}-{k}"
            a, b = ir.get(g), allocs.get(g)
            if a is None or b is None:
                missing.append(g)
            # bare, floor, ours, native, ours − floor, native − floor: the first six
            # cells in both tables.
            a = (a or ["—"] * 6)[:6]
            b = (b or ["—"] * 6)[:6]
            out.append(f"| {k} | " + " | ".join(a + b) + " |")
        out.append("")
    print("\n".join(out).rstrip())
    if missing:
        print(f"missing rows: {', '.join(missing)}", file=sys.stderr)
        return 1
    return 0


CHART_VARIANTS = [
    # (name, column in callgrind.sh's tables, colour)
    ("bare", "bare", "#9e9e9e"),
    ("floor", "floor", "#4c78a8"),
    ("ours", "ours", "#f58518"),
    ("native", "native", "#54a24b"),
    ("ours-tower", "ours-tower", "#e45756"),
]


def chart_values(callgrind_md):
    """`group -> {variant: instructions}` from callgrind.sh's output."""
    main, tower = {}, {}
    for line in Path(callgrind_md).read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 5 or not cells[0].startswith("`"):
            continue
        name = cells[0].split("`")[1]
        try:
            nums = [int(c) for c in cells[1:]]
        except ValueError:
            continue
        if "(ours-tower)" in cells[0]:
            # floor | ours-tower | native | …
            tower[name] = nums[1]
        else:
            main[name] = dict(zip(["bare", "floor", "ours", "native"], nums[:4]))
    for g, v in tower.items():
        main.setdefault(g, {})["ours-tower"] = v
    return main


def esc(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def nice_max(x):
    """The smallest of 1, 2, 2.5, 5 × 10^k at or above x."""
    k = 10 ** max(0, len(str(int(x))) - 1)
    for m in (1, 2, 2.5, 5, 10):
        if m * k >= x:
            return int(m * k)
    return int(10 * k)


def chart(callgrind_md, svg_path):
    values = chart_values(callgrind_md)
    missing = [f"{f}-{k}" for f in FRAMEWORKS for k in KINDS if f"{f}-{k}" not in values]
    if missing:
        print(f"missing rows: {', '.join(missing)}", file=sys.stderr)
        return 1
    panel_w, bar_h, gap, label_w, left, top = 360, 14, 4, 78, 20, 70
    rows = max(len([v for v in CHART_VARIANTS if v[1] in values[f"{f}-{k}"]]) for f in FRAMEWORKS for k in KINDS)
    panel_h = 34 + rows * (bar_h + gap) + 22
    width = left + 2 * (label_w + panel_w + 40)
    height = top + len(FRAMEWORKS) * panel_h + 10
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{left}" y="22" font-size="15" font-weight="bold">Instructions per request '
        f"(callgrind, benches/callgrind.sh)</text>",
        f'<text x="{left}" y="40" fill="#555">Each panel has its own scale from 0. floor = the least any '
        f"CORS middleware pays on that framework; ours − floor is our adapter's overhead.</text>",
    ]
    lx = left
    for name, _, colour in CHART_VARIANTS:
        out.append(f'<rect x="{lx}" y="50" width="10" height="10" fill="{colour}"/>')
        out.append(f'<text x="{lx + 14}" y="59">{esc(name)}</text>')
        lx += 24 + 7 * len(name)
    for i, f in enumerate(FRAMEWORKS):
        for j, k in enumerate(KINDS):
            g = f"{f}-{k}"
            vals = values[g]
            x0 = left + j * (label_w + panel_w + 40) + label_w
            y0 = top + i * panel_h
            scale_max = nice_max(max(vals.values()))
            floor = vals.get("floor")
            title = f"{g}"
            if floor is not None and "ours" in vals:
                title += f": ours − floor = {vals['ours'] - floor}"
                if "native" in vals:
                    title += f", native − floor = {vals['native'] - floor}"
            out.append(f'<text x="{x0 - label_w}" y="{y0 + 14}" font-weight="bold">{esc(title)}</text>')
            y = y0 + 24
            for name, key, colour in CHART_VARIANTS:
                if key not in vals:
                    continue
                v = vals[key]
                w = panel_w * v / scale_max
                out.append(f'<text x="{x0 - 6}" y="{y + bar_h - 3}" text-anchor="end">{esc(name)}</text>')
                out.append(
                    f'<rect x="{x0}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{colour}">'
                    f"<title>{esc(g)} {esc(name)}: {v}</title></rect>"
                )
                out.append(f'<text x="{x0 + w + 4:.1f}" y="{y + bar_h - 3}">{v}</text>')
                y += bar_h + gap
            if floor is not None:
                fx = x0 + panel_w * floor / scale_max
                out.append(
                    f'<line x1="{fx:.1f}" y1="{y0 + 20}" x2="{fx:.1f}" y2="{y}" '
                    f'stroke="#4c78a8" stroke-dasharray="3,2"/>'
                )
            out.append(f'<line x1="{x0}" y1="{y + 2}" x2="{x0 + panel_w}" y2="{y + 2}" stroke="#999"/>')
            for t in (0, scale_max // 2, scale_max):
                tx = x0 + panel_w * t / scale_max
                out.append(f'<line x1="{tx:.1f}" y1="{y + 2}" x2="{tx:.1f}" y2="{y + 6}" stroke="#999"/>')
                out.append(f'<text x="{tx:.1f}" y="{y + 16}" text-anchor="middle" fill="#555">{t}</text>')
    out.append("</svg>")
    Path(svg_path).write_text("\n".join(out) + "\n")
    return 0


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--frameworks":
        if len(sys.argv) != 4:
            print("usage: report.py --frameworks CALLGRIND_MD ALLOCS_MD", file=sys.stderr)
            return 2
        return frameworks_table(sys.argv[2], sys.argv[3])
    if len(sys.argv) > 1 and sys.argv[1] == "--chart":
        if len(sys.argv) != 4:
            print("usage: report.py --chart CALLGRIND_MD SVG", file=sys.stderr)
            return 2
        return chart(sys.argv[2], sys.argv[3])
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
        "| group | bare | floor | ours | native | ours − bare | native − bare | ours − floor | "
        "(ours − bare) / (native − bare) | target ≤ 0.5 |"
    )
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for f in FRAMEWORKS:
        for k in KINDS:
            g = f"{f}-{k}"
            bare, ours, native = (estimate(root, g, v) for v in ("bare", "ours", "native"))
            floor = estimate(root, g, "floor")
            over_floor = fmt(ours - floor) if None not in (ours, floor) else "—"
            if None in (bare, ours, native):
                out.append(
                    f"| `{g}` | {fmt(bare)} | {fmt(floor)} | {fmt(ours)} | {fmt(native)} | | | | | missing |"
                )
                missed.append(f"{g}: no estimates")
                continue
            d_ours, d_native = ours - bare, native - bare
            ratio_s, ok = ratio_of(bare, ours, native)
            if not ok:
                missed.append(f"{g}: (ours − bare) / (native − bare) = {ratio_s}")
            out.append(
                f"| `{g}` | {fmt(bare)} | {fmt(floor)} | {fmt(ours)} | {fmt(native)} | {fmt(d_ours)} | "
                f"{fmt(d_native)} | {over_floor} | {ratio_s} | {'met' if ok else '**missed**'} |"
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
