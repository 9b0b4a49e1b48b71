#!/usr/bin/env bats
# state.bats: `state`, `list` and `delete` on containers recorded around
# real processes by the fake-container test helper (the state library's
# own API), so status derivation is checked against live, dead, zombie-free
# and recycled pids.

load helpers

setup_file() {
    export_python
}

setup() {
    common_setup
    FAKE=$NOOK_BUILD_ROOT/tests/fake-container
    BUNDLE=$BATS_TEST_TMPDIR/bundle
    mkdir -p "$BUNDLE"
    SLEEPERS=()
}

teardown() {
    local pid
    for pid in "${SLEEPERS[@]}"; do
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
}

# fake ID [fake-container flags...]: record container ID in the test's root.
fake() {
    local id=$1
    shift
    "$FAKE" --root "$NOOK_ROOT" --id "$id" --bundle "$BUNDLE" "$@"
}

# start_sleeper: a process to stand in for a container's init; its pid is
# left in SLEEPER.
start_sleeper() {
    sleep 1000 </dev/null >/dev/null 2>&1 3>&- &
    SLEEPER=$!
    SLEEPERS+=("$SLEEPER")
}

# py CODE: run python on $output (as stdin) with CODE.
py() {
    printf '%s' "$output" | "${NOOK_PYTHON:-python3}" -c "$1"
}

@test "state of a missing container is a one-line error and exit 1" {
    run nook state nosuch
    assert_status 1
    [ "$output" = 'nook: container "nosuch" does not exist' ]
}

@test "state and delete reject invalid ids and leave nothing behind" {
    # "--" so that an id starting with "-" is not taken for a flag.
    for id in ../x . .. -a a/b "a b" _x; do
        run nook state -- "$id"
        assert_status 1
        assert_output_contains "invalid container id \"$id\""
        [ "${#lines[@]}" -eq 1 ]
        run nook delete -- "$id"
        assert_status 1
        assert_output_contains "invalid container id"
        run nook delete --force -- "$id"
        assert_status 1
        assert_output_contains "invalid container id"
    done
    run nook state "$(printf 'x%.0s' {1..1025})"
    assert_status 1
    assert_output_contains "longer than 1024 bytes"
    [ -z "$(ls -A "$NOOK_ROOT")" ]
}

@test "state of a running container prints runc's JSON" {
    start_sleeper
    fake c1 --pid "$SLEEPER" --annotation org.example.key=value
    run nook state c1
    assert_status 0
    py '
import json, sys, re, os, pwd
s = json.load(sys.stdin)
assert list(s) == ["ociVersion", "id", "pid", "status", "bundle", "rootfs", "created", "annotations", "owner"], list(s)
assert s["id"] == "c1"
assert s["pid"] == '"$SLEEPER"', s["pid"]
assert s["status"] == "running", s["status"]
assert s["bundle"] == "'"$BUNDLE"'", s["bundle"]
assert s["rootfs"] == "'"$BUNDLE"'/rootfs", s["rootfs"]
assert s["annotations"] == {"org.example.key": "value"}, s["annotations"]
assert s["owner"] == pwd.getpwuid(os.geteuid()).pw_name, s["owner"]
assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z", s["created"]), s["created"]
'
    # runc's layout: two-space indent, "key": value, no newline at the end.
    [ "${lines[0]}" = "{" ]
    [ "${lines[1]}" = '  "ociVersion": "1.2.0",' ]
    [ "${lines[3]}" = "  \"pid\": $SLEEPER," ]
    [ "$("$NOOK" --root "$NOOK_ROOT" state c1 | tail -c 1)" = "}" ]
}

@test "a container without annotations has no annotations field" {
    start_sleeper
    fake plain --pid "$SLEEPER"
    run nook state plain
    assert_status 0
    py 'import json, sys; s = json.load(sys.stdin); assert "annotations" not in s and s["owner"], s'
}

