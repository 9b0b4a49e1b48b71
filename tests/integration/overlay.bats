#!/usr/bin/env bats
# overlay.bats: copy-on-write roots and config.json overlay mounts through
# the real binary: the kernel's overlayfs in the container's namespaces and
# fuse-overlayfs (forced with "nook.overlay.driver": "fuse", or where the
# kernel refuses), many containers over one lower rootfs, lower layers,
# keep-upper, what delete leaves (nothing, also after kill -9), and the
# failure modes with their errors. The lower rootfs is the test file's own
# copy of the busybox rootfs ($LOWER, owned by whoever runs the tests), and
# its digest is compared before and after.

load helpers

setup_file() {
    export_python
    export LOWER=$BATS_FILE_TMPDIR/lower
    cp -a "$NOOK_BUNDLE_ROOTFS" "$LOWER"
}

setup() {
    common_setup
    B=$BATS_TEST_TMPDIR/bundle
}

teardown() {
    common_teardown
    # A FUSE file system a test mounted for its state root (see
    # state_on_fuse); fusermount3 unmounts what this user mounted.
    if [ -n "${FUSE_STATE:-}" ] && grep -q " $FUSE_STATE " /proc/self/mountinfo; then
        fusermount3 -u "$FUSE_STATE" 2>/dev/null || umount "$FUSE_STATE" 2>/dev/null || true
    fi
    if [ -n "${SHM_ROOT:-}" ]; then
        rm -rf "$SHM_ROOT"
    fi
    # overlayfs leaves its work directory's "work" mode 0, which would keep
    # bats from removing the test's directory.
    find "$BATS_TEST_TMPDIR" -type d ! -perm -u=rwx -user "$(id -u)" -exec chmod u+rwx {} + 2>/dev/null || true
}

# tree_digest DIR: one line that changes when anything in DIR does: every
# entry's type, mode, owner, size, mtime, ctime and link target, and every
# file's content.
tree_digest() {
    (cd "$1" && find . -printf '%y %m %U:%G %s %T@ %C@ %p -> %l\n' | LC_ALL=C sort &&
        find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) | sha256sum
}

# overlay_bundle DIR [ARGS...]: a bundle over $LOWER with a writable,
# copy-on-write root (nook.rootfs.overlay) and process.args ARGS.
overlay_bundle() {
    local dir=$1
    shift
    rm -f "$dir/config.json"
    make_bundle "$dir" "$@" || return 1
    edit_config "$dir" "c['root'] = {'path': '$LOWER', 'readonly': False}
c.setdefault('annotations', {})['nook.rootfs.overlay'] = 'true'"
}

# set_annotation DIR KEY VALUE
set_annotation() {
    edit_config "$1" "c.setdefault('annotations', {})['$2'] = '$3'"
}

# require_fuse: skip a case that needs fuse-overlayfs to work here.
require_fuse() {
    command -v fuse-overlayfs >/dev/null || skip "fuse-overlayfs is not installed"
    [ -r /dev/fuse ] && [ -w /dev/fuse ] ||
        skip "/dev/fuse is not readable and writable by $(id -un) (tests/setup-test-user.sh makes it 0666, as distributions ship it)"
}

# fuse_daemons: the fuse-overlayfs processes serving this test's
# containers or its own directories (nothing else on the host: the other
# mode's tests run at the same time).
fuse_daemons() {
    pgrep -af -- "fuse-overlayfs .*($NOOK_ROOT|$BATS_TEST_TMPDIR)/" |
        grep -v -- " ${FUSE_STATE:-/nonexistent}\$" | cut -d' ' -f1
}

# assert_nothing_left: no fuse-overlayfs of this test runs and no mount of
# its state root, its directories or the lower rootfs is on the host.
assert_nothing_left() {
    local left
    left=$(fuse_daemons)
    if [ -n "$left" ]; then
        echo "fuse-overlayfs is left running: $(ps -o pid=,args= -p "$left")" >&2
        return 1
    fi
    if grep -E -- "$NOOK_ROOT|$BATS_TEST_TMPDIR|$LOWER| fuse-overlayfs " /proc/self/mountinfo | grep -v -- " ${FUSE_STATE:-/nonexistent} "; then
        echo "a mount is left on the host" >&2
        return 1
    fi
}

