#!/usr/bin/env bats
# config-linux.bats: conformance to config-linux.md of the OCI runtime-spec:
# the default file systems, namespaces, user namespace mappings, devices
# and the default devices, control groups (the cgroups path, the allowed
# device list, cgroup ownership), sysctl, seccomp (with the seccomp notify
# listener), rootfs propagation, masked and read-only paths, personality.

load helpers

setup_file() {
    export_python
}

setup() {
    conformance_setup
    V2=$(cgroup_v2_root) || V2=
    TOP=$(cgroup_delegated_top) || TOP=
}

teardown() {
    [ -z "${RECVTTY_PID:-}" ] || kill "$RECVTTY_PID" 2>/dev/null || true
    [ -z "${AGENT_PID:-}" ] || kill "$AGENT_PID" 2>/dev/null || true
    common_teardown
}

# The namespace types config-linux.md lists, as /proc/PID/ns names them.
NS_TYPES="pid net ipc uts mnt cgroup time user"

# oci_ns TYPE: the config.json name of the /proc/PID/ns name TYPE.
oci_ns() {
    case "$1" in
    net) echo network ;;
    mnt) echo mount ;;
    *) echo "$1" ;;
    esac
}

# An in-container snippet that prints "TYPE INODE" for every namespace.
PRINT_NS='for t in pid net ipc uts mnt cgroup time user; do echo "$t $(readlink /proc/self/ns/$t)"; done'

# ns_line TYPE: the namespace of TYPE the container printed into $output.
ns_line() {
    echo "$output" | awk -v t="$1" '$1 == t { print $2 }'
}

cgroup_of() {
    sed -n 's/^0:://p' "/proc/$1/cgroup"
}

# ---- Default file systems -----------------------------------------------------

# "The following filesystems SHOULD be made available in each container's
# filesystem: /proc proc, /sys sysfs, /dev/pts devpts, /dev/shm tmpfs"
@test "config-linux.md#default-filesystems: /proc, /sys, /dev/pts and /dev/shm are there, of their types" {
    make_bundle "$B" cat /proc/self/mountinfo
    run nook run -b "$B" c1
    assert_status 0
    for m in "/proc proc" "/sys sysfs" "/dev/pts devpts" "/dev/shm tmpfs"; do
        set -- $m
        [[ "$(mountinfo_line "$1")" == *" - $2 "* ]] || { echo "$1 is not $2: $(mountinfo_line "$1")" >&2; false; }
    done
}

# ---- Namespaces ---------------------------------------------------------------

# "If path is not specified, the runtime MUST create a new container
# namespace of type type."
@test "config-linux.md#namespaces: each type listed without a path is a new namespace" {
    make_bundle "$B" sh -c "$PRINT_NS"
    edit_config "$B" 'have = {n["type"] for n in c["linux"]["namespaces"]}
for t in ("pid", "network", "ipc", "uts", "mount", "cgroup", "time"):
    if t not in have:
        c["linux"]["namespaces"].append({"type": t})'
    run nook run -b "$B" c1
    assert_status 0
    types="pid net ipc uts mnt cgroup time"
    [ "$NOOK_TEST_MODE" = root ] || types="$types user"
    for t in $types; do
        [ -n "$(ns_line $t)" ] && [ "$(ns_line $t)" != "$(ns_of $$ $t)" ] ||
            { echo "$t: the container's $(ns_line $t) is the host's $(ns_of $$ $t)" >&2; false; }
    done
}

# "pid processes inside the container will only be able to see other
# processes inside the same container or inside the same pid namespace.
# network the container will have its own network stack. ... ipc ... uts
# the container will be able to have its own hostname and domain name.
# ... cgroup the container will have an isolated view of the cgroup
# hierarchy."
@test "config-linux.md#namespaces: the new namespaces isolate what they name" {
    make_bundle "$B" sh -c 'echo "pid $$ $(ls /proc | grep -c "^[0-9]")"; echo "net $(awk -F: "NR > 2 { print \$1 }" /proc/net/dev | tr -d " " | paste -sd,)"
echo "ipc $(wc -l </proc/sysvipc/msg)"; echo "cgroup $(sed -n "s/^0:://p" /proc/self/cgroup)"'
    edit_config "$B" 'if not any(n["type"] == "network" for n in c["linux"]["namespaces"]):
    c["linux"]["namespaces"].append({"type": "network"})'
    ipcmk -Q >/dev/null
    run nook run -b "$B" c1
    assert_status 0
    read -r _ mypid nprocs <<<"$(echo "$output" | grep ^pid)"
    [ "$mypid" = 1 ] && [ "$nprocs" -le 4 ]
    [ "$(echo "$output" | awk '$1 == "net" { print $2 }')" = lo ]
    [ "$(echo "$output" | awk '$1 == "ipc" { print $2 }')" = 1 ]
    [ "$(echo "$output" | awk '$1 == "cgroup" { print $2 }')" = / ]
}

# "If a namespace type is not specified in the namespaces array, the
# container MUST inherit the runtime namespace of that type."
@test "config-linux.md#namespaces: a type not listed is the runtime's namespace" {
    make_bundle "$B" sh -c "$PRINT_NS"
    edit_config "$B" 'c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] in ("mount", "user")]
c["mounts"] = [m for m in c["mounts"] if m["destination"] not in ("/sys", "/sys/fs/cgroup", "/dev/mqueue")]
c.pop("hostname", None)'
    run nook run -b "$B" c1
    assert_status 0
    for t in pid net ipc uts cgroup time; do
        [ "$(ns_line $t)" = "$(ns_of $$ $t)" ] ||
            { echo "$t: the container's $(ns_line $t) is not the runtime's $(ns_of $$ $t)" >&2; false; }
    done
}

# "If a namespace type is not specified in the namespaces array, the
# container MUST inherit the runtime namespace of that type." (user)
@test "config-linux.md#namespaces: without a user entry the container is in the runtime's user namespace" {
    make_bundle "$B" sh -c "$PRINT_NS"
    edit_config "$B" 'c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "user"]'
    if [ "$NOOK_TEST_MODE" != root ]; then
        # Rootless, on the host, nook cannot set a container up in the
        # host's user namespace (no mount, no mknod, no other namespace
        # without privilege there): it makes one of its own, as crun does,
        # whose root is the caller (the bundle has no mappings: the
        # caller's id, then its subordinate ids), and the process is still
        # the configured user there.
        edit_config "$B" 'c["process"]["args"] = ["sh", "-c", """'"$PRINT_NS"'; echo "id $(id -u):$(id -g)"; cat /proc/self/uid_map"""]'
        run nook run -b "$B" c1
        assert_status 0
        [ -n "$(ns_line user)" ] && [ "$(ns_line user)" != "$(ns_of $$ user)" ] ||
            { echo "the container's user namespace is the host's: $output" >&2; false; }
        want=$(edit_config "$B" 'print("%d:%d" % (c["process"]["user"]["uid"], c["process"]["user"]["gid"]))')
        [ "$(ns_line id)" = "$want" ] || { echo "the process is not $want: $output" >&2; false; }
        [[ "$output" =~ (^|$'\n')\ *0\ +$(id -u)\ +1($'\n'|$) ]] ||
            { echo "the container's root is not $(id -u) on the host: $output" >&2; false; }
        # Started as root of a user namespace (as_userns_root, as rootless
        # podman starts it), nook can: the container is in that namespace.
        edit_config "$B" 'c["linux"].pop("uidMappings", None); c["linux"].pop("gidMappings", None)'
        run as_userns_root sh -c "readlink /proc/self/ns/user; exec \"\$@\"" sh "$NOOK" --root "$NOOK_ROOT" run -b "$B" c2
        assert_status 0
        [ "$(ns_line user)" = "${lines[0]}" ] ||
            { echo "the container left the runtime's user namespace ${lines[0]}: $output" >&2; false; }
        return 0
    fi
    run nook run -b "$B" c1
    assert_status 0
    [ "$(ns_line user)" = "$(ns_of $$ user)" ]
}

