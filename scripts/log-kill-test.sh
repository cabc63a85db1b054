#!/usr/bin/env bash
# Crash consistency of the energy log under SIGKILL, kills landing inside
# writes: runs the release firmware KILLS times over one log with slow
# writes (7 bytes per write(2), CIMFW_TEST_SLOW_LOG_WRITES), kills each run
# at a random moment, and checks that
#   - every line that was whole in the file at a kill is still there, byte
#     for byte, after the next run repaired the file and appended to it;
#   - at the end no line is torn (each has the header's field count), there
#     is one header, and the file ends with a line feed.
#
#   scripts/log-kill-test.sh [KILLS]     # default 100; needs .build/release/cimfw
set -euo pipefail
cd "$(dirname "$0")/.."
kills=${1:-100}
cimfw=.build/release/cimfw
[ -x "$cimfw" ] || { echo "build it first: swift build -c release --product cimfw"; exit 2; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
log=$dir/energy.csv
RANDOM=2026
torn=0

# The file up to its last line feed: what a kill left whole.
whole_lines() { perl -0777 -pe 's/[^\n]*\z//' "$1"; }

# $1 must lead the log byte for byte.
leads_log() {
    local size
    size=$(stat -c %s "$1")
    cmp -s "$1" <(head -c "$size" "$log")
}

for round in $(seq 1 "$kills"); do
    before=$(stat -c %s "$log" 2>/dev/null || echo 0)
    CIMFW_TEST_SLOW_LOG_WRITES=7:300 "$cimfw" run --duration 2h --quiet --log "$log" --seed "$round" >/dev/null 2>&1 &
    pid=$!
    # Until this run has written past what was there, then a random moment more.
    for _ in $(seq 1 1000); do
        [ "$(stat -c %s "$log" 2>/dev/null || echo 0)" -gt "$before" ] && break
        sleep 0.01
    done
    sleep "0.$(printf '%03d' $((RANDOM % 300)))"
    kill -9 "$pid"
    wait "$pid" 2>/dev/null || true
    if [ -f "$dir/whole" ] && ! leads_log "$dir/whole"; then
        echo "round $round: lines that were whole at the previous kill were lost or changed"
        exit 1
    fi
    [ "$(tail -c 1 "$log" | od -An -tx1 | tr -d ' ')" = "0a" ] || torn=$((torn + 1))
    whole_lines "$log" > "$dir/whole"
done
# A last run repairs the last kill's tail and appends.
"$cimfw" run --duration 5s --quiet --log "$log" >/dev/null
leads_log "$dir/whole" || { echo "after the last restart: lines that were whole at the last kill were lost or changed"; exit 1; }
fields=$(head -1 "$log" | awk -F, '{ print NF }')
bad=$(awk -F, -v n="$fields" 'NF != n' "$log" | wc -l)
headers=$(grep -c '^time_s,' "$log")
records=$(($(wc -l < "$log") - 1))
echo "$kills kills, $torn of them inside a write (a torn last line at the kill); $records records at the end, 0 whole lines lost; $bad torn or malformed lines; $headers header"
[ "$bad" -eq 0 ] && [ "$headers" -eq 1 ] && [ "$(tail -c 1 "$log" | od -An -tx1 | tr -d ' ')" = "0a" ]
