#!/usr/bin/env bats
# check.bats: `nook check`: the table and the JSON document, the exit
# status, selecting checks, and each failure that can be simulated here
# without harming the machine: a user without subordinate ids, an unset or
# foreign XDG_RUNTIME_DIR, /dev/fuse and /dev/net/tun not openable or
# missing (in a private mount namespace), no user bus, a PATH without
# newuidmap and a newuidmap without its setuid bit (in a private mount
# namespace), a missing or read-only cgroup delegation, and nook check run
# inside a nook container with /proc masked.

load helpers

ALL_IDS="userns.sysctl userns.apparmor userns.trial subid.uid subid.gid newuidmap.setuid runtime-dir cgroup.v2 cgroup.delegation cgroup.controllers systemd.user-bus fuse.device overlay.kernel fuse-overlayfs.binary net.tun net.slirp net.ping net.low-ports nested.proc"

setup_file() {
    export_python
}

setup() {
    common_setup
}

teardown() {
    common_teardown
}

# check_json FILE: validate FILE as `nook check --json` output (json.tool,
# then the schema: fields, types, statuses, fix and impact only where not
# ok, "ok" agreeing with the required failures) and print one line per
# result: "ID STATUS REQUIRED ERRNO". Fails with the reason otherwise.
check_json() {
    "${NOOK_PYTHON:-python3}" -m json.tool "$1" >/dev/null || return 1
    "${NOOK_PYTHON:-python3}" - "$1" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
def fail(why):
    sys.exit("invalid nook check --json: " + why)
if not isinstance(doc, dict):
    fail("not an object")
for key, kind in (("ok", bool), ("privileged", bool), ("uid", int), ("gid", int), ("results", list)):
    if not isinstance(doc.get(key), kind):
        fail("%s is not a %s" % (key, kind.__name__))
if not (doc.get("user") is None or isinstance(doc["user"], str)):
    fail("user is neither a string nor null")
ids = set()
required_fail = False
for r in doc["results"]:
    if set(r) != {"id", "status", "required", "found", "file", "value", "errno", "fix", "impact"}:
        fail("result fields: %s" % sorted(r))
    if r["id"] in ids:
        fail("%s twice" % r["id"])
    ids.add(r["id"])
    if r["status"] not in ("ok", "warn", "fail"):
        fail("%s: status %r" % (r["id"], r["status"]))
    if not isinstance(r["required"], bool) or not isinstance(r["found"], str) or not r["found"]:
        fail("%s: required or found" % r["id"])
    for key in ("file", "value", "errno", "impact"):
        if not (r[key] is None or isinstance(r[key], str)):
            fail("%s: %s" % (r["id"], key))
    if not isinstance(r["fix"], list) or not all(isinstance(l, str) and l for l in r["fix"]):
        fail("%s: fix is not a list of lines" % r["id"])
    if r["status"] == "ok" and (r["fix"] or r["impact"] is not None):
        fail("%s: ok with a fix or an impact" % r["id"])
    if r["status"] != "ok" and (not r["fix"] or not r["impact"]):
        fail("%s: %s without a fix or an impact" % (r["id"], r["status"]))
    if r["errno"] is not None and not r["errno"].startswith("E"):
        fail("%s: errno %r" % (r["id"], r["errno"]))
    required_fail |= r["required"] and r["status"] == "fail"
if doc["ok"] == required_fail:
    fail("ok is %s but a required check %s" % (doc["ok"], "fails" if required_fail else "does not fail"))
for r in doc["results"]:
    print(r["id"], r["status"], str(r["required"]).lower(), r["errno"] or "-")
PY
}

# field FILE ID KEY: one field of one result of a check_json-valid file
# (a fix is printed one line per line).
field() {
    "${NOOK_PYTHON:-python3}" - "$@" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
for r in doc["results"]:
    if r["id"] == sys.argv[2]:
        v = r[sys.argv[3]]
        print("\n".join(v) if isinstance(v, list) else ("null" if v is None else v))
        break
else:
    sys.exit("no result " + sys.argv[2])
PY
}