# state_annotation ID KEY: the value of an annotation in `nook state`.
state_annotation() {
    nook state "$1" | "${NOOK_PYTHON:-python3}" -c 'import json, sys; print(json.load(sys.stdin).get("annotations", {}).get(sys.argv[1], "(none)"))' "$2"
}

# wait_for_file ID PATH: until PATH exists in running container ID.
wait_for_file() {
    local i
    for i in $(seq 100); do
        nook exec "$1" test -e "$2" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "$2 never appeared in container $1" >&2
    return 1
}

# ten_containers DRIVER: the issue's test, for one driver.
ten_containers() {
    local driver=$1 i before after want
    before=$(tree_digest "$LOWER")
    for i in $(seq 10); do
        overlay_bundle "$BATS_TEST_TMPDIR/b$i" sh -c "echo c$i > /mine-c$i && echo c$i >> /etc/passwd && rm /bin/true && exec sleep 300"
        set_annotation "$BATS_TEST_TMPDIR/b$i" nook.overlay.driver "$driver"
        nook_detached create -b "$BATS_TEST_TMPDIR/b$i" "c$i"
        nook start "c$i"
    done
    for i in $(seq 10); do
        wait_for_file "c$i" "/mine-c$i"
        run nook exec "c$i" sh -c 'ls / | grep "^mine-"; tail -n 1 /etc/passwd; test -e /bin/true && echo true-there || echo true-gone'
        assert_status 0
        want=$(printf 'mine-c%s\nc%s\ntrue-gone' "$i" "$i")
        [ "$output" = "$want" ] || { echo "container c$i sees: $output" >&2; return 1; }
    done
    want=$([ "$driver" = fuse ] && echo fuse-overlayfs || echo kernel)
    [ "$(state_annotation c1 nook.rootfs.overlay.driver)" = "$want" ]
    [ "$(state_annotation c10 nook.rootfs.overlay.driver)" = "$want" ]
    if [ "$driver" = fuse ]; then
        [ "$(fuse_daemons | wc -l)" = 10 ]
    else
        [ -z "$(fuse_daemons)" ]
    fi
    # The mounts live in the containers' namespaces, never on the host.
    ! grep -q -- "$NOOK_ROOT" /proc/self/mountinfo || false
    [ "$(tree_digest "$LOWER")" = "$before" ]
    for i in $(seq 10); do
        nook delete --force "c$i"
        assert_no_leftovers "c$i" "$BATS_TEST_TMPDIR/b$i"
    done
    assert_nothing_left
    after=$(tree_digest "$LOWER")
    [ "$after" = "$before" ]
}

# ---- the overlay root --------------------------------------------------------

@test "10 containers over one lower rootfs (kernel overlayfs): each sees only what it wrote; the lower is unchanged" {
    ten_containers kernel
}

@test "10 containers over one lower rootfs (fuse-overlayfs forced): each sees only what it wrote; the lower is unchanged" {
    require_fuse
    ten_containers fuse
}

@test "the root is an overlay: the kernel's inside the container, with --debug saying so" {
    overlay_bundle "$B" sh -c 'grep " / / " /proc/self/mountinfo | grep -o " - [a-z.-]* "; touch /new && echo wrote'
    run nook --debug run -b "$B" c1
    assert_status 0
    assert_output_contains " - overlay "
    assert_output_contains "wrote"
    assert_output_contains "overlay root: mounted with the kernel's overlayfs (lowerdir $LOWER, upperdir $NOOK_ROOT/c1/overlay/upper)"
    assert_nothing_left
}

@test "the upper layer on tmpfs (where XDG_RUNTIME_DIR usually is): whiteouts and opaque directories work" {
    [ -d /dev/shm ] && [ -w /dev/shm ] && [ "$(stat -f -c %T /dev/shm)" = tmpfs ] || skip "no writable tmpfs /dev/shm"
    SHM_ROOT=$(mktemp -d /dev/shm/nook-overlay-root.XXXXXX)
    NOOK_ROOT=$SHM_ROOT
    overlay_bundle "$B" sh -c 'rm -r /home && rm /etc/passwd && rm -r /etc && mkdir /etc && ls -A /etc | wc -l; test -e /home || echo home-gone'
    set_annotation "$B" nook.overlay.driver kernel
    run nook run -b "$B" c1
    assert_status 0
    [ "$output" = "$(printf '0\nhome-gone')" ]
    [ -e "$LOWER/etc/passwd" ]
    [ -z "$(ls -A "$SHM_ROOT")" ]
}

