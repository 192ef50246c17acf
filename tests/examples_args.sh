#!/usr/bin/env bash
# tests/examples_args.sh - the examples that take arguments refuse bad ones
# clearly, and still work with good ones. Builds compress_file, hash_digest,
# hash_wordcount, io_chat, io_echo_client, io_echo_server and io_http_hello
# (make, warnings as errors) into $B, then for each:
#   - a number that is not one, one out of range, an unknown option, an
#     option without its value: exit status 2 before anything starts, stderr
#     names the option and has the usage line;
#   - a failure at start-up (a port already in use, an address that is not
#     this machine's, a file that does not exist, no server to connect to):
#     a non-zero exit and the reason on stderr (a server must not idle);
#   - a quick valid run: its usual output and exit status 0.
# Every run is bounded by `timeout 5`. Ends with "N passed, N failed".
#   tests/examples_args.sh       B=build dir [build/examples_args], CC [cc]
set -u
cd "$(dirname "$0")/.." || exit 2
B=${B:-build/examples_args}
mkdir -p "$B/tmp"
T=$B/tmp
pass=0; fail=0
ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }

EX="compress_file hash_digest hash_wordcount io_chat io_echo_client io_echo_server io_http_hello"
targets=""; for e in $EX; do targets="$targets $B/examples/$e"; done
# shellcheck disable=SC2086
if ! make -s BUILD="$B" CC="${CC:-cc}" CFLAGS="-O2 -g -Werror" $targets > "$T/build.log" 2>&1; then
  cat "$T/build.log"; echo "0 passed, 1 failed"; exit 1
fi
X=$B/examples

# refuse WANT PATTERN... -- CMD ARGS: CMD exits with WANT (2, or nz: any
# non-zero but timeout's 124) within 5 s, and stderr holds every PATTERN
# (fixed strings)
refuse() {
  local want=$1 pats=() rc p miss=""; shift
  while [ "$1" != -- ]; do pats+=("$1"); shift; done; shift
  timeout 5 "$@" < /dev/null > "$T/out" 2> "$T/err"; rc=$?
  for p in "${pats[@]}"; do grep -qF -- "$p" "$T/err" || miss="$miss '$p'"; done
  local what="${*#"$X/"}"
  if [ $rc = 124 ]; then bad "$what: still running after 5 s"
  elif [ "$want" = nz ] && [ $rc = 0 ]; then bad "$what: exit 0, expected non-zero"
  elif [ "$want" != nz ] && [ $rc != "$want" ]; then bad "$what: exit $rc, expected $want; stderr: $(head -c 300 "$T/err")"
  elif [ -n "$miss" ]; then bad "$what: exit $rc, stderr lacks$miss: $(head -c 300 "$T/err")"
  else ok "$what: exit $rc: $(head -1 "$T/err")"; fi
}
# refuse_arg EXAMPLE: an unknown option and --bogus: exit 2 with the usage line
refuse_unknown() {
  refuse 2 "-x" "usage:" -- "$X/$1" -x
  refuse 2 "--bogus" "usage:" -- "$X/$1" --bogus
}
# help EXAMPLE: --help prints the usage line on stdout, exit 0
help() {
  if timeout 5 "$X/$1" --help < /dev/null > "$T/out" 2> "$T/err" && grep -q "^usage: $1" "$T/out"; then
    ok "$1 --help: $(head -1 "$T/out")"
  else bad "$1 --help: $(head -c 200 "$T/out") $(head -c 200 "$T/err")"; fi
}
# wait_line FILE TEXT PID: TEXT shows in FILE within 5 s while PID runs
wait_line() {
  local _; for _ in $(seq 50); do grep -q "$2" "$1" 2>/dev/null && return 0; kill -0 "$3" 2>/dev/null || break; sleep 0.1; done
  grep -q "$2" "$1" 2>/dev/null
}

P=$((20000 + RANDOM % 10000))        # below the ephemeral range
NOTHERE=192.0.2.1                    # TEST-NET-1: no address of this machine

