# Sourced by .ci/run and .ci/fresh-root. `step NAME COMMAND...` runs one step
# and records how long it took; `print_step_times TITLE` lists the steps.
# STEP_PREFIX (optional) goes before each step's name in the log.
declare -a step_names=() step_seconds=()

step() {
    local name="$1"; shift
    local start=$SECONDS
    echo "=== ${STEP_PREFIX:-}$name"
    "$@"
    step_names+=("$name"); step_seconds+=($((SECONDS - start)))
    echo "=== ${STEP_PREFIX:-}$name took $((SECONDS - start)) s"
}

print_step_times() {
    echo "$1"
    local i
    for i in "${!step_names[@]}"; do
        printf '  %5d s  %s\n' "${step_seconds[$i]}" "${step_names[$i]}"
    done
}