@test "fuse-overlayfs forced: the root is a FUSE mount, the daemon outside the container, --debug names it" {
    require_fuse
    overlay_bundle "$B" sh -c 'grep " / / " /proc/self/mountinfo | grep -o " - [a-z.-]* "; ps -o comm | grep -c fuse-overlayfs; id -u; touch /new && echo wrote'
    set_annotation "$B" nook.overlay.driver fuse
    run nook --debug run -b "$B" c1
    assert_status 0
    assert_output_contains " - fuse.fuse-overlayfs "
    assert_output_contains "overlay root: served by fuse-overlayfs (pid "
    # Not in the container's pid namespace: it cannot see it.
    [ "$(echo "$output" | grep -x '[0-9]*' | head -1)" = 0 ]
    assert_output_contains "wrote"
    assert_nothing_left
}

@test "nook.rootfs.lower: layers stack below root.path in the order given" {
    local top=$BATS_TEST_TMPDIR/top mid=$BATS_TEST_TMPDIR/mid bottom=$BATS_TEST_TMPDIR/bottom
    mkdir -p "$top/etc" "$mid/etc" "$bottom/etc"
    echo top > "$top/etc/layer"
    echo mid > "$mid/etc/layer"
    echo bottom > "$bottom/etc/layer"
    echo mid > "$mid/shared"
    echo bottom > "$bottom/shared"
    echo bottom > "$bottom/only-bottom"
    make_bundle "$B" sh -c 'cat /etc/layer /shared /only-bottom; test -x /bin/sh && echo busybox-below'
    edit_config "$B" "c['root'] = {'path': '$top', 'readonly': False}
c['annotations'] = {'nook.rootfs.overlay': 'true', 'nook.rootfs.lower': '$mid:$bottom:$LOWER'}"
    run nook run -b "$B" c1
    assert_status 0
    [ "$output" = "$(printf 'top\nmid\nbottom\nbusybox-below')" ]
    assert_nothing_left
}

@test "nook.rootfs.lower: 20 layers with long paths, more than one fsconfig string holds (lowerdir+ one by one, by fd past 255 bytes)" {
    local layers= i dir
    for i in $(seq 20); do
        dir=$BATS_TEST_TMPDIR/layer-$i-$(printf 'x%.0s' $(seq 100))
        # The last one longer than the 255 bytes fsconfig takes for one value.
        [ "$i" = 20 ] && dir=$dir/$(printf 'y%.0s' $(seq 150))
        mkdir -p "$dir"
        echo "$i" > "$dir/from-$i"
        layers=$layers:$dir
    done
    [ "${#layers}" -gt 2000 ] && [ "${#dir}" -gt 255 ]
    overlay_bundle "$B" sh -c 'cat /from-1 /from-20; ls / | grep -c "^from-"'
    # The busybox rootfs as the bottom layer, the first long one as the top.
    set_annotation "$B" nook.rootfs.lower "${layers#:*:}:$LOWER"
    edit_config "$B" "c['root']['path'] = '${layers:1}'.split(':')[0]"
    set_annotation "$B" nook.overlay.driver kernel
    run nook run -b "$B" c1
    assert_status 0
    [ "$output" = "$(printf '1\n20\n20')" ]
}

@test "nook run --overlay: a plain bundle gets a copy-on-write root, and the state says so" {
    make_bundle "$B" sh -c 'echo changed >> /etc/passwd && touch /new && echo wrote'
    edit_config "$B" "c['root'] = {'path': '$LOWER', 'readonly': False}"
    local before
    before=$(tree_digest "$LOWER")
    run nook run --overlay -b "$B" c1
    assert_status 0
    [ "$output" = wrote ]
    [ "$(tree_digest "$LOWER")" = "$before" ]
    assert_no_leftovers c1 "$B"
    nook_detached create --overlay -b "$B" c2
    [ "$(state_annotation c2 nook.rootfs.overlay)" = true ]
    [ "$(state_annotation c2 nook.rootfs.overlay.driver)" = kernel ]
    nook delete c2
    assert_no_leftovers c2 "$B"
    # Without --overlay the same bundle writes into the lower itself.
    run nook run -b "$B" c3
    assert_status 0
    [ "$(tree_digest "$LOWER")" != "$before" ]
    cp -a "$NOOK_BUNDLE_ROOTFS/etc/passwd" "$LOWER/etc/passwd"
    rm "$LOWER/new"
}

