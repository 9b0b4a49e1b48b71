#!/usr/bin/env bats
# rootfs.bats: the container's file system view through the real binary:
# every kind of mount and its options, /dev and its devices, masked and
# read-only paths, a read-only root, propagation, --no-pivot, symlinks in
# the rootfs that point out of it, and the error paths. The shared busybox
# rootfs is never written to: a test that needs a new mount point puts it
# under a tmpfs, or works on a private copy of the rootfs.

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

# private_rootfs: give $B a copy of the busybox rootfs of its own
# ($B/rootfs, owned by the caller), so the test may add to it.
private_rootfs() {
    cp -a "$NOOK_BUNDLE_ROOTFS" "$B/rootfs"
    edit_config "$B" 'c["root"]["path"] = "rootfs"'
}

# add_mount JSON...: append mounts (JSON objects) to $B/config.json.
add_mount() {
    local m
    for m in "$@"; do
        edit_config "$B" "c['mounts'].append(json.loads('''$m'''))"
    done
}

# mountinfo_line MOUNTPOINT: the last line for MOUNTPOINT in the
# container's mountinfo, as printed into $output.
mountinfo_line() {
    echo "$output" | awk -v mp="$1" '$5 == mp { line = $0 } END { print line }'
}

# A shell snippet for the container that prints its mountinfo.
MOUNTINFO='cat /proc/self/mountinfo'

# ---- kernel file systems --------------------------------------------------

@test "proc: /proc is the container's own procfs" {
    make_bundle "$B" sh -c 'awk '\''$5 == "/proc" { print $9 }'\'' /proc/self/mountinfo; ls /proc | grep -c "^[0-9][0-9]*$"'
    run nook run -b "$B" c1
    assert_status 0
    [ "${lines[0]}" = proc ]
    # pid 1 (sh) and awk/ls/grep at most: not the host's processes.
    [ "${lines[1]}" -le 4 ]
}

@test "tmpfs /dev: mode and size from the options, nosuid" {
    make_bundle "$B" sh -c "$MOUNTINFO; stat -c %a /dev"
    run nook run -b "$B" c1
    assert_status 0
    line=$(mountinfo_line /dev)
    [[ "$line" == *" - tmpfs "* ]]
    [[ "$line" == *"size=65536k"* ]]
    [[ "$(echo "$line" | awk '{print $6}')" == *nosuid* ]]
    [ "${lines[-1]}" = 755 ]
}

@test "tmpfs: mode=, size= and the flag options" {
    make_bundle "$B" sh -c "$MOUNTINFO; stat -c %a /run; touch /run/x && echo writable"
    add_mount '{"destination": "/run", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev", "noexec", "noatime", "mode=0700", "size=1m"]}'
    run nook run -b "$B" c1
    assert_status 0
    line=$(mountinfo_line /run)
    [[ "$line" == *" - tmpfs "* ]]
    [[ "$line" == *"size=1024k"* ]]
    opts=$(echo "$line" | awk '{print $6}')
    for flag in nosuid nodev noexec noatime; do
        [[ ",$opts," == *",$flag,"* ]] || { echo "missing $flag in $opts" >&2; false; }
    done
    [ "${lines[-2]}" = 700 ]
    [ "${lines[-1]}" = writable ]
}

@test "tmpfs: ro makes it read-only, strictatime and relatime are told apart" {
    make_bundle "$B" sh -c "$MOUNTINFO; touch /run/x"
    add_mount '{"destination": "/run", "type": "tmpfs", "source": "tmpfs", "options": ["ro", "strictatime"]}' \
        '{"destination": "/home", "type": "tmpfs", "source": "tmpfs", "options": ["noatime", "relatime"]}'
    run nook run -b "$B" c1
    [ "$status" -ne 0 ]
    assert_output_contains "Read-only file system"
    [[ "$(mountinfo_line /run | awk '{print $6}')" == ro* ]]
    [[ "$(mountinfo_line /run | awk '{print $6}')" != *atime* ]]
    [[ "$(mountinfo_line /home | awk '{print $6}')" == *relatime* ]]
    [[ "$(mountinfo_line /home | awk '{print $6}')" != *noatime* ]]
}

