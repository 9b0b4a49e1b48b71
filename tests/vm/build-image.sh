#!/bin/bash
# build-image.sh: build, once, the Debian 12 guest image that nook's VM tests
# boot (tests/vm/run.sh): systemd as PID 1 on a pure cgroup v2 hierarchy, a
# user `tester` whose systemd manager runs from boot (linger), with
# subordinate id ranges, and the libraries and tools nook and its tests need.
# Everything comes from the Debian mirror this machine's apt already uses.
#
# The image is cached and rebuilt only when its recipe changes: this script,
# the files under tests/vm/guest/, or the package list.
#
# Usage (as root): tests/vm/build-image.sh [--force]
# Environment:
#   NOOK_VM_CACHE   where the image lives (default /var/cache/nook-vm)
#   NOOK_VM_MIRROR  Debian mirror URL (default: from /etc/apt/sources*)
# Exit status: 0 when the image is ready, 1 otherwise (the reason on stderr).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${NOOK_VM_CACHE:-/var/cache/nook-vm}
suite=bookworm
vm_user=tester
vm_uid=1001
image_size=3G
force=0
case "${1:-}" in
    --force) force=1 ;;
    "") ;;
    *) echo "usage: $0 [--force]" >&2; exit 1 ;;
esac

# What the guest needs: systemd and a user session over D-Bus (the systemd
# cgroup manager), newuidmap/newgidmap (rootless id maps), a kernel and
# initrd to boot, the shared libraries nook links (json-glib, seccomp) or
# loads (libsystemd, libsubid), busybox-static for the test bundle, bats and
# python3 for the tests themselves. podman for podman.bats, with what it
# needs rootless that debootstrap (Depends only, first alternatives, no
# virtual packages) would not bring: conmon, catatonit, slirp4netns,
# fuse-overlayfs, netavark (containers-common depends on a virtual network
# stack), crun (the runtime podman depends on; the tests give it nook).
packages=(
    systemd systemd-sysv udev dbus dbus-user-session libpam-systemd
    linux-image-amd64 initramfs-tools kmod procps util-linux e2fsprogs
    uidmap libsubid4 libjson-glib-1.0-0 libseccomp2 libslirp0 libsystemd0
    busybox-static bats python3
    podman conmon catatonit slirp4netns fuse-overlayfs netavark crun
    golang-github-containers-common golang-github-containers-image
)

say() { printf 'build-image.sh: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (debootstrap and chroot need it)"

# The first `deb` source for $suite with component main, in deb822 files
# (*.sources) or one-line lists.
find_mirror() {
    local f
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -r "$f" ] || continue
        awk -v suite="$suite" '
            function check() {
                if (types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " suite " ") &&
                    (" " comps " ") ~ / main / && uris != "") { split(uris, u, " "); print u[1]; exit }
                types = suites = comps = uris = ""
            }
            /^[ \t]*#/ { next }
            /^[ \t]*$/ { check(); next }
            {
                key = tolower($1); sub(/:$/, "", key); $1 = ""; sub(/^ +/, "")
                if (key == "types") types = $0
                else if (key == "uris") uris = $0
                else if (key == "suites") suites = $0
                else if (key == "components") comps = $0
            }
            END { check() }' "$f"
    done | head -n 1 | grep . && return 0
    cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
        sed -e 's/#.*//' -e 's/\[[^]]*\]//' |
        awk -v suite="$suite" '$1 == "deb" && $3 == suite { for (i = 4; i <= NF; i++) if ($i == "main") { print $2; exit } }' |
        head -n 1 | grep .
}

