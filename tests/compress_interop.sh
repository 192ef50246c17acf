#!/usr/bin/env bash
# compress_interop.sh - arsenal_compress.h against the `lz4` command-line tool,
# both ways: frames we write must be read by `lz4 -d`, frames `lz4` writes must
# be read by us, for each option set (block sizes, linked/independent blocks,
# block and content checksums, content size, HC and fast levels) and inputs
# (empty, tiny, block-boundary sizes, text, binary, incompressible, several
# 4 MiB blocks, concatenated frames). Prints "N passed, N failed"; exits 1 on
# any mismatch, 2 if a tool is missing.
#
#   tests/compress_interop.sh            (CC, CFLAGS may be set; default cc -O2;
#                                         RUN: a runner for our tool, e.g. a
#                                         qemu-user of CC's target)
set -u
cd "$(dirname "$0")/.."
CC=${CC:-cc}
CFLAGS=${CFLAGS:--O2}
RUN=${RUN:-}
command -v lz4 >/dev/null || { echo "compress_interop: lz4 tool not installed"; exit 2; }
work=$(mktemp -d /tmp/ars_interop.XXXXXX)
trap 'rm -rf "$work"' EXIT
tool="$work/compress_file"
# shellcheck disable=SC2086
$CC $CFLAGS -o "$tool" examples/compress_file.c -llz4 || { echo "compress_interop: build failed"; exit 2; }

passed=0; failed=0
ok()   { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }

# Inputs, all made deterministically from files on the machine.
in="$work/in"; mkdir "$in"
: > "$in/empty"
printf 'x' > "$in/one"
text=$(LC_ALL=C ls /usr/include/*.h | head -200)
# shellcheck disable=SC2086
cat $text > "$in/text.all"
head -c 65536 "$in/text.all" > "$in/text64k"
head -c 65537 "$in/text.all" > "$in/text64k1"
head -c 1500000 "$in/text.all" > "$in/text"
cp "$(command -v lz4)" "$in/binary"
head -c 3000000 "$in/text.all" | gzip -9 | head -c 400000 > "$in/random"
{ cat "$in/text" "$in/binary" "$in/random" "$in/text.all" "$in/text.all"; } | head -c 9500000 > "$in/big"
rm "$in/text.all"

optsets=(
  ""
  "-BD"
  "-BX"
  "--no-frame-crc"
  "-B4"
  "-B4 -BD"
  "-B4 -BD -BX --no-frame-crc"
  "-B5 -BX"
  "-B6 -BD"
  "--content-size"
  "-B4 -BD --content-size -BX"
  "-9"
  "-9 -B4 -BD"
  "-12 -B5"
  "--fast=4"
)

for f in "$in"/*; do
  name=$(basename "$f")
  for opts in "${optsets[@]}"; do
    case "$opts" in -9*|-12*) [ "$name" = big ] && continue ;; esac   # HC on 9.5 MB: too slow for CI
    tag="$name [$opts]"
    # ours -> lz4 -d
    # shellcheck disable=SC2086
    if $RUN "$tool" $opts "$f" "$work/ours.lz4" && lz4 -q -d -c "$work/ours.lz4" > "$work/out1" 2>"$work/err" \
       && cmp -s "$f" "$work/out1"; then ok; else fail "ours -> lz4 -d: $tag $(head -c 200 "$work/err")"; fi
    # lz4 -> ours -d
    # shellcheck disable=SC2086
    if lz4 -q -f $opts "$f" "$work/theirs.lz4" && $RUN "$tool" -d "$work/theirs.lz4" "$work/out2" \
       && cmp -s "$f" "$work/out2"; then ok; else fail "lz4 -> ours -d: $tag"; fi
    # same level and options: same compressed size within 1% (same liblz4 underneath)
    a=$(stat -c %s "$work/ours.lz4"); b=$(stat -c %s "$work/theirs.lz4")
    if [ $((a * 100)) -le $((b * 101 + 100)) ]; then ok; else fail "size: $tag ours $a lz4 $b"; fi
  done
done

# Through pipes (no content size, unknown length).
if $RUN "$tool" -B4 -BD - - < "$in/big" | lz4 -q -d -c | cmp -s - "$in/big"; then ok; else fail "pipe ours -> lz4"; fi
if lz4 -q -c -BD < "$in/big" | $RUN "$tool" -d - - | cmp -s - "$in/big"; then ok; else fail "pipe lz4 -> ours"; fi

# Concatenated frames, mixed writers.
lz4 -q -c "$in/text" > "$work/cat.lz4"
$RUN "$tool" -BD -B4 "$in/binary" - >> "$work/cat.lz4"
lz4 -q -c -BX --no-frame-crc "$in/one" >> "$work/cat.lz4"
cat "$in/text" "$in/binary" "$in/one" > "$work/cat.expect"
if $RUN "$tool" -d "$work/cat.lz4" - | cmp -s - "$work/cat.expect"; then ok; else fail "concatenated: ours -d"; fi
if lz4 -q -d -c "$work/cat.lz4" | cmp -s - "$work/cat.expect"; then ok; else fail "concatenated: lz4 -d"; fi

# Damage: a flipped byte in a checksummed frame, a truncated frame and the
# legacy format (-l, unsupported) all fail cleanly with exit status 1.
lz4 -q -f -BX "$in/text" "$work/good.lz4"
size=$(stat -c %s "$work/good.lz4")
cp "$work/good.lz4" "$work/bad.lz4"
printf '\x55' | dd of="$work/bad.lz4" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
$RUN "$tool" -d "$work/bad.lz4" "$work/o" 2>/dev/null; [ $? -eq 1 ] && ok || fail "corrupt frame accepted"
head -c $((size - 3)) "$work/good.lz4" > "$work/trunc.lz4"
$RUN "$tool" -d "$work/trunc.lz4" "$work/o" 2>/dev/null; [ $? -eq 1 ] && ok || fail "truncated frame accepted"
lz4 -q -f -l "$in/text" "$work/legacy.lz4"
$RUN "$tool" -d "$work/legacy.lz4" "$work/o" 2>/dev/null; [ $? -eq 1 ] && ok || fail "legacy frame not refused"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