# json_check OUT ARGS...: run `nook check --json ARGS...` with the
# environment given before it (env ...), keep the document in OUT and the
# exit status in $status, and validate it into $output.
json_check() {
    local out=$1
    shift
    status=0
    "$@" >"$out" 2>"$out.err" || status=$?
    output=$(check_json "$out") || {
        echo "nook check output: $(cat "$out" "$out.err")" >&2
        return 1
    }
}

# The line of check_json's output for an id: "STATUS REQUIRED ERRNO".
line_of() {
    awk -v id="$1" '$1 == id { print $2, $3, $4 }' <<<"$output"
}

# as_user USER COMMAND...: as root, run COMMAND as USER in a login-like
# environment (its /run/user directory, no bus).
as_user() {
    local user=$1 uid
    shift
    uid=$(id -u "$user") || return 1
    runuser -u "$user" -- env -i PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin \
        HOME=/tmp USER="$user" LOGNAME="$user" XDG_RUNTIME_DIR="/run/user/$uid" "$@"
}

test_user() {
    echo "${NOOK_TEST_USER:-nooktest}"
}

@test "--json: one valid document with every check in order, and the exit status follows ok" {
    json_check "$BATS_TEST_TMPDIR/all.json" "$NOOK" check --json
    [ "$(awk '{ print $1 }' <<<"$output" | tr '\n' ' ')" = "$ALL_IDS " ]
    ok=$("${NOOK_PYTHON:-python3}" -c 'import json,sys; print(json.load(open(sys.argv[1]))["ok"])' "$BATS_TEST_TMPDIR/all.json")
    if [ "$ok" = True ]; then [ "$status" -eq 0 ]; else [ "$status" -eq 1 ]; fi
    # What must hold on any host this suite runs on: user namespaces work.
    [ "$(line_of userns.trial)" = "ok $([ "$NOOK_TEST_MODE" = rootless ] && echo true || echo false) -" ]
}

@test "the table: one line per check with the status of --json, fixes indented, no colour in a pipe" {
    json_check "$BATS_TEST_TMPDIR/all.json" "$NOOK" check --json
    local expected=$output
    run "$NOOK" check
    [ "$status" -le 1 ]
    [[ "$output" != *$'\e['* ]]
    local got id st
    got=$(awk '$1 ~ /^(ok|warn|fail)$/ && NF >= 3 { print $2, $1 }' <<<"$output")
    [ "$got" = "$(awk '{ print $1, $2 }' <<<"$expected")" ]
    # Every warn and fail line is followed by its fix and its impact.
    while read -r id st _; do
        [ "$st" = ok ] && continue
        grep -A1 -E "^$st +$id " <<<"$output" | tail -n 1 | grep -qE '^ +fix: ' ||
            { echo "no fix under $id" >&2; return 1; }
        grep -A20 -E "^$st +$id " <<<"$output" | grep -qE '^ +until then: ' ||
            { echo "no impact under $id" >&2; return 1; }
    done <<<"$expected"
    [[ "${lines[-1]}" == *" ok, "*" warn, "*" fail: "* ]]
}

@test "--quiet prints only the checks that are not ok" {
    json_check "$BATS_TEST_TMPDIR/all.json" "$NOOK" check --json
    local not_ok
    not_ok=$(awk '$2 != "ok" { print $1 }' <<<"$output")
    run "$NOOK" check --quiet
    [ "$status" -le 1 ]
    [ "$(awk '$1 ~ /^(ok|warn|fail)$/ { print $2 }' <<<"$output")" = "$not_ok" ]
    ! grep -qE '^ok ' <<<"$output" || false
    [[ "$output" != *"nook check for "* && "$output" != *"nook check as root"* && "$output" != *" ok, "* ]]
    "$NOOK" check -q --json >"$BATS_TEST_TMPDIR/quiet.json" || true
    [ "$(check_json "$BATS_TEST_TMPDIR/quiet.json" | awk '{ print $1 }')" = "$not_ok" ]
}

@test "colour on a terminal, none with NO_COLOR" {
    command -v script >/dev/null || skip "script(1) is not installed"
    run script -qec "'$NOOK' check userns.trial" /dev/null
    [[ "$output" == *$'\e[32mok'* ]]
    run script -qec "env NO_COLOR=1 '$NOOK' check userns.trial" /dev/null
    [[ "$output" != *$'\e['* ]]
    assert_output_contains "ok    userns.trial"
}

