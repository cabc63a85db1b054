#!/usr/bin/env bash
# libgpiod 2.x for a Debian 12 machine, which carries only 1.6: builds the C
# library that PyPI's `gpiod` sdist (the official Python bindings) vendors
# as a shared library (soname libgpiod.so.3) with its header and a
# pkg-config file, into PREFIX; with --cimfw, builds cimfw (release) against
# it in .build-gpiod2.
#
#   scripts/hil-qemu/libgpiod2.sh PREFIX [--cimfw]
#
# SwiftPM puts the system's -L/usr/lib/... before PREFIX's, so -lgpiod would
# find Debian's 1.6 libgpiod.so: the build runs in a private mount namespace
# (root) in which that file is a linker script naming PREFIX's library.
set -euo pipefail
prefix="$(mkdir -p "$1" && cd "$1" && pwd)"
version=2.2.0
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 -m pip download --quiet --no-deps --no-binary :all: "gpiod==$version" -d "$work" >/dev/null \
    || { echo "libgpiod2.sh: could not download the gpiod $version sdist from PyPI" >&2; exit 1; }
tar xzf "$work/gpiod-$version.tar.gz" -C "$work"
src="$work/gpiod-$version"
lib_version=$(cat "$src/libgpiod-version.txt")
mkdir -p "$prefix/include" "$prefix/lib/pkgconfig"
gcc -shared -fPIC -O2 -D_GNU_SOURCE -DGPIOD_VERSION_STR="\"$lib_version\"" -I"$src/include" -I"$src/lib" \
    "$src"/lib/*.c -Wl,-soname,libgpiod.so.3 -o "$prefix/lib/libgpiod.so.3"
ln -sf libgpiod.so.3 "$prefix/lib/libgpiod.so"
cp "$src/include/gpiod.h" "$prefix/include/"
cat > "$prefix/lib/pkgconfig/libgpiod.pc" <<PC
prefix=$prefix
includedir=\${prefix}/include
libdir=\${prefix}/lib

Name: libgpiod
Description: Library for interacting with Linux GPIO character devices (from the gpiod $version sdist)
Version: $lib_version
Libs: -L\${libdir} -lgpiod
Cflags: -I\${includedir}
PC
echo "libgpiod $lib_version in $prefix"

if [[ ${2:-} == --cimfw ]]; then
    repo="$(cd "$(dirname "$0")/../.." && pwd)"
    echo "INPUT($prefix/lib/libgpiod.so.3)" > "$prefix/lib/libgpiod-v2.ld"
    system=$(pkg-config --variable=libdir libgpiod 2>/dev/null || echo /usr/lib/x86_64-linux-gnu)/libgpiod.so
    cd "$repo"
    unshare --mount bash -c "{ [[ ! -e '$system' ]] || mount --bind '$prefix/lib/libgpiod-v2.ld' '$system'; } \
        && PKG_CONFIG_PATH='$prefix/lib/pkgconfig' swift build -c release --product cimfw --scratch-path .build-gpiod2"
    LD_LIBRARY_PATH="$prefix/lib" ldd .build-gpiod2/release/cimfw | grep -q 'libgpiod.so.3 => ' \
        || { echo "libgpiod2.sh: .build-gpiod2/release/cimfw is not linked against libgpiod.so.3" >&2; exit 1; }
    echo "cimfw against libgpiod $lib_version: .build-gpiod2/release/cimfw (run it with LD_LIBRARY_PATH=$prefix/lib)"
fi
