#!/usr/bin/env bash
# extra_coro.sh - arsenal_coro.h beyond its unit tests (matrix leg "extra"):
# the AArch64 switch with BTI enforced (tests/coro_bti_aarch64.c, built
# freestanding with -mbranch-protection=standard and run in
# qemu-aarch64 -cpu max), and its control: a call to a function without a
# landing pad must fault there with SIGILL. Then test_coro built with
# ARSENAL_CORO_SHARE_FPENV (one set of x86 FP modes per thread) on each x86
# asm switch: x86_64 System V natively, i386 under qemu-i386, Windows x64
# under wine's 64-bit loader. Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
pass=0; fail=0
D=${MATRIX_DIR:-build/matrix}/bti
mkdir -p "$D"
CC=aarch64-linux-gnu-gcc
FLAGS="-std=c99 -O2 -ffreestanding -nostdlib -static -mno-outline-atomics -mbranch-protection=standard
  -fno-stack-protector -Wall -Wextra -Wpedantic -Werror -I."
if ! command -v "$CC" >/dev/null 2>&1 || ! command -v qemu-aarch64 >/dev/null 2>&1; then
  echo "needs $CC and qemu-aarch64 (make deps)"; echo "0 passed, 1 failed"; exit 1
fi
# shellcheck disable=SC2086
if $CC $FLAGS -o "$D/bti" tests/coro_bti_aarch64.c > "$D/build.log" 2>&1 &&
   readelf -n "$D/bti" | grep -q 'AArch64 feature: BTI' &&
   qemu-aarch64 -cpu max "$D/bti" > "$D/run.log" 2>&1; then
  pass=$((pass + 1)); echo "bti: $(cat "$D/run.log")"
else
  fail=$((fail + 1)); echo "bti FAILED:"; cat "$D/build.log" "$D/run.log" 2>/dev/null | tail -20
fi
# shellcheck disable=SC2086
if $CC $FLAGS -DBTI_CONTROL -o "$D/bti_control" tests/coro_bti_aarch64.c > "$D/build_control.log" 2>&1; then
  # in a subshell whose stderr is dropped: the shell's own "Illegal instruction" notice
  ( qemu-aarch64 -cpu max "$D/bti_control" > "$D/run_control.log" 2>&1; echo $? > "$D/rc_control" ) 2>/dev/null
  rc=$(cat "$D/rc_control")
  if [ "$rc" = 132 ]; then pass=$((pass + 1)); echo "bti control: a call without a landing pad faults (SIGILL)"
  else fail=$((fail + 1)); echo "bti control FAILED (exit $rc, want 132: BTI not enforced?)"; cat "$D/run_control.log"; fi
else
  fail=$((fail + 1)); echo "bti control: build FAILED"; tail -20 "$D/build_control.log"
fi
# share_fpenv NAME CC RUNNER [FLAGS...]: test_coro with shared FP modes
share_fpenv() {
  local name=$1 cc=$2 runner=$3 out
  shift 3
  out="$D/share_fpenv_$name"
  case "$cc" in *mingw32*) out="$out.exe" ;; esac
  # shellcheck disable=SC2086
  if ! $cc -O2 -Wall -Wextra -Wpedantic -Werror -DARS_TEST_QUICK -DARSENAL_CORO_SHARE_FPENV "$@" \
       -Itests -I. -o "$out" tests/test_coro.c -lpthread > "$out.build.log" 2>&1; then
    fail=$((fail + 1)); echo "share-fpenv $name: build FAILED"; tail -20 "$out.build.log"; return
  fi
  # shellcheck disable=SC2086
  if timeout 600 $runner "$out" > "$out.run.log" 2>&1; then
    pass=$((pass + 1)); echo "share-fpenv $name: $(grep -E '^[0-9]+ passed' "$out.run.log" | tail -1)"
  else
    fail=$((fail + 1)); echo "share-fpenv $name FAILED:"; grep -v '^ok ' "$out.run.log" | tail -20
  fi
}
share_fpenv x86_64 "${CC_NATIVE:-gcc}" "" -std=c99 -D_DEFAULT_SOURCE
share_fpenv i386 i686-linux-gnu-gcc qemu-i386 -std=c99 -D_DEFAULT_SOURCE -static
WINE64=wine64
[ -x /usr/lib/wine/wine64 ] && WINE64=/usr/lib/wine/wine64
share_fpenv win64 x86_64-w64-mingw32-gcc \
  "env WINEPREFIX=${ARS_WINEPREFIX:-$PWD/build/wineprefix} WINEDEBUG=-all $WINE64" -std=c99 -static
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