@test "ids and areas select checks; an unknown id or a flag after an id is a usage error" {
    json_check "$BATS_TEST_TMPDIR/cg.json" "$NOOK" check --json cgroup runtime-dir
    [ "$(awk '{ print $1 }' <<<"$output" | tr '\n' ' ')" = "runtime-dir cgroup.v2 cgroup.delegation cgroup.controllers " ]
    run "$NOOK" check no.such
    assert_status 2
    assert_output_contains 'nook: check: unknown check "no.such"; the checks are: userns.sysctl'
    assert_output_contains "nested.proc"
    run "$NOOK" check net.tun --json
    assert_status 2
    assert_output_contains 'flag "--json" after a check id; give the flags first'
}

@test "XDG_RUNTIME_DIR unset: runtime-dir fails, required, exit 1, with the export that fixes it" {
    require_rootless
    local f=$BATS_TEST_TMPDIR/rd.json uid
    uid=$(id -u)
    json_check "$f" env -u XDG_RUNTIME_DIR "$NOOK" check --json runtime-dir
    [ "$status" -eq 1 ]
    [ "$(line_of runtime-dir)" = "fail true -" ]
    [[ "$(field "$f" runtime-dir found)" == "XDG_RUNTIME_DIR is not set"* ]]
    if [ -d "/run/user/$uid" ] && [ -O "/run/user/$uid" ]; then
        field "$f" runtime-dir fix | grep -qxF "export XDG_RUNTIME_DIR=/run/user/$uid"
    else
        field "$f" runtime-dir fix | grep -qF "sudo loginctl enable-linger"
    fi
    field "$f" runtime-dir fix | grep -qF -- "--root DIR"
    [[ "$(field "$f" runtime-dir impact)" == *"every command fails unless it is given --root DIR"* ]]
    # The error of any other command points here.
    run env -u XDG_RUNTIME_DIR "$NOOK" list
    [[ "$output" == *"(see: nook check runtime-dir)" ]]
}

@test "XDG_RUNTIME_DIR foreign, missing or too open: the status and the fix say which" {
    require_rootless
    local f=$BATS_TEST_TMPDIR/rd.json own=$BATS_TEST_TMPDIR/runtime
    json_check "$f" env XDG_RUNTIME_DIR=/ "$NOOK" check --json runtime-dir
    [ "$status" -eq 1 ]
    [ "$(line_of runtime-dir)" = "fail true -" ]
    [[ "$(field "$f" runtime-dir found)" == "XDG_RUNTIME_DIR=/ belongs to uid 0, not to you (uid $(id -u)) (usual after su"* ]]
    json_check "$f" env XDG_RUNTIME_DIR="$own" "$NOOK" check --json runtime-dir
    [ "$(line_of runtime-dir)" = "fail true ENOENT" ]
    mkdir -m 0755 "$own"
    json_check "$f" env XDG_RUNTIME_DIR="$own" "$NOOK" check --json runtime-dir
    [ "$status" -eq 0 ]
    [ "$(line_of runtime-dir)" = "warn true -" ]
    [ "$(field "$f" runtime-dir fix)" = "chmod 0700 $own" ]
    chmod 0700 "$own"
    json_check "$f" env XDG_RUNTIME_DIR="$own" "$NOOK" check --json runtime-dir
    [ "$(line_of runtime-dir)" = "ok true -" ]
    [[ "$(field "$f" runtime-dir found)" == *"state in $own/nook" ]]
}

@test "as root: the header says what the checks mean for root, and they are not required" {
    require_root
    run "$NOOK" check runtime-dir subid.uid
    assert_status 0
    assert_output_contains "nook check as root (uid 0): root's containers need no user namespace"
    local f=$BATS_TEST_TMPDIR/root.json
    json_check "$f" "$NOOK" check --json
    [[ "$(line_of runtime-dir)" == "ok false"* ]]
    [ "$(field "$f" runtime-dir found)" = "as root nook keeps its state in /run/nook; XDG_RUNTIME_DIR is not used" ]
    for id in userns.sysctl userns.apparmor userns.trial newuidmap.setuid; do
        [[ "$(line_of "$id")" == *" false "* ]]
    done
    "${NOOK_PYTHON:-python3}" -c 'import json,sys; assert json.load(open(sys.argv[1]))["privileged"] is True' "$f"
}

