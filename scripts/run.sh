#!/usr/bin/env bash
# The main job: installs what the build needs (scripts/install-dependencies.sh),
# builds cimfw in release mode and runs the shipped keyword-spotting firmware
# on the simulated RRAM board. Arguments go to `cimfw run`, for example
#   scripts/run.sh --board boards/virtual-eval.toml --duration 10m
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v swift >/dev/null 2>&1; then
    echo "run.sh: 'swift' is not on PATH; install Swift 6.1 or newer (docs/raspberry-pi.md, 'Swift') and add its usr/bin to PATH" >&2
    exit 1
fi
bash scripts/install-dependencies.sh build
exec swift run -c release cimfw run "$@"
