#!/usr/bin/env bash
# The framework groups of the criterion bench, N times in a row, then one table of the
# median of each bench over the runs, with each run's ratio (timings on a shared machine
# move by 10-30 % between runs; one run's ratio says little).
# Usage: benches/repeat.sh [N]   (default 3; each run takes about 2 minutes here)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-3}
dir="${CARGO_TARGET_DIR:-target}/cors-bench-runs"
rm -rf "$dir"
mkdir -p "$dir"
for i in $(seq 1 "$n"); do
    cargo bench -q -p cors-benches -- --warm-up-time 1 --measurement-time 3 '(simple|preflight)/' \
        >"$dir/run-$i.log" 2>&1 || { tail -20 "$dir/run-$i.log"; exit 1; }
    python3 benches/report.py --save "$dir/run-$i.json"
done
python3 benches/report.py --median "$dir"/run-*.json