@test "devpts: a private instance, /dev/ptmx points into it and opens" {
    make_bundle "$B" sh -c "$MOUNTINFO; readlink /dev/ptmx; stat -c %a /dev/pts/ptmx; exec 3<>/dev/ptmx && echo opened"
    run nook run -b "$B" c1
    assert_status 0
    line=$(mountinfo_line /dev/pts)
    [[ "$line" == *" - devpts "* ]]
    [[ "$line" == *"ptmxmode=666"* ]]
    [ "${lines[-3]}" = pts/ptmx ]
    [ "${lines[-2]}" = 666 ]
    [ "${lines[-1]}" = opened ]
}

@test "devpts: runc's root-style gid=5 option works rootless too" {
    require_rootless
    make_bundle "$B" sh -c "$MOUNTINFO"
    edit_config "$B" 'c["mounts"] = [m for m in c["mounts"] if m["destination"] != "/dev/pts"]'
    add_mount '{"destination": "/dev/pts", "type": "devpts", "source": "devpts", "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]}'
    run nook run -b "$B" c1
    assert_status 0
    [[ "$(mountinfo_line /dev/pts)" == *" - devpts "* ]]
}

@test "mqueue and /dev/shm" {
    make_bundle "$B" sh -c "$MOUNTINFO; stat -c %a /dev/shm"
    run nook run -b "$B" c1
    assert_status 0
    [[ "$(mountinfo_line /dev/mqueue)" == *" - mqueue "* ]]
    [[ "$(mountinfo_line /dev/shm)" == *" - tmpfs "* ]]
    [[ "$(mountinfo_line /dev/shm | awk '{print $6}')" == *nosuid,nodev,noexec* ]]
    [ "${lines[-1]}" = 1777 ]
}

@test "sysfs: /sys is sysfs and read-only" {
    make_bundle "$B" sh -c "$MOUNTINFO; ls /sys/kernel >/dev/null && echo readable; mkdir /sys/kernel/x"
    run nook run -b "$B" c1
    [ "$status" -ne 0 ]
    line=$(mountinfo_line /sys)
    [[ "$line" == *" - sysfs "* ]]
    [[ "$(echo "$line" | awk '{print $6}')" == ro* ]]
    assert_output_contains readable
}

@test "sysfs: without a network namespace of its own, the host's /sys is bound read-only" {
    make_bundle "$B" sh -c "$MOUNTINFO"
    edit_config "$B" 'c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "network"]
c["mounts"] = [m for m in c["mounts"] if m["destination"] != "/sys"]
c["mounts"].insert(5, {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]})'
    run nook run -b "$B" c1
    assert_status 0
    line=$(mountinfo_line /sys)
    [[ "$line" == *" - sysfs "* ]]
    [[ "$(echo "$line" | awk '{print $6}')" == ro* ]]
}

@test "cgroup: /sys/fs/cgroup is there and read-only" {
    make_bundle "$B" sh -c "$MOUNTINFO; ls /sys/fs/cgroup | head -n1; mkdir /sys/fs/cgroup/nook-x"
    run nook run -b "$B" c1
    [ "$status" -ne 0 ]
    assert_output_contains "Read-only file system"
    [[ "$(mountinfo_line /sys/fs/cgroup | awk '{print $6}')" == ro* ]]
}

# ---- bind mounts ------------------------------------------------------------

@test "bind: a directory relative to the bundle, writable" {
    make_bundle "$B" sh -c 'cat /home/in; echo from-container > /home/out'
    mkdir "$B/data"
    echo from-host > "$B/data/in"
    add_mount '{"destination": "/home", "type": "bind", "source": "data", "options": ["rbind", "rw"]}'
    edit_config "$B" 'c["root"]["readonly"] = True'
    run nook run -b "$B" c1
    assert_status 0
    [ "$output" = from-host ]
    [ "$(cat "$B/data/out")" = from-container ]
    [ "$(stat -c %u "$B/data/out")" = "$(id -u)" ]
}

@test "bind: a file, its mount point created as a file under a tmpfs" {
    make_bundle "$B" sh -c 'cat /run/deep/file; test -f /run/deep/file && echo is-file'
    echo content > "$BATS_TEST_TMPDIR/file"
    add_mount '{"destination": "/run", "type": "tmpfs", "source": "tmpfs"}' \
        '{"destination": "/run/deep/file", "source": "'"$BATS_TEST_TMPDIR"'/file", "options": ["bind"]}'
    run nook run -b "$B" c1
    assert_status 0
    [ "${lines[0]}" = content ]
    [ "${lines[1]}" = is-file ]
}

