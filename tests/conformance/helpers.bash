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

# skip_rootless REASON: a requirement only a privileged runtime can meet on
# this host (creating a device node, a namespace it does not own); it runs
# in the root mode and is skipped rootless, saying why.
skip_rootless() {
    [ "$NOOK_TEST_MODE" = root ] || skip "rootless: $1"
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
