#!/usr/bin/env bats
# cgroup-fs.bats: the cgroupfs cgroup manager and the "none" one: where a
# container's cgroup is made (the delegated subtree rootless, /nook as
# root; .linux.cgroupsPath absolute or relative), that its init starts in
# it and sees it as its cgroup namespace's root, that state.json records it
# and delete removes it, that nothing is left when create fails, and the
# errors (or the one warning) for limits that cannot be applied.
# run-bats.sh gives each file a cgroup hierarchy of its own (rootless: a
# delegated "/user" subtree in it), so the paths below are its paths.

load helpers

setup_file() {
    export_python
}

setup() {
    common_setup
    B=$BATS_TEST_TMPDIR/bundle
    V2=$(cgroup_v2_root) || V2=
    TOP=$(cgroup_delegated_top) || TOP=
}

teardown() {
    common_teardown
}

# The cgroup v2 path of a process: its "0::" line in /proc/PID/cgroup.
cgroup_of() {
    sed -n 's/^0:://p' "/proc/$1/cgroup"
}

# The init pid of a container, from `nook state`.
init_pid() {
    nook state "$1" | "$NOOK_PYTHON" -c 'import json, sys; print(json.load(sys.stdin)["pid"])'
}

# A field of the container's state.json.
state_field() {
    "$NOOK_PYTHON" -c 'import json, sys; print(json.load(open(sys.argv[1])).get(sys.argv[2]))' \
        "$NOOK_ROOT/$1/state.json" "$2"
}

# Where nook puts container ID by default: below the delegation rootless,
# /nook/ID as root.
default_cgroup() {
    if [ "$NOOK_TEST_MODE" = root ]; then
        echo "/nook/$1"
    else
        echo "${TOP%/}/nook-$1"
    fi
}

@test "cgroupfs: the init starts in the container's cgroup, state.json records it, delete removes it" {
    require_cgroup_delegation
    make_bundle "$B" sleep 100
    nook_detached --cgroup-manager cgroupfs run -d -b "$B" c1
    want=$(default_cgroup c1)
    pid=$(init_pid c1)
    [ "$(cgroup_of "$pid")" = "$want" ]
    [ "$(state_field c1 cgroup_manager)" = cgroupfs ]
    [ "$(state_field c1 cgroup_path)" = "$want" ]
    [ -d "$V2$want" ]
    grep -qx "$pid" "$V2$want/cgroup.procs"
    run nook delete --force c1
    assert_status 0
    [ ! -e "$V2$want" ]
    assert_no_leftovers c1 "$B"
}

@test "cgroupfs is chosen automatically where the caller may write a cgroup v2 subtree" {
    require_cgroup_delegation
    [ ! -S "${XDG_RUNTIME_DIR:-/nonexistent}/bus" ] || skip "a user bus exists: the automatic choice is systemd"
    make_bundle "$B" sleep 100
    nook_detached run -d -b "$B" c1
    [ "$(state_field c1 cgroup_manager)" = cgroupfs ]
    [ "$(cgroup_of "$(init_pid c1)")" = "$(default_cgroup c1)" ]
}

@test "cgroupfs: inside the container its cgroup is the cgroup namespace's root" {
    require_cgroup_delegation
    make_bundle "$B" cat /proc/self/cgroup
    run nook --cgroup-manager cgroupfs run -b "$B" c1
    assert_status 0
    [ "$(grep '^0::' <<<"$output")" = "0::/" ]
    assert_no_leftovers c1 "$B"
}

@test "cgroupfs: a create that fails after its cgroup was made leaves no cgroup" {
    require_cgroup_delegation
    make_bundle "$B" true
    edit_config "$B" 'c["mounts"].append({"destination": "/mnt", "type": "bind", "source": "/nonexistent-nook-source", "options": ["bind"]})'
    nook_capture --cgroup-manager cgroupfs create -b "$B" c1
    assert_status 1
    assert_output_contains '/nonexistent-nook-source'
    [ ! -e "$V2$(default_cgroup c1)" ]
    assert_no_leftovers c1 "$B"
}

@test "cgroupfs: an absolute cgroupsPath inside the delegation is used as it is" {
    require_cgroup_delegation
    want=${TOP%/}/abs-$$/inner
    make_bundle "$B" sleep 100
    edit_config "$B" "c['linux']['cgroupsPath'] = '$want'"
    nook_detached --cgroup-manager cgroupfs run -d -b "$B" c1
    [ "$(cgroup_of "$(init_pid c1)")" = "$want" ]
    [ "$(state_field c1 cgroup_path)" = "$want" ]
    run nook delete --force c1
    assert_status 0
    [ ! -e "$V2$want" ]
    rmdir "$V2${TOP%/}/abs-$$"
}