# "The runtime MUST place the container process in the namespace associated
# with that path."
@test "config-linux.md#namespaces: a path puts the container in that namespace" {
    make_bundle "$BATS_TEST_TMPDIR/holder" sleep 100
    edit_config "$BATS_TEST_TMPDIR/holder" 'have = {n["type"] for n in c["linux"]["namespaces"]}
for t in ("network", "time"):
    if t not in have:
        c["linux"]["namespaces"].append({"type": t})'
    nook_detached run -d -b "$BATS_TEST_TMPDIR/holder" holder
    holder=$(init_pid holder)
    make_bundle "$B" sh -c "$PRINT_NS"
    edit_config "$B" "c['linux']['namespaces'] = [{'type': t, 'path': '/proc/$holder/ns/' + p} for t, p in (('pid', 'pid'), ('network', 'net'), ('ipc', 'ipc'), ('uts', 'uts'), ('cgroup', 'cgroup'), ('time', 'time'))] + [{'type': 'mount'}]
if '$NOOK_TEST_MODE' == 'rootless':
    c['linux']['namespaces'].append({'type': 'user', 'path': '/proc/$holder/ns/user'})
c['linux'].pop('uidMappings', None); c['linux'].pop('gidMappings', None)
c['mounts'] = [m for m in c['mounts'] if m['destination'] != '/sys/fs/cgroup']"
    run nook run -b "$B" c1
    assert_status 0
    types="pid net ipc uts cgroup time"
    [ "$NOOK_TEST_MODE" = root ] || types="$types user"
    for t in $types; do
        [ "$(ns_line $t)" = "$(ns_of "$holder" $t)" ] ||
            { echo "$t: the container's $(ns_line $t) is not the path's $(ns_of "$holder" $t)" >&2; false; }
    done
}

# "The runtime MUST generate an error if path is not associated with a
# namespace of type type."
@test "config-linux.md#namespaces: a path that is not a namespace of that type is an error" {
    make_bundle "$B" true
    edit_config "$B" 'c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "ipc"] + [{"type": "ipc", "path": "/proc/self/ns/uts"}]'
    nook_capture create -b "$B" c1
    [ "$status" -ne 0 ]
    assert_output_contains ipc
    assert_no_leftovers c1 "$B"
    touch "$BATS_TEST_TMPDIR/not-a-namespace"
    edit_config "$B" "c['linux']['namespaces'][-1]['path'] = '$BATS_TEST_TMPDIR/not-a-namespace'"
    nook_capture create -b "$B" c1
    [ "$status" -ne 0 ]
    assert_output_contains ipc
    assert_no_leftovers c1 "$B"
}

# "If a namespaces field contains duplicated namespaces with same type, the
# runtime MUST generate an error."
@test "config-linux.md#namespaces: a type listed twice is an error" {
    make_bundle "$B" true
    edit_config "$B" 'c["linux"]["namespaces"].append({"type": "uts"})'
    nook_capture create -b "$B" c1
    [ "$status" -ne 0 ]
    assert_output_contains uts
    assert_no_leftovers c1 "$B"
}

# ---- User namespace mappings ----------------------------------------------------

