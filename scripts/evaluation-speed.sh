#!/usr/bin/env bash
# The speed of evaluations and sweeps, as a user meets it, measured with the
# release cimfw (CIMFW, default .build/release/cimfw):
#
#   point      wall time of one quick sweep point on sim-rram-256 (48 clips),
#              REPEATS runs, median
#   scaling    sweeps/smoke.toml's 8 points with --jobs 1 and --jobs 2,
#              REPEATS runs each, alternating, medians and their ratio
#   host       host time per inference on sim-rram-256 and virtual-eval
#              (`cimfw accuracy`, itself a median over 240 clips), one clip
#              at a time and 16 at a time (`--batch 16`, as `cimfw evaluate`
#              takes its accuracy; "n/a" for a binary without --batch)
#   full       with --full: the README's two-board evaluation
#              (sim-rram-256 and virtual-eval, full budget), once
#
# With BASELINE=/path/to/older/cimfw, every figure is also taken with that
# binary in the same run, interleaved, and the ratio printed: the ratio
# survives a noisy shared machine better than either number.
#
#   scripts/evaluation-speed.sh [--full] [--repeats N]
set -euo pipefail
cd "$(dirname "$0")/.."
cimfw=${CIMFW:-.build/release/cimfw}
baseline=${BASELINE:-}
repeats=5
full=false
while [ $# -gt 0 ]; do
    case "$1" in
        --full) full=true ;;
        --repeats) repeats=${2:?--repeats needs a count}; shift ;;
        *) echo "evaluation-speed.sh: unknown argument '$1'; expected --full or --repeats N" >&2; exit 2 ;;
    esac
    shift
done
case "$repeats" in ''|*[!0-9]*|0) echo "evaluation-speed.sh: --repeats '$repeats' is invalid; expected a count of at least 1" >&2; exit 2 ;; esac
for b in "$cimfw" ${baseline:+"$baseline"}; do
    [ -x "$b" ] || { echo "evaluation-speed.sh: $b is not an executable cimfw; build it with swift build -c release" >&2; exit 2; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
seconds() { local t0 t1; t0=$(date +%s.%N); "$@" > /dev/null 2>&1; t1=$(date +%s.%N); echo "$t1 - $t0" | bc -l; }
binaries() { echo "$cimfw"; [ -n "$baseline" ] && echo "$baseline"; true; }
label() { [ "$1" = "$cimfw" ] && echo "cimfw" || echo "baseline"; }

printf 'machine: %s, %s cores; %s; cimfw %s\n' "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')" \
    "$(nproc)" "$(date -u +%Y-%m-%dT%H:%MZ)" "$(git rev-parse --short HEAD 2>/dev/null || echo '?')"

# One quick point on sim-rram-256.
cat > "$work/point.toml" <<EOF
firmware = "$PWD/firmware/kws-gru"
boards = ["$PWD/boards/sim-rram-256.toml"]
seeds = [1]
budget = "quick"
clips = 48
EOF
for b in $(binaries); do "$b" sweep plan "$work/point.toml" --out "$work/point-$(label "$b")" > /dev/null; done
for _ in $(seq "$repeats"); do
    for b in $(binaries); do
        dir="$work/point-$(label "$b")"
        rm -f "$dir"/results/*.json "$dir/baseline.json"
        seconds "$b" sweep point "$dir" --index 0 >> "$work/point-$(label "$b").times"
    done
done
for b in $(binaries); do
    printf 'point     %-8s quick sweep point, sim-rram-256: median %.2f s over %d runs\n' "$(label "$b")" "$(median < "$work/point-$(label "$b").times")" "$repeats"
done

# Local scaling over the smoke sweep's 8 points.
for b in $(binaries); do "$b" sweep plan sweeps/smoke.toml --out "$work/smoke-$(label "$b")" > /dev/null; done
for _ in $(seq "$repeats"); do
    for b in $(binaries); do
        dir="$work/smoke-$(label "$b")"
        for jobs in 1 2; do
            rm -f "$dir"/results/*.json "$dir/baseline.json"
            seconds "$b" sweep run "$dir" --jobs "$jobs" >> "$work/smoke-$(label "$b")-$jobs.times"
        done
    done
done
for b in $(binaries); do
    one=$(median < "$work/smoke-$(label "$b")-1.times"); two=$(median < "$work/smoke-$(label "$b")-2.times")
    printf 'scaling   %-8s sweeps/smoke.toml (8 points): --jobs 1 %.2f s, --jobs 2 %.2f s (medians of %d): %.2fx\n' \
        "$(label "$b")" "$one" "$two" "$repeats" "$(echo "$one / $two" | bc -l)"
done

# Host time per inference.
for board in sim-rram-256 virtual-eval; do
    for b in $(binaries); do
        us=$("$b" accuracy --board "boards/$board.toml" | awk '/^host time/ { print $3 }')
        batched=$("$b" accuracy --board "boards/$board.toml" --batch 16 2> /dev/null | awk '/^host time/ { print $3 }' || true)
        printf 'host      %-8s %s: %s µs per inference one clip at a time, %s µs 16 at a time (medians over the test clips)\n' \
            "$(label "$b")" "$board" "$us" "${batched:-n/a}"
    done
done

if $full; then
    for b in $(binaries); do
        s=$(seconds "$b" evaluate --board boards/sim-rram-256.toml --board boards/virtual-eval.toml --out "$work/full-$(label "$b")" --quiet)
        printf 'full      %-8s README two-board evaluation (sim-rram-256, virtual-eval; full budget): %.0f s\n' "$(label "$b")" "$s"
    done
fi
