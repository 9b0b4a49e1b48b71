#!/usr/bin/env bats
# spec.bats: `nook spec`: the default config.json, its root and rootless
# shapes, and its refusals (existing file, bad directory, extra arguments).

load helpers

setup_file() {
    export_python
}

setup() {
    common_setup
    BUNDLE=$BATS_TEST_TMPDIR/bundle
    mkdir -p "$BUNDLE"
}

# expect_json FILE EXPR WANT [EXPR WANT...]: each EXPR (Python, over the
# document `c`) printed as JSON must equal its WANT exactly. One interpreter
# checks them all and names every mismatch.
expect_json() {
    "$NOOK_PYTHON" -c 'import json, sys
c = json.load(open(sys.argv[1]))
pairs = sys.argv[2:]
bad = 0
for expr, want in zip(pairs[0::2], pairs[1::2]):
    got = json.dumps(eval(expr))
    if got != want:
        print(f"{expr}: expected {want}, got {got}", file=sys.stderr)
        bad += 1
sys.exit(1 if bad or len(pairs) % 2 else 0)' "$@"
}

spec_version() {
    "$NOOK" --version | sed -n 's/^spec: //p'
}

CAPS='["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]'

# The parts both shapes share: runc's example, with hostname "nook".
check_common_shape() {
    local f=$1
    "$NOOK_PYTHON" -m json.tool "$f" >/dev/null
    [ "$(tail -c 1 "$f" | od -An -c | tr -d ' ')" = '\n' ]
    expect_json "$f" \
        'c["ociVersion"]' "\"$(spec_version)\"" \
        'c["process"]["terminal"]' true \
        'c["process"]["user"]' '{"uid": 0, "gid": 0}' \
        'c["process"]["args"]' '["sh"]' \
        'c["process"]["env"]' '["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"]' \
        'c["process"]["cwd"]' '"/"' \
        'c["process"]["capabilities"]' "{\"bounding\": $CAPS, \"effective\": $CAPS, \"permitted\": $CAPS}" \
        'c["process"]["rlimits"]' '[{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}]' \
        'c["process"]["noNewPrivileges"]' true \
        'c["root"]' '{"path": "rootfs", "readonly": true}' \
        'c["hostname"]' '"nook"' \
        '[m["destination"] for m in c["mounts"]]' \
        '["/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys", "/sys/fs/cgroup"]' \
        '[m["type"] for m in c["mounts"] if m["destination"] == "/dev/mqueue"]' '["mqueue"]' \
        '"/proc/kcore" in c["linux"]["maskedPaths"] and "/sys/firmware" in c["linux"]["maskedPaths"]' true \
        'c["linux"]["readonlyPaths"]' '["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]' \
        'sorted(c.keys())' '["hostname", "linux", "mounts", "ociVersion", "process", "root"]'
}

check_root_shape() {
    local f=$1
    check_common_shape "$f"
    expect_json "$f" \
        '[n["type"] for n in c["linux"]["namespaces"]]' '["pid", "network", "ipc", "uts", "mount", "cgroup"]' \
        'c["linux"]["resources"]' '{"devices": [{"allow": false, "access": "rwm"}]}' \
        '[m for m in c["mounts"] if m["destination"] == "/sys"]' \
        '[{"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]}]' \
        '"gid=5" in [m for m in c["mounts"] if m["destination"] == "/dev/pts"][0]["options"]' true
}

check_rootless_shape() {
    local f=$1
    check_common_shape "$f"
    # nook fills the id mappings from the caller's subordinate ranges at
    # create time, so the document carries none.
    expect_json "$f" \
        '[n["type"] for n in c["linux"]["namespaces"]]' '["pid", "ipc", "uts", "mount", "cgroup", "user"]' \
        '"uidMappings" in c["linux"] or "gidMappings" in c["linux"]' false \
        '"resources" in c["linux"]' false \
        '[m for m in c["mounts"] if m["destination"] == "/sys"]' \
        '[{"destination": "/sys", "type": "none", "source": "/sys", "options": ["rbind", "nosuid", "noexec", "nodev", "ro"]}]' \
        '[o for m in c["mounts"] for o in m.get("options", []) if o.startswith(("uid=", "gid="))]' '[]'
}

@test "spec writes config.json into the current directory" {
    cd "$BUNDLE"
    run nook spec
    assert_status 0
    [ -z "$output" ]
    [ -f "$BUNDLE/config.json" ]
    check_common_shape "$BUNDLE/config.json"
}

@test "spec -b writes into the given directory and nowhere else" {
    cd "$BATS_TEST_TMPDIR"
    run nook spec -b "$BUNDLE"
    assert_status 0
    [ -f "$BUNDLE/config.json" ]
    [ ! -e "$BATS_TEST_TMPDIR/config.json" ]
    check_common_shape "$BUNDLE/config.json"
    run nook spec --bundle="$BATS_TEST_TMPDIR"
    assert_status 0
    [ -f "$BATS_TEST_TMPDIR/config.json" ]
}

