#!/usr/bin/env bash
# Writes the outputs a refactoring must leave unchanged into OUT_DIR, from
# the cimfw binary CIMFW (default .build/release/cimfw): `cimfw characterize`
# on the four simulated presets, `cimfw accuracy` on them and on
# virtual-eval, the main command's summary and energy log, and a thermal ramp. Wall-clock
# figures ("on this machine") are removed; everything else must match:
#
#   scripts/same-bits.sh /tmp/before  (on the old commit)
#   scripts/same-bits.sh /tmp/after   (on the new one)
#   diff -r /tmp/before /tmp/after    (empty: same bits out)
set -euo pipefail
out=${1:?usage: scripts/same-bits.sh OUT_DIR}
cimfw=${CIMFW:-.build/release/cimfw}
mkdir -p "$out"
strip() { sed -E "s|$PWD/||g" | sed -E '/^host time/d; s/, [0-9.]+ (s|ms) on this machine//; s/latency [0-9.]+ ms/latency (wall)/; s/, [0-9.]+ ms median latency//'; }
presets="sim-rram-256 sim-pcm sim-nor-flash sim-sram-4bit"
for p in $presets; do
    "$cimfw" characterize --board "boards/$p.toml" | strip > "$out/characterize-$p.txt"
done
for p in $presets virtual-eval; do
    "$cimfw" accuracy --board "boards/$p.toml" | strip > "$out/accuracy-$p.txt"
done
"$cimfw" run --no-log | strip > "$out/run-sim-rram-256.txt"
"$cimfw" run --board boards/virtual-eval.toml --duration 20s --no-log | strip > "$out/run-virtual-eval.txt"
"$cimfw" run --thermal-ramp 0:60 --duration 1h --accuracy-every 15m --quiet --no-log | strip > "$out/thermal-ramp-sim-rram-256.txt"
# The energy log the main command writes, without its wall-clock column.
log="$out/.energy-log.csv"
"$cimfw" run --duration 10m --log "$log" --quiet > /dev/null
cut -d, -f1,3- "$log" > "$out/energy-log-sim-rram-256.csv"
rm -f "$log"
echo "same-bits: $(ls "$out" | wc -l) files in $out"