@test "subordinate ids: the test user's ranges; a user without any gets a warning and the usermod that fixes it" {
    local f=$BATS_TEST_TMPDIR/subid.json user
    if [ "$NOOK_TEST_MODE" = rootless ]; then
        user=$(id -un)
        json_check "$f" "$NOOK" check --json subid.uid subid.gid
        local range
        range=$(awk -F: -v u="$user" '$1 == u { print $2 "-" $2 + $3 - 1; exit }' /etc/subuid)
        [ -n "$range" ] || skip "$user has no range in /etc/subuid"
        [ "$(line_of subid.uid)" = "ok false -" ]
        [[ "$(field "$f" subid.uid found)" == "$user: $range "* ]]
        return
    fi
    user="$(test_user)-nosubid"
    id -u "$user" >/dev/null 2>&1 || skip "no user $user (tests/setup-test-user.sh makes it)"
    ! grep -q "^$user:" /etc/subuid /etc/subgid || skip "$user has subordinate ranges"
    json_check "$f" as_user "$user" "$NOOK" check --json subid.uid subid.gid newuidmap.setuid
    [ "$status" -eq 0 ]
    [ "$(line_of subid.uid)" = "warn false -" ]
    [ "$(line_of subid.gid)" = "warn false -" ]
    [ "$(field "$f" subid.uid found)" = "no subordinate uids for $user in /etc/subuid" ]
    field "$f" subid.uid fix | grep -qxE "sudo usermod --add-subuids ([0-9]+)-([0-9]+) --add-subgids \1-\2 $user"
    [[ "$(field "$f" subid.uid impact)" == "containers run with a single mapping"* ]]
    # The proposed range overlaps nobody's.
    local start end
    read -r start end < <(field "$f" subid.uid fix | sed -E 's/.*--add-subuids ([0-9]+)-([0-9]+).*/\1 \2/')
    awk -F: -v s="$start" -v e="$end" '$2 <= e && s < $2 + $3 { bad = 1 } END { exit bad }' /etc/subuid /etc/subgid
    # newuidmap is not used without ranges.
    [ "$(line_of newuidmap.setuid)" = "ok true -" ]
    [[ "$(field "$f" newuidmap.setuid found)" == *"not used: $user has no subordinate ranges"* ]]
}

@test "a PATH without newuidmap: a warning with the PATH that fixes it; nook still finds it" {
    [ -x /usr/bin/newuidmap ] && [ -x /usr/bin/newgidmap ] || skip "newuidmap is not in /usr/bin"
    local f=$BATS_TEST_TMPDIR/path.json
    json_check "$f" env PATH=/nonexistent "$NOOK" check --json newuidmap.setuid
    if [ "$NOOK_TEST_MODE" = root ]; then
        [ "$(line_of newuidmap.setuid)" = "ok false -" ]
        [[ "$(field "$f" newuidmap.setuid found)" == *"as root nook writes the maps itself"* ]]
        return
    fi
    [ "$(line_of newuidmap.setuid)" = "warn true -" ]
    [[ "$(field "$f" newuidmap.setuid found)" == *"not in \$PATH (/nonexistent): nook found them in /usr/bin:/usr/sbin:/bin:/sbin and wrote the maps uid \"0 $(id -u) 1,1 "* ]]
    [ "$(field "$f" newuidmap.setuid fix)" = 'export PATH="$PATH:/usr/bin"' ]
}

