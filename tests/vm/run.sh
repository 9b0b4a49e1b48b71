#!/bin/bash
# run.sh: boot nook's test VM (tests/vm/build-image.sh makes it), run one
# command inside as the user `tester` through its systemd user manager (or
# as root in a system service, --root), stream the command's output here,
# power off, and exit with its status.
# The checkout is shared into the guest at the same path, so a build tree
# made on this host (absolute paths and all) runs there as it is. Every run
# starts from the pristine image (writes go to a throw-away snapshot) and
# the guest has no network.
#
# Usage (as root):
#   tests/vm/run.sh [options] [--] COMMAND [ARG...]
# Options:
#   --share DIR     the host directory shared read-write at the same path
#                   (default: this checkout)
#   --workdir DIR   the command's working directory (default: the share)
#   --root          run the command as root, in a transient system service
#                   (system bus, cgroup under system.slice), not as tester
#   --env NAME=VAL  set a variable for the command (repeatable)
#   --timeout SEC   give up after SEC seconds, boot included (default 1200)
#   --mem MB        guest memory (default 2048)
#   --cpus N        guest CPUs (default: this host's)
#   --keep DIR      keep the console log and runner log in DIR
# Environment: NOOK_VM_CACHE (default /var/cache/nook-vm).
# Exit status: the command's; 124 when the time ran out; 125 when the VM
# never ran the command (the reason and the console's last lines on stderr).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${NOOK_VM_CACHE:-/var/cache/nook-vm}
share=$(cd "$here/../.." && pwd)
workdir=""
timeout=1200
mem=2048
cpus=$(nproc)
keep=""
as_user=tester
env_lines=()

fail() {
    echo "run.sh: $*" >&2
    exit 125
}

while [ $# -gt 0 ]; do
    case "$1" in
        --share) [ $# -ge 2 ] || fail "--share needs a directory"
                 share=$(realpath -e "$2") || fail "--share: no directory $2"; shift 2 ;;
        --workdir) [ $# -ge 2 ] || fail "--workdir needs a path"; workdir=$2; shift 2 ;;
        --root) as_user=root; shift ;;
        --env) [ $# -ge 2 ] || fail "--env needs NAME=VALUE"
               [[ "$2" =~ ^[A-Za-z_][A-Za-z0-9_]*=[^$'\n']*$ ]] || fail "--env: '$2' is not NAME=VALUE on one line"
               env_lines+=("$2"); shift 2 ;;
        --timeout) [[ "${2:-}" =~ ^[0-9]+$ ]] || fail "--timeout needs seconds"; timeout=$2; shift 2 ;;
        --mem) [[ "${2:-}" =~ ^[0-9]+$ ]] || fail "--mem needs megabytes"; mem=$2; shift 2 ;;
        --cpus) [[ "${2:-}" =~ ^[0-9]+$ ]] || fail "--cpus needs a number"; cpus=$2; shift 2 ;;
        --keep) [ $# -ge 2 ] || fail "--keep needs a directory"; keep=$2; shift 2 ;;
        -h|--help) sed -n '2,/^set -uo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
        --) shift; break ;;
        -*) fail "unknown option $1 (see --help)" ;;
        *) break ;;
    esac
done
[ $# -gt 0 ] || fail "no command given (see --help)"
[ "$(id -u)" = 0 ] || fail "run as root (qemu's 9p share passes file owners through)"
for f in root.img vmlinuz initrd.img; do
    [ -f "$cache/$f" ] || fail "$cache/$f is missing: run tests/vm/build-image.sh first"
done
command -v qemu-system-x86_64 >/dev/null || fail "qemu-system-x86_64 is missing: run tests/vm/build-image.sh"

ctl=$(mktemp -d /tmp/nook-vm.XXXXXX) || fail "cannot make a control directory"
qemu_pid=""
tail_pid=""
cleanup() {
    # timeout passes TERM on to qemu.
    [ -n "$qemu_pid" ] && kill -TERM "$qemu_pid" 2>/dev/null
    [ -n "$tail_pid" ] && kill "$tail_pid" 2>/dev/null
    if [ -n "$keep" ]; then
        mkdir -p "$keep" && cp -f "$ctl"/console.log "$ctl"/runner.log "$keep"/ 2>/dev/null
    fi
    rm -rf "$ctl"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# The guest runs the command as tester: it must read the control files.
chmod 0755 "$ctl"
{ echo '#!/bin/bash'; printf '%q ' "$@"; echo; } > "$ctl/command"
echo "$share" > "$ctl/share"
echo "${workdir:-$share}" > "$ctl/workdir"
echo "$as_user" > "$ctl/as"
[ ${#env_lines[@]} -gt 0 ] && printf '%s\n' "${env_lines[@]}" > "$ctl/env"
: > "$ctl/output"
chmod 0644 "$ctl"/*
chmod 0666 "$ctl/output"

# TCG: this host may have no /dev/kvm; take it when it is there.
accel=tcg,thread=multi
[ -w /dev/kvm ] && accel=kvm
qemu=(qemu-system-x86_64
    -machine pc -accel "$accel" -cpu max -smp "$cpus" -m "$mem"
    -nodefaults -no-user-config -no-reboot -display none -monitor none
    -serial "file:$ctl/console.log" -nic none
    -kernel "$cache/vmlinuz" -initrd "$cache/initrd.img"
    # tsc: under TCG the other clocksources make the guest's clock (and so
    # its CPU quota accounting) drift badly.
    -append "root=/dev/vda rw console=ttyS0 quiet loglevel=3 panic=-1 tsc=reliable clocksource=tsc systemd.unified_cgroup_hierarchy=1 systemd.show_status=error"
    -drive "file=$cache/root.img,if=virtio,format=raw,snapshot=on,cache=unsafe"
    -virtfs "local,path=$ctl,mount_tag=nookctl,security_model=none,id=nookctl"
    -virtfs "local,path=$share,mount_tag=nookshare,security_model=none,id=nookshare")

started=$(date +%s)
timeout --kill-after=10 "$timeout" "${qemu[@]}" < /dev/null > "$ctl/qemu.log" 2>&1 &
qemu_pid=$!
tail -f -c +1 --pid="$qemu_pid" "$ctl/output" &
tail_pid=$!
wait "$qemu_pid"
qemu_status=$?
qemu_pid=""
wait "$tail_pid"
tail_pid=""
elapsed=$(( $(date +%s) - started ))

# runner.log: "STAGE UPTIME" lines, and the runner's own complaints.
guest_times=$(awk '$1 != "nook-vm-runner:" { printf "%s%s %ss", sep, $1, $2; sep = ", " }' \
                  "$ctl/runner.log" 2>/dev/null)
if [ "$qemu_status" = 124 ] || [ "$qemu_status" = 137 ]; then
    echo "run.sh: out of time after $timeout s (guest: ${guest_times:-never reported})" >&2
    exit 124
fi
if [ -s "$ctl/status" ]; then
    status=$(cat "$ctl/status")
    echo "run.sh: the command exited with $status after $elapsed s (guest uptime: $guest_times)" >&2
    exit "$status"
fi
echo "run.sh: the VM never ran the command (qemu exit $qemu_status after $elapsed s)" >&2
grep -h 'nook-vm-runner:' "$ctl/runner.log" >&2 2>/dev/null
[ -s "$ctl/qemu.log" ] && sed 's/^/    qemu: /' "$ctl/qemu.log" | tail -n 10 >&2
echo "run.sh: the console's last lines:" >&2
tail -n 30 "$ctl/console.log" 2>/dev/null | sed 's/^/    /' >&2
exit 125
