#!/bin/sh
# PID 1 of the HIL guest (busybox sh): loads i2c-dev, cimbridge and gpio-sim,
# then, for each cimbridge adapter (plain I2C, SMBus only), runs against
# `cimfw emulate` serving boards/virtual-eval.toml's models:
#   cimfw probe, cimfw power, the HardwareInLoop suite (and the Linux adapter
#   tests on the real /dev/i2c-N and GPIO chip), the board-file and error
#   checks of docs/hil-qemu.md, and `cimfw run --duration 60s` (JSON kept
#   for the host to compare with the same run on boards/virtual-eval.toml).
# Prints "HIL PASS"/"HIL FAIL" per check and "HIL RESULT: pass=N fail=M".
export PATH=/bin:/sbin:/usr/bin:/usr/sbin HOME=/root
mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs devtmpfs /dev; mount -t tmpfs tmpfs /tmp
mkdir -p /run; mount -t tmpfs tmpfs /run
up() { cut -d' ' -f1 /proc/uptime; }
pass=0; fail=0
ok() { echo "HIL PASS: $*"; pass=$((pass + 1)); }
bad() { echo "HIL FAIL: $*"; fail=$((fail + 1)); }
# expect <description> <expected status> <command...>: output in /run/out
expect() {
    d=$1; want=$2; shift 2; t=$(up)
    "$@" > /run/out 2>&1; rc=$?
    s=$(echo "$(up) $t" | awk '{printf "%.1f", $1 - $2}')
    if [ "$rc" = "$want" ]; then ok "$d (exit $rc, ${s}s)"; else bad "$d: exit $rc, expected $want (${s}s)"; sed 's/^/    | /' /run/out | tail -40; fi
}
has() { if grep -q -- "$2" /run/out; then ok "$1"; else bad "$1: output lacks '$2'"; sed 's/^/    | /' /run/out | tail -20; fi; }
lacks() { if grep -q -- "$2" /run/out; then bad "$1: output has '$2'"; sed 's/^/    | /' /run/out | tail -20; else ok "$1"; fi; }

echo "HIL: kernel $(uname -r), $(nproc) CPU, uptime $(up) s"
grep -qw configfs /proc/filesystems || insmod /modules/configfs.ko
mount -t configfs configfs /sys/kernel/config
insmod /modules/i2c-dev.ko
insmod /modules/cimbridge.ko
insmod /modules/gpio-sim.ko
for a in /sys/bus/i2c/devices/i2c-*; do echo "HIL: /dev/${a##*/} $(cat $a/name)"; done
[ "$(cat /sys/bus/i2c/devices/i2c-0/name)" = cimbridge-i2c ] && [ "$(cat /sys/bus/i2c/devices/i2c-1/name)" = cimbridge-smbus ] \
    && ok "cimbridge adapters are /dev/i2c-0 (plain I2C) and /dev/i2c-1 (SMBus only), as the board files say" \
    || bad "cimbridge adapters are not /dev/i2c-0 and /dev/i2c-1"
cd /work/cimfw
API=$(cat /libgpiod-api 2>/dev/null || echo "?")
CDEV_V1=$(cat /gpio-cdev-v1 2>/dev/null || echo "?")
echo "HIL: newest libgpiod in the guest: API v$API ($(ls /usr/lib/x86_64-linux-gnu/ | grep '^libgpiod.so' | tr '\n' ' ')); kernel GPIO_CDEV_V1=$CDEV_V1"
[ "$API" = 1 ] && [ "$CDEV_V1" = n ] && bad "the guest has only libgpiod 1.x on a kernel without GPIO_CDEV_V1"

EMU=
start_emulator() {
    rm -f /run/emulator.ready
    cimfw emulate --board boards/virtual-eval.toml --ready-file /run/emulator.ready > /run/emulator.out 2>&1 &
    EMU=$!
    for i in $(seq 1 300); do [ -f /run/emulator.ready ] && break; sleep 0.1; done
    [ -f /run/emulator.ready ] || { bad "cimfw emulate did not start"; cat /run/emulator.out; }
    CHIP=$(cat /run/emulator.ready 2>/dev/null)
}
stop_emulator() {
    [ -n "$EMU" ] || return 0
    kill -TERM $EMU; wait $EMU; erc=$?; EMU=
    [ "$erc" = 0 ] || { bad "cimfw emulate exited $erc"; cat /run/emulator.out; }
    echo "    emulator: $(tail -1 /run/emulator.out)"
}

