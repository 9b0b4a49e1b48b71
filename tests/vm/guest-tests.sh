#!/bin/bash
# guest-tests.sh: the VM tests' entry point inside the guest. run.sh runs it
# as `tester` in that user's systemd session; it points the bats files at
# the nook build made on the host (shared at the same path) and prints
# their TAP.
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
exec bats --tap "$@"
