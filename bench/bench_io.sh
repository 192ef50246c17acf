#!/usr/bin/env bash
# bench/bench_io.sh - arsenal_io.h against libuv, libevent and nginx, servers
# pinned to CPU 0 and the load generator to CPU 1 (taskset), over loopback.
#   bench/bench_io.sh [SECS=3] [ROUNDS=3]
# Four tables (ONLY=http|echo|rss|scale runs one):
#  1. HTTP hello, keep-alive, `wrk -t1 -cN` (HTTP_CONNS ["100 1000"]):
#     bench_io (arsenal), bench_io_uv (libuv) and nginx (nginx-light: one
#     process, one worker, `return 200`), alternating, ROUNDS x SECS each.
#     req/s, and requests per second of server CPU time (user+sys from /proc:
#     the fairer figure on a shared machine), with ratios to libuv and nginx.
#     Then the same with HTTP_PIPE [16] requests per write
#     (bench/wrk_pipeline.lua; HTTP_PIPE=0 skips it). One request at a
#     time per connection, the one wrk thread is the limit here (the three
#     servers come within a few percent of each other, each with idle CPU
#     time); pipelined, each server runs at its own limit.
#  2. Echo, 64-byte ping-pong from examples/io_echo_client.c (ECHO_CONNS
#     ["1 100 1000 10000"]): bench_io echo, bench_io_uv echo and
#     bench/bench_io_event.c, ROUNDS interleaved runs each: round trips/s,
#     round trips per server CPU-second, p99 (the median round's: p99 varies
#     by a quarter between runs here; with an even ROUNDS the lower middle
#     one, which favours the peers, as their bar is the better of two), and
#     ratios to the better peer. A fourth server, bench_io built with
#     ARSENAL_IO_SPIN_US=0 ("nospin": its idle loop blocks at once, as the
#     peers' do), shows what the busy-poll buys and costs. The client is
#     built with the default spin for every server.
#  3. Resident memory per idle connection: each echo server's VmRSS before
#     and while the client holds IDLE_CONNS [10000] idle connections.
#  4. Scaling: examples/io_echo_server.c with -t 1 and -t 2 (SO_REUSEPORT),
#     nothing pinned, the load generator sharing the two cores.
# Every server stops by itself; everything talks to 127.0.0.1 only.
set -u
cd "$(dirname "$0")/.." || exit 2
SECS=${1:-3}; ROUNDS=${2:-3}
HTTP_CONNS=${HTTP_CONNS:-100 1000}; ECHO_CONNS=${ECHO_CONNS:-1 100 1000 10000}
IDLE_CONNS=${IDLE_CONNS:-10000}; ONLY=${ONLY:-all}
B=build/bench_io; mkdir -p "$B"
cc -O2 -D_DEFAULT_SOURCE -o "$B/bench_io" bench/bench_io.c -lpthread || exit 1
cc -O2 -D_DEFAULT_SOURCE -DARSENAL_IO_SPIN_US=0 -o "$B/bench_io_nospin" bench/bench_io.c -lpthread || exit 1
cc -O2 -o "$B/bench_io_uv" bench/bench_io_uv.c -luv || exit 1
cc -O2 -o "$B/bench_io_event" bench/bench_io_event.c -levent || exit 1
cc -O2 -D_DEFAULT_SOURCE -o "$B/io_echo_client" examples/io_echo_client.c -lpthread || exit 1
cc -O2 -D_DEFAULT_SOURCE -o "$B/io_echo_server" examples/io_echo_server.c -lpthread || exit 1
PIN0="taskset -c 0"; PIN1="taskset -c 1"
command -v taskset >/dev/null || { PIN0=""; PIN1=""; }
HZ=$(getconf CLK_TCK)
# descriptors for 10,000 connections in each of the server and the client
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
P=$((20000 + RANDOM % 8000))   # below the ephemeral range (32768-60999)
cpu_of() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
wait_on() { # log pid: until the server says it listens
  local i; for i in $(seq 60); do grep -q "server on" "$1" && break; sleep 0.05; done
  sleep 0.1; kill -0 "$2" 2>/dev/null && grep -q "server on" "$1"
}

