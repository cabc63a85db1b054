#!/usr/bin/env bash
# Installs the Debian packages cimfw needs that this machine lacks, then exits.
#
#   scripts/install-dependencies.sh build   # what `swift build` and `cimfw run` need
#   scripts/install-dependencies.sh test    # that, plus what `swift test` needs
#
# As root it runs apt-get; otherwise it uses sudo when sudo can run without a
# prompt on a terminal-less session or with one on a terminal. When neither
# works it stops with exit status 1 and prints the one command to run. On a
# system without dpkg it prints the list and leaves the rest to SwiftPM.
set -euo pipefail

purpose=${1:-build}

# Why each package is here:
#   g++, libstdc++-12-dev  TOMLKit compiles toml++ (C++17)
#   pkg-config             SwiftPM finds FFTW, libsndfile and libsoxr through it
#   libi2c-dev             CIMLinux's I2C backend (i2c-tools' libi2c, <i2c/smbus.h>)
#   libgpiod3 or libgpiod2 CIMLinux's GPIO backend, loaded at run time: libgpiod 2.x
#                          (Debian 13) where the distribution has it, else 1.6 (Debian 12)
#   libfftw3-dev           the keyword-spotting frontend's FFT (fftw3f)
#   libsndfile1-dev        audio files: WAV of every encoding, FLAC, Ogg
#   libsoxr-dev            resampling audio to 16 kHz
#   libsqlite3-dev         the firmware's energy log (SQLite 3 in WAL mode)
#   git                    SwiftPM fetches the Swift package dependencies with it
libgpiod=libgpiod2
command -v apt-cache >/dev/null 2>&1 && apt-cache show libgpiod3 >/dev/null 2>&1 && libgpiod=libgpiod3
build_packages=(g++ libstdc++-12-dev pkg-config libi2c-dev "$libgpiod" libfftw3-dev libsndfile1-dev libsoxr-dev libsqlite3-dev git)
#   python3, python3-jsonschema  EvaluateCommandTests validate report.json against its schema
#   ngspice                IRDropSPICETests solve the same crossbars with a circuit simulator
test_packages=(python3 python3-jsonschema ngspice sqlite3)

case "$purpose" in
    build) wanted=("${build_packages[@]}") ;;
    test) wanted=("${build_packages[@]}" "${test_packages[@]}") ;;
    *)
        echo "install-dependencies.sh: argument '$purpose' is invalid; expected 'build' or 'test'" >&2
        exit 2
        ;;
esac

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
    echo "install-dependencies.sh: no dpkg/apt-get here; install the equivalents of: ${wanted[*]}" >&2
    exit 0
fi

missing=()
for package in "${wanted[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)
    [[ "$status" == "installed" ]] || missing+=("$package")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

command_line="apt-get install -y --no-install-recommends ${missing[*]}"
echo "install-dependencies.sh: installing ${missing[*]}" >&2

run_as_root() {
    if [[ $(id -u) -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1 && { [[ -t 0 ]] || sudo -n true 2>/dev/null; }; then
        sudo "$@"
    else
        return 127
    fi
}

export DEBIAN_FRONTEND=noninteractive
status=0
run_as_root apt-get update -qq || status=$?
if [[ $status -ne 0 ]]; then
    if [[ $status -eq 127 ]]; then
        echo "install-dependencies.sh: these packages are missing and this user cannot install them (not root, no sudo)." >&2
        echo "Run this as root, then run the command again:" >&2
        echo "    apt-get update && $command_line" >&2
    else
        echo "install-dependencies.sh: 'apt-get update' failed (exit $status); fix apt's sources, then run: $command_line" >&2
    fi
    exit 1
fi
status=0
run_as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || status=$?
if [[ $status -ne 0 ]]; then
    echo "install-dependencies.sh: '$command_line' failed; see apt-get's message above" >&2
    exit 1
fi
