#!/usr/bin/env bats
# nested-userns.bats: nook started as root of a user namespace that is not
# the initial one, as rootless podman (and `podman unshare`, buildah
# unshare) start it: euid 0, but the host's /run, cgroups and device
# numbers are out of reach. `unshare -r` makes such a namespace here (one
# id mapped, the caller's). nook must act as root for the container (no
# user namespace of its own for a root-style bundle) while keeping to the
# user's runtime directory, binding device nodes and taking devpts
# without an unmapped gid, as runc and crun do there.

load helpers

setup() {
    common_setup
    command -v unshare >/dev/null || skip "unshare (util-linux) is not installed"
    unshare -r true 2>/dev/null || skip "this host does not let $(id -un) make a user namespace"
    B=$BATS_TEST_TMPDIR/bundle
    # A runtime directory of the test's own, as podman's XDG_RUNTIME_DIR.
    XDG=$BATS_TEST_TMPDIR/xdg
    mkdir -m 0700 "$XDG"
}

teardown() {
    local id
    for id in $("$NOOK" --root "$XDG/nook" list -q 2>/dev/null); do
        unshare -r env XDG_RUNTIME_DIR="$XDG" USER=tester "$NOOK" delete --force "$id" >/dev/null 2>&1 || true
    done
    common_teardown
}

# root_style_bundle ARGS...: a bundle in $B running ARGS, as podman
# writes it for its own namespace: no user namespace and no maps; devpts
# keeps its gid=5, which the namespace does not map.
root_style_bundle() {
    make_bundle "$B" "$@" || return 1
    edit_config "$B" '
c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "user"]
c["linux"].pop("uidMappings", None)
c["linux"].pop("gidMappings", None)
for m in c["mounts"]:
    if m["destination"] == "/dev/pts" and not any(o.startswith("gid=") for o in m["options"]):
        m["options"].append("gid=5")'
}

SHOW='id -u; cat /proc/self/uid_map; ls -ln /dev/null; echo x > /dev/null && echo null-writable; test -c /dev/pts/ptmx && echo devpts'

# in_userns ARGS...: nook as root of a new user namespace, with the
# test's runtime directory and a user name that is not root.
in_userns() {
    unshare -r env XDG_RUNTIME_DIR="$XDG" USER=tester "$NOOK" "$@"
}

@test "root of a user namespace: a root-style bundle runs as root, no user namespace of nook's own" {
    root_style_bundle sh -c "$SHOW"
    run in_userns run -b "$B" c1
    assert_status 0
    # uid 0, and the same single-id map as the namespace nook was started
    # in: the container did not get one of its own.
    [ "${lines[0]}" = 0 ] || { echo "output: $output" >&2; return 1; }
    [[ "${lines[1]}" =~ ^\ *0\ +$(id -u)\ +1$ ]] || { echo "uid_map: ${lines[1]}" >&2; return 1; }
    assert_output_contains null-writable
    assert_output_contains devpts
}

@test "root of a user namespace: the device nodes are the host's, bound" {
    root_style_bundle sh -c "$SHOW"
    run in_userns run -b "$B" c1
    assert_status 0
    # Major 1, minor 3: /dev/null itself, bound (mknod is refused there).
    [[ "${lines[2]}" =~ ^crw.*\ 1,\ +3\  ]] || { echo "ls: ${lines[2]}" >&2; return 1; }
}

@test "root of a user namespace: the state goes to \$XDG_RUNTIME_DIR/nook, not /run/nook" {
    root_style_bundle sleep 100
    in_userns run -d -b "$B" c1 </dev/null >"$BATS_TEST_TMPDIR/c1.out" 2>&1
    [ -f "$XDG/nook/c1/state.json" ] || { echo "no state in $XDG/nook: $(cat "$BATS_TEST_TMPDIR/c1.out")" >&2; return 1; }
    run "$NOOK" --root "$XDG/nook" state c1
    assert_status 0
    assert_output_contains '"status": "running"'
    run in_userns delete --force c1
    assert_status 0
    [ ! -e "$XDG/nook/c1" ] || { echo "state left in $XDG/nook/c1" >&2; return 1; }
    assert_no_leftovers c1 "$B"
}

@test "root of a user namespace with USER=root keeps root's /run/nook, as runc does" {
    require_rootless
    root_style_bundle true
    run unshare -r env XDG_RUNTIME_DIR="$XDG" USER=root "$NOOK" run -b "$B" c1
    [ "$status" -ne 0 ]
    assert_output_contains '"/run/nook"'
    [ ! -e "$XDG/nook" ] || { echo "$XDG/nook was used" >&2; return 1; }
}