@test "bind: ro, nosuid, nodev, noexec" {
    make_bundle "$B" sh -c "$MOUNTINFO; touch /home/x"
    mkdir "$B/data"
    add_mount '{"destination": "/home", "source": "'"$B"'/data", "options": ["bind", "ro", "nosuid", "nodev", "noexec"]}'
    run nook run -b "$B" c1
    [ "$status" -ne 0 ]
    assert_output_contains "Read-only file system"
    opts=$(mountinfo_line /home | awk '{print $6}')
    for flag in ro nosuid nodev noexec; do
        [[ ",$opts," == *",$flag,"* ]] || { echo "missing $flag in $opts" >&2; false; }
    done
    [ ! -e "$B/data/x" ]
}

@test "bind: ro applies to the top mount only, rro to every submount" {
    # The host's /dev has submounts (/dev/pts, /dev/shm): bind it twice.
    make_bundle "$B" sh -c "$MOUNTINFO"
    add_mount '{"destination": "/run", "type": "tmpfs", "source": "tmpfs"}' \
        '{"destination": "/run/ro", "source": "/dev", "options": ["rbind", "ro"]}' \
        '{"destination": "/run/rro", "source": "/dev", "options": ["rbind", "rro"]}'
    run nook run -b "$B" c1
    assert_status 0
    [[ "$(mountinfo_line /run/ro | awk '{print $6}')" == ro* ]]
    [[ "$(mountinfo_line /run/ro/pts | awk '{print $6}')" == rw* ]]
    [[ "$(mountinfo_line /run/rro | awk '{print $6}')" == ro* ]]
    [[ "$(mountinfo_line /run/rro/pts | awk '{print $6}')" == ro* ]]
}

@test "bind: rnosuid, rnodev, rnoexec reach the submounts" {
    make_bundle "$B" sh -c "$MOUNTINFO"
    add_mount '{"destination": "/run", "type": "tmpfs", "source": "tmpfs"}' \
        '{"destination": "/run/d", "source": "/dev", "options": ["rbind", "rnosuid", "rnodev", "rnoexec"]}'
    run nook run -b "$B" c1
    assert_status 0
    opts=$(mountinfo_line /run/d/shm | awk '{print $6}')
    for flag in nosuid nodev noexec; do
        [[ ",$opts," == *",$flag,"* ]] || { echo "missing $flag in $opts" >&2; false; }
    done
}

@test "bind: propagation options (rshared, rprivate, unbindable)" {
    make_bundle "$B" sh -c "$MOUNTINFO"
    mkdir "$B/data"
    add_mount '{"destination": "/run", "type": "tmpfs", "source": "tmpfs"}' \
        '{"destination": "/run/shared", "source": "data", "options": ["rbind", "rshared"]}' \
        '{"destination": "/run/private", "source": "data", "options": ["rbind", "rprivate"]}' \
        '{"destination": "/run/unbindable", "source": "data", "options": ["bind", "unbindable"]}'
    run nook run -b "$B" c1
    assert_status 0
    [[ "$(mountinfo_line /run/shared)" == *" shared:"* ]]
    [[ "$(mountinfo_line /run/private)" != *" shared:"* ]]
    [[ "$(mountinfo_line /run/unbindable)" == *" unbindable "* ]]
}

# host_flagged_mount: a directory mount point of the host (outside /proc
# and /sys) mounted with nosuid, nodev or noexec, which a user namespace
# finds locked; prints "PATH FLAG" or nothing.
host_flagged_mount() {
    awk '$5 !~ /^\/(proc|sys)(\/|$)/ { n = split($6, o, ","); for (i = 1; i <= n; i++)
        if (o[i] == "nosuid" || o[i] == "nodev" || o[i] == "noexec") { print $5, o[i]; break } }' \
        /proc/self/mountinfo | while read -r mp flag; do
        if [ -d "$mp" ] && [ -r "$mp" ] && [ -x "$mp" ]; then
            echo "$mp $flag"
            break
        fi
    done
}

@test "bind: a source with flags the user namespace may not clear keeps them" {
    require_rootless
    read -r source flag <<<"$(host_flagged_mount)"
    [ -n "$source" ] || skip "the host has no nosuid/nodev/noexec mount to bind"
    make_bundle "$B" sh -c "$MOUNTINFO"
    add_mount '{"destination": "/run", "type": "tmpfs", "source": "tmpfs"}' \
        '{"destination": "/run/src", "source": "'"$source"'", "options": ["bind", "ro"]}'
    run nook run -b "$B" c1
    assert_status 0
    opts=$(mountinfo_line /run/src | awk '{print $6}')
    [[ "$opts" == ro* ]]
    [[ ",$opts," == *",$flag,"* ]] || { echo "$flag of $source was lost: $opts" >&2; false; }
}

