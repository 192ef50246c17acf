#!/usr/bin/env bash
# tests/matrix.sh - runs Arsenal's test matrix (see tests/README.md).
#
#   tests/matrix.sh            every leg whose tools are installed
#   tests/matrix.sh LEG...     only these legs (names as in the table)
#   tests/matrix.sh --list     the legs
#
# Ends with a table of legs run / passed / failed / skipped. With CI=true a
# skipped leg is a failure. Each test program runs under `timeout`.
set -u
cd "$(dirname "$0")/.." || exit 2
ROOT=$(pwd)
B=${MATRIX_DIR:-build/matrix}   # MATRIX_DIR: another directory, for runs side by side
mkdir -p "$B"
TIMEOUT=${TEST_TIMEOUT:-300}
WARN="-Wall -Wextra -Wpedantic -Werror"
# xxhash.h is header-only: cross and Windows compilers find the host's copy
# through this directory (never through /usr/include as a whole)
mkdir -p "$B/inc"
[ -e /usr/include/xxhash.h ] && ln -sf /usr/include/xxhash.h "$B/inc/xxhash.h"
XINC="-I$ROOT/$B/inc"

ALL_LEGS="compile examples native-gcc-O0 native-gcc-O2 native-clang-O0 native-clang-O2 cxx asan tsan tsan-gcc valgrind ucontext musl
cross-aarch64 cross-armhf-arm cross-armhf-thumb cross-i686 cross-riscv64 cross-s390x
wine-x86_64 wine-fibers mingw-i686 firmware-an385 firmware-an386 firmware-rv32 firmware-rv32f firmware-rv32d firmware-rv32e firmware-rv64 firmware-rv64gc extra"

# results
declare -A RES_STATUS RES_DETAIL
LEG_ORDER=()
record() { LEG_ORDER+=("$1"); RES_STATUS[$1]=$2; RES_DETAIL[$1]=$3; }

have() { command -v "$1" >/dev/null 2>&1; }

# tests/test_*.c[pp] whose `ars-test-legs:` line names the kind $1, minus
# those whose `ars-test-skip:` line names the leg $2 (the reason follows the
# leg names in parentheses; the summary shows it)
tests_for() {
  local kind=$1 leg=${2:-} f
  for f in tests/test_*.c tests/test_*.cpp; do
    [ -e "$f" ] || continue
    grep -m1 -E '^[[:space:]]*ars-test-legs:' "$f" | grep -qw -- "$kind" || continue
    if [ -n "$leg" ] && grep -m1 -E '^[[:space:]]*ars-test-skip:' "$f" | sed 's/(.*//' | grep -qw -- "$leg"; then
      [ -n "${3:-}" ] && echo "; $(basename "$f") left out $(grep -m1 -E 'ars-test-skip:' "$f" | grep -o '(.*)')"
      continue
    fi
    [ -z "${3:-}" ] && echo "$f"
  done
}
libs_of() { grep -m1 -E '^[[:space:]]*ars-test-libs:' "$1" | sed 's/.*ars-test-libs://'; }
# ars-test-libs-<leg>: overrides for a leg family (e.g. ars-test-libs-wine:)
libs_for() {
  local f=$1 fam=$2 l
  l=$(grep -m1 -E "^[[:space:]]*ars-test-libs-$fam:" "$f" | sed "s/.*ars-test-libs-$fam://")
  if [ -n "$l" ]; then echo "$l"; else libs_of "$f"; fi
}

LOG=$B/log.txt
: > "$LOG"
say() { echo "$@" | tee -a "$LOG"; }