recipe=$( { cat "$0" "$here"/guest/*; echo "${packages[*]} $suite $vm_user $vm_uid $image_size"; } |
          sha256sum | cut -c1-16)

mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9

if [ "$force" = 0 ] && [ "$(cat "$cache/recipe" 2>/dev/null)" = "$recipe" ] &&
   [ -f "$cache/root.img" ] && [ -f "$cache/vmlinuz" ] && [ -f "$cache/initrd.img" ]; then
    say "image $recipe in $cache is up to date"
    exit 0
fi

mirror=${NOOK_VM_MIRROR:-$(find_mirror || true)}
[ -n "$mirror" ] || die "no 'deb ... $suite main' source in /etc/apt/sources*; set NOOK_VM_MIRROR"

missing=()
command -v debootstrap >/dev/null || missing+=(debootstrap)
command -v qemu-system-x86_64 >/dev/null || missing+=(qemu-system-x86)
command -v mkfs.ext4 >/dev/null || missing+=(e2fsprogs)
if [ ${#missing[@]} -gt 0 ]; then
    say "installing on this host: ${missing[*]}"
    apt-get update -q >&2 || die "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2 ||
        die "could not install ${missing[*]}"
fi

started=$(date +%s)
work=$cache/build
rootfs=$work/rootfs
# An interrupted build may have left the chroot's mounts behind.
if [ -d "$rootfs" ]; then
    awk -v r="$rootfs/" 'index($2 "/", r) == 1 { print $2 }' /proc/self/mounts | sort -r |
        while read -r m; do umount -l "$m" || true; done
fi
rm -rf "$work"
mkdir -p "$work"

say "debootstrap $suite into $work (a few minutes)"
include=$(IFS=,; echo "${packages[*]}")
if ! debootstrap --variant=minbase --components=main --include="$include" \
        "$suite" "$rootfs" "$mirror" > "$work/debootstrap.log" 2>&1; then
    tail -n 25 "$work/debootstrap.log" >&2
    [ -f "$rootfs/debootstrap/debootstrap.log" ] && tail -n 25 "$rootfs/debootstrap/debootstrap.log" >&2
    die "debootstrap failed (log: $work/debootstrap.log)"
fi
say "debootstrap took $(( $(date +%s) - started )) s"

echo nookvm > "$rootfs/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\tnookvm\n' > "$rootfs/etc/hosts"
# The kernel mounts the root read-write (root=/dev/vda rw): nothing else.
: > "$rootfs/etc/fstab"
chroot "$rootfs" systemd-machine-id-setup >/dev/null
chroot "$rootfs" groupadd -g "$vm_uid" "$vm_user"
chroot "$rootfs" useradd -m -u "$vm_uid" -g "$vm_uid" -s /bin/bash "$vm_user"
sed -i "/^$vm_user:/d" "$rootfs/etc/subuid" "$rootfs/etc/subgid" 2>/dev/null || true
echo "$vm_user:100000:65536" >> "$rootfs/etc/subuid"
echo "$vm_user:100000:65536" >> "$rootfs/etc/subgid"
# Linger: logind starts user@1001.service at boot, as `loginctl
# enable-linger tester` would, so the user's manager and bus are there
# without a login.
mkdir -p "$rootfs/var/lib/systemd/linger"
touch "$rootfs/var/lib/systemd/linger/$vm_user"

install -m 0755 "$here/guest/nook-vm-runner" "$rootfs/usr/local/sbin/nook-vm-runner"
install -m 0644 "$here/guest/nook-vm-runner.service" "$rootfs/etc/systemd/system/nook-vm-runner.service"
chroot "$rootfs" systemctl enable nook-vm-runner.service >/dev/null 2>&1
# No network and nothing periodic in a VM that lives for one command; no
# login prompt on the console.
for unit in apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer e2scrub_all.timer \
            e2scrub_reap.service fstrim.timer systemd-timesyncd.service getty@tty1.service \
            serial-getty@ttyS0.service; do
    ln -sf /dev/null "$rootfs/etc/systemd/system/$unit"
done
# The guest has no network: keep no mirror address or package lists in it.
echo "# the VM has no network" > "$rootfs/etc/apt/sources.list"
rm -rf "$rootfs"/etc/apt/sources.list.d/* "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/archives/*.deb

kernel=$(find "$rootfs/boot" -name 'vmlinuz-*' | sort -V | tail -n 1)
initrd=$(find "$rootfs/boot" -name 'initrd.img-*' | sort -V | tail -n 1)
if [ -z "$kernel" ] || [ -z "$initrd" ]; then
    die "no kernel or initrd under $rootfs/boot"
fi
cp "$kernel" "$work/vmlinuz"
cp "$initrd" "$work/initrd.img"

say "making the $image_size ext4 root image (sparse)"
# mkfs.ext4 -d copies the tree in: no loop device or mount needed.
mkfs.ext4 -q -F -L nookvm -d "$rootfs" "$work/root.img" "$image_size" || die "mkfs.ext4 failed"
{
    echo "recipe: $recipe"
    echo "built: $(date -u +%FT%TZ) in $(( $(date +%s) - started )) s"
    echo "kernel: $(basename "$kernel")"
    echo "user: $vm_user ($vm_uid), subuid/subgid 100000:65536, linger"
    echo "packages: ${packages[*]}"
} > "$work/image.info"
rm -rf "$rootfs"

# The recipe file is written last: a half-installed image is never current.
rm -f "$cache/recipe"
for f in root.img vmlinuz initrd.img image.info debootstrap.log; do
    mv -f "$work/$f" "$cache/$f"
done
echo "$recipe" > "$cache/recipe"
rm -rf "$work"
say "image ready in $cache:"
sed 's/^/    /' "$cache/image.info" >&2