@test "newuidmap without its setuid bit, or missing (private mount namespace): a required failure, or a warning" {
    require_root
    local user helper copy f=$BATS_TEST_TMPDIR/nu.json
    user=$(test_user)
    grep -q "^$user:" /etc/subuid && grep -q "^$user:" /etc/subgid || skip "$user has no ranges"
    helper=$(command -v newuidmap) || skip "newuidmap is not installed"
    helper=$(readlink -f "$helper")
    copy=$BATS_TEST_TMPDIR/newuidmap-plain
    cp "$helper" "$copy" && chmod 0755 "$copy"
    # Only this test's mount namespace sees the copy over the real one.
    json_check "$f" unshare --mount --propagation private -- sh -c \
        'mount --bind "$1" "$2" && shift 2 && exec "$@"' sh "$copy" "$helper" \
        runuser -u "$user" -- env -i PATH=/usr/bin:/bin XDG_RUNTIME_DIR="/run/user/$(id -u "$user")" \
        "$NOOK" check --json newuidmap.setuid
    [ "$status" -eq 1 ]
    [ "$(line_of newuidmap.setuid)" = "fail true -" ]
    [[ "$(field "$f" newuidmap.setuid found)" == *"$helper (neither setuid root (mode 0755, owner uid 0) nor cap_setuid+ep)"* ]]
    field "$f" newuidmap.setuid fix | grep -qxF "sudo chmod u+s $helper   (or: sudo setcap cap_setuid+ep $helper)"
    [[ "$(field "$f" newuidmap.setuid impact)" == "every rootless container fails to start"* ]]
    [ -u "$helper" ]

    # Gone altogether (/dev/null is not executable): nook falls back.
    json_check "$f" unshare --mount --propagation private -- sh -c \
        'for h in newuidmap newgidmap; do for d in /usr/bin /usr/sbin /bin /sbin; do [ -e "$d/$h" ] && mount --bind /dev/null "$d/$h"; done; done; exec "$@"' sh \
        runuser -u "$user" -- env -i PATH=/usr/bin:/bin XDG_RUNTIME_DIR="/run/user/$(id -u "$user")" \
        "$NOOK" check --json newuidmap.setuid
    [ "$status" -eq 0 ]
    [ "$(line_of newuidmap.setuid)" = "warn true -" ]
    [[ "$(field "$f" newuidmap.setuid found)" == "newuidmap: not found; newgidmap: not found (searched"* ]]
    if grep -qE '^ID(_LIKE)?=.*(debian|ubuntu)' /etc/os-release 2>/dev/null; then
        [ "$(field "$f" newuidmap.setuid fix)" = "sudo apt-get install uidmap" ]
    fi
}

@test "no user bus: systemd.user-bus warns with the login that fixes it, and says what breaks" {
    local f=$BATS_TEST_TMPDIR/bus.json runtime=$BATS_TEST_TMPDIR/runtime
    if [ "$NOOK_TEST_MODE" = root ]; then
        json_check "$f" "$NOOK" check --json systemd.user-bus
        [[ "$(field "$f" systemd.user-bus found)" == "as root nook "*"systemd on the system bus"* ]]
        return
    fi
    mkdir -m 0700 "$runtime"
    json_check "$f" env -u DBUS_SESSION_BUS_ADDRESS XDG_RUNTIME_DIR="$runtime" "$NOOK" check --json systemd.user-bus
    [ "$status" -eq 0 ]
    [ "$(line_of systemd.user-bus)" = "warn false ENOENT" ]
    [ "$(field "$f" systemd.user-bus found)" = "connect to the user bus $runtime/bus (from XDG_RUNTIME_DIR): No such file or directory (ENOENT)" ]
    field "$f" systemd.user-bus fix | grep -qxF "sudo loginctl enable-linger $(id -un)"
    field "$f" systemd.user-bus fix | grep -qF "not with su or sudo -u"
    [[ "$(field "$f" systemd.user-bus impact)" == "nook cannot use the systemd cgroup manager"* ]]

    json_check "$f" env -u DBUS_SESSION_BUS_ADDRESS -u XDG_RUNTIME_DIR "$NOOK" check --json systemd.user-bus
    [[ "$(field "$f" systemd.user-bus found)" == "neither DBUS_SESSION_BUS_ADDRESS nor XDG_RUNTIME_DIR is set"* ]]

    # A socket that answers, but no systemd user manager beside it.
    "${NOOK_PYTHON:-python3}" -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(8); time.sleep(30)' "$runtime/bus" &
    local listener=$!
    for _ in $(seq 50); do [ -S "$runtime/bus" ] && break; sleep 0.1; done
    json_check "$f" env DBUS_SESSION_BUS_ADDRESS="unix:path=$runtime/bus,guid=0" XDG_RUNTIME_DIR="$runtime" \
        "$NOOK" check --json systemd.user-bus
    kill "$listener"
    wait "$listener" 2>/dev/null || true
    [ "$(line_of systemd.user-bus)" = "warn false -" ]
    [ "$(field "$f" systemd.user-bus found)" = "the user bus $runtime/bus accepts connections, but no systemd user manager runs (no $runtime/systemd/private)" ]
}