# run_leg LEG "compiler and flags" "runner" EXT KIND [LIBFAMILY]
# builds each test program of KIND (and extension EXT: c or cpp) with
# `$cc -o out file $libs`, where libs come from `ars-test-libs[-LIBFAMILY]:`,
# and runs it as `$runner out`. The builds go first, BUILD_JOBS at a time
# (default: the CPU count); the programs then run one after another, as
# several of them measure time.
BUILD_JOBS=${BUILD_JOBS:-$(nproc 2>/dev/null || echo 2)}
# bg_rc RC LOG CMD...: runs CMD in the background, its output to LOG and
# its exit status then to RC; returns once fewer than BUILD_JOBS run
# (bg_wait: once none does)
BG_RUNNING=0
bg_rc() {
  local rc=$1 log=$2; shift 2
  rm -f "$rc"
  ( "$@" >"$log" 2>&1; echo $? > "$rc" ) &
  BG_RUNNING=$((BG_RUNNING + 1))
  if [ "$BG_RUNNING" -ge "$BUILD_JOBS" ]; then wait -n; BG_RUNNING=$((BG_RUNNING - 1)); fi
}
bg_wait() { wait; BG_RUNNING=0; }
run_leg() {
  local leg=$1 cc=$2 runner=$3 ext=$4 kind=$5 fam=${6:-native}
  local f out n=0 pass=0 fail=0 failed="" i
  local files=() outs=()
  mkdir -p "$B/$leg"
  local SKIP_NOTES; SKIP_NOTES=$(tests_for "$kind" "$leg" notes | tr '\n' ' ')
  for f in $(tests_for "$kind" "$leg"); do
    case "$f" in *.cpp) [ "$ext" = c ] && continue ;; *.c) [ "$ext" = cpp ] && continue ;; esac
    out="$B/$leg/$(basename "${f%.*}")"
    case "$cc" in *mingw32*) out="$out.exe" ;; esac
    files+=("$f"); outs+=("$out")
  done
  for i in "${!files[@]}"; do
    # shellcheck disable=SC2086
    bg_rc "${outs[$i]}.build.rc" "${outs[$i]}.build.log" $cc -o "${outs[$i]}" "${files[$i]}" $(libs_for "${files[$i]}" "$fam")
  done
  bg_wait
  for i in "${!files[@]}"; do
    f=${files[$i]}; out=${outs[$i]}
    n=$((n + 1))
    if [ "$(cat "$out.build.rc" 2>/dev/null)" != 0 ]; then
      fail=$((fail + 1)); failed="$failed $(basename "$f")(build)"
      say "  [$leg] BUILD FAILED $f"; sed 's/^/    /' "$out.build.log" | head -20 | tee -a "$LOG"
      continue
    fi
    # shellcheck disable=SC2086
    if timeout "$TIMEOUT" $runner "$out" >"$out.run.log" 2>&1; then
      pass=$((pass + 1))
      say "  [$leg] $(basename "$f"): $(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out.run.log" | tail -1)"
    else
      fail=$((fail + 1)); failed="$failed $(basename "$f")"
      say "  [$leg] FAILED $f (exit $?)"; grep -v '^ok ' "$out.run.log" | tail -25 | sed 's/^/    /' | tee -a "$LOG"
    fi
  done
  if [ $n = 0 ]; then record "$leg" skipped "no test program joins this leg"; return; fi
  if [ $fail = 0 ]; then record "$leg" passed "$pass/$n programs$SKIP_NOTES"
  else record "$leg" FAILED "$pass/$n programs; failed:$failed$SKIP_NOTES"; fi
}

leg_compile() {
  if ! have gcc || ! have clang || ! have g++ || ! have clang++; then record compile skipped "needs gcc, g++, clang, clang++"; return; fi
  if bash tests/compile/check.sh >"$B/compile.log" 2>&1; then
    record compile passed "$(tail -1 "$B/compile.log")"
  else
    record compile FAILED "$(tail -1 "$B/compile.log")"; tail -30 "$B/compile.log" | sed 's/^/    /' | tee -a "$LOG"
  fi
}

# every examples/*.c builds with plain make, warnings as errors; those that
# need no arguments and stop by themselves run (each checks its own results
# and exits non-zero on a wrong one), bounded by a timeout
EXAMPLES_RUN="alloc_firmware_heap alloc_tour chan_fanout chan_pipeline chan_queues chan_select_send chan_threads
chan_worker_pool compress_tour coro_context coro_event coro_generator coro_scheduler hash_digest hash_wordcount
io_udp_echo rtos_hosted rtos_sync"
leg_examples() {
  local e ran=0 bad=""
  if ! make -s -j"$BUILD_JOBS" examples BUILD="$B/examples-build" CFLAGS="-O2 -g -Werror" > "$B/examples.log" 2>&1; then
    record examples FAILED "see $B/examples.log"; tail -20 "$B/examples.log" | sed 's/^/    /' | tee -a "$LOG"
    return
  fi
  # gcc -O3 inlines and vectorises more, and warns about more: build only
  if ! make -s -j"$BUILD_JOBS" examples BUILD="$B/examples-build-O3" CC=gcc CFLAGS="-O3 -g -Werror" >> "$B/examples.log" 2>&1; then
    record examples FAILED "gcc -O3 build, see $B/examples.log"; tail -20 "$B/examples.log" | sed 's/^/    /' | tee -a "$LOG"
    return
  fi
  for e in $EXAMPLES_RUN; do
    if [ ! -x "$B/examples-build/examples/$e" ]; then bad="$bad $e(missing)"; continue; fi
    if timeout 60 "$B/examples-build/examples/$e" < /dev/null >> "$B/examples.log" 2>&1; then
      ran=$((ran + 1))
    else
      bad="$bad $e(exit $?)"
    fi
  done
  if [ -z "$bad" ]; then
    record examples passed "$(ls examples/*.c | wc -l) examples built (also with gcc -O3), $ran ran and checked themselves"
  else
    record examples FAILED "failed:$bad (see $B/examples.log)"; tail -20 "$B/examples.log" | sed 's/^/    /' | tee -a "$LOG"
  fi
}

