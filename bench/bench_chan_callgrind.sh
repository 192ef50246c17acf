#!/bin/sh
# bench_chan_callgrind.sh - per one-way message of bench/bench_chan.c's
# same-thread ping-pong and 2-clause select ping-pong, and per spawn: the
# instructions executed and, on x86_64, the atomic read-modify-write
# instructions executed (lock-prefixed, or xchg with memory), counted by
# callgrind. Repeatable on any x86_64 machine, where timings are not.
#   usage: bash bench/bench_chan_callgrind.sh [bench_chan]
#   needs: valgrind, objdump (binutils); run from the repository root
set -e
BIN=${1:-build/bench/bench_chan}
if [ ! -x "$BIN" ]; then
    mkdir -p "$(dirname "$BIN")"
    ${CC:-cc} -std=c99 -D_DEFAULT_SOURCE -O2 -g -I. -o "$BIN" bench/bench_chan.c -lpthread
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
# addresses of the atomic instructions in the binary
objdump -d --no-show-raw-insn "$BIN" |
    awk '/^ *[0-9a-f]+:\t/ { a = $1; sub(":", "", a); $1 = "";
         if ($0 ~ /^ *lock / || ($0 ~ /^ *xchg/ && $0 ~ /\(/)) print a }' > "$TMP/atomic"
printf '%-26s %12s %12s\n' 'per message (spawn: each)' 'instructions' 'atomic RMW'
# mode, toggle function, operations counted (bench_chan.c's callgrind mode:
# 100000 ping-pong rounds, 100000 select rounds, 3200 + 100000 spawns)
for spec in "ping-pong cg_pingpong 200000" "select cg_select 200000" "spawn cg_spawn 103200"; do
    set -- $spec
    valgrind --tool=callgrind --dump-instr=yes --compress-pos=no --compress-strings=no \
        --callgrind-out-file="$TMP/out" --toggle-collect="$2" "$BIN" callgrind >/dev/null 2>&1
    # cost lines are "0xADDR LINE IR"; the line after calls= is a call's
    # inclusive cost, not an instruction of this function
    awk -v n="$3" -v name="$1" '
        FNR == NR { atomic[$1] = 1; next }
        /^calls=/ { skip = 1; next }
        /^0x[0-9a-f]+ / { if (skip) { skip = 0; next }
                          a = substr($1, 3); sub(/^0+/, "", a); ir += $3; if (a in atomic) at += $3; next }
        { skip = 0 }
        END { printf "%-26s %12.1f %12.2f\n", name, ir / n, at / n }' "$TMP/atomic" "$TMP/out"
done