@test "state follows the process: created, running, stopped" {
    start_sleeper
    fake c2 --pid "$SLEEPER" --exec-fifo
    run nook state c2
    assert_status 0
    py 'import json, sys; s = json.load(sys.stdin); assert s["status"] == "created", s'
    [ -p "$NOOK_ROOT/c2/exec.fifo" ]

    # Without the exec barrier the same process is running.
    rm "$NOOK_ROOT/c2/exec.fifo"
    run nook state c2
    py 'import json, sys; s = json.load(sys.stdin); assert s["status"] == "running", s'

    kill -KILL "$SLEEPER"
    wait "$SLEEPER" || true
    run nook state c2
    assert_status 0
    py 'import json, sys; s = json.load(sys.stdin); assert s["status"] == "stopped" and s["pid"] == 0, s'
}

@test "a live pid with another start time is a recycled pid: stopped" {
    start_sleeper
    fake recycled --pid "$SLEEPER" --start-time 1
    run nook state recycled
    assert_status 0
    py 'import json, sys; s = json.load(sys.stdin); assert s["status"] == "stopped" and s["pid"] == 0, s'
    # delete --force must not signal the live process behind the recycled pid.
    run nook delete --force recycled
    assert_status 0
    kill -0 "$SLEEPER"
    [ ! -e "$NOOK_ROOT/recycled" ]
}

@test "a container whose creator is alive is creating; once it dies, stopped" {
    start_sleeper
    fake making --creator-pid "$SLEEPER"
    run nook state making
    assert_status 0
    py 'import json, sys; s = json.load(sys.stdin); assert s["status"] == "creating" and s["pid"] == 0, s'
    kill -KILL "$SLEEPER"
    wait "$SLEEPER" || true
    run nook state making
    py 'import json, sys; s = json.load(sys.stdin); assert s["status"] == "stopped", s'
}

@test "list shows runc's aligned table, sorted by id" {
    start_sleeper
    local running=$SLEEPER
    start_sleeper
    local created=$SLEEPER
    fake b-running --pid "$running"
    fake a-created --pid "$created" --exec-fifo
    fake c-stopped-with-a-long-id
    run nook list
    assert_status 0
    [ "${#lines[@]}" -eq 4 ]
    [[ "${lines[0]}" =~ ^ID\ +PID\ +STATUS\ +BUNDLE\ +CREATED\ +OWNER$ ]]
    [[ "${lines[1]}" =~ ^a-created\ +$created\ +created\ +$BUNDLE\  ]]
    [[ "${lines[2]}" =~ ^b-running\ +$running\ +running\ +$BUNDLE\  ]]
    [[ "${lines[3]}" =~ ^c-stopped-with-a-long-id\ +0\ +stopped\ +$BUNDLE\  ]]
    [[ "${lines[3]}" == *" $(id -un)" ]]
    # Go's tabwriter: each column is max(12, widest cell + 3) wide.
    py '
import sys
lines = sys.stdin.read().split("\n")
rows = [l.split() for l in lines]
assert all(len(r) == 6 for r in rows), rows
for col in range(5):
    width = max(12, max(len(r[col]) for r in rows) + 3)
    start = sum(max(12, max(len(r[c]) for r in rows) + 3) for c in range(col))
    for line, r in zip(lines, rows):
        assert line[start:start + width] == r[col].ljust(width), (line, col)
'
}

@test "list -q prints only the ids" {
    start_sleeper
    fake two --pid "$SLEEPER"
    fake one
    run nook list -q
    assert_status 0
    [ "$output" = "$(printf 'one\ntwo')" ]
}

@test "list -f json prints runc's array" {
    start_sleeper
    fake run1 --pid "$SLEEPER" --annotation a=b
    fake stop1
    run nook list -f json
    assert_status 0
    [ "${#lines[@]}" -eq 1 ]
    py '
import json, sys
items = json.load(sys.stdin)
assert [i["id"] for i in items] == ["run1", "stop1"], items
assert list(items[0]) == ["ociVersion", "id", "pid", "status", "bundle", "rootfs", "created", "annotations", "owner"], list(items[0])
assert list(items[1]) == ["ociVersion", "id", "pid", "status", "bundle", "rootfs", "created", "owner"], list(items[1])
assert items[0]["status"] == "running" and items[0]["pid"] == '"$SLEEPER"', items[0]
assert items[0]["annotations"] == {"a": "b"}
assert items[1]["status"] == "stopped" and items[1]["pid"] == 0, items[1]
'
}