# ---- config.json overlay mounts ---------------------------------------------

# overlay_mount_case DRIVER: an overlay mount of two host directories.
overlay_mount_case() {
    local a=$BATS_TEST_TMPDIR/a b=$BATS_TEST_TMPDIR/b up=$BATS_TEST_TMPDIR/up work=$BATS_TEST_TMPDIR/work
    mkdir -p "$a" "$b" "$up" "$work"
    echo a > "$a/x"
    echo b > "$b/x"
    echo b > "$b/only-b"
    echo a > "$a/only-a"
    make_bundle "$B" sh -c 'cat /tmp/data/x /tmp/data/only-b; echo new > /tmp/data/new; rm /tmp/data/only-a; ls /tmp/data | tr "\n" " "'
    edit_config "$B" "c['mounts'].append({'destination': '/tmp', 'type': 'tmpfs', 'source': 'tmpfs'})
c['mounts'].append({'destination': '/tmp/data', 'type': 'overlay', 'source': 'overlay', 'options': ['lowerdir=$a:$b', 'upperdir=$up', 'workdir=$work', 'nodev']})
c['annotations'] = {'nook.overlay.driver': '$1'}"
    local before_a before_b
    before_a=$(tree_digest "$a")
    before_b=$(tree_digest "$b")
    run nook --debug run -b "$B" c1
    assert_status 0
    [ "${lines[-3]}" = a ] && [ "${lines[-2]}" = b ]
    [ "${lines[-1]}" = "new only-b x " ]
    [ "$(cat "$up/new")" = new ]
    [ "$(tree_digest "$a")" = "$before_a" ]
    [ "$(tree_digest "$b")" = "$before_b" ]
    assert_no_leftovers c1 "$B"
    assert_nothing_left
}

@test "a config.json overlay mount (kernel overlayfs): host layers, the upper gets the writes" {
    overlay_mount_case kernel
    assert_output_contains ".mounts[8] (overlay): mounted with the kernel's overlayfs"
}

@test "a config.json overlay mount (fuse-overlayfs forced)" {
    require_fuse
    overlay_mount_case fuse
    assert_output_contains ".mounts[8] (overlay): served by fuse-overlayfs"
}

@test "a config.json overlay mount without upperdir is read-only; fuse-overlayfs cannot make one" {
    local a=$BATS_TEST_TMPDIR/a b=$BATS_TEST_TMPDIR/b
    mkdir -p "$a" "$b"
    echo a > "$a/x"
    echo b > "$b/y"
    make_bundle "$B" sh -c 'cat /tmp/data/x /tmp/data/y; touch /tmp/data/z'
    edit_config "$B" "c['mounts'].append({'destination': '/tmp', 'type': 'tmpfs', 'source': 'tmpfs'})
c['mounts'].append({'destination': '/tmp/data', 'type': 'overlay', 'source': 'overlay', 'options': ['lowerdir=$a:$b']})"
    run nook run -b "$B" c1
    [ "$status" -ne 0 ]
    [ "${lines[0]}" = a ] && [ "${lines[1]}" = b ]
    assert_output_contains "Read-only file system"
    set_annotation "$B" nook.overlay.driver fuse
    run nook run -b "$B" c2
    [ "$status" -ne 0 ]
    assert_output_contains 'nook: run: config.json: .mounts[8]: overlay on "/tmp/data": fuse-overlayfs (nook.overlay.driver is "fuse") cannot mount a read-only overlay (one without upperdir and workdir)'
    [ "${#lines[@]}" -eq 1 ]
    assert_no_leftovers c2 "$B"
}

# ---- keep-upper --------------------------------------------------------------

@test "keep-upper: the upper layer is moved to the named directory at delete" {
    local kept=$BATS_TEST_TMPDIR/kept
    overlay_bundle "$B" sh -c 'echo mine > /new && rm /bin/true && echo wrote'
    set_annotation "$B" nook.rootfs.keep-upper "$kept"
    run nook run -b "$B" c1
    assert_status 0
    [ "$(cat "$kept/new")" = mine ]
    # /bin/true's whiteout, as overlayfs writes it.
    [ "$(stat -c '%F %t:%T' "$kept/bin/true")" = "character special file 0:0" ]
    [ ! -e "$NOOK_ROOT/c1" ]
    [ -e "$LOWER/bin/true" ]
}

