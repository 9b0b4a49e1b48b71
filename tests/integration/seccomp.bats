#!/usr/bin/env bats
# seccomp.bats: .linux.seccomp applied to the container's process (and to
# what `nook exec` runs), the default profile of `nook spec`, and
# SCMP_ACT_NOTIFY handing its listener to an agent at listenerPath.

load helpers

setup_file() {
    export_python
}

setup() {
    common_setup
    B=$BATS_TEST_TMPDIR/bundle
}

teardown() {
    [ -z "${AGENT_PID:-}" ] || kill "$AGENT_PID" 2>/dev/null || true
    common_teardown
}

# deny_mkdir [ERRNO]: an allow-all profile whose mkdir fails (EPERM, or
# errnoRet ERRNO).
deny_mkdir() {
    local ret=${1:-}
    edit_config "$B" "
c['linux']['seccomp'] = {'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [
    {'names': ['mkdir', 'mkdirat'], 'action': 'SCMP_ACT_ERRNO'}]}
if '$ret':
    c['linux']['seccomp']['syscalls'][0]['errnoRet'] = int('$ret')"
}

@test "an ERRNO rule makes mkdir fail with EPERM inside, other syscalls work" {
    make_bundle "$B" sh -c 'mkdir /tmp/x; echo "rc=$?"; ls -d /tmp'
    deny_mkdir
    nook_capture run -b "$B" sc1
    assert_status 0
    assert_output_contains "Operation not permitted"
    assert_output_contains "rc=1"
    assert_output_contains "/tmp"
}

@test "errnoRet chooses the error" {
    make_bundle "$B" sh -c 'mkdir /tmp/x'
    deny_mkdir 28
    nook_capture run -b "$B" sc2
    [ "$status" -ne 0 ]
    assert_output_contains "No space left on device"
}

@test "the filter also holds without noNewPrivileges" {
    make_bundle "$B" sh -c 'grep NoNewPrivs /proc/self/status; mkdir /tmp/x'
    deny_mkdir
    edit_config "$B" 'c["process"]["noNewPrivileges"] = False'
    nook_capture run -b "$B" sc3
    [ "$status" -ne 0 ]
    assert_output_contains "NoNewPrivs:	0"
    assert_output_contains "Operation not permitted"
}

@test "Seccomp: 2 in the container's status, and none for nook before the exec" {
    make_bundle "$B" grep -E '^Seccomp:' /proc/self/status
    deny_mkdir
    nook_capture run -b "$B" sc4
    assert_status 0
    [ "$output" = "Seccomp:	2" ]
}

@test "nook exec runs under the container's filter" {
    make_bundle "$B" sleep 30
    deny_mkdir
    nook_detached run -d -b "$B" sc5
    nook_capture exec sc5 mkdir /tmp/y
    [ "$status" -ne 0 ]
    assert_output_contains "Operation not permitted"
    nook_capture exec sc5 ls -d /tmp
    assert_status 0
}

@test "the default profile of nook spec runs busybox's sh, ls and ps, and blocks unshare" {
    make_bundle "$B" sh -c 'ls / >/dev/null && ps >/dev/null && echo fine; unshare -U true; echo "unshare=$?"'
    "${NOOK_PYTHON:-python3}" -c 'import json,sys; c=json.load(open(sys.argv[1])); s=c["linux"]["seccomp"]; print(s["defaultAction"], len(s["syscalls"]))' "$B/config.json" >"$BATS_TEST_TMPDIR/profile"
    read -r action count <"$BATS_TEST_TMPDIR/profile"
    [ "$action" = SCMP_ACT_ERRNO ]
    [ "$count" -gt 2 ]
    nook_capture run -b "$B" sc6
    assert_status 0
    assert_output_contains "fine"
    assert_output_contains "unshare=1"
}

