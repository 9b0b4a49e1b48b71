#!/usr/bin/env bats
# environment.bats: the guest is what the limit tests need, checked first so
# a broken VM is told apart from a broken nook: pure cgroup v2, the test
# user's systemd manager delegating memory, pids and cpu, the kernel
# enforcing a limit set by systemd alone, and nook running the busybox
# bundle rootless.

load ../integration/helpers
load vm-helpers

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

@test "guest: /sys/fs/cgroup is the cgroup v2 hierarchy, with no v1 beside it" {
    run stat -f -c %T /sys/fs/cgroup
    assert_status 0
    [ "$output" = cgroup2fs ]
    run grep -c ' cgroup ' /proc/self/mounts
    [ "$output" = 0 ]
}

@test "guest: the tests run as tester in its systemd user session" {
    [ "$(id -un)" = tester ]
    [ "$(systemctl --user is-system-running)" = running ] ||
        [ "$(systemctl --user is-system-running)" = degraded ]
    [[ "$(cgroup_of self)" == /user.slice/user-1001.slice/user@1001.service/* ]]
    [ -S "$XDG_RUNTIME_DIR/bus" ]
}

@test "guest: a Delegate=yes scope gets memory, pids and cpu and belongs to tester" {
    run systemd-run --user --quiet --scope -p Delegate=yes sh -c \
        'd=/sys/fs/cgroup$(sed -n "s/^0:://p" /proc/self/cgroup); echo "$(stat -c %U "$d") $(cat "$d/cgroup.controllers")"'
    assert_status 0
    [[ "$output" == "tester "* ]]
    for controller in memory pids cpu; do
        [[ " $output " == *" $controller "* ]]
    done
}

@test "guest: the kernel enforces a memory limit set by systemd (control case)" {
    run systemd-run --user --quiet --scope -p MemoryMax=32M -p MemorySwapMax=0 \
        "$NOOK_BUNDLE_ROOTFS/bin/busybox" dd if=/dev/zero of=/dev/null bs=64M count=1
    [ "$status" -ne 0 ]
    run systemd-run --user --quiet --scope -p MemoryMax=32M -p MemorySwapMax=0 \
        "$NOOK_BUNDLE_ROOTFS/bin/busybox" dd if=/dev/zero of=/dev/null bs=8M count=1
    assert_status 0
}

@test "guest: nook runs the busybox bundle rootless" {
    make_bundle "$B" sh -c 'echo hello from $(hostname); id -u'
    run nook run -b "$B" c1
    assert_status 0
    [[ "${lines[0]}" == "hello from "?* ]]
    [ "${lines[1]}" = 0 ]
    assert_no_leftovers c1 "$B"
}