@test "keep-upper on another file system: copied, with owners, modes and whiteouts" {
    [ -d /dev/shm ] && [ -w /dev/shm ] || skip "no writable /dev/shm"
    [ "$(stat -f -c %T /dev/shm)" != "$(stat -f -c %T "$BATS_TEST_TMPDIR")" ] || skip "/dev/shm is on the state root's file system"
    local shm kept
    shm=$(mktemp -d /dev/shm/nook-overlay-test.XXXXXX)
    kept=$shm/kept
    overlay_bundle "$B" sh -c 'echo mine > /new && mkdir /owned && echo theirs > /owned/f && chmod 750 /owned && chown 1000:1000 /owned/f /owned && rm /bin/true && echo wrote'
    edit_config "$B" 'c["process"]["capabilities"]["bounding"].append("CAP_CHOWN")
c["process"]["capabilities"]["effective"].append("CAP_CHOWN")
c["process"]["capabilities"]["permitted"].append("CAP_CHOWN")'
    set_annotation "$B" nook.rootfs.keep-upper "$kept"
    run nook run -b "$B" c1
    assert_status 0
    [ "$output" = wrote ]
    [ "$(cat "$kept/new")" = mine ]
    [ "$(stat -c '%F %t:%T' "$kept/bin/true")" = "character special file 0:0" ]
    local want_uid=1000
    if [ "$NOOK_TEST_MODE" = rootless ]; then
        want_uid=$(($(awk -F: -v u="$(id -un)" '$1 == u { print $2; exit }' /etc/subuid) + 999))
    fi
    [ "$(stat -c '%u %a' "$kept/owned")" = "$want_uid 750" ]
    [ ! -e "$NOOK_ROOT/c1" ]
    # Files of the container's other users: removed by a container that
    # has the same ids (its root may). On /home, which the shared rootfs
    # has: a mount point made in it would outlive the test.
    make_bundle "$B.clean" find /home -mindepth 1 -delete
    edit_config "$B.clean" "c['mounts'].append({'destination': '/home', 'type': 'bind', 'source': '$kept', 'options': ['rbind']})
c['process']['capabilities']['effective'].append('CAP_DAC_OVERRIDE')
c['process']['capabilities']['bounding'].append('CAP_DAC_OVERRIDE')
c['process']['capabilities']['permitted'].append('CAP_DAC_OVERRIDE')"
    nook run -b "$B.clean" clean >/dev/null 2>&1 || true
    rm -rf "$shm" 2>/dev/null || true
}

# ---- what delete leaves -------------------------------------------------------

# killed_case DRIVER: kill -9 the init of a running container, then delete.
killed_case() {
    overlay_bundle "$B" sh -c 'touch /new && exec sleep 300'
    set_annotation "$B" nook.overlay.driver "$1"
    nook_detached run -d -b "$B" c1
    wait_for_status c1 running
    local pid
    pid=$(nook state c1 | "${NOOK_PYTHON:-python3}" -c 'import json, sys; print(json.load(sys.stdin)["pid"])')
    if [ "$1" = fuse ]; then
        local daemon
        daemon=$(fuse_daemons)
        [ "$(echo "$daemon" | wc -w)" = 1 ]
        # Recorded as the container's helper, and outside its pid
        # namespace and cgroup; rootless, in its user namespace.
        [ "$(cut -d' ' -f1 "$NOOK_ROOT/c1/helper.fuse-overlayfs")" = "$daemon" ]
        [ "$(readlink "/proc/$daemon/ns/pid")" != "$(readlink "/proc/$pid/ns/pid")" ]
        [ "$(readlink "/proc/$daemon/ns/pid")" = "$(readlink /proc/self/ns/pid)" ]
        [ "$(cat "/proc/$daemon/cgroup")" = "$(cat /proc/self/cgroup)" ]
        if [ "$NOOK_TEST_MODE" = rootless ]; then
            [ "$(readlink "/proc/$daemon/ns/user")" = "$(readlink "/proc/$pid/ns/user")" ]
        else
            [ "$(readlink "/proc/$daemon/ns/user")" = "$(readlink /proc/self/ns/user)" ]
        fi
    fi
    kill -9 "$pid"
    wait_for_status c1 stopped
    run nook delete c1
    assert_status 0
    assert_no_leftovers c1 "$B"
    assert_nothing_left
}

