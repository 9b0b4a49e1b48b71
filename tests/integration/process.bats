#!/usr/bin/env bats
# process.bats: the container process's setup, seen from inside a real
# container: user and groups, capabilities, rlimits, no_new_privs, umask,
# oomScoreAdj, environment, cwd, hostname, domainname, sysctl,
# personality, the session keyring, and the errors for a missing program,
# a bad cwd, an unmapped user, an unknown capability or a host sysctl.

load helpers

setup_file() {
    export_python
}

setup() {
    common_setup
    B=$BATS_TEST_TMPDIR/bundle
}

teardown() {
    common_teardown
}

# The hex mask of FIELD (CapEff, CapBnd, ...) in $output, as a number.
status_mask() {
    local hex
    hex=$(printf '%s\n' "$output" | sed -n "s/^$1:[[:space:]]*//p")
    [ -n "$hex" ] || return 1
    echo $((16#$hex))
}

# Give the bundle in DIR a network namespace of its own (the rootless
# `nook spec` has none, as runc's).
add_netns() {
    edit_config "$1" '
if not any(n["type"] == "network" for n in c["linux"]["namespaces"]):
    c["linux"]["namespaces"].append({"type": "network"})'
}

# CAP_KILL 5, CAP_NET_BIND_SERVICE 10, CAP_AUDIT_WRITE 29: `nook spec`'s set.
DEFAULT_CAPS=$(((1 << 5) | (1 << 10) | (1 << 29)))

@test "process.user: uid and gid inside the container" {
    make_bundle "$B" sh -c 'id -u; id -g'
    edit_config "$B" 'c["process"]["user"] = {"uid": 1000, "gid": 1001}'
    run nook run -b "$B" c1
    assert_status 0
    [ "${lines[0]}" = 1000 ]
    [ "${lines[1]}" = 1001 ]
}

@test "process.user.additionalGids: the supplementary groups" {
    make_bundle "$B" sh -c 'grep "^Groups:" /proc/self/status'
    edit_config "$B" 'c["process"]["user"] = {"uid": 1000, "gid": 1000, "additionalGids": [10, 20]}'
    run nook run -b "$B" c1
    assert_status 0
    [[ "$output" =~ ^Groups:[[:space:]]+10\ 20[[:space:]]*$ ]]
}

@test "process.user: root's own supplementary groups do not leak into the container" {
    make_bundle "$B" sh -c 'grep "^Groups:" /proc/self/status'
    run nook run -b "$B" c1
    assert_status 0
    [[ "$output" =~ ^Groups:[[:space:]]*$ ]]
}

@test "process.user: a uid outside the user namespace's maps is named" {
    require_rootless
    make_bundle "$B" true
    edit_config "$B" 'c["process"]["user"] = {"uid": 4000000, "gid": 0}'
    run nook run -b "$B" c1
    [ "$status" -ne 0 ]
    assert_output_contains "setresuid 4000000: Invalid argument (uid 4000000 is not mapped in the container's user namespace)"
    assert_no_leftovers c1 "$B"
}

@test "process.capabilities: root gets the bounding set, nothing more" {
    make_bundle "$B" sh -c 'grep "^Cap" /proc/self/status'
    run nook run -b "$B" c1
    assert_status 0
    [ "$(status_mask CapBnd)" = "$DEFAULT_CAPS" ]
    [ "$(status_mask CapEff)" = "$DEFAULT_CAPS" ]
    [ "$(status_mask CapPrm)" = "$DEFAULT_CAPS" ]
    [ "$(status_mask CapAmb)" = 0 ]
}

@test "process.capabilities: a non-root user gets its ambient capabilities" {
    make_bundle "$B" sh -c 'grep "^Cap" /proc/self/status'
    edit_config "$B" '
c["process"]["user"] = {"uid": 1000, "gid": 1000}
caps = c["process"]["capabilities"]
caps["inheritable"] = ["CAP_NET_BIND_SERVICE"]
caps["ambient"] = ["CAP_NET_BIND_SERVICE"]'
    run nook run -b "$B" c1
    assert_status 0
    [ "$(status_mask CapAmb)" = $((1 << 10)) ]
    [ "$(status_mask CapEff)" = $((1 << 10)) ]
    [ "$(status_mask CapBnd)" = "$DEFAULT_CAPS" ]
}

@test "process.capabilities: a non-root user without ambient capabilities has none" {
    make_bundle "$B" sh -c 'grep "^Cap" /proc/self/status'
    edit_config "$B" 'c["process"]["user"] = {"uid": 1000, "gid": 1000}'
    run nook run -b "$B" c1
    assert_status 0
    [ "$(status_mask CapEff)" = 0 ]
    [ "$(status_mask CapPrm)" = 0 ]
}

@test "process.capabilities: an unknown name is a warning, and the rest applies" {
    make_bundle "$B" sh -c 'grep "^CapBnd" /proc/self/status'
    edit_config "$B" 'c["process"]["capabilities"]["bounding"].append("CAP_NOOK_BOGUS")'
    run nook run -b "$B" c1
    assert_status 0
    assert_output_contains "CAP_NOOK_BOGUS (unknown)"
    [ "$(status_mask CapBnd)" = "$DEFAULT_CAPS" ]
}

@test "process.rlimits: RLIMIT_NOFILE is set, soft and hard" {
    make_bundle "$B" sh -c 'ulimit -n; ulimit -Hn'
    edit_config "$B" 'c["process"]["rlimits"] = [{"type": "RLIMIT_NOFILE", "soft": 512, "hard": 768}]'
    run nook run -b "$B" c1
    assert_status 0
    [ "${lines[0]}" = 512 ]
    [ "${lines[1]}" = 768 ]
}

@test "process.rlimits: a hard limit above the caller's is an error naming the rlimit" {
    require_rootless
    hard=$(ulimit -Hn)
    [ "$hard" != unlimited ] || skip "the caller's RLIMIT_NOFILE is unlimited"
    make_bundle "$B" true
    edit_config "$B" "c['process']['rlimits'] = [{'type': 'RLIMIT_NOFILE', 'soft': 64, 'hard': $((hard + 1))}]"
    run nook run -b "$B" c1
    [ "$status" -ne 0 ]
    assert_output_contains "setrlimit RLIMIT_NOFILE (soft 64, hard $((hard + 1))): Operation not permitted"
    assert_no_leftovers c1 "$B"
}

@test "process.noNewPrivileges: set by default in nook spec's config, off when false" {
    make_bundle "$B" sh -c 'grep "^NoNewPrivs" /proc/self/status'
    run nook run -b "$B" c1
    assert_status 0
    [[ "$output" =~ ^NoNewPrivs:[[:space:]]+1$ ]]
    edit_config "$B" 'c["process"]["noNewPrivileges"] = False'
    run nook run -b "$B" c2
    assert_status 0
    [[ "$output" =~ ^NoNewPrivs:[[:space:]]+0$ ]]
}

@test "process.user.umask: given, and 0022 by default" {
    make_bundle "$B" sh -c umask
    run nook run -b "$B" c1
    assert_status 0
    [ "$output" = 0022 ]
    edit_config "$B" 'c["process"]["user"]["umask"] = 0o077'
    run nook run -b "$B" c2
    assert_status 0
    [ "$output" = 0077 ]
}

@test "process.oomScoreAdj: raised for the container's process" {
    make_bundle "$B" cat /proc/self/oom_score_adj
    edit_config "$B" 'c["process"]["oomScoreAdj"] = 500'
    run nook run -b "$B" c1
    assert_status 0
    [ "$output" = 500 ]
}

@test "process.oomScoreAdj: lowering it without privilege names the value" {
    require_rootless
    [ "$(cat /proc/self/oom_score_adj)" -gt -1000 ] || skip "oom_score_adj is -1000 already"
    make_bundle "$B" true
    edit_config "$B" 'c["process"]["oomScoreAdj"] = -1000'
    run nook run -b "$B" c1
    [ "$status" -ne 0 ]
    assert_output_contains "process.oomScoreAdj -1000: write /proc/self/oom_score_adj: Permission denied"
    assert_no_leftovers c1 "$B"
}

@test "process.env: passed as given, PATH and HOME filled in when missing" {
    make_bundle "$B" env
    edit_config "$B" 'c["process"]["env"] = ["FOO=bar baz", "EMPTY="]'
    run nook run -b "$B" c1
    assert_status 0
    assert_output_contains "FOO=bar baz"
    assert_output_contains "EMPTY="
    assert_output_contains "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    assert_output_contains "HOME=/root"
    [ "$(printf '%s\n' "$output" | grep -c '^TERM=')" = 0 ]
}

@test "process.env: a given HOME is kept; a user without a passwd entry gets HOME=/" {
    make_bundle "$B" env
    edit_config "$B" 'c["process"]["env"] = ["HOME=/work", "PATH=/bin"]'
    run nook run -b "$B" c1
    assert_status 0
    assert_output_contains "HOME=/work"
    [ "$(printf '%s\n' "$output" | grep -c '^PATH=')" = 1 ]
    edit_config "$B" 'c["process"]["env"] = ["PATH=/bin"]; c["process"]["user"] = {"uid": 4242, "gid": 4242}'
    run nook run -b "$B" c2
    assert_status 0
    assert_output_contains "HOME=/"
    [[ "$output" != *"HOME=/root"* ]]
}

@test "process.args: args[0] is searched in process.env's PATH" {
    make_bundle "$B" busybox echo found
    edit_config "$B" 'c["process"]["env"] = ["PATH=/nonexistent:/bin"]'
    run nook run -b "$B" c1
    assert_status 0
    [ "$output" = found ]
}

@test "process.args: a missing program is runc's error, and nothing is left" {
    make_bundle "$B" nook-no-such-program
    run nook run -b "$B" c1
    [ "$status" -ne 0 ]
    assert_output_contains 'exec: "nook-no-such-program": executable file not found in $PATH'
    assert_no_leftovers c1 "$B"
}

@test "process.args: a program that is not executable is named" {
    make_bundle "$B" /etc/passwd
    run nook run -b "$B" c1
    [ "$status" -ne 0 ]
    assert_output_contains 'exec: "/etc/passwd": is not executable'
    assert_no_leftovers c1 "$B"
}

@test "process.cwd: the process starts there; a relative program is found from it" {
    make_bundle "$B" ./pwd
    edit_config "$B" 'c["process"]["cwd"] = "/bin"'
    run nook run -b "$B" c1
    assert_status 0
    [ "$output" = /bin ]
}

@test "process.cwd: a missing directory is named, and nothing is left" {
    make_bundle "$B" true
    edit_config "$B" 'c["process"]["cwd"] = "/nope"'
    run nook run -b "$B" c1
    [ "$status" -ne 0 ]
    assert_output_contains 'process.cwd "/nope": No such file or directory'
    assert_no_leftovers c1 "$B"
}

@test "process.cwd: a file is not a directory" {
    make_bundle "$B" true
    edit_config "$B" 'c["process"]["cwd"] = "/etc/passwd"'
    run nook run -b "$B" c1
    [ "$status" -ne 0 ]
    assert_output_contains 'process.cwd "/etc/passwd": Not a directory'
}

@test "hostname and domainname are set in the container's UTS namespace" {
    make_bundle "$B" sh -c 'hostname; cat /proc/sys/kernel/domainname'
    edit_config "$B" 'c["hostname"] = "nook-proc"; c["domainname"] = "example.org"'
    run nook run -b "$B" c1
    assert_status 0
    [ "${lines[0]}" = nook-proc ]
    [ "${lines[1]}" = example.org ]
    [ "$(hostname)" != nook-proc ]
}

@test "linux.sysctl: namespaced sysctls are written before /proc/sys turns read-only" {
    make_bundle "$B" sh -c 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmax'
    add_netns "$B"
    edit_config "$B" 'c["linux"]["sysctl"] = {"net.ipv4.ip_forward": "1", "kernel.shmmax": "123456789"}'
    run nook run -b "$B" c1
    assert_status 0
    [ "${lines[0]}" = 1 ]
    [ "${lines[1]}" = 123456789 ]
}

@test "linux.sysctl: a sysctl of the host is refused, and nothing is left" {
    make_bundle "$B" true
    edit_config "$B" 'c["linux"]["sysctl"] = {"vm.swappiness": "10"}'
    before=$(cat /proc/sys/vm/swappiness)
    run nook run -b "$B" c1
    [ "$status" -ne 0 ]
    assert_output_contains 'linux.sysctl "vm.swappiness": not in a namespace of the container'"'"'s own'
    [ "$(cat /proc/sys/vm/swappiness)" = "$before" ]
    assert_no_leftovers c1 "$B"
}

@test "linux.sysctl: net.* without a network namespace is refused" {
    make_bundle "$B" true
    edit_config "$B" '
c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "network"]
c["linux"]["sysctl"] = {"net.ipv4.ip_forward": "1"}'
    run nook run -b "$B" c1
    [ "$status" -ne 0 ]
    assert_output_contains "linux.sysctl \"net.ipv4.ip_forward\": the container shares the host's network namespace"
}

@test "linux.sysctl: a key the kernel does not have is named" {
    make_bundle "$B" true
    add_netns "$B"
    edit_config "$B" 'c["linux"]["sysctl"] = {"net.ipv4.nook_no_such_key": "1"}'
    run nook run -b "$B" c1
    [ "$status" -ne 0 ]
    assert_output_contains 'linux.sysctl "net.ipv4.nook_no_such_key": this kernel has no such sysctl'
}

@test "linux.personality: LINUX32 makes uname -m report a 32-bit machine" {
    case "$(uname -m)" in
    x86_64) want=i686 ;;
    aarch64) want=armv8l ;;
    *) skip "no 32-bit personality known for $(uname -m)" ;;
    esac
    make_bundle "$B" uname -m
    edit_config "$B" 'c["linux"]["personality"] = {"domain": "LINUX32"}'
    run nook run -b "$B" c1
    assert_status 0
    [ "$output" = "$want" ]
    edit_config "$B" 'c["linux"]["personality"] = {"domain": "LINUX"}'
    run nook run -b "$B" c2
    assert_status 0
    [ "$output" = "$(uname -m)" ]
}

@test "session keyring: the container gets _ses.<id>, or the caller's with --no-new-keyring" {
    [ -r /proc/keys ] || skip "no /proc/keys here"
    make_bundle "$B" cat /proc/keys
    edit_config "$B" 'c["linux"]["maskedPaths"].remove("/proc/keys")'
    run nook run -b "$B" keyed
    assert_status 0
    assert_output_contains "_ses.keyed"
    run nook run --no-new-keyring -b "$B" unkeyed
    assert_status 0
    [[ "$output" != *"_ses.unkeyed"* ]]
}
