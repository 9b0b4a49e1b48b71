#!/usr/bin/env bats
# ps.bats: `nook ps`: the container's processes as a filtered ps(1) table
# or a JSON array of host pids.

load helpers

setup_file() {
    export_python
}

setup() {
    common_setup
    B=$BATS_TEST_TMPDIR/bundle
}

teardown() {
    common_teardown
}

init_pid() {
    nook state "$1" | "${NOOK_PYTHON:-python3}" -c 'import json, sys; print(json.load(sys.stdin)["pid"])'
}

start_with_exec() {
    make_bundle "$B" sleep 1000
    nook_detached run -d -b "$B" c1
    wait_for_status c1 running
    nook exec -d --pid-file "$BATS_TEST_TMPDIR/exec.pid" c1 sleep 777 </dev/null >/dev/null 2>&1
    EXEC_PID=$(cat "$BATS_TEST_TMPDIR/exec.pid")
    INIT_PID=$(init_pid c1)
}

@test "ps -f json: the init and an exec'd process, as host pids" {
    start_with_exec
    run nook ps -f json c1
    assert_status 0
    expected=$(printf '%s\n' "$INIT_PID" "$EXEC_PID" | sort -n | paste -sd, -)
    [ "$output" = "[$expected]" ]
    echo "$output" | "${NOOK_PYTHON:-python3}" -c 'import json, sys; assert len(json.load(sys.stdin)) == 2'
}

@test "ps: a ps(1) table with its header and only the container's rows" {
    start_with_exec
    # Another sleep on the host that must not be listed.
    sleep 555 &
    outsider=$!
    run nook ps c1
    kill "$outsider"
    assert_status 0
    [[ "${lines[0]}" == *PID*CMD* ]]
    [ "${#lines[@]}" -eq 3 ]
    assert_output_contains "sleep 1000"
    assert_output_contains "sleep 777"
    [[ "$output" != *"sleep 555"* ]]
}

@test "ps: ps arguments are passed through" {
    start_with_exec
    run nook ps c1 -o pid,args
    assert_status 0
    [ "$(echo "${lines[0]}" | awk '{print $1, $2}')" = "PID COMMAND" ]
    [ "$(echo "${lines[1]}" | awk '{print $1}')" = "$(printf '%s\n' "$INIT_PID" "$EXEC_PID" | sort -n | head -n1)" ]
    [ "${#lines[@]}" -eq 3 ]
    run nook ps c1 -o comm
    assert_status 1
    assert_output_contains "no PID column"
}

@test "ps: a stopped container has no processes" {
    make_bundle "$B" true
    nook_detached run -d -b "$B" c1
    wait_for_status c1 stopped
    run nook ps -f json c1
    assert_status 0
    [ "$output" = "[]" ]
}

@test "ps: errors: a missing container, a bad format" {
    run nook ps nosuch
    assert_status 1
    assert_output_contains 'container "nosuch" does not exist'
    run nook ps --format yaml nosuch
    assert_status 1
    assert_output_contains '--format "yaml": must be table or json'
}
