# helpers.bash: shared setup for nook's bats integration tests.
# Environment from meson: NOOK (the binary), NOOK_SOURCE_ROOT, NOOK_BUILD_ROOT,
# NOOK_BUNDLE_ROOTFS (busybox rootfs), NOOK_TEST_MODE (rootless|root).

: "${NOOK:?run the integration tests through meson test}"

# Every test gets its own state root so tests never see each other.
common_setup() {
    NOOK_ROOT=$BATS_TEST_TMPDIR/state
    mkdir -p "$NOOK_ROOT"
}

# nook with the test's private --root.
nook() {
    "$NOOK" --root "$NOOK_ROOT" "$@"
}

require_rootless() {
    [ "$NOOK_TEST_MODE" = rootless ] || skip "a rootless-only case"
}

require_root() {
    [ "$NOOK_TEST_MODE" = root ] || skip "a root-only case"
}

# Fail with what was expected and what came out.
assert_output_contains() {
    if [[ "$output" != *"$1"* ]]; then
        echo "expected output to contain: $1" >&2
        echo "actual output: $output" >&2
        return 1
    fi
}

assert_status() {
    if [ "$status" -ne "$1" ]; then
        echo "expected exit status $1, got $status; output: $output" >&2
        return 1
    fi
}

# python3 may be a slow launcher (pyenv shims cost about a second a call);
# call this from setup_file to resolve the interpreter once per file. Tests
# then run "${NOOK_PYTHON:-python3}".
export_python() {
    NOOK_PYTHON=$(python3 -c 'import sys; print(sys.executable)') && export NOOK_PYTHON
}

# make_bundle DIR [ARGS...]: a bundle in DIR (created if missing) whose
# config.json is `nook spec` output for the current mode, with root.path
# the shared busybox rootfs ($NOOK_BUNDLE_ROOTFS, read-only), terminal
# false, and process.args ARGS (default: sh).
make_bundle() {
    local dir=$1
    shift
    mkdir -p "$dir" || return 1
    "$NOOK" spec -b "$dir" || return 1
    "${NOOK_PYTHON:-python3}" - "$dir/config.json" "$NOOK_BUNDLE_ROOTFS" "$@" <<'PY' || return 1
import json, sys
path, rootfs, args = sys.argv[1], sys.argv[2], sys.argv[3:]
with open(path) as f:
    config = json.load(f)
config["root"]["path"] = rootfs
config["process"]["terminal"] = False
if args:
    config["process"]["args"] = args
with open(path, "w") as f:
    json.dump(config, f, indent="\t")
    f.write("\n")
PY
}

# edit_config DIR PYTHON...: run python statements on DIR/config.json's
# object, bound to `c`, and write it back. Example:
#   edit_config "$B" 'c["process"]["cwd"] = "/nope"'
edit_config() {
    local dir=$1
    shift
    "${NOOK_PYTHON:-python3}" - "$dir/config.json" "$*" <<'PY'
import json, sys
path, code = sys.argv[1], sys.argv[2]
with open(path) as f:
    c = json.load(f)
exec(code)
with open(path, "w") as f:
    json.dump(c, f, indent="\t")
    f.write("\n")
PY
}

# assert_no_leftovers ID BUNDLE: nothing of container ID remains: no state
# directory, no process started for it, no mount of its rootfs on the host.
assert_no_leftovers() {
    local id=$1 bundle=$2
    if [ -e "$NOOK_ROOT/$id" ]; then
        echo "state directory $NOOK_ROOT/$id is left behind" >&2
        return 1
    fi
    if pgrep -f -- "$NOOK_ROOT.* $id\$" >/dev/null; then
        echo "a process of container $id is left behind: $(pgrep -af -- "$NOOK_ROOT.* $id\$")" >&2
        return 1
    fi
    if grep -q -- "$bundle" /proc/self/mountinfo; then
        echo "a mount under $bundle is left on the host" >&2
        return 1
    fi
    local v2 top left
    if v2=$(cgroup_v2_root) && top=$(cgroup_delegated_top); then
        # The cgroups nook names after an id, in the subtree this caller
        # may write (another user's are not this test's): <delegation>/
        # nook-ID, /nook/ID (root), nook-ID.scope (systemd).
        left=$(find "$v2${top%/}" -maxdepth 8 -type d \( -name "nook-$id" -o -name "nook-$id.scope" \
            -o -path "$v2/nook/$id" \) 2>/dev/null)
        if [ -n "$left" ]; then
            echo "a cgroup of container $id is left behind: $left" >&2
            return 1
        fi
    fi
}

