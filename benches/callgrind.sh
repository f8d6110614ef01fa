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
# The same runs also give each count outside the allocator: less the instructions spent in
# calls to glibc's malloc/free/realloc (their inclusive cost, read from callgrind's
# output). Those follow the sizes of the allocations (axum's preflight answer, cloned at
# its exact size, 688 bytes, is served from glibc's per-thread cache; the floor's map, 1 312
# bytes in as many allocations, takes `_int_malloc`: about 400 instructions more) and the
# heap's layout (actix-web's browser preflight: the same allocations, but the floor's
# take glibc's slower path, 334 instructions more than ours).
# A fourth table prints them, and a target counts as met only when it is met both ways.
# A fifth, for reference, measures axum with `Router::layer` (the README's usage; the
# tables above put the layer around the whole `Router`, as for tower-http).
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
mkdir "$tmp/cg"
# One link per run, named p, pp, ppp, …: the same binary under paths of different length.
links=()
for r in $(seq 1 "$runs"); do
    link="$tmp/bin/$(printf 'p%.0s' $(seq 1 "$r"))"
    mkdir -p "$tmp/bin"
    ln -s "$profile" "$link"
    links+=("$link")
done
# ir OUT ARGS…: one run's instructions, a space, and those spent in calls to the allocator
# (the inclusive cost of each call into malloc, free, realloc, … from outside them).
ir() {
    local cg=$1 total
    shift
    total=$(valgrind --tool=callgrind --callgrind-out-file="$cg" "$@" 2>&1 \
        | sed -n 's/.*Collected : \([0-9]*\).*/\1/p')
    [ -n "$total" ] || return 0
    # Function names are compressed: `fn=(7) malloc` once, then `fn=(7)`; `fn=` and `cfn=`
    # share the numbering. A `calls=` line is followed by the call's position and cost.
    awk -v total="$total" '
        function name(s,   id) {
            if (match(s, /^\([0-9]+\)/)) {
                id = substr(s, 1, RLENGTH)
                if (length(s) > RLENGTH + 1) names[id] = substr(s, RLENGTH + 2)
                return names[id]
            }
            return s
        }
        function alloc(f) { return f ~ /^(malloc|free|realloc|calloc|posix_memalign|aligned_alloc|memalign)$/ }
        /^fn=/ { fn = name(substr($0, 4)); next }
        /^cfn=/ { cfn = name(substr($0, 5)); next }
        /^calls=/ { call = 1; next }
        call { call = 0; if (alloc(cfn) && !alloc(fn)) a += $2 }
        END { printf "%d %d\n", total, a }
    ' "$cg"
    rm -f "$cg"
}
# measure OUT BIN FRAMEWORK KIND VARIANT: one run's instructions per request, a space, and
# those outside the allocator, into OUT.
measure() {
    local out=$1 zero full
    shift
    zero=$(ir "$tmp/cg/${out##*/}" "$@" 0)
    full=$(ir "$tmp/cg/${out##*/}" "$@" "$n")
    if [ -n "$zero" ] && [ -n "$full" ]; then
        read -r zt za <<<"$zero"
        read -r ft fa <<<"$full"
        echo "$(( (ft - zt) / n )) $(( (ft - fa - zt + za) / n ))" >"$out"
    fi
}
declare -A per outside
fixtures=()
for f in axum actix rocket warp axum-router-layer; do
    variants="bare floor ours native"
    if [ "$f" = warp ]; then variants="$variants ours-tower"; fi
    # axum with `Router::layer`, as the README applies it: no floor (not a target).
    if [ "$f" = axum-router-layer ]; then variants="bare ours native"; fi
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
    counts=$(cut -d' ' -f1 "$tmp/$f-$k-$v".* 2>/dev/null | sort -n)
    outside[$f-$k-$v]=$(cut -d' ' -f2 "$tmp/$f-$k-$v".* 2>/dev/null | sort -n \
        | sed -n "$(( (runs + 1) / 2 ))p")
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
        # The same targets outside the allocator, listed where only that count misses them.
        fl=${outside[$g-floor]}; o=${outside[$g-ours]}; nt=${outside[$g-native]}
        if (( o - fl > 1000 && ${per[$g-ours]} - ${per[$g-floor]} <= 1000 )); then
            targets+=("$g: ours − floor = $(( o - fl )) outside the allocator, want ≤ 1000")
        fi
        if (( nt - fl > 0 && o > nt && ${per[$g-ours]} <= ${per[$g-native]} )); then
            targets+=("$g: ours $o > native $nt outside the allocator")
        fi
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
echo "Outside the allocator: the same runs less the instructions spent in calls to glibc's"
echo "malloc, free and realloc, which follow the sizes of the allocations and the heap's"
echo "layout as much as the code measured (group names unquoted, so that \`report.py\` reads"
echo "only the tables above):"
echo
echo "| group | floor | ours | native | ours − floor | native − floor |"
echo "|---|---:|---:|---:|---:|---:|"
for f in axum actix rocket warp; do
    variants=ours
    if [ "$f" = warp ]; then variants="ours ours-tower"; fi
    for k in simple preflight browser-preflight; do
        for v in $variants; do
            g=$f-$k
            fl=${outside[$g-floor]}; o=${outside[$g-$v]}; nt=${outside[$g-native]}
            label=$g
            if [ "$v" = ours-tower ]; then label="$g (ours-tower)"; fi
            echo "| $label | $fl | $o | $nt | $(( o - fl )) | $(( nt - fl )) |"
        done
    done
done
echo
echo "For reference (not a target): axum with \`Router::layer\`, as the README applies it,"
echo "which re-layers each route (axum then inserts \`Allow\` and \`Content-Length\` into a"
echo "preflight answer's header map), instead of the layer around the whole \`Router\`:"
echo
echo "| group | bare | ours | native | ours − bare | native − bare |"
echo "|---|---:|---:|---:|---:|---:|"
for k in simple preflight browser-preflight; do
    g=axum-router-layer-$k
    b=${per[$g-bare]}; o=${per[$g-ours]}; nt=${per[$g-native]}
    echo "| axum-$k (Router::layer) | $b | $o | $nt | $(( o - b )) | $(( nt - b )) |"
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