for variant in i2c smbus; do
    if [ $variant = i2c ]; then board=boards/hil-qemu.toml; bus=0; else board=boards/hil-qemu-smbus.toml; bus=1; fi
    echo "===== $variant adapter (/dev/i2c-$bus), $board, libgpiod API v$API"
    start_emulator
    expect "$variant: cimfw probe identifies the eval board and the INA226" 0 cimfw probe --board $board
    cat /run/out | sed 's/^/    /'
    has "$variant: probe names the board file once" "Board file $board:"
    [ "$(grep -c "$board" /run/out)" = 1 ] && ok "$variant: probe prints the board file's path once" || bad "$variant: probe prints the path $(grep -c "$board" /run/out) times"
    expect "$variant: cimfw power samples the INA226 over i2c-dev" 0 cimfw power --board $board --duration 1s --rate 4
    head -3 /run/out | sed 's/^/    /'
    # 4: probe and power need neither [eval_board] nor [gpio]
    sed -e '/^\[eval_board\]/,/^$/d' -e '/^\[gpio\]/,/^$/d' -e '/^inherits/d' boards/hil-qemu.toml | sed "s/^bus = 0 /bus = $bus /" > /tmp/monitors-only.toml
    expect "$variant: probe with a board file of [i2c] and [power.*] only" 0 cimfw probe --board /tmp/monitors-only.toml
    expect "$variant: power with a board file of [i2c] and [power.*] only" 0 cimfw power --board /tmp/monitors-only.toml --duration 500ms --rate 4
    expect "$variant: run refuses that file, naming the missing table" 2 cimfw run --board /tmp/monitors-only.toml --duration 1s --no-log --quiet
    has "$variant: ... and the missing table is named" "eval_board"
    # 5: a NACK names the bus, the address and the operation
    sed -e 's/^address = 0x40/address = 0x41/' /tmp/monitors-only.toml > /tmp/silent.toml
    expect "$variant: power on a silent address fails" 1 cimfw power --board /tmp/silent.toml --duration 500ms
    has "$variant: the NACK names the adapter" "/dev/i2c-$bus"
    has "$variant: the NACK names the address" "0x41"
    has "$variant: the NACK names the operation" "read"
    # The project's HIL suite and the Linux adapter tests, on the real devices.
    if [ -x /usr/bin/cimfw-tests ]; then
        CIMFW_HIL_BOARD=$board CIMFW_HIL_I2C_BUS=$bus CIMFW_HIL_GPIO_CHIP=$CHIP \
            expect "$variant: swift test --filter HardwareInLoop (and the real-adapter tests)" 0 \
            cimfw-tests --testing-library swift-testing --filter 'HardwareInLoop|aRealAdapter|aRealChip|theShimLoadsTheNewestInstalledLibgpiod'
        grep -E '(✔|✘|passed|failed)' /run/out | sed 's/\x1b\[[0-9;]*m//g' | grep -E 'Test |Suite ' | sed 's/^/    /' | tail -12
    fi
    stop_emulator
    # The whole firmware, 60 s of board time, on a fresh emulator (fresh models, as virtual-eval starts).
    # On the SMBus-only adapter every transfer is a 32-byte block (~10x the
    # transfers): only when asked (run.sh --smbus-firmware), as it takes long under TCG.
    [ $variant = smbus ] && [ ! -f /smbus-firmware ] && { echo "HIL SKIP: smbus firmware run (run.sh --smbus-firmware runs it)"; continue; }
    start_emulator
    t=$(up)
    expect "$variant: cimfw run --board $board --duration 60s" 0 cimfw run --board $board --duration 60s --json --no-log
    echo "HIL RUN $variant $(echo "$(up) $t" | awk '{printf "%.1f", $1 - $2}')"
    sed -n '/"summary"/p' /run/out | tail -1 | sed "s/^/HIL SUMMARY $variant /"
    grep '"detection"' /run/out | sed "s/^/HIL DETECTION $variant /"
    stop_emulator
done
# 2: libgpiod 1.x on a kernel without GPIO_CDEV_V1 says the kernel needs libgpiod 2.x.
if [ -e /usr/lib/x86_64-linux-gnu/libgpiod.so.2 ] && [ "$CDEV_V1" = n ]; then
    echo "===== cimfw with libgpiod 1.x (CIMFW_LIBGPIOD=libgpiod.so.2) on this kernel (no GPIO_CDEV_V1)"
    start_emulator
    # A board that cannot be opened is exit 2 for `cimfw run` (docs/firmware.md), as a missing bus is.
    expect "libgpiod 1.x: cimfw run refuses the board at its GPIO lines" 2 env CIMFW_LIBGPIOD=libgpiod.so.2 cimfw run --board boards/hil-qemu.toml --duration 1s --no-log --quiet
    has "... naming the kernel option" "CONFIG_GPIO_CDEV_V1"
    has "... and the library it needs" "libgpiod.so.3"
    sed 's/^/    /' /run/out | tail -3
    stop_emulator
fi
echo "HIL RESULT: pass=$pass fail=$fail uptime=$(up)s"
poweroff -f