# nginx: one process (master_process off), one worker, no access log
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
nginx_start() { # port -> pid in NGX_PID
  local d; d=$(pwd)/$B/nginx; mkdir -p "$d"
  cat > "$d/nginx.conf" <<EOF
worker_processes 1;
master_process off;
daemon off;
user root;
pid $d/nginx.pid;
error_log $d/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    server_tokens off;
    keepalive_requests 100000000;
    client_body_temp_path $d/body; proxy_temp_path $d/proxy; fastcgi_temp_path $d/fastcgi;
    scgi_temp_path $d/scgi; uwsgi_temp_path $d/uwsgi;
    server {
        listen 127.0.0.1:$1;
        location / { default_type text/plain; return 200 "Hello, World!"; }
    }
}
EOF
  [ "$(id -u)" = 0 ] || sed -i '/^user root;/d' "$d/nginx.conf"
  $PIN0 "$NGINX" -c "$d/nginx.conf" -p "$d" > "$d/out.log" 2>&1 & NGX_PID=$!
  local i; for i in $(seq 60); do (echo > "/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done
  echo "nginx did not start: $(cat "$d/error.log" "$d/out.log" 2>/dev/null)" >&2; return 1
}

http_run() { # name port conns [pipeline depth] -> "req/s requests cpu_seconds"
  local pid t0 t1 rps n script=()
  [ "${4:-0}" -gt 0 ] && script=(-s bench/wrk_pipeline.lua)
  if [ "$1" = nginx ]; then
    [ -x "$NGINX" ] && nginx_start "$2" || { echo "0 0 1"; return; }
    pid=$NGX_PID
  else
    $PIN0 "$B/$1" http "$2" $((SECS + 5)) > "$B/server.log" 2>&1 & pid=$!
    wait_on "$B/server.log" $pid || { echo "$1 did not start: $(cat "$B/server.log")" >&2; kill $pid 2>/dev/null; echo "0 0 1"; return; }
  fi
  t0=$(cpu_of $pid)
  DEPTH=${4:-1} $PIN1 wrk -t1 -c"$3" -d"${SECS}s" "${script[@]}" "http://127.0.0.1:$2/" > "$B/wrk.txt" 2>&1
  t1=$(cpu_of $pid)
  kill $pid 2>/dev/null; wait $pid 2>/dev/null
  rps=$(awk '/Requests\/sec/ {print $2}' "$B/wrk.txt"); n=$(awk '/requests in/ {print $1}' "$B/wrk.txt")
  grep -q "Socket errors\|Non-2xx" "$B/wrk.txt" && grep "Socket errors\|Non-2xx" "$B/wrk.txt" | sed "s/^/$1: /" >&2
  echo "${rps:-0} ${n:-0} $(echo "($t1 - $t0) / $HZ + 0.001" | bc -l)"
}

HTTP_PIPE=${HTTP_PIPE:-16}
http_table() { # pipeline depth (0: none)
  if [ "$1" -gt 0 ]; then
    echo "HTTP hello, wrk -t1 with $1 pipelined requests per write (bench/wrk_pipeline.lua), ${SECS} s x ${ROUNDS} rounds"
  else
    echo "HTTP hello, wrk -t1, ${SECS} s x ${ROUNDS} rounds (req/s; req per server CPU-second; ratios arsenal/peer)"
  fi
  printf "%-6s %10s %10s %10s %7s %7s   %10s %10s %10s %7s %7s\n" conns arsenal libuv nginx a/uv a/ngx \
    ars_r/cpu uv_r/cpu ngx_r/cpu a/uv a/ngx
  for c in $HTTP_CONNS; do
    declare -A R=() N=() T=()
    for s in bench_io bench_io_uv nginx; do R[$s]=0; N[$s]=0; T[$s]=0; done
    for _ in $(seq "$ROUNDS"); do
      for s in bench_io bench_io_uv nginx; do
        P=$((P + 1))
        read -r r n t < <(http_run $s $P "$c" "$1")
        R[$s]=$(echo "${R[$s]} + $r" | bc); N[$s]=$(echo "${N[$s]} + $n" | bc); T[$s]=$(echo "${T[$s]} + $t" | bc -l)
      done
    done
    ra() { echo "if (${R[$2]} > 0) ${R[$1]} / ${R[$2]} else 0" | bc -l; }
    ca() { echo "if (${N[$2]} > 0) (${N[$1]} / ${T[$1]}) / (${N[$2]} / ${T[$2]}) else 0" | bc -l; }
    printf "%-6s %10.0f %10.0f %10.0f %7.2f %7.2f   %10.0f %10.0f %10.0f %7.2f %7.2f\n" "$c" \
      "$(echo "${R[bench_io]} / $ROUNDS" | bc -l)" "$(echo "${R[bench_io_uv]} / $ROUNDS" | bc -l)" "$(echo "${R[nginx]} / $ROUNDS" | bc -l)" \
      "$(ra bench_io bench_io_uv)" "$(ra bench_io nginx)" \
      "$(echo "${N[bench_io]} / ${T[bench_io]}" | bc -l)" "$(echo "${N[bench_io_uv]} / ${T[bench_io_uv]}" | bc -l)" "$(echo "${N[nginx]} / ${T[nginx]}" | bc -l)" \
      "$(ca bench_io bench_io_uv)" "$(ca bench_io nginx)"
  done
  echo
}
if [ "$ONLY" = all ] || [ "$ONLY" = http ]; then
  http_table 0
  [ "$HTTP_PIPE" -gt 0 ] && http_table "$HTTP_PIPE"
