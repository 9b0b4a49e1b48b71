#!/bin/bash
# setup-user-manager.sh: a real `systemd --user` manager, with its user bus,
# for the test user on a host whose init is not systemd (CI machines,
# containers), so that nook's systemd cgroup manager can be tested against
# the real thing. Run as root.
#
#   setup-user-manager.sh check          can it run here? (exit 1 + the reason)
#   setup-user-manager.sh start          start the manager (idempotent)
#   setup-user-manager.sh exec CMD...    run CMD as the user next to it
#   setup-user-manager.sh status         the manager's state and its cgroups
#   setup-user-manager.sh stop           stop it and remove what it made
#
# How: the manager needs a cgroup v2 subtree it owns, and to see cgroup v2 at
# /sys/fs/cgroup with /run/systemd/system present (systemd --user refuses to
# run otherwise). So: mkdir <v2 root>/nook-test-um-<uid> and chown it (with
# the files /sys/kernel/cgroup/delegate lists) to the user; enter it, make
# new mount and cgroup namespaces there (the cgroup namespace's root is that
# subtree), mount cgroup2 on /sys/fs/cgroup (it shows the subtree as the
# whole hierarchy, as in a container) and a tmpfs with system/ on
# /run/systemd, and exec systemd --user as the user. Its XDG_RUNTIME_DIR
# (and so its bus socket) is private too, /run/nook-test-um-<uid>/runtime,
# so that nothing else running as the user (the other test files) finds
# this bus. Nothing in the host's mount namespace is mounted or unmounted.
#
# `exec` runs CMD as the user in those namespaces, from the leaf cgroup
# "/client": the processes the manager is asked to put in a scope must be
# inside the subtree it owns (there is no system manager to ask to move
# them), and the tests see their own hierarchy only, whatever else runs on
# the host. CMD gets a clean environment: HOME USER LOGNAME PATH
# XDG_RUNTIME_DIR DBUS_SESSION_BUS_ADDRESS; pass more with `env VAR=...`.
#
# On a hybrid host (this project's CI) the subtree has no controllers:
# scopes, Delegate=, freezing and killing work, limits cannot be enforced.
#
# Environment: NOOK_TEST_USER (default nooktest).
set -euo pipefail

user=${NOOK_TEST_USER:-nooktest}

die() {
    echo "setup-user-manager.sh: $*" >&2
    exit 1
}

# Why the manager cannot run here, or nothing.
missing() {
    [ "$(id -u)" = 0 ] || { echo "it must run as root (it makes a cgroup and a mount namespace)"; return; }
    id -u "$user" >/dev/null 2>&1 || { echo "the test user '$user' does not exist (tests/setup-test-user.sh)"; return; }
    [ -x /lib/systemd/systemd ] || { echo "systemd is not installed (/lib/systemd/systemd)"; return; }
    [ -e /usr/lib/systemd/user/dbus.socket ] ||
        { echo "dbus-user-session is not installed (no user bus: /usr/lib/systemd/user/dbus.socket)"; return; }
    local tool
    for tool in unshare nsenter setpriv systemctl mount; do
        command -v "$tool" >/dev/null || { echo "$tool is not installed"; return; }
    done
    v2root >/dev/null || { echo "no cgroup v2 hierarchy at /sys/fs/cgroup or /sys/fs/cgroup/unified"; return; }
}

v2root() {
    if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
        echo /sys/fs/cgroup
    elif [ -d /sys/fs/cgroup/unified ] && [ "$(stat -f -c %T /sys/fs/cgroup/unified)" = cgroup2fs ]; then
        echo /sys/fs/cgroup/unified
    else
        return 1
    fi
}

setup_names() {
    uid=$(id -u "$user")
    gid=$(id -g "$user")
    home=$(getent passwd "$user" | cut -d: -f6)
    name=nook-test-um-$uid
    state=/run/$name
    runtime=$state/runtime
    v2=$(v2root)
    cgroup=$v2/$name
}

# The manager's pid, when it is running.
manager_pid() {
    local pid
    pid=$(cat "$state/pid" 2>/dev/null) || return 1
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
    [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = systemd ] || return 1
    echo "$pid"
}

# Run "$@" as the user in the manager's namespaces, from <subtree>/client.
# It is moved there first, from the host's side: a process can only enter a
# cgroup namespace whose root is above its cgroup.
as_user() {
    local pid
    pid=$(manager_pid) || die "the manager is not running (start it first)"
    mkdir -p "$cgroup/client"
    (
        echo "$BASHPID" >"$cgroup/client/cgroup.procs" || exit 1
        exec nsenter -t "$pid" -m -C -- \
            setpriv --reuid="$uid" --regid="$gid" --init-groups \
            env -i HOME="$home" USER="$user" LOGNAME="$user" \
            PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin \
            XDG_RUNTIME_DIR="$runtime" DBUS_SESSION_BUS_ADDRESS="unix:path=$runtime/bus" "$@"
    )
}

