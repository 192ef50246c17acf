#!/usr/bin/env bash
# bench/bench_io.sh - HTTP hello: arsenal_io.h (bench/bench_io.c) vs libuv
# (bench/bench_io_uv.c), server pinned to CPU 0, wrk -t1 pinned to CPU 1,
# alternating servers, ROUNDS x SECS each. Prints req/s, and requests per
# second of server CPU time (user+sys from /proc: the fairer figure on a
# shared machine, where the CPU a server gets varies), and both ratios.
#   bench/bench_io.sh [SECS=3] [ROUNDS=2] [CONNS="100 1000"]
# Then the echo row: examples/io_echo_client.c (64-byte ping-pong, pinned to
# CPU 1) against arsenal's echo server (bench_io echo), libuv's
# (bench_io_uv echo) and libevent's (bench/bench_io_event.c), each pinned to
# CPU 0, SECS per run, ECHO_CONNS ["1 100 1000"]: round trips/s, p99 and the
# ratios to the better peer. ONLY=http or ONLY=echo runs one table.
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
ONLY=${ONLY:-all}; ECHO_CONNS=${ECHO_CONNS:-1 100 1000}
[ "$ONLY" = echo ] && CONNS=""
[ -n "$CONNS" ] && printf "%-6s %12s %12s %6s   %14s %14s %6s\n" conns arsenal_r/s libuv_r/s ratio arsenal_r/cpu-s libuv_r/cpu-s ratio
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

[ "$ONLY" = http ] && exit 0
cc -O2 -D_DEFAULT_SOURCE -o "$B/io_echo_client" examples/io_echo_client.c -lpthread || exit 1
cc -O2 -o "$B/bench_io_event" bench/bench_io_event.c -levent || exit 1
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
echo_run() { # server-binary port conns -> "rt/s p99_us"
  $PIN0 "$1" echo "$2" $((SECS + 5)) > "$B/server.log" 2>&1 & local pid=$!
  local i; for i in $(seq 40); do grep -q "server on" "$B/server.log" && break; sleep 0.05; done
  sleep 0.1; kill -0 "$pid" 2>/dev/null && grep -q "server on" "$B/server.log" || { echo "$1 did not start: $(cat "$B/server.log")" >&2; kill "$pid" 2>/dev/null; echo "0 0"; return; }
  timeout $((SECS + 10)) $PIN1 "$B/io_echo_client" -c "$3" -s 64 -d "$SECS" 127.0.0.1 "$2" > "$B/client.txt" 2>&1
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  grep -q "^rt/s" "$B/client.txt" || cat "$B/client.txt" >&2
  awk '/^rt\/s/ {print $2, $6; f=1} END {if (!f) print "0 0"}' "$B/client.txt"
}
echo
echo "echo 64 B, ${SECS} s per run (round trips/s; p99 in us; ratios: arsenal over the better peer, p99 arsenal/best peer p99)"
printf "%-6s %10s %10s %10s %7s   %8s %8s %8s %7s\n" conns arsenal libuv libevent ratio p99_ars p99_uv p99_ev p99_r
for c in $ECHO_CONNS; do
  P=$((P + 3))
  read -r ar ap < <(echo_run "$B/bench_io" $P "$c")
  read -r ur up < <(echo_run "$B/bench_io_uv" $((P + 1)) "$c")
  read -r er ep < <(echo_run "$B/bench_io_event" $((P + 2)) "$c")
  best=$ur; bp=$up; [ "$(echo "$er > $ur" | bc -l)" = 1 ] && best=$er
  [ "$ep" -lt "$up" ] 2>/dev/null && bp=$ep
  printf "%-6s %10.0f %10.0f %10.0f %7.2f   %8s %8s %8s %7.2f\n" "$c" "$ar" "$ur" "$er" \
    "$(echo "if ($best > 0) $ar / $best else 0" | bc -l)" "$ap" "$up" "$ep" "$(echo "if ($bp > 0) $ap / $bp else 0" | bc -l)"
done