native() { # leg compiler opt
  local cc=$2
  if ! have "$cc"; then record "$1" skipped "no $cc"; return; fi
  run_leg "$1" "$cc -std=c99 -D_DEFAULT_SOURCE $WARN $3 -g -Itests" "" c native
}

# every C test program compiled as C++, and the C++ test programs, per compiler
leg_cxx() {
  local cxx
  for cxx in g++ clang++; do
    if ! have "$cxx"; then record "cxx-$cxx" skipped "no $cxx"; continue; fi
    run_leg "cxx-$cxx" "$cxx -std=c++11 $WARN -Wno-missing-field-initializers -O2 -Itests -x c++" "" any native
  done
}

leg_asan() {
  if ! have clang; then record asan skipped "no clang"; return; fi
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    run_leg asan "clang -std=c99 -D_DEFAULT_SOURCE $WARN -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all -Itests" "" c asan
}

# TSan with clang's runtime, and with gcc's: it instruments differently,
# and the fiber switching the headers announce to TSan goes through its
# own libtsan
tsan_leg() { # leg compiler
  if ! have "$2"; then record "$1" skipped "no $2"; return; fi
  TSAN_OPTIONS=halt_on_error=1 \
    run_leg "$1" "$2 -std=c99 -D_DEFAULT_SOURCE $WARN -O1 -g -fsanitize=thread -Itests" "" c tsan
}

leg_valgrind() {
  if ! have valgrind; then record valgrind skipped "no valgrind"; return; fi
  run_leg valgrind "gcc -std=c99 -D_DEFAULT_SOURCE $WARN -O1 -g -DARS_TEST_QUICK -Itests" \
    "valgrind -q --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite" c valgrind
}

# musl libc (Alpine and the like): static builds with musl-gcc, liblz4
# built for it from Debian's source (tests/cross_sysroot.sh)
leg_musl() {
  if ! have musl-gcc; then record musl skipped "needs musl-tools"; return; fi
  run_leg musl "musl-gcc -std=c99 -D_DEFAULT_SOURCE $WARN -O2 -static -Itests $XINC $(sysroot_flags musl musl)" "" c musl
}

leg_ucontext() {
  run_leg ucontext "gcc -std=c99 -D_DEFAULT_SOURCE $WARN -O2 -g -DARSENAL_CORO_USE_UCONTEXT -Itests" "" c ucontext
}

# -isystem/-L flags for liblz4 in build/sysroot/<name>/, which
# tests/cross_sysroot.sh unpacks (arm64 armhf i386) or builds (riscv64,
# mingw64, mingw32, musl) when it is missing
sysroot_flags() { # sysroot-name triplet
  [ -e "build/sysroot/$1/.done" ] || bash tests/cross_sysroot.sh >/dev/null 2>&1 || true
  echo "-isystem $ROOT/build/sysroot/$1/usr/include -L$ROOT/build/sysroot/$1/usr/lib/$2"
}

cross() { # leg gcc qemu extra
  local leg=$1 cc=$2 q=$3 extra=${4:-}
  if ! have "$cc" || ! have "$q"; then record "$leg" skipped "needs $cc and $q"; return; fi
  case "$cc" in
    aarch64-*) extra="$extra $(sysroot_flags arm64 aarch64-linux-gnu)" ;;
    arm-*) extra="$extra $(sysroot_flags armhf arm-linux-gnueabihf)" ;;
    i686-*) extra="$extra $(sysroot_flags i386 i386-linux-gnu)" ;;
    riscv64-*) extra="$extra $(sysroot_flags riscv64 riscv64-linux-gnu)" ;;
    s390x-*) extra="$extra $(sysroot_flags s390x s390x-linux-gnu)" ;;
  esac
  run_leg "$leg" "$cc -std=c99 -D_DEFAULT_SOURCE $WARN -O2 -static -DARS_TEST_QUICK $extra -Itests $XINC" "$q" c cross cross
}

