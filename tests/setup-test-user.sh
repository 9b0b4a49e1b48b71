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

uid=$(id -u "$user")
mkdir -p "/run/user/$uid"
chown "$user:" "/run/user/$uid"
chmod 0700 "/run/user/$uid"
echo "test user $user (uid $uid) is ready: $(grep "^$user:" /etc/subuid)"
