#!/usr/bin/env bash
# tests/io_clients.sh - real clients against the arsenal_io.h examples, on
# loopback, bounded in time: nc against examples/io_echo_server.c; curl (GET,
# POST with a body, keep-alive reuse) and wrk against examples/io_http_hello.c.
#   tests/io_clients.sh [CC]      backends: CFLAGS=-DARSENAL_IO_USE_POLL, or
#   CFLAGS="-DARSENAL_IO_USE_KQUEUE -I$KQ/include/kqueue" LIBS=$KQ/lib/libkqueue.a
set -u
cd "$(dirname "$0")/.." || exit 2
CC=${1:-cc}
B=${B:-build/io_clients}
mkdir -p "$B"
fail=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fail=1; }
have() { command -v "$1" >/dev/null 2>&1; }

$CC -O2 -D_DEFAULT_SOURCE ${CFLAGS:-} -o "$B/io_echo_server" examples/io_echo_server.c ${LIBS:-} -lpthread || exit 1
$CC -O2 -D_DEFAULT_SOURCE ${CFLAGS:-} -o "$B/io_http_hello" examples/io_http_hello.c ${LIBS:-} -lpthread || exit 1
EP=$((20000 + RANDOM % 10000)); HP=$((EP + 1))   # below the ephemeral range

"$B/io_echo_server" -p $EP -t 2 -d 30 > "$B/echo.log" 2>&1 & EPID=$!
"$B/io_http_hello" -p $HP -d 30 > "$B/http.log" 2>&1 & HPID=$!
for _ in $(seq 50); do grep -q "server on" "$B/echo.log" "$B/http.log" 2>/dev/null && [ "$(grep -l 'server on' "$B/echo.log" "$B/http.log" | wc -l)" = 2 ] && break; sleep 0.1; done

# nc: echo of a line and of 1 MiB
if have nc; then
  r=$(printf 'hello arsenal\n' | timeout 5 nc -q1 127.0.0.1 $EP)
  [ "$r" = "hello arsenal" ] && ok "nc echo line" || bad "nc echo line: '$r'"
  head -c 1048576 /dev/urandom > "$B/blob"
  timeout 10 nc -q2 127.0.0.1 $EP < "$B/blob" > "$B/blob.back"
  cmp -s "$B/blob" "$B/blob.back" && ok "nc echo 1 MiB" || bad "nc echo 1 MiB ($(stat -c %s "$B/blob.back") bytes back)"
else echo "skip nc (not installed)"; fi

# curl: GET, POST with a body, two requests on one connection
if have curl; then
  r=$(timeout 5 curl -s http://127.0.0.1:$HP/)
  [ "$r" = "Hello, World!" ] && ok "curl GET" || bad "curl GET: '$r'"
  head -c 100000 /dev/urandom > "$B/body"
  r=$(timeout 5 curl -s --data-binary @"$B/body" http://127.0.0.1:$HP/upload)
  [ "$r" = "received 100000 bytes" ] && ok "curl POST 100000-byte body" || bad "curl POST: '$r'"
  r=$(timeout 5 curl -sv http://127.0.0.1:$HP/a http://127.0.0.1:$HP/b 2>&1 | grep -c "Re-using existing connection")
  [ "$r" = 1 ] && ok "curl keep-alive reuse" || bad "curl keep-alive reuse ($r)"
  r=$(printf 'GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\nGET /3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' | timeout 5 nc -q3 127.0.0.1 $HP | grep -c "HTTP/1.1 200")
  [ "$r" = 3 ] && ok "pipelined requests (3 in one write)" || bad "pipelining: $r responses"
  # bad requests get an answer before the close, not a silent close
  r=$(printf 'GARBAGE\r\n\r\n' | timeout 5 nc -q3 127.0.0.1 $HP | head -1 | tr -d '\r')
  [ "$r" = "HTTP/1.1 400 Bad Request" ] && ok "malformed request: 400" || bad "malformed request: '$r'"
  r=$(printf 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 12x\r\n\r\n' | timeout 5 nc -q3 127.0.0.1 $HP | head -1 | tr -d '\r')
  [ "$r" = "HTTP/1.1 400 Bad Request" ] && ok "bad Content-Length: 400" || bad "bad Content-Length: '$r'"
  r=$(printf 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n' | timeout 5 nc -q3 127.0.0.1 $HP | head -1 | tr -d '\r')
  [ "$r" = "HTTP/1.1 501 Not Implemented" ] && ok "chunked body: 501" || bad "chunked body: '$r'"
  r=$( { printf 'GET / HTTP/1.1\r\nHost: x\r\nX-Big: '; head -c 20000 /dev/zero | tr '\0' a; printf '\r\n\r\n'; } | timeout 5 nc -q3 127.0.0.1 $HP | head -1 | tr -d '\r')
  [ "$r" = "HTTP/1.1 431 Request Header Fields Too Large" ] && ok "20 KB head: 431" || bad "20 KB head: '$r'"
  r=$( { printf 'GET /1 HTTP/1.1\r\nHo'; sleep 0.2; printf 'st: x\r\n'; sleep 0.2; printf '\r\nGET /2 HTTP/1.1\r\nConnection: close\r\n\r\n'; } | timeout 5 nc -q3 127.0.0.1 $HP | grep -c "HTTP/1.1 200")
  [ "$r" = 2 ] && ok "a head in three pieces, then a pipelined one" || bad "head in pieces: $r responses"
else echo "skip curl (not installed)"; fi

# wrk: 3 s, 100 connections, no errors
if have wrk; then
  timeout 20 wrk -t1 -c100 -d3s http://127.0.0.1:$HP/ > "$B/wrk.txt" 2>&1
  rps=$(awk '/Requests\/sec/ {print $2}' "$B/wrk.txt")
  errs=$(grep -c "Socket errors\|Non-2xx" "$B/wrk.txt")
  if [ -n "$rps" ] && [ "$errs" = 0 ]; then ok "wrk -c100 3s: $rps req/s, no errors"; else bad "wrk: $(cat "$B/wrk.txt")"; fi
else echo "skip wrk (not installed)"; fi

t0=$(date +%s%N)
kill -TERM $EPID $HPID 2>/dev/null
wait $EPID; e1=$?; wait $HPID; e2=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ $e1 = 0 ] && [ $e2 = 0 ] && [ $ms -lt 3000 ] && ok "graceful shutdown on SIGTERM in $ms ms ($(tail -1 "$B/http.log"))" \
  || bad "shutdown: exit codes $e1 $e2 after $ms ms"
exit $fail
