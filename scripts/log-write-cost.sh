#!/usr/bin/env bash
# What the energy log costs per row, CSV against the SQLite store: runs the
# release firmware for DURATION of board time (default 1h: 14,400 inference
# rows and 60 period rows) RUNS times each with no log, `--log x.csv` and
# `--log x.sqlite`, interleaved, and prints the median wall time of each and
# the cost per row, (median with log − median without) / rows. Both logs
# write every 5 s of board time (`energy_log.flush_interval_seconds`): the
# CSV log one write(2) and an fsync, the store one transaction.
#
#   scripts/log-write-cost.sh [RUNS] [DURATION]   # default 5, 1h; needs .build/release/cimfw
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
duration=${2:-1h}
cimfw=.build/release/cimfw
[ -x "$cimfw" ] || { echo "build it first: swift build -c release --product cimfw"; exit 2; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

seconds() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null; t1=$(date +%s.%N); awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }'; }
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

: > "$dir/none"; : > "$dir/csv"; : > "$dir/sqlite"
for _ in $(seq 1 "$runs"); do
    rm -f "$dir"/log.*
    seconds "$cimfw" run --duration "$duration" --quiet --no-log >> "$dir/none"
    seconds "$cimfw" run --duration "$duration" --quiet --log "$dir/log.csv" >> "$dir/csv"
    seconds "$cimfw" run --duration "$duration" --quiet --log "$dir/log.sqlite" >> "$dir/sqlite"
done
rows=$(($(wc -l < "$dir/log.csv") - 1))
none=$(median < "$dir/none"); csv=$(median < "$dir/csv"); sqlite=$(median < "$dir/sqlite")
printf 'rows per run %d; median of %d runs: no log %.3f s, CSV %.3f s, SQLite %.3f s\n' "$rows" "$runs" "$none" "$csv" "$sqlite"
awk -v n="$none" -v c="$csv" -v s="$sqlite" -v r="$rows" \
    'BEGIN { printf "per row: CSV %.2f µs, SQLite %.2f µs (SQLite / CSV = %.2f)\n", (c - n) / r * 1e6, (s - n) / r * 1e6, (s - n) / (c - n) }'
