#!/usr/bin/env bash
# extra_io.sh - arsenal_io.h beyond the matrix's default backend (leg "extra"):
# the whole tests/test_io.c with the poll(2) backend forced, and real clients
# (nc, curl, wrk) against the examples, over epoll and over poll, on loopback.
# Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
L=${MATRIX_DIR:-build/matrix}      # logs and builds go with the matrix run's
mkdir -p "$L/extra_io"
pass=0; fail=0
if gcc -std=c99 -D_DEFAULT_SOURCE -Wall -Wextra -Wpedantic -Werror -O2 -g -DARSENAL_IO_USE_POLL -Itests \
     tests/test_io.c -o "$L"/extra_io/test_io_poll -lpthread &&
   timeout 300 "$L"/extra_io/test_io_poll > "$L"/extra_io/poll.log 2>&1; then
  pass=$((pass + 1)); echo "test_io (poll backend): $(tail -1 "$L"/extra_io/poll.log)"
else
  fail=$((fail + 1)); echo "test_io (poll backend) FAILED"; grep -v '^ok ' "$L"/extra_io/poll.log | tail -20
fi
# the real clients of both backends side by side (their ports are random,
# their checks are not timed; most of each run waits on nc and wrk)
declare -A pid
for backend in epoll poll; do
  flags=""; [ $backend = poll ] && flags=-DARSENAL_IO_USE_POLL
  CFLAGS="$flags" B="$L"/extra_io/$backend timeout 120 bash tests/io_clients.sh > "$L"/extra_io/clients_$backend.log 2>&1 &
  pid[$backend]=$!
done
for backend in epoll poll; do
  if wait "${pid[$backend]}"; then
    pass=$((pass + 1)); echo "real clients ($backend): $(grep -c '^ok' "$L"/extra_io/clients_$backend.log) checks ok"
  else
    fail=$((fail + 1)); echo "real clients ($backend) FAILED"; tail -20 "$L"/extra_io/clients_$backend.log
  fi
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
