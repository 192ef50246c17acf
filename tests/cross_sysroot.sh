#!/usr/bin/env bash
# tests/cross_sysroot.sh - headers and static libraries that the cross and
# Windows legs link (liblz4 for arsenal_compress.h), under build/sysroot/.
#   arm64 armhf i386: unpacked from Debian's liblz4 packages for that
#     architecture, without installing foreign-architecture packages (which
#     would tie their versions to the host's libc). Needs the arch known to
#     dpkg (`make deps` adds arm64, armhf, i386) and `apt-get update` done.
#   riscv64, mingw64, mingw32: Debian 12 has no liblz4 build for these, so
#     the library is compiled with the target's compiler from the source of
#     Debian's own lz4 package (the version the host has), fetched with
#     `apt-get source --download-only` through a deb-src list kept in
#     build/sysroot/apt (the system's apt sources are not touched).
set -eu
cd "$(dirname "$0")/.."
for a in arm64 armhf i386; do
  d=build/sysroot/$a
  [ -e "$d/.done" ] && continue
  rm -rf "$d"; mkdir -p "$d/deb"
  (cd "$d/deb" && apt-get download "liblz4-dev:$a" "liblz4-1:$a" >/dev/null)
  for f in "$d"/deb/*.deb; do dpkg-deb -x "$f" "$d"; done
  touch "$d/.done"
  echo "sysroot $a: $(find "$d" -name 'liblz4.a' | head -1)"
done

# the lz4 source, once
lz4_src() {
  local s=build/sysroot/src apt=build/sysroot/apt tarball
  [ -e "$s/.done" ] && { lz4_src_link; return 0; }
  rm -rf "$s"; mkdir -p "$s" "$apt/lists/partial"
  # the suite of the system's own Debian sources (bookworm here)
  local suite
  suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
  cat > "$apt/src.list" <<LIST
deb-src http://deb.debian.org/debian $suite main
LIST
  local opts=(-o "Dir::Etc::sourcelist=$PWD/$apt/src.list" -o "Dir::Etc::sourceparts=-"
              -o "Dir::State::Lists=$PWD/$apt/lists" -o "APT::Get::List-Cleanup=0")
  apt-get "${opts[@]}" update >/dev/null
  (cd "$s" && apt-get "${opts[@]}" source --download-only lz4 >/dev/null 2>&1)
  tarball=$(ls "$s"/lz4_*.orig.tar.* | head -1)
  tar -xf "$tarball" -C "$s"
  [ -e "$(ls -d "$s"/lz4-*/lib | head -1)/lz4frame.c" ]
  lz4_src_link
  touch "$s/.done"
}
# build/sysroot/src/lz4 -> lz4-<version>: a stable name for test comment lines
# (the firmware legs compile lz4.c and lz4hc.c into test_compress.c's image)
lz4_src_link() {
  local s=build/sysroot/src d
  d=$(ls -d "$s"/lz4-*/ | head -1)
  ln -sfn "$(basename "$d")" "$s/lz4"
}

build_lz4() { # sysroot-name compiler libdir [archiver]
  local name=$1 cc=$2 libdir=$3 ar=${4:-${2%gcc}ar} d=build/sysroot/$1 lib o f
  [ -e "$d/.done" ] && return 0
  command -v "$cc" >/dev/null 2>&1 || { echo "sysroot $name: no $cc, skipped"; return 0; }
  lz4_src
  lib=build/sysroot/src/lz4/lib
  rm -rf "$d"; mkdir -p "$d/obj" "$d/usr/include" "$d/usr/lib/$libdir"
  for f in lz4 lz4hc lz4frame xxhash; do
    "$cc" -O2 -c "$lib/$f.c" -o "$d/obj/$f.o"
  done
  o=$(ls "$d"/obj/*.o)
  # shellcheck disable=SC2086
  "$ar" rcs "$d/usr/lib/$libdir/liblz4.a" $o
  cp "$lib/lz4.h" "$lib/lz4hc.h" "$lib/lz4frame.h" "$d/usr/include/"
  touch "$d/.done"
  echo "sysroot $name: $d/usr/lib/$libdir/liblz4.a (built from $(readlink build/sysroot/src/lz4))"
}
build_lz4 riscv64 riscv64-linux-gnu-gcc riscv64-linux-gnu
build_lz4 mingw64 x86_64-w64-mingw32-gcc x86_64-w64-mingw32
build_lz4 mingw32 i686-w64-mingw32-gcc i686-w64-mingw32
build_lz4 musl musl-gcc musl ar
build_lz4 s390x s390x-linux-gnu-gcc s390x-linux-gnu
# the firmware legs need the source itself (even where no cross compiler
# above exists, or every sysroot was built before the link was made)
if command -v arm-none-eabi-gcc >/dev/null 2>&1 || command -v riscv64-unknown-elf-gcc >/dev/null 2>&1; then
  lz4_src
fi
