#!/usr/bin/env bash
# libgpiod 2.x for a machine whose distribution carries only 1.x (Debian 12:
# libgpiod 1.6) but whose kernel refuses the v1 GPIO interface (built
# without CONFIG_GPIO_CDEV_V1, as Debian's 7.x kernels are). Builds the C
# library that PyPI's `gpiod` sdist (the official Python bindings) vendors as
# a shared library, soname libgpiod.so.3, into PREFIX/lib.
#
#   scripts/libgpiod2.sh PREFIX
#
# cimfw loads libgpiod at run time, libgpiod.so.3 in preference to
# libgpiod.so.2: point it at this one with
#   CIMFW_LIBGPIOD=PREFIX/lib/libgpiod.so.3 cimfw run ...
# or install it where the dynamic loader looks (PREFIX=/usr/local, then ldconfig).
set -euo pipefail
[[ $# -eq 1 ]] || { echo "usage: scripts/libgpiod2.sh PREFIX" >&2; exit 2; }
prefix="$(mkdir -p "$1" && cd "$1" && pwd)"
version=2.2.0
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 -m pip download --quiet --no-deps --no-binary :all: "gpiod==$version" -d "$work" >/dev/null \
    || { echo "libgpiod2.sh: could not download the gpiod $version sdist from PyPI" >&2; exit 1; }
tar xzf "$work/gpiod-$version.tar.gz" -C "$work"
src="$work/gpiod-$version"
lib_version=$(cat "$src/libgpiod-version.txt")
mkdir -p "$prefix/lib"
gcc -shared -fPIC -O2 -D_GNU_SOURCE -DGPIOD_VERSION_STR="\"$lib_version\"" -I"$src/include" -I"$src/lib" \
    "$src"/lib/*.c -Wl,-soname,libgpiod.so.3 -o "$prefix/lib/libgpiod.so.3"
echo "libgpiod $lib_version: $prefix/lib/libgpiod.so.3"