# cgroup_v2_root: the mount point of the cgroup v2 hierarchy; status 1
# when there is none.
cgroup_v2_root() {
    local dir
    for dir in /sys/fs/cgroup /sys/fs/cgroup/unified; do
        if [ "$(stat -f -c %T "$dir" 2>/dev/null)" = cgroup2fs ]; then
            echo "$dir"
            return 0
        fi
    done
    return 1
}

# cgroup_delegated_top: the cgroup v2 subtree nook's cgroupfs manager makes
# cgroups in, as a path inside the hierarchy: "/" for root; rootless, the
# topmost cgroup at or above this process's own whose directory and
# cgroup.procs the caller owns. Status 1 when there is none.
cgroup_delegated_top() {
    local v2 cur top=
    v2=$(cgroup_v2_root) || return 1
    if [ "$NOOK_TEST_MODE" = root ]; then
        echo /
        return 0
    fi
    cur=$(sed -n 's/^0:://p' /proc/self/cgroup)
    while [ -O "$v2${cur%/}" ] && [ -O "$v2${cur%/}/cgroup.procs" ]; do
        top=$cur
        [ "$cur" = / ] && break
        cur=${cur%/*}
        cur=${cur:-/}
    done
    [ -n "$top" ] && echo "$top"
}

# require_cgroup_delegation: skip a test that needs nook's cgroupfs manager
# (a cgroup v2 subtree the caller may write), saying why it is missing.
require_cgroup_delegation() {
    cgroup_v2_root >/dev/null || skip "this host has no cgroup v2 hierarchy"
    cgroup_delegated_top >/dev/null ||
        skip "no cgroup v2 subtree is delegated to $(id -un) (run meson test as root after tests/setup-test-user.sh, or inside a systemd user session)"
}

# cgroup_available CONTROLLER: whether the cgroup v2 controller can be
# used below the delegation (it is in the top's cgroup.controllers).
cgroup_available() {
    local v2 top
    v2=$(cgroup_v2_root) && top=$(cgroup_delegated_top) || return 1
    grep -qw -- "$1" "$v2${top%/}/cgroup.controllers"
}

# wait_for_status ID STATUS: poll `nook state` for up to 10 seconds.
wait_for_status() {
    local id=$1 want=$2 i
    for i in $(seq 100); do
        if nook state "$id" 2>/dev/null | grep -q "\"status\": \"$want\""; then
            return 0
        fi
        sleep 0.1
    done
    echo "container $id never reached status $want: $(nook state "$id" 2>&1)" >&2
    return 1
}

# nook_detached ARGS...: a nook command that leaves a container behind
# (create, run --detach). The container inherits stdio, so it gets files of
# its own instead of bats' pipes, which bats would otherwise wait on.
nook_detached() {
    nook "$@" </dev/null >>"$BATS_TEST_TMPDIR/container.out" 2>>"$BATS_TEST_TMPDIR/container.err"
}

# nook_capture ARGS...: like bats' `run nook ARGS...` (sets status, output
# and lines) for commands that may leave a container holding stdio: the
# output goes through a file, so nothing waits for the container to exit.
nook_capture() {
    local file=$BATS_TEST_TMPDIR/capture.$$.$RANDOM
    status=0
    nook "$@" </dev/null >"$file" 2>&1 || status=$?
    output=$(cat "$file")
    mapfile -t lines <"$file"
}

# common_teardown: force-delete whatever containers a test left behind
# (a failing test stops half way), so no process outlives its test.
common_teardown() {
    local id
    for id in $("$NOOK" --root "$NOOK_ROOT" list -q 2>/dev/null); do
        "$NOOK" --root "$NOOK_ROOT" delete --force "$id" >/dev/null 2>&1 || true
    done
}

# require_user_manager: skip a test that needs the systemd user manager
# tests/setup-user-manager.sh starts (run-in-user-manager.sh runs the file
# next to it), saying why it is missing.
require_user_manager() {
    [ "${NOOK_IN_USER_MANAGER:-}" = 1 ] ||
        skip "no systemd user manager was started for this run (run-in-user-manager.sh does, as root)"
}
