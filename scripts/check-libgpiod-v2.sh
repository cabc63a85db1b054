#!/usr/bin/env bash
# Checks CLinuxShim's run-time libgpiod loading on a machine that has only
# libgpiod 1.x installed (Debian 12), without a GPIO chip: libgpiod 2.x is
# built from PyPI's gpiod sdist (scripts/libgpiod2.sh), the shim's C sources
# are compiled with a small probe, and the probe runs with
#   - CIMFW_LIBGPIOD naming that libgpiod.so.3: API 2, and a missing chip or
#     label reported as such through the v2 calls;
#   - nothing named: the installed libgpiod.so.2, API 1 (when installed);
#   - CIMFW_LIBGPIOD naming a missing file, or a library that is not
#     libgpiod: -ELIBACC, with the loader's reason.
# The calls on a real chip run in the QEMU tier (scripts/hil-qemu/run.sh).
# Exits 0 on success, 1 on a failure, and 0 with a message when PyPI cannot
# be reached (nothing to check against).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"

if ! bash "$root/scripts/libgpiod2.sh" "$work/libgpiod2" 2>/dev/null; then
    echo "check-libgpiod-v2: could not download the gpiod sdist from PyPI; libgpiod 2.x loading not checked"
    exit 0
fi

cat > probe.c <<'C'
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "CLinuxShim.h"

// probe EXPECTED-VERSION [REASON-SUBSTRING]
int main(int argc, char **argv) {
    int expected = atoi(argv[1]);
    int version = cimfw_gpiod_api_version();
    const char *library = cimfw_gpiod_library();
    int failures = 0;
    if (version != expected) { printf("FAIL: API %d (%s), expected %d\n", version, library, expected); failures++; }
    if (argc > 2 && strstr(library, argv[2]) == NULL) { printf("FAIL: \"%s\" does not say \"%s\"\n", library, argv[2]); failures++; }
    cimfw_gpio_chip *chip = NULL;
    int r = cimfw_gpio_chip_open("/dev/gpiochip-cimfw-missing", &chip);
    int expected_open = version < 0 ? version : -ENOENT;
    if (r != expected_open || chip != NULL) { printf("FAIL: opening a missing chip gave %d, expected %d\n", r, expected_open); failures++; }
    r = cimfw_gpio_chip_open_by_label("cimfw-no-such-label", &chip);
    if (r >= 0 || chip != NULL || (version < 0 && r != version)) { printf("FAIL: opening a missing label gave %d\n", r); failures++; }
    if (failures == 0) printf("check-libgpiod-v2: API %d from %s: ok\n", version, library);
    return failures == 0 ? 0 : 1;
}
C
gcc -Wall -Wextra -Werror -I"$root/Sources/CLinuxShim/include" probe.c \
    "$root/Sources/CLinuxShim/libgpiod.c" "$root/Sources/CLinuxShim/i2c.c" -li2c -ldl -lpthread -o probe

failures=0
CIMFW_LIBGPIOD="$work/libgpiod2/lib/libgpiod.so.3" ./probe 2 "libgpiod.so.3" || failures=$((failures + 1))
if ldconfig -p | grep 'libgpiod.so.2 ' >/dev/null; then
    ./probe 1 "libgpiod.so.2" || failures=$((failures + 1))
fi
CIMFW_LIBGPIOD="$work/absent/libgpiod.so.3" ./probe -79 "$work/absent/libgpiod.so.3" || failures=$((failures + 1))
CIMFW_LIBGPIOD=libm.so.6 ./probe -79 "not libgpiod 1.x or 2.x" || failures=$((failures + 1))
exit $(( failures == 0 ? 0 : 1 ))