@test "/dev/fuse and /dev/net/tun: what the user can open; not openable or missing in a private mount namespace" {
    local f=$BATS_TEST_TMPDIR/dev.json dev
    if [ "$NOOK_TEST_MODE" = rootless ]; then
        json_check "$f" "$NOOK" check --json fuse.device net.tun
        for dev in fuse.device:/dev/fuse net.tun:/dev/net/tun; do
            if [ -r "${dev#*:}" ] && [ -w "${dev#*:}" ]; then
                [ "$(line_of "${dev%%:*}")" = "ok false -" ]
            elif [ -e "${dev#*:}" ]; then
                [ "$(line_of "${dev%%:*}")" = "warn false EACCES" ]
                field "$f" "${dev%%:*}" fix | grep -qxF "sudo chmod 0666 ${dev#*:}"
            fi
        done
        return
    fi
    local user node=$BATS_TEST_TMPDIR/fuse-0600
    user=$(test_user)
    [ -c /dev/fuse ] || skip "this host has no /dev/fuse"
    mknod -m 0600 "$node" c 10 229
    json_check "$f" unshare --mount --propagation private -- sh -c \
        'mount --bind "$1" /dev/fuse && mount -t tmpfs none /dev/net && shift && exec "$@"' sh "$node" \
        runuser -u "$user" -- env -i PATH=/usr/bin:/bin "$NOOK" check --json fuse.device net.tun
    [ "$status" -eq 0 ]
    [ "$(line_of fuse.device)" = "warn false EACCES" ]
    [ "$(field "$f" fuse.device found)" = "open /dev/fuse read-write (mode 0600, owner uid 0): Permission denied (EACCES)" ]
    [ "$(field "$f" fuse.device fix | head -n 1)" = "sudo chmod 0666 /dev/fuse" ]
    [[ "$(field "$f" fuse.device impact)" == "fuse-overlayfs cannot run"* ]]
    [ "$(line_of net.tun)" = "warn false ENOENT" ]
    [ "$(field "$f" net.tun fix | head -n 1)" = "sudo modprobe tun" ]
    [[ "$(field "$f" net.tun impact)" == *"slirp networking"* ]]
    # The masks stayed in their mount namespace.
    [ "$(stat -c %i /dev/fuse)" != "$(stat -c %i "$node")" ]
    [ -e /dev/net/tun ]
}

