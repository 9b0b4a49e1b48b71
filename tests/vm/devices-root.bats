#!/usr/bin/env bats
# devices-root.bats: nook as root on a pure cgroup v2 host applies
# .linux.resources.devices with its BPF device program
# (src/lib/cgroup-devices.c), under both cgroup managers: cgroupfs (the
# container's cgroup under /sys/fs/cgroup/nook/...) and systemd (a scope
# from the system manager, over the system bus). guest-tests.sh runs this
# file as root (run.sh --root); as any other user it skips.
#
# The list is what engines give: deny everything, then allow c 1:3 rwm
# (/dev/null). nook keeps the devices every container must have allowed
# after the list, as runc and crun do (null, zero, full, random, urandom,
# tty, console, ptmx, pts), so /dev/zero stays readable: the devices that
# must be refused are others the spec's .linux.devices creates, /dev/kmsg
# (c 1:11, opened for writing, which needs no capability) and the guest's
# disk (a block device, read). Each test then allows them in the list, so
# that a refusal for any other reason fails it.

load ../integration/helpers
load vm-helpers

setup_file() {
    export_python
}

setup() {
    [ "$(id -u)" = 0 ] && [ "$NOOK_TEST_MODE" = root ] ||
        skip "the device program needs nook as root (guest-tests.sh runs this file as root under run.sh --root)"
    common_setup
    B=$BATS_TEST_TMPDIR/bundle
    # The guest's root disk (virtio, a dynamic major): its numbers in decimal.
    DISK=$(findmnt -n -o SOURCE /)
    DISK_MAJOR=$((16#$(stat -c %t "$DISK")))
    DISK_MINOR=$((16#$(stat -c %T "$DISK")))
}

teardown() {
    [ "$(id -u)" = 0 ] || return 0
    common_teardown
}

# device_bundle DIR RULES_JSON: a bundle whose process writes to /dev/null,
# reads /dev/zero, writes to /dev/kmsg and reads the disk (as /dev/disk0),
# one line each saying what happened; RULES_JSON is the
# .linux.resources.devices list. /dev/kmsg and /dev/disk0 come from
# .linux.devices, owned by the container's root (which has no
# CAP_DAC_OVERRIDE).
device_bundle() {
    make_bundle "$1" sh -c '
        echo x > /dev/null && echo null-write-ok
        [ "$(head -c 4 /dev/zero | wc -c)" = 4 ] && echo zero-read-ok
        echo "<6>nook devices-root.bats" > /dev/kmsg && echo kmsg-write-ok
        head -c 512 /dev/disk0 > /dev/null && echo disk-read-ok
        true'
    edit_config "$1" "
c['linux'].setdefault('devices', []).extend([
    {'path': '/dev/kmsg', 'type': 'c', 'major': 1, 'minor': 11, 'fileMode': 0o600, 'uid': 0, 'gid': 0},
    {'path': '/dev/disk0', 'type': 'b', 'major': $DISK_MAJOR, 'minor': $DISK_MINOR, 'fileMode': 0o600, 'uid': 0, 'gid': 0},
])
c['linux'].setdefault('resources', {})['devices'] = $2
c['linux']['cgroupsPath'] = '$3'"
}

DENY_ALL_ALLOW_NULL='[{"allow": False, "access": "rwm"}, {"allow": True, "type": "c", "major": 1, "minor": 3, "access": "rwm"}]'

# check_device_rules MANAGER CGROUPS_PATH: run the two bundles (the strict
# list, then one allowing kmsg and the disk too) under MANAGER.
check_device_rules() {
    local manager=$1 path=$2
    device_bundle "$B" "$DENY_ALL_ALLOW_NULL" "$path"
    run nook --cgroup-manager "$manager" run -b "$B" strict
    note "$manager, deny all + c 1:3: exit $status: $(echo $output)"
    assert_status 0
    assert_output_contains null-write-ok
    assert_output_contains zero-read-ok
    [[ "$output" != *kmsg-write-ok* ]] && [[ "$output" != *disk-read-ok* ]] ||
        { echo "a device outside the list was usable: $output" >&2; return 1; }
    grep -q '/dev/kmsg.*Operation not permitted' <<<"$output" ||
        { echo "no EPERM for /dev/kmsg: $output" >&2; return 1; }
    grep -q '/dev/disk0.*Operation not permitted' <<<"$output" ||
        { echo "no EPERM for /dev/disk0: $output" >&2; return 1; }

    local B2=$BATS_TEST_TMPDIR/bundle2
    device_bundle "$B2" "[{'allow': False, 'access': 'rwm'}, {'allow': True, 'type': 'c', 'major': 1, 'minor': 3, 'access': 'rwm'},
        {'allow': True, 'type': 'c', 'major': 1, 'minor': 11, 'access': 'w'},
        {'allow': True, 'type': 'b', 'major': $DISK_MAJOR, 'minor': $DISK_MINOR, 'access': 'r'}]" "${path/strict/allowed}"
    run nook --cgroup-manager "$manager" run -b "$B2" allowed
    note "$manager, + c 1:11 w, b $DISK_MAJOR:$DISK_MINOR r: exit $status: $(echo $output)"
    assert_status 0
    [ "$output" = $'null-write-ok\nzero-read-ok\nkmsg-write-ok\ndisk-read-ok' ] ||
        { echo "with kmsg and the disk allowed: $output" >&2; return 1; }
    dmesg | grep -q 'nook devices-root.bats' || { echo "the kernel log has no line from the container" >&2; return 1; }
}

@test "root, cgroupfs: deny all + c 1:3 refuses /dev/kmsg and the disk (EPERM), allowing them works" {
    check_device_rules cgroupfs /nook-vm/strict
    [ ! -e "$CGROUP_ROOT/nook-vm/strict" ] && [ ! -e "$CGROUP_ROOT/nook-vm/allowed" ]
    rmdir "$CGROUP_ROOT/nook-vm" 2>/dev/null || true
}

@test "root, systemd: the same list in a scope of the system manager" {
    [ -S /run/dbus/system_bus_socket ] || { echo "no system bus in the guest" >&2; return 1; }
    check_device_rules systemd system.slice:nook:strict
    [ "$(systemctl show -p ActiveState --value nook-strict.scope)" = inactive ]
}
