#!/usr/bin/env bash
# Instructions per request (valgrind callgrind, repeatable where criterion is noisy) for
# every framework fixture: Ir(N requests) - Ir(0 requests), divided by N. Prints markdown:
# per group `bare | floor | ours | native`, then `ours − floor` and `native − floor` (what
# our adapter and the framework's own CORS crate spend above the least any CORS middleware
# pays there), warp's `ours-tower` in a second table, the preflight as a browser sends it
# (`browser-preflight`) in a third, and the instruction targets (simple and preflight).
# Each count is the median of CG_RUNS (default 5) runs whose program path differs in
# length: the path shifts glibc's heap layout, which moves a fixture by up to ~2 % (actix
# simple: 11 773 to 12 088 instructions for one binary), more than most single steps. The
# largest spread (max − min over the runs) is printed under the tables.
# Usage: benches/callgrind.sh [N]   (builds the release `profile` binary first; honours
# CARGO_TARGET_DIR and CG_RUNS; runs one valgrind per core). `python3 benches/report.py
# --frameworks` tables a saved output and `--chart` draws it.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-2000}
runs=${CG_RUNS:-5}
cargo build --release -q -p cors-benches --bin profile
profile=$(realpath "${CARGO_TARGET_DIR:-target}/release/profile")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# One link per run, named p, pp, ppp, …: the same binary under paths of different length.
links=()
for r in $(seq 1 "$runs"); do
    link="$tmp/bin/$(printf 'p%.0s' $(seq 1 "$r"))"
    mkdir -p "$tmp/bin"
    ln -s "$profile" "$link"
    links+=("$link")
done
ir() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 \
        | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
# measure OUT BIN FRAMEWORK KIND VARIANT: one run's instructions per request into OUT.
measure() {
    local out=$1 zero full
    shift
    zero=$(ir "$@" 0)
    full=$(ir "$@" "$n")
    if [ -n "$zero" ] && [ -n "$full" ]; then
        echo $(( (full - zero) / n )) >"$out"
    fi
}
declare -A per
fixtures=()
for f in axum actix rocket warp; do
    variants="bare floor ours native"
    if [ "$f" = warp ]; then variants="$variants ours-tower"; fi
    for k in simple preflight browser-preflight; do
        for v in $variants; do
            fixtures+=("$f $k $v")
        done
    done
done
max_jobs=$(nproc 2>/dev/null || echo 1)
for fx in "${fixtures[@]}"; do
    read -r f k v <<<"$fx"
    for r in $(seq 1 "$runs"); do
        measure "$tmp/$f-$k-$v.$r" "${links[$((r - 1))]}" "$f" "$k" "$v" &
        while [ "$(jobs -rp | wc -l)" -ge "$max_jobs" ]; do wait -n || true; done
    done
done
wait
spread=0
spread_at=
for fx in "${fixtures[@]}"; do
    read -r f k v <<<"$fx"
    counts=$(cat "$tmp/$f-$k-$v".* 2>/dev/null | sort -n)
    # A run without a count (valgrind missing or failing, the binary not found): stop,
    # rather than print zeros that would read as every target met.
    if [ "$(printf '%s\n' "$counts" | grep -c .)" -ne "$runs" ]; then
        echo "callgrind.sh: no instruction count for \`profile $f $k $v\` (is valgrind installed?)" >&2
        exit 1
    fi
    per[$f-$k-$v]=$(printf '%s\n' "$counts" | sed -n "$(( (runs + 1) / 2 ))p")
    lo=$(printf '%s\n' "$counts" | head -n 1)
    hi=$(printf '%s\n' "$counts" | tail -n 1)
    if (( hi - lo > spread )); then spread=$(( hi - lo )); spread_at="$f-$k-$v"; fi
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
for k in simple preflight browser-preflight; do
    g=warp-$k
    fl=${per[$g-floor]}; o=${per[$g-ours-tower]}; nt=${per[$g-native]}
    echo "| \`$g\` (ours-tower) | $fl | $o | $nt | $(( o - fl )) | $(( nt - fl )) |"
done
echo
echo "The preflight as Chromium sends it (\`browser-preflight\`: the same three lines among"
echo "thirteen), answered like \`preflight\`; what reading a real request costs each adapter:"
echo
echo "| group | bare | floor | ours | native | ours − floor | native − floor |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for f in axum actix rocket warp; do
    g=$f-browser-preflight
    b=${per[$g-bare]}; fl=${per[$g-floor]}; o=${per[$g-ours]}; nt=${per[$g-native]}
    echo "| \`$g\` | $b | $fl | $o | $nt | $(( o - fl )) | $(( nt - fl )) |"
done
echo
if [ ${#targets[@]} -eq 0 ]; then
    echo "Instruction targets (ours − floor ≤ 1000; ours ≤ native where native − floor > 0): all met."
else
    echo "Instruction targets (ours − floor ≤ 1000; ours ≤ native where native − floor > 0): ${#targets[@]} missed:"
    for t in "${targets[@]}"; do echo "- $t"; done
fi
echo
echo "Each count: median of $runs runs (program paths of different length); largest spread $spread instructions${spread_at:+ (\`$spread_at\`)}."