@test "cgroupfs: a relative cgroupsPath is below the delegation (below / as root)" {
    require_cgroup_delegation
    make_bundle "$B" sleep 100
    edit_config "$B" "c['linux']['cgroupsPath'] = 'rel-$$/inner'"
    nook_detached --cgroup-manager cgroupfs run -d -b "$B" c1
    want=${TOP%/}/rel-$$/inner
    [ "$(cgroup_of "$(init_pid c1)")" = "$want" ]
    run nook delete --force c1
    assert_status 0
    [ ! -e "$V2$want" ]
    rmdir "$V2${TOP%/}/rel-$$"
}

@test "cgroupfs: a cgroupsPath outside the delegation is refused, naming it and the delegation" {
    require_rootless
    require_cgroup_delegation
    [ "$TOP" != / ] || skip "the whole hierarchy is delegated here"
    make_bundle "$B" true
    edit_config "$B" "c['linux']['cgroupsPath'] = '/elsewhere-$$'"
    nook_capture --cgroup-manager cgroupfs create -b "$B" c1
    assert_status 1
    assert_output_contains "config.json: .linux.cgroupsPath: \"/elsewhere-$$\" is outside the cgroup v2 subtree you may write ($TOP)"
    [ ! -e "$V2/elsewhere-$$" ]
    assert_no_leftovers c1 "$B"
}

@test "cgroupfs: a cgroupsPath with .. or in systemd's form is refused" {
    require_cgroup_delegation
    make_bundle "$B" true
    edit_config "$B" "c['linux']['cgroupsPath'] = 'a/../../b'"
    nook_capture --cgroup-manager cgroupfs create -b "$B" c1
    assert_status 1
    assert_output_contains 'config.json: .linux.cgroupsPath: "a/../../b" is not a cgroup path'
    edit_config "$B" "c['linux']['cgroupsPath'] = 'user.slice:nook:c1'"
    nook_capture --cgroup-manager cgroupfs create -b "$B" c1
    assert_status 1
    assert_output_contains 'is a systemd unit path (slice:prefix:name)'
    assert_no_leftovers c1 "$B"
}

@test "cgroupfs: a cgroup that already has processes is not shared" {
    require_cgroup_delegation
    make_bundle "$B" sleep 100
    edit_config "$B" "c['linux']['cgroupsPath'] = 'shared-$$'"
    nook_detached --cgroup-manager cgroupfs run -d -b "$B" c1
    nook_capture --cgroup-manager cgroupfs create -b "$B" c2
    assert_status 1
    assert_output_contains "config.json: .linux.cgroupsPath: the cgroup ${TOP%/}/shared-$$ already has processes in it"
    assert_no_leftovers c2 "$B"
    # The first container and its cgroup are untouched.
    [ "$(cgroup_of "$(init_pid c1)")" = "${TOP%/}/shared-$$" ]
    run nook delete --force c1
    assert_status 0
    [ ! -e "$V2${TOP%/}/shared-$$" ]
}

@test "cgroupfs: delete --force kills what escaped the init, through the cgroup" {
    require_cgroup_delegation
    # No pid namespace: the init's death does not take its children along.
    make_bundle "$B" sh -c "sleep 97$$ & exec sleep 100"
    edit_config "$B" 'c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "pid"]'
    nook_detached --cgroup-manager cgroupfs run -d -b "$B" c1
    for i in $(seq 50); do
        pgrep -f "sleep 97$$" >/dev/null && break
        sleep 0.1
    done
    pgrep -f "sleep 97$$" >/dev/null
    kill -KILL "$(init_pid c1)"
    run nook delete --force c1
    assert_status 0
    for i in $(seq 20); do
        pgrep -f "sleep 97$$" >/dev/null || break
        sleep 0.1
    done
    ! pgrep -f "sleep 97$$" || false
    assert_no_leftovers c1 "$B"
}

@test "a memory limit without a memory controller is refused: the limit, the controller, the fix" {
    require_cgroup_delegation
    cgroup_available memory && skip "the memory controller is available here (see the limit tests)"
    make_bundle "$B" true
    edit_config "$B" 'c["linux"].setdefault("resources", {})["memory"] = {"limit": 67108864}'
    nook_capture --cgroup-manager cgroupfs create -b "$B" c1
    assert_status 1
    assert_output_contains 'config.json: .linux.resources.memory.limit: cannot be applied: the cgroup v2 controller "memory" is missing'
    assert_output_contains 'Delegate=memory'
    assert_output_contains 'add the annotation "nook.cgroup.optional": "true"'
    [ "${#lines[@]}" -eq 1 ]
    assert_no_leftovers c1 "$B"
}

