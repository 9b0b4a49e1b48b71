#!/usr/bin/env bats
# cgroup-systemd.bats: the systemd cgroup manager against a real systemd
# user manager (run-in-user-manager.sh starts one for the test user with
# tests/setup-user-manager.sh): the container's init runs in the
# "container" sub-cgroup of a transient nook-<id>.scope with Delegate=yes,
# state.json records both, delete stops the unit and leaves nothing,
# slice:prefix:name names the unit, annotations become unit properties, and
# the clear errors: a bad cgroupsPath, a bad annotation, a limit the
# delegated subtree has no controller for, no bus at all; and pause,
# resume, ps and kill --all on such a container. In root mode (no system
# manager on the test hosts) the errors only.

load helpers

setup_file() {
    export_python
}

setup() {
    common_setup
    B=$BATS_TEST_TMPDIR/bundle
    V2=$(cgroup_v2_root) || true
}

teardown() {
    common_teardown
}

# The container's init pid, from `nook state`.
init_pid() {
    nook state "$1" | sed -n 's/^ *"pid": \([0-9]*\),*$/\1/p'
}

# A field of the container's state.json.
state_field() {
    "${NOOK_PYTHON:-python3}" -c 'import json, sys; print(json.load(open(sys.argv[1])).get(sys.argv[2]))' \
        "$NOOK_ROOT/$1/state.json" "$2"
}

# The unit's property, as systemctl shows it.
unit_property() {
    systemctl --user show -p "$2" --value "$1"
}

# Whether the manager has the unit loaded at all.
unit_loaded() {
    [ "$(unit_property "$1" LoadState)" = loaded ]
}

# A running container c1 made with ARGS (global flags) and config edits
# done by the caller before.
create_running() {
    nook_detached "$@" create -b "$B" c1 || return 1
    nook start c1
}

