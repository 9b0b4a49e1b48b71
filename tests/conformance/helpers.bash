# helpers.bash: what the conformance tests share, on top of the integration
# tests' helpers (make_bundle, edit_config, nook, nook_capture, ...).
# Every conformance test is named "<spec file>#<section>: <what it checks>"
# and quotes the sentence of the OCI runtime-spec (v1.2.0, the version
# `nook spec` writes) it checks in a comment above it; table.py groups the
# results by that name.

load ../integration/helpers

conformance_setup() {
    common_setup
    B=$BATS_TEST_TMPDIR/bundle
}

# json_get KEY < JSON: one top-level field of a JSON object, as JSON text
# for objects and lists, as it is for strings and numbers, "None" if absent.
json_get() {
    "${NOOK_PYTHON:-python3}" -c '
import json, sys
v = json.load(sys.stdin).get(sys.argv[1])
print(json.dumps(v, sort_keys=True) if isinstance(v, (dict, list)) else v)' "$1"
}

# state_get ID KEY: one field of `nook state ID`.
state_get() {
    nook state "$1" | json_get "$2"
}

# init_pid ID: the container process's pid on the host, from `nook state`.
init_pid() {
    state_get "$1" pid
}

# ns_of PID TYPE: the namespace of TYPE (net, mnt, ...) PID is in.
ns_of() {
    readlink "/proc/$1/ns/$2"
}

# in_container_ns PID NSENTER-FLAGS... -- COMMAND...: run a host COMMAND in
# some namespaces of container process PID, entering its user namespace
# first when it has one of its own (rootless, the caller owns it).
in_container_ns() {
    local pid=$1
    shift
    local user=()
    [ "$(ns_of "$pid" user)" = "$(ns_of $$ user)" ] || user=(-U)
    nsenter -t "$pid" "${user[@]}" "$@"
}

# wait_for_file FILE: poll for up to 10 seconds until FILE exists.
wait_for_file() {
    local i
    for i in $(seq 100); do
        [ -e "$1" ] && return 0
        sleep 0.1
    done
    echo "$1 never appeared" >&2
    return 1
}

# private_rootfs: give $B a writable copy of the busybox rootfs of its own
# ($B/rootfs), for tests that put files into the container's tree.
private_rootfs() {
    cp -a "$NOOK_BUNDLE_ROOTFS" "$B/rootfs" &&
        edit_config "$B" 'c["root"]["path"] = "rootfs"'
}

# add_mount JSON...: append mounts (JSON objects) to $B/config.json.
add_mount() {
    local m
    for m in "$@"; do
        edit_config "$B" "c['mounts'].append(json.loads('''$m'''))" || return 1
    done
}

# mountinfo_line MOUNTPOINT: the last line for MOUNTPOINT in a mountinfo
# printed into $output.
mountinfo_line() {
    echo "$output" | awk -v mp="$1" '$5 == mp { line = $0 } END { print line }'
}

# mount_opts MOUNTPOINT: the per-mount options of MOUNTPOINT (field 6) in a
# mountinfo printed into $output.
mount_opts() {
    mountinfo_line "$1" | awk '{ print $6 }'
}

# has_opt LIST OPTION: whether the comma-separated LIST holds OPTION.
has_opt() {
    [[ ",$1," == *",$2,"* ]]
}

# subid_start NAME FILE: the first subordinate id of NAME in FILE
# (/etc/subuid, /etc/subgid), or nothing.
subid_start() {
    grep "^$1:" "$2" 2>/dev/null | head -n1 | cut -d: -f2
}

