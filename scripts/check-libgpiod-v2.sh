#!/usr/bin/env bash
# Builds CLinuxShim's libgpiod v2 branch against the real libgpiod 2.x API
# and runs it, on a machine that has only v1 installed (Debian 12).
#
# libgpiod 2.x is not in Debian 12, but PyPI's `gpiod` sdist (the official
# Python bindings) vendors libgpiod's C sources and gpiod.h: compile them
# into a static library, compile shim.c against that header (the v2 branch,
# since v2's gpiod.h lacks GPIOD_LINE_BULK_MAX_LINES), link, and check the
# calls that need no GPIO device: the API version and the errors for a
# missing chip. Exits 0 on success, 1 on a failure, and 0 with a message
# when PyPI cannot be reached (nothing to check against).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"

if ! python3 -m pip download --quiet --no-deps --no-binary :all: "gpiod==2.2.0" -d . >/dev/null 2>&1; then
    echo "check-libgpiod-v2: could not download the gpiod 2.2.0 sdist from PyPI; v2 branch not checked"
    exit 0
fi
tar xzf gpiod-2.2.0.tar.gz
v2="$work/gpiod-2.2.0"
echo "check-libgpiod-v2: libgpiod $(cat "$v2/libgpiod-version.txt") from the gpiod 2.2.0 sdist"

mkdir obj
for source in "$v2"/lib/*.c; do
    gcc -c -O1 -D_GNU_SOURCE -DGPIOD_VERSION_STR='"2"' -I"$v2/include" -I"$v2/lib" "$source" -o "obj/$(basename "$source" .c).o"
done
ar rcs libgpiod2.a obj/*.o
gcc -c -Wall -Wextra -Werror -I"$v2/include" -I"$root/Sources/CLinuxShim/include" "$root/Sources/CLinuxShim/shim.c" -o shim.o

cat > probe.c <<'C'
#include <errno.h>
#include <stdio.h>
#include "CLinuxShim.h"

int main(void) {
    int failures = 0;
    cimfw_gpio_chip *chip = NULL;
    if (cimfw_gpiod_api_version() != 2) { puts("FAIL: the shim did not take the v2 branch"); failures++; }
    int r = cimfw_gpio_chip_open("/dev/gpiochip-cimfw-missing", &chip);
    if (r != -ENOENT || chip != NULL) { printf("FAIL: opening a missing chip gave %d, expected -ENOENT\n", r); failures++; }
    r = cimfw_gpio_chip_open_by_label("cimfw-no-such-label", &chip);
    if (r >= 0 || chip != NULL) { printf("FAIL: opening a missing label gave %d, expected an error\n", r); failures++; }
    if (failures == 0) puts("check-libgpiod-v2: v2 branch compiles, links and reports errors: ok");
    return failures == 0 ? 0 : 1;
}
C
gcc -Wall -Werror -I"$root/Sources/CLinuxShim/include" probe.c shim.o libgpiod2.a -li2c -o probe
./probe
