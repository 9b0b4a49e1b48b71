#!/usr/bin/env bats
# lifecycle.bats: create / start / run / state / kill / delete through the
# init core, the id maps, exit codes, signals, and that nothing of a
# container outlives delete or a failed create.

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

@test "run: the container's process runs as root of its user namespace" {
    make_bundle "$B" sh -c 'id -u; id -g'
    run nook run -b "$B" c1
    assert_status 0
    [ "${lines[0]}" = 0 ]
    [ "${lines[1]}" = 0 ]
}

@test "run: rootless, container 0 is the caller and 1.. the subordinate range" {
    require_rootless
    make_bundle "$B" cat /proc/self/uid_map /proc/self/gid_map
    run nook run -b "$B" c1
    assert_status 0
    read -r first_c first_h first_s <<<"${lines[0]}"
    [ "$first_c" = 0 ] && [ "$first_h" = "$(id -u)" ] && [ "$first_s" = 1 ]
    range=$(grep "^$(id -un):" /etc/subuid | head -n1 | cut -d: -f2)
    read -r second_c second_h second_s <<<"${lines[1]}"
    [ "$second_c" = 1 ] && [ "$second_h" = "$range" ] && [ "$second_s" -le 65536 ]
    [ "$(echo "${lines[2]}" | awk '{print $2}')" = "$(id -g)" ]
}

@test "run: exits with the container's exit code" {
    make_bundle "$B" sh -c 'exit 3'
    run nook run -b "$B" c1
    assert_status 3
    assert_no_leftovers c1 "$B"
}

@test "run: a container killed by a signal exits 128+signal" {
    make_bundle "$B" sh -c 'echo ready; sleep 100'
    "$NOOK" --root "$NOOK_ROOT" run -b "$B" c1 >"$BATS_TEST_TMPDIR/out" 2>&1 &
    runner=$!
    for i in $(seq 50); do grep -q ready "$BATS_TEST_TMPDIR/out" 2>/dev/null && break; sleep 0.1; done
    nook kill c1 KILL
    code=0
    wait "$runner" || code=$?
    [ "$code" -eq 137 ]
    assert_no_leftovers c1 "$B"
}

@test "run: the process is pid 1 of its own pid namespace" {
    make_bundle "$B" sh -c 'echo $$'
    run nook run -b "$B" c1
    assert_status 0
    [ "$output" = 1 ]
}

@test "run: the container's stdout and stderr are the caller's" {
    make_bundle "$B" sh -c 'echo to-out; echo to-err >&2'
    nook run -b "$B" c1 >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err"
    [ "$(cat "$BATS_TEST_TMPDIR/out")" = to-out ]
    [ "$(cat "$BATS_TEST_TMPDIR/err")" = to-err ]
}

@test "run: stdin is the caller's" {
    make_bundle "$B" sh -c 'read line; echo "got $line"'
    run sh -c "echo hello | \"$NOOK\" --root \"$NOOK_ROOT\" run -b \"$B\" c1"
    assert_status 0
    [ "$output" = "got hello" ]
}

@test "create blocks the process at the exec barrier until start" {
    make_bundle "$B" sh -c "echo ran > /tmp/ran; sleep 1"
    edit_config "$B" 'c["root"]["readonly"] = False; c["mounts"].append({"destination": "/tmp", "type": "bind", "source": "'"$BATS_TEST_TMPDIR"'", "options": ["rbind"]})'
    nook_detached create -b "$B" c1
    run nook state c1
    assert_output_contains '"status": "created"'
    sleep 0.3
    [ ! -e "$BATS_TEST_TMPDIR/ran" ]
    run nook start c1
    assert_status 0
    wait_for_status c1 running
    for i in $(seq 50); do [ -e "$BATS_TEST_TMPDIR/ran" ] && break; sleep 0.1; done
    [ "$(cat "$BATS_TEST_TMPDIR/ran")" = ran ]
    wait_for_status c1 stopped
    run nook delete c1
    assert_status 0
    assert_no_leftovers c1 "$B"
}