@test "nook.cgroup.optional: a limit that cannot be applied is one warning, and the container runs" {
    require_cgroup_delegation
    cgroup_available memory && skip "the memory controller is available here"
    make_bundle "$B" echo ran
    edit_config "$B" 'c["linux"].setdefault("resources", {})["memory"] = {"limit": 67108864, "swappiness": 10}
c.setdefault("annotations", {})["nook.cgroup.optional"] = "true"'
    run nook --cgroup-manager cgroupfs run -b "$B" c1
    assert_status 0
    assert_output_contains ran
    [ "$(grep -c 'warning:' <<<"$output")" -eq 1 ]
    assert_output_contains '.linux.resources.memory.swappiness: not applied: cgroup v2 has no such setting'
    assert_output_contains '.linux.resources.memory.limit: not applied: the cgroup v2 controller "memory" is missing'
    assert_output_contains '(nook.cgroup.optional is true)'
    assert_no_leftovers c1 "$B"
}

@test "--cgroup-manager disabled: no cgroup, and a limit is refused with the fix" {
    make_bundle "$B" sleep 100
    nook_detached --cgroup-manager disabled run -d -b "$B" c1
    [ "$(state_field c1 cgroup_manager)" = None ]
    run nook delete --force c1
    assert_status 0
    edit_config "$B" 'c["linux"].setdefault("resources", {})["pids"] = {"limit": 10}'
    nook_capture --cgroup-manager disabled create -b "$B" c2
    assert_status 1
    assert_output_contains 'config.json: .linux.resources.pids.limit: cannot be applied: cgroups are disabled (--cgroup-manager disabled); drop --cgroup-manager disabled'
    assert_no_leftovers c2 "$B"
}

@test "a cgroup v1 setting is refused by its JSON path, whatever the manager" {
    make_bundle "$B" true
    edit_config "$B" 'c["linux"].setdefault("resources", {})["memory"] = {"disableOOMKiller": True}'
    nook_capture create -b "$B" c1
    assert_status 1
    assert_output_contains 'config.json: .linux.resources.memory.disableOOMKiller: cannot be applied: cgroup v2 has no such setting'
    assert_no_leftovers c1 "$B"
}

@test "resources are checked before anything is made: a bad cpu list" {
    make_bundle "$B" true
    edit_config "$B" 'c["linux"].setdefault("resources", {})["cpu"] = {"cpus": "0-"}'
    nook_capture create -b "$B" c1
    assert_status 1
    assert_output_contains 'config.json: .linux.resources.cpu.cpus: "0-" is not a cpu list'
    assert_no_leftovers c1 "$B"
}

@test "cgroupfs: a hugetlb limit is written where the controller is delegated" {
    require_cgroup_delegation
    cgroup_available hugetlb || skip "the hugetlb controller is not available to the delegation here"
    size=$(ls "$V2${TOP%/}" | sed -n 's/^hugetlb\.\([0-9]*[KMG]B\)\.max$/\1/p' | head -n1)
    [ -n "$size" ] || size=2MB
    make_bundle "$B" sleep 100
    edit_config "$B" "c['linux'].setdefault('resources', {})['hugepageLimits'] = [{'pageSize': '$size', 'limit': 4194304}]"
    nook_detached --cgroup-manager cgroupfs run -d -b "$B" c1
    cg=$(state_field c1 cgroup_path)
    [ "$(cat "$V2$cg/hugetlb.$size.max")" = 4194304 ]
    run nook delete --force c1
    assert_status 0
    assert_no_leftovers c1 "$B"
}

@test "rootless without a delegation or a user bus: a limit is refused, saying how to get a cgroup" {
    require_rootless
    ! cgroup_delegated_top >/dev/null || skip "a cgroup v2 subtree is delegated here (the case above covers it)"
    [ ! -S "${XDG_RUNTIME_DIR:-/nonexistent}/bus" ] || skip "a user bus exists: the automatic choice is systemd"
    make_bundle "$B" true
    edit_config "$B" 'c["linux"].setdefault("resources", {})["memory"] = {"limit": 67108864}'
    nook_capture create -b "$B" c1
    assert_status 1
    assert_output_contains 'config.json: .linux.resources.memory.limit: cannot be applied: the container gets no cgroup: no systemd user manager answers on a user bus, and no cgroup v2 subtree is delegated to you'
    assert_output_contains 'loginctl enable-linger'
    assert_no_leftovers c1 "$B"
    # Without limits it runs, with no cgroup recorded.
    edit_config "$B" 'del c["linux"]["resources"]["memory"]'
    run nook run -b "$B" c2
    assert_status 0
}