# ---------------------------------------------------------- io_echo_server
E=io_echo_server
refuse 2 "-p" "1 to 65535" "usage:" -- "$X/$E" -p abc
refuse 2 "-p" "1 to 65535" "usage:" -- "$X/$E" -p 99999
refuse 2 "-p" "1 to 65535" -- "$X/$E" -p 0
refuse 2 "-p" "1 to 65535" -- "$X/$E" -p 12abc
refuse 2 "-p" "1 to 65535" -- "$X/$E" -p ""
refuse 2 "-t" "1 to 64" -- "$X/$E" -t 0
refuse 2 "-t" "1 to 64" -- "$X/$E" -t -3
refuse 2 "-t" "1 to 64" -- "$X/$E" -t 500
refuse 2 "-d" "1 to 86400" -- "$X/$E" -d 1s
refuse 2 "-s" "0 to 1000000" -- "$X/$E" -s 2000000
refuse 2 "-d" "1 to 86400" -- "$X/$E" -d 99999999999999999999
refuse 2 "-p" "value" "usage:" -- "$X/$E" -p
refuse 2 "-h" "value" "usage:" -- "$X/$E" -d 1 -h
refuse_unknown $E
help $E
refuse nz "listen $NOTHERE:$P" -- "$X/$E" -h $NOTHERE -p $P -d 1
if grep -q "server on" "$T/out"; then bad "$E: 'server on' printed though the listen failed"
else ok "$E: no 'server on' line when the listen fails"; fi
if timeout 5 "$X/$E" -p $P -d 1 > "$T/out" 2> "$T/err" && grep -q "^echo server on 127.0.0.1:$P, 1 thread(s), backend " "$T/out" \
   && grep -q "^served 0 connections, 0 bytes" "$T/out"; then ok "$E -p $P -d 1: exit 0 by itself"
else bad "$E -p $P -d 1: $(cat "$T/out" "$T/err" | head -5)"; fi
if timeout 5 "$X/$E" -p $P -t 2 -s 0 -d 1 > "$T/out" 2> "$T/err" && grep -q "^echo server on 127.0.0.1:$P, 2 thread(s)" "$T/out"; then
  ok "$E -p $P -t 2 -s 0 -d 1: exit 0 by itself"
else bad "$E -p $P -t 2 -s 0 -d 1: $(cat "$T/out" "$T/err" | head -5)"; fi

# ---------------------------------------------------------- io_http_hello
E=io_http_hello
refuse 2 "-p" "1 to 65535" "usage:" -- "$X/$E" -p abc
refuse 2 "-p" "1 to 65535" -- "$X/$E" -p 65536
refuse 2 "-t" "1 to 64" -- "$X/$E" -t 0
refuse 2 "-d" "1 to 86400" -- "$X/$E" -d -1
refuse 2 "-d" "value" "usage:" -- "$X/$E" -d
refuse_unknown $E
help $E
if timeout 5 "$X/$E" -p $P -d 1 > "$T/out" 2> "$T/err" && grep -q "^http server on 127.0.0.1:$P, 1 thread(s), backend " "$T/out" \
   && grep -q "^served 0 requests" "$T/out"; then ok "$E -p $P -d 1: exit 0 by itself"
else bad "$E -p $P -d 1: $(cat "$T/out" "$T/err" | head -5)"; fi

# ---------------------------------------------------------- io_chat
E=io_chat
refuse 2 "-p" "1 to 65535" "usage:" -- "$X/$E" -p abc
refuse 2 "-p" "1 to 65535" -- "$X/$E" -p 70000
refuse 2 "-p" "value" "usage:" -- "$X/$E" -p
refuse_unknown $E
help $E
refuse nz "listen $NOTHERE:$P" -- "$X/$E" -h $NOTHERE -p $P
# a port already in use: io_chat holds it (without SO_REUSEPORT), then
# every server is started on it
timeout 20 "$X/$E" -p $P > "$T/chat.log" 2>&1 & CPID=$!
if wait_line "$T/chat.log" "^chat on 127.0.0.1:$P (backend " $CPID; then
  ok "$E -p $P: $(head -1 "$T/chat.log")"
  if command -v nc > /dev/null; then
    printf 'hi\n' | timeout 5 nc -q1 127.0.0.1 $P > /dev/null   # the chat is alone: it answers nothing
    if grep -q "user1 joined" "$T/chat.log"; then ok "$E: a client joins"; else bad "$E: no join seen"; fi
  else echo "skip $E join (nc not installed)"; fi
  refuse nz "listen 127.0.0.1:$P" -- "$X/io_chat" -p $P
  refuse nz "listen 127.0.0.1:$P" -- "$X/io_echo_server" -p $P -d 1
  refuse nz "listen 127.0.0.1:$P" -- "$X/io_http_hello" -p $P -d 1