@test "a filter that forbids execve stops the container with a clear error" {
    make_bundle "$B" true
    edit_config "$B" "c['linux']['seccomp'] = {'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['execve', 'execveat'], 'action': 'SCMP_ACT_ERRNO'}]}"
    nook_capture run -b "$B" sc7
    [ "$status" -ne 0 ]
    assert_output_contains 'exec "/bin/true": Operation not permitted'
    assert_no_leftovers sc7 "$B"
}

@test "a rule set libseccomp never finishes is stopped with a clear error, nothing left" {
    make_bundle "$B" true
    # libseccomp 2.5.4 loops forever in seccomp_rule_add() on these two
    # rules; nook compiles in a child it stops after 5 s.
    edit_config "$B" "c['linux']['seccomp'] = {'defaultAction': 'SCMP_ACT_LOG', 'syscalls': [
        {'names': ['read'], 'action': 'SCMP_ACT_TRACE', 'errnoRet': 3, 'args': [
            {'index': 1, 'value': 4294967295, 'op': 'SCMP_CMP_GT'}, {'index': 2, 'value': 0, 'op': 'SCMP_CMP_EQ'}]},
        {'names': ['read'], 'action': 'SCMP_ACT_ERRNO', 'args': [
            {'index': 1, 'value': 4294967295, 'op': 'SCMP_CMP_GT'},
            {'index': 4, 'value': 4294967295, 'op': 'SCMP_CMP_MASKED_EQ', 'valueTwo': 3}]}]}"
    SECONDS=0
    nook_capture create -b "$B" sc9
    echo "# create returned $status after $SECONDS s: $output"
    [ "$status" -ne 0 ]
    [ "$SECONDS" -lt 15 ]
    assert_output_contains ".linux.seccomp: libseccomp did not finish the filter within 5000 ms"
    [ "$(echo "$output" | wc -l)" -eq 1 ]
    assert_no_leftovers sc9 "$B"
}

@test "SCMP_ACT_NOTIFY: the agent gets the listener and the state, and its answer reaches the container" {
    make_bundle "$B" sh -c 'mkdir /tmp/z; echo "rc=$?"'
    local sock=$BATS_TEST_TMPDIR/agent.sock
    "$NOOK_BUILD_ROOT/tests/seccomp-agent" "$sock" "$BATS_TEST_TMPDIR/agent.state" 18 &
    AGENT_PID=$!
    for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
    edit_config "$B" "c['linux']['seccomp'] = {'defaultAction': 'SCMP_ACT_ALLOW', 'listenerPath': '$sock', 'listenerMetadata': 'hello-agent', 'syscalls': [{'names': ['mkdir', 'mkdirat'], 'action': 'SCMP_ACT_NOTIFY'}]}"
    nook_capture run -b "$B" sc8
    assert_status 0
    assert_output_contains "Invalid cross-device link"
    assert_output_contains "rc=1"
    "${NOOK_PYTHON:-python3}" - "$BATS_TEST_TMPDIR/agent.state" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
assert s["fds"] == ["seccompFd"], s
assert s["metadata"] == "hello-agent", s
assert s["pid"] > 0, s
assert s["state"]["id"] == "sc8", s
assert s["state"]["status"] == "creating", s
assert s["ociVersion"], s
PY
    [ -s "$BATS_TEST_TMPDIR/agent.state.log" ]
}

@test "SCMP_ACT_NOTIFY with no agent listening fails create and leaves nothing" {
    make_bundle "$B" true
    edit_config "$B" "c['linux']['seccomp'] = {'defaultAction': 'SCMP_ACT_ALLOW', 'listenerPath': '$BATS_TEST_TMPDIR/nobody.sock', 'syscalls': [{'names': ['mkdir'], 'action': 'SCMP_ACT_NOTIFY'}]}"
    nook_capture run -b "$B" sc9
    [ "$status" -ne 0 ]
    assert_output_contains ".linux.seccomp.listenerPath"
    assert_output_contains "nobody.sock"
    assert_no_leftovers sc9 "$B"
}
