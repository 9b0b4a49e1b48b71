#!/bin/bash
# run-in-user-manager.sh: run a bats file of the systemd cgroup manager's
# tests for meson (TAP on stdout), in one mode:
#   rootless: as the test user, next to a real `systemd --user` started for
#             it by tests/setup-user-manager.sh (its user bus, its delegated
#             cgroup v2 subtree), stopped again at the end. Needs root to set
#             that up: started otherwise, the file is skipped with the reason.
#   root:     as root, the way run-bats.sh runs root cases (there is no
#             system manager on such a host: these cases check the errors).
# One manager per test user at a time: runs from other build directories
# wait for each other (a lock in /run).
# Usage: run-in-user-manager.sh rootless|root FILE.bats
set -u
mode=$1
file=$2
here=$(cd "$(dirname "$0")" && pwd)
setup=$here/../setup-user-manager.sh

bail() {
    echo "Bail out! $*"
    exit 1
}

case "$mode" in
root)
    exec "$here/run-bats.sh" root "$file"
    ;;
rootless) ;;
*)
    bail "run-in-user-manager.sh: mode must be rootless or root, not '$mode'"
    ;;
esac

if [ "$(id -u)" != 0 ]; then
    echo "1..0 # SKIP these cases start a systemd user manager for the test user, which needs root: run meson test as root"
    exit 0
fi
export NOOK_TEST_USER=${NOOK_TEST_USER:-nooktest}
if ! reason=$("$setup" check); then
    echo "1..0 # SKIP no systemd user manager can run here: $reason"
    exit 0
fi
user=$NOOK_TEST_USER
for path in "$NOOK" "$file" "$here/helpers.bash"; do
    runuser -u "$user" -- test -r "$path" ||
        bail "test user '$user' cannot read $path; put the checkout where $user can read it (not under /root)"
done

uid=$(id -u "$user")
# The lock's fd is closed for everything started under it, so that a
# manager left running cannot hold it.
exec 9>"/run/nook-test-um-$uid.lock" || bail "cannot open /run/nook-test-um-$uid.lock"
flock 9 || bail "cannot lock /run/nook-test-um-$uid.lock"
# A manager left by a run that was killed is not trusted: start afresh.
"$setup" stop >/dev/null 2>&1 9>&-
trap '"$setup" stop >&2 9>&-' EXIT
"$setup" start >&2 9>&- || bail "could not start a systemd user manager for $user (see above)"

"$setup" exec env \
    NOOK="$NOOK" NOOK_SOURCE_ROOT="$NOOK_SOURCE_ROOT" NOOK_BUILD_ROOT="$NOOK_BUILD_ROOT" \
    NOOK_BUNDLE_ROOTFS="$NOOK_BUNDLE_ROOTFS" NOOK_TEST_MODE=rootless \
    NOOK_RECVTTY="${NOOK_RECVTTY:-}" NOOK_IN_USER_MANAGER=1 \
    bats --tap "$file" 9>&-
