#!/usr/bin/env bash
# Crash consistency of the SQLite energy log under SIGKILL: runs the release
# firmware KILLS times over one store (`--log energy.sqlite`), kills each run
# at a random moment (commits happen every 5 s of board time, many per
# second of wall time, so kills land inside transactions), and checks that
#   - every row committed before a kill is still there, unchanged, after the
#     next run opened the store and appended to it (the CSV export of the
#     store at a kill leads the export after the next kill, byte for byte);
#   - at the end `PRAGMA integrity_check` is ok.
#
#   scripts/log-kill-test-sqlite.sh [KILLS]   # default 100; needs .build/release/cimfw and sqlite3
set -euo pipefail
cd "$(dirname "$0")/.."
kills=${1:-100}
cimfw=.build/release/cimfw
[ -x "$cimfw" ] || { echo "build it first: swift build -c release --product cimfw"; exit 2; }
command -v sqlite3 >/dev/null || { echo "needs the sqlite3 command (Debian package sqlite3)"; exit 2; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
store=$dir/energy.sqlite
RANDOM=2026

# The store's committed rows, without the wall-clock column.
rows() { "$cimfw" log export "$store" --csv | cut -d, -f1,3-; }

committed=0
# Rows committed so far (0 before the store exists).
count() { [ -f "$store" ] && sqlite3 "$store" 'SELECT (SELECT count(*) FROM inference) + (SELECT count(*) FROM period)' 2>/dev/null || echo 0; }

for round in $(seq 1 "$kills"); do
    before=$(count)
    "$cimfw" run --duration 2h --quiet --log "$store" --seed "$round" >/dev/null 2>&1 &
    pid=$!
    # Until this run has committed rows of its own, then a random moment more.
    for _ in $(seq 1 1000); do
        [ "$(count)" -gt "$before" ] && break
        sleep 0.01
    done
    sleep "0.$(printf '%03d' $((RANDOM % 400)))"
    kill -9 "$pid"
    wait "$pid" 2>/dev/null || true
    rows > "$dir/now.csv"
    if [ -f "$dir/before.csv" ] && ! cmp -s "$dir/before.csv" <(head -c "$(stat -c %s "$dir/before.csv")" "$dir/now.csv"); then
        echo "round $round: rows committed before the previous kill were lost or changed"
        exit 1
    fi
    mv "$dir/now.csv" "$dir/before.csv"
done
committed=$(($(wc -l < "$dir/before.csv") - 1))
integrity=$(sqlite3 "$store" 'PRAGMA integrity_check')
echo "$kills kills; $committed rows committed at the last kill, 0 committed rows lost; integrity_check: $integrity"
[ "$integrity" = ok ] && [ "$committed" -gt 0 ]