else bad "$E -p $P: no 'chat on' line: $(head -5 "$T/chat.log")"; fi
kill $CPID 2>/dev/null; wait $CPID 2>/dev/null

# ---------------------------------------------------------- io_echo_client
E=io_echo_client
refuse 2 "-c" "1 to 1000000" "usage:" -- "$X/$E" -c abc
refuse 2 "-c" "1 to 1000000" -- "$X/$E" -c 0
refuse 2 "-s" "1 to 67108864" -- "$X/$E" -s 0
refuse 2 "-d" "1 to 86400" -- "$X/$E" -d 3x
refuse 2 "-n" "1 to 1000000000" -- "$X/$E" -n -5
refuse 2 "PORT" "1 to 65535" "usage:" -- "$X/$E" 127.0.0.1 http
refuse 2 "PORT" "1 to 65535" -- "$X/$E" 127.0.0.1 99999
refuse 2 "usage:" -- "$X/$E" 127.0.0.1 7000 extra
refuse 2 "-c" "value" "usage:" -- "$X/$E" -c
refuse_unknown $E
help $E
refuse nz "connect 127.0.0.1:$P" -- "$X/$E" -n 1 127.0.0.1 $P      # nobody listens there now
timeout 10 "$X/io_echo_server" -p $P -d 4 > "$T/srv.log" 2>&1 & SPID=$!
if wait_line "$T/srv.log" "server on" $SPID; then
  if timeout 5 "$X/$E" -c 2 -s 100 -n 20 127.0.0.1 $P > "$T/out" 2> "$T/err" \
     && grep -q "^rt/s [0-9]* p50_us [0-9]* p99_us [0-9]* max_us [0-9]* rts 40 conns 2 errors 0$" "$T/out"; then
    ok "$E -c 2 -s 100 -n 20: $(cat "$T/out")"
  else bad "$E -c 2 -s 100 -n 20: $(cat "$T/out" "$T/err" | head -5)"; fi
else bad "io_echo_server -p $P -d 4: no 'server on' line: $(head -5 "$T/srv.log")"; fi
kill $SPID 2>/dev/null; wait $SPID 2>/dev/null

# ---------------------------------------------------------- compress_file
E=compress_file
head -c 100000 README.md > "$T/small"; printf 'tail line\n' >> "$T/small"
refuse 2 "-13" "1 to 12" "usage:" -- "$X/$E" -13 "$T/small" "$T/o.lz4"
refuse 2 "-1x" "1 to 12" -- "$X/$E" -1x "$T/small" "$T/o.lz4"
refuse 2 "-0" "1 to 12" -- "$X/$E" -0 "$T/small" "$T/o.lz4"
refuse 2 "--fast" "1 to 65536" -- "$X/$E" --fast=abc "$T/small" "$T/o.lz4"
refuse 2 "--fast" "1 to 65536" -- "$X/$E" --fast=0 "$T/small" "$T/o.lz4"
refuse 2 "--fast" "1 to 65536" -- "$X/$E" --fast= "$T/small" "$T/o.lz4"
refuse 2 "-B9" "usage:" -- "$X/$E" -B9 "$T/small" "$T/o.lz4"
refuse 2 "usage:" -- "$X/$E" "$T/small"
refuse 2 "usage:" -- "$X/$E" "$T/small" "$T/o.lz4" third
refuse_unknown $E
help $E
refuse 1 "$T/nonexistent" -- "$X/$E" "$T/nonexistent" "$T/o.lz4"
refuse 1 "$T/no/such/dir/o.lz4" -- "$X/$E" "$T/small" "$T/no/such/dir/o.lz4"
for opts in "" "-9 -BD -BX -B4" "--fast=4 --content-size"; do
  rm -f "$T/o.lz4" "$T/o.back"
  # shellcheck disable=SC2086
  if timeout 5 "$X/$E" $opts "$T/small" "$T/o.lz4" 2> "$T/err" && timeout 5 "$X/$E" -d "$T/o.lz4" "$T/o.back" 2>> "$T/err" \
     && cmp -s "$T/small" "$T/o.back"; then ok "$E ${opts:+$opts }round trip of $(stat -c %s "$T/small") bytes ($(stat -c %s "$T/o.lz4") compressed)"
  else bad "$E ${opts:+$opts }round trip: $(head -c 300 "$T/err")"; fi