start() {
    if pid=$(manager_pid); then
        echo "manager already running (pid $pid)"
        return 0
    fi
    mkdir -p "$state" "$cgroup"
    # The files a delegation hands over (cgroups(7), "Delegation").
    local files="cgroup.procs cgroup.threads cgroup.subtree_control"
    [ -r /sys/kernel/cgroup/delegate ] && files=$(cat /sys/kernel/cgroup/delegate)
    chown "$user:" "$cgroup"
    for f in $files; do
        [ -e "$cgroup/$f" ] && chown "$user:" "$cgroup/$f"
    done
    mkdir -p "$runtime"
    chown "$user:" "$runtime"
    chmod 0700 "$runtime"
    mkdir -p /run/systemd
    : >"$state/manager.log"
    # Into the subtree, then new mount and cgroup namespaces: the latter's
    # root is the subtree, and cgroup2 mounted in it shows just that.
    # shellcheck disable=SC2016
    local in_namespaces='mount -t cgroup2 cgroup2 /sys/fs/cgroup &&
        mount -t tmpfs -o mode=0755 tmpfs /run/systemd && mkdir /run/systemd/system &&
        exec "$@"'
    # shellcheck disable=SC2016
    setsid /bin/sh -c 'echo $$ > "$1/cgroup.procs" && shift &&
        exec unshare -m -C --propagation private /bin/sh -c "$@"' sh "$cgroup" "$in_namespaces" sh \
        setpriv --reuid="$uid" --regid="$gid" --init-groups \
        env -i HOME="$home" USER="$user" LOGNAME="$user" SHELL=/bin/sh \
        PATH=/usr/local/bin:/usr/bin:/bin \
        XDG_RUNTIME_DIR="$runtime" DBUS_SESSION_BUS_ADDRESS="unix:path=$runtime/bus" \
        SYSTEMD_LOG_TARGET=console SYSTEMD_LOG_LEVEL="${NOOK_UM_LOG_LEVEL:-info}" \
        /lib/systemd/systemd --user </dev/null >>"$state/manager.log" 2>&1 &
    echo $! >"$state/pid"
    local running=""
    for _ in $(seq 200); do
        if manager_pid >/dev/null; then
            running=$(as_user systemctl --user is-system-running 2>/dev/null) || true
            case "$running" in running | degraded) break ;; esac
        elif ! kill -0 "$(cat "$state/pid")" 2>/dev/null; then
            tail -n 20 "$state/manager.log" >&2
            die "systemd --user exited (its log: $state/manager.log)"
        fi
        sleep 0.1
    done
    case "$running" in
    running | degraded) ;;
    *)
        tail -n 20 "$state/manager.log" >&2
        die "systemd --user did not come up within 20 s (state '$running')"
        ;;
    esac
    # The user bus is socket-activated: make sure it answers.
    as_user busctl --user --timeout=10 status >/dev/null 2>&1 ||
        die "systemd --user runs but its user bus does not answer (dbus-user-session?)"
    echo "manager pid $(cat "$state/pid"), $running; cgroup /$name (controllers: '$(cat "$cgroup/cgroup.controllers")'); bus $runtime/bus"
}

stop() {
    local pid
    if pid=$(manager_pid); then
        as_user systemctl --user exit >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
        for _ in $(seq 100); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null || true
    fi
    if [ -d "$cgroup" ]; then
        # Whatever is left (a client, a scope's processes) goes with it.
        if [ -e "$cgroup/cgroup.kill" ]; then
            echo 1 >"$cgroup/cgroup.kill" 2>/dev/null || true
        fi
        for _ in $(seq 50); do
            find "$cgroup" -depth -type d -exec rmdir {} \; 2>/dev/null || true
            [ -d "$cgroup" ] || break
            sleep 0.1
        done
        [ -d "$cgroup" ] && echo "setup-user-manager.sh: $cgroup is left behind" >&2
    fi
    rm -rf "$state"
    echo "stopped"
}

case "${1:-}" in
check)
    reason=$(missing)
    [ -z "$reason" ] || { echo "$reason"; exit 1; }
    ;;
start | exec | status | stop)
    reason=$(missing)
    [ -z "$reason" ] || die "$reason"
    setup_names
    case "$1" in
    start) start ;;
    exec)
        shift
        [ $# -gt 0 ] || die "exec needs a command"
        as_user "$@"
        ;;
    status)
        if pid=$(manager_pid); then
            echo "manager pid $pid, $(as_user systemctl --user is-system-running 2>&1 || true)"
            find "$cgroup" -type d | sed "s#^$v2##"
        else
            echo "not running"
            exit 3
        fi
        ;;
    stop) stop ;;
    esac
    ;;
*)
    sed -n '2,36p' "$0" >&2
    exit 2
    ;;
esac
