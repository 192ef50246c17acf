#!/usr/bin/env bash
# extra_compress.sh - arsenal_compress.h beyond its unit tests (matrix leg
# "extra"): interop with the lz4 command-line tool both ways, natively and
# from big-endian s390x under qemu-user, then the libFuzzer target for a
# bounded time. Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
pass=0; fail=0
L=${MATRIX_DIR:-build/matrix}      # logs and builds go with the matrix run's
mkdir -p "$L/fuzz" "$L/inc"
# the same on a big-endian CPU (the frame's fields are little-endian): our
# tool built for s390x and run under qemu-user, the lz4 tool native; it runs
# in the background, beside the native interop and the fuzzer (whose run is
# bounded by time, not count)
ln -sf /usr/include/xxhash.h "$L/inc/xxhash.h"
interop_s390x() {
  command -v s390x-linux-gnu-gcc >/dev/null 2>&1 && command -v qemu-s390x >/dev/null 2>&1 &&
  { [ -e build/sysroot/s390x/.done ] || bash tests/cross_sysroot.sh >/dev/null 2>&1; } &&
  CC=s390x-linux-gnu-gcc RUN=qemu-s390x \
  CFLAGS="-O2 -static -I$L/inc -isystem build/sysroot/s390x/usr/include -Lbuild/sysroot/s390x/usr/lib/s390x-linux-gnu" \
    bash tests/compress_interop.sh > "$L"/compress_interop_s390x.log 2>&1
}
interop_s390x & be_pid=$!
if bash tests/compress_interop.sh > "$L"/compress_interop.log 2>&1; then
  pass=$((pass + 1)); echo "interop: $(tail -1 "$L"/compress_interop.log)"
else
  fail=$((fail + 1)); echo "interop FAILED:"; tail -20 "$L"/compress_interop.log
fi
if clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
     tests/fuzz_compress.c -o "$L"/fuzz/fuzz_compress -llz4 > "$L"/fuzz/build.log 2>&1 &&
   "$L"/fuzz/fuzz_compress -max_total_time="${FUZZ_SECONDS:-20}" -rss_limit_mb=1024 -seed=1 \
     > "$L"/fuzz/run.log 2>&1; then
  pass=$((pass + 1)); echo "fuzz: $(grep -o 'Done [0-9]* runs in [0-9]* second(s)' "$L"/fuzz/run.log)"
else
  fail=$((fail + 1)); echo "fuzz FAILED:"; tail -30 "$L"/fuzz/build.log "$L"/fuzz/run.log
fi
if wait $be_pid; then
  pass=$((pass + 1)); echo "interop, big-endian s390x: $(tail -1 "$L"/compress_interop_s390x.log)"
else
  fail=$((fail + 1)); echo "interop, big-endian s390x FAILED (needs gcc-s390x-linux-gnu, qemu-user):"
  tail -20 "$L"/compress_interop_s390x.log 2>/dev/null
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