@test "systemd: the init runs in nook-<id>.scope/container, recorded in state.json" {
    require_user_manager
    make_bundle "$B" sleep 1000
    create_running --cgroup-manager systemd
    pid=$(init_pid c1)
    cgroup=$(sed -n 's/^0:://p' "/proc/$pid/cgroup")
    [[ "$cgroup" == /*/nook-c1.scope/container ]] ||
        { echo "the init is in $cgroup" >&2; false; }
    [ "$(state_field c1 cgroup_manager)" = systemd ]
    [ "$(state_field c1 cgroup_unit)" = nook-c1.scope ]
    [ "$(state_field c1 cgroup_path)" = "$cgroup" ]
    # The scope holds nothing but the sub-cgroup (its processes are below).
    [ -z "$(cat "$V2${cgroup%/container}/cgroup.procs")" ]
}

@test "systemd: the manager knows the scope: active, Delegate=yes, the user owns it" {
    require_user_manager
    make_bundle "$B" sleep 1000
    create_running --cgroup-manager systemd
    run systemctl --user status nook-c1.scope
    assert_status 0
    assert_output_contains 'nook container c1'
    assert_output_contains 'active (running)'
    assert_output_contains "$(init_pid c1)"
    [ "$(unit_property nook-c1.scope Delegate)" = yes ]
    [ "$(unit_property nook-c1.scope DefaultDependencies)" = no ]
    scope=$(state_field c1 cgroup_path)
    scope=$V2${scope%/container}
    [ "$(stat -c %U "$scope")" = "$(id -un)" ]
    [ "$(stat -c %U "$scope/cgroup.procs")" = "$(id -un)" ]
    [ "$(stat -c %U "$scope/cgroup.subtree_control")" = "$(id -un)" ]
    [ "$(stat -c %U "$scope/container")" = "$(id -un)" ]
}

@test "systemd: delete stops the unit and leaves no unit and no cgroup" {
    require_user_manager
    make_bundle "$B" sleep 1000
    create_running --cgroup-manager systemd
    scope=$V2$(state_field c1 cgroup_path)
    scope=${scope%/container}
    [ -d "$scope" ]
    nook kill c1 KILL
    wait_for_status c1 stopped
    run nook delete c1
    assert_status 0
    [ "$(unit_property nook-c1.scope LoadState)" = not-found ]
    [ ! -e "$scope" ]
    assert_no_leftovers c1 "$B"
}

@test "systemd: delete --force of a running container stops the unit with its processes" {
    require_user_manager
    make_bundle "$B" sh -c "sleep 1091 & exec sleep 1092"
    create_running --cgroup-manager systemd
    for i in $(seq 50); do
        pgrep -f "sleep 1091" >/dev/null && break
        sleep 0.1
    done
    pgrep -f "sleep 1091" >/dev/null
    run nook delete --force c1
    assert_status 0
    ! unit_loaded nook-c1.scope || false
    ! pgrep -f "sleep 109[12]" || false
    assert_no_leftovers c1 "$B"
}

@test "systemd: a container that exits takes its scope with it; delete is still clean" {
    require_user_manager
    make_bundle "$B" true
    run nook --cgroup-manager systemd run -b "$B" c1
    assert_status 0
    ! unit_loaded nook-c1.scope || false
    assert_no_leftovers c1 "$B"
}

@test "systemd: the container's cgroup namespace is rooted at its sub-cgroup (made after the move)" {
    require_user_manager
    make_bundle "$B" cat /proc/self/cgroup
    edit_config "$B" 'assert any(n["type"] == "cgroup" for n in c["linux"]["namespaces"])'
    run nook --cgroup-manager systemd run -b "$B" c1
    assert_status 0
    # The v2 line (a hybrid host shows the v1 hierarchies' lines too).
    [ "$(grep '^0::' <<<"$output")" = "0::/" ] || { echo "inside: $output" >&2; false; }
}

@test "systemd: pause and resume freeze the container's sub-cgroup" {
    require_user_manager
    make_bundle "$B" sleep 1000
    create_running --cgroup-manager systemd
    cgroup=$V2$(state_field c1 cgroup_path)
    run nook pause c1
    assert_status 0
    wait_for_status c1 paused
    grep -qx 'frozen 1' "$cgroup/cgroup.events"
    [ "$(unit_property nook-c1.scope ActiveState)" = active ]
    run nook resume c1
    assert_status 0
    wait_for_status c1 running
    grep -qx 'frozen 0' "$cgroup/cgroup.events"
}

@test "systemd: ps lists and kill --all kills every process of the container" {
    require_user_manager
    make_bundle "$B" sh -c "sleep 1093 & exec sleep 1094"
    create_running --cgroup-manager systemd
    for i in $(seq 50); do
        pgrep -f "sleep 1093" >/dev/null && break
        sleep 0.1
    done
    run nook ps c1
    assert_status 0
    assert_output_contains "sleep 1093"
    assert_output_contains "sleep 1094"
    run nook kill --all c1 KILL
    assert_status 0
    wait_for_status c1 stopped
    for i in $(seq 50); do
        pgrep -f "sleep 109[34]" >/dev/null || break
        sleep 0.1
    done
    ! pgrep -f "sleep 109[34]" || false
    run nook delete c1
    assert_status 0
    ! unit_loaded nook-c1.scope || false
    assert_no_leftovers c1 "$B"
}

@test "auto: with a user manager answering, the systemd manager is chosen" {
    require_user_manager
    make_bundle "$B" sleep 1000
    create_running
    [ "$(state_field c1 cgroup_manager)" = systemd ]
    unit_loaded nook-c1.scope
    [ "$(unit_property nook-c1.scope ActiveState)" = active ]
}

@test "systemd: a failed create stops the unit it started and leaves nothing" {
    require_user_manager
    make_bundle "$B" sleep 1000
    edit_config "$B" 'c["mounts"].append({"destination": "/mnt", "type": "bind", "source": "/nonexistent-'"$$"'", "options": ["bind"]})'
    nook_capture --cgroup-manager systemd create -b "$B" c1
    assert_status 1
    assert_output_contains "nonexistent-$$"
    ! unit_loaded nook-c1.scope || false
    [ -z "$(systemctl --user list-units --all --no-legend 'nook-*')" ]
    assert_no_leftovers c1 "$B"
}

@test "systemd: cgroupsPath slice:prefix:name names the unit and its slice" {
    require_user_manager
    make_bundle "$B" sleep 1000
    edit_config "$B" 'c["linux"]["cgroupsPath"] = "nooktest.slice:box:c1-'"$$"'"'
    create_running --cgroup-manager systemd
    unit=box-c1-$$.scope
    [ "$(state_field c1 cgroup_unit)" = "$unit" ]
    [ "$(unit_property "$unit" Slice)" = nooktest.slice ]
    [ "$(unit_property "$unit" ActiveState)" = active ]
    [[ "$(sed -n 's/^0:://p' "/proc/$(init_pid c1)/cgroup")" == */nooktest.slice/"$unit"/container ]]
    run nook delete --force c1
    assert_status 0
    ! unit_loaded "$unit" || false
}