@test "kill -9 of the init, then delete: no mount, nothing left (kernel)" {
    killed_case kernel
}

@test "kill -9 of the init, then delete: no fuse-overlayfs, no mount, nothing left" {
    require_fuse
    killed_case fuse
}

@test "fuse-overlayfs ends with the container's mount namespace, even before delete" {
    require_fuse
    overlay_bundle "$B" sh -c 'exec sleep 300'
    set_annotation "$B" nook.overlay.driver fuse
    nook_detached run -d -b "$B" c1
    wait_for_status c1 running
    [ -n "$(fuse_daemons)" ]
    nook kill c1 KILL
    wait_for_status c1 stopped
    local i
    for i in $(seq 50); do
        [ -z "$(fuse_daemons)" ] && break
        sleep 0.1
    done
    [ -z "$(fuse_daemons)" ]
    nook delete c1
    assert_no_leftovers c1 "$B"
}

@test "delete --force of a running fuse-overlayfs container stops the daemon and removes the upper layer" {
    require_fuse
    overlay_bundle "$B" sh -c 'mkdir -p /deep/er && touch /deep/er/f && exec sleep 300'
    set_annotation "$B" nook.overlay.driver fuse
    nook_detached run -d -b "$B" c1
    wait_for_status c1 running
    wait_for_file c1 /deep/er/f
    [ -e "$NOOK_ROOT/c1/overlay/upper/deep/er/f" ]
    nook delete --force c1
    assert_no_leftovers c1 "$B"
    assert_nothing_left
}

# ---- failure modes --------------------------------------------------------------

# assert_one_line_error ID MESSAGE: the last `run` failed with MESSAGE on
# one line, and nothing of container ID is left.
assert_one_line_error() {
    [ "$status" -ne 0 ] || { echo "expected a failure, got: $output" >&2; return 1; }
    assert_output_contains "$2"
    [ "${#lines[@]}" -eq 1 ] || { echo "expected one line, got: $output" >&2; return 1; }
    assert_no_leftovers "$1" "$B"
    assert_nothing_left
}

@test "a missing lower layer: named, nothing left" {
    overlay_bundle "$B" true
    set_annotation "$B" nook.rootfs.lower "$BATS_TEST_TMPDIR/nothere"
    run nook run -b "$B" c1
    assert_one_line_error c1 "nook: run: config.json: .annotations[\"nook.rootfs.lower\"]: lower layer \"$BATS_TEST_TMPDIR/nothere\": No such file or directory"
}

@test "a missing layer of an overlay mount: named, nothing left" {
    make_bundle "$B" true
    edit_config "$B" "c['mounts'].append({'destination': '/data', 'type': 'overlay', 'source': 'overlay', 'options': ['lowerdir=$BATS_TEST_TMPDIR/nothere']})"
    run nook run -b "$B" c1
    assert_one_line_error c1 "config.json: .mounts[7]: overlay on \"/data\": lowerdir \"$BATS_TEST_TMPDIR/nothere\": No such file or directory"
}

@test "bad overlay annotations: one line naming the annotation, nothing left" {
    overlay_bundle "$B" true
    set_annotation "$B" nook.rootfs.overlay maybe
    run nook run -b "$B" c1
    assert_one_line_error c1 'config.json: .annotations["nook.rootfs.overlay"]: "maybe": must be "true" or "false"'

    overlay_bundle "$B" true
    set_annotation "$B" nook.rootfs.overlya true
    run nook run -b "$B" c1
    assert_one_line_error c1 'config.json: .annotations["nook.rootfs.overlya"]: unknown annotation'

    overlay_bundle "$B" true
    set_annotation "$B" nook.overlay.driver fastest
    run nook run -b "$B" c1
    assert_one_line_error c1 'config.json: .annotations["nook.overlay.driver"]: "fastest": must be "auto", "kernel" or "fuse"'

    overlay_bundle "$B" true
    set_annotation "$B" nook.rootfs.overlay.driver kernel
    run nook run -b "$B" c1
    assert_one_line_error c1 'config.json: .annotations["nook.rootfs.overlay.driver"]: nook sets this one itself'

    rm "$B/config.json"
    make_bundle "$B" true
    set_annotation "$B" nook.rootfs.keep-upper "$BATS_TEST_TMPDIR/kept"
    run nook run -b "$B" c1
    assert_one_line_error c1 'config.json: .annotations["nook.rootfs.keep-upper"]: needs "nook.rootfs.overlay": "true"'

    overlay_bundle "$B" true
    set_annotation "$B" nook.rootfs.keep-upper "$LOWER"
    run nook run -b "$B" c1
    assert_one_line_error c1 "config.json: .annotations[\"nook.rootfs.keep-upper\"]: \"$LOWER\" exists and is not an empty directory"
}