# ---- /dev ---------------------------------------------------------------------

@test "/dev: the default devices work" {
    make_bundle "$B" sh -c 'for d in null zero full random urandom tty; do test -c /dev/$d || echo "missing $d"; done
echo gone > /dev/null && echo null-ok
head -c 4 /dev/zero | od -An -tx1
head -c 8 /dev/urandom | wc -c
echo x > /dev/full || echo full-ok'
    run nook run -b "$B" c1
    assert_status 0
    [[ "$output" != *missing* ]]
    assert_output_contains null-ok
    assert_output_contains "00 00 00 00"
    assert_output_contains full-ok
    [ "$(echo "$output" | grep -x ' *8')" ]
}

@test "/dev: devices are bound from the host in a user namespace, made with mknod as root" {
    make_bundle "$B" sh -c "$MOUNTINFO"
    run nook run -b "$B" c1
    assert_status 0
    if [ "$NOOK_TEST_MODE" = rootless ]; then
        [ -n "$(mountinfo_line /dev/null)" ]
        [ -n "$(mountinfo_line /dev/urandom)" ]
    else
        [ -z "$(mountinfo_line /dev/null)" ]
    fi
}

@test "/dev: the symlinks" {
    make_bundle "$B" sh -c 'for l in fd stdin stdout stderr ptmx core; do echo "$l $(readlink /dev/$l)"; done'
    run nook run -b "$B" c1
    assert_status 0
    [ "${lines[0]}" = "fd /proc/self/fd" ]
    [ "${lines[1]}" = "stdin /proc/self/fd/0" ]
    [ "${lines[2]}" = "stdout /proc/self/fd/1" ]
    [ "${lines[3]}" = "stderr /proc/self/fd/2" ]
    [ "${lines[4]}" = "ptmx pts/ptmx" ]
    [ "${lines[5]}" = "core /proc/kcore" ]
}

@test "linux.devices: a fifo and a host character device" {
    [ -c /dev/kmsg ] || skip "the host has no /dev/kmsg"
    make_bundle "$B" sh -c 'test -p /dev/myfifo && stat -c %a /dev/myfifo; test -c /dev/kmsg && stat -c %t:%T /dev/kmsg'
    edit_config "$B" 'c["linux"]["devices"] = [{"path": "/dev/myfifo", "type": "p", "fileMode": 416}, {"path": "/dev/kmsg", "type": "c", "major": 1, "minor": 11}]'
    run nook run -b "$B" c1
    assert_status 0
    [ "${lines[0]}" = 640 ]
    [ "${lines[1]}" = 1:b ]
}

@test "linux.devices: a device the host does not have is an error in a user namespace" {
    require_rootless
    make_bundle "$B" true
    edit_config "$B" 'c["linux"]["devices"] = [{"path": "/dev/nook-missing", "type": "c", "major": 1, "minor": 3}]'
    run nook run -b "$B" c1
    [ "$status" -ne 0 ]
    assert_output_contains '.linux.devices[0]: bind the host'"'"'s device "/dev/nook-missing": No such file or directory'
    assert_no_leftovers c1 "$B"
}

# ---- masked and read-only paths, read-only root ---------------------------

@test "maskedPaths: files read empty, directories are empty, missing ones are skipped" {
    make_bundle "$B" sh -c 'wc -c < /proc/keys; ls -A /sys/firmware | wc -l; cat /etc/hostname'
    edit_config "$B" 'c["linux"]["maskedPaths"] += ["/etc/hostname", "/no/such/path"]'
    run nook run -b "$B" c1
    assert_status 0
    [ "${lines[0]}" -eq 0 ]
    [ "${lines[1]}" -eq 0 ]
    [ "${#lines[@]}" -eq 2 ]
}

@test "readonlyPaths: /proc/sys is read-only, missing ones are skipped" {
    make_bundle "$B" sh -c "$MOUNTINFO; cat /proc/sys/kernel/ostype; echo x > /proc/sys/kernel/domainname"
    edit_config "$B" 'c["linux"]["readonlyPaths"] += ["/no/such/path"]'
    run nook run -b "$B" c1
    [ "$status" -ne 0 ]
    assert_output_contains Linux
    [[ "$(mountinfo_line /proc/sys | awk '{print $6}')" == ro* ]]
}