fi

echo_run() { # server port conns -> "rt/s p99_us rts cpu_seconds"
  local pid t0 t1
  $PIN0 "$B/$1" echo "$2" $((SECS + 15)) > "$B/server.log" 2>&1 & pid=$!
  wait_on "$B/server.log" $pid || { echo "$1 did not start: $(cat "$B/server.log")" >&2; kill $pid 2>/dev/null; echo "0 0 0 1"; return; }
  t0=$(cpu_of $pid)
  timeout $((SECS + 20)) $PIN1 "$B/io_echo_client" -c "$3" -s 64 -d "$SECS" 127.0.0.1 "$2" > "$B/client.txt" 2>&1
  t1=$(cpu_of $pid)
  kill $pid 2>/dev/null; wait $pid 2>/dev/null
  grep -q "^rt/s" "$B/client.txt" || sed "s/^/$1: /" "$B/client.txt" >&2
  awk -v cpu="$(echo "($t1 - $t0) / $HZ + 0.001" | bc -l)" \
    '/^rt\/s/ {print $2, $6, $10, cpu; f=1} END {if (!f) print "0 0 0", cpu}' "$B/client.txt"
}

if [ "$ONLY" = all ] || [ "$ONLY" = echo ]; then
  echo "echo 64 B, ${SECS} s x ${ROUNDS} interleaved rounds (round trips/s; per server CPU-second; median-round p99 in us;"
  echo "ratios: arsenal (and arsenal nospin) over the better peer, p99 arsenal over the better peer's)"
  printf "%-6s %9s %9s %9s %9s %6s %6s   %9s %9s %9s %9s %6s %6s   %7s %7s %7s %7s %6s %6s\n" conns arsenal nospin libuv libevent ratio ns_r \
    ars/cpu ns/cpu uv/cpu ev/cpu ratio ns_r p99_ars p99_ns p99_uv p99_ev p99_r ns_r
  SERVERS="bench_io bench_io_nospin bench_io_uv bench_io_event"
  for c in $ECHO_CONNS; do
    declare -A R=() Q=() T=() X=()
    for s in $SERVERS; do R[$s]=0; Q[$s]=""; T[$s]=0; X[$s]=0; done
    for _ in $(seq "$ROUNDS"); do
      for s in $SERVERS; do
        P=$((P + 1))
        read -r r p n t < <(echo_run $s $P "$c")
        R[$s]=$(echo "${R[$s]} + $r" | bc -l); T[$s]=$(echo "${T[$s]} + $t" | bc -l); X[$s]=$(echo "${X[$s]} + $n" | bc)
        Q[$s]="${Q[$s]} $p"
      done
    done
    for s in $SERVERS; do
      Q[$s]=$(echo ${Q[$s]} | tr ' ' '\n' | grep -v '^0*$' | sort -n | awk '{v[NR]=$1} END {print NR ? v[int((NR + 1) / 2)] : 0}')
    done
    a=${R[bench_io]}; a0=${R[bench_io_nospin]}
    best=${R[bench_io_uv]}; [ "$(echo "${R[bench_io_event]} > $best" | bc -l)" = 1 ] && best=${R[bench_io_event]}
    cpu() { echo "if (${T[$1]} > 0) ${X[$1]} / ${T[$1]} else 0" | bc -l; }
    ac=$(cpu bench_io); a0c=$(cpu bench_io_nospin)
    bc_=$(cpu bench_io_uv); [ "$(echo "$(cpu bench_io_event) > $bc_" | bc -l)" = 1 ] && bc_=$(cpu bench_io_event)
    bp=${Q[bench_io_uv]}; [ "${Q[bench_io_event]}" -lt "$bp" ] && bp=${Q[bench_io_event]}
    printf "%-6s %9.0f %9.0f %9.0f %9.0f %6.2f %6.2f   %9.0f %9.0f %9.0f %9.0f %6.2f %6.2f   %7s %7s %7s %7s %6.2f %6.2f\n" "$c" \
      "$(echo "$a / $ROUNDS" | bc -l)" "$(echo "$a0 / $ROUNDS" | bc -l)" \
      "$(echo "${R[bench_io_uv]} / $ROUNDS" | bc -l)" "$(echo "${R[bench_io_event]} / $ROUNDS" | bc -l)" \
      "$(echo "if ($best > 0) $a / $best else 0" | bc -l)" "$(echo "if ($best > 0) $a0 / $best else 0" | bc -l)" \
      "$ac" "$a0c" "$(cpu bench_io_uv)" "$(cpu bench_io_event)" \
      "$(echo "if ($bc_ > 0) $ac / $bc_ else 0" | bc -l)" "$(echo "if ($bc_ > 0) $a0c / $bc_ else 0" | bc -l)" \
      "${Q[bench_io]}" "${Q[bench_io_nospin]}" "${Q[bench_io_uv]}" "${Q[bench_io_event]}" \
      "$(echo "if ($bp > 0) ${Q[bench_io]} / $bp else 0" | bc -l)" "$(echo "if ($bp > 0) ${Q[bench_io_nospin]} / $bp else 0" | bc -l)"
  done
  echo