@test "systemd: an empty slice is the manager's default, an empty prefix gives name.scope" {
    require_user_manager
    make_bundle "$B" sleep 1000
    edit_config "$B" 'c["linux"]["cgroupsPath"] = "::plain-'"$$"'"'
    create_running --cgroup-manager systemd
    [ "$(state_field c1 cgroup_unit)" = "plain-$$.scope" ]
    [ "$(unit_property "plain-$$.scope" Slice)" = app.slice ]
}

@test "systemd: a unit name in use is refused with the manager's words, and the other unit lives on" {
    require_user_manager
    make_bundle "$B" sleep 1000
    edit_config "$B" 'c["linux"]["cgroupsPath"] = ":dup:x'"$$"'"'
    create_running --cgroup-manager systemd
    nook_capture --cgroup-manager systemd create -b "$B" c2
    assert_status 1
    assert_output_contains "refused to start dup-x$$.scope"
    assert_output_contains 'already'
    [ "$(unit_property "dup-x$$.scope" ActiveState)" = active ]
    [ "$(sed -n 's/^0:://p' "/proc/$(init_pid c1)/cgroup")" = "$(state_field c1 cgroup_path)" ]
    assert_no_leftovers c2 "$B"
}

@test "systemd: a cgroupsPath that is not slice:prefix:name is a clear error, nothing started" {
    make_bundle "$B" true
    for path in /nook/c1 user.slice:c1 "user.slice:p:box.slice" "user:p:n" "a--b.slice:p:n"; do
        edit_config "$B" 'c["linux"]["cgroupsPath"] = "'"$path"'"'
        nook_capture --cgroup-manager systemd create -b "$B" c1
        assert_status 1
        assert_output_contains 'config.json: .linux.cgroupsPath: "'"$path"'"'
        [ "${#lines[@]}" -eq 1 ]
        assert_no_leftovers c1 "$B"
    done
    if [ "${NOOK_IN_USER_MANAGER:-}" = 1 ]; then
        [ -z "$(systemctl --user list-units --all --no-legend '*.scope' | grep -v init.scope)" ]
    fi
}

@test "systemd: org.systemd.property annotations become unit properties" {
    require_user_manager
    make_bundle "$B" sleep 1000
    edit_config "$B" 'c.setdefault("annotations", {}).update({
    "org.systemd.property.CollectMode": "'"'inactive-or-failed'"'",
    "org.systemd.property.TimeoutStopSec": "7",
    "org.systemd.property.Description": "'"'my box'"'"})'
    create_running --cgroup-manager systemd
    [ "$(unit_property nook-c1.scope CollectMode)" = inactive-or-failed ]
    [ "$(unit_property nook-c1.scope TimeoutStopUSec)" = 7s ]
    [ "$(unit_property nook-c1.scope Description)" = "my box" ]
}

@test "systemd: a bad org.systemd.property annotation is a clear error naming it" {
    make_bundle "$B" true
    edit_config "$B" 'c.setdefault("annotations", {})["org.systemd.property.TasksMax"] = "uint64 -1"'
    nook_capture --cgroup-manager systemd create -b "$B" c1
    assert_status 1
    assert_output_contains 'config.json: .annotations["org.systemd.property.TasksMax"]: "uint64 -1": an unsigned type cannot be negative'
    [ "${#lines[@]}" -eq 1 ]
    assert_no_leftovers c1 "$B"

    edit_config "$B" 'c["annotations"] = {"org.systemd.property.Delegate": "false"}'
    nook_capture --cgroup-manager systemd create -b "$B" c1
    assert_status 1
    assert_output_contains 'nook sets Delegate itself'
    assert_no_leftovers c1 "$B"
}

@test "systemd: a property the manager refuses: its words, a hint, nothing left" {
    require_user_manager
    make_bundle "$B" true
    edit_config "$B" 'c.setdefault("annotations", {})["org.systemd.property.CPUWeight"] = "5000"'
    nook_capture --cgroup-manager systemd create -b "$B" c1
    assert_status 1
    assert_output_contains 'refused to start nook-c1.scope'
    assert_output_contains 'check the org.systemd.property.* annotations'
    assert_output_contains '"uint64 5000"'
    [ "${#lines[@]}" -eq 1 ]
    ! unit_loaded nook-c1.scope || false
    assert_no_leftovers c1 "$B"
}

