#!/bin/sh
# bench_coro_callgrind.sh - instructions per operation of bench/bench_coro.c
# under callgrind: runs each mode with N operations and with none, and prints
# (Ir(N) - Ir(0)) / N, so set-up and start-up are excluded. Repeatable on any
# x86_64 machine, where the timings of bench_coro are not.
# ucontext counts user-mode instructions only (not its system calls).
#   usage: bash bench/bench_coro_callgrind.sh [bench_coro [bench_coro_fiber]]
#   needs: valgrind, libboost-context-dev; run from the repository root
set -e
BIN=${1:-build/bench/bench_coro}
FIB=${2:-build/bench/bench_coro_fiber}
if [ ! -x "$BIN" ]; then
    mkdir -p "$(dirname "$BIN")"
    ${CC:-cc} -std=c99 -D_DEFAULT_SOURCE -O2 -g -I. -o "$BIN" bench/bench_coro.c -lboost_context -lpthread
fi
if [ ! -x "$FIB" ]; then
    mkdir -p "$(dirname "$FIB")"
    ${CXX:-c++} -std=c++17 -O2 -g -o "$FIB" bench/bench_coro_fiber.cpp -lboost_context
fi
ir() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 |
        sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
printf '%-10s %-16s %10s\n' mode impl 'Ir per op'
for spec in "$BIN roundtrip raw 1000000" "$BIN roundtrip coro 1000000" \
            "$BIN roundtrip fcontext 1000000" "$BIN roundtrip ucontext 100000" \
            "$FIB roundtrip fiber 1000000" \
            "$BIN create coro 1000000" "$BIN create fcontext 1000000" \
            "$BIN create ucontext 100000" "$FIB create pooled 1000000" "$FIB create fixed 1000000" \
            "$FIB create protected 20000"; do
    set -- $spec
    a=$(ir "$1" "--callgrind-$2" "$3" 0)
    b=$(ir "$1" "--callgrind-$2" "$3" "$4")
    name=$3
    if [ "$1" = "$FIB" ]; then name="boost fiber"; [ "$3" = fiber ] || name="fiber $3"; fi
    awk -v m="$2" -v i="$name" -v a="$a" -v b="$b" -v n="$4" \
        'BEGIN { printf "%-10s %-16s %10.1f\n", m, i, (b - a) / n }'
done
