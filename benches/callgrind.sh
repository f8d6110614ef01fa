#!/usr/bin/env bash
# Instructions per request (valgrind callgrind, repeatable where criterion is noisy) for
# every framework fixture: Ir(N requests) - Ir(0 requests), divided by N. Prints markdown.
# The ratio (ours - bare) / (native - bare) is n/a when native - bare is below 5 % of bare
# (a ratio over a near-zero difference says nothing).
# Usage: benches/callgrind.sh [N]   (builds the release `profile` binary first; honours
# CARGO_TARGET_DIR). `python3 benches/report.py --frameworks` tables a saved output.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-2000}
cargo build --release -q -p cors-benches --bin profile
profile="${CARGO_TARGET_DIR:-target}/release/profile"
ir() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$profile" "$@" 2>&1 \
        | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
echo "| group | bare | ours | native | ours − bare | native − bare | ratio |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for f in axum actix rocket warp; do
    for k in simple preflight; do
        declare -A per
        for v in bare ours native; do
            zero=$(ir "$f" "$k" "$v" 0)
            full=$(ir "$f" "$k" "$v" "$n")
            per[$v]=$(( (full - zero) / n ))
        done
        do=$(( per[ours] - per[bare] )); dn=$(( per[native] - per[bare] ))
        ratio=$(awk -v a="$do" -v b="$dn" -v z="${per[bare]}" \
            'BEGIN { if (b > 0 && b >= 0.05 * z) printf "%.2f", a / b; else print "n/a (native − bare < 5 % of bare)" }')
        echo "| \`$f-$k\` | ${per[bare]} | ${per[ours]} | ${per[native]} | $do | $dn | $ratio |"
    done
done
