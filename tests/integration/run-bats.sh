#!/bin/bash
# run-bats.sh: run one bats file for meson (TAP on stdout) in one mode.
#   rootless: as the caller when not root; as the test user when root.
#   root:     only when started as root (the root-mode cases); skipped otherwise.
# Usage: [NOOK_BATS_FILTER=REGEX] run-bats.sh rootless|root FILE.bats
set -u

# Internal, for in_own_cgroup below: in the new cgroup and mount
# namespaces, mount cgroup2 anew (it then shows the namespace's root as
# the hierarchy's), enter the leaf and run the command.
if [ "${1:-}" = --in-cgroupns ]; then
    v2=$2 leaf=$3
    shift 3
    umount -l "$v2" && mount -t cgroup2 cgroup2 "$v2" && echo $$ > "$v2/$leaf/cgroup.procs" || exit 125
    # What the parent offers reaches the delegation, as systemd's
    # Delegate=yes passes a unit's controllers on.
    for controller in $(cat "$v2/cgroup.controllers"); do
        echo "+$controller" > "$v2/cgroup.subtree_control"
    done 2>/dev/null
    exec "$@"
fi

mode=$1
file=$2
bats_args=(--tap)
# By hand: only the tests whose names match (bats --filter).
if [ -n "${NOOK_BATS_FILTER:-}" ]; then
    bats_args+=(--filter "$NOOK_BATS_FILTER")
fi

bail() {
    echo "Bail out! $*"
    exit 1
}

# The mount point of the cgroup v2 hierarchy, or nothing.
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

# in_own_cgroup PARENT OWNER COMMAND...: as root, run COMMAND in a cgroup
# subtree of its own below PARENT (a cgroup v2 directory), in a cgroup
# namespace rooted there with cgroup2 mounted anew in a private mount
# namespace: nook then sees that subtree as the whole hierarchy. Bats files
# run in parallel and reuse container ids ("c1"), and a container's default
# cgroup is named after its id (<delegation>/nook-<id>, /nook/<id> for
# root): each file needs a hierarchy of its own.
# With an OWNER, the hierarchy's root stays root's and OWNER gets "/user"
# below it as a delegation (the directory and the files that move
# processes and enable controllers are OWNER's), as systemd delegates a
# subtree of a hierarchy it keeps; COMMAND runs in its leaf
# "/user/runner". Without, COMMAND runs in "/runner".
# Afterwards whatever a failed test left is killed and the subtree removed.
in_own_cgroup() {
    local parent=$1 owner=$2
    shift 2
    local v2 sub status leaf=runner controller cg i
    v2=$(cgroup_v2_root) || return 1
    for controller in $(cat "$parent/cgroup.controllers"); do
        echo "+$controller" > "$parent/cgroup.subtree_control"
    done 2>/dev/null
    sub=$(mktemp -d "$parent/$(basename "$file" .bats)-$mode-XXXXXX") && chmod 0755 "$sub" || return 1
    if [ -n "$owner" ]; then
        leaf=user/runner
        mkdir -p "$sub/$leaf" || return 1
        for cg in "$sub/user" "$sub/$leaf"; do
            chown "$owner:" "$cg" "$cg/cgroup.procs" "$cg/cgroup.threads" "$cg/cgroup.subtree_control" ||
                return 1
        done
    else
        mkdir "$sub/$leaf" || return 1
    fi
    # The namespace's root is the cgroup unshare runs in: the child moves
    # there, then on into the leaf, so that the subtree's root keeps no
    # process and controllers can be enabled below it (--in-cgroupns).
    (echo "$BASHPID" > "$sub/cgroup.procs" &&
        exec unshare --mount --cgroup --propagation private -- "$0" --in-cgroupns "$v2" "$leaf" "$@")
    status=$?
    [ -e "$sub/cgroup.kill" ] && echo 1 > "$sub/cgroup.kill"
    for i in $(seq 50); do
        find "$sub" -depth -type d -exec rmdir {} + 2>/dev/null
        [ -e "$sub" ] || break
        sleep 0.1
    done
    return "$status"
}

case "$mode" in
root)
    if [ "$(id -u)" != 0 ]; then
        echo "1..0 # SKIP root-mode cases run only when meson test is started as root"
        exit 0
    fi
    export NOOK_TEST_MODE=root
    if v2=$(cgroup_v2_root) && mkdir -p "$v2/nook-test-root"; then
        in_own_cgroup "$v2/nook-test-root" "" bats "${bats_args[@]}" "$file"
        exit
    fi
    exec bats "${bats_args[@]}" "$file"
    ;;
rootless)
    if [ "$(id -u)" != 0 ]; then
        export NOOK_TEST_MODE=rootless
        exec bats "${bats_args[@]}" "$file"
    fi
    user=${NOOK_TEST_USER:-nooktest}
    uid=$(id -u "$user" 2>/dev/null) ||
        bail "test user '$user' does not exist; create it with: sudo tests/setup-test-user.sh $user"
    for path in "$NOOK" "$file" "$NOOK_SOURCE_ROOT/tests/integration/helpers.bash"; do
        runuser -u "$user" -- test -r "$path" ||
            bail "test user '$user' cannot read $path; put the checkout where $user can read it (not under /root)"
    done
    runtime_dir=/run/user/$uid
    if [ ! -d "$runtime_dir" ]; then
        mkdir -p "$runtime_dir" && chown "$user:" "$runtime_dir" && chmod 0700 "$runtime_dir" ||
            bail "cannot create $runtime_dir for $user"
    fi
    home=$(getent passwd "$user" | cut -d: -f6)
    # The user's delegated cgroup v2 subtree (tests/setup-test-user.sh
    # makes it): its processes live inside it, as in a real session, and
    # nook gives rootless containers cgroupfs cgroups there.
    launch=(exec)
    if v2=$(cgroup_v2_root) && [ -d "$v2/nook-test-$uid/runner" ]; then
        launch=(in_own_cgroup "$v2/nook-test-$uid" "$user")
    fi
    "${launch[@]}" runuser -u "$user" -- env -i \
        PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin \
        HOME="${home:-/tmp}" USER="$user" LOGNAME="$user" \
        XDG_RUNTIME_DIR="$runtime_dir" \
        NOOK="$NOOK" NOOK_SOURCE_ROOT="$NOOK_SOURCE_ROOT" NOOK_BUILD_ROOT="$NOOK_BUILD_ROOT" \
        NOOK_BUNDLE_ROOTFS="$NOOK_BUNDLE_ROOTFS" NOOK_TEST_MODE=rootless \
        NOOK_RECVTTY="${NOOK_RECVTTY:-}" \
        bats "${bats_args[@]}" "$file"
    exit
    ;;
*)
    bail "run-bats.sh: mode must be rootless or root, not '$mode'"
    ;;
esac
