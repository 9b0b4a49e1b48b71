#!/usr/bin/env bats
# podman.bats: podman (Debian 12's 4.3, with conmon) drives nook rootless
# on the guest, where what tests/engines/podman.bats must skip on a hybrid
# cgroup host works: podman's default systemd cgroup manager (each
# container in libpod-<id>.scope of tester's user manager, nook's init in
# its "container" sub-cgroup), memory and pids limits, pause and unpause.
# Every test checks the effect, not only podman's word: an OOM kill, a
# refused fork, a counter that stops, the cgroup files.
#
# setup_file gives podman a world of the file's own under a temporary
# directory (HOME with containers.conf and storage.conf, graphroot,
# runroot, podman's tmp_dir, TMPDIR); the user's own bus and
# XDG_RUNTIME_DIR stay, since the systemd manager is reached through them.
# The image is the busybox rootfs, `podman import`ed (no registry). The
# runtime podman is given is a wrapper that logs each call and execs nook
# (PODMAN_RUNTIME=/usr/bin/crun: the image's crun instead, to compare).

load ../integration/helpers
load vm-helpers
load ../engines/podman-world

bats_require_minimum_version 1.5.0

IMAGE=localhost/nook-busybox:vm

setup_file() {
    PODMAN_SKIP=
    command -v podman >/dev/null || PODMAN_SKIP="podman is not in the VM image (tests/vm/build-image.sh installs it)"
    [ "$(id -u)" != 0 ] || PODMAN_SKIP="podman drives nook rootless here; run as tester"
    export PODMAN_SKIP
    [ -z "$PODMAN_SKIP" ] || return 0

    # No cgroup_manager line: podman's default, systemd. No network: the
    # tests need none, and slirp4netns costs seconds a container here.
    podman_world_setup /tmp/nook-vm-podman.XXXXXX $'[containers]\nnetns = "none"\n' "" || return 1
    export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/run/user/$(id -u)}
    export DBUS_SESSION_BUS_ADDRESS=${DBUS_SESSION_BUS_ADDRESS:-unix:path=$XDG_RUNTIME_DIR/bus}
    podman_world_import 300
}

teardown_file() {
    podman_world_remove 120
}

setup() {
    [ -z "$PODMAN_SKIP" ] || skip "$PODMAN_SKIP"
    : >"$PODMAN_DIR/nook-calls.log"
}

teardown() {
    [ -z "$PODMAN_SKIP" ] || return 0
    timeout 120 podman rm -af -t 0 >/dev/null 2>&1
    true
}

# pm ARGS...: podman, bounded in time (the guest is 8-15 times slower than
# the host) so that a hang fails the test instead of the run.
pm() {
    timeout --kill-after=5 180 podman "$@"
}

calls() {
    cat "$PODMAN_DIR/nook-calls.log"
}

# podman_cgroup_dir NAME: the directory of the cgroup the container's init
# is in, found from its pid.
podman_cgroup_dir() {
    local pid
    pid=$(pm inspect --format '{{.State.Pid}}' "$1") && [ "${pid:-0}" -gt 0 ] || return 1
    echo "$CGROUP_ROOT$(cgroup_of "$pid")"
}

@test "podman: rootless on cgroup v2 with its systemd cgroup manager and nook as the runtime" {
    run --separate-stderr pm info --format '{{.Host.CgroupManager}} {{.Host.CgroupsVersion}} {{.Host.OCIRuntime.Name}}'
    assert_status 0
    note "podman info: $output"
    [ "$output" = "systemd v2 nook" ] || { echo "info: $output; $stderr" >&2; return 1; }
}

@test "podman --memory 32m: the limit in the cgroup and in inspect; 8 MiB fits, 64 MiB is OOM-killed (137)" {
    run --separate-stderr pm run --rm --memory 32m "$IMAGE" \
        sh -c 'cat /sys/fs/cgroup/memory.max; dd if=/dev/zero of=/dev/null bs=8M count=1 2>/dev/null && echo fits'
    note "8 MiB under --memory 32m: exit $status, $(echo $output)"
    assert_status 0
    [ "$output" = $'33554432\nfits' ] || { echo "output: $output; $stderr" >&2; return 1; }
    calls | grep -q -- '--systemd-cgroup.* create ' || { echo "calls: $(calls)" >&2; return 1; }

    run --separate-stderr pm run --name oom --memory 32m "$IMAGE" dd if=/dev/zero of=/dev/null bs=64M count=1
    note "64 MiB under --memory 32m: exit $status"
    assert_status 137
    # OOMKilled is printed, not asserted: podman 4.3 with conmon 2.1.6 leaves
    # it false here with crun as with nook (the scope, and its
    # memory.events, is gone when conmon looks).
    run --separate-stderr pm inspect --format '{{.HostConfig.Memory}} {{.State.ExitCode}} {{.State.OOMKilled}}' oom
    note "inspect (memory, exit code, OOMKilled): $output"
    [[ "$output" == "33554432 137 "* ]] || { echo "inspect: $output; $stderr" >&2; return 1; }
}

