#!/usr/bin/env bash
# Instructions per request (valgrind callgrind, repeatable where criterion is noisy) for
# every framework fixture: Ir(N requests) - Ir(0 requests), divided by N. Prints markdown.
# Usage: benches/callgrind.sh [N]   (builds target/release/profile first)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-2000}
cargo build --release -q -p cors-benches --bin profile
ir() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null target/release/profile "$@" 2>&1 \
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
        ratio=$(awk -v a="$do" -v b="$dn" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }')
        echo "| \`$f-$k\` | ${per[bare]} | ${per[ours]} | ${per[native]} | $do | $dn | $ratio |"
    done
done