@test "state reports the init pid of a created container" {
    make_bundle "$B" true
    nook_detached create -b "$B" c1
    pid=$(nook state c1 | "$NOOK_PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
    [ "$pid" -gt 0 ]
    kill -0 "$pid"
    nook delete c1
    assert_no_leftovers c1 "$B"
}

@test "create --pid-file writes the init pid" {
    make_bundle "$B" true
    nook_detached create -b "$B" --pid-file "$BATS_TEST_TMPDIR/pid" c1
    pid=$(nook state c1 | "$NOOK_PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
    [ "$(cat "$BATS_TEST_TMPDIR/pid")" = "$pid" ]
    nook delete c1
}

@test "create of an existing id fails and leaves the first container alone" {
    make_bundle "$B" true
    nook_detached create -b "$B" c1
    nook_capture create -b "$B" c1
    assert_status 1
    assert_output_contains 'container "c1" already exists'
    run nook state c1
    assert_output_contains '"status": "created"'
    nook delete c1
}

@test "start twice is an error; start of a missing container is an error" {
    make_bundle "$B" sleep 5
    nook_detached create -b "$B" c1
    nook start c1
    run nook start c1
    assert_status 1
    assert_output_contains "cannot start an already running container"
    run nook start nosuch
    assert_status 1
    assert_output_contains 'container "nosuch" does not exist'
    nook delete --force c1
    assert_no_leftovers c1 "$B"
}

@test "start of a stopped container is an error" {
    make_bundle "$B" true
    nook_detached create -b "$B" c1
    nook start c1
    wait_for_status c1 stopped
    run nook start c1
    assert_status 1
    assert_output_contains "cannot start a container that has stopped"
    nook delete c1
}

@test "delete of a running container needs --force; --force kills it" {
    make_bundle "$B" sleep 100
    nook_detached create -b "$B" c1
    nook start c1
    run nook delete c1
    assert_status 1
    assert_output_contains "not stopped"
    run nook delete --force c1
    assert_status 0
    assert_no_leftovers c1 "$B"
}

@test "kill: names with and without SIG, and numbers" {
    make_bundle "$B" sleep 100
    for sig in KILL SIGKILL 9; do
        nook_detached create -b "$B" c1
        nook start c1
        run nook kill c1 "$sig"
        assert_status 0
        wait_for_status c1 stopped
        nook delete c1
    done
}

@test "kill: an unknown signal is a usage error" {
    make_bundle "$B" sleep 100
    nook_detached create -b "$B" c1
    run nook kill c1 SIGNOPE
    assert_status 2
    assert_output_contains 'unknown signal "SIGNOPE"'
    nook delete --force c1
}

@test "kill: a stopped container is an error" {
    make_bundle "$B" true
    nook_detached create -b "$B" c1
    nook start c1
    wait_for_status c1 stopped
    run nook kill c1 KILL
    assert_status 1
    assert_output_contains "not running"
    nook delete c1
}

@test "kill --all signals every process of the container" {
    make_bundle "$B" sh -c 'sleep 100 & sleep 100 & trap "exit 0" TERM; wait'
    nook_detached create -b "$B" c1
    nook start c1
    pid=$(nook state c1 | "$NOOK_PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
    sleep 0.3
    [ "$(pgrep -P "$pid" | wc -l)" -eq 2 ]
    nook kill --all c1 KILL
    wait_for_status c1 stopped
    nook delete c1
}

@test "run forwards signals to the container" {
    make_bundle "$B" sh -c 'trap "echo got-term; exit 7" TERM; echo ready; while true; do sleep 0.1; done'
    "$NOOK" --root "$NOOK_ROOT" run -b "$B" c1 >"$BATS_TEST_TMPDIR/out" &
    runner=$!
    for i in $(seq 50); do grep -q ready "$BATS_TEST_TMPDIR/out" 2>/dev/null && break; sleep 0.1; done
    kill -TERM "$runner"
    code=0
    wait "$runner" || code=$?
    [ "$code" -eq 7 ]
    grep -q got-term "$BATS_TEST_TMPDIR/out"
    assert_no_leftovers c1 "$B"
}

@test "run --detach returns at once; run --keep keeps the stopped container" {
    make_bundle "$B" sleep 100
    nook_detached run --detach -b "$B" c1
    run nook state c1
    assert_output_contains '"status": "running"'
    nook delete --force c1
    make_bundle "$B/keep" true
    nook run --keep -b "$B/keep" c2
    run nook state c2
    assert_output_contains '"status": "stopped"'
    nook delete c2
    assert_no_leftovers c2 "$B"
}

@test "a failed create (missing binary) says so and leaves nothing" {
    make_bundle "$B" nosuch-binary
    nook_capture create -b "$B" c1
    assert_status 1
    assert_output_contains 'create: exec: "nosuch-binary": executable file not found in $PATH'
    [ "${#lines[@]}" -eq 1 ]
    assert_no_leftovers c1 "$B"
}

@test "a failed create (bad cwd) says so and leaves nothing" {
    make_bundle "$B" true
    edit_config "$B" 'c["process"]["cwd"] = "/no/such/dir"'
    nook_capture create -b "$B" c1
    assert_status 1
    assert_output_contains '/no/such/dir'
    assert_no_leftovers c1 "$B"
}

@test "a failed create (bad mount) says so and leaves nothing" {
    make_bundle "$B" true
    edit_config "$B" 'c["mounts"].append({"destination": "/data", "type": "bind", "source": "/does/not/exist", "options": ["rbind"]})'
    nook_capture create -b "$B" c1
    assert_status 1
    assert_output_contains '/does/not/exist'
    assert_no_leftovers c1 "$B"
}

@test "a failed create (unmapped user) says so and leaves nothing" {
    require_rootless
    make_bundle "$B" true
    edit_config "$B" 'c["process"]["user"] = {"uid": 4000000000, "gid": 0}'
    nook_capture create -b "$B" c1
    assert_status 1
    assert_output_contains '4000000000'
    assert_no_leftovers c1 "$B"
}

@test "a missing rootfs is named and leaves nothing" {
    make_bundle "$B" true
    edit_config "$B" 'c["root"]["path"] = "no-such-rootfs"'
    nook_capture create -b "$B" c1
    assert_status 1
    assert_output_contains 'no-such-rootfs'
    [ "${#lines[@]}" -eq 1 ]
    assert_no_leftovers c1 "$B"
}

@test "a malformed config.json is named with its path and leaves nothing" {
    make_bundle "$B" true
    edit_config "$B" 'c["process"]["args"] = []'
    nook_capture create -b "$B" c1
    assert_status 1
    assert_output_contains 'config.json: .process.args'
    assert_no_leftovers c1 "$B"
}

@test "an invalid container id is refused before anything is made" {
    make_bundle "$B" true
    nook_capture create -b "$B" ../evil
    assert_status 1
    assert_output_contains 'invalid container id'
    [ -z "$(ls -A "$NOOK_ROOT")" ]
}

@test "no subordinate ranges: a single mapping and one warning" {
    require_root
    id nooktest-nosubid >/dev/null 2>&1 || skip "user nooktest-nosubid missing (tests/setup-test-user.sh makes it)"
    d=$(mktemp -d /tmp/nook-nosubid.XXXXXX)
    "$NOOK" spec --rootless -b "$d"
    edit_config "$d" 'c["root"]["path"] = "'"$NOOK_BUNDLE_ROOTFS"'"; c["process"]["terminal"] = False; c["process"]["args"] = ["cat", "/proc/self/uid_map"]'
    chown -R nooktest-nosubid "$d"
    uid=$(id -u nooktest-nosubid)
    run runuser -u nooktest-nosubid -- "$NOOK" --root "$d/state" run -b "$d" c1
    rm -rf "$d"
    assert_status 0
    assert_output_contains "warning: no subordinate uids"
    [ "$(grep -c 'warning:' <<<"$output")" -eq 1 ]
    grep -Eq "^ *0 +$uid +1$" <<<"$output"
}

@test "the README's default bundle runs and shows root inside" {
    run nook run -b "$NOOK_BUILD_ROOT/bundle" demo
    assert_status 0
    assert_output_contains "hello from nook: uid=0(root) gid=0(root)"
    assert_output_contains "uid map:"
    assert_no_leftovers demo "$NOOK_BUILD_ROOT/bundle"
}

@test "linux.namespaces path: a namespace of another container is joined" {
    require_root
    make_bundle "$B/a" sleep 100
    nook_detached create -b "$B/a" a
    nook start a
    pid=$(nook state a | "$NOOK_PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
    make_bundle "$B/b" sh -c 'readlink /proc/self/ns/net; readlink /proc/self/ns/uts'
    edit_config "$B/b" 'c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] not in ("network", "uts")] + [{"type": "network", "path": "/proc/'"$pid"'/ns/net"}, {"type": "uts", "path": "/proc/'"$pid"'/ns/uts"}]; c.pop("hostname", None)'
    run nook run -b "$B/b" b
    assert_status 0
    [ "${lines[0]}" = "$(readlink /proc/$pid/ns/net)" ]
    [ "${lines[1]}" = "$(readlink /proc/$pid/ns/uts)" ]
    nook delete --force a
}

@test "linux.namespaces path: a path that is not there is named and leaves nothing" {
    make_bundle "$B" true
    edit_config "$B" 'c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "ipc"] + [{"type": "ipc", "path": "/proc/999999999/ns/ipc"}]'
    nook_capture create -b "$B" c1
    assert_status 1
    assert_output_contains '/proc/999999999/ns/ipc'
    assert_no_leftovers c1 "$B"
}

@test "id maps a user does not own: newuidmap's failure is explained" {
    require_rootless
    make_bundle "$B" true
    edit_config "$B" 'c["linux"]["uidMappings"] = [{"containerID": 0, "hostID": '"$(id -u)"', "size": 1}, {"containerID": 1, "hostID": 7000000, "size": 10}]; c["linux"]["gidMappings"] = [{"containerID": 0, "hostID": '"$(id -g)"', "size": 1}]'
    nook_capture create -b "$B" c1
    assert_status 1
    assert_output_contains "newuidmap failed"
    assert_output_contains "/etc/subuid"
    [ "${#lines[@]}" -eq 1 ]
    assert_no_leftovers c1 "$B"
}

@test "linux.timeOffsets: a time namespace of its own with the offsets applied" {
    make_bundle "$B" sh -c 'readlink /proc/self/ns/time; cut -d. -f1 /proc/uptime'
    edit_config "$B" 'c["linux"]["namespaces"].append({"type": "time"}); c["linux"]["timeOffsets"] = {"boottime": {"secs": 864000}, "monotonic": {"secs": 3600}}'
    run nook run -b "$B" c1
    assert_status 0
    [ "${lines[0]}" != "$(readlink /proc/self/ns/time)" ]
    host_uptime=$(cut -d. -f1 /proc/uptime)
    [ "${lines[1]}" -ge $((host_uptime + 864000 - 5)) ]
    [ "${lines[1]}" -le $((host_uptime + 864000 + 5)) ]
}

@test "a time namespace without offsets runs with the host's clocks" {
    make_bundle "$B" sh -c 'readlink /proc/self/ns/time; cut -d. -f1 /proc/uptime'
    edit_config "$B" 'c["linux"]["namespaces"].append({"type": "time"})'
    run nook run -b "$B" c1
    assert_status 0
    [ "${lines[0]}" != "$(readlink /proc/self/ns/time)" ]
    host_uptime=$(cut -d. -f1 /proc/uptime)
    [ "${lines[1]}" -le $((host_uptime + 5)) ]
}

@test "a resource limit without a cgroup manager is an error, or one warning when optional" {
    make_bundle "$B" true
    edit_config "$B" 'c["linux"].setdefault("resources", {})["memory"] = {"limit": 67108864}'
    nook_capture --cgroup-manager disabled create -b "$B" c1
    assert_status 1
    assert_output_contains 'config.json: .linux.resources.memory.limit: cannot be applied: cgroups are disabled (--cgroup-manager disabled)'
    assert_no_leftovers c1 "$B"
    edit_config "$B" 'c.setdefault("annotations", {})["nook.cgroup.optional"] = "true"'
    run nook --cgroup-manager disabled run -b "$B" c2
    assert_status 0
    assert_output_contains 'warning: config.json: .linux.resources.memory.limit: not applied'
    [ "$(grep -c 'warning:' <<<"$output")" -eq 1 ]
}

@test "linux.namespaces path: rootless, another container's user namespace is joined with new ones" {
    require_rootless
    make_bundle "$B/a" sleep 100
    nook_detached run -d -b "$B/a" a
    pid=$(nook state a | "$NOOK_PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
    make_bundle "$B/b" sh -c 'readlink /proc/self/ns/user; echo $$'
    edit_config "$B/b" 'c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "user"] + [{"type": "user", "path": "/proc/'"$pid"'/ns/user"}]'
    run nook run -b "$B/b" b
    assert_status 0
    [ "${lines[0]}" = "$(readlink /proc/$pid/ns/user)" ]
    [ "${lines[1]}" = 1 ]
    nook delete --force a
}
