#!/usr/bin/env bats
# limits.bats: cgroup limits really enforced, on a guest where the test
# user's systemd manager delegates memory, pids and cpu (tests/vm/run.sh).
# nook runs rootless as that user with the systemd cgroup manager: the
# container's init in nook-<id>.scope/container, the limits as unit
# properties and in the container's cgroup; and with the cgroupfs manager
# in the subtree systemd delegates to the user (user@1001.service).

load ../integration/helpers
load vm-helpers

setup_file() {
    export_python
}

setup() {
    common_setup
    B=$BATS_TEST_TMPDIR/bundle
    OUT=$BATS_TEST_TMPDIR/container.out
}

teardown() {
    common_teardown
    # A scope whose container was not deleted (a failing test) is stopped
    # here so that it cannot disturb the next test.
    local unit
    for unit in $(systemctl --user list-units --all --plain --no-legend 'nook-*.scope' 2>/dev/null |
                  awk '{ print $1 }'); do
        systemctl --user stop "$unit" 2>/dev/null || true
    done
}

# set_resources DIR JSON: .linux.resources of DIR's config.json.
set_resources() {
    edit_config "$1" "c['linux']['resources'] = $2"
}

@test "systemd: the container runs in nook-<id>.scope/container, limits in the cgroup and on the unit" {
    make_bundle "$B" sleep 1000
    set_resources "$B" '{"memory": {"limit": 33554432}, "pids": {"limit": 10}, "cpu": {"quota": 20000, "period": 100000}}'
    start props --systemd-cgroup run -d -b "$B"
    pid=$(container_pid props)
    cg=$(cgroup_of "$pid")
    note "cgroup of the init: $cg"
    [[ "$cg" == /user.slice/user-1001.slice/user@1001.service/*/nook-props.scope/container ]]
    dir=$CGROUP_ROOT$cg
    note "memory.max=$(cat "$dir/memory.max") pids.max=$(cat "$dir/pids.max") cpu.max=$(cat "$dir/cpu.max")"
    [ "$(cat "$dir/memory.max")" = 33554432 ]
    [ "$(cat "$dir/pids.max")" = 10 ]
    [ "$(cat "$dir/cpu.max")" = "20000 100000" ]
    [ "$(stat -c %U "$dir" "$dir/cgroup.procs" | sort -u)" = tester ]
    run systemctl --user show -p Delegate -p MemoryMax -p TasksMax -p CPUQuotaPerSecUSec nook-props.scope
    assert_status 0
    note "nook-props.scope: $(echo $output)"
    assert_output_contains "Delegate=yes"
    assert_output_contains "MemoryMax=33554432"
    assert_output_contains "TasksMax=10"
    assert_output_contains "CPUQuotaPerSecUSec=200ms"
    [ "$(unit_state nook-props.scope)" = active ]
}

@test "systemd: memory.limit 32 MiB: 8 MiB fits, allocating 64 MiB is OOM-killed (exit 137)" {
    make_bundle "$B" dd if=/dev/zero of=/dev/null bs=8M count=1
    set_resources "$B" '{"memory": {"limit": 33554432}}'
    run nook --systemd-cgroup run -b "$B" fits
    note "8 MiB under 32 MiB: exit $status"
    assert_status 0

    B2=$BATS_TEST_TMPDIR/bundle2
    make_bundle "$B2" dd if=/dev/zero of=/dev/null bs=64M count=1
    set_resources "$B2" '{"memory": {"limit": 33554432}}'
    run nook --systemd-cgroup run -b "$B2" oom
    note "64 MiB under 32 MiB: exit $status $output"
    assert_status 137
    assert_no_leftovers oom "$B2"
}

@test "systemd: events reports the oom kill" {
    mkdir -p "$BATS_TEST_TMPDIR/share"
    # The allocation waits for the host side's go, so `events` watches first.
    # The shared directory goes on /home, which the read-only rootfs has.
    make_bundle "$B" sh -c 'until [ -e /home/go ]; do sleep 0.2; done
        dd if=/dev/zero of=/dev/null bs=64M count=1; echo "dd exit $?"; sleep 1000'
    set_resources "$B" '{"memory": {"limit": 33554432}}'
    edit_config "$B" "c['mounts'].append({'destination': '/home', 'type': 'bind',
        'source': '$BATS_TEST_TMPDIR/share', 'options': ['rbind', 'rw']})"
    start ev --systemd-cgroup run -d -b "$B"
    events=$BATS_TEST_TMPDIR/events.out
    nook events --interval 1s ev > "$events" 2>&1 &
    events_pid=$!
    # The first statistics line says events is watching.
    wait_until 60 file_has "$events" '"type"' || { kill "$events_pid"; cat "$events"; false; }
    touch "$BATS_TEST_TMPDIR/share/go"
    wait_until 120 file_has "$events" '"oom"' || true
    kill "$events_pid" 2>/dev/null || true
    wait "$events_pid" 2>/dev/null || true
    echo "events:"; cat "$events"
    echo "container:"; cat "$OUT"
    note "container: $(grep 'dd exit' "$OUT")"
    note "events: $(grep -m 1 '"oom"' "$events")"
    grep '"type": *"oom"' "$events" | grep -q '"id": *"ev"'
}

@test "systemd: pids.limit 10 stops a fork loop, the container survives" {
    make_bundle "$B" sh -c '( i=0; while [ $i -lt 30 ]; do sleep 30 & echo started; i=$((i+1)); done ) 2>&1
        echo "loop exit $?"; echo alive; exec sleep 1000'
    set_resources "$B" '{"pids": {"limit": 10}}'
    start pids --systemd-cgroup run -d -b "$B"
    wait_until 60 file_has "$OUT" alive
    cat "$OUT"
    started=$(grep -c '^started$' "$OUT")
    note "forks that succeeded: $started of 30; $(grep -m 1 "can't fork" "$OUT")"
    [ "$started" -ge 1 ] && [ "$started" -lt 10 ]
    grep -q "can't fork" "$OUT"
    status_is pids running
    dir=$(container_cgroup_dir pids)
    note "status $(nook state pids | sed -n 's/.*"status": "\(.*\)".*/\1/p'), pids.max=$(cat "$dir/pids.max") pids.current=$(cat "$dir/pids.current") pids.events: $(cat "$dir/pids.events")"
    [ "$(cat "$dir/pids.max")" = 10 ]
    [ "$(cat "$dir/pids.current")" -le 10 ]
}

@test "systemd: update --memory changes memory.max of a running container, and the new limit holds" {
    make_bundle "$B" sleep 1000
    set_resources "$B" '{"memory": {"limit": 33554432}}'
    start upd --systemd-cgroup run -d -b "$B"
    dir=$(container_cgroup_dir upd)
    [ "$(cat "$dir/memory.max")" = 33554432 ]
    run nook update --memory 67108864 upd
    assert_status 0
    note "memory.max after update --memory 67108864: $(cat "$dir/memory.max")"
    [ "$(cat "$dir/memory.max")" = 67108864 ]
    run systemctl --user show -p MemoryMax --value nook-upd.scope
    note "nook-upd.scope MemoryMax: $output"
    [ "$output" = 67108864 ]
    # 48 MiB would have been killed under the old 32 MiB limit; under the
    # new 64 MiB it fits, and 96 MiB still does not.
    run nook exec upd dd if=/dev/zero of=/dev/null bs=48M count=1
    note "exec of a 48 MiB allocation: exit $status"
    assert_status 0
    run nook exec upd dd if=/dev/zero of=/dev/null bs=96M count=1
    note "exec of a 96 MiB allocation: exit $status"
    assert_status 137
}

@test "systemd: a cpu quota of 20% lands in cpu.max and throttles a busy loop" {
    make_bundle "$B" sh -c 'while :; do :; done'
    set_resources "$B" '{"cpu": {"quota": 20000, "period": 100000}}'
    start cpu --systemd-cgroup run -d -b "$B"
    dir=$(container_cgroup_dir cpu)
    [ "$(cat "$dir/cpu.max")" = "20000 100000" ]
    usage() { sed -n 's/^usage_usec //p' "$dir/cpu.stat"; }
    u1=$(usage)
    t1=$(date +%s%N)
    sleep 4
    u2=$(usage)
    t2=$(date +%s%N)
    percent=$(( (u2 - u1) * 100000 / (t2 - t1) ))
    note "cpu.max=$(cat "$dir/cpu.max"): busy loop got $percent% of a CPU; $(grep -E '^(nr_periods|nr_throttled|throttled_usec) ' "$dir/cpu.stat" | tr '\n' ' ')"
    # qemu's emulated clock makes the accounting loose: well below an
    # unthrottled 100%, and throttled by the kernel.
    [ "$percent" -lt 60 ]
    [ "$(sed -n 's/^nr_throttled //p' "$dir/cpu.stat")" -gt 0 ]
}

@test "systemd: pause freezes the container, resume thaws it" {
    make_bundle "$B" sh -c 'while :; do :; done'
    start frz --systemd-cgroup run -d -b "$B"
    pid=$(container_pid frz)
    dir=$(container_cgroup_dir frz)
    run nook pause frz
    assert_status 0
    status_is frz paused
    grep -qx 'frozen 1' "$dir/cgroup.events"
    t1=$(ticks "$pid")
    sleep 2
    t2=$(ticks "$pid")
    note "paused: $(grep frozen "$dir/cgroup.events"), CPU ticks of the busy loop over 2 s: $t1 -> $t2"
    [ "$t1" = "$t2" ]
    run nook resume frz
    assert_status 0
    status_is frz running
    grep -qx 'frozen 0' "$dir/cgroup.events"
    sleep 2
    t3=$(ticks "$pid")
    note "resumed: CPU ticks over 2 s: $t2 -> $t3"
    [ "$t3" -gt "$t2" ]
}

@test "systemd: delete stops the scope and removes its cgroup" {
    make_bundle "$B" sleep 1000
    set_resources "$B" '{"pids": {"limit": 10}}'
    start gone --systemd-cgroup run -d -b "$B"
    dir=$(container_cgroup_dir gone)
    scope_dir=${dir%/container}
    [ -d "$scope_dir" ]
    [ "$(unit_state nook-gone.scope)" = active ]
    run nook delete --force gone
    assert_status 0
    wait_until 30 eval '[ ! -e "$scope_dir" ]'
    state=$(unit_state nook-gone.scope)
    note "nook-gone.scope after delete: ${state:-unknown}, $scope_dir exists: $([ -e "$scope_dir" ] && echo yes || echo no)"
    [ "$state" = inactive ] || [ -z "$state" ]
    run systemctl --user list-units --all --plain --no-legend 'nook-gone.scope'
    [ -z "$output" ]
    assert_no_leftovers gone "$B"
}

@test "systemd: without a flag nook chooses the systemd manager when the user bus answers" {
    make_bundle "$B" sleep 1000
    set_resources "$B" '{"pids": {"limit": 20}}'
    start auto run -d -b "$B"
    dir=$(container_cgroup_dir auto)
    [[ "$dir" == */nook-auto.scope/container ]]
    [ "$(cat "$dir/pids.max")" = 20 ]
}

@test "cgroupfs: the container gets a cgroup of its own in the user's delegated subtree, its limits enforced" {
    make_bundle "$B" sleep 1000
    set_resources "$B" '{"memory": {"limit": 33554432}, "pids": {"limit": 10}}'
    start fs --cgroup-manager cgroupfs run -d -b "$B"
    cg=$(cgroup_of "$(container_pid fs)")
    dir=$CGROUP_ROOT$cg
    note "cgroup of the init: $cg, memory.max=$(cat "$dir/memory.max") pids.max=$(cat "$dir/pids.max")"
    # The delegation is user@1001.service, the topmost cgroup tester owns.
    [ "$cg" = /user.slice/user-1001.slice/user@1001.service/nook-fs ]
    [ "$(cat "$dir/memory.max")" = 33554432 ]
    [ "$(cat "$dir/pids.max")" = 10 ]
    [ -z "$(unit_state nook-fs.scope | grep -v inactive)" ]
    # The OOM killer takes the biggest process, the exec'd one: the
    # container's init lives on.
    run nook exec fs dd if=/dev/zero of=/dev/null bs=64M count=1
    note "exec of a 64 MiB allocation: exit $status; memory.events: $(tr '\n' ' ' < "$dir/memory.events")"
    assert_status 137
    [ "$(sed -n 's/^oom_kill //p' "$dir/memory.events")" -ge 1 ]
    status_is fs running
    run nook delete --force fs
    assert_status 0
    [ ! -e "$dir" ]
    assert_no_leftovers fs "$B"
}
