#!/usr/bin/env bash
# Downloads a Debian kernel and builds the HIL tier's modules against it:
# cimbridge.ko (module/cimbridge.c) and, where the kernel lacks it in tree,
# gpio-sim.ko from the same kernel's source package. Nothing prebuilt is
# committed: every run fetches the packages Debian's archive carries now.
#
#   scripts/hil-qemu/kernel.sh WORK_DIR bookworm|trixie-backports
#
# Leaves in WORK_DIR: vmlinux (or bzImage), modules/*.ko, kernel-version,
# libgpiod/ (the distribution's libgpiod and gpio tools for that guest).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mkdir -p "$1" && cd "$1" && pwd)"
suite="${2:-bookworm}"
mirror="${CIMFW_DEBIAN_MIRROR:-http://deb.debian.org/debian}"

# A private apt configuration: the host's own sources and state are not touched.
apt_dir="$work/apt"
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$work/debs"
case "$suite" in
    bookworm) echo "deb $mirror bookworm main" > "$apt_dir/sources.list" ;;
    trixie-backports) printf 'deb %s trixie main\ndeb %s trixie-backports main\n' "$mirror" "$mirror" > "$apt_dir/sources.list" ;;
    *) echo "kernel.sh: suite '$suite' is not bookworm or trixie-backports" >&2; exit 2 ;;
esac
apt_options=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
    -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache" -o Dir::State::status=/dev/null
    -o APT::Default-Release="${suite}" -q)
apt-get "${apt_options[@]}" update >/dev/null

image_meta=linux-image-amd64
[[ $suite == trixie-backports ]] && image_meta="linux-image-amd64/trixie-backports"
image=$(apt-cache "${apt_options[@]}" depends "$image_meta" | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
release=${image#linux-image-}                       # 6.1.0-41-amd64
version=$(apt-cache "${apt_options[@]}" show "$image" | awk '/^Version:/{print $2; exit}')
major=$(echo "$version" | cut -d. -f1,2)             # 6.1
echo "$release" > "$work/kernel-version"

# The kbuild package is linux-kbuild-6.1 on Debian 12 and linux-kbuild-<release> later: ask the headers.
kbuild_package=$(apt-cache "${apt_options[@]}" depends "linux-headers-$release" | awk '/Depends: linux-kbuild-/{print $2; exit}')
packages=("$image" "linux-headers-$release" "linux-headers-${release%-amd64}-common" "$kbuild_package=$version")
if [[ $suite == bookworm ]]; then
    packages+=("linux-source-$major=$version" gpiod libgpiod2)
else
    # Debian 13's backported kernels split the image into its binary and its modules.
    packages+=("linux-binary-$release=$version" "linux-modules-$release=$version" gpiod libgpiod3)
fi
(cd "$work/debs" && apt-get "${apt_options[@]}" download "${packages[@]}" >/dev/null 2>&1) \
    || { echo "kernel.sh: apt-get download ${packages[*]} failed" >&2; exit 1; }

# The kernel, the in-tree modules the guest loads, and user-space libgpiod.
rm -rf "$work/root" "$work/headers" "$work/libgpiod" "$work/build"
mkdir -p "$work/root" "$work/headers" "$work/libgpiod" "$work/build" "$work/modules"
for deb in "$work/debs/${image}_"*.deb "$work/debs/linux-binary-${release}_"*.deb "$work/debs/linux-modules-${release}_"*.deb; do
    [[ -f $deb ]] && dpkg -x "$deb" "$work/root"
done
for p in gpiod libgpiod2 libgpiod3; do
    ls "$work/debs/${p}_"*.deb >/dev/null 2>&1 && dpkg -x "$work/debs/${p}_"*.deb "$work/libgpiod"
done
modules=$(find "$work/root" -type d -path "*/lib/modules/$release/kernel" | head -1)
for m in fs/configfs/configfs.ko drivers/i2c/i2c-dev.ko drivers/gpio/gpio-sim.ko; do
    for f in "$modules/$m" "$modules/$m.xz" "$modules/$m.zst"; do
        [[ -f $f ]] || continue
        case $f in
            *.xz) xz -dc "$f" > "$work/modules/$(basename "$m")" ;;
            *.zst) zstd -qdc "$f" > "$work/modules/$(basename "$m")" ;;
            *) cp "$f" "$work/modules/" ;;
        esac
    done
done

# Build cimbridge (and gpio-sim where the config lacks it) against the headers.
for p in "linux-headers-$release" "linux-headers-${release%-amd64}-common" "$kbuild_package"; do
    dpkg -x "$work/debs/${p}_"*.deb "$work/headers"
