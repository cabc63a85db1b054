#!/usr/bin/env bash
# Fuzzes the parsers of outside bytes with libFuzzer and AddressSanitizer.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]    # default: 30 s for each of every target
#   FUZZ_SEED=N scripts/fuzz.sh ...          # another mutation sequence (default 1; 0 = random)
#
# Builds Sources/cimfw-fuzz with -sanitize=fuzzer,address into .build-fuzz,
# seeds each target's corpus from Tests/FuzzCorpus/TARGET plus the
# repository's own files of that kind, and runs it for SECONDS. A crash
# leaves its input in .build-fuzz/crashes/TARGET and fails the script; the
# executions each target reached are printed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-30}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(board-file manifest wav onnx eval-protocol csv-repair stdin-pcm sweep-spec on-chip-program)
fi

swift build --product cimfw-fuzz --scratch-path .build-fuzz \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING >/dev/null
binary=$(swift build --product cimfw-fuzz --scratch-path .build-fuzz \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING --show-bin-path)/cimfw-fuzz

seeds() {
    case $1 in
        board-file) ls boards/*.toml boards/templates/*.toml 2>/dev/null ;;
        manifest) echo firmware/kws-gru/firmware.toml ;;
        wav) ls Tests/KWSTests/Fixtures/*.wav Tests/KWSTests/Fixtures/*.flac firmware/kws-gru/test/test-clean/yes/*.wav | head -20 ;;
        onnx) ls Tests/KWSTests/Fixtures/onnx/*.onnx ;;
        sweep-spec) ls sweeps/*.toml ;;
        *) ;;
    esac
}

status=0
report=()
for target in "${targets[@]}"; do
    corpus=.build-fuzz/corpus/$target
    crashes=.build-fuzz/crashes/$target
    mkdir -p "$corpus" "$crashes"
    cp Tests/FuzzCorpus/"$target"/* "$corpus"/ 2>/dev/null || true
    for f in $(seeds "$target"); do cp "$f" "$corpus/seed-$(basename "$f")"; done
    log=.build-fuzz/$target.log
    # -rss_limit_mb: a parser that tries to hold an absurd declared size fails here, not the machine.
    # -detect_leaks=0 (and ASan's exit check off): TOMLKit leaks in TOMLTable(string:) on parse errors
    # and in TOMLTable.keys (tableGetKeys), Foundation in String(contentsOfFile:) on some error
    # paths — their allocations, not this package's. What is hunted here is traps and memory errors.
    # -seed: the mutations are the same every run, so CI's result does not depend on a draw
    # (FUZZ_SEED=0 lets libFuzzer pick one, to explore further by hand). SWIFT_BACKTRACE off:
    # Swift's crash handler reads the crashed process's memory and trips ASan over the real report.
    if SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0 CIMFW_FUZZ_TARGET=$target "$binary" "$corpus" \
        -seed="${FUZZ_SEED:-1}" -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=65536 -detect_leaks=0 -artifact_prefix="$crashes/" -print_final_stats=1 >"$log" 2>&1; then
        runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
        report+=("$target: $runs executions, no crash")
    else
        status=1
        report+=("$target: CRASH, input in $crashes (log $log)")
        tail -40 "$log"
    fi
done
printf '%s\n' "${report[@]}"
exit $status