@test "cgroup delegation: ok where the suite delegates one; missing or read-only, a warning that says which" {
    local v2 f=$BATS_TEST_TMPDIR/cg.json
    v2=$(cgroup_v2_root) || skip "this host has no cgroup v2 hierarchy"
    if [ "$NOOK_TEST_MODE" = rootless ]; then
        json_check "$f" env -u DBUS_SESSION_BUS_ADDRESS XDG_RUNTIME_DIR="$BATS_TEST_TMPDIR" \
            "$NOOK" check --json cgroup.delegation
        if cgroup_delegated_top >/dev/null; then
            [ "$(line_of cgroup.delegation)" = "ok false -" ]
            [[ "$(field "$f" cgroup.delegation found)" == *"the subtree $(cgroup_delegated_top) is delegated"*"created and removed a test cgroup in it" ]]
        else
            [ "$(line_of cgroup.delegation)" = "warn false -" ]
        fi
        return
    fi
    local user uid none=$v2/check-none-$$ ro=$v2/check-ro-$$
    user=$(test_user)
    uid=$(id -u "$user")
    # Not delegated: a cgroup of root's. Read-only: the user's, mode 0555.
    mkdir "$none" "$ro"
    chown "$user:" "$ro" "$ro/cgroup.procs" "$ro/cgroup.threads" "$ro/cgroup.subtree_control"
    chmod 0555 "$ro"
    local cg
    for cg in "$none" "$ro"; do
        json_check "$f.${cg##*/}" sh -c 'echo $$ > "$1/cgroup.procs" && shift && exec "$@"' sh "$cg" \
            runuser -u "$user" -- env -i PATH=/usr/bin:/bin XDG_RUNTIME_DIR="/run/user/$uid" \
            "$NOOK" check --json cgroup.delegation cgroup.controllers
    done
    for _ in $(seq 50); do
        rmdir "$none" "$ro" 2>/dev/null
        [ -e "$none" ] || [ -e "$ro" ] || break
        sleep 0.1
    done
    output=$(check_json "$f.check-none-$$")
    [ "$(line_of cgroup.delegation)" = "warn false -" ]
    [[ "$(field "$f.check-none-$$" cgroup.delegation found)" == "no cgroup v2 subtree is delegated to you (your cgroup /check-none-$$ in $v2 is not yours), and no systemd user manager answers on a user bus (see systemd.user-bus)" ]]
    field "$f.check-none-$$" cgroup.delegation fix | grep -qxF "sudo loginctl enable-linger $user"
    [[ "$(field "$f.check-none-$$" cgroup.delegation impact)" == "containers get no cgroup: limits in .linux.resources are refused"* ]]
    [ "$(line_of cgroup.controllers)" = "warn false -" ]
    output=$(check_json "$f.check-ro-$$")
    [ "$(line_of cgroup.delegation)" = "warn false EACCES" ]
    [[ "$(field "$f.check-ro-$$" cgroup.delegation found)" == "your cgroup /check-ro-$$; the subtree /check-ro-$$ is yours, but creating a cgroup in it fails: Permission denied (EACCES)" ]]
    [ "$(field "$f.check-ro-$$" cgroup.delegation fix)" = "chmod u+w $v2/check-ro-$$" ]
}

# nested_bundle DIR MASKED ARGS...: a bundle whose container runs `nook
# ARGS...` with this build's nook: the busybox rootfs copied (so that the
# host's libraries can be reached through /lib and /lib64), the host's
# /usr and nook's directory bound in read-only, no seccomp, and the
# capabilities that make a user namespace inside (SETFCAP maps uid 0).
# MASKED "no" empties maskedPaths and readonlyPaths.
nested_bundle() {
    local dir=$1 masked=$2
    shift 2
    make_bundle "$dir" /opt/nook/nook "$@" || return 1
    cp -a "$NOOK_BUNDLE_ROOTFS" "$dir/rootfs" || return 1
    mkdir -p "$dir/rootfs/opt/nook"
    local d
    for d in lib lib64; do
        if [ -L "/$d" ]; then
            ln -s "$(readlink "/$d")" "$dir/rootfs/$d"
        elif [ -d "/$d" ]; then
            mkdir -p "$dir/rootfs/$d"
            edit_config "$dir" 'c["mounts"].append({"destination": "/'"$d"'", "type": "bind", "source": "/'"$d"'", "options": ["rbind", "ro"]})'
        fi
    done
    edit_config "$dir" '
import os
c["root"]["path"] = "rootfs"
c["mounts"].append({"destination": "/usr", "type": "bind", "source": "/usr", "options": ["rbind", "ro"]})
c["mounts"].append({"destination": "/opt/nook", "type": "bind", "source": os.path.dirname(os.environ["NOOK"]), "options": ["rbind", "ro"]})
c["linux"].pop("seccomp", None)
for k in ("bounding", "effective", "permitted"):
    c["process"]["capabilities"][k] = sorted(set(c["process"]["capabilities"].get(k, [])) | {"CAP_SYS_ADMIN", "CAP_SETUID", "CAP_SETGID", "CAP_SETFCAP"})
if "'"$masked"'" == "no":
    c["linux"]["maskedPaths"] = []
    c["linux"]["readonlyPaths"] = []
'
}