WINEPREFIX_DIR=${ARS_WINEPREFIX:-$ROOT/build/wineprefix}
# 64-bit programs go to the 64-bit loader itself: with wine32:i386 installed,
# Debian's `wine` starts the 32-bit loader first, which a kernel without IA32
# emulation cannot execute (ENOEXEC); the 32-bit legs need that loader
WINE64=wine WINESERVER=wineserver
for w in wine64 /usr/lib/wine/wine64; do if have "$w"; then WINE64=$(command -v "$w"); break; fi; done
for w in wineserver64 /usr/lib/wine/wineserver64; do if have "$w"; then WINESERVER=$(command -v "$w"); break; fi; done
WINE_RUN="env WINEPREFIX=$WINEPREFIX_DIR WINEDEBUG=-all $WINE64"
WINE32_RUN="env WINEPREFIX=$WINEPREFIX_DIR WINEDEBUG=-all wine"
wine_start() {
  mkdir -p "$WINEPREFIX_DIR"
  WINEPREFIX=$WINEPREFIX_DIR WINEDEBUG=-all "$WINE64" wineboot -i >/dev/null 2>&1 || true
  WINEPREFIX=$WINEPREFIX_DIR "$WINESERVER" -p >/dev/null 2>&1 || true
}
wine_stop() { WINEPREFIX=$WINEPREFIX_DIR "$WINESERVER" -k >/dev/null 2>&1 || true; }
# 0 when this kernel executes 32-bit x86 programs (IA32 emulation); some
# virtual machines' kernels are built without it
ia32_exec() {
  local d="$B/ia32-probe"
  mkdir -p "$d"
  printf 'int main(void) { return 0; }\n' > "$d/p.c"
  have i686-linux-gnu-gcc && i686-linux-gnu-gcc -static -o "$d/p" "$d/p.c" >/dev/null 2>&1 || return 0
  "$d/p" >/dev/null 2>&1
}

# merge_leg MAIN SUB LABEL: SUB's result joins MAIN's line (MAIN fails when
# SUB failed) and SUB leaves the table
merge_leg() {
  local main=$1 sub=$2 label=$3
  if [ "${RES_STATUS[$sub]}" != passed ] && [ "${RES_STATUS[$sub]}" != skipped ]; then
    RES_STATUS[$main]=FAILED; RES_DETAIL[$main]="${RES_DETAIL[$main]}; $label: ${RES_DETAIL[$sub]}"
  else
    RES_DETAIL[$main]="${RES_DETAIL[$main]} + $label ${RES_DETAIL[$sub]}"
  fi
  unset "RES_STATUS[$sub]"
}

leg_wine() {
  if ! have x86_64-w64-mingw32-gcc || ! have wine; then record wine-x86_64 skipped "needs mingw-w64 and wine"; return; fi
  run_leg wine-x86_64 "x86_64-w64-mingw32-gcc -std=c99 $WARN -O2 -static -DARS_TEST_QUICK -Itests $XINC $(sysroot_flags mingw64 x86_64-w64-mingw32)" "$WINE_RUN" c wine wine
  if have x86_64-w64-mingw32-g++; then
    run_leg wine-x86_64-cxx "x86_64-w64-mingw32-g++ -std=c++11 $WARN -O2 -static -Itests $XINC" "$WINE_RUN" cpp wine wine
    merge_leg wine-x86_64 wine-x86_64-cxx C++
  else
    RES_STATUS[wine-x86_64]=FAILED; RES_DETAIL[wine-x86_64]="no x86_64-w64-mingw32-g++ for the C++ exception test"
  fi
  run_leg wine-fibers "x86_64-w64-mingw32-gcc -std=c99 $WARN -O2 -static -DARS_TEST_QUICK -DARSENAL_CORO_USE_FIBERS -Itests $XINC" "$WINE_RUN" c fibers wine
}

