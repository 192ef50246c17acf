#!/usr/bin/env bash
# bench/bench_io.sh - HTTP hello: arsenal_io.h (bench/bench_io.c) vs libuv
# (bench/bench_io_uv.c), server pinned to CPU 0, wrk -t1 pinned to CPU 1,
# alternating servers, ROUNDS x SECS each. Prints req/s, and requests per
# second of server CPU time (user+sys from /proc: the fairer figure on a
# shared machine, where the CPU a server gets varies), and both ratios.
#   bench/bench_io.sh [SECS=3] [ROUNDS=2] [CONNS="100 1000"]
set -u
cd "$(dirname "$0")/.." || exit 2
SECS=${1:-3}; ROUNDS=${2:-2}; CONNS=${3:-100 1000}
B=build/bench_io; mkdir -p "$B"
cc -O2 -D_DEFAULT_SOURCE -o "$B/bench_io" bench/bench_io.c -lpthread || exit 1
cc -O2 -o "$B/bench_io_uv" bench/bench_io_uv.c -luv || exit 1
PIN0="taskset -c 0"; PIN1="taskset -c 1"
command -v taskset >/dev/null || { PIN0=""; PIN1=""; }
HZ=$(getconf CLK_TCK)
run() { # server-binary port conns -> "req/s requests cpu_seconds"
  $PIN0 "$1" http "$2" $((SECS + 5)) > "$B/server.log" 2>&1 & local pid=$!
  local i; for i in $(seq 40); do grep -q "server on" "$B/server.log" && break; sleep 0.05; done
  sleep 0.1; kill -0 "$pid" 2>/dev/null && grep -q "server on" "$B/server.log" || { echo "$1 did not start: $(cat "$B/server.log")" >&2; kill "$pid" 2>/dev/null; echo "0 0 1"; return; }
  local t0; t0=$(awk '{print $14 + $15}' /proc/$pid/stat)
  $PIN1 wrk -t1 -c"$3" -d"${SECS}s" "http://127.0.0.1:$2/" > "$B/wrk.txt" 2>&1
  local t1; t1=$(awk '{print $14 + $15}' /proc/$pid/stat)
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  local rps n
  rps=$(awk '/Requests\/sec/ {print $2}' "$B/wrk.txt"); n=$(awk '/requests in/ {print $1}' "$B/wrk.txt")
  grep -q "Socket errors" "$B/wrk.txt" && grep "Socket errors" "$B/wrk.txt" >&2
  echo "${rps:-0} ${n:-0} $(echo "($t1 - $t0) / $HZ" | bc -l)"
}
P=$((20000 + RANDOM % 8000))   # below the ephemeral range (32768-60999)
printf "%-6s %12s %12s %6s   %14s %14s %6s\n" conns arsenal_r/s libuv_r/s ratio arsenal_r/cpu-s libuv_r/cpu-s ratio
for c in $CONNS; do
  ar=0; ur=0; an=0; un=0; ac=0; uc=0
  for _ in $(seq "$ROUNDS"); do
    P=$((P + 2))
    read -r r n t < <(run "$B/bench_io" $P "$c"); ar=$(echo "$ar + $r" | bc); an=$(echo "$an + $n" | bc); ac=$(echo "$ac + $t" | bc -l)
    read -r r n t < <(run "$B/bench_io_uv" $((P + 1)) "$c"); ur=$(echo "$ur + $r" | bc); un=$(echo "$un + $n" | bc); uc=$(echo "$uc + $t" | bc -l)
  done
  printf "%-6s %12.0f %12.0f %6.2f   %14.0f %14.0f %6.2f\n" "$c" "$(echo "$ar / $ROUNDS" | bc -l)" "$(echo "$ur / $ROUNDS" | bc -l)" \
    "$(echo "$ar / $ur" | bc -l)" "$(echo "$an / $ac" | bc -l)" "$(echo "$un / $uc" | bc -l)" "$(echo "($an / $ac) / ($un / $uc)" | bc -l)"
done
