#!/usr/bin/env python3
"""Tables from the last `cargo bench -p cors-benches` run, for BENCHMARKS.md.

Reads target/criterion/<group>/<function>/new/estimates.json and prints markdown: the
core cases, the framework groups with the CORS overheads and the ratio
(ours - bare) / (native - bare), and every timing target, met or missed.

Each time is criterion's point estimate, the middle number of its `time: [lo est hi]`
line: the slope of the linear regression when criterion sampled linearly, otherwise the
mean. Usage: python3 benches/report.py [TARGET_DIR]   (default: target)
"""

import json
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


def main():
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "target")
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
            if d_native > 0:
                ratio = d_ours / d_native
                ratio_s = f"{ratio:.2f}"
                ok = ratio <= 0.5
            else:
                ratio_s = "n/a (native ≤ bare)"
                ok = d_ours <= d_native
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
