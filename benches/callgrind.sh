#!/usr/bin/env bash
# Instructions per request (valgrind callgrind, repeatable where criterion is noisy) for
# every framework fixture: Ir(N requests) - Ir(0 requests), divided by N. Prints markdown:
# per group `bare | floor | ours | native`, then `ours − floor` and `native − floor` (what
# our adapter and the framework's own CORS crate spend above the least any CORS middleware
# pays there), warp's `ours-tower` in a second table, and the instruction targets.
# Usage: benches/callgrind.sh [N]   (builds the release `profile` binary first; honours
# CARGO_TARGET_DIR). `python3 benches/report.py --frameworks` tables a saved output and
# `--chart` draws it.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-2000}
cargo build --release -q -p cors-benches --bin profile
profile="${CARGO_TARGET_DIR:-target}/release/profile"
ir() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$profile" "$@" 2>&1 \
        | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
per_request() {
    local zero full
    zero=$(ir "$@" 0)
    full=$(ir "$@" "$n")
    # No count (valgrind missing or failing, the binary not found): stop, rather than
    # print zeros that would read as every target met.
    if [ -z "$zero" ] || [ -z "$full" ]; then
        echo "callgrind.sh: no instruction count for \`profile $*\` (is valgrind installed?)" >&2
        exit 1
    fi
    echo $(( (full - zero) / n ))
}
declare -A per
for f in axum actix rocket warp; do
    variants="bare floor ours native"
    if [ "$f" = warp ]; then variants="$variants ours-tower"; fi
    for k in simple preflight; do
        for v in $variants; do
            per[$f-$k-$v]=$(per_request "$f" "$k" "$v")
        done
    done
done
echo "| group | bare | floor | ours | native | ours − floor | native − floor |"
echo "|---|---:|---:|---:|---:|---:|---:|"
targets=()
for f in axum actix rocket warp; do
    for k in simple preflight; do
        g=$f-$k
        b=${per[$g-bare]}; fl=${per[$g-floor]}; o=${per[$g-ours]}; nt=${per[$g-native]}
        echo "| \`$g\` | $b | $fl | $o | $nt | $(( o - fl )) | $(( nt - fl )) |"
        if (( o - fl > 1000 )); then targets+=("$g: ours − floor = $(( o - fl )), want ≤ 1000"); fi
        if (( nt - fl > 0 && o > nt )); then targets+=("$g: ours $o > native $nt"); fi
    done
done
echo
echo "warp through \`cors-axum\`'s tower layer around \`warp::service(app)\`:"
echo
echo "| group | floor | ours-tower | native | ours-tower − floor | native − floor |"
echo "|---|---:|---:|---:|---:|---:|"
for k in simple preflight; do
    g=warp-$k
    fl=${per[$g-floor]}; o=${per[$g-ours-tower]}; nt=${per[$g-native]}
    echo "| \`$g\` (ours-tower) | $fl | $o | $nt | $(( o - fl )) | $(( nt - fl )) |"
done
echo
if [ ${#targets[@]} -eq 0 ]; then
    echo "Instruction targets (ours − floor ≤ 1000; ours ≤ native where native − floor > 0): all met."
else
    echo "Instruction targets (ours − floor ≤ 1000; ours ≤ native where native − floor > 0): ${#targets[@]} missed:"
    for t in "${targets[@]}"; do echo "- $t"; done
fi
