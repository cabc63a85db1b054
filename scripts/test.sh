#!/usr/bin/env bash
# The test suite: installs what the build and the tests need
# (scripts/install-dependencies.sh), then runs `swift test`. Arguments go to
# `swift test`, for example
#   scripts/test.sh --filter FirmwareTests
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v swift >/dev/null 2>&1; then
    echo "test.sh: 'swift' is not on PATH; install Swift 6.1 or newer (docs/raspberry-pi.md, 'Swift') and add its usr/bin to PATH" >&2
    exit 1
fi
bash scripts/install-dependencies.sh test
exec swift test "$@"