# cap_mask NAME...: the capability set holding NAMES, as the 16 hex digits
# /proc/PID/status prints.
cap_mask() {
    "${NOOK_PYTHON:-python3}" - "$@" <<'PY'
import sys
numbers = {"CAP_CHOWN": 0, "CAP_DAC_OVERRIDE": 1, "CAP_FOWNER": 3, "CAP_KILL": 5,
           "CAP_SETGID": 6, "CAP_SETUID": 7, "CAP_NET_BIND_SERVICE": 10,
           "CAP_NET_RAW": 13, "CAP_SYS_CHROOT": 18, "CAP_SYS_ADMIN": 21,
           "CAP_MKNOD": 27, "CAP_AUDIT_WRITE": 29}
mask = 0
for name in sys.argv[1:]:
    mask |= 1 << numbers[name]
print(f"{mask:016x}")
PY
}

# assert_process_gone PID: the process has ended; a zombie its new parent
# has not reaped yet counts as ended. (`! kill -0 PID` would not do: bats
# does not fail a test on a negated command, and a zombie takes signals.)
assert_process_gone() {
    local state
    [ -e "/proc/$1" ] || return 0
    state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
    [ -z "$state" ] || [ "$state" = Z ] || [ "$state" = X ] ||
        { echo "process $1 is still alive (state $state: $(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null))" >&2; return 1; }
}

# as_userns_root COMMAND...: run COMMAND as root of a user namespace of the
# test's own, with a mount namespace of its own (`unshare -r -m`: one id
# mapped, the caller's), as rootless podman starts its runtime. Rootless
# tests use it to play a host that has what an unprivileged user cannot
# make on the real one (a shared mount for a slave to follow); nook started
# there is still unprivileged on the host.
as_userns_root() {
    unshare --user --map-root-user --mount --propagation unchanged "$@"
}

# root_style_config: $B without a user namespace or id mappings, as a
# bundle for root of a user namespace is written (nook then makes no user
# namespace of its own: the container is root there, as root on a host).
root_style_config() {
    edit_config "$B" 'c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "user"]
c["linux"].pop("uidMappings", None)
c["linux"].pop("gidMappings", None)'
}

# own_tree [OPTIONS-JSON]: mounts for $B (with make_bundle's rootfs) that
# give the container a tree of mounts of its own: a tmpfs at /run, one at
# /run/src and one at /run/src/sub, the last two with OPTIONS (a JSON list
# body, e.g. '"nosuid"'). TREE is then a bind source that reaches
# /run/src: nook reads a bind's source in the container's mount namespace
# before pivot_root, with the rootfs bound onto itself. Those mounts are
# the container's own, not locked in its user namespace as the host's are,
# so rootless tests can bind them without their submounts and change their
# flags.
own_tree() {
    local opts=${1:-}
    TREE=$NOOK_BUNDLE_ROOTFS/run/src
    add_mount '{"destination": "/run", "type": "tmpfs", "source": "tmpfs"}' \
        '{"destination": "/run/src", "type": "tmpfs", "source": "tmpfs", "options": ['"$opts"']}' \
        '{"destination": "/run/src/sub", "type": "tmpfs", "source": "tmpfs", "options": ['"$opts"']}'
}

# submount_source: mounts for $B: a tmpfs at /run, and SRC, a bind source
# with a submount at SRC/SUB: the host's /dev and its /dev/pts where the
# host has that submount, else a tree of the container's own (own_tree).
submount_source() {
    if grep -q ' /dev/pts ' /proc/self/mountinfo; then
        SRC=/dev SUB=pts
        add_mount '{"destination": "/run", "type": "tmpfs", "source": "tmpfs"}'
    else
        own_tree && SRC=$TREE SUB=sub
    fi
}

# create_refused_one_line WANT...: `nook create` of bundle $B as c1 fails
# with one line that contains every WANT, and leaves nothing behind.
create_refused_one_line() {
    nook_capture create -b "$B" c1
    [ "$status" -ne 0 ]
    [ "${#lines[@]}" -eq 1 ] || { echo "not one line: $output" >&2; false; }
    local want
    for want in "$@"; do
        assert_output_contains "$want"
    done
    assert_no_leftovers c1 "$B"
}