# 32-bit Windows: i686 programs under wine32 (wine32:i386; `make deps` adds
# the i386 architecture): the C tests, the C++ exception test, and
# test_coro on Windows fibers
leg_wine32() {
  if ! have i686-w64-mingw32-gcc || ! have i686-w64-mingw32-g++; then
    record mingw-i686 skipped "needs gcc-mingw-w64-i686 and g++-mingw-w64-i686"; return
  fi
  if ! have wine || ! dpkg -s wine32:i386 >/dev/null 2>&1; then
    record mingw-i686 skipped "needs wine and wine32:i386 (make deps)"; return
  fi
  local cc="i686-w64-mingw32-gcc -std=c99 $WARN -O2 -static -DARS_TEST_QUICK -Itests $XINC" run="$WINE32_RUN"
  # no 32-bit x86 execution at all: every program is still built, and the
  # leg says in capitals that none ran (the closing note must report it)
  ia32_exec || run=true
  run_leg mingw-i686 "$cc $(sysroot_flags mingw32 i686-w64-mingw32)" "$run" c wine wine
  run_leg mingw-i686-cxx "i686-w64-mingw32-g++ -std=c++11 $WARN -O2 -static -Itests $XINC" "$run" cpp wine wine
  merge_leg mingw-i686 mingw-i686-cxx C++
  run_leg mingw-i686-fibers "$cc -DARSENAL_CORO_USE_FIBERS" "$run" c fibers wine
  merge_leg mingw-i686 mingw-i686-fibers fibers
  if [ "$run" = true ]; then
    RES_DETAIL[mingw-i686]="BUILT, NOT RUN: this kernel cannot execute 32-bit x86 programs (no IA32 emulation), so wine32 cannot start; built ${RES_DETAIL[mingw-i686]}"
    say "  [mingw-i686] built only: this kernel cannot execute 32-bit x86 programs"
  fi
}

leg_firmware() { # leg board
  if ! bash tests/firmware.sh --check >/dev/null 2>&1; then record "$1" skipped "firmware toolchains or QEMU missing"; return; fi
  local f n=0 pass=0 failed="" out SKIP_NOTES
  # lz4's source, which test_compress.c compiles into its image
  [ -e build/sysroot/src/lz4 ] || bash tests/cross_sysroot.sh >/dev/null 2>&1 || true
  SKIP_NOTES=$(tests_for firmware "$1" notes | tr '\n' ' ')
  mkdir -p "$B/$1"
  # each program builds and runs in QEMU on virtual time (-icount), so
  # BUILD_JOBS of them at once do not disturb each other
  local files=() logs=() i fam=arm fwflags
  # extra flags a test needs on a board family (`ars-test-fwflags-riscv:`)
  case "$2" in rv*) fam=riscv ;; esac
  for f in $(tests_for firmware "$1"); do
    case "$f" in *.c) ;; *) continue ;; esac
    out="$B/$1/$(basename "${f%.c}").log"
    files+=("$f"); logs+=("$out")
    fwflags=$(grep -m1 -E "ars-test-fwflags-$fam:" "$f" | sed "s/.*ars-test-fwflags-$fam://")
    # shellcheck disable=SC2086
    bg_rc "$out.rc" "$out" env FW_TIMEOUT=120 FW_BUILD="${FW_BUILD:-$ROOT/$B/fw}" \
      bash tests/firmware.sh "$2" "$f" -Werror "$XINC" $fwflags
  done
  bg_wait
  for i in "${!files[@]}"; do
    f=${files[$i]}; out=${logs[$i]}
    n=$((n + 1))
    if [ "$(cat "$out.rc" 2>/dev/null)" = 0 ]; then
      pass=$((pass + 1)); say "  [$1] $(basename "$f"): $(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -1)"
    else
      failed="$failed $(basename "$f")"; say "  [$1] FAILED $f"; grep -v '^ok ' "$out" | tail -25 | sed 's/^/    /' | tee -a "$LOG"
    fi
  done
  if [ $n = 0 ]; then record "$1" skipped "no test program joins this leg"; return; fi
  if [ -z "$failed" ]; then record "$1" passed "$pass/$n programs$SKIP_NOTES"; else record "$1" FAILED "$pass/$n; failed:$failed$SKIP_NOTES"; fi
}

# per-header extra checks: tests/extra_*.sh (interop with CLI tools, fuzzing, real clients)
leg_extra() {
  local f n=0 pass=0 failed=""
  for f in tests/extra_*.sh; do
    [ -e "$f" ] || continue
    n=$((n + 1))
    if timeout "$TIMEOUT" bash "$f" >"$B/$(basename "$f").log" 2>&1; then
      pass=$((pass + 1)); say "  [extra] $(basename "$f"): $(tail -1 "$B/$(basename "$f").log")"
    else
      failed="$failed $(basename "$f")"; say "  [extra] FAILED $f"; tail -25 "$B/$(basename "$f").log" | sed 's/^/    /' | tee -a "$LOG"
    fi
  done
  if [ $n = 0 ]; then record extra skipped "no tests/extra_*.sh"; return; fi
  if [ -z "$failed" ]; then record extra passed "$pass/$n scripts"; else record extra FAILED "failed:$failed"; fi
}