@test "fuse-overlayfs not installed (NOOK_FUSE_OVERLAYFS names nothing): a clear error, nothing left" {
    overlay_bundle "$B" true
    set_annotation "$B" nook.overlay.driver fuse
    NOOK_FUSE_OVERLAYFS=$BATS_TEST_TMPDIR/nothere run nook run -b "$B" c1
    assert_one_line_error c1 "config.json: .annotations[\"nook.overlay.driver\"]: \"fuse\", but fuse-overlayfs is not installed: \"$BATS_TEST_TMPDIR/nothere\" (from NOOK_FUSE_OVERLAYFS) is not an absolute path to an executable file"
    # The kernel's overlayfs does not need it.
    set_annotation "$B" nook.overlay.driver auto
    NOOK_FUSE_OVERLAYFS=$BATS_TEST_TMPDIR/nothere run nook run -b "$B" c1
    assert_status 0
}

@test "fuse-overlayfs not installed (not in PATH or the usual places): a clear error, nothing left" {
    require_root
    command -v unshare >/dev/null || skip "no unshare"
    overlay_bundle "$B" true
    set_annotation "$B" nook.overlay.driver fuse
    # A private mount namespace where /usr/bin/fuse-overlayfs is no program.
    run unshare -m --propagation private sh -c \
        'mount --bind /dev/null /usr/bin/fuse-overlayfs && exec "$0" --root "$1" run -b "$2" c1' "$NOOK" "$NOOK_ROOT" "$B"
    assert_one_line_error c1 'config.json: .annotations["nook.overlay.driver"]: "fuse", but fuse-overlayfs is not installed (not in $PATH, nor in /usr/local/bin:/usr/bin:/bin); install it: apt-get install fuse-overlayfs'
}

@test "/dev/fuse not openable: a clear error, nothing left" {
    if [ "$NOOK_TEST_MODE" = rootless ]; then
        command -v fuse-overlayfs >/dev/null || skip "fuse-overlayfs is not installed"
        [ -r /dev/fuse ] && [ -w /dev/fuse ] && skip "/dev/fuse is 0666 here; the root-mode case covers a 0600 one"
        overlay_bundle "$B" true
        set_annotation "$B" nook.overlay.driver fuse
        run nook run -b "$B" c1
    else
        # Root's container with a user namespace: its root cannot open a
        # 0600 /dev/fuse (made so in a private mount namespace).
        overlay_bundle "$B" true
        set_annotation "$B" nook.overlay.driver fuse
        # A root.path the container's root may reach ($LOWER is in bats'
        # private directory).
        edit_config "$B" "c['root']['path'] = '$NOOK_BUNDLE_ROOTFS'"
        edit_config "$B" 'c["linux"]["namespaces"].append({"type": "user"})
c["linux"]["uidMappings"] = [{"containerID": 0, "hostID": 200000, "size": 65536}]
c["linux"]["gidMappings"] = [{"containerID": 0, "hostID": 200000, "size": 65536}]'
        mknod "$BATS_TEST_TMPDIR/fuse" c 10 229
        chmod 0600 "$BATS_TEST_TMPDIR/fuse"
        run unshare -m --propagation private sh -c \
            'mount --bind "$3" /dev/fuse && exec "$0" --root "$1" run -b "$2" c1' "$NOOK" "$NOOK_ROOT" "$B" "$BATS_TEST_TMPDIR/fuse"
    fi
    assert_one_line_error c1 'nook: run: overlay root: fuse-overlayfs (nook.overlay.driver is "fuse"): open /dev/fuse: Permission denied; it must be readable and writable by every user, as distributions ship it (`chmod 0666 /dev/fuse`)'
}