# map_ids: explicit uidMappings and gidMappings this mode can use (rootless:
# the caller, then its subordinate ids); prints the expected uid_map
# lines "container host size" and the gid_map ones after "--".
map_ids() {
    if [ "$NOOK_TEST_MODE" = root ]; then
        # The container's root is 200000 on the host: let it reach the bundle.
        local d=$BATS_TEST_TMPDIR
        while [ "$d" != / ] && [ "$d" != /tmp ]; do chmod o+x "$d"; d=${d%/*}; d=${d:-/}; done
        UIDS="0 200000 1000"
        GIDS="0 300000 1000"
        edit_config "$B" 'if not any(n["type"] == "user" for n in c["linux"]["namespaces"]):
    c["linux"]["namespaces"].append({"type": "user"})'
    else
        local su sg
        su=$(subid_start "$(id -un)" /etc/subuid)
        sg=$(subid_start "$(id -un)" /etc/subgid)
        [ -n "$su" ] && [ -n "$sg" ] || skip "$(id -un) has no subordinate ids in /etc/subuid or /etc/subgid"
        UIDS="0 $(id -u) 1,1 $su 1000"
        GIDS="0 $(id -g) 1,1 $sg 1000"
    fi
    edit_config "$B" "
def maps(text):
    return [dict(zip(('containerID', 'hostID', 'size'), map(int, m.split()))) for m in text.split(',')]
c['linux']['uidMappings'] = maps('$UIDS')
c['linux']['gidMappings'] = maps('$GIDS')"
}

# "uidMappings (array of objects, OPTIONAL) describes the user namespace
# uid mappings from the host to the container. gidMappings (array of
# objects, OPTIONAL) describes the user namespace gid mappings from the
# host to the container."
@test "config-linux.md#user-namespace-mappings: uidMappings and gidMappings are the container's id maps" {
    make_bundle "$B" sh -c 'cat /proc/self/uid_map; echo --; cat /proc/self/gid_map'
    map_ids
    run nook run -b "$B" c1
    assert_status 0
    got=$(echo "$output" | awk '$1 == "--" { print "--"; next } { print $1, $2, $3 }' | paste -sd,)
    [ "$got" = "$UIDS,--,$GIDS" ] || { echo "maps: $got, want $UIDS,--,$GIDS" >&2; false; }
}

# "The runtime SHOULD NOT modify the ownership of referenced filesystems to
# realize the mapping."
@test "config-linux.md#user-namespace-mappings: the root file system and mounts keep their owners" {
    make_bundle "$B" sh -c 'ls -ln / >/dev/null; echo ran'
    private_rootfs
    map_ids
    mkdir "$BATS_TEST_TMPDIR/data"
    touch "$BATS_TEST_TMPDIR/data/file"
    add_mount '{"destination": "/home", "source": "'"$BATS_TEST_TMPDIR"'/data", "options": ["rbind"]}'
    owners() { find "$B/rootfs" "$BATS_TEST_TMPDIR/data" -printf '%U:%G %p\n' | sort | md5sum; }
    before=$(owners)
    run nook run -b "$B" c1
    assert_status 0
    [ "$output" = ran ]
    [ "$(owners)" = "$before" ]
}

# ---- Devices ------------------------------------------------------------------

# "devices (array of objects, OPTIONAL) lists devices that MUST be
# available in the container. ... The path MAY be anywhere in the container
# filesystem, notably outside of /dev."
@test "config-linux.md#devices: the listed devices are in the container, in /dev and elsewhere" {
    [ -c /dev/kmsg ] || skip "the host has no /dev/kmsg"
    make_bundle "$B" sh -c 'stat -c "%F %t:%T" /dev/kmsg; stat -c %F /dev/conformance-fifo /run/fifo'
    add_mount '{"destination": "/run", "type": "tmpfs", "source": "tmpfs"}'
    edit_config "$B" 'c["linux"]["devices"] = [
    {"path": "/dev/kmsg", "type": "c", "major": 1, "minor": 11},
    {"path": "/dev/conformance-fifo", "type": "p"},
    {"path": "/run/fifo", "type": "p"}]'
    run nook run -b "$B" c1
    assert_status 0
    [ "${lines[0]}" = "character special file 1:b" ]
    [ "${lines[1]}" = fifo ]
    [ "${lines[2]}" = fifo ]
}

# "type (string, REQUIRED) - type of device: c, b, u or p. ... major, minor
# (int64, REQUIRED unless type is p) - major, minor numbers for the
# device." (made with mknod, which needs privilege)
@test "config-linux.md#devices: character, unbuffered and block devices of any numbers are made" {
    if [ "$NOOK_TEST_MODE" != root ]; then
        # Rootless, making a device node needs CAP_MKNOD over the host:
        # nook binds the host's node of the same path instead, as runc and
        # crun do. Each is then the host's very device (the same type and
        # numbers) and works as far as the host's permissions let the
        # caller (tun and fuse are open to all, loop0 is root's). A device
        # the host lacks at that path, of another type or other numbers,
        # is an error naming it, and nothing is left.
        for d in /dev/net/tun /dev/fuse /dev/loop0; do
            [ -e "$d" ] || skip "the host has no $d to bind"
        done
        make_bundle "$B" sh -c 'stat -c "%F %t:%T" /dev/net/tun /dev/fuse /dev/loop0
for d in /dev/net/tun /dev/fuse /dev/loop0; do if (: <>$d) 2>/dev/null; then echo "$d opens"; else echo "$d refused"; fi; done'
        edit_config "$B" 'c["linux"]["devices"] = [
    {"path": "/dev/net/tun", "type": "c", "major": 10, "minor": 200},
    {"path": "/dev/fuse", "type": "u", "major": 10, "minor": 229},
    {"path": "/dev/loop0", "type": "b", "major": 7, "minor": 0}]
c["linux"]["resources"] = {}'
        run nook run -b "$B" c1
        assert_status 0
        [ "${lines[0]}" = "$(stat -c "%F %t:%T" /dev/net/tun)" ] && [ "${lines[0]}" = "character special file a:c8" ]
        [ "${lines[1]}" = "$(stat -c "%F %t:%T" /dev/fuse)" ] && [ "${lines[1]}" = "character special file a:e5" ]
        [ "${lines[2]}" = "$(stat -c "%F %t:%T" /dev/loop0)" ] && [ "${lines[2]}" = "block special file 7:0" ]
        for d in /dev/net/tun /dev/fuse /dev/loop0; do
            if [ -r "$d" ] && [ -w "$d" ]; then want="$d opens"; else want="$d refused"; fi
            assert_output_contains "$want"
        done
        for bad in /dev/conformance-null:c:1:3 /dev/null:b:1:3 /dev/full:c:1:3; do
            IFS=: read -r path type major minor <<<"$bad"
            edit_config "$B" "c['linux']['devices'] = [{'path': '$path', 'type': '$type', 'major': $major, 'minor': $minor}]"
            nook_capture create -b "$B" c2
            [ "$status" -ne 0 ] || { echo "created with $bad" >&2; false; }
            [ "${#lines[@]}" -eq 1 ] || { echo "not one line: $output" >&2; false; }
            assert_output_contains ".linux.devices[0]"
            assert_output_contains "\"$path\""
            assert_no_leftovers c2 "$B"
        done
        return 0
    fi
    make_bundle "$B" sh -c 'stat -c "%F %t:%T" /dev/conformance-null /dev/conformance-zero /dev/conformance-loop; echo x >/dev/conformance-null && echo null-works'
    edit_config "$B" 'c["linux"]["devices"] = [
    {"path": "/dev/conformance-null", "type": "c", "major": 1, "minor": 3},
    {"path": "/dev/conformance-zero", "type": "u", "major": 1, "minor": 5},
    {"path": "/dev/conformance-loop", "type": "b", "major": 7, "minor": 200}]
c["linux"]["resources"] = {}'
    run nook run -b "$B" c1
    assert_status 0
    [ "${lines[0]}" = "character special file 1:3" ]
    [ "${lines[1]}" = "character special file 1:5" ]
    [ "${lines[2]}" = "block special file 7:c8" ]
    [ "${lines[3]}" = null-works ]
}

# "fileMode (uint32, OPTIONAL) - file mode for the device. ... uid (uint32,
# OPTIONAL) - id of device owner in the container namespace. gid (uint32,
# OPTIONAL) - id of device group in the container namespace."
@test "config-linux.md#devices: fileMode, uid and gid are the device's" {
    make_bundle "$B" stat -c '%a %u:%g' /dev/conformance-fifo
    edit_config "$B" 'c["linux"]["devices"] = [{"path": "/dev/conformance-fifo", "type": "p", "fileMode": 416, "uid": 1, "gid": 2}]'
    run nook run -b "$B" c1
    assert_status 0
    [ "$output" = "640 1:2" ]
    [ "$NOOK_TEST_MODE" = root ] || return 0
    edit_config "$B" 'c["linux"]["devices"] = [{"path": "/dev/conformance-fifo", "type": "c", "major": 1, "minor": 3, "fileMode": 384, "uid": 3, "gid": 4}]'
    run nook run -b "$B" c2
    assert_status 0
    [ "$output" = "600 3:4" ]
}

# "If a file already exists at path that does not match the requested
# device, the runtime MUST generate an error."
@test "config-linux.md#devices: a file at path that is not the requested device is an error" {
    make_bundle "$B" true
    edit_config "$B" 'c["linux"]["devices"] = [{"path": "/etc/hostname", "type": "c", "major": 1, "minor": 3}]'
    nook_capture create -b "$B" c1
    [ "$status" -ne 0 ]
    assert_output_contains /etc/hostname
    assert_no_leftovers c1 "$B"
}

# "In addition to any devices configured with this setting, the runtime
# MUST also supply: /dev/null /dev/zero /dev/full /dev/random /dev/urandom
# /dev/tty"
@test "config-linux.md#default-devices: null, zero, full, random, urandom and tty are supplied and work" {
    make_bundle "$B" sh -c 'for d in null zero full random urandom tty; do echo "$d $(stat -c "%F %t:%T" /dev/$d)"; done
echo gone >/dev/null && echo null-ok; head -c 3 /dev/zero | od -An -tx1; echo x 2>&1 >/dev/full || echo full-ok
head -c 16 /dev/urandom | wc -c; head -c 16 /dev/random | wc -c'
    run nook run -b "$B" c1
    assert_status 0
    for d in "null 1:3" "zero 1:5" "full 1:7" "random 1:8" "urandom 1:9" "tty 5:0"; do
        set -- $d
        assert_output_contains "$1 character special file $2"
    done
    assert_output_contains null-ok
    assert_output_contains " 00 00 00"
    assert_output_contains full-ok
    [ "$(echo "$output" | grep -cx ' *16')" -eq 2 ]
}

# "/dev/console is set up if terminal is enabled in the config by bind
# mounting the pseudoterminal pty to /dev/console."
@test "config-linux.md#default-devices: /dev/console is the process's pseudoterminal when terminal is true" {
    : "${NOOK_RECVTTY:?run through meson test, which builds nook-recvtty}"
    make_bundle "$B" sh -c 'echo "console $(stat -c %t:%T /dev/console) tty $(stat -L -c %t:%T /proc/$$/fd/0)"'
    edit_config "$B" 'c["process"]["terminal"] = True'
    SOCK=$BATS_TEST_TMPDIR/tty.sock
    : >"$BATS_TEST_TMPDIR/tty.in"
    timeout 30 "$NOOK_RECVTTY" "$SOCK" <"$BATS_TEST_TMPDIR/tty.in" >"$BATS_TEST_TMPDIR/tty.out" 2>&1 &
    RECVTTY_PID=$!
    for _ in $(seq 100); do [ -S "$SOCK" ] && break; sleep 0.05; done
    nook_detached create --console-socket "$SOCK" -b "$B" c1
    nook start c1
    wait "$RECVTTY_PID" || true
    RECVTTY_PID=
    line=$(tr -d '\r' <"$BATS_TEST_TMPDIR/tty.out" | grep '^console ')
    read -r _ console _ tty <<<"$line"
    [ -n "$console" ] && [ "$console" = "$tty" ] || { echo "$line" >&2; false; }
}

# "/dev/ptmx. A bind-mount or symlink of the container's /dev/pts/ptmx."
@test "config-linux.md#default-devices: /dev/ptmx is the container's /dev/pts/ptmx" {
    make_bundle "$B" sh -c 'stat -L -c "%d:%i" /dev/ptmx /dev/pts/ptmx; exec 3<>/dev/ptmx && echo opened'
    run nook run -b "$B" c1
    assert_status 0
    [ "${lines[0]}" = "${lines[1]}" ]
    [ "${lines[2]}" = opened ]
}

# ---- Control groups -------------------------------------------------------------

# "A runtime MAY, during a particular container operation, such as create,
# start, or exec, check if the container cgroup is fit for purpose, and
# MUST generate an error if such a check fails. For example, a frozen
# cgroup or (for create operation) a non-empty cgroup."
@test "config-linux.md#control-groups: a cgroup that already has processes is an error" {
    require_cgroup_delegation
    make_bundle "$B" sleep 100
    edit_config "$B" "c['linux']['cgroupsPath'] = '${TOP%/}/conformance-busy-$$'"
    nook_detached run -d -b "$B" c1
    nook_capture create -b "$B" c2
    [ "$status" -ne 0 ]
    assert_no_leftovers c2 "$B"
    [ "$(state_get c1 status)" = running ]
}

# "In the case of an absolute path (starting with /), the runtime MUST take
# the path to be relative to the cgroups mount point." "The cgroups will be
# created if they don't exist."
@test "config-linux.md#cgroups-path: an absolute cgroupsPath is taken from the cgroup mount point, and made" {
    require_cgroup_delegation
    want=${TOP%/}/conformance-abs-$$/inner
    [ ! -e "$V2$want" ]
    make_bundle "$B" sleep 100
    edit_config "$B" "c['linux']['cgroupsPath'] = '$want'"
    nook_detached run -d -b "$B" c1
    [ "$(cgroup_of "$(init_pid c1)")" = "$want" ]
    [ -d "$V2$want" ]
    nook delete --force c1
    rmdir "$V2${want%/inner}" 2>/dev/null || true
}

# "If the value is specified, the runtime MUST consistently attach to the
# same place in the cgroups hierarchy given the same value of cgroupsPath."
@test "config-linux.md#cgroups-path: the same cgroupsPath is the same cgroup every time" {
    require_cgroup_delegation
    make_bundle "$B" sleep 100
    for path in "${TOP%/}/conformance-same-$$" "conformance-rel-$$/c"; do
        edit_config "$B" "c['linux']['cgroupsPath'] = '$path'"
        places=
        for id in c1 c2; do
            nook_detached run -d -b "$B" $id
            places="$places $(cgroup_of "$(init_pid $id)")"
            nook delete --force $id
        done
        read -r first second <<<"$places"
        [ "$first" = "$second" ] || { echo "$path: $first then $second" >&2; false; }
    done
    rmdir "$V2${TOP%/}/conformance-rel-$$" 2>/dev/null || true
}

# "Runtimes MAY consider certain cgroupsPath values to be invalid, and MUST
# generate an error if this is the case."
@test "config-linux.md#cgroups-path: a cgroupsPath nook holds invalid is an error" {
    require_cgroup_delegation
    make_bundle "$B" true
    edit_config "$B" 'c["linux"]["cgroupsPath"] = "a/../../escape"'
    nook_capture create -b "$B" c1
    [ "$status" -ne 0 ]
    assert_output_contains cgroupsPath
    assert_no_leftovers c1 "$B"
    [ ! -e "$V2/escape" ]
}

# cgroup_mount_bundle ro|rw: a container with a user namespace (map_ids),
# a cgroup namespace and /sys/fs/cgroup mounted read-only or read-write.
cgroup_mount_bundle() {
    make_bundle "$B" sleep 100
    map_ids
    edit_config "$B" 'if not any(n["type"] == "cgroup" for n in c["linux"]["namespaces"]):
    c["linux"]["namespaces"].append({"type": "cgroup"})
c["mounts"] = [m for m in c["mounts"] if m["destination"] != "/sys/fs/cgroup"]
c["mounts"].append({"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": ["nosuid", "noexec", "nodev", "'"$1"'"]})'
}

# "Runtimes SHOULD change the cgroup ownership if and only if the cgroup
# filesystem is to be mounted read/write ... If the configuration does not
# specify such a mount, the runtime SHOULD NOT change the cgroup
# ownership."
@test "config-linux.md#cgroup-ownership: with /sys/fs/cgroup read-only the container's cgroup keeps its owner" {
    if [ "$NOOK_TEST_MODE" != root ]; then
        # Rootless, nook changes no cgroup's owner (it could only give it
        # away to ids the caller does not hold); the cgroup it makes in
        # the caller's delegation is the caller's, who is the container's
        # root, and with the read-only mount it stays so, every file of it.
        require_cgroup_delegation
        cgroup_mount_bundle ro
        nook_detached run -d -b "$B" c1
        cg=$V2$(cgroup_of "$(init_pid c1)")
        [ "$(cgroup_of "$(init_pid c1)")" != "$(cgroup_of $$)" ] || { echo "the container is in the test's cgroup" >&2; false; }
        assert_cgroup_all_owned "$cg" "$(id -u):$(id -g)"
        return 0
    fi
    require_cgroup_delegation
    cgroup_mount_bundle ro
    nook_detached run -d -b "$B" c1
    assert_cgroup_owned "$V2$(cgroup_of "$(init_pid c1)")" 0:0
}

# delegated_files: the files of a cgroup a runtime hands over, as
# config-linux.md lists them: /sys/kernel/cgroup/delegate's, or the three
# without it.
delegated_files() {
    if [ -r /sys/kernel/cgroup/delegate ]; then
        cat /sys/kernel/cgroup/delegate
    else
        printf '%s\n' cgroup.procs cgroup.subtree_control cgroup.threads
    fi
}

# assert_cgroup_owned CGROUP-DIR UID:GID: the directory and the delegated
# files it has belong to UID:GID, and nothing else in it does.
assert_cgroup_owned() {
    local cg=$1 want=$2 f got
    [ "$(stat -c %u:%g "$cg")" = "$want" ] || { echo "$cg belongs to $(stat -c %u:%g "$cg"), not $want" >&2; return 1; }
    for f in $(delegated_files); do
        [ -e "$cg/$f" ] || continue
        got=$(stat -c %u:%g "$cg/$f")
        [ "$got" = "$want" ] || { echo "$cg/$f belongs to $got, not $want" >&2; return 1; }
    done
    # "The runtime SHOULD NOT change the ownership of any other files."
    for f in "$cg"/*; do
        delegated_files | grep -qx "${f##*/}" && continue
        got=$(stat -c %u:%g "$f")
        [ "$got" = 0:0 ] || { echo "$f, not a delegated file, belongs to $got" >&2; return 1; }
    done
}