fi

rss_run() { # server port -> KiB per idle connection
  local pid r0 r1 cpid i
  $PIN0 "$B/$1" echo "$2" 60 > "$B/server.log" 2>&1 & pid=$!
  wait_on "$B/server.log" $pid || { echo "$1 did not start" >&2; kill $pid 2>/dev/null; echo 0; return; }
  r0=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
  $PIN1 "$B/io_echo_client" -i -c "$IDLE_CONNS" -d 30 127.0.0.1 "$2" > "$B/client.txt" 2>&1 & cpid=$!
  for i in $(seq 400); do grep -q "idle conns" "$B/client.txt" && break; sleep 0.05; done
  sleep 1
  r1=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
  grep -q "idle conns $IDLE_CONNS errors 0" "$B/client.txt" || sed "s/^/$1 idle: /" "$B/client.txt" >&2
  kill $cpid $pid 2>/dev/null; wait $cpid $pid 2>/dev/null
  echo "($r1 - $r0) / $IDLE_CONNS" | bc -l
}

if [ "$ONLY" = all ] || [ "$ONLY" = rss ]; then
  echo "resident memory per idle connection, $IDLE_CONNS connected (server VmRSS growth / connections, KiB)"
  printf "%-10s %9s %9s %9s   %s\n" "" arsenal libuv libevent "arsenal/better peer"
  P=$((P + 3))
  ka=$(rss_run bench_io $P); ku=$(rss_run bench_io_uv $((P + 1))); ke=$(rss_run bench_io_event $((P + 2)))
  kb=$ku; [ "$(echo "$ke < $ku" | bc -l)" = 1 ] && kb=$ke
  printf "%-10s %9.2f %9.2f %9.2f   %.2f\n" KiB/conn "$ka" "$ku" "$ke" "$(echo "if ($kb > 0) $ka / $kb else 0" | bc -l)"
  echo
fi

scale_run() { # threads port conns -> rt/s
  ./"$B/io_echo_server" -t "$1" -p "$2" -d $((SECS + 15)) > "$B/server.log" 2>&1 & local pid=$!
  local i; for i in $(seq 60); do (echo > "/dev/tcp/127.0.0.1/$2") 2>/dev/null && break; sleep 0.05; done
  timeout $((SECS + 20)) "$B/io_echo_client" -c "$3" -s 64 -d "$SECS" 127.0.0.1 "$2" > "$B/client.txt" 2>&1
  kill -INT $pid 2>/dev/null; wait $pid 2>/dev/null
  awk '/^rt\/s/ {print $2; f=1} END {if (!f) print 0}' "$B/client.txt"
}

if [ "$ONLY" = all ] || [ "$ONLY" = scale ]; then
  echo "scaling: examples/io_echo_server -t 1 / -t 2, client on the same two cores, nothing pinned (round trips/s)"
  printf "%-6s %10s %10s %8s\n" conns t1 t2 t2/t1
  for c in 100 1000; do
    s1=0; s2=0
    for _ in $(seq "$ROUNDS"); do
      P=$((P + 2))
      s1=$(echo "$s1 + $(scale_run 1 $P "$c")" | bc -l); s2=$(echo "$s2 + $(scale_run 2 $((P + 1)) "$c")" | bc -l)
    done
    printf "%-6s %10.0f %10.0f %8.2f\n" "$c" "$(echo "$s1 / $ROUNDS" | bc -l)" "$(echo "$s2 / $ROUNDS" | bc -l)" \
      "$(echo "if ($s1 > 0) $s2 / $s1 else 0" | bc -l)"
  done
fi