@test "root.readonly: the root is read-only, tmpfs mounts stay writable" {
    make_bundle "$B" sh -c 'touch /dev/shm/x && echo shm-ok; touch /x'
    run nook run -b "$B" c1
    [ "$status" -ne 0 ]
    assert_output_contains shm-ok
    assert_output_contains "Read-only file system"
}

@test "root.readonly false: the root is writable" {
    make_bundle "$B" sh -c 'touch /made-here && echo ok'
    private_rootfs
    edit_config "$B" 'c["root"]["readonly"] = False'
    run nook run -b "$B" c1
    assert_status 0
    [ "$output" = ok ]
    [ -e "$B/rootfs/made-here" ]
}

# ---- propagation and the switch of root ---------------------------------

@test "rootfsPropagation: rshared makes / shared, private leaves it alone" {
    make_bundle "$B" sh -c "$MOUNTINFO"
    edit_config "$B" 'c["linux"]["rootfsPropagation"] = "rshared"'
    run nook run -b "$B" c1
    assert_status 0
    [[ "$(mountinfo_line /)" == *" shared:"* ]]

    edit_config "$B" 'c["linux"]["rootfsPropagation"] = "private"'
    run nook run -b "$B" c2
    assert_status 0
    [[ "$(mountinfo_line /)" != *" shared:"* ]]
    [[ "$(mountinfo_line /)" != *" master:"* ]]
}

@test "the container's mounts do not reach the host" {
    make_bundle "$B" sh -c 'echo started'
    mkdir "$B/data"
    add_mount '{"destination": "/home", "source": "data", "options": ["rbind", "rshared"]}'
    run nook run -b "$B" c1
    assert_status 0
    ! grep -q -- "$B" /proc/self/mountinfo || false
    ! grep -q -- "$NOOK_BUNDLE_ROOTFS" /proc/self/mountinfo || false
}

@test "pivot_root: the host's tree is out of sight and / is one mount" {
    make_bundle "$B" sh -c "ls $BATS_TEST_TMPDIR 2>&1; $MOUNTINFO"
    run nook run -b "$B" c1
    assert_status 0
    assert_output_contains "No such file or directory"
    [ "$(echo "$output" | awk '$5 == "/"' | wc -l)" -eq 1 ]
}

@test "--no-pivot: MS_MOVE and chroot give the same view" {
    make_bundle "$B" sh -c "cat /etc/hostname; ls $BATS_TEST_TMPDIR 2>&1; $MOUNTINFO"
    run nook run --no-pivot -b "$B" c1
    assert_status 0
    [ "${lines[0]}" = "$(cat "$NOOK_BUNDLE_ROOTFS/etc/hostname")" ]
    assert_output_contains "No such file or directory"
    [[ "$(mountinfo_line /proc)" == *" - proc "* ]]
    [ "$(echo "$output" | awk '$5 == "/"' | wc -l)" -eq 1 ]
}

# ---- symlinks that point out of the rootfs ------------------------------

@test "a symlink in the rootfs pointing out of it, used as a mount destination, lands inside" {
    make_bundle "$B" sh -c "$MOUNTINFO; echo inside > /evil/file; echo inside > /evil-rel/file"
    private_rootfs
    outside=$BATS_TEST_TMPDIR/outside
    mkdir "$outside"
    ln -s "$outside" "$B/rootfs/evil"
    ln -s ../../../../../../../../outside-rel "$B/rootfs/evil-rel"
    edit_config "$B" 'c["root"]["readonly"] = False'
    add_mount '{"destination": "/evil", "type": "tmpfs", "source": "tmpfs"}' \
        '{"destination": "/evil-rel", "type": "tmpfs", "source": "tmpfs"}'
    run nook run -b "$B" c1
    assert_status 0
    # The mounts sit on the links' targets read inside the rootfs.
    [[ "$(mountinfo_line "$outside")" == *" - tmpfs "* ]]
    [[ "$(mountinfo_line /outside-rel)" == *" - tmpfs "* ]]
    # Nothing reached the host.
    [ -z "$(ls -A "$outside")" ]
    [ ! -e /outside-rel ]
    [ -d "$B/rootfs$outside" ]
}