@test "/dev/fuse missing: a clear error, nothing left" {
    require_root
    command -v unshare >/dev/null || skip "no unshare"
    overlay_bundle "$B" true
    set_annotation "$B" nook.overlay.driver fuse
    # A private mount namespace whose /dev has the usual devices but no fuse.
    local script='mkdir -p "$3" && mount --rbind /dev "$3" && mount -t tmpfs tmpfs /dev &&
        for d in null zero full random urandom tty; do touch "/dev/$d" && mount --bind "$3/$d" "/dev/$d" || exit 1; done &&
        exec "$0" --root "$1" run -b "$2" c1'
    run unshare -m --propagation private sh -c "$script" "$NOOK" "$NOOK_ROOT" "$B" "$BATS_TEST_TMPDIR/olddev"
    assert_one_line_error c1 'nook: run: overlay root: fuse-overlayfs (nook.overlay.driver is "fuse"): /dev/fuse does not exist; load the fuse module (`modprobe fuse`)'
}

# state_on_fuse: this test's state root on a fuse-overlayfs file system
# (as the test's user, through fusermount3), where the kernel's overlayfs
# cannot keep an upper layer.
state_on_fuse() {
    require_fuse
    local d=$BATS_TEST_TMPDIR/fusefs
    mkdir -p "$d/l" "$d/u" "$d/w" "$d/m"
    fuse-overlayfs -o "lowerdir=$d/l,upperdir=$d/u,workdir=$d/w" "$d/m" 2>/dev/null ||
        skip "cannot mount a fuse-overlayfs file system here as $(id -un)"
    FUSE_STATE=$d/m
    NOOK_ROOT=$d/m/state
    mkdir -p "$NOOK_ROOT"
}

@test "upper layer on a file system the kernel cannot write an overlay upper on: fuse-overlayfs stands in; a clear error where it may not" {
    require_rootless
    state_on_fuse
    overlay_bundle "$B" sh -c 'touch /new && echo wrote'
    set_annotation "$B" nook.overlay.driver kernel
    run nook run -b "$B" c1
    assert_one_line_error c1 "nook: run: overlay root: the kernel's overlayfs refused it: it would be read-only: the kernel cannot write an overlay's upper layer on the file system of \"$NOOK_ROOT/c1/overlay/upper\" (its log says why) (nook.overlay.driver is \"kernel\": no fuse-overlayfs)"
    set_annotation "$B" nook.overlay.driver auto
    run nook --debug run -b "$B" c1
    assert_status 0
    assert_output_contains "overlay root: served by fuse-overlayfs"
    assert_output_contains wrote
    NOOK_FUSE_OVERLAYFS=$BATS_TEST_TMPDIR/nothere run nook run -b "$B" c1
    assert_one_line_error c1 "nook: run: overlay root: the kernel's overlayfs refused it (it would be read-only"
    assert_output_contains "and fuse-overlayfs cannot stand in: fuse-overlayfs is not installed"
}

@test "upper layer on overlayfs (root): the kernel names it; fuse-overlayfs stands in" {
    require_root
    command -v unshare >/dev/null || skip "no unshare"
    local d=$BATS_TEST_TMPDIR/ovfs
    mkdir -p "$d/l" "$d/u" "$d/w" "$d/m"
    overlay_bundle "$B" sh -c 'touch /new && echo wrote'
    set_annotation "$B" nook.overlay.driver kernel
    local script='mount -t overlay overlay -o "lowerdir=$2/l,upperdir=$2/u,workdir=$2/w" "$2/m" && mkdir -p "$2/m/state" && exec "$0" --debug --root "$2/m/state" run -b "$3" c1'
    run unshare -m --propagation private sh -c "$script" "$NOOK" unused "$d" "$B"
    [ "$status" -ne 0 ]
    assert_output_contains "overlay root: the kernel's overlayfs refused it: upperdir: Invalid argument (overlay: filesystem on $d/m/state/c1/overlay/upper not supported as upperdir)"
    if command -v fuse-overlayfs >/dev/null; then
        set_annotation "$B" nook.overlay.driver auto
        run unshare -m --propagation private sh -c "$script" "$NOOK" unused "$d" "$B"
        assert_status 0
        assert_output_contains "overlay root: served by fuse-overlayfs"
        assert_output_contains wrote
    fi
    assert_nothing_left
}
