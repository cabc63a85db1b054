#!/usr/bin/env bash
# The same sweep on a one-node Slurm cluster and on this machine, compared
# byte for byte: sweeps/smoke.toml (8 points, quick budget) planned twice,
# one plan submitted with `cimfw sweep submit --slurm` as job arrays, the
# other run with `cimfw sweep run --jobs 2`; the two results.csv must be the
# same file, and the two report.html (every number follows from the seed,
# whichever process or node computed it). Starts and stops scripts/slurm/one-node-cluster.sh; as root.
#
#   scripts/slurm/sweep-on-slurm.sh [CIMFW]     # default .build/release/cimfw
set -euo pipefail
cd "$(dirname "$0")/../.."
cimfw=$(readlink -f "${1:-.build/release/cimfw}")
work=$(mktemp -d /var/tmp/cimfw-slurm-sweep.XXXXXX)
trap 'scripts/slurm/one-node-cluster.sh stop >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

scripts/slurm/one-node-cluster.sh start
"$cimfw" sweep plan sweeps/smoke.toml --out "$work/slurm"
start=$SECONDS
"$cimfw" sweep submit "$work/slurm" --slurm --max-parallel 2 --time 10:00
"$cimfw" sweep status "$work/slurm" --wait --timeout 10m
"$cimfw" sweep collect "$work/slurm" >/dev/null
echo "slurm: $((SECONDS - start)) s for the array"
start=$SECONDS
"$cimfw" sweep plan sweeps/smoke.toml --out "$work/local" >/dev/null
"$cimfw" sweep run "$work/local" --jobs 2 >/dev/null 2>&1
echo "local --jobs 2: $((SECONDS - start)) s"
cat "$work/slurm/results.csv"
for file in results.csv report.html; do
    if cmp -s "$work/slurm/$file" "$work/local/$file"; then
        echo "$file from Slurm and from the local run are identical ($(($(wc -l < "$work/local/results.csv") - 1)) points)"
    else
        echo "$file differs between Slurm and the local run:"
        diff "$work/slurm/$file" "$work/local/$file" || true
        exit 1
    fi
done