@test "a bind mount through a symlink to /etc lands on the rootfs's /etc" {
    make_bundle "$B" sh -c 'cat /etc/bound'
    private_rootfs
    ln -s /etc "$B/rootfs/etc-link"
    echo bound-content > "$BATS_TEST_TMPDIR/src"
    add_mount '{"destination": "/etc-link/bound", "source": "'"$BATS_TEST_TMPDIR"'/src", "options": ["bind"]}'
    run nook run -b "$B" c1
    assert_status 0
    [ "$output" = bound-content ]
    [ -f "$B/rootfs/etc/bound" ]
}

# ---- errors -------------------------------------------------------------------

@test "error: a bind source that does not exist" {
    make_bundle "$B" true
    add_mount '{"destination": "/data", "source": "/does/not/exist", "options": ["bind"]}'
    run nook run -b "$B" c1
    [ "$status" -ne 0 ]
    assert_output_contains 'mount "/does/not/exist" on "/data": No such file or directory'
    assert_output_contains '.mounts['
    [ "${#lines[@]}" -eq 1 ]
    assert_no_leftovers c1 "$B"
}

@test "a relative destination is taken relative to / (runtime-spec), an empty one is refused" {
    make_bundle "$B" sh -c "$MOUNTINFO"
    add_mount '{"destination": "run", "type": "tmpfs", "source": "relative"}'
    run nook run -b "$B" c1
    assert_status 0
    [[ "$(mountinfo_line /run)" == *" - tmpfs relative "* ]]
    add_mount '{"destination": "", "type": "tmpfs", "source": "tmpfs"}'
    run nook run -b "$B" c2
    [ "$status" -ne 0 ]
    assert_output_contains 'destination: must be an absolute path, not ""'
    assert_no_leftovers c2 "$B"
}

@test "error: an unknown file system type" {
    make_bundle "$B" true
    add_mount '{"destination": "/home", "type": "nookfs", "source": "x"}'
    run nook run -b "$B" c1
    [ "$status" -ne 0 ]
    assert_output_contains 'mount "x" on "/home": No such device'
    assert_no_leftovers c1 "$B"
}

@test "error: an idmapped mount that cannot be made" {
    make_bundle "$B" true
    mkdir "$B/data"
    add_mount '{"destination": "/home", "source": "data", "options": ["rbind", "idmap"]}'
    run nook run -b "$B" c1
    [ "$status" -ne 0 ]
    if [ "$NOOK_TEST_MODE" = root ]; then
        # No mappings of its own, and no user namespace to take them from.
        assert_output_contains '.mounts[7]: "idmap" without uidMappings and gidMappings takes the container'"'"'s user namespace mappings, and the container has no user namespace'
    else
        assert_output_contains '.mounts[7]: an idmapped mount (uidMappings, gidMappings, idmap, ridmap) needs CAP_SYS_ADMIN over the file system of its source'
    fi
    assert_no_leftovers c1 "$B"
}

@test "error: a mount point that cannot be created in a rootfs the user does not own" {
    require_rootless
    # Root in the user namespace may write what the caller owns.
    [ ! -O "$NOOK_BUNDLE_ROOTFS" ] || skip "the rootfs belongs to the caller (a build by this user)"
    make_bundle "$B" true
    add_mount '{"destination": "/nook-new-dir", "type": "tmpfs", "source": "tmpfs"}'
    run nook run -b "$B" c1
    [ "$status" -ne 0 ]
    assert_output_contains 'mount "tmpfs" on "/nook-new-dir": create the mount point: Permission denied'
    [ ! -e "$NOOK_BUNDLE_ROOTFS/nook-new-dir" ]
    assert_no_leftovers c1 "$B"
}

@test "error: clearing a flag the user namespace has locked says why" {
    require_rootless
    read -r source flag <<<"$(host_flagged_mount)"
    [ -n "$source" ] || skip "the host has no nosuid/nodev/noexec mount to bind"
    make_bundle "$B" true
    add_mount '{"destination": "/run", "type": "tmpfs", "source": "tmpfs"}' \
        '{"destination": "/run/src", "source": "'"$source"'", "options": ["bind", "'"${flag#no}"'"]}'
    run nook run -b "$B" c1
    [ "$status" -ne 0 ]
    assert_output_contains "(the source is mounted $flag, which a user namespace cannot change to ${flag#no})"
    assert_no_leftovers c1 "$B"
}
