#!/usr/bin/env bash
# bench/bench_io.sh - HTTP hello: arsenal_io.h (bench/bench_io.c) vs libuv
# (bench/bench_io_uv.c), server pinned to CPU 0, wrk -t1 pinned to CPU 1,
# alternating servers, ROUNDS x SECS each. Prints req/s and the ratio.
#   bench/bench_io.sh [SECS=3] [ROUNDS=2] [CONNS="100 1000"]
set -u
cd "$(dirname "$0")/.." || exit 2
SECS=${1:-3}; ROUNDS=${2:-2}; CONNS=${3:-100 1000}
B=build/bench_io; mkdir -p "$B"
cc -O2 -D_DEFAULT_SOURCE -o "$B/bench_io" bench/bench_io.c -lpthread || exit 1
cc -O2 -o "$B/bench_io_uv" bench/bench_io_uv.c -luv || exit 1
PIN0="taskset -c 0"; PIN1="taskset -c 1"
command -v taskset >/dev/null || { PIN0=""; PIN1=""; }
run() { # server-binary port conns -> req/s
  $PIN0 "$1" http "$2" $((SECS + 5)) > /dev/null 2>&1 & local pid=$!
  sleep 0.3
  local r; r=$($PIN1 wrk -t1 -c"$3" -d"${SECS}s" "http://127.0.0.1:$2/" 2>&1 | awk '/Requests\/sec/ {print $2}')
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  echo "${r:-0}"
}
P=$((30000 + RANDOM % 10000))
printf "%-8s %14s %14s %8s\n" conns arsenal_req/s libuv_req/s ratio
for c in $CONNS; do
  a=0; u=0
  for _ in $(seq "$ROUNDS"); do
    P=$((P + 2))
    a=$(echo "$a + $(run "$B/bench_io" $P "$c")" | bc)
    u=$(echo "$u + $(run "$B/bench_io_uv" $((P + 1)) "$c")" | bc)
  done
  printf "%-8s %14.0f %14.0f %8.2f\n" "$c" "$(echo "$a / $ROUNDS" | bc -l)" "$(echo "$u / $ROUNDS" | bc -l)" "$(echo "$a / $u" | bc -l)"
done
