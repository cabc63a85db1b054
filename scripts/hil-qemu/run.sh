#!/usr/bin/env bash
# The real-kernel hardware-in-the-loop tier: a Debian kernel in QEMU (TCG:
# no KVM needed) with i2c-dev, gpio-sim and the cimbridge module, where
# `cimfw emulate` serves boards/virtual-eval.toml's device models behind both
# cimbridge adapters and the real drivers run against them through the
# kernel (scripts/hil-qemu/guest-init.sh lists the checks). Then the guest's
# 60-second firmware runs are compared with the same run on
# boards/virtual-eval.toml in process: the same detections, and energy per
# inference within the INA226's bound.
#
#   scripts/hil-qemu/run.sh [--kernel bookworm|trixie-backports] [--cimfw BIN] [--tests BIN] [--work DIR]
#                           [--smbus-firmware]
#
# The guest's libgpiod is its distribution's: bookworm (Debian 12's 6.1
# kernel, gpio-sim built from linux-source) gets libgpiod 1.6
# (libgpiod.so.2), trixie-backports (Debian 13's backported 7.x kernel,
# in-tree gpio-sim, no GPIO_CDEV_V1) gets Debian 13's libgpiod 2.x
# (libgpiod.so.3) beside this machine's libgpiod.so.2, which cimfw must then
# refuse on that kernel naming what it needs. cimfw loads either at run time.
#
# --cimfw defaults to .build/release/cimfw, --tests to the debug test binary
# (.build/debug/cimfwPackageTests.xctest) when it exists. Installs what it
# needs (qemu-system-x86, busybox-static, cpio, make, xz-utils, zstd) as
# root. Exit 0 when every check passes; prints one line "HIL tier: ...".
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
here="$repo/scripts/hil-qemu"
kernel=bookworm; smbus_firmware=; cimfw="$repo/.build/release/cimfw"; tests="$repo/.build/debug/cimfwPackageTests.xctest"
work="${CIMFW_HIL_WORK:-/var/tmp/cimfw-hil}"
while [[ $# -gt 0 ]]; do
    case $1 in
        --kernel) kernel=$2; shift 2 ;;
        --cimfw) cimfw=$2; shift 2 ;;
        --tests) tests=$2; shift 2 ;;
        --work) work=$2; shift 2 ;;
        --smbus-firmware) smbus_firmware=1; shift ;;
        *) echo "run.sh: unknown argument '$1' (expected --kernel, --cimfw, --tests, --work or --smbus-firmware)" >&2; exit 2 ;;
    esac
done
[[ -x $cimfw ]] || { echo "run.sh: --cimfw $cimfw is not an executable (build it: swift build -c release --product cimfw)" >&2; exit 2; }
t0=$(date +%s)
stamp() { echo "[$(( $(date +%s) - t0 )) s] $*"; }

needed=()
for pair in qemu-system-x86_64:qemu-system-x86 busybox:busybox-static cpio:cpio make:make xz:xz-utils zstd:zstd; do
    command -v "${pair%%:*}" >/dev/null || needed+=("${pair#*:}")
done
if [[ ${#needed[@]} -gt 0 ]]; then
    [[ $(id -u) == 0 ]] || { echo "run.sh: needs ${needed[*]}: apt-get install -y --no-install-recommends ${needed[*]}" >&2; exit 1; }
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${needed[@]}" >/dev/null
fi

mkdir -p "$work"
bash "$here/kernel.sh" "$work/kernel-$kernel" "$kernel"
stamp "kernel downloaded, modules built"

# The guest's root: busybox, cimfw and the test binary with every shared
# library they load, the repository's board files and the shipped firmware.
root=$(mktemp -d "$work/root.XXXX")
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,run,root,lib64,usr/bin,modules,work/cimfw}
cp "$(command -v busybox)" "$root/bin/busybox"
for applet in $("$root/bin/busybox" --list); do [[ -e $root/bin/$applet ]] || ln -s busybox "$root/bin/$applet"; done
cp "$work/kernel-$kernel/modules/"*.ko "$root/modules/"
cp "$cimfw" "$root/usr/bin/cimfw"
binaries=("$cimfw")
if [[ -n $tests && -x $tests ]]; then
    strip -o "$root/usr/bin/cimfw-tests" "$tests"
    binaries+=("$tests")
fi
for b in "${binaries[@]}"; do ldd "$b"; done \
    | awk '/=> \// {print $3} /^\t\/lib64/ {print $1}' | sort -u | while read -r lib; do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
done
# libgpiod, which cimfw loads at run time: this machine's (1.x, libgpiod.so.2)
# and the guest distribution's, which on Debian 13 is 2.x (libgpiod.so.3).
libdir=/usr/lib/x86_64-linux-gnu
mkdir -p "$root$libdir"
host_libgpiod=$(ldconfig -p | awk '/libgpiod\.so\.2 / {print $NF; exit}')
[[ -n $host_libgpiod ]] && cp -L "$host_libgpiod" "$root$libdir/libgpiod.so.2"
for lib in "$work/kernel-$kernel/libgpiod$libdir"/libgpiod.so.[0-9]; do
    [[ -e $lib ]] && cp -L "$lib" "$root$libdir/"
done
cp -r "$repo/boards" "$root/work/cimfw/"
mkdir -p "$root/work/cimfw/firmware"
cp -r "$repo/firmware/kws-gru" "$root/work/cimfw/firmware/"
[[ -e $root$libdir/libgpiod.so.3 ]] && echo 2 > "$root/libgpiod-api" || echo 1 > "$root/libgpiod-api"
config=$(ls "$work/kernel-$kernel"/headers/usr/src/linux-headers-*-amd64/.config | head -1)
grep -q '^CONFIG_GPIO_CDEV_V1=y' "$config" && echo y > "$root/gpio-cdev-v1" || echo n > "$root/gpio-cdev-v1"
cp "$here/guest-init.sh" "$root/init"; chmod +x "$root/init"
[[ -n $smbus_firmware ]] && touch "$root/smbus-firmware"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$work/initrd-$kernel.gz"
stamp "initramfs $(du -h "$work/initrd-$kernel.gz" | cut -f1)"

# The same 60 s on boards/virtual-eval.toml, in process: what the guest's runs must match.
(cd "$repo" && "$cimfw" run --board boards/virtual-eval.toml --duration 60s --json --no-log) > "$work/virtual-eval.jsonl"
stamp "reference run on boards/virtual-eval.toml"

accel=tcg
[[ ${CIMFW_HIL_ACCEL:-tcg} == kvm ]] && accel=kvm
kimage="$work/kernel-$kernel/vmlinux"
timeout "${CIMFW_HIL_TIMEOUT:-1500}" qemu-system-x86_64 -accel "$accel" -cpu max -smp 2 -m 2048 -nic none -no-reboot -nographic \
    -kernel "$kimage" -initrd "$work/initrd-$kernel.gz" -append "console=ttyS0 quiet panic=-1" \
    > "$work/console-$kernel.log" 2>&1 || true
tr -d '\r' < "$work/console-$kernel.log" > "$work/console-$kernel.txt"
stamp "guest finished"
grep -E '^(HIL|=====|    )' "$work/console-$kernel.txt" | grep -v -E '^HIL (SUMMARY|DETECTION)' || true

python3 "$here/compare.py" "$work/virtual-eval.jsonl" "$work/console-$kernel.txt" --kernel "$kernel" --seconds $(( $(date +%s) - t0 ))
