#!/usr/bin/env bats
# features.bats: `nook features`: a valid runtime-spec features document that
# agrees with `nook --version` and claims nothing nook does not implement.

load helpers

setup_file() {
    export_python
}

setup() {
    common_setup
    FEATURES=$BATS_TEST_TMPDIR/features.json
}

teardown() {
    common_teardown
}

# version_field PREFIX: the rest of the `nook --version` line starting with PREFIX.
version_field() {
    "$NOOK" --version | sed -n "s/^$1//p"
}

# expect_json EXPR WANT [EXPR WANT...]: each EXPR (Python, over the
# document `c`) printed as JSON must equal its WANT exactly.
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
sys.exit(1 if bad or len(pairs) % 2 else 0)' "$FEATURES" "$@"
}

write_features() {
    nook features >"$FEATURES"
}

@test "features prints one valid JSON document and nothing else" {
    run nook features
    assert_status 0
    write_features
    "$NOOK_PYTHON" -m json.tool "$FEATURES" >/dev/null
    # `run` mixes stderr in: the whole output must be the document.
    "$NOOK_PYTHON" -c 'import json, sys; json.loads(sys.argv[1])' "$output"
    [ "$(tail -c 1 "$FEATURES" | od -An -c | tr -d ' ')" = '\n' ]
}

@test "features names the spec versions nook accepts" {
    write_features
    local spec
    spec=$(version_field 'spec: ')
    [ -n "$spec" ]
    expect_json \
        'c["ociVersionMin"]' '"1.0.0"' \
        'c["ociVersionMax"]' "\"$spec\""
}

@test "features annotations carry the version, commit and build features" {
    write_features
    local build
    build=$("$NOOK" --version | tail -n 1)
    [[ "$build" == *SECCOMP* ]]
    expect_json \
        'c["annotations"]["io.github.nook.version"]' "\"$(version_field 'nook version ')\"" \
        'c["annotations"]["io.github.nook.commit"]' "\"$(version_field 'commit: ')\"" \
        'c["annotations"]["io.github.nook.features"]' "\"$build\""
    if [[ "$build" == *+SECCOMP* ]]; then
        expect_json '[p.isdigit() for p in c["annotations"]["io.github.seccomp.libseccomp.version"].split(".")]' \
            '[true, true, true]'
    else
        expect_json '"io.github.seccomp.libseccomp.version" in c["annotations"]' false
    fi
}

@test "features holds only properties runtime-spec 1.2.0 defines" {
    write_features
    expect_json \
        'sorted(set(c) - {"ociVersionMin", "ociVersionMax", "hooks", "mountOptions", "linux", "annotations"})' '[]' \
        'sorted(set(c["linux"]) - {"namespaces", "capabilities", "cgroup", "seccomp", "apparmor", "selinux", "intelRdt", "mountExtensions"})' '[]' \
        'sorted(c["linux"]["cgroup"])' '["rdma", "systemd", "systemdUser", "v1", "v2"]' \
        'sorted(c["linux"]["seccomp"])' '["actions", "archs", "enabled", "knownFlags", "operators", "supportedFlags"]' \
        'sorted(c["linux"]["mountExtensions"])' '["idmap"]'
}

# features claims exactly what the rooms that landed implement: the
# namespaces create makes or joins, the mount options the init core
# parses, the capabilities it knows. When a room lands and exports its part
# (src/lib/oci-features.h), update the expected values here to exactly
# what it implements.
@test "features claims what nook implements and nothing more" {
    write_features
    # The systemd cgroup manager is claimed exactly when it is built in.
    local systemd=false
    if "$NOOK" --version | tail -n 1 | grep -q '+SYSTEMD'; then
        systemd=true
    fi
    if "$NOOK" --version | tail -n 1 | grep -q '+SECCOMP'; then
        expect_json \
            'c["linux"]["seccomp"]["enabled"]' 'true' \
            'c["linux"]["seccomp"]["actions"]' '["SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY", "SCMP_ACT_TRACE", "SCMP_ACT_TRAP"]' \
            'c["linux"]["seccomp"]["operators"]' '["SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_LE", "SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE"]' \
            'c["linux"]["seccomp"]["knownFlags"]' '["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"]' \
            '"SCMP_ARCH_X86_64" in c["linux"]["seccomp"]["archs"]' 'true' \
            'set(c["linux"]["seccomp"]["supportedFlags"]) <= set(c["linux"]["seccomp"]["knownFlags"]) and "SECCOMP_FILTER_FLAG_LOG" in c["linux"]["seccomp"]["supportedFlags"]' 'true'
    else
        expect_json \
            'c["linux"]["seccomp"]' '{"enabled": false, "actions": [], "operators": [], "archs": [], "knownFlags": [], "supportedFlags": []}'
    fi
    expect_json \
        'c["hooks"]' '["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"]' \
        'c["linux"]["namespaces"]' '["cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts"]' \
        'c["linux"]["cgroup"]' "{\"v1\": false, \"v2\": true, \"systemd\": $systemd, \"systemdUser\": $systemd, \"rdma\": true}" \
        'c["linux"]["apparmor"]' '{"enabled": false}' \
        'c["linux"]["selinux"]' '{"enabled": false}' \
        'c["linux"]["intelRdt"]' '{"enabled": false}' \
        'c["linux"]["mountExtensions"]' '{"idmap": {"enabled": true}}'
    run "$NOOK_PYTHON" -c 'import json, sys
doc = json.load(open(sys.argv[1]))
opts = doc["mountOptions"]
caps = doc["linux"]["capabilities"]
assert {"ro", "rbind", "nosuid", "rro", "rprivate", "strictatime"} <= set(opts), opts
assert "idmap" in opts and "ridmap" in opts, opts
assert "CAP_SYS_ADMIN" in caps and "CAP_KILL" in caps, caps
assert all(c.startswith("CAP_") for c in caps), caps
print("ok")' "$FEATURES"
    assert_status 0
    [ "$output" = ok ]
}

# Each mount option nook claims is accepted by a real container (remount
# and mand are not for a fresh mount, bind and rbind not for a tmpfs; both
# kinds are tested in rootfs.bats; idmap and ridmap need a bind mount and
# root, and are tested in tests/conformance/config.bats).
@test "every claimed mount option is accepted by create" {
    write_features
    B=$BATS_TEST_TMPDIR/bundle
    make_bundle "$B" true
    for opt in $("$NOOK_PYTHON" -c 'import json,sys; print(" ".join(o for o in json.load(open(sys.argv[1]))["mountOptions"] if o not in ("remount", "mand", "bind", "rbind", "idmap", "ridmap")))' "$FEATURES"); do
        edit_config "$B" 'c["mounts"] = [m for m in c["mounts"] if m["destination"] != "/tmp"] + [{"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["'"$opt"'"]}]'
        run nook run -b "$B" "opt-$opt"
        if [ "$status" -ne 0 ]; then
            echo "mount option $opt: $output" >&2
            return 1
        fi
    done
}

@test "features takes no arguments or flags" {
    run nook features extra
    assert_status 2
    assert_output_contains "features: too many arguments"
    run nook features --bogus
    assert_status 2
    assert_output_contains 'features: unknown flag "--bogus"'
}