@test "systemd: a limit the delegated scope has no controller for fails with the explaining error" {
    require_user_manager
    make_bundle "$B" sleep 1000
    edit_config "$B" 'c["linux"].setdefault("resources", {})["memory"] = {"limit": 67108864}'
    if grep -qw memory "$V2/cgroup.controllers"; then
        # A host with controllers: the limit is applied, in the unit and below it.
        create_running --cgroup-manager systemd
        [ "$(unit_property nook-c1.scope MemoryMax)" = 67108864 ]
        [ "$(cat "$V2$(state_field c1 cgroup_path)/memory.max")" = 67108864 ]
        return 0
    fi
    nook_capture --cgroup-manager systemd create -b "$B" c1
    assert_status 1
    assert_output_contains 'config.json: .linux.resources.memory.limit: cannot be applied'
    assert_output_contains '"memory"'
    assert_output_contains 'nook.cgroup.optional'
    [ "${#lines[@]}" -eq 1 ]
    ! unit_loaded nook-c1.scope || false
    assert_no_leftovers c1 "$B"
}

@test "systemd: with nook.cgroup.optional the limit is one warning and the container runs" {
    require_user_manager
    grep -qw memory "$V2/cgroup.controllers" &&
        skip "the memory controller is delegated here: the limit applies"
    make_bundle "$B" echo ran
    edit_config "$B" 'c["linux"].setdefault("resources", {})["memory"] = {"limit": 67108864}
c.setdefault("annotations", {})["nook.cgroup.optional"] = "true"'
    run nook --cgroup-manager systemd run -b "$B" c1
    assert_status 0
    assert_output_contains ran
    [ "$(grep -c 'warning:' <<<"$output")" -eq 1 ]
    # The warning and the container's output, and nothing else (a failed
    # delete after the run would print its error here).
    [ "${#lines[@]}" -eq 2 ] || { echo "output: $output" >&2; false; }
    assert_output_contains '.linux.resources.memory.limit: not applied'
    assert_output_contains '(nook.cgroup.optional is true)'
    assert_no_leftovers c1 "$B"
}

@test "--cgroup-manager systemd without a bus is a clear error, nothing left" {
    require_rootless
    make_bundle "$B" true
    mkdir -p "$BATS_TEST_TMPDIR/runtime"
    status=0
    output=$(env -u DBUS_SESSION_BUS_ADDRESS XDG_RUNTIME_DIR="$BATS_TEST_TMPDIR/runtime" \
        "$NOOK" --root "$NOOK_ROOT" --cgroup-manager systemd create -b "$B" c1 2>&1 </dev/null) ||
        status=$?
    assert_status 1
    assert_output_contains "no bus socket at $BATS_TEST_TMPDIR/runtime/bus"
    assert_output_contains 'loginctl enable-linger'
    assert_output_contains '--cgroup-manager cgroupfs'
    [ "$(wc -l <<<"$output")" -eq 1 ]
    assert_no_leftovers c1 "$B"

    # auto, without a bus, does not choose systemd.
    env -u DBUS_SESSION_BUS_ADDRESS XDG_RUNTIME_DIR="$BATS_TEST_TMPDIR/runtime" \
        "$NOOK" --root "$NOOK_ROOT" create -b "$B" c2 </dev/null >/dev/null 2>&1 || true
    if [ -e "$NOOK_ROOT/c2/state.json" ]; then
        [ "$(state_field c2 cgroup_manager)" != systemd ]
    fi
}

@test "root: --cgroup-manager systemd without systemd as the init is a clear error" {
    require_root
    [ -d /run/systemd/system ] && [ -S /run/dbus/system_bus_socket ] &&
        skip "systemd is this host's init: the system manager would answer"
    make_bundle "$B" true
    nook_capture --cgroup-manager systemd create -b "$B" c1
    assert_status 1
    assert_output_contains 'needs systemd as the init system'
    assert_output_contains '--cgroup-manager cgroupfs'
    [ "${#lines[@]}" -eq 1 ]
    assert_no_leftovers c1 "$B"
}
