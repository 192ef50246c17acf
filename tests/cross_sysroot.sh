#!/usr/bin/env bash
# tests/cross_sysroot.sh - headers and static libraries that the cross legs
# link (liblz4 for arsenal_compress.h), unpacked from Debian's packages into
# build/sysroot/<arch>/ without installing foreign-architecture packages
# (which would tie their versions to the host's libc). Needs the arch known
# to dpkg (`make deps` adds arm64, armhf, i386) and `apt-get update` done.
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