run_one() {
  case "$1" in
    compile) leg_compile ;;
    examples) leg_examples ;;
    native-gcc-O0) native "$1" gcc -O0 ;;
    # with the hardening Ubuntu's gcc turns on by default
    native-gcc-O2) native "$1" gcc "-O2 -fcf-protection=full -fstack-protector-strong -fstack-clash-protection -D_FORTIFY_SOURCE=3" ;;
    native-clang-O0) native "$1" clang -O0 ;;
    native-clang-O2) native "$1" clang -O2 ;;
    cxx) leg_cxx ;;
    asan) leg_asan ;;
    tsan) tsan_leg tsan clang ;;
    tsan-gcc) tsan_leg tsan-gcc gcc ;;
    valgrind) leg_valgrind ;;
    ucontext) leg_ucontext ;;
    musl) leg_musl ;;
    cross-aarch64) cross "$1" aarch64-linux-gnu-gcc qemu-aarch64 ;;
    cross-armhf-arm) cross "$1" arm-linux-gnueabihf-gcc qemu-arm -marm ;;
    cross-armhf-thumb) cross "$1" arm-linux-gnueabihf-gcc qemu-arm -mthumb ;;
    cross-i686) cross "$1" i686-linux-gnu-gcc qemu-i386 -fcf-protection=full ;;
    cross-riscv64) cross "$1" riscv64-linux-gnu-gcc qemu-riscv64 ;;
    # big-endian; no asm switch there: the ucontext fallback
    cross-s390x) cross "$1" s390x-linux-gnu-gcc qemu-s390x -DARSENAL_CORO_USE_UCONTEXT ;;
    wine-x86_64) leg_wine ;;
    wine-fibers) ;; # run together with wine-x86_64
    mingw-i686) leg_wine32 ;;
    firmware-an385) leg_firmware "$1" an385 ;;
    firmware-an386) leg_firmware "$1" an386 ;;
    firmware-rv32) leg_firmware "$1" rv32 ;;
    firmware-rv32f) leg_firmware "$1" rv32f ;;
    firmware-rv32d) leg_firmware "$1" rv32d ;;
    firmware-rv32e) leg_firmware "$1" rv32e ;;
    firmware-rv64) leg_firmware "$1" rv64 ;;
    firmware-rv64gc) leg_firmware "$1" rv64gc ;;
    extra) leg_extra ;;
    *) echo "unknown leg: $1 (tests/matrix.sh --list)" >&2; exit 2 ;;
  esac
}

if [ "${1:-}" = --list ]; then echo $ALL_LEGS; exit 0; fi
LEGS=${*:-$ALL_LEGS}
case " $LEGS " in *" wine"*|*" mingw-i686 "*) have wine && wine_start ;; esac
START=$(date +%s)
for leg in $LEGS; do
  say "== $leg"
  t0=$(date +%s)
  run_one "$leg"
  say "   ($(( $(date +%s) - t0 )) s)"
done
case " $LEGS " in *" wine"*|*" mingw-i686 "*) have wine && wine_stop ;; esac

# summary
ran=0; passed=0; failed=0; skipped=0
echo
printf '%-20s %-8s %s\n' "leg" "result" "detail" | tee -a "$LOG"
printf '%-20s %-8s %s\n' "---" "------" "------" | tee -a "$LOG"
for leg in "${LEG_ORDER[@]}"; do
  [ -n "$leg" ] || continue
  [ -n "${RES_STATUS[$leg]+x}" ] || continue
  st=${RES_STATUS[$leg]}
  case $st in passed) ran=$((ran + 1)); passed=$((passed + 1)) ;; skipped) skipped=$((skipped + 1)) ;; *) ran=$((ran + 1)); failed=$((failed + 1)) ;; esac
  printf '%-20s %-8s %s\n' "$leg" "$st" "${RES_DETAIL[$leg]}" | tee -a "$LOG"
done
echo "legs: $ran run, $passed passed, $failed failed, $skipped skipped ($(( $(date +%s) - START )) s)" | tee -a "$LOG"
if [ "$failed" -gt 0 ]; then exit 1; fi
if [ "${CI:-}" = true ] && [ "$skipped" -gt 0 ]; then echo "CI=true: a skipped leg is a failure" | tee -a "$LOG"; exit 1; fi
exit 0