done
headers="$work/headers/usr/src/linux-headers-$release"
sed -i "s#\([ =]\)/usr/src/#\1$work/headers/usr/src/#" "$headers/Makefile"
cp "$here/module/cimbridge.c" "$work/build/"
kbuild="obj-m := cimbridge.o"
if [[ ! -f $work/modules/gpio-sim.ko ]]; then
    # Debian 12's config has no gpio-sim: build it from the same kernel's source,
    # with the interrupt simulator linked in (irq_to_desc is not exported).
    tar_xz="./usr/src/linux-source-$major.tar.xz"
    dpkg-deb --fsys-tarfile "$work/debs/linux-source-${major}_"*.deb | tar -xO "$tar_xz" \
        | tar -xJ -C "$work/build" --strip-components=1 "linux-source-$major/drivers/gpio/gpio-sim.c" \
            "linux-source-$major/drivers/gpio/gpiolib.h" "linux-source-$major/kernel/irq/irq_sim.c"
    mv "$work/build/drivers/gpio/gpio-sim.c" "$work/build/gpio-sim-core.c"
    mv "$work/build/drivers/gpio/gpiolib.h" "$work/build/kernel/irq/irq_sim.c" "$work/build/"
    sed -i 's#handle_simple_irq(irq_to_desc(irqnum));#generic_handle_irq(irqnum);#' "$work/build/irq_sim.c"
    kbuild+=$'\nobj-m += gpio-sim.o\ngpio-sim-y := gpio-sim-core.o irq_sim.o'
fi
echo "$kbuild" > "$work/build/Kbuild"
# Modules are built with the compiler the kernel was (its flags follow it):
# gcc-12 on Debian 12's kernels; a newer kernel's gcc (14 for Debian 13's)
# runs in a minimal root of that suite, made with mmdebstrap.
compiler=$(sed -n 's/^CONFIG_CC_VERSION_TEXT="\([^ ]*\) .*/\1/p' "$headers/.config")
if command -v "$compiler" >/dev/null; then
    make -s -C "$headers" M="$work/build" modules 2>&1 | grep -v -e 'Skipping BTF' -e 'warning: the compiler differs' -e '^  You are using' -e '^ *gcc' || true
else
    builder="$work/builder"
    if [[ ! -f $builder/.cimfw-builder-$compiler ]]; then
        # mmdebstrap installs the Essential set and the compiler in one apt run,
        # outside the chroot: about half debootstrap's time plus an apt-get inside.
        if ! command -v mmdebstrap >/dev/null; then
            export DEBIAN_FRONTEND=noninteractive
            apt-get install -y -qq --no-install-recommends mmdebstrap >/dev/null 2>&1 \
                || { apt-get update -qq && apt-get install -y -qq --no-install-recommends mmdebstrap >/dev/null; }
        fi
        rm -rf "$builder"
        mmdebstrap --variant=essential --include="${compiler#x86_64-linux-gnu-},make,libc6-dev,libelf1t64,pahole" \
            "${suite%-backports}" "$builder" "$mirror" > "$work/mmdebstrap.log" 2>&1 \
            || { tail -20 "$work/mmdebstrap.log"; exit 1; }
        touch "$builder/.cimfw-builder-$compiler"
    fi
    # The headers and the sources at the same absolute paths inside, as the Makefile names them.
    mkdir -p "$builder$work"
    rm -rf "$builder$work/headers" "$builder$work/build"
    cp -a "$work/headers" "$work/build" "$builder$work/"
    # objtool reads /proc.
    mountpoint -q "$builder/proc" || mount -t proc proc "$builder/proc"
    trap 'umount "$builder/proc" 2>/dev/null || true' EXIT
    chroot "$builder" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
        make -s -C "$headers" M="$work/build" modules 2>&1 | grep -v -e 'Skipping BTF' -e 'pahole' -e '^  You are using' -e '^  The kernel was built' || true
    cp "$builder$work/build/"*.ko "$work/build/"
    umount "$builder/proc"
fi
cp "$work/build/"*.ko "$work/modules/"

# QEMU boots an ELF vmlinux directly (PVH note); Debian ships a bzImage, whose
# payload is unpacked here. xz for 6.1; zstd for newer kernels.
bz=$(find "$work/root" \( -name "vmlinuz-$release" -o -path "*/modules/$release/vmlinuz" \) | head -1)
python3 - "$bz" "$work/vmlinux" <<'PY' || cp "$bz" "$work/vmlinux"
import lzma, sys
data = open(sys.argv[1], 'rb').read()
i = data.find(b'\xfd7zXZ\x00')
if i < 0: sys.exit(1)
open(sys.argv[2], 'wb').write(lzma.LZMADecompressor().decompress(data[i:]))
PY
echo "kernel $release ($version): $(ls "$work/modules" | tr '\n' ' ')"