done
# shellcheck disable=SC2094  # $T/small is only read
if timeout 5 "$X/$E" - - < "$T/small" 2> "$T/err" | timeout 5 "$X/$E" -d - - 2> "$T/err2" | cmp -s - "$T/small"; then
  ok "$E - - (stdin to stdout) round trip"
else bad "$E - - round trip: $(head -c 300 "$T/err" "$T/err2")"; fi

# ---------------------------------------------------------- hash_digest
E=hash_digest
printf 'The quick brown fox jumps over the lazy dog' > "$T/fox"   # its sums: in hash_digest.c, from xxhsum
cp "$T/fox" "$T/-fox"
refuse_unknown $E
help $E
refuse 1 "$T/nonexistent" -- "$X/$E" "$T/nonexistent"
if timeout 5 "$X/$E" "$T/fox" > "$T/out" 2> "$T/err" \
   && [ "$(cat "$T/out")" = "0b242d361fda71bc  ddd650205ca3e7fa24a1cc2e3a8a7651  $T/fox" ]; then ok "$E FILE: $(cat "$T/out")"
else bad "$E FILE: $(cat "$T/out" "$T/err" | head -3)"; fi
if (cd "$T" && timeout 5 "../examples/$E" -- -fox > out2 2> err2) \
   && [ "$(cat "$T/out2")" = "0b242d361fda71bc  ddd650205ca3e7fa24a1cc2e3a8a7651  -fox" ]; then ok "$E -- -fox: $(cat "$T/out2")"
else bad "$E -- -fox: $(cat "$T/out2" "$T/err2" | head -3)"; fi
if timeout 5 "$X/$E" - < "$T/fox" > "$T/out" 2> "$T/err" && grep -q "^0b242d361fda71bc  ddd650205ca3e7fa24a1cc2e3a8a7651  -$" "$T/out"; then
  ok "$E - (stdin)"
else bad "$E -: $(cat "$T/out" "$T/err" | head -3)"; fi

# ---------------------------------------------------------- hash_wordcount
E=hash_wordcount
printf 'one two two three three three\n' > "$T/words"
refuse_unknown $E
help $E
refuse 2 "usage:" -- "$X/$E" "$T/words" "$T/words"
refuse 1 "$T/nonexistent" -- "$X/$E" "$T/nonexistent"
if timeout 5 "$X/$E" "$T/words" > "$T/out" 2> "$T/err" && [ "$(head -2 "$T/out")" = "6 words, 3 distinct
       3  three" ]; then ok "$E FILE: $(head -1 "$T/out")"
else bad "$E FILE: $(cat "$T/out" "$T/err" | head -3)"; fi
for args in "" "-" "-- -"; do
  # shellcheck disable=SC2086
  if timeout 5 "$X/$E" $args < "$T/words" > "$T/out" 2> "$T/err" && [ "$(head -1 "$T/out")" = "6 words, 3 distinct" ]; then ok "$E $args < FILE"
  else bad "$E $args < FILE: $(cat "$T/out" "$T/err" | head -3)"; fi
done

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