@test "inside a nook container with /proc masked: nested.proc warns, names the masks and the fix; unmasked it is ok" {
    export NOOK
    local b=$BATS_TEST_TMPDIR/nested f=$BATS_TEST_TMPDIR/nested.json
    nested_bundle "$b" yes --rootless true check --json nested.proc userns.trial
    nook run -b "$b" nested1 </dev/null >"$f" 2>"$f.err" || true
    output=$(check_json "$f") || { echo "inner nook check: $(cat "$f" "$f.err")" >&2; return 1; }
    [ "$(line_of userns.trial)" = "ok true -" ]
    [ "$(line_of nested.proc)" = "warn false EPERM" ]
    local found
    found=$(field "$f" nested.proc found)
    [[ "$found" == "inside a container: "*" over-mounted below /proc ("*"/proc/sys"*"mount a fresh proc (in a scratch user, mount and pid namespace): Operation not permitted (EPERM)" ]]
    field "$f" nested.proc fix | grep -qF "podman run --security-opt unmask=ALL"
    field "$f" nested.proc fix | grep -qF ".linux.maskedPaths and .linux.readonlyPaths"
    [[ "$(field "$f" nested.proc impact)" == "nook binds the outer /proc into containers instead"* ]]

    local u=$BATS_TEST_TMPDIR/unmasked
    nested_bundle "$u" no --rootless true check --json nested.proc
    nook run -b "$u" nested2 </dev/null >"$f" 2>"$f.err" || true
    output=$(check_json "$f") || { echo "inner nook check: $(cat "$f" "$f.err")" >&2; return 1; }
    [ "$(line_of nested.proc)" = "ok false -" ]
    [[ "$(field "$f" nested.proc found)" == "inside a container ("*"nothing over-mounted below /proc; mounted a fresh proc in a scratch user, mount and pid namespace" ]]
}

@test "every \"(see: nook check ID)\" in nook's messages names a real check" {
    local ids id missing=()
    # Literal in a message, or handed to the cgroup rooms' helper that
    # appends it (nook_cgroup_error_see, cgroup.c's `see`).
    ids=$(grep -rhoE '(see: nook check |_error_see\([a-z_>-]+, "|see = ")[a-z0-9.-]+' "$NOOK_SOURCE_ROOT/src" "$NOOK_SOURCE_ROOT/helpers" |
        sed -E 's/.*(check |")//' | sort -u)
    [ -n "$ids" ]
    for id in $ids; do
        [[ " $ALL_IDS " == *" $id "* ]] || missing+=("$id")
    done
    [ ${#missing[@]} -eq 0 ] || { echo "unknown check ids: ${missing[*]}" >&2; return 1; }
    # And the ones the issue names are among them.
    for id in subid.uid subid.gid newuidmap.setuid runtime-dir cgroup.delegation cgroup.controllers systemd.user-bus userns.trial; do
        grep -qxF "$id" <<<"$ids" || { echo "no message points at $id" >&2; return 1; }
    done
}

@test "the completions offer the check ids after check" {
    local id out
    out=$(bash -c 'source "$1"; COMP_WORDS=(nook check --quiet ""); COMP_CWORD=3; _nook; printf "%s\n" "${COMPREPLY[@]}"' \
        bash "$NOOK_SOURCE_ROOT/completions/bash/nook")
    for id in $ALL_IDS; do
        grep -qxF "$id" <<<"$out" || { echo "bash does not complete $id" >&2; return 1; }
        grep -qF "$id" "$NOOK_SOURCE_ROOT/completions/zsh/_nook" || { echo "zsh lacks $id" >&2; return 1; }
        grep -F "string match -q -r \"^check \"" "$NOOK_SOURCE_ROOT/completions/fish/nook.fish" | grep -qF "$id" ||
            { echo "fish lacks $id" >&2; return 1; }
    done
    # And the man page documents each.
    for id in $ALL_IDS; do
        grep -qF "*$id*" "$NOOK_SOURCE_ROOT/man/nook-check.1.scd" || { echo "man page lacks $id" >&2; return 1; }
    done
}