@test "as root, spec writes the root shape by default" {
    require_root
    run nook spec -b "$BUNDLE"
    assert_status 0
    check_root_shape "$BUNDLE/config.json"
}

@test "as a user, spec writes the rootless shape by default" {
    require_rootless
    run nook spec -b "$BUNDLE"
    assert_status 0
    check_rootless_shape "$BUNDLE/config.json"
}

@test "spec --rootless forces the rootless shape" {
    run nook spec --rootless -b "$BUNDLE"
    assert_status 0
    check_rootless_shape "$BUNDLE/config.json"
    mkdir "$BUNDLE/2"
    run nook spec --rootless=true -b "$BUNDLE/2"
    assert_status 0
    cmp "$BUNDLE/config.json" "$BUNDLE/2/config.json"
}

@test "spec --rootless=false forces the root shape" {
    run nook spec --rootless=false -b "$BUNDLE"
    assert_status 0
    check_root_shape "$BUNDLE/config.json"
}

@test "the root and rootless shapes differ" {
    mkdir "$BUNDLE/root" "$BUNDLE/rootless"
    nook spec --rootless=false -b "$BUNDLE/root"
    nook spec --rootless -b "$BUNDLE/rootless"
    run cmp -s "$BUNDLE/root/config.json" "$BUNDLE/rootless/config.json"
    [ "$status" -eq 1 ]
}

@test "spec refuses to overwrite an existing config.json" {
    echo precious >"$BUNDLE/config.json"
    run nook spec -b "$BUNDLE"
    assert_status 1
    assert_output_contains "spec: config.json already exists in \"$BUNDLE\"; remove it first"
    [ "${#lines[@]}" -eq 1 ]
    [ "$(cat "$BUNDLE/config.json")" = precious ]

    # Also in the current directory, where the message names its path.
    cd "$BUNDLE"
    run nook spec
    assert_status 1
    assert_output_contains "spec: config.json already exists in \"$BUNDLE\"; remove it first"
    [ "$(cat "$BUNDLE/config.json")" = precious ]
}

@test "spec does not write through a config.json symlink" {
    ln -s "$BATS_TEST_TMPDIR/elsewhere.json" "$BUNDLE/config.json"
    run nook spec -b "$BUNDLE"
    assert_status 1
    assert_output_contains "already exists"
    [ ! -e "$BATS_TEST_TMPDIR/elsewhere.json" ]
}

@test "spec -b to a missing directory fails cleanly and creates nothing" {
    run nook spec -b "$BUNDLE/missing"
    assert_status 1
    assert_output_contains "spec: bundle directory \"$BUNDLE/missing\" does not exist"
    [ "${#lines[@]}" -eq 1 ]
    [ ! -e "$BUNDLE/missing" ]
    [ -z "$(ls -A "$BUNDLE")" ]
}

@test "spec -b to a file is a clear error" {
    echo x >"$BUNDLE/file"
    run nook spec -b "$BUNDLE/file"
    assert_status 1
    assert_output_contains "spec: bundle directory \"$BUNDLE/file\" is not a directory"
    [ "$(cat "$BUNDLE/file")" = x ]
}

@test "spec into an unwritable directory is a clear error" {
    require_rootless  # root writes anywhere
    chmod 0555 "$BUNDLE"
    run nook spec -b "$BUNDLE"
    chmod 0755 "$BUNDLE"
    assert_status 1
    assert_output_contains "spec: create config.json in \"$BUNDLE\": Permission denied"
    [ ! -e "$BUNDLE/config.json" ]
}

@test "spec with a positional argument is a usage error and writes nothing" {
    cd "$BUNDLE"
    run nook spec extra
    assert_status 2
    assert_output_contains "spec: too many arguments"
    [ ! -e "$BUNDLE/config.json" ]
}

@test "spec with a bad --rootless value is a usage error" {
    run nook spec --rootless=maybe -b "$BUNDLE"
    assert_status 2
    assert_output_contains "flag --rootless takes true or false"
    [ ! -e "$BUNDLE/config.json" ]
}

@test "make_bundle makes a bundle for the busybox rootfs" {
    make_bundle "$BUNDLE/b" echo "hello world"
    expect_json "$BUNDLE/b/config.json" \
        'c["root"]["path"]' "\"$NOOK_BUNDLE_ROOTFS\"" \
        'c["process"]["args"]' '["echo", "hello world"]' \
        'c["process"]["terminal"]' false \
        'c["hostname"]' '"nook"'
    make_bundle "$BUNDLE/c"
    expect_json "$BUNDLE/c/config.json" 'c["process"]["args"]' '["sh"]'
}