@test "list of an empty or missing root lists nothing" {
    run nook list
    assert_status 0
    [ "${#lines[@]}" -eq 1 ]
    [[ "$output" =~ ^ID\ +PID\ +STATUS\ +BUNDLE\ +CREATED\ +OWNER$ ]]
    run nook list -f json
    assert_status 0
    [ "$output" = "null" ]
    run nook list -q
    assert_status 0
    [ -z "$output" ]

    run "$NOOK" --root "$BATS_TEST_TMPDIR/missing" list -f json
    assert_status 0
    [ "$output" = "null" ]
    [ ! -e "$BATS_TEST_TMPDIR/missing" ]
}

@test "list skips what is not a container" {
    fake good
    mkdir "$NOOK_ROOT/.hidden" "$NOOK_ROOT/broken"
    echo '{' > "$NOOK_ROOT/broken/state.json"
    touch "$NOOK_ROOT/a-file"
    run nook list -q
    assert_status 0
    [ "${lines[-1]}" = "good" ]
    assert_output_contains 'list: state of container "broken"'
}

@test "list with an unknown format is an error" {
    run nook list -f yaml
    assert_status 2
    [ "$output" = 'nook: list: unknown format "yaml"; use table or json' ]
}

@test "delete removes a stopped container's directory" {
    fake gone
    mkdir "$NOOK_ROOT/gone/sub"
    touch "$NOOK_ROOT/gone/sub/file"
    run nook delete gone
    assert_status 0
    [ -z "$output" ]
    [ ! -e "$NOOK_ROOT/gone" ]
    run nook state gone
    assert_status 1
    [ "$output" = 'nook: container "gone" does not exist' ]
}

@test "delete of a running container needs --force, which kills it" {
    start_sleeper
    fake busy --pid "$SLEEPER"
    run nook delete busy
    assert_status 1
    [ "$output" = "nook: cannot delete container busy that is not stopped: running" ]
    kill -0 "$SLEEPER"
    [ -f "$NOOK_ROOT/busy/state.json" ]

    run nook delete --force busy
    assert_status 0
    [ ! -e "$NOOK_ROOT/busy" ]
    local rc=0
    wait "$SLEEPER" || rc=$?
    [ "$rc" -eq 137 ]   # 128 + SIGKILL
}

@test "delete of a created container kills it without --force, as runc does" {
    start_sleeper
    fake waiting --pid "$SLEEPER" --exec-fifo
    run nook delete waiting
    assert_status 0
    [ ! -e "$NOOK_ROOT/waiting" ]
    local rc=0
    wait "$SLEEPER" || rc=$?
    [ "$rc" -eq 137 ]
}

@test "delete of a missing container fails, except with --force" {
    run nook delete nosuch
    assert_status 1
    [ "$output" = 'nook: container "nosuch" does not exist' ]
    run nook delete --force nosuch
    assert_status 0
    [ -z "$output" ]
}

@test "without --root and without XDG_RUNTIME_DIR, a rootless caller is told the fix" {
    require_rootless
    run env -u XDG_RUNTIME_DIR "$NOOK" list
    assert_status 1
    [ "$output" = "nook: XDG_RUNTIME_DIR is not set; log in through a session manager (pam_systemd) or pass --root DIR (see: nook check runtime-dir)" ]
    run env XDG_RUNTIME_DIR=/ "$NOOK" state x
    assert_status 1
    assert_output_contains 'XDG_RUNTIME_DIR "/" belongs to uid 0'
    [[ "$output" == *"(see: nook check runtime-dir)" ]]
}
