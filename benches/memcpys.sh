#!/usr/bin/env bash
# The `memcpy` calls one request of a fixture makes, by size and calling function: what
# moves a future, a request or a response costs where callgrind only shows
# `__memcpy_avx_unaligned_erms` as a whole. Runs the release `profile` binary under gdb
# twice, with 1 and with 1 + N requests, counts every call to glibc's memcpy/memmove
# entry points (size, caller) in each, and prints the difference divided by N, so that
# building the app is not counted. Found cors-axum's extra move of the inner future
# (BENCHMARKS.md, seventh round).
# Usage: benches/memcpys.sh FRAMEWORK KIND VARIANT [N]   (e.g. `warp simple ours-tower`;
# needs gdb; honours CARGO_TARGET_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -lt 3 ]; then
    echo "usage: benches/memcpys.sh FRAMEWORK KIND VARIANT [N]" >&2
    exit 2
fi
f=$1 k=$2 v=$3 n=${4:-10}
command -v gdb >/dev/null || { echo "memcpys.sh: needs gdb" >&2; exit 1; }
cargo build --release -q -p cors-benches --bin profile
profile=$(realpath "${CARGO_TARGET_DIR:-target}/release/profile")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/trace.py" <<'EOF'
import collections, gdb

counts = collections.Counter()

class Copy(gdb.Breakpoint):
    def stop(self):
        frame = gdb.selected_frame()
        size = int(frame.read_register("rdx"))
        rsp = int(frame.read_register("rsp"))
        ret = int.from_bytes(bytes(gdb.selected_inferior().read_memory(rsp, 8)), "little")
        block = gdb.block_for_pc(ret)
        fn = block.function if block is not None else None
        while block is not None and fn is None:
            block = block.superblock
            fn = block.function if block is not None else None
        sal = gdb.find_pc_line(ret)
        at = "%s:%d" % (sal.symtab.filename.split("/")[-1], sal.line) if sal.symtab else "?"
        name = fn.print_name if fn is not None else hex(ret)
        counts[(size, "%s\t%s" % (at, name))] += 1
        return False

def arm():
    # Several names share one address; one breakpoint per address.
    gdb.execute("set language c")
    seen = set()
    for name in ("memcpy", "memmove"):
        for isa in ("avx", "evex", "avx512", "sse2"):
            for tail in ("_unaligned_erms", "_unaligned"):
                loc = "__%s_%s%s" % (name, isa, tail)
                try:
                    addr = int(gdb.parse_and_eval("(unsigned long)&" + loc))
                except gdb.error:
                    continue
                if addr not in seen:
                    seen.add(addr)
                    Copy("*%d" % addr, internal=True)

class Arm(gdb.Command):
    def __init__(self):
        super().__init__("arm-copies", gdb.COMMAND_USER)
    def invoke(self, arg, from_tty):
        arm()

class Dump(gdb.Command):
    def __init__(self):
        super().__init__("dump-copies", gdb.COMMAND_USER)
    def invoke(self, arg, from_tty):
        with open(arg, "w") as out:
            for (size, fn), c in counts.items():
                out.write("%d\t%d\t%s\n" % (c, size, fn))

Arm()
Dump()
EOF
run() {
    # glibc's string functions are resolved once the program runs: arm at `main`.
    gdb -q -batch -nx \
        -ex "source $tmp/trace.py" \
        -ex "break main" -ex "run $f $k $v $1" -ex "delete" -ex "arm-copies" \
        -ex "continue" -ex "dump-copies $2" \
        "$profile" >"$tmp/gdb.$1.log" 2>&1 || { cat "$tmp/gdb.$1.log" >&2; exit 1; }
}
run 1 "$tmp/one"
run $((1 + n)) "$tmp/many"
python3 - "$tmp/one" "$tmp/many" "$n" <<'EOF'
import collections, sys
def load(path):
    c = collections.Counter()
    for line in open(path):
        count, size, fn = line.rstrip("\n").split("\t", 2)
        c[(int(size), fn)] += int(count)
    return c
one, many, n = load(sys.argv[1]), load(sys.argv[2]), int(sys.argv[3])
rows = []
for key in set(one) | set(many):
    per = (many[key] - one[key]) / n
    # Whole calls only: the program's own start-up varies by a fraction.
    if abs(per) >= 0.5:
        rows.append((key[0] * per, per, key[0], key[1]))
rows.sort(reverse=True)
print("| bytes per request | calls per request | size | at | in (innermost inlined function) |")
print("|---:|---:|---:|---|---|")
for total, per, size, fn in rows:
    at, name = fn.split("\t", 1)
    print(f"| {total:.0f} | {per:g} | {size} | `{at}` | `{name[:90]}` |")
print(f"\n{sum(r[1] for r in rows):g} calls, {sum(r[0] for r in rows):.0f} bytes per request")
EOF