@test "podman --pids-limit 10: pids.max in the container's scope, a fork loop stopped, the container lives on" {
    # The init is a shell that waits: it reaps the orphans the fork loop
    # leaves, whose zombies would otherwise hold pids for good.
    run --separate-stderr pm run -d --name pids --pids-limit 10 "$IMAGE" sh -c 'while :; do sleep 1; done'
    assert_status 0
    local id=$output dir
    dir=$(podman_cgroup_dir pids)
    note "cgroup of the init: ${dir#"$CGROUP_ROOT"}"
    [[ "$dir" == "$CGROUP_ROOT"/user.slice/user-1001.slice/user@1001.service/*libpod-$id.scope/container ]] ||
        { echo "cgroup: $dir" >&2; return 1; }
    note "pids.max=$(cat "$dir/pids.max")"
    [ "$(cat "$dir/pids.max")" = 10 ]
    run --separate-stderr pm inspect --format '{{.HostConfig.PidsLimit}}' pids
    [ "$output" = 10 ] || { echo "inspect: $output; $stderr" >&2; return 1; }

    # 20 sleepers under a limit of 10 (pid 1 is one): the shell cannot fork them all.
    # busybox sh gives up at the first refused fork.
    run --separate-stderr pm exec pids sh -c 'n=0; for i in $(seq 20); do sleep 3 & n=$((n + 1)); done; echo "started $n"; wait'
    note "fork loop of 20 under pids.max 10: exit $status, $(echo $output $stderr); pids.events: $(cat "$dir/pids.events")"
    [[ "$output" != *"started 20"* ]] && [[ "$stderr" == *"can't fork"* ]] ||
        { echo "no fork was refused: $output; $stderr" >&2; return 1; }
    [ "$(awk '$1 == "max" { print $2 }' "$dir/pids.events")" -gt 0 ]
    # The sleepers it did start end within 3 s; the init (and its sleep 1) stays.
    wait_until 60 eval '[ "$(cat "$dir/pids.current")" -le 2 ]'
    run --separate-stderr pm inspect --format '{{.State.Status}}' pids
    [ "$output" = running ] || { echo "after the fork loop: $output" >&2; return 1; }
    run --separate-stderr pm exec pids echo still-alive
    [ "$status" = 0 ] && [ "$output" = still-alive ] || { echo "exec after the loop: $status $output; $stderr; calls: $(calls)" >&2; return 1; }
}

@test "podman pause freezes a counting container (Paused, cgroup frozen), unpause resumes it" {
    run --separate-stderr pm run -d --name counter "$IMAGE" \
        sh -c 'i=0; while :; do i=$((i + 1)); echo "$i" > /tmp/count; sleep 0.1; done'
    assert_status 0
    local pid dir count before after
    pid=$(pm inspect --format '{{.State.Pid}}' counter)
    dir=$(podman_cgroup_dir counter)
    count=/proc/$pid/root/tmp/count
    wait_until 60 test -s "$count"

    run --separate-stderr pm pause counter
    assert_status 0
    calls | grep -q '^pause ' || { echo "calls: $(calls)" >&2; return 1; }
    run --separate-stderr pm ps -a --format '{{.Names}} {{.Status}}'
    note "podman ps: $output; cgroup.freeze=$(cat "$dir/cgroup.freeze"), $(grep frozen "$dir/cgroup.events")"
    [[ "$output" == "counter Paused"* ]] || { echo "ps: $status $output; $stderr; calls: $(calls)" >&2; return 1; }
    [ "$(cat "$dir/cgroup.freeze")" = 1 ]
    grep -qx 'frozen 1' "$dir/cgroup.events"
    before=$(cat "$count")
    sleep 2
    after=$(cat "$count")
    note "paused: counter $before, 2 s later $after"
    [ "$before" = "$after" ] || { echo "the paused container went on counting: $before, then $after" >&2; return 1; }

    run --separate-stderr pm unpause counter
    assert_status 0
    calls | grep -q '^resume ' || { echo "calls: $(calls)" >&2; return 1; }
    grep -qx 'frozen 0' "$dir/cgroup.events"
    wait_until 30 eval '[ "$(cat "$count")" -gt "$after" ]'
    note "unpaused: counter $(cat "$count"); $(grep frozen "$dir/cgroup.events")"
    run --separate-stderr pm inspect --format '{{.State.Status}}' counter
    [ "$output" = running ] || { echo "after unpause: $output" >&2; return 1; }
}
