#!/bin/sh
# setup-test-user.sh: create the unprivileged user the integration tests run
# as when `meson test` is started as root, with subordinate id ranges.
# Usage (as root): tests/setup-test-user.sh [USER]   (default: nooktest)
set -eu
user=${1:-nooktest}
if [ "$(id -u)" != 0 ]; then
    echo "setup-test-user.sh: run as root (it adds a user and /etc/subuid, /etc/subgid ranges)" >&2
    exit 1
fi
if ! id -u "$user" >/dev/null 2>&1; then
    useradd --create-home --shell /bin/sh --user-group "$user"
fi
# useradd adds ranges on Debian when SUB_UID_* are set in login.defs; make
# sure there is exactly one range either way.
for file in /etc/subuid /etc/subgid; do
    touch "$file"
    if ! grep -q "^$user:" "$file"; then
        # Pick a start above every range already in the file.
        start=$(awk -F: 'BEGIN { m = 100000 } { e = $2 + $3; if (e > m) m = e } END { print m }' "$file")
        echo "$user:$start:65536" >> "$file"
    fi
done
# A second user with no subordinate ranges at all, for the single-mapping
# fallback (useradd may add ranges on its own: remove them).
nosubid=$user-nosubid
if ! id -u "$nosubid" >/dev/null 2>&1; then
    useradd --create-home --shell /bin/sh --user-group "$nosubid"
fi
sed -i "/^$nosubid:/d" /etc/subuid /etc/subgid

# Distributions ship /dev/net/tun and /dev/fuse mode 0666: opening them
# grants nothing by itself (a tap device is made only in a network
# namespace the opener administers; a fuse mount needs a mount namespace
# of its own). Some hosts leave them 0600, which keeps the unprivileged
# user from slirp networking (nook-slirp opens /dev/net/tun in the
# container's namespaces) and from fuse-overlayfs; give them the usual
# mode so the tests see a normal host.
for dev in /dev/net/tun /dev/fuse; do
    if [ -c "$dev" ]; then
        chmod 0666 "$dev"
    fi
done

uid=$(id -u "$user")
mkdir -p "/run/user/$uid"
chown "$user:" "/run/user/$uid"
chmod 0700 "/run/user/$uid"

# A cgroup v2 subtree delegated to the user, as systemd's Delegate=yes
# gives one: <v2 root>/nook-test-<uid>, its directory and the files that
# move processes and enable controllers owned by the user, with a leaf
# `runner` where the user's processes go (cgroup v2 enables controllers
# only below cgroups without processes of their own). The controllers the
# hierarchy offers are enabled down to it. tests/integration/run-bats.sh
# runs the rootless tests inside it.
v2=
for dir in /sys/fs/cgroup /sys/fs/cgroup/unified; do
    if [ "$(stat -f -c %T "$dir" 2>/dev/null)" = cgroup2fs ]; then
        v2=$dir
        break
    fi
done
if [ -n "$v2" ]; then
    top=$v2/nook-test-$uid
    mkdir -p "$top/runner"
    for cg in "$top" "$top/runner"; do
        chown "$user:" "$cg" "$cg/cgroup.procs" "$cg/cgroup.threads" "$cg/cgroup.subtree_control"
    done
    for controller in $(cat "$v2/cgroup.controllers"); do
        echo "+$controller" > "$v2/cgroup.subtree_control" 2>/dev/null || true
    done
    for controller in $(cat "$top/cgroup.controllers"); do
        echo "+$controller" > "$top/cgroup.subtree_control" 2>/dev/null || true
    done
    echo "delegated cgroup v2 subtree for $user: $top (controllers: $(cat "$top/cgroup.controllers"))"
else
    echo "no cgroup v2 hierarchy: no cgroup subtree delegated to $user"
fi
echo "test user $user (uid $uid) is ready: $(grep "^$user:" /etc/subuid)"