# assert_cgroup_all_owned CGROUP UID:GID: the cgroup directory and every
# file in it belong to UID:GID (rootless: the caller, who made it).
assert_cgroup_all_owned() {
    local cg=$1 want=$2 f got
    [ -d "$cg" ] || { echo "no cgroup $cg" >&2; return 1; }
    for f in "$cg" "$cg"/*; do
        got=$(stat -c %u:%g "$f")
        [ "$got" = "$want" ] || { echo "$f belongs to $got, not $want" >&2; return 1; }
    done
}

# root_manages_cgroup: container c1 of bundle $B, whose root makes a
# child cgroup and moves itself into it (through a cgroup2 mount: on a
# hybrid host "cgroup" is the host's v1 tree, read-only).
root_manages_cgroup() {
    edit_config "$B" "c['process']['args'] = ['sh', '-c', 'mkdir /sys/fs/cgroup/child && echo \$\$ >/sys/fs/cgroup/child/cgroup.procs && grep ^0:: /proc/self/cgroup']
for m in c['mounts']:
    if m['destination'] == '/sys/fs/cgroup':
        m['type'] = 'cgroup2'"
    run nook run -b "$B" c1
    assert_status 0
    [ "$output" = "0::/child" ] || { echo "the container's root could not manage its cgroup: $output" >&2; false; }
}

# "Runtimes MAY, according to the following rules, change (or cause to be
# changed) the owner of the container's cgroup to the host uid that maps to
# the value of process.user.uid in the container namespace ... Runtimes
# SHOULD change the cgroup ownership if and only if the cgroup filesystem
# is to be mounted read/write ... A runtime that changes the cgroup
# ownership SHOULD only change the ownership of the container's cgroup
# directory and files within that directory that are listed in
# /sys/kernel/cgroup/delegate."
@test "config-linux.md#cgroup-ownership: with /sys/fs/cgroup read-write the cgroup is the container user's" {
    if [ "$NOOK_TEST_MODE" != root ]; then
        # Rootless, nook changes no cgroup's owner: the cgroup it makes in
        # the caller's delegation is the caller's, who is the container's
        # root, so for a container whose process.user is root the cgroup
        # is that user's already, and it manages it (a child, a move into
        # it, through a cgroup2 mount). For another process.user it stays
        # root's (the spec's "MAY": the caller could only hand it to one
        # of its subordinate ids from inside the container).
        require_cgroup_delegation
        cgroup_mount_bundle rw
        nook_detached run -d -b "$B" c1
        assert_cgroup_all_owned "$V2$(cgroup_of "$(init_pid c1)")" "$(id -u):$(id -g)"
        nook delete --force c1
        root_manages_cgroup
        edit_config "$B" 'c["process"]["user"] = {"uid": 7, "gid": 7}; c["process"]["args"] = ["sleep", "100"]'
        nook_detached run -d -b "$B" c2
        assert_cgroup_all_owned "$V2$(cgroup_of "$(init_pid c2)")" "$(id -u):$(id -g)"
        return 0
    fi
    require_cgroup_delegation
    cgroup_mount_bundle rw
    nook_detached run -d -b "$B" c1
    assert_cgroup_owned "$V2$(cgroup_of "$(init_pid c1)")" 200000:300000
    nook delete --force c1
    root_manages_cgroup

    # The host uid of process.user.uid, whoever that is.
    edit_config "$B" 'c["process"]["user"] = {"uid": 7, "gid": 7}; c["process"]["args"] = ["sleep", "100"]'
    nook_detached run -d -b "$B" c2
    assert_cgroup_owned "$V2$(cgroup_of "$(init_pid c2)")" 200007:300007
}

# free_char_major: a character device major no driver of this host has
# (from the ranges kept for local use), so that opening a node of it fails
# with ENXIO when allowed and EPERM when the device cgroup denies it.
free_char_major() {
    local m
    for m in 240 241 242 243 244 60 61 62 63 120 121 122 123; do
        sed -n '/^Character/,/^$/p' /proc/devices | awk '{ print $1 }' | grep -qx "$m" || { echo "$m"; return 0; }
    done
    return 1
}

# access_report: an in-container snippet that tries to read and write
# /dev/test-a, /dev/test-b, /dev/null and /dev/zero and prints "NAME r|w
# allowed|denied" (no driver behind a node: ENXIO, the access was allowed).
ACCESS_REPORT='for d in test-a test-b null zero; do
  for a in r w; do
    if [ $a = r ]; then out=$(head -c 1 /dev/$d 2>&1 >/dev/null); else out=$( (: >/dev/$d) 2>&1); fi
    case "$out" in *"not permitted"*) echo "$d $a denied" ;; *) echo "$d $a allowed" ;; esac
  done
done'

# "devices (array of objects, OPTIONAL) configures the allowed device list.
# The runtime MUST apply entries in the listed order."
# As with runc and crun, the devices every container must have (null,
# zero, full, random, urandom, tty, console, ptmx, the pty slaves; "the
# runtime MUST supply these devices") stay usable after the list, which
# engines start with "deny all".
@test "config-linux.md#allowed-device-list: the entries are applied in the listed order" {
    if [ "$NOOK_TEST_MODE" != root ]; then
        # Rootless, loading a device cgroup program needs CAP_SYS_ADMIN
        # over the host, so nook ignores the list and says nothing, as runc
        # and crun do (engines send a list with rootless bundles too, a
        # warning would come with each). The devices are the host's own
        # nodes, bound in: what the list would deny stays usable, and the
        # host's permissions decide (loop0 is root's on the host, refused
        # whatever the list allows).
        for d in /dev/net/tun /dev/loop0; do
            [ -e "$d" ] || skip "the host has no $d to bind"
        done
        make_bundle "$B" sh -c 'for d in net/tun null loop0; do
  for a in r w; do
    if [ $a = r ]; then out=$(head -c 1 /dev/$d 2>&1 >/dev/null); else out=$( (: >/dev/$d) 2>&1); fi
    case "$out" in *"not permitted"*) echo "$d $a denied" ;; *"ermission denied"*) echo "$d $a host-denied" ;; *) echo "$d $a allowed" ;; esac
  done
done'
        edit_config "$B" "c['linux']['devices'] = [
    {'path': '/dev/net/tun', 'type': 'c', 'major': 10, 'minor': 200},
    {'path': '/dev/loop0', 'type': 'b', 'major': 7, 'minor': 0}]"
        tun_access=allowed
        [ -r /dev/net/tun ] && [ -w /dev/net/tun ] || tun_access=host-denied
        for list in "{'allow': False, 'access': 'rwm'}, {'allow': False, 'type': 'c', 'major': 10, 'minor': 200, 'access': 'rwm'}" \
            "{'allow': True, 'access': 'rwm'}"; do
            edit_config "$B" "c['linux']['resources'] = {'devices': [$list]}"
            run nook run -b "$B" c1
            assert_status 0
            [ "$output" = "$(printf '%s\n' "net/tun r $tun_access" "net/tun w $tun_access" 'null r allowed' 'null w allowed' \
                'loop0 r host-denied' 'loop0 w host-denied')" ] || { echo "with [$list]: $output" >&2; false; }
        done
        return 0
    fi
    require_cgroup_delegation
    major=$(free_char_major) || skip "no free character device major on this host"
    make_bundle "$B" sh -c "$ACCESS_REPORT"
    edit_config "$B" "c['linux']['devices'] = [
    {'path': '/dev/test-a', 'type': 'c', 'major': $major, 'minor': 0, 'fileMode': 0o666},
    {'path': '/dev/test-b', 'type': 'c', 'major': $major, 'minor': 1, 'fileMode': 0o666}]"
    # Without a list (`nook spec` writes one that denies all), nothing is
    # denied.
    edit_config "$B" "c['linux'].pop('resources', None)"
    run nook run -b "$B" c0
    assert_status 0
    [ "$(echo "$output" | grep -c allowed)" = 8 ] || { echo "without a list: $output" >&2; false; }

    edit_config "$B" "c['linux']['resources'] = {'devices': [
    {'allow': True, 'access': 'rwm'},
    {'allow': False, 'access': 'rwm'},
    {'allow': True, 'type': 'c', 'major': $major, 'access': 'rw'},
    {'allow': False, 'type': 'c', 'major': $major, 'minor': 1, 'access': 'w'}]}"
    run nook run -b "$B" c1
    assert_status 0
    [ "$output" = "$(printf '%s\n' 'test-a r allowed' 'test-a w allowed' 'test-b r allowed' 'test-b w denied' \
        'null r allowed' 'null w allowed' 'zero r allowed' 'zero w allowed')" ] ||
        { echo "deny test-b's write last: $output" >&2; false; }

    # The same entries with the last two swapped: the allow, now last, wins.
    edit_config "$B" "d = c['linux']['resources']['devices']; d[2], d[3] = d[3], d[2]"
    run nook run -b "$B" c2
    assert_status 0
    [ "$(echo "$output" | grep -c allowed)" = 8 ] || { echo "allow test-b's write last: $output" >&2; false; }

    # "deny all" last: only the devices every container has are left.
    edit_config "$B" "c['linux']['resources']['devices'].append({'allow': False, 'access': 'rwm'})"
    run nook run -b "$B" c3
    assert_status 0
    [ "$output" = "$(printf '%s\n' 'test-a r denied' 'test-a w denied' 'test-b r denied' 'test-b w denied' \
        'null r allowed' 'null w allowed' 'zero r allowed' 'zero w allowed')" ] ||
        { echo "deny all last: $output" >&2; false; }
}

# ---- Sysctl -------------------------------------------------------------------

# "sysctl (object, OPTIONAL) allows kernel parameters to be modified at
# runtime for the container."
@test "config-linux.md#sysctl: the kernel parameters are set for the container, not the host" {
    make_bundle "$B" sh -c 'cat /proc/sys/kernel/msgmax /proc/sys/net/ipv4/ip_forward'
    edit_config "$B" 'if not any(n["type"] == "network" for n in c["linux"]["namespaces"]):
    c["linux"]["namespaces"].append({"type": "network"})
c["linux"]["sysctl"] = {"kernel.msgmax": "4321", "net.ipv4.ip_forward": "1"}'
    host_msgmax=$(cat /proc/sys/kernel/msgmax)
    run nook run -b "$B" c1
    assert_status 0
    [ "$output" = "$(printf '4321\n1')" ]
    [ "$(cat /proc/sys/kernel/msgmax)" = "$host_msgmax" ]
}

# "sysctl (object, OPTIONAL) allows kernel parameters to be modified at
# runtime for the container." (one that cannot be is an error: runtime.md,
# create)
@test "config-linux.md#sysctl: a parameter that cannot be set for this container is an error" {
    make_bundle "$B" true
    edit_config "$B" 'c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "network"]
c["linux"]["sysctl"] = {"net.ipv4.ip_forward": "1"}'
    nook_capture create -b "$B" c1
    [ "$status" -ne 0 ]
    assert_output_contains net.ipv4.ip_forward
    assert_no_leftovers c1 "$B"
}

# ---- Seccomp ------------------------------------------------------------------

# "defaultAction (string, REQUIRED) - the default action for seccomp. ...
# syscalls (array of objects, OPTIONAL) - match a syscall in seccomp. ...
# errnoRet ... If not specified its default value is EPERM."
@test "config-linux.md#seccomp: defaultAction and the syscall rules are the process's filter" {
    make_bundle "$B" sh -c 'grep ^Seccomp: /proc/self/status; mkdir /tmp/x 2>&1; ls -d / && echo ls-works'
    edit_config "$B" 'c["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_AARCH64"],
    "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}'
    run nook run -b "$B" c1
    assert_status 0
    [ "${lines[0]}" = "Seccomp:	2" ]
    assert_output_contains "Operation not permitted"
    assert_output_contains ls-works
}

# "errnoRet (uint, OPTIONAL) - the errno return code to use."
# "defaultErrnoRet (uint, OPTIONAL) - the errno return code to use."
@test "config-linux.md#seccomp: errnoRet and defaultErrnoRet choose the error returned" {
    make_bundle "$B" sh -c 'mkdir /tmp/x 2>&1; unshare -U true 2>&1; echo done'
    edit_config "$B" 's = c["linux"]["seccomp"]
s["defaultErrnoRet"] = 38
for rule in s["syscalls"]:
    rule["names"] = [n for n in rule["names"] if n not in ("mkdir", "mkdirat")]
s["syscalls"] = [rule for rule in s["syscalls"] if rule["names"]]
s["syscalls"].append({"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 28})'
    run nook run -b "$B" c1
    assert_status 0
    assert_output_contains "No space left on device"
    assert_output_contains "Function not implemented"
}

# "When the action doesn't support an errno, the runtime MUST print and
# error and fail."
@test "config-linux.md#seccomp: an errno on an action that has none is an error" {
    make_bundle "$B" true
    edit_config "$B" 'c["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_KILL", "errnoRet": 5}]}'
    nook_capture create -b "$B" c1
    [ "$status" -ne 0 ]
    assert_output_contains errnoRet
    assert_no_leftovers c1 "$B"
    edit_config "$B" 'c["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW", "defaultErrnoRet": 5}'
    nook_capture create -b "$B" c1
    [ "$status" -ne 0 ]
    assert_output_contains defaultErrnoRet
    assert_no_leftovers c1 "$B"
}

# "args (array of objects, OPTIONAL) - the specific syscall in seccomp. ...
# index ... value ... op (string, REQUIRED) - the operator for syscall
# arguments in seccomp."
@test "config-linux.md#seccomp: args conditions narrow a rule to the calls they match" {
    make_bundle "$B" sh -c 'touch /tmp/f; chmod 700 /tmp/f 2>&1 || echo 700-denied; chmod 755 /tmp/f && echo 755-allowed'
    edit_config "$B" 'c["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
    {"names": ["chmod"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 1, "value": 448, "op": "SCMP_CMP_EQ"}]},
    {"names": ["fchmodat"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 2, "value": 448, "op": "SCMP_CMP_EQ"}]}]}
c["mounts"].append({"destination": "/tmp", "type": "tmpfs", "source": "tmpfs"})'
    run nook run -b "$B" c1
    assert_status 0
    assert_output_contains 700-denied
    assert_output_contains 755-allowed
}

# "flags (array of strings, OPTIONAL) - list of flags to use with
# seccomp(2)."
@test "config-linux.md#seccomp: the flags are accepted and the filter still applies; an unknown flag is an error" {
    make_bundle "$B" sh -c 'mkdir /tmp/x 2>&1; echo done'
    edit_config "$B" 'c["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_TSYNC"],
    "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}'
    run nook run -b "$B" c1
    assert_status 0
    assert_output_contains "Operation not permitted"
    edit_config "$B" 'c["linux"]["seccomp"]["flags"] = ["SECCOMP_FILTER_FLAG_NOOK"]'
    nook_capture create -b "$B" c2
    [ "$status" -ne 0 ]
    assert_output_contains SECCOMP_FILTER_FLAG_NOOK
}

# start_agent SOCKET REPORT: a seccomp agent in python that listens on a
# SOCK_STREAM AF_UNIX socket, takes every connection for up to 3 seconds,
# reads each to its end with the fds that come with it, closes the fds
# (so that the notified syscalls fail with ENOSYS) and writes REPORT.
start_agent() {
    "$NOOK_PYTHON" - "$1" "$2" <<'PY' &
import array, json, os, socket, sys, time
path, report = sys.argv[1], sys.argv[2]
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path)
srv.listen(4)
srv.settimeout(20)
conns = []
deadline = None
while deadline is None or time.time() < deadline:
    try:
        if deadline is not None:
            srv.settimeout(max(0.01, deadline - time.time()))
        conn, _ = srv.accept()
    except socket.timeout:
        break
    data, fds, calls, eof = b"", [], 0, False
    conn.settimeout(5)
    while True:
        msg, anc, _, _ = conn.recvmsg(65536, socket.CMSG_SPACE(16 * 4))
        if not msg and not anc:
            eof = True
            break
        calls += 1
        for level, kind, payload in anc:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                got = array.array("i")
                got.frombytes(payload[: len(payload) - len(payload) % 4])
                fds.append([calls, len(got), os.readlink(f"/proc/self/fd/{got[0]}")])
                for fd in got:
                    os.close(fd)
        data += msg
    conns.append({"state": json.loads(data), "fds": fds, "eof": eof})
    deadline = time.time() + 3
json.dump(conns, open(report, "w"))
PY
    AGENT_PID=$!
    for _ in $(seq 100); do [ -S "$1" ] && return 0; sleep 0.05; done
    echo "the agent never listened on $1" >&2
    return 1
}

# "This socket MUST use AF_UNIX domain and SOCK_STREAM type. The runtime
# MUST send exactly one container process state per connection. The
# connection MUST NOT be reused and it MUST be closed after sending a
# seccomp state." "The runtime sends the following file descriptors using
# SCM_RIGHTS and set their names in the fds array of the container process
# state: seccompFd" "If more than one sendmsg(2) is used, the file
# descriptors MUST be sent only in the first call." "listenerMetadata ...
# This string will be sent as the metadata field"
@test "config-linux.md#seccomp: SCMP_ACT_NOTIFY sends one container process state and the seccomp fd over one closed connection" {
    sock=$BATS_TEST_TMPDIR/agent.sock
    start_agent "$sock" "$BATS_TEST_TMPDIR/agent.json"
    make_bundle "$B" sh -c 'sleep 1; mkdir /tmp/x 2>&1; echo done'
    edit_config "$B" "c['linux']['seccomp'] = {'defaultAction': 'SCMP_ACT_ALLOW', 'listenerPath': '$sock', 'listenerMetadata': 'conformance-metadata',
    'syscalls': [{'names': ['mkdir', 'mkdirat'], 'action': 'SCMP_ACT_NOTIFY'}]}"
    run nook run -b "$B" c1
    assert_status 0
    # The agent closed the listener it was given: the notified call fails.
    assert_output_contains "Function not implemented"
    wait "$AGENT_PID"
    AGENT_PID=
    "$NOOK_PYTHON" - "$BATS_TEST_TMPDIR/agent.json" "$B" <<'PY'
import json, sys
conns = json.load(open(sys.argv[1]))
assert len(conns) == 1, f"{len(conns)} connections: {conns}"
c = conns[0]
assert c["eof"], "the connection was not closed"
s = c["state"]
assert s["ociVersion"] and s["pid"] > 0 and s["fds"] == ["seccompFd"], s
assert s["metadata"] == "conformance-metadata", s
assert s["state"]["id"] == "c1" and s["state"]["bundle"] == sys.argv[2], s
assert len(c["fds"]) == 1 and c["fds"][0][0] == 1 and c["fds"][0][1] == 1, c["fds"]
assert c["fds"][0][2] == "anon_inode:seccomp notify", c["fds"]
PY
}

# "If sending to this socket fails, the runtime MUST generate an error."
@test "config-linux.md#seccomp: a listenerPath nothing listens on is an error when SCMP_ACT_NOTIFY is used" {
    make_bundle "$B" true
    edit_config "$B" "c['linux']['seccomp'] = {'defaultAction': 'SCMP_ACT_ALLOW', 'listenerPath': '$BATS_TEST_TMPDIR/nobody.sock',
    'syscalls': [{'names': ['mkdir'], 'action': 'SCMP_ACT_NOTIFY'}]}"
    nook_capture create -b "$B" c1
    [ "$status" -ne 0 ]
    assert_output_contains nobody.sock
    assert_no_leftovers c1 "$B"
}

# "If the SCMP_ACT_NOTIFY action is not used this value is ignored."
@test "config-linux.md#seccomp: listenerPath is ignored without SCMP_ACT_NOTIFY" {
    make_bundle "$B" sh -c 'mkdir /tmp/x 2>&1; echo done'
    edit_config "$B" "c['linux']['seccomp'] = {'defaultAction': 'SCMP_ACT_ALLOW', 'listenerPath': '$BATS_TEST_TMPDIR/nobody.sock',
    'syscalls': [{'names': ['mkdir', 'mkdirat'], 'action': 'SCMP_ACT_ERRNO'}]}"
    run nook run -b "$B" c1
    assert_status 0
    assert_output_contains "Operation not permitted"
    assert_output_contains done
}

# ---- Rootfs mount propagation -------------------------------------------------

# propagations PID: from the host, every mount of container process PID as
# its /proc/PID/mountinfo shows it (mount points as PID sees them), one
# line each: "MOUNTPOINT KIND PEER-GROUP", KIND one of private, shared,
# slave, shared+slave, unbindable; PEER-GROUP the shared:N number or "-".
propagations() {
    "$NOOK_PYTHON" - "/proc/$1/mountinfo" <<'PY'
import sys
for line in open(sys.argv[1]):
    fields = line.split()
    optional = fields[6:fields.index("-")]
    shared = [f.split(":")[1] for f in optional if f.startswith("shared:")]
    slave = any(f.startswith("master:") for f in optional)
    if "unbindable" in optional:
        kind = "unbindable"
    elif shared and slave:
        kind = "shared+slave"
    elif shared:
        kind = "shared"
    elif slave:
        kind = "slave"
    else:
        kind = "private"
    print(fields[4], kind, shared[0] if shared else "-")
PY
}

# root_propagation PID: the KIND of the container's "/" (propagations).
root_propagation() {
    propagations "$1" | awk '$1 == "/" { kind = $2 } END { print kind }'
}

# assert_every_mount PID KIND...: every mount of PID is of one of KINDS.
assert_every_mount() {
    local pid=$1 others
    shift
    others=$(propagations "$pid" | awk -v kinds=" $* " 'index(kinds, " " $2 " ") == 0')
    [ -z "$others" ] || { echo "mounts that are not $*: $others" >&2; return 1; }
}

# run_propagation VALUE: a container with rootfsPropagation VALUE, running,
# from a bundle of its own ($B); its pid in $pid.
run_propagation() {
    B=$BATS_TEST_TMPDIR/bundle-$1
    make_bundle "$B" sleep 100
    edit_config "$B" "c['linux']['rootfsPropagation'] = '$1'"
    nook_detached run -d -b "$B" "c-$1"
    pid=$(init_pid "c-$1")
}

# "rootfsPropagation (string, OPTIONAL) sets the rootfs's mount propagation.
# Its value is either shared, slave, private or unbindable. ... shared: the
# rootfs mount belongs to a new peer group. This means that further mounts
# (e.g. nested containers) will also belong to that peer group and will
# propagate events to the rootfs. Note this does not mean that it's shared
# with the host."
# (rshared: the same for every mount below the rootfs.)
@test "config-linux.md#rootfs-mount-propagation: shared and rshared put the rootfs in a new peer group, not the host's" {
    host_groups=" $(grep -o 'shared:[0-9]*' /proc/self/mountinfo | cut -d: -f2 | sort -u | tr '\n' ' ') "
    for value in shared rshared; do
        run_propagation "$value"
        [ "$(root_propagation "$pid")" = shared ] ||
            { echo "$value: the rootfs is $(root_propagation "$pid"): $(propagations "$pid")" >&2; false; }
        group=$(propagations "$pid" | awk '$1 == "/" { g = $3 } END { print g }')
        [[ "$host_groups" != *" $group "* ]] || { echo "$value: the rootfs is in the host's peer group $group" >&2; false; }
        [ "$value" = shared ] || assert_every_mount "$pid" shared shared+slave
    done
}

# "private: the rootfs mount doesn't receive mount propagation events from
# the host and further mounts in nested containers will be isolated from
# the host mount."
# (rprivate: the same for every mount below the rootfs.)
@test "config-linux.md#rootfs-mount-propagation: private and rprivate make the rootfs private" {
    for value in private rprivate; do
        run_propagation "$value"
        [ "$(root_propagation "$pid")" = private ] ||
            { echo "$value: the rootfs is $(root_propagation "$pid"): $(propagations "$pid")" >&2; false; }
        [ "$value" = private ] || assert_every_mount "$pid" private
    done
    # Without rootfsPropagation the rootfs is private too (nook's choice).
    B=$BATS_TEST_TMPDIR/bundle-default
    make_bundle "$B" sleep 100
    nook_detached run -d -b "$B" c-default
    [ "$(root_propagation "$(init_pid c-default)")" = private ]
}

# "unbindable: the rootfs mount is a private mount that cannot be
# bind-mounted."
# (runbindable: the same for every mount below the rootfs.)
@test "config-linux.md#rootfs-mount-propagation: unbindable and runbindable make the rootfs an unbindable private mount" {
    for value in unbindable runbindable; do
        run_propagation "$value"
        [ "$(root_propagation "$pid")" = unbindable ] ||
            { echo "$value: the rootfs is $(root_propagation "$pid"): $(propagations "$pid")" >&2; false; }
        [ "$value" = unbindable ] || assert_every_mount "$pid" unbindable
    done
}

# "slave: the rootfs mount receives propagation events from the host (e.g.
# if something is mounted on the host it will also appear in the
# container) but not the other way around."
# (rslave: the same for every mount below the rootfs; and "private: the
# rootfs mount doesn't receive mount propagation events from the host")
@test "config-linux.md#rootfs-mount-propagation: slave and rslave receive what the host mounts in the rootfs, private does not" {
    make_bundle "$B" true
    private_rootfs
    launch=(unshare --mount --propagation unchanged)
    if [ "$NOOK_TEST_MODE" != root ]; then
        # Rootless, the test cannot make the host's mounts shared for the
        # rootfs to follow. It plays the host as root of a user namespace
        # of its own (as_userns_root), where it can, and starts nook there,
        # as rootless podman does: the same checks.
        launch=(as_userns_root)
        root_style_config
    fi
    # In the container: whether the host's mount arrives, the optional
    # fields of "/", and how many of its mounts are shared.
    cat >"$B/rootfs/probe.sh" <<'PROBE'
for i in $(seq 30); do [ -e /home/from-host ] && break; usleep 50000; done
[ -e /home/from-host ] && echo received || echo nothing
awk '$5 == "/" { for (i = 7; $i != "-"; i++) print $i }' /proc/self/mountinfo
echo "shared mounts: $(grep -c ' shared:' /proc/self/mountinfo)"
PROBE
    # As on a host where systemd made / shared, in a mount namespace of the
    # test's own: the container is started, the host mounts a tmpfs on the
    # rootfs's /home, and the container reports whether it sees it.
    cat >"$BATS_TEST_TMPDIR/host.sh" <<HOST
set -e
mount --make-rshared /
"$NOOK" --root "$NOOK_ROOT" run -d -b "$B" "\$1" </dev/null >"$BATS_TEST_TMPDIR/\$1.out" 2>&1
mount -t tmpfs from-host "$B/rootfs/home"
touch "$B/rootfs/home/from-host"
for i in \$(seq 50); do
    "$NOOK" --root "$NOOK_ROOT" state "\$1" | grep -q '"stopped"' && break
    sleep 0.1
done
umount "$B/rootfs/home"
HOST
    for value in slave rslave private; do
        edit_config "$B" "c['linux']['rootfsPropagation'] = '$value'; c['process']['args'] = ['sh', '/probe.sh']"
        run "${launch[@]}" bash "$BATS_TEST_TMPDIR/host.sh" "c-$value"
        assert_status 0
        output=$(cat "$BATS_TEST_TMPDIR/c-$value.out")
        [ "$(state_get "c-$value" status)" = stopped ]
        if [ "$value" = private ]; then
            [ "$(echo "$output" | head -n1)" = nothing ] ||
                { echo "private: the host's mount reached the container: $output" >&2; false; }
            continue
        fi
        [ "$(echo "$output" | head -n1)" = received ] ||
            { echo "$value: what the host mounted on the rootfs's /home never reached the container: $output" >&2; false; }
        [[ "$output" == *master:* ]] || { echo "$value: the rootfs is no slave: $output" >&2; false; }
        # "... but not the other way around": nothing the container mounts
        # travels back, for no mount of it is shared.
        [[ "$output" == *"shared mounts: 0"* ]] || { echo "$value: shared mounts in the container: $output" >&2; false; }
    done
}

# ---- Masked and read-only paths ---------------------------------------------

# "maskedPaths (array of strings, OPTIONAL) will mask over the provided
# paths inside the container so that they cannot be read."
@test "config-linux.md#masked-paths: masked files and directories cannot be read" {
    make_bundle "$B" sh -c 'echo "file [$(cat /etc/passwd)]"; echo "dir [$(ls -A /etc)]"; echo "kcore [$(head -c 16 /proc/kcore | wc -c)]"; touch /etc/x 2>&1 || echo dir-unwritable'
    private_rootfs
    edit_config "$B" 'c["root"]["readonly"] = False; c["linux"]["maskedPaths"] = ["/etc/passwd", "/etc", "/proc/kcore", "/no/such/path"]'
    run nook run -b "$B" c1
    assert_status 0
    assert_output_contains "file []"
    assert_output_contains "dir []"
    assert_output_contains "kcore [0]"
    assert_output_contains dir-unwritable
}

# "readonlyPaths (array of strings, OPTIONAL) will set the provided paths
# as readonly inside the container."
@test "config-linux.md#readonly-paths: the paths are read-only, and still readable" {
    make_bundle "$B" sh -c 'cat /proc/sys/kernel/ostype; echo x >/proc/sys/kernel/domainname 2>&1 || echo sys-unwritable
cat /run/data/file; touch /run/data/new 2>&1 || echo data-unwritable; touch /run/other && echo other-writable'
    mkdir "$BATS_TEST_TMPDIR/data"
    echo readable >"$BATS_TEST_TMPDIR/data/file"
    add_mount '{"destination": "/run", "type": "tmpfs", "source": "tmpfs"}' \
        '{"destination": "/run/data", "source": "'"$BATS_TEST_TMPDIR"'/data", "options": ["rbind"]}'
    edit_config "$B" 'c["linux"]["readonlyPaths"] = ["/proc/sys", "/run/data"]'
    run nook run -b "$B" c1
    assert_status 0
    assert_output_contains Linux
    assert_output_contains sys-unwritable
    assert_output_contains readable
    assert_output_contains data-unwritable
    assert_output_contains other-writable
    [ ! -e "$BATS_TEST_TMPDIR/data/new" ]
}

# ---- Personality ----------------------------------------------------------------

# "domain (string, REQUIRED) - the execution domain. The valid list of
# constants is shown below. LINUX32 will set the uname system call to show
# a 32 bit CPU type, such as i686."
@test "config-linux.md#personality: LINUX32 shows a 32-bit machine, LINUX the native one" {
    case "$(uname -m)" in
    x86_64) want=i686 ;;
    aarch64) want=armv8l ;;
    *) skip "no 32-bit personality known for $(uname -m)" ;;
    esac
    make_bundle "$B" uname -m
    edit_config "$B" 'c["linux"]["personality"] = {"domain": "LINUX32"}'
    run nook run -b "$B" c1
    assert_status 0
    [ "$output" = "$want" ]
    edit_config "$B" 'c["linux"]["personality"] = {"domain": "LINUX"}'
    run nook run -b "$B" c2
    assert_status 0
    [ "$output" = "$(uname -m)" ]
}

# "domain ... The valid list of constants is shown below. ... flags (array
# of strings, OPTIONAL) - the additional flags to apply. Currently no flag
# values are supported." (config.md: "Runtimes MUST generate an error when
# invalid or unsupported values are encountered.")
@test "config-linux.md#personality: another domain, or any flag, is an error" {
    make_bundle "$B" true
    edit_config "$B" 'c["linux"]["personality"] = {"domain": "SVR4"}'
    nook_capture create -b "$B" c1
    [ "$status" -ne 0 ]
    assert_output_contains SVR4
    edit_config "$B" 'c["linux"]["personality"] = {"domain": "LINUX", "flags": ["ADDR_NO_RANDOMIZE"]}'
    nook_capture create -b "$B" c1
    [ "$status" -ne 0 ]
    assert_output_contains ADDR_NO_RANDOMIZE
    assert_no_leftovers c1 "$B"
}

# ---- Offset for the time namespace ------------------------------------------

# "timeOffsets (object, OPTIONAL) sets the offset for Time Namespace."
@test "config-linux.md#offset-for-time-namespace: timeOffsets are the container's clock offsets" {
    [ -e /proc/self/timens_offsets ] || skip "this kernel has no time namespaces"
    make_bundle "$B" cat /proc/self/timens_offsets
    edit_config "$B" 'c["linux"]["namespaces"].append({"type": "time"})
c["linux"]["timeOffsets"] = {"monotonic": {"secs": 86400, "nanosecs": 5}, "boottime": {"secs": 3600}}'
    run nook run -b "$B" c1
    assert_status 0
    [ "$(echo "$output" | awk '$1 == "monotonic" { print $2, $3 }')" = "86400 5" ]
    [ "$(echo "$output" | awk '$1 == "boottime" { print $2, $3 }')" = "3600 0" ]
}
