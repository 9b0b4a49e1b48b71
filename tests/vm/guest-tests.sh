#!/bin/bash
# guest-tests.sh: the VM tests' entry point inside the guest. It points the
# bats files at the nook build made on the host (shared at the same path)
# and prints their TAP. run.sh runs it as `tester` in that user's systemd
# session, which runs every file rootless (the *-root.bats files then skip
# themselves); or as root (run.sh --root, as check.sh does), which runs the
# *-root.bats files as root and hands the others to tester's systemd
# manager, as run.sh would, and prints one TAP stream of both.
# Usage: tests/vm/guest-tests.sh BUILD_DIR [BATS_FILE...]
# (default: every .bats file in tests/vm, environment.bats first)
set -u
here=$(cd "$(dirname "$0")" && pwd)
source_root=$(cd "$here/../.." && pwd)
build=$(cd "${1:?usage: guest-tests.sh BUILD_DIR [BATS_FILE...]}" && pwd) || {
    echo "Bail out! no build directory $1 in the guest"
    exit 1
}
shift

export NOOK=$build/src/nook
export NOOK_SOURCE_ROOT=$source_root
export NOOK_BUILD_ROOT=$build
export NOOK_BUNDLE_ROOTFS=$build/bundle/rootfs
export NOOK_TEST_MODE=rootless
export NOOK_RECVTTY=$build/helpers/nook-recvtty

[ -x "$NOOK" ] || { echo "Bail out! $NOOK is not there: build nook on the host first"; exit 1; }
[ -x "$NOOK_BUNDLE_ROOTFS/bin/busybox" ] || {
    echo "Bail out! $NOOK_BUNDLE_ROOTFS has no busybox: meson compile -C $build makes it"
    exit 1
}
# A library the image lacks would fail every test the same way: say it once.
missing=$(ldd "$NOOK" 2>&1 | grep 'not found')
if [ -n "$missing" ]; then
    echo "Bail out! nook needs libraries the VM image lacks (add their packages to tests/vm/build-image.sh): $(echo "$missing" | tr -s ' \t\n' ' ')"
    exit 1
fi

echo "# guest: $(uname -r), $(id -un) in $(sed -n 's/^0:://p' /proc/self/cgroup)"
echo "# nook: $("$NOOK" --version 2>&1 | tr '\n' ' ')"

if [ $# -eq 0 ]; then
    set -- "$here/environment.bats"
    for f in "$here"/*.bats; do
        [ "$f" = "$here/environment.bats" ] || set -- "$@" "$f"
    done
fi
[ "$(id -u)" = 0 ] || exec bats --tap "$@"

# As root: the *-root.bats files here, the others as tester.
user_files=() root_files=()
for f in "$@"; do
    case "$f" in
        *-root.bats) root_files+=("$f") ;;
        *) user_files+=("$f") ;;
    esac
done
count() { [ $# -eq 0 ] && echo 0 || bats --count "$@"; }
user_count=$(count "${user_files[@]}") && root_count=$(count "${root_files[@]}") || {
    echo "Bail out! bats cannot count the tests of $*"
    exit 1
}
echo "1..$((user_count + root_count))"

# renumber OFFSET: a bats TAP stream without its plan, its test numbers
# moved up by OFFSET, line by line as it comes.
renumber() {
    awk -v offset="$1" '
        /^1\.\.[0-9]+$/ { next }
        /^ok [0-9]+/ { n = $2 + offset; sub(/^ok [0-9]+/, "ok " n) }
        /^not ok [0-9]+/ { n = $3 + offset; sub(/^not ok [0-9]+/, "not ok " n) }
        { print; fflush() }'
}

status=0
if [ ${#user_files[@]} -gt 0 ]; then
    user=tester
    uid=$(id -u "$user")
    # What run.sh --env may have set for the tests themselves.
    pass_on=()
    for name in PODMAN_RUNTIME; do
        [ -z "${!name:-}" ] || pass_on+=(-E "$name=${!name}")
    done
    # Through tester's systemd manager, as nook-vm-runner runs a command:
    # the user bus, and a cgroup in the subtree delegated to the user.
    runuser -u "$user" -- env XDG_RUNTIME_DIR="/run/user/$uid" \
        DBUS_SESSION_BUS_ADDRESS="unix:path=/run/user/$uid/bus" \
        systemd-run --user --wait --pipe --quiet --collect --unit=nook-vm-user-tests \
        -p WorkingDirectory="$PWD" -E HOME="/home/$user" -E USER="$user" -E LOGNAME="$user" -E NOOK_VM=1 \
        "${pass_on[@]}" /bin/bash "$here/guest-tests.sh" "$build" "${user_files[@]}" < /dev/null 2>&1 | renumber 0
    [ "${PIPESTATUS[0]}" = 0 ] || status=1
fi
if [ ${#root_files[@]} -gt 0 ]; then
    echo "# as root: ${root_files[*]##*/}"
    NOOK_TEST_MODE=root bats --tap "${root_files[@]}" < /dev/null 2>&1 | renumber "$user_count"
    [ "${PIPESTATUS[0]}" = 0 ] || status=1
fi
exit "$status"
