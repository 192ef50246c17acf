#!/usr/bin/env bash
# tests/compile/check.sh - compile checks for every arsenal_*.h:
#  1. each header alone, as C99 and as C++11, gcc and clang, -Wall -Wextra
#     -Wpedantic -Werror, with and without its IMPLEMENTATION;
#  2. nm: each IMPLEMENTATION defines every function its header declares
#     with ARSENAL_<NAME>_API;
#  3. STATIC mode: two translation units, each with the implementation in
#     ARSENAL_<NAME>_STATIC mode, link into one program;
#  4. all headers in one program, each included twice, with
#     ARSENAL_IMPLEMENTATION switching on every implementation;
#  5. the common block is identical in every header;
#  6. a header that says "include this header first" compiles first under
#     strict C99 without -D_DEFAULT_SOURCE.
# Prints one line per failure and ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 2
T=${MATRIX_DIR:-build}/compile   # MATRIX_DIR: as tests/matrix.sh
R=$(pwd)                         # the headers, whatever the depth of $T
rm -rf "$T"; mkdir -p "$T"
W="-Wall -Wextra -Wpedantic -Werror"
pass=0; fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

headers=$(ls arsenal_*.h)
for h in $headers; do
  name=$(basename "$h" .h); lib=${name#arsenal_}; UP=$(echo "$lib" | tr a-z A-Z)
  for impl in 0 1; do
    {
      [ $impl = 1 ] && echo "#define ARSENAL_${UP}_IMPLEMENTATION"
      echo "#include \"$R/$h\""
      echo "int ars_compile_probe_$impl(void);"
      echo "int ars_compile_probe_$impl(void) { return 0; }"
    } > "$T/${lib}_$impl.c"
    cp "$T/${lib}_$impl.c" "$T/${lib}_$impl.cpp"
    for cc in gcc clang; do
      if $cc -std=c99 -D_DEFAULT_SOURCE $W -c "$T/${lib}_$impl.c" -o "$T/${lib}_${impl}_$cc.o" 2>"$T/err"; then ok
      else bad "$h alone, C99, $cc, impl=$impl: $(head -3 "$T/err" | tr '\n' ' ' | cut -c1-300)"; fi
    done
    for cxx in g++ clang++; do
      if $cxx -std=c++11 $W -c "$T/${lib}_$impl.cpp" -o "$T/${lib}_${impl}_$cxx.o" 2>"$T/err"; then ok
      else bad "$h alone, C++11, $cxx, impl=$impl: $(head -3 "$T/err" | tr '\n' ' ' | cut -c1-300)"; fi
    done
  done
  # a header whose top comment says "include this header first" needs no
  # -D_DEFAULT_SOURCE under strict C99 when it is the first include
  if [ "$(uname -s)" != Darwin ] && sed -n '1,/\*\//p' "$h" | tr -s ' \n' '  ' | grep -q 'include this header first'; then
    for cc in gcc clang; do
      if $cc -std=c99 $W -c "$T/${lib}_1.c" -o "$T/${lib}_first_$cc.o" 2>"$T/err"; then ok
      else bad "$h first, C99 without -D_DEFAULT_SOURCE, $cc: $(head -3 "$T/err" | tr '\n' ' ' | cut -c1-300)"; fi
    done
  fi

  # nm: every ARSENAL_<NAME>_API function of the public part is defined
  obj="$T/${lib}_1_gcc.o"
  if [ -e "$obj" ]; then
    # the functions the header declares for this configuration (after the
    # preprocessor, so conditional declarations count only where they apply)
    decl=$(gcc -std=c99 -D_DEFAULT_SOURCE -E -P "-DARSENAL_${UP}_API=ARS_PUBLIC_MARKER" "$T/${lib}_0.c" |
      tr '\n' ' ' | grep -oE 'ARS_PUBLIC_MARKER[^;{(]*\(' | sed -E 's/[[:space:]]*\($//; s/.*[ *]([A-Za-z_][A-Za-z0-9_]*)$/\1/' | sort -u)
    defs=$(nm "$obj" | awk '$2 ~ /^[TW]$/ {print $3}' | sort -u)
    missing=""
    for d in $decl; do echo "$defs" | grep -qx "$d" || missing="$missing $d"; done
    if [ -z "$decl" ]; then bad "$h: nm check found no ARSENAL_${UP}_API declarations"
    elif [ -n "$missing" ]; then bad "$h: IMPLEMENTATION does not define:$missing"
    else ok; fi
  fi

  # STATIC mode in two translation units
  for i in 1 2; do
    {
      # a header built on arsenal_coro.h needs its implementation too
      if [ "$lib" != coro ] && grep -q '#include "arsenal_coro.h"' "$h"; then
        echo "#define ARSENAL_CORO_STATIC"; echo "#define ARSENAL_CORO_IMPLEMENTATION"
      fi
      echo "#define ARSENAL_${UP}_STATIC"
      echo "#define ARSENAL_${UP}_IMPLEMENTATION"
      echo "#include \"$R/$h\""
      echo "int ars_static_tu$i(void);"
      echo "int ars_static_tu$i(void) { return $i; }"
    } > "$T/${lib}_static$i.c"
  done
  echo "int ars_static_tu1(void); int ars_static_tu2(void); int main(void) { return ars_static_tu1() + ars_static_tu2() - 3; }" > "$T/${lib}_static_main.c"
  if gcc -std=c99 -D_DEFAULT_SOURCE $W "$T/${lib}_static1.c" "$T/${lib}_static2.c" "$T/${lib}_static_main.c" \
       -o "$T/${lib}_static" -lpthread $(grep -m1 'ars-build-libs:' "$h" | sed 's/.*ars-build-libs://; s/[)]//g') 2>"$T/err" && "$T/${lib}_static"; then ok
  else bad "$h: STATIC mode in two translation units: $(head -3 "$T/err" | tr '\n' ' ' | cut -c1-300)"; fi

  # the common block
  if diff <(sed -n '/^\/\* >>common: identical/,/^\/\* <<common \*\//p' "$h") tests/common_block.h >/dev/null; then ok
  else bad "$h: the common block differs from tests/common_block.h"; fi
done

# arsenal_coro.h's implementation under each of its documented
# configuration switches (one at a time), warnings as errors
printf '#define ARSENAL_CORO_IMPLEMENTATION\n#include "%s/arsenal_coro.h"\nint ars_cfg_probe(void);\nint ars_cfg_probe(void) { return 0; }\n' "$R" > "$T/coro_cfg.c"
for d in ARSENAL_CORO_NO_GUARD ARSENAL_CORO_SHARE_FPENV ARSENAL_CORO_USE_UCONTEXT ARSENAL_CORO_NO_VALGRIND \
         ARSENAL_CORO_NO_MEMBARRIER ARSENAL_CORO_DIRECT_RUNS=0 ARSENAL_CORO_STACK_CACHE=0; do
  for cc in gcc clang; do
    if $cc -std=c99 -D_DEFAULT_SOURCE $W -D$d -c "$T/coro_cfg.c" -o "$T/coro_cfg.o" 2>"$T/err"; then ok
    else bad "arsenal_coro.h with -D$d ($cc): $(head -3 "$T/err" | tr '\n' ' ' | cut -c1-300)"; fi
  done
done

# all headers in one program, each included twice, every implementation on
{
  echo "#define ARSENAL_IMPLEMENTATION"
  for h in $headers; do echo "#include \"$R/$h\""; echo "#include \"$R/$h\""; done
  echo "int main(void) { return ars_strerror(ARS_EINVAL)[0] == 'i' ? 0 : 1; }"
} > "$T/all.c"
libs="-lpthread"
for h in $headers; do libs="$libs $(grep -m1 'ars-build-libs:' "$h" | sed 's/.*ars-build-libs://; s/[)]//g')"; done
for cc in gcc clang; do
  # shellcheck disable=SC2086
  if $cc -std=c99 -D_DEFAULT_SOURCE $W "$T/all.c" -o "$T/all_$cc" $libs 2>"$T/err" && "$T/all_$cc"; then ok
  else bad "all headers in one program ($cc): $(head -3 "$T/err" | tr '\n' ' ' | cut -c1-300)"; fi
done
cp "$T/all.c" "$T/all.cpp"
# shellcheck disable=SC2086
if g++ -std=c++11 $W "$T/all.cpp" -o "$T/all_gxx" $libs 2>"$T/err" && "$T/all_gxx"; then ok
else bad "all headers in one program (g++): $(head -3 "$T/err" | tr '\n' ' ' | cut -c1-300)"; fi

# Windows on ARM64 and ARMv7 (compile only: nothing here runs them): the
# all-headers program without the RTOS (no port there), clang over
# mingw-w64's headers (target-independent), and the coroutine switch is
# fibers there
grep -v 'arsenal_rtos\.h' "$T/all.c" > "$T/win_arm.c"
for t in aarch64-w64-mingw32 armv7-w64-mingw32; do
  if clang --target=$t -std=c99 $W -isystem /usr/x86_64-w64-mingw32/include -c "$T/win_arm.c" \
       -o "$T/win_arm_$t.o" 2>"$T/err" &&
     clang --target=$t -std=c99 -isystem /usr/x86_64-w64-mingw32/include -E -dM "$T/win_arm.c" |
       grep -q '^#define ARS__CTX_FIBERS 1'; then ok
  else bad "all headers but the RTOS for $t (clang, compile only, fibers): $(head -3 "$T/err" | tr '\n' ' ' | cut -c1-300)"; fi
done

echo "$pass passed, $fail failed"
[ $fail = 0 ]
