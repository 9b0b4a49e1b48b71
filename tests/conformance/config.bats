#!/usr/bin/env bats
# config.bats: conformance to config.md of the OCI runtime-spec: the root
# file system, mounts and the Linux mount options, the process (terminal,
# cwd, env, args, rlimits, user, capabilities, noNewPrivileges,
# oomScoreAdj), hostname and domainname, the hooks and when and where each
# runs, annotations, and how unknown and invalid values are treated.

load helpers

setup_file() {
    export_python
}

setup() {
    conformance_setup
    H=$BATS_TEST_TMPDIR/hooks
    mkdir -p "$H"
    chmod 0777 "$H"
    # probe.sh POINT: records for hook POINT its state (stdin), its
    # namespaces, its own mountinfo and the container process's, then
    # "POINT" in log; paths relative to the script, which startContainer
    # runs as /home/probe.sh inside the container.
    cat >"$H/probe.sh" <<'EOF'
#!/bin/sh
dir=${0%/*}
cat >"$dir/state.$1"
pid=$(tr -d '\n ' <"$dir/state.$1" | sed -n 's/.*"pid":\([0-9]*\).*/\1/p')
for ns in mnt user uts ipc pid net cgroup; do
    echo "$ns $(readlink /proc/self/ns/$ns)"
done >"$dir/ns.$1"
cat /proc/self/mountinfo >"$dir/self-mountinfo.$1"
[ -z "$pid" ] || cat "/proc/$pid/mountinfo" >"$dir/init-mountinfo.$1" 2>/dev/null
[ -z "$pid" ] || tr '\0' ' ' <"/proc/$pid/cmdline" >"$dir/init-cmdline.$1" 2>/dev/null
[ ! -e "$dir/ran" ] || echo "program-ran" >>"$dir/log"
echo "$1" >>"$dir/log"
EOF
    chmod 0755 "$H/probe.sh"
}

teardown() {
    [ -z "${RECVTTY_PID:-}" ] || kill "$RECVTTY_PID" 2>/dev/null || true
    common_teardown
}

# add_hook POINT PATH ARGS-PYTHON-LIST [MORE-DICT-ITEMS]
add_hook() {
    edit_config "$B" "c.setdefault('hooks', {}).setdefault('$1', []).append(dict(path='$2', args=$3 $4))"
}

# hooks_bundle: the hooks directory at /home in the container, and a
# program that records that it ran ($H/ran) and waits.
hooks_bundle() {
    make_bundle "$B" sh -c 'echo ran >>/home/ran; exec sleep 100'
    edit_config "$B" "c['mounts'].append({'destination': '/home', 'type': 'bind', 'source': '$H', 'options': ['rbind']})"
}

logged() {
    [ -f "$H/log" ] && paste -sd' ' "$H/log"
    return 0
}

# ns_recorded POINT TYPE: the namespace of TYPE hook POINT ran in.
ns_recorded() {
    awk -v t="$2" '$1 == t { print $2 }' "$H/ns.$1"
}

# before_pivot FILE: whether the mountinfo FILE still has the host's root
# at / (the pivot_root into the container's root has not happened yet).
before_pivot() {
    local host_root
    host_root=$(awk '$5 == "/" { print $3, $4 }' /proc/self/mountinfo | tail -n1)
    [ "$(awk '$5 == "/" { print $3, $4 }' "$1" | tail -n1)" = "$host_root" ]
}

# ---- Specification version ----------------------------------------------

# "The Open Container Initiative Runtime Specification follows semantic
# versioning and retains forward and backward compatibility within major
# versions. For example, if a configuration is compliant with version 1.1
# of this specification, it is compatible with all runtimes that support
# any 1.1 or later release of this specification"
@test "config.md#specification-version: a bundle written for an earlier 1.x release runs" {
    make_bundle "$B" echo ran
    for version in 1.0.0 1.0.2 1.1.0; do
        edit_config "$B" "c['ociVersion'] = '$version'"
        run nook run -b "$B" c1
        assert_status 0
        [ "$output" = ran ]
    done
}

# ---- Root -------------------------------------------------------------------

# "A directory MUST exist at the path declared by the field."
@test "config.md#root: a root.path that is missing or not a directory is an error" {
    make_bundle "$B" true
    edit_config "$B" 'c["root"]["path"] = "no-such-rootfs"'
    nook_capture create -b "$B" c1
    [ "$status" -ne 0 ]
    assert_output_contains no-such-rootfs
    assert_no_leftovers c1 "$B"
    touch "$B/a-file"
    edit_config "$B" 'c["root"]["path"] = "a-file"'
    nook_capture create -b "$B" c1
    [ "$status" -ne 0 ]
    assert_output_contains a-file
    assert_no_leftovers c1 "$B"
}

# "On POSIX platforms, path is either an absolute path or a relative path
# to the bundle."
@test "config.md#root: root.path is absolute or relative to the bundle" {
    make_bundle "$B" cat /etc/hostname
    run nook run -b "$B" c1
    assert_status 0
    [ "$output" = nook ]
    private_rootfs
    echo relative >"$B/rootfs/etc/hostname"
    run sh -c "cd / && '$NOOK' --root '$NOOK_ROOT' run -b '$B' c2"
    assert_status 0
    [ "$output" = relative ]
}

# "readonly (bool, OPTIONAL) If true then the root filesystem MUST be
# read-only inside the container, defaults to false."
@test "config.md#root: readonly true makes the root read-only inside the container" {
    make_bundle "$B" sh -c 'awk '\''$5 == "/" { print $6 }'\'' /proc/self/mountinfo; touch /made-here'
    private_rootfs
    edit_config "$B" 'c["root"]["readonly"] = True'
    run nook run -b "$B" c1
    [ "$status" -ne 0 ]
    has_opt "${lines[0]}" ro
    assert_output_contains "Read-only file system"
    [ ! -e "$B/rootfs/made-here" ]
}

# "readonly (bool, OPTIONAL) If true then the root filesystem MUST be
# read-only inside the container, defaults to false."
@test "config.md#root: without readonly the root is writable" {
    make_bundle "$B" sh -c 'touch /made-here && echo written'
    private_rootfs
    edit_config "$B" 'c["root"].pop("readonly", None)'
    run nook run -b "$B" c1
    assert_status 0
    [ "$output" = written ]
    [ -e "$B/rootfs/made-here" ]
}

# ---- Mounts -----------------------------------------------------------------

# "The runtime MUST mount entries in the listed order."
@test "config.md#mounts: mounts are made in the listed order" {
    mkdir "$BATS_TEST_TMPDIR/data"
    echo bound >"$BATS_TEST_TMPDIR/data/file"
    make_bundle "$B" sh -c 'cat /proc/self/mountinfo; cat /run/a/b/file; ls -A /run'
    add_mount '{"destination": "/run", "type": "tmpfs", "source": "first"}' \
        '{"destination": "/run/a", "type": "tmpfs", "source": "second"}' \
        '{"destination": "/run/a/b", "type": "bind", "source": "'"$BATS_TEST_TMPDIR"'/data", "options": ["bind"]}' \
        '{"destination": "/home", "type": "tmpfs", "source": "hidden"}' \
        '{"destination": "/home/x", "type": "tmpfs", "source": "hidden-x"}' \
        '{"destination": "/home", "type": "tmpfs", "source": "on-top"}'
    run nook run -b "$B" c1
    assert_status 0
    # Each one on top of the one before it, in the order listed.
    order=$(echo "$output" | awk '$5 ~ /^\/(run|home)/ { print $5 }' | paste -sd' ')
    [ "$order" = "/run /run/a /run/a/b /home /home/x /home" ]
    assert_output_contains bound
    # The last /home hides the /home/x made before it.
    [ "${lines[-1]}" = a ]
}

# "Linux: This value SHOULD be an absolute path. For compatibility with old
# tools and configurations, it MAY be a relative path, in which case it
# MUST be interpreted as relative to "/"."
@test "config.md#mounts: a relative destination is taken relative to /" {
    make_bundle "$B" sh -c 'awk '\''$5 == "/run" { print $9 }'\'' /proc/self/mountinfo'
    add_mount '{"destination": "run", "type": "tmpfs", "source": "relative-destination"}'
    run nook run -b "$B" c1
    assert_status 0
    [ "${lines[-1]}" = relative-destination ]
}

# "Path values for bind mounts are either absolute or relative to the
# bundle."
@test "config.md#mounts: a bind source is absolute or relative to the bundle" {
    mkdir "$B" "$B/relative" "$BATS_TEST_TMPDIR/absolute"
    echo from-relative >"$B/relative/file"
    echo from-absolute >"$BATS_TEST_TMPDIR/absolute/file"
    make_bundle "$B" sh -c 'cat /run/r/file /run/a/file'
    add_mount '{"destination": "/run", "type": "tmpfs", "source": "tmpfs"}' \
        '{"destination": "/run/r", "source": "relative", "options": ["bind"]}' \
        '{"destination": "/run/a", "source": "'"$BATS_TEST_TMPDIR"'/absolute", "options": ["bind"]}'
    run sh -c "cd / && '$NOOK' --root '$NOOK_ROOT' run -b '$B' c1"
    assert_status 0
    [ "${lines[0]}" = from-relative ]
    [ "${lines[1]}" = from-absolute ]
}

# "A mount is a bind mount if it has either bind or rbind in the options."
# "For bind mounts (when options include either bind or rbind), the type is
# a dummy, often "none" (not listed in /proc/filesystems)."
@test "config.md#mounts: bind or rbind in the options makes a bind mount, whatever the type says" {
    mkdir "$BATS_TEST_TMPDIR/data"
    echo bound >"$BATS_TEST_TMPDIR/data/file"
    make_bundle "$B" sh -c 'cat /run/none/file /run/untyped/file /run/dummy/file'
    add_mount '{"destination": "/run", "type": "tmpfs", "source": "tmpfs"}' \
        '{"destination": "/run/none", "type": "none", "source": "'"$BATS_TEST_TMPDIR"'/data", "options": ["bind"]}' \
        '{"destination": "/run/untyped", "source": "'"$BATS_TEST_TMPDIR"'/data", "options": ["rbind"]}' \
        '{"destination": "/run/dummy", "type": "nook-dummy", "source": "'"$BATS_TEST_TMPDIR"'/data", "options": ["rbind"]}'
    run nook run -b "$B" c1
    assert_status 0
    [ "$output" = "$(printf 'bound\nbound\nbound')" ]
}

# "type (string, OPTIONAL) The type of the filesystem to be mounted.
# Linux: filesystem types supported by the kernel as listed in
# /proc/filesystems"; "For Linux, the parameters are as documented in
# mount(2) system call man page."
@test "config.md#posix-platform-mounts: type and source are the file system's, as mount(2) takes them" {
    make_bundle "$B" cat /proc/self/mountinfo
    add_mount '{"destination": "/run", "type": "tmpfs", "source": "conformance-tmpfs"}' \
        '{"destination": "/run/mq", "type": "mqueue", "source": "conformance-mqueue"}' \
        '{"destination": "/run/proc", "type": "proc", "source": "conformance-proc"}'
    run nook run -b "$B" c1
    assert_status 0
    for m in "/run tmpfs conformance-tmpfs" "/run/mq mqueue conformance-mqueue" "/run/proc proc conformance-proc"; do
        set -- $m
        [ "$(mountinfo_line "$1" | awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { print $(i+1), $(i+2); exit } }')" = "$2 $3" ] ||
            { echo "$1 is not $2 from $3: $(mountinfo_line "$1")" >&2; false; }
    done
}

# "Runtimes SHOULD treat unknown options as filesystem-specific ones and
# pass those as a comma-separated string to the fifth (const void *data)
# argument of mount(2)."
@test "config.md#linux-mount-options: options nook does not know go to the file system as data" {
    make_bundle "$B" sh -c 'cat /proc/self/mountinfo; stat -c %a /run'
    add_mount '{"destination": "/run", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "size=2m", "nr_inodes=1000", "mode=0711"]}'
    run nook run -b "$B" c1
    assert_status 0
    super=$(mountinfo_line /run | awk '{ print $NF }')
    has_opt "$super" size=2048k
    has_opt "$super" nr_inodes=1000
    has_opt "$super" mode=711
    [ "${lines[-1]}" = 711 ]
}

# The "MUST" options ro and rw ("Corresponds to mount(8)").
@test "config.md#linux-mount-options: ro and rw" {
    make_bundle "$B" sh -c 'cat /proc/self/mountinfo; touch /run/ro/x 2>&1; touch /run/rw/x && echo rw-written'
    add_mount '{"destination": "/run", "type": "tmpfs", "source": "tmpfs"}' \
        '{"destination": "/run/ro", "type": "tmpfs", "source": "tmpfs", "options": ["ro"]}' \
        '{"destination": "/run/rw", "type": "tmpfs", "source": "tmpfs", "options": ["ro", "rw"]}'
    run nook run -b "$B" c1
    assert_status 0
    has_opt "$(mount_opts /run/ro)" ro
    has_opt "$(mount_opts /run/rw)" rw
    assert_output_contains "Read-only file system"
    assert_output_contains rw-written
}

# The "MUST" options nosuid, suid, nodev, dev, noexec, exec.
@test "config.md#linux-mount-options: nosuid, suid, nodev, dev, noexec, exec" {
    make_bundle "$B" sh -c 'cat /proc/self/mountinfo; cp /bin/busybox /run/on/true && /run/on/true && echo exec-ran; cp /bin/busybox /run/off/true; /run/off/true 2>&1'
    add_mount '{"destination": "/run", "type": "tmpfs", "source": "tmpfs"}' \
        '{"destination": "/run/off", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev", "noexec"]}' \
        '{"destination": "/run/on", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev", "noexec", "suid", "dev", "exec"]}'
    run nook run -b "$B" c1
    off=$(mount_opts /run/off)
    on=$(mount_opts /run/on)
    for flag in nosuid nodev noexec; do
        has_opt "$off" $flag || { echo "/run/off lacks $flag: $off" >&2; false; }
    done
    ! has_opt "$on" nosuid || false
    ! has_opt "$on" noexec || false
    # A user namespace keeps nodev on what it mounts; dev is root's.
    [ "$NOOK_TEST_MODE" = rootless ] || ! has_opt "$on" nodev
    assert_output_contains exec-ran
    assert_output_contains "Permission denied"
}

# The "MUST" options noatime, atime, relatime, norelatime, strictatime,
# nostrictatime, nodiratime, diratime, as mount(8) has them: norelatime
# and nostrictatime only clear their flag, which leaves the kernel's
# default, relatime.
@test "config.md#linux-mount-options: the atime options" {
    make_bundle "$B" cat /proc/self/mountinfo
    local spec
    add_mount '{"destination": "/run", "type": "tmpfs", "source": "tmpfs"}'
    for spec in 'noatime:noatime' 'relatime:relatime' 'strictatime:' 'noatime,atime:relatime' \
        'relatime,norelatime:relatime' 'strictatime,nostrictatime:relatime' 'nodiratime:nodiratime' 'nodiratime,diratime:'; do
        opts=${spec%%:*}
        add_mount '{"destination": "/run/'"${opts//,/-}"'", "type": "tmpfs", "source": "tmpfs", "options": ["'"${opts//,/\", \"}"'"]}'
    done
    run nook run -b "$B" c1
    assert_status 0
    for spec in 'noatime:noatime' 'relatime:relatime' 'strictatime:' 'noatime,atime:relatime' \
        'relatime,norelatime:relatime' 'strictatime,nostrictatime:relatime' 'nodiratime:nodiratime' 'nodiratime,diratime:'; do
        opts=${spec%%:*}
        want=${spec#*:}
        got=$(mount_opts "/run/${opts//,/-}" | tr ',' '\n' | grep -E '^(no)?(rel|strict|dir)?atime$' | grep -v '^nodiratime$' | paste -sd,)
        if [ "$opts" = nodiratime ] || [ "$opts" = nodiratime,diratime ]; then
            got=$(mount_opts "/run/${opts//,/-}" | tr ',' '\n' | grep -x nodiratime || true)
        fi
        [ "$got" = "$want" ] || { echo "options $opts: got '$got', want '$want'" >&2; false; }
    done
}

# The "MUST" options sync, async, dirsync, lazytime, nolazytime, iversion,
# noiversion, silent, loud, defaults (and the "MAY" mand, nomand).
@test "config.md#linux-mount-options: sync, async, dirsync, lazytime, nolazytime, iversion, noiversion, silent, loud, defaults" {
    make_bundle "$B" cat /proc/self/mountinfo
    add_mount '{"destination": "/run", "type": "tmpfs", "source": "tmpfs"}' \
        '{"destination": "/run/on", "type": "tmpfs", "source": "tmpfs", "options": ["defaults", "sync", "dirsync", "lazytime", "iversion", "silent"]}' \
        '{"destination": "/run/off", "type": "tmpfs", "source": "tmpfs", "options": ["sync", "async", "lazytime", "nolazytime", "iversion", "noiversion", "silent", "loud"]}'
    run nook run -b "$B" c1
    assert_status 0
    on=$(mountinfo_line /run/on | awk '{ print $NF }')
    off=$(mountinfo_line /run/off | awk '{ print $NF }')
    for flag in sync dirsync lazytime; do
        has_opt "$on" $flag || { echo "/run/on lacks $flag: $on" >&2; false; }
    done
    ! has_opt "$off" sync || false
    ! has_opt "$off" lazytime || false
}

# The "MUST" options bind and rbind: "Bind mount", "Recursive bind mount".
@test "config.md#linux-mount-options: bind leaves the submounts out, rbind takes them along" {
    if [ "$NOOK_TEST_MODE" != root ]; then
        # Rootless, every host mount is locked in the container's user
        # namespace, and the kernel refuses a bind that would leave a locked
        # submount out (EINVAL), as for runc and crun: create fails, naming
        # the mount and why, and leaves nothing. The mounts nook made in the
        # container are not locked (own_tree): a bind of those leaves the
        # submount out, an rbind takes it along.
        make_bundle "$B" true
        add_mount '{"destination": "/run", "type": "tmpfs", "source": "tmpfs"}' \
            '{"destination": "/run/bind", "source": "/dev", "options": ["bind"]}'
        create_refused_one_line '"/run/bind"' "use rbind"
        rm "$B/config.json"
        make_bundle "$B" cat /proc/self/mountinfo
        own_tree
        add_mount '{"destination": "/run/bind", "source": "'"$TREE"'", "options": ["bind"]}' \
            '{"destination": "/run/rbind", "source": "'"$TREE"'", "options": ["rbind"]}'
        run nook run -b "$B" c2
        assert_status 0
        [ -n "$(mountinfo_line /run/bind)" ]
        [ -z "$(mountinfo_line /run/bind/sub)" ]
        [ -n "$(mountinfo_line /run/rbind/sub)" ]
        return 0
    fi
    make_bundle "$B" cat /proc/self/mountinfo
    submount_source
    add_mount '{"destination": "/run/bind", "source": "'"$SRC"'", "options": ["bind"]}' \
        '{"destination": "/run/rbind", "source": "'"$SRC"'", "options": ["rbind"]}'
    run nook run -b "$B" c1
    assert_status 0
    [ -n "$(mountinfo_line /run/bind)" ]
    [ -z "$(mountinfo_line /run/bind/$SUB)" ]
    [ -n "$(mountinfo_line /run/rbind/$SUB)" ]
}

# The "MUST" option remount.
@test "config.md#linux-mount-options: remount changes a mount made before" {
    make_bundle "$B" sh -c 'cat /proc/self/mountinfo; touch /run/x'
    add_mount '{"destination": "/run", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]}' \
        '{"destination": "/run", "type": "tmpfs", "source": "tmpfs", "options": ["remount", "ro", "size=2m"]}'
    run nook run -b "$B" c1
    [ "$status" -ne 0 ]
    [ "$(echo "$output" | awk '$5 == "/run"' | wc -l)" -eq 1 ]
    has_opt "$(mount_opts /run)" ro
    has_opt "$(mountinfo_line /run | awk '{ print $NF }')" size=2048k
    assert_output_contains "Read-only file system"
}

# The "MUST" options private, rprivate, shared, rshared, unbindable,
# runbindable ("Bind mount propagation").
@test "config.md#linux-mount-options: private, rprivate, shared, rshared, unbindable, runbindable" {
    mkdir "$BATS_TEST_TMPDIR/data"
    make_bundle "$B" cat /proc/self/mountinfo
    add_mount '{"destination": "/run", "type": "tmpfs", "source": "tmpfs"}'
    for p in private rprivate shared rshared unbindable runbindable; do
        add_mount '{"destination": "/run/'$p'", "source": "'"$BATS_TEST_TMPDIR"'/data", "options": ["rbind", "'$p'"]}'
    done
    run nook run -b "$B" c1
    assert_status 0
    # mountinfo's optional fields: "shared:N", "master:N", "unbindable".
    optional() { mountinfo_line "$1" | awk '{ s = ""; for (i = 7; $i != "-"; i++) s = s " " $i; print s }'; }
    for p in private rprivate; do
        [ -z "$(optional /run/$p)" ] || { echo "/run/$p: $(optional /run/$p)" >&2; false; }
    done
    for p in shared rshared; do
        [[ "$(optional /run/$p)" == *shared:* ]] || { echo "/run/$p: $(optional /run/$p)" >&2; false; }
    done
    for p in unbindable runbindable; do
        [[ "$(optional /run/$p)" == *unbindable* ]] || { echo "/run/$p: $(optional /run/$p)" >&2; false; }
    done
}

# The "MUST" options slave and rslave ("Bind mount propagation"): a slave
# receives what is mounted on its master, and sends nothing back.
@test "config.md#linux-mount-options: slave and rslave receive mounts from the source, and send none back" {
    src=$BATS_TEST_TMPDIR/shared-src
    mkdir -p "$src"
    if [ "$NOOK_TEST_MODE" != root ]; then
        # Rootless, the test cannot make a shared mount on the host for a
        # slave to follow. It makes one as root of a user namespace of its
        # own (as_userns_root), the host rootless podman gives its runtime,
        # and starts nook there with the same mounts: the same checks.
        make_bundle "$B" sh -c 'while [ ! -e /run/slave/later/file ]; do usleep 50000; done; cat /proc/self/mountinfo; mount -t tmpfs back /run/slave 2>&1 || echo mount-failed'
        add_mount '{"destination": "/run", "type": "tmpfs", "source": "tmpfs"}' \
            '{"destination": "/run/slave", "source": "'"$src"'", "options": ["bind", "slave"]}' \
            '{"destination": "/run/rslave", "source": "'"$src"'", "options": ["rbind", "rslave"]}'
        edit_config "$B" 'c["process"]["capabilities"] = {k: ["CAP_SYS_ADMIN"] for k in ("bounding", "effective", "permitted")}
c["linux"].pop("seccomp", None)'
        root_style_config
        cat >"$BATS_TEST_TMPDIR/host.sh" <<HOST
set -e
mount --bind "$src" "$src"
mount --make-shared "$src"
mkdir "$src/later"
"$NOOK" --root "$NOOK_ROOT" run -d -b "$B" c1 </dev/null >"$BATS_TEST_TMPDIR/container.out" 2>"$BATS_TEST_TMPDIR/container.err"
mount -t tmpfs later "$src/later"
echo there >"$src/later/file"
for i in \$(seq 100); do
    "$NOOK" --root "$NOOK_ROOT" state c1 | grep -q '"stopped"' && break
    sleep 0.1
done
if grep " $src .* - tmpfs back " /proc/self/mountinfo; then echo came-back; else echo none-back; fi
HOST
        run as_userns_root bash "$BATS_TEST_TMPDIR/host.sh"
        assert_status 0
        [ "${lines[-1]}" = none-back ] || { echo "the container's mount reached the source: $output" >&2; false; }
        [ "$(state_get c1 status)" = stopped ]
        output=$(cat "$BATS_TEST_TMPDIR/container.out")
        [[ "$(mountinfo_line /run/slave)" == *" master:"* ]]
        [[ "$(mountinfo_line /run/rslave)" == *" master:"* ]]
        [ -n "$(mountinfo_line /run/slave/later)" ]
        [[ "$output" != *mount-failed* ]] || { echo "the container could not mount on its slave: $output" >&2; false; }
        return 0
    fi
    mount --bind "$src" "$src"
    mount --make-shared "$src"
    mkdir "$src/later"
    make_bundle "$B" sh -c 'while [ ! -e /run/slave/later/file ]; do usleep 50000; done; cat /proc/self/mountinfo; mount -t tmpfs back /run/slave 2>&1 || echo mount-failed'
    add_mount '{"destination": "/run", "type": "tmpfs", "source": "tmpfs"}' \
        '{"destination": "/run/slave", "source": "'"$src"'", "options": ["bind", "slave"]}' \
        '{"destination": "/run/rslave", "source": "'"$src"'", "options": ["rbind", "rslave"]}'
    edit_config "$B" 'c["process"]["capabilities"] = {k: ["CAP_SYS_ADMIN"] for k in ("bounding", "effective", "permitted")}
c["linux"].pop("seccomp", None)'
    nook_detached run -d -b "$B" c1
    mount -t tmpfs later "$src/later"
    echo there >"$src/later/file"
    wait_for_status c1 stopped
    umount "$src/later" "$src"
    output=$(cat "$BATS_TEST_TMPDIR/container.out")
    [[ "$(mountinfo_line /run/slave)" == *" master:"* ]]
    [[ "$(mountinfo_line /run/rslave)" == *" master:"* ]]
    [ -n "$(mountinfo_line /run/slave/later)" ]
    ! grep -q " $src .* - tmpfs back " /proc/self/mountinfo || false
}

# The "SHOULD" recursive options ("These AT_RECURSIVE options need kernel
# 5.12 or later"): rro, rnosuid, rnodev, rnoexec, rnosymfollow reach every
# submount; rrw and rsymfollow clear what they set.
@test "config.md#linux-mount-options: rro, rnosuid, rnodev, rnoexec, rnosymfollow reach the submounts; rrw, rsymfollow clear them" {
    make_bundle "$B" cat /proc/self/mountinfo
    submount_source
    add_mount '{"destination": "/run/set", "source": "'"$SRC"'", "options": ["rbind", "rro", "rnosuid", "rnodev", "rnoexec", "rnosymfollow"]}' \
        '{"destination": "/run/cleared", "source": "'"$SRC"'", "options": ["rbind", "rro", "rnosymfollow", "rrw", "rsymfollow"]}'
    run nook run -b "$B" c1
    assert_status 0
    for m in /run/set /run/set/$SUB; do
        opts=$(mount_opts $m)
        for flag in ro nosuid nodev noexec nosymfollow; do
            has_opt "$opts" $flag || { echo "$m lacks $flag: $opts" >&2; false; }
        done
    done
    opts=$(mount_opts /run/cleared/$SUB)
    for flag in ro nosymfollow; do
        ! has_opt "$opts" $flag || { echo "/run/cleared/$SUB keeps $flag: $opts" >&2; false; }
    done
}

# The "SHOULD" recursive atime options: rnoatime, rnodiratime, ratime,
# rdiratime, rrelatime, rnorelatime, rstrictatime, rnostrictatime.
@test "config.md#linux-mount-options: the recursive atime options reach the submounts" {
    if [ "$NOOK_TEST_MODE" != root ]; then
        # Rootless, the host's mounts are locked in the container's user
        # namespace and the kernel refuses to change their atime options
        # (EPERM), as for runc and crun: create fails, naming the mount,
        # and leaves nothing. The mounts nook made in the container are
        # not locked (own_tree): on those the options apply as they do as
        # root.
        make_bundle "$B" true
        add_mount '{"destination": "/run", "type": "tmpfs", "source": "tmpfs"}' \
            '{"destination": "/run/set", "source": "/dev", "options": ["rbind", "rnoatime"]}'
        create_refused_one_line '"/run/set"' "cannot change the atime options"
        rm "$B/config.json"
        make_bundle "$B" cat /proc/self/mountinfo
        own_tree
        add_mount '{"destination": "/run/set", "source": "'"$TREE"'", "options": ["rbind", "rnoatime", "rnodiratime"]}' \
            '{"destination": "/run/cleared", "source": "'"$TREE"'", "options": ["rbind", "rnoatime", "rnodiratime", "ratime", "rdiratime"]}' \
            '{"destination": "/run/strict", "source": "'"$TREE"'", "options": ["rbind", "rstrictatime"]}' \
            '{"destination": "/run/norelatime", "source": "'"$TREE"'", "options": ["rbind", "rrelatime", "rnorelatime"]}' \
            '{"destination": "/run/relatime", "source": "'"$TREE"'", "options": ["rbind", "rstrictatime", "rnostrictatime"]}'
        run nook run -b "$B" c2
        assert_status 0
        opts=$(mount_opts /run/set/sub)
        has_opt "$opts" noatime && has_opt "$opts" nodiratime
        opts=$(mount_opts /run/cleared/sub)
        ! has_opt "$opts" noatime && ! has_opt "$opts" nodiratime || false
        ! has_opt "$(mount_opts /run/strict/sub)" relatime || false
        ! has_opt "$(mount_opts /run/norelatime/sub)" relatime || false
        has_opt "$(mount_opts /run/relatime/sub)" relatime
        return 0
    fi
    make_bundle "$B" cat /proc/self/mountinfo
    submount_source
    add_mount '{"destination": "/run/set", "source": "'"$SRC"'", "options": ["rbind", "rnoatime", "rnodiratime"]}' \
        '{"destination": "/run/cleared", "source": "'"$SRC"'", "options": ["rbind", "rnoatime", "rnodiratime", "ratime", "rdiratime"]}' \
        '{"destination": "/run/strict", "source": "'"$SRC"'", "options": ["rbind", "rstrictatime"]}' \
        '{"destination": "/run/norelatime", "source": "'"$SRC"'", "options": ["rbind", "rrelatime", "rnorelatime"]}' \
        '{"destination": "/run/relatime", "source": "'"$SRC"'", "options": ["rbind", "rstrictatime", "rnostrictatime"]}'
    run nook run -b "$B" c1
    assert_status 0
    opts=$(mount_opts /run/set/$SUB)
    has_opt "$opts" noatime && has_opt "$opts" nodiratime
    opts=$(mount_opts /run/cleared/$SUB)
    ! has_opt "$opts" noatime && ! has_opt "$opts" nodiratime || false
    ! has_opt "$(mount_opts /run/strict/$SUB)" relatime || false
    ! has_opt "$(mount_opts /run/norelatime/$SUB)" relatime || false
    has_opt "$(mount_opts /run/relatime/$SUB)" relatime
}

# The "SHOULD" options rsuid, rdev, rexec clear what rnosuid, rnodev,
# rnoexec set, on every submount.
@test "config.md#linux-mount-options: rsuid, rdev and rexec clear the flags on every submount" {
    if [ "$NOOK_TEST_MODE" != root ]; then
        # Rootless, the flags the host set on its mounts are locked in the
        # container's user namespace: clearing them is refused (EPERM), as
        # for runc and crun, and create fails naming the mount; flags the
        # host did not set are clear already. The mounts nook made in the
        # container are not locked (own_tree, made nosuid, nodev and noexec
        # here): on those rsuid, rdev and rexec clear the flags as they do
        # as root.
        make_bundle "$B" cat /proc/self/mountinfo
        add_mount '{"destination": "/run", "type": "tmpfs", "source": "tmpfs"}' \
            '{"destination": "/run/d", "source": "/dev", "options": ["rbind", "rsuid", "rdev", "rexec"]}'
        host_flags=$(awk '$5 == "/dev" || $5 ~ "^/dev/" { print $6 }' /proc/self/mountinfo | tr ',' '\n' |
            grep -E '^(nosuid|nodev|noexec)$' | sort -u | paste -sd,)
        nook_capture run -b "$B" c1
        if [ -n "$host_flags" ]; then
            [ "$status" -ne 0 ] || { echo "the host's $host_flags on /dev were cleared: $output" >&2; false; }
            [ "${#lines[@]}" -eq 1 ] || { echo "not one line: $output" >&2; false; }
            assert_output_contains '"/run/d"'
            assert_output_contains "clear the flags the host set"
            assert_no_leftovers c1 "$B"
        else
            assert_status 0
            for flag in nosuid nodev noexec; do
                ! has_opt "$(mount_opts /run/d/pts)" $flag || { echo "/run/d/pts has $flag: $output" >&2; false; }
            done
        fi
        rm "$B/config.json"
        make_bundle "$B" cat /proc/self/mountinfo
        own_tree '"nosuid", "nodev", "noexec"'
        add_mount '{"destination": "/run/d", "source": "'"$TREE"'", "options": ["rbind", "rnosuid", "rnodev", "rnoexec", "rsuid", "rdev", "rexec"]}'
        run nook run -b "$B" c2
        assert_status 0
        has_opt "$(mount_opts /run/src/sub)" nosuid || { echo "/run/src/sub is not nosuid: $output" >&2; false; }
        for m in /run/d /run/d/sub; do
            opts=$(mount_opts $m)
            for flag in nosuid nodev noexec; do
                ! has_opt "$opts" $flag || { echo "$m keeps $flag: $opts" >&2; false; }
            done
        done
        return 0
    fi
    make_bundle "$B" cat /proc/self/mountinfo
    submount_source
    add_mount '{"destination": "/run/d", "source": "'"$SRC"'", "options": ["rbind", "rnosuid", "rnodev", "rnoexec", "rsuid", "rdev", "rexec"]}'
    run nook run -b "$B" c1
    assert_status 0
    [ -n "$(mountinfo_line /run/d/$SUB)" ] || { echo "no /run/d/$SUB: $output" >&2; false; }
    opts=$(mount_opts /run/d/$SUB)
    for flag in nosuid nodev noexec; do
        ! has_opt "$opts" $flag || { echo "/run/d/$SUB keeps $flag: $opts" >&2; false; }
    done
}

# The "SHOULD" option nosymfollow (and symfollow, its opposite).
@test "config.md#linux-mount-options: nosymfollow stops symlinks from being followed, symfollow undoes it" {
    make_bundle "$B" sh -c 'cat /proc/self/mountinfo; for d in no yes; do ln -s /etc/hostname /run/$d/link; cat /run/$d/link 2>&1; done'
    add_mount '{"destination": "/run", "type": "tmpfs", "source": "tmpfs"}' \
        '{"destination": "/run/no", "type": "tmpfs", "source": "tmpfs", "options": ["nosymfollow"]}' \
        '{"destination": "/run/yes", "type": "tmpfs", "source": "tmpfs", "options": ["nosymfollow", "symfollow"]}'
    run nook run -b "$B" c1
    assert_status 0
    has_opt "$(mount_opts /run/no)" nosymfollow
    ! has_opt "$(mount_opts /run/yes)" nosymfollow || false
    assert_output_contains "symbolic links"
    [ "${lines[-1]}" = nook ]
}

# The "SHOULD" options idmap and ridmap: "Indicates that the mount MUST
# have an idmapping applied. ... If uidMappings or gidMappings are
# specified for the mount, the runtime MUST use those values for the
# mount's mapping." (ridmap: "... applied recursively")
# The mappings read as runc and crun read them: an id the file system
# gives as containerID is seen through the mount as hostID.
@test "config.md#linux-mount-options: idmap applies the mount's uidMappings and gidMappings" {
    if [ "$NOOK_TEST_MODE" != root ]; then
        # Rootless, an idmapped mount needs CAP_SYS_ADMIN over the source's
        # file system, which belongs to the host: the runtime-spec lets a
        # runtime fail what it cannot do, and create fails in one line
        # naming the mount and why, leaving nothing.
        make_bundle "$B" true
        add_mount '{"destination": "/run", "type": "tmpfs", "source": "tmpfs"}' \
            '{"destination": "/run/idmap", "source": "'"$BATS_TEST_TMPDIR"'", "options": ["rbind", "idmap"], "uidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}], "gidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}]}'
        create_refused_one_line ".mounts[8]" CAP_SYS_ADMIN
        return 0
    fi
    D=$BATS_TEST_TMPDIR/data
    mkdir -p "$D/sub" "$BATS_TEST_TMPDIR/other"
    touch "$D/file" "$D/stranger" "$BATS_TEST_TMPDIR/other/file"
    chown 7:8 "$D/file" "$BATS_TEST_TMPDIR/other/file"
    chown 9:9 "$D/stranger"
    make_bundle "$B" sh -c 'for m in idmap ridmap mapped plain; do echo "$m $(stat -c %u:%g /run/$m/file /run/$m/sub/file /run/$m/stranger | paste -sd" ")"; done'
    maps='"uidMappings": [{"containerID": 7, "hostID": 1000, "size": 1}], "gidMappings": [{"containerID": 8, "hostID": 1001, "size": 1}]'
    add_mount '{"destination": "/run", "type": "tmpfs", "source": "tmpfs"}' \
        '{"destination": "/run/idmap", "source": "'"$D"'", "options": ["rbind", "idmap"], '"$maps"'}' \
        '{"destination": "/run/ridmap", "source": "'"$D"'", "options": ["rbind", "ridmap"], '"$maps"'}' \
        '{"destination": "/run/mapped", "source": "'"$D"'", "options": ["rbind", "ro"], '"$maps"'}' \
        '{"destination": "/run/plain", "source": "'"$D"'", "options": ["rbind"]}'
    # data/sub is a mount of its own, in a mount namespace of the test's.
    run unshare --mount --propagation private sh -c 'mount --bind "$1/other" "$1/data/sub" && exec "$2" --root "$3" run -b "$4" c1' \
        sh "$BATS_TEST_TMPDIR" "$NOOK" "$NOOK_ROOT" "$B"
    assert_status 0
    # idmap: the mount itself, not the one below it; ridmap: both; the
    # mappings without either word: as idmap; an id outside the mappings
    # is nobody's (the overflow id); a plain bind shows the ids as they are.
    nobody=$(cat /proc/sys/kernel/overflowuid):$(cat /proc/sys/kernel/overflowgid)
    [ "$output" = "$(printf '%s\n' "idmap 1000:1001 7:8 $nobody" "ridmap 1000:1001 1000:1001 $nobody" \
        "mapped 1000:1001 7:8 $nobody" "plain 7:8 7:8 9:9")" ] || { echo "got: $output" >&2; false; }
    # The options stay the mount's own: "ro" still applies.
    edit_config "$B" "c['process']['args'] = ['sh', '-c', 'touch /run/mapped/new 2>&1 || echo read-only']"
    run nook run -b "$B" c2
    assert_output_contains read-only
}

# "If they are not specified, the runtime MAY use the container's user
# namespace mapping, otherwise an error MUST be returned. If there are no
# uidMappings and gidMappings specified and the container isn't using user
# namespaces, an invalid argument error MUST be returned."
@test "config.md#linux-mount-options: idmap without mappings takes the container's user namespace mappings, or is an error" {
    D=$BATS_TEST_TMPDIR/data
    mkdir "$D"
    touch "$D/file"
    make_bundle "$B" sh -c 'stat -c %u:%g /run/idmap/file /run/plain/file | paste -sd" "'
    add_mount '{"destination": "/run", "type": "tmpfs", "source": "tmpfs"}' \
        '{"destination": "/run/idmap", "source": "'"$D"'", "options": ["bind", "idmap"]}' \
        '{"destination": "/run/plain", "source": "'"$D"'", "options": ["bind"]}'
    if [ "$NOOK_TEST_MODE" != root ]; then
        # Rootless, an idmapped mount needs CAP_SYS_ADMIN over the source's
        # file system, which belongs to the host: with the container's
        # user namespace, create fails in one line naming the mount and
        # why, leaving nothing. Without one (nook as root of a user
        # namespace of the test's, as_userns_root, and a bundle without a
        # user namespace) it is the invalid-argument error the spec asks
        # for, before any question of privilege.
        create_refused_one_line ".mounts[8]" CAP_SYS_ADMIN
        root_style_config
        run as_userns_root "$NOOK" --root "$NOOK_ROOT" create -b "$B" c2
        [ "$status" -ne 0 ]
        [ "${#lines[@]}" -eq 1 ] || { echo "not one line: $output" >&2; false; }
        assert_output_contains ".mounts[8]"
        assert_output_contains "user namespace"
        [[ "$output" != *CAP_SYS_ADMIN* ]] || { echo "not an invalid-argument error: $output" >&2; false; }
        assert_no_leftovers c2 "$B"
        return 0
    fi
    nook_capture create -b "$B" c1
    [ "$status" -ne 0 ]
    assert_output_contains "user namespace"
    assert_no_leftovers c1 "$B"

    # The container's root is 200000 on the host: let it reach the bundle.
    d=$BATS_TEST_TMPDIR
    while [ "$d" != / ] && [ "$d" != /tmp ]; do chmod o+x "$d"; d=${d%/*}; d=${d:-/}; done
    edit_config "$B" 'c["linux"]["namespaces"].append({"type": "user"})
c["linux"]["uidMappings"] = [{"containerID": 0, "hostID": 200000, "size": 1000}]
c["linux"]["gidMappings"] = [{"containerID": 0, "hostID": 300000, "size": 1000}]'
    run nook run -b "$B" c2
    assert_status 0
    # The host's root owns the file: through the idmapped mount it is the
    # container's root's, through a plain bind nobody's.
    nobody=$(cat /proc/sys/kernel/overflowuid):$(cat /proc/sys/kernel/overflowgid)
    [ "$output" = "0:0 $nobody" ] || { echo "got: $output" >&2; false; }
}

# ---- Process ------------------------------------------------------------------

# tty helpers: nook-recvtty receives the console of a terminal container.
start_recvtty() {
    SOCK=$BATS_TEST_TMPDIR/tty.sock
    : >"$BATS_TEST_TMPDIR/tty.in"
    timeout 30 "$NOOK_RECVTTY" "$SOCK" <"$BATS_TEST_TMPDIR/tty.in" >"$BATS_TEST_TMPDIR/tty.out" 2>"$BATS_TEST_TMPDIR/tty.err" &
    RECVTTY_PID=$!
    for _ in $(seq 100); do
        [ -S "$SOCK" ] && return 0
        sleep 0.05
    done
    echo "nook-recvtty never listened: $(cat "$BATS_TEST_TMPDIR/tty.err")" >&2
    return 1
}

wait_recvtty() {
    wait "$RECVTTY_PID" || true
    RECVTTY_PID=
    output=$(tr -d '\r' <"$BATS_TEST_TMPDIR/tty.out")
}

# "terminal (bool, OPTIONAL) specifies whether a terminal is attached to
# the process, defaults to false. As an example, if set to true on Linux a
# pseudoterminal pair is allocated for the process and the pseudoterminal
# pty is duplicated on the process's standard streams."
@test "config.md#process: terminal true puts a pseudoterminal on the process's standard streams" {
    : "${NOOK_RECVTTY:?run through meson test, which builds nook-recvtty}"
    make_bundle "$B" sh -c 'for fd in 0 1 2; do [ -t $fd ] && echo "fd$fd:tty:$(readlink /proc/$$/fd/$fd)"; done'
    edit_config "$B" 'c["process"]["terminal"] = True'
    start_recvtty
    nook_detached create --console-socket "$SOCK" -b "$B" c1
    nook start c1
    wait_recvtty
    # One pseudoterminal on all three.
    pty=$(echo "$output" | sed -n 's/^fd0:tty://p')
    [[ "$pty" == /dev/pts/* ]]
    assert_output_contains "fd1:tty:$pty"
    assert_output_contains "fd2:tty:$pty"
}

# "terminal (bool, OPTIONAL) specifies whether a terminal is attached to
# the process, defaults to false."
@test "config.md#process: without terminal the process keeps the caller's standard streams, no terminal" {
    make_bundle "$B" sh -c 'for fd in 0 1 2; do [ -t $fd ] && echo "fd$fd:tty"; done; echo to-out; echo to-err >&2'
    edit_config "$B" 'c["process"].pop("terminal", None)'
    nook run -b "$B" c1 </dev/null >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err"
    [ "$(cat "$BATS_TEST_TMPDIR/out")" = to-out ]
    [ "$(cat "$BATS_TEST_TMPDIR/err")" = to-err ]
}

# "consoleSize (object, OPTIONAL) specifies the console size in characters
# of the terminal. Runtimes MUST ignore consoleSize if terminal is false or
# unset."
@test "config.md#process: consoleSize sets the terminal's size, and is ignored without a terminal" {
    : "${NOOK_RECVTTY:?run through meson test, which builds nook-recvtty}"
    make_bundle "$B" stty size
    edit_config "$B" 'c["process"]["terminal"] = True; c["process"]["consoleSize"] = {"height": 33, "width": 111}'
    start_recvtty
    nook_detached create --console-socket "$SOCK" -b "$B" c1
    nook start c1
    wait_recvtty
    [ "$(echo "$output" | tail -n1)" = "33 111" ]
    edit_config "$B" 'c["process"]["terminal"] = False'
    nook_capture run -b "$B" c2
    [ "$status" -ne 0 ]
    assert_output_contains "stty: standard input"
    edit_config "$B" 'c["process"]["args"] = ["echo", "ran"]'
    run nook run -b "$B" c3
    assert_status 0
    [ "$output" = ran ]
}

# "cwd (string, REQUIRED) is the working directory that will be set for
# the executable. This value MUST be an absolute path."
@test "config.md#process: cwd is the program's working directory" {
    make_bundle "$B" pwd
    edit_config "$B" 'c["process"]["cwd"] = "/usr/sbin"'
    run nook run -b "$B" c1
    assert_status 0
    [ "$output" = /usr/sbin ]
    edit_config "$B" 'c["process"]["cwd"] = "usr"'
    run nook run -b "$B" c2
    [ "$status" -ne 0 ]
    assert_output_contains cwd
}

# "env (array of strings, OPTIONAL) with the same semantics as IEEE Std
# 1003.1-2008's environ."
@test "config.md#process: env is the program's environment, and nothing of the caller's leaks in" {
    make_bundle "$B" cat /proc/self/environ
    edit_config "$B" 'c["process"]["env"] = ["PATH=/bin:/usr/bin", "ONE=1", "EMPTY=", "WITH=equals=inside", "HOME=/root"]'
    NOOK_CONFORMANCE_LEAK=1 nook run -b "$B" c1 >"$BATS_TEST_TMPDIR/environ"
    env=$(tr '\0' '\n' <"$BATS_TEST_TMPDIR/environ")
    for e in PATH=/bin:/usr/bin ONE=1 EMPTY= WITH=equals=inside HOME=/root; do
        echo "$env" | grep -qxF "$e" || { echo "missing $e in: $env" >&2; false; }
    done
    ! echo "$env" | grep -q NOOK_CONFORMANCE_LEAK || false
}

# "args (array of strings, OPTIONAL) with similar semantics to IEEE Std
# 1003.1-2008 execvp's argv. This specification extends the IEEE standard
# in that at least one entry is REQUIRED (non-Windows), and that entry is
# used with the same semantics as execvp's file."
@test "config.md#process: args[0] is found as execvp finds a file: through PATH, or as a path when it has a slash" {
    make_bundle "$B" busybox echo found-in-path
    edit_config "$B" 'c["process"]["env"] = ["PATH=/nonexistent:/bin"]'
    run nook run -b "$B" c1
    assert_status 0
    [ "$output" = found-in-path ]
    edit_config "$B" 'c["process"]["args"] = ["./busybox", "echo", "found-from-cwd"]; c["process"]["cwd"] = "/bin"'
    run nook run -b "$B" c2
    assert_status 0
    [ "$output" = found-from-cwd ]
    edit_config "$B" 'c["process"]["args"] = ["/bin/busybox", "echo", "absolute"]'
    run nook run -b "$B" c3
    assert_status 0
    [ "$output" = absolute ]
}

# "... that entry is used with the same semantics as execvp's file." (a
# file that cannot be found is an error, and nothing runs)
@test "config.md#process: an args[0] that cannot be found is an error" {
    make_bundle "$B" nook-no-such-program
    nook_capture run -b "$B" c1
    [ "$status" -ne 0 ]
    assert_output_contains nook-no-such-program
    assert_no_leftovers c1 "$B"
}

# "For each entry in rlimits, a getrlimit(3) on type MUST succeed. ...
# rlim.rlim_cur MUST match the configured value. ... rlim.rlim_max MUST
# match the configured value."
@test "config.md#posix-process: rlimits: each soft and hard limit is the process's" {
    make_bundle "$B" cat /proc/self/limits
    edit_config "$B" 'c["process"]["rlimits"] = [
    {"type": "RLIMIT_NOFILE", "soft": 100, "hard": 200},
    {"type": "RLIMIT_MSGQUEUE", "soft": 4096, "hard": 8192},
    {"type": "RLIMIT_CORE", "soft": 0, "hard": 0}]'
    run nook run -b "$B" c1
    assert_status 0
    [ "$(echo "$output" | awk '/^Max open files/ { print $4, $5 }')" = "100 200" ]
    [ "$(echo "$output" | awk '/^Max msgqueue size/ { print $4, $5 }')" = "4096 8192" ]
    [ "$(echo "$output" | awk '/^Max core file size/ { print $5, $6 }')" = "0 0" ]
}

# "The runtime MUST generate an error for any values which cannot be mapped
# to a relevant kernel interface."
@test "config.md#posix-process: rlimits: a type the kernel does not have is an error" {
    make_bundle "$B" true
    edit_config "$B" 'c["process"]["rlimits"] = [{"type": "RLIMIT_NOOK", "soft": 1, "hard": 1}]'
    nook_capture run -b "$B" c1
    [ "$status" -ne 0 ]
    assert_output_contains RLIMIT_NOOK
    assert_no_leftovers c1 "$B"
}

# "If rlimits contains duplicated entries with same type, the runtime MUST
# generate an error."
@test "config.md#posix-process: rlimits: a type given twice is an error" {
    make_bundle "$B" true
    edit_config "$B" 'c["process"]["rlimits"] = [{"type": "RLIMIT_NOFILE", "soft": 10, "hard": 10}, {"type": "RLIMIT_NOFILE", "soft": 20, "hard": 20}]'
    nook_capture run -b "$B" c1
    [ "$status" -ne 0 ]
    assert_output_contains RLIMIT_NOFILE
    assert_no_leftovers c1 "$B"
}

# "bounding ... inheritable ... ambient (array of strings, OPTIONAL) the
# ... field is an array of ... capabilities that are kept for the process."
# (A non-root process's permitted and effective sets after execve are its
# ambient set: the kernel's rule, which the runtime cannot change.)
@test "config.md#linux-process: capabilities: the bounding, inheritable and ambient sets of a non-root process" {
    make_bundle "$B" grep ^Cap /proc/self/status
    edit_config "$B" 'c["process"]["user"] = {"uid": 1000, "gid": 1000}
c["process"]["capabilities"] = {
    "bounding": ["CAP_CHOWN", "CAP_KILL", "CAP_SETUID", "CAP_NET_BIND_SERVICE"],
    "permitted": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
    "effective": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
    "inheritable": ["CAP_KILL", "CAP_NET_BIND_SERVICE"],
    "ambient": ["CAP_KILL", "CAP_NET_BIND_SERVICE"]}'
    run nook run -b "$B" c1
    assert_status 0
    assert_output_contains "CapBnd:	$(cap_mask CAP_CHOWN CAP_KILL CAP_SETUID CAP_NET_BIND_SERVICE)"
    assert_output_contains "CapInh:	$(cap_mask CAP_KILL CAP_NET_BIND_SERVICE)"
    assert_output_contains "CapAmb:	$(cap_mask CAP_KILL CAP_NET_BIND_SERVICE)"
    assert_output_contains "CapPrm:	$(cap_mask CAP_KILL CAP_NET_BIND_SERVICE)"
    assert_output_contains "CapEff:	$(cap_mask CAP_KILL CAP_NET_BIND_SERVICE)"
}

# "effective ... permitted ... bounding (array of strings, OPTIONAL)" for
# root: execve gives root its whole bounding set as permitted and effective.
@test "config.md#linux-process: capabilities: root's bounding set is the configured one, and nothing beyond it" {
    make_bundle "$B" grep ^Cap /proc/self/status
    edit_config "$B" 'c["process"]["capabilities"] = {k: ["CAP_CHOWN", "CAP_KILL"] for k in ("bounding", "permitted", "effective")}'
    run nook run -b "$B" c1
    assert_status 0
    for set in CapBnd CapPrm CapEff; do
        assert_output_contains "$set:	$(cap_mask CAP_CHOWN CAP_KILL)"
    done
    assert_output_contains "CapInh:	0000000000000000"
}

# "Any value which cannot be mapped to a relevant kernel interface, or
# cannot be granted otherwise MUST be logged as a warning by the runtime.
# Runtimes SHOULD NOT fail if the container configuration requests
# capabilities that cannot be granted"
@test "config.md#linux-process: capabilities: one that cannot be granted is a warning, and the process runs" {
    make_bundle "$B" grep ^CapBnd /proc/self/status
    edit_config "$B" 'for s in ("bounding", "effective", "permitted"): c["process"]["capabilities"][s] = ["CAP_KILL", "CAP_NOOK_UNKNOWN"]'
    run nook run -b "$B" c1
    assert_status 0
    assert_output_contains warning
    assert_output_contains CAP_NOOK_UNKNOWN
    assert_output_contains "CapBnd:	$(cap_mask CAP_KILL)"
}

# "noNewPrivileges (bool, OPTIONAL) setting noNewPrivileges to true
# prevents the process from gaining additional privileges."
@test "config.md#linux-process: noNewPrivileges true sets no_new_privs, false leaves it off" {
    make_bundle "$B" grep ^NoNewPrivs /proc/self/status
    edit_config "$B" 'c["process"]["noNewPrivileges"] = True'
    run nook run -b "$B" c1
    assert_status 0
    [ "$output" = "NoNewPrivs:	1" ]
    edit_config "$B" 'c["process"]["noNewPrivileges"] = False; c["linux"].pop("seccomp", None)'
    run nook run -b "$B" c2
    assert_status 0
    [ "$output" = "NoNewPrivs:	0" ]
}

# "If oomScoreAdj is set, the runtime MUST set oom_score_adj to the given
# value."
@test "config.md#linux-process: oomScoreAdj is written to the process's oom_score_adj" {
    make_bundle "$B" cat /proc/self/oom_score_adj
    want=$(( $(cat /proc/self/oom_score_adj) + 7 ))
    edit_config "$B" "c['process']['oomScoreAdj'] = $want"
    run nook run -b "$B" c1
    assert_status 0
    [ "$output" = "$want" ]
}

# "If oomScoreAdj is not set, the runtime MUST NOT change the value of
# oom_score_adj."
@test "config.md#linux-process: without oomScoreAdj the process keeps the caller's oom_score_adj" {
    make_bundle "$B" cat /proc/self/oom_score_adj
    edit_config "$B" 'c["process"].pop("oomScoreAdj", None)'
    want=$(( $(cat /proc/self/oom_score_adj) + 3 ))
    run sh -c "echo $want >/proc/self/oom_score_adj && exec '$NOOK' --root '$NOOK_ROOT' run -b '$B' c1"
    assert_status 0
    [ "$output" = "$want" ]
}

# "uid (int, REQUIRED) specifies the user ID in the container namespace.
# gid (int, REQUIRED) specifies the group ID in the container namespace.
# ... additionalGids (array of ints, OPTIONAL) specifies additional group
# IDs in the container namespace to be added to the process."
@test "config.md#posix-platform-user: uid, gid and additionalGids are the process's ids in the container" {
    make_bundle "$B" sh -c 'id -u; id -g; id -G'
    edit_config "$B" 'c["process"]["user"] = {"uid": 1000, "gid": 1001, "additionalGids": [5, 6]}'
    run nook run -b "$B" c1
    assert_status 0
    [ "${lines[0]}" = 1000 ]
    [ "${lines[1]}" = 1001 ]
    [ "$(echo "${lines[2]}" | tr ' ' '\n' | sort -n | paste -sd' ')" = "5 6 1001" ]
}

# "umask (int, OPTIONAL) specifies the umask of the user."
@test "config.md#posix-platform-user: umask is the process's umask" {
    make_bundle "$B" sh -c umask
    edit_config "$B" 'c["process"]["user"]["umask"] = 0o027'
    run nook run -b "$B" c1
    assert_status 0
    [ "$output" = 0027 ]
}

# ---- Hostname, domainname -----------------------------------------------------

# "hostname (string, OPTIONAL) specifies the container's hostname as seen by
# processes running inside the container. On Linux, for example, this will
# change the hostname in the container UTS namespace."
@test "config.md#hostname: hostname is the container's, and the host's stays" {
    make_bundle "$B" hostname
    edit_config "$B" 'c["hostname"] = "conformance-host"'
    before=$(hostname)
    run nook run -b "$B" c1
    assert_status 0
    [ "$output" = conformance-host ]
    [ "$(hostname)" = "$before" ]
}

# "domainname (string, OPTIONAL) specifies the container's domainname as
# seen by processes running inside the container. On Linux, for example,
# this will change the domainname in the container UTS namespace."
@test "config.md#domainname: domainname is the container's, and the host's stays" {
    make_bundle "$B" cat /proc/sys/kernel/domainname
    edit_config "$B" 'c["domainname"] = "conformance.test"'
    before=$(cat /proc/sys/kernel/domainname)
    run nook run -b "$B" c1
    assert_status 0
    [ "$output" = conformance.test ]
    [ "$(cat /proc/sys/kernel/domainname)" = "$before" ]
}

# ---- Hooks --------------------------------------------------------------------

# "Hooks MUST be called in the listed order."
@test "config.md#posix-platform-hooks: the hooks of one point run in the listed order" {
    hooks_bundle
    for point in createRuntime poststart; do
        for n in 1 2 3; do
            add_hook $point /bin/sh "['sh', '-c', 'echo $point-$n >>$H/order']"
        done
    done
    nook_detached run -d -b "$B" c1
    [ "$(paste -sd' ' "$H/order")" = "createRuntime-1 createRuntime-2 createRuntime-3 poststart-1 poststart-2 poststart-3" ]
}

# "The state of the container MUST be passed to hooks over stdin so that
# they may do work appropriate to the current state of the container."
@test "config.md#posix-platform-hooks: every hook gets the container's state on stdin" {
    hooks_bundle
    edit_config "$B" 'c["annotations"] = {"org.example.hooks": "yes"}'
    for point in prestart createRuntime createContainer poststart poststop; do
        add_hook $point "$H/probe.sh" "['probe', '$point']"
    done
    add_hook startContainer /home/probe.sh "['probe', 'startContainer']"
    nook_detached run -d -b "$B" c1
    nook delete --force c1
    for point in prestart createRuntime createContainer startContainer poststart poststop; do
        "$NOOK_PYTHON" - "$H/state.$point" "$B" "$point" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
assert s["id"] == "c1" and s["bundle"] == sys.argv[2], (sys.argv[3], s)
assert s["ociVersion"] and s["status"], (sys.argv[3], s)
assert s.get("annotations") == {"org.example.hooks": "yes"}, (sys.argv[3], s)
PY
    done
}

# "path (string, REQUIRED) with similar semantics to IEEE Std 1003.1-2008
# execv's path. ... args (array of strings, OPTIONAL) with the same
# semantics as IEEE Std 1003.1-2008 execv's argv. env (array of strings,
# OPTIONAL) with the same semantics as IEEE Std 1003.1-2008's environ."
@test "config.md#posix-platform-hooks: path is executed with args as its argv and env as its environment" {
    [ -x /bin/busybox ] || skip "the host has no /bin/busybox to run as a hook"
    hooks_bundle
    # busybox picks its applet from argv[0]: "cp" runs only if args[0] is argv[0].
    add_hook createRuntime /bin/busybox "['cp', '/proc/self/environ', '$H/environ']" ", env=['HOOK_ONE=1', 'HOOK_TWO=two words']"
    add_hook createRuntime /bin/busybox "['cp', '/proc/self/cmdline', '$H/cmdline']"
    NOOK_CONFORMANCE_LEAK=1 nook_detached create -b "$B" c1
    [ "$(tr '\0' '\n' <"$H/environ")" = "$(printf 'HOOK_ONE=1\nHOOK_TWO=two words')" ]
    [ "$(tr '\0' ' ' <"$H/cmdline")" = "cp /proc/self/cmdline $H/cmdline " ]
}

# "timeout (int, OPTIONAL) is the number of seconds before aborting the
# hook. If set, timeout MUST be greater than zero."
@test "config.md#posix-platform-hooks: a hook running past its timeout is aborted" {
    hooks_bundle
    add_hook createRuntime /bin/sh "['sh', '-c', 'sleep 30']" ", timeout=1"
    start=$SECONDS
    nook_capture create -b "$B" c1
    [ "$status" -ne 0 ]
    [ $((SECONDS - start)) -lt 10 ]
    ! pgrep -f "sleep 30" -u "$(id -u)" >/dev/null || false
    assert_no_leftovers c1 "$B"
}

# "The prestart hooks MUST be called as part of the create operation after
# the runtime environment has been created (according to the configuration
# in config.json) but before the pivot_root or any equivalent operation has
# been executed. ... The prestart hooks MUST be called before the
# createRuntime hooks. ... The prestart hooks' path MUST resolve in the
# runtime namespace. The prestart hooks MUST be executed in the runtime
# namespace."
@test "config.md#prestart: prestart runs at create, before createRuntime, before pivot_root, in the runtime namespace" {
    hooks_bundle
    add_mount '{"destination": "/run", "type": "tmpfs", "source": "conformance-prestart"}'
    add_hook createRuntime "$H/probe.sh" "['probe', 'createRuntime']"
    add_hook prestart "$H/probe.sh" "['probe', 'prestart']"
    nook_detached create -b "$B" c1
    [ "$(logged)" = "prestart createRuntime" ]
    [ "$(ns_recorded prestart mnt)" = "$(ns_of $$ mnt)" ]
    [ "$(ns_recorded prestart user)" = "$(ns_of $$ user)" ]
    [ "$(json_get pid <"$H/state.prestart")" = "$(init_pid c1)" ]
    # The container's mounts are made, its root not yet switched.
    grep -q ' - tmpfs conformance-prestart ' "$H/init-mountinfo.prestart"
    before_pivot "$H/init-mountinfo.prestart"
}

# "The createRuntime hooks MUST be called as part of the create operation
# after the runtime environment has been created (according to the
# configuration in config.json) but before the pivot_root or any equivalent
# operation has been executed. The createRuntime hooks' path MUST resolve
# in the runtime namespace. The createRuntime hooks MUST be executed in the
# runtime namespace."
@test "config.md#createruntime-hooks: createRuntime runs at create, before pivot_root, in the runtime namespace" {
    hooks_bundle
    add_mount '{"destination": "/run", "type": "tmpfs", "source": "conformance-createruntime"}'
    add_hook createRuntime "$H/probe.sh" "['probe', 'createRuntime']"
    nook_detached create -b "$B" c1
    [ "$(logged)" = createRuntime ]
    [ "$(ns_recorded createRuntime mnt)" = "$(ns_of $$ mnt)" ]
    [ "$(ns_recorded createRuntime user)" = "$(ns_of $$ user)" ]
    [ "$(ns_recorded createRuntime pid)" = "$(ns_of $$ pid)" ]
    [ "$(json_get pid <"$H/state.createRuntime")" = "$(init_pid c1)" ]
    grep -q ' - tmpfs conformance-createruntime ' "$H/init-mountinfo.createRuntime"
    before_pivot "$H/init-mountinfo.createRuntime"
    [ ! -e "$H/ran" ]
}

# "The createContainer hooks MUST be called as part of the create operation
# after the runtime environment has been created (according to the
# configuration in config.json) but before the pivot_root or any equivalent
# operation has been executed. The createContainer hooks MUST be called
# after the createRuntime hooks. The createContainer hooks' path MUST
# resolve in the runtime namespace. The createContainer hooks MUST be
# executed in the container namespace."
@test "config.md#createcontainer-hooks: createContainer runs at create, after createRuntime, before pivot_root, in the container namespace" {
    hooks_bundle
    add_mount '{"destination": "/run", "type": "tmpfs", "source": "conformance-createcontainer"}'
    add_hook createContainer "$H/probe.sh" "['probe', 'createContainer']"
    add_hook createRuntime "$H/probe.sh" "['probe', 'createRuntime']"
    nook_detached create -b "$B" c1
    [ "$(logged)" = "createRuntime createContainer" ]
    pid=$(init_pid c1)
    for ns in mnt user uts ipc; do
        [ "$(ns_recorded createContainer $ns)" = "$(ns_of "$pid" $ns)" ] ||
            { echo "createContainer ran outside the container's $ns namespace" >&2; false; }
    done
    grep -q ' - tmpfs conformance-createcontainer ' "$H/self-mountinfo.createContainer"
    before_pivot "$H/self-mountinfo.createContainer"
}

# "For hooks executed in the container namespace, it is the pid as seen by
# the container." (runtime.md, State: pid)
@test "config.md#createcontainer-hooks: the state's pid is the container process as the container sees it" {
    hooks_bundle
    add_hook createContainer "$H/probe.sh" "['probe', 'createContainer']"
    nook_detached create -b "$B" c1
    [ "$(json_get pid <"$H/state.createContainer")" = 1 ]
}

# "The startContainer hooks MUST be called before the user-specified
# process is executed as part of the start operation. ... The
# startContainer hooks' path MUST resolve in the container namespace. The
# startContainer hooks MUST be executed in the container namespace."
@test "config.md#startcontainer-hooks: startContainer runs at start, before the program, in the container namespace" {
    hooks_bundle
    add_hook startContainer /home/probe.sh "['probe', 'startContainer']"
    nook_detached create -b "$B" c1
    [ "$(logged)" = "" ]
    pid=$(init_pid c1)
    nook start c1
    wait_for_file "$H/ran"
    # The path, /home/probe.sh, exists only inside the container; the
    # program had not run yet when the hook did (probe.sh would have
    # logged "program-ran" first).
    [ "$(logged)" = startContainer ]
    for ns in mnt user uts ipc pid; do
        [ "$(ns_recorded startContainer $ns)" = "$(ns_of "$pid" $ns)" ] ||
            { echo "startContainer ran outside the container's $ns namespace" >&2; false; }
    done
    ! before_pivot "$H/self-mountinfo.startContainer" || false
}

# "For hooks executed in the container namespace, it is the pid as seen by
# the container." (runtime.md, State: pid)
@test "config.md#startcontainer-hooks: the state's pid is the container process as the container sees it" {
    hooks_bundle
    add_hook startContainer /home/probe.sh "['probe', 'startContainer']"
    nook_detached run -d -b "$B" c1
    [ "$(json_get pid <"$H/state.startContainer")" = 1 ]
}

# "The poststart hooks MUST be called after the user-specified process is
# executed but before the start operation returns. ... The poststart hooks'
# path MUST resolve in the runtime namespace. The poststart hooks MUST be
# executed in the runtime namespace."
@test "config.md#poststart: poststart runs after the program is executed, before start returns, in the runtime namespace" {
    hooks_bundle
    add_hook poststart /bin/sh "['sh', '-c', 'sleep 1; echo late >$H/poststart-done']"
    add_hook poststart "$H/probe.sh" "['probe', 'poststart']"
    nook_detached create -b "$B" c1
    nook start c1
    # start returned only after the (slow) hook had finished.
    [ -e "$H/poststart-done" ]
    [ "$(ns_recorded poststart mnt)" = "$(ns_of $$ mnt)" ]
    [ "$(ns_recorded poststart user)" = "$(ns_of $$ user)" ]
    # The container process was already the user-specified program.
    [ "$(cat "$H/init-cmdline.poststart")" = "sleep 100 " ]
}

# "The poststop hooks MUST be called after the container is deleted but
# before the delete operation returns. ... The poststop hooks' path MUST
# resolve in the runtime namespace. The poststop hooks MUST be executed in
# the runtime namespace."
@test "config.md#poststop: poststop runs after the container is deleted, before delete returns, in the runtime namespace" {
    hooks_bundle
    add_hook poststop /bin/sh "['sh', '-c', 'sleep 1; \"$NOOK\" --root \"$NOOK_ROOT\" state c1 >$H/state-in-poststop 2>&1; echo \$? >$H/poststop-done']"
    add_hook poststop "$H/probe.sh" "['probe', 'poststop']"
    nook_detached run -d -b "$B" c1
    pid=$(init_pid c1)
    nook kill c1 KILL
    wait_for_status c1 stopped
    nook delete c1
    [ -e "$H/poststop-done" ]
    [ "$(ns_recorded poststop mnt)" = "$(ns_of $$ mnt)" ]
    [ "$(ns_recorded poststop user)" = "$(ns_of $$ user)" ]
    assert_process_gone "$pid"
    # Deleted: the container no longer exists for the runtime.
    [ "$(cat "$H/poststop-done")" != 0 ] || { echo "the container still existed in poststop: $(cat "$H/state-in-poststop")" >&2; false; }
}

# ---- Annotations, extensibility, valid values ---------------------------------

# "Runtimes MUST handle unknown annotation keys like any other unknown
# property."
@test "config.md#annotations: unknown annotation keys are no error" {
    make_bundle "$B" echo ran
    edit_config "$B" 'c["annotations"] = {"org.opencontainers.image.os": "linux", "com.example.unknown": "", "io.nook.never-heard-of": "x"}'
    run nook run -b "$B" c1
    assert_status 0
    [ "$output" = ran ]
}

# "Runtimes MAY log unknown properties but MUST otherwise ignore them. That
# includes not generating errors if they encounter an unknown property."
@test "config.md#extensibility: unknown properties are ignored, not an error" {
    make_bundle "$B" echo ran
    edit_config "$B" 'c["nookUnknownTop"] = {"a": 1}
c["process"]["nookUnknown"] = True
c["root"]["nookUnknown"] = "x"
c["linux"]["nookUnknown"] = [1, 2]
c["mounts"][0]["nookUnknown"] = None
c["linux"]["namespaces"][0]["nookUnknown"] = 3
c["process"]["user"]["nookUnknown"] = {}'
    run nook run -b "$B" c1
    assert_status 0
    [ "${lines[-1]}" = ran ]
}

# "Runtimes MUST generate an error when invalid or unsupported values are
# encountered."
@test "config.md#valid-values: invalid or unsupported values are an error" {
    make_bundle "$B" true
    for change in 'c["linux"]["namespaces"].append({"type": "nook-bogus"})' \
        'c["linux"]["rootfsPropagation"] = "sideways"' \
        'c["linux"]["personality"] = {"domain": "LINUX64"}' \
        'c["process"]["user"]["uid"] = "root"' \
        'c["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_NOOK"}'; do
        cp "$B/config.json" "$B/config.orig"
        edit_config "$B" "$change"
        nook_capture create -b "$B" c1
        mv "$B/config.orig" "$B/config.json"
        [ "$status" -ne 0 ] || { echo "accepted: $change" >&2; false; }
        assert_no_leftovers c1 "$B"
    done
}
