#!/usr/bin/env bats
# network-helper.bats: the network helper nook-slirp on its own, started
# by hand against a process in a new network namespace (as nook's create
# starts it against the container's init; network.bats tests that side):
# the ready line, tap0's configuration, HTTP to a server on the host
# through 10.0.2.2, DNS through 10.0.2.3 to a DNS server the test runs,
# a forwarded port, refused ports, confinement, and the two ways it ends
# (the init exits, SIGTERM).
#
# Rootless, the namespaces are `unshare --user --map-root-user --net`'s
# and /dev/net/tun must be mode 0666 (as distributions ship it); as root
# there is no user namespace (the helper then stays in its own) and the
# helper must drop to uid 65534.

load helpers

setup_file() {
    export_python
}

setup() {
    common_setup
    HELPER=$NOOK_BUILD_ROOT/src/nook-slirp
    [ -x "$HELPER" ] || skip "nook-slirp is not built (no libslirp or libseccomp in this build)"
    if [ ! -r /dev/net/tun ] || [ ! -w /dev/net/tun ]; then
        skip "/dev/net/tun is not readable and writable by $(id -un) (mode $(stat -c %a /dev/net/tun 2>/dev/null))"
    fi
    BUSYBOX=$(command -v busybox) || skip "no busybox on the host"
    T=$BATS_TEST_TMPDIR
    NS_PID=
    HELPER_PID=
    SERVER_PIDS=()
}

teardown() {
    local pid
    for pid in $HELPER_PID $NS_PID "${SERVER_PIDS[@]}"; do
        kill -9 "$pid" 2>/dev/null || true
    done
    wait 2>/dev/null || true
}

# wait_nonempty FILE: until a server has written FILE (its port), 5 s at most.
wait_nonempty() {
    local i
    for i in $(seq 250); do
        [ -s "$1" ] && return 0
        sleep 0.02
    done
}

# start_namespace: a process in a new network namespace (and, rootless,
# a new user namespace mapping the caller to root): NS_PID.
start_namespace() {
    if [ "$NOOK_TEST_MODE" = root ]; then
        unshare --net sleep 600 3>&- >/dev/null 2>&1 &
    else
        unshare --user --map-root-user --net sleep 600 3>&- >/dev/null 2>&1 &
    fi
    NS_PID=$!
    # The namespaces exist once /proc shows them differing from ours.
    local i
    for i in $(seq 100); do
        [ "$(readlink "/proc/$NS_PID/ns/net" 2>/dev/null)" != "$(readlink /proc/self/ns/net)" ] && return 0
        sleep 0.02
    done
    echo "the namespace process $NS_PID did not start" >&2
    return 1
}

# in_namespace CMD...: run CMD inside NS_PID's namespaces.
in_namespace() {
    if [ "$NOOK_TEST_MODE" = root ]; then
        nsenter -t "$NS_PID" -n -- "$@"
    else
        nsenter -t "$NS_PID" -U -n --preserve-credentials -- "$@"
    fi
}

# start_helper ARGS...: nook-slirp --pid NS_PID --ready-fd 9 ARGS, in the
# background (HELPER_PID), logging to $T/helper.log; waits up to 10 s for
# its ready line, READY.
start_helper() {
    : >"$T/ready"
    "$HELPER" --pid "$NS_PID" --ready-fd 9 --log "$T/helper.log" "$@" 3>&- 9>"$T/ready" </dev/null >"$T/helper.out" 2>&1 &
    HELPER_PID=$!
    local i
    for i in $(seq 500); do
        [ "$(wc -l <"$T/ready")" -ge 1 ] && break
        kill -0 "$HELPER_PID" 2>/dev/null || break
        sleep 0.02
    done
    READY=$(cat "$T/ready")
}

# wait_helper: wait for the helper to exit; HELPER_STATUS.
wait_helper() {
    HELPER_STATUS=0
    wait "$HELPER_PID" || HELPER_STATUS=$?
    HELPER_PID=
}

# start_server http|dns: a tiny server on 127.0.0.1; the port it got is
# in $T/KIND.port once this returns. http serves $T/www; dns answers every
# A query with 192.0.2.53.
start_server() {
    local kind=$1
    mkdir -p "$T/www"
    echo "hello from the host" >"$T/www/index.html"
    "$NOOK_PYTHON" - "$kind" "$T" 3>&- >/dev/null 2>"$T/$kind.err" <<'PY' &
import http.server, os, socket, struct, sys
kind, tmp = sys.argv[1], sys.argv[2]
def ready(port):
    with open(os.path.join(tmp, kind + ".port.tmp"), "w") as f:
        f.write(str(port))
    os.rename(os.path.join(tmp, kind + ".port.tmp"), os.path.join(tmp, kind + ".port"))
if kind == "http":
    os.chdir(os.path.join(tmp, "www"))
    server = http.server.HTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    ready(server.server_address[1])
    server.serve_forever()
else:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    ready(s.getsockname()[1])
    while True:
        query, peer = s.recvfrom(4096)
        end = 12
        while query[end]:
            end += 1 + query[end]
        end += 5
        qtype = struct.unpack("!H", query[end - 4:end - 2])[0]
        records = b""
        if qtype == 1:
            records = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + bytes([192, 0, 2, 53])
        header = struct.pack("!HHHHHH", struct.unpack("!H", query[:2])[0], 0x8180, 1, 1 if records else 0, 0, 0)
        s.sendto(header + query[12:end] + records, peer)
PY
    SERVER_PIDS+=($!)
    wait_nonempty "$T/$kind.port"
}

@test "nook-slirp: a bad option is one error line on the ready fd and exit 1" {
    run bash -c '"$0" --pid 1 --ready-fd 9 --frobnicate 9>"$1/ready"; echo "status=$?"' "$HELPER" "$T"
    assert_output_contains "status=1"
    [ "$(cat "$T/ready")" = 'error: unknown option "--frobnicate"' ]
}

@test "nook-slirp: without a usable ready fd the error goes to stderr" {
    run "$HELPER" --pid nope
    assert_status 1
    [ "$output" = 'nook-slirp: error: --pid "nope": expected a process id' ]
}

@test "nook-slirp: an init that does not exist is an error" {
    run bash -c '"$0" --pid 2147483647 --ready-fd 9 9>"$1/ready"; echo "status=$?"' "$HELPER" "$T"
    assert_output_contains "status=1"
    [ "$(cat "$T/ready")" = "error: the container's init (pid 2147483647) does not exist" ]
}

@test "nook-slirp: an init in the helper's own network namespace is refused" {
    sleep 600 3>&- &
    NS_PID=$!
    start_helper
    wait_helper
    [ "$HELPER_STATUS" -eq 1 ]
    [[ "$READY" == "error: the container's init (pid $NS_PID) is in nook-slirp's own network namespace"* ]]
}

@test "nook-slirp: tap0 gets its address, MTU and routes, lo is up" {
    start_namespace
    start_helper --mtu 1500
    [ "$READY" = ok ]
    run in_namespace "$BUSYBOX" ip addr show tap0
    assert_output_contains "mtu 1500"
    assert_output_contains "inet 10.0.2.100/24"
    assert_output_contains "UP"
    run in_namespace "$BUSYBOX" ip route
    assert_output_contains "default via 10.0.2.2 dev tap0"
    run in_namespace "$BUSYBOX" ip link show lo
    assert_output_contains "UP"
    grep -q "ready: pid $NS_PID, tap0 10.0.2.100/24 mtu 1500" "$T/helper.log"
}

@test "nook-slirp: --ipv6 adds fd00::100/64 and a default route via fd00::2" {
    start_namespace
    start_helper --ipv6
    [ "$READY" = ok ]
    run in_namespace "$BUSYBOX" ip -6 addr show tap0
    assert_output_contains "inet6 fd00::100/64"
    run in_namespace "$BUSYBOX" ip -6 route
    assert_output_contains "default via fd00::2 dev tap0"
}

@test "nook-slirp: the container fetches a page from the host through 10.0.2.2 with --host-loopback" {
    start_server http
    port=$(cat "$T/http.port")
    start_namespace
    start_helper --host-loopback
    [ "$READY" = ok ]
    run in_namespace "$BUSYBOX" wget -q -O - "http://10.0.2.2:$port/index.html"
    assert_status 0
    [ "$output" = "hello from the host" ]
}

@test "nook-slirp: without --host-loopback the host's 127.0.0.1 is out of reach" {
    start_server http
    port=$(cat "$T/http.port")
    start_namespace
    start_helper
    [ "$READY" = ok ]
    run in_namespace "$BUSYBOX" wget -q -O - "http://10.0.2.2:$port/index.html"
    [ "$status" -ne 0 ]
    [[ "$output" != *"hello from the host"* ]]
}

@test "nook-slirp: DNS queries to 10.0.2.3 go to the --dns upstream" {
    start_server dns
    port=$(cat "$T/dns.port")
    start_namespace
    start_helper --dns "127.0.0.1:$port"
    [ "$READY" = ok ]
    run in_namespace "$BUSYBOX" nslookup -type=a db.example 10.0.2.3
    assert_status 0
    assert_output_contains "Address: 192.0.2.53"
}

@test "nook-slirp: an upstream that does not answer fails over to the next" {
    start_server dns
    port=$(cat "$T/dns.port")
    # Nothing listens on the first: its port unreachable moves the query on.
    dead=$("$NOOK_PYTHON" -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    start_namespace
    start_helper --dns "127.0.0.1:$dead" --dns "127.0.0.1:$port" --debug
    [ "$READY" = ok ]
    run in_namespace "$BUSYBOX" nslookup -type=a db.example 10.0.2.3
    assert_status 0
    assert_output_contains "Address: 192.0.2.53"
    grep -q "sent to 127.0.0.1:$port" "$T/helper.log"
}

@test "nook-slirp: a forwarded port reaches a server in the container" {
    start_namespace
    hostport=$("$NOOK_PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    start_helper --port "127.0.0.1:$hostport:8080/tcp"
    [ "$READY" = ok ]
    in_namespace "$BUSYBOX" sh -c 'echo "hello from the container" | busybox nc -l -p 8080' 3>&- >/dev/null 2>&1 &
    SERVER_PIDS+=($!)
    for i in $(seq 100); do
        output=$("$BUSYBOX" nc 127.0.0.1 "$hostport" </dev/null 2>/dev/null || true)
        [ -n "$output" ] && break
        sleep 0.05
    done
    [ "$output" = "hello from the container" ]
}

@test "nook-slirp: a host port the caller cannot bind is refused, naming the port" {
    require_rootless
    start_namespace
    limit=$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)
    [ "$limit" -gt 80 ] || skip "ip_unprivileged_port_start is $limit: port 80 is not privileged here"
    start_helper --port 80:80/tcp
    wait_helper
    [ "$HELPER_STATUS" -eq 1 ]
    [ "$READY" = "error: forward port 80/tcp on 0.0.0.0: Permission denied (ports below $limit need privilege: /proc/sys/net/ipv4/ip_unprivileged_port_start is $limit)" ]
}

@test "nook-slirp: a host port already in use is refused, naming it" {
    start_namespace
    start_server http
    port=$(cat "$T/http.port")
    start_helper --port "127.0.0.1:$port:80"
    wait_helper
    [ "$HELPER_STATUS" -eq 1 ]
    [[ "$READY" == "error: forward port $port/tcp on 127.0.0.1: Address already in use"* ]]
}

@test "nook-slirp: confined: no_new_privs, seccomp, and never root" {
    start_namespace
    start_helper --port 8081:80
    [ "$READY" = ok ]
    status_file=/proc/$HELPER_PID/status
    grep -q '^NoNewPrivs:[[:space:]]*1$' "$status_file"
    grep -q '^Seccomp:[[:space:]]*2$' "$status_file"
    uid=$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "$status_file")
    if [ "$NOOK_TEST_MODE" = root ]; then
        [ "$uid" = "65534 65534 65534 65534" ]
        grep -q "running as uid 65534" "$T/helper.log"
    else
        [ "$uid" = "$(id -u) $(id -u) $(id -u) $(id -u)" ]
    fi
    # Its own session: a terminal's signals to nook's group never reach it.
    [ "$(ps -o sid= -p "$HELPER_PID" | tr -d ' ')" = "$HELPER_PID" ]
    kill "$HELPER_PID"
    wait_helper
    [ "$HELPER_STATUS" -eq 0 ]
}

@test "nook-slirp: as root, a privileged host port is bound before the drop to nobody" {
    require_root
    start_namespace
    start_helper --port 127.0.0.1:81:8080
    [ "$READY" = ok ]
    in_namespace "$BUSYBOX" sh -c 'echo "root forward" | busybox nc -l -p 8080' 3>&- >/dev/null 2>&1 &
    SERVER_PIDS+=($!)
    for i in $(seq 100); do
        output=$("$BUSYBOX" nc 127.0.0.1 81 </dev/null 2>/dev/null || true)
        [ -n "$output" ] && break
        sleep 0.05
    done
    [ "$output" = "root forward" ]
    grep -q '^Uid:[[:space:]]*65534' "/proc/$HELPER_PID/status"
}

@test "nook-slirp: exits 0 when the container's init exits" {
    start_namespace
    start_helper
    [ "$READY" = ok ]
    kill -9 "$NS_PID"
    NS_PID=
    wait_helper
    [ "$HELPER_STATUS" -eq 0 ]
    grep -q "the container's init (pid [0-9]*) exited: exiting" "$T/helper.log"
}

@test "nook-slirp: exits 0 on SIGTERM, with a log line" {
    start_namespace
    start_helper
    [ "$READY" = ok ]
    kill -TERM "$HELPER_PID"
    wait_helper
    [ "$HELPER_STATUS" -eq 0 ]
    grep -q "SIGTERM: exiting" "$T/helper.log"
    # The log's lines carry UTC timestamps.
    grep -qE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z nook-slirp\[[0-9]+\]: ' "$T/helper.log"
}

# raw_syn_to PORT: from inside NS_PID's network namespace, a TCP SYN
# written straight to tap0 (an AF_PACKET socket: what a container with
# CAP_NET_RAW can do) from 10.0.2.100 to the host's 127.0.0.1:PORT,
# which the kernel would never route there itself.
raw_syn_to() {
    in_namespace "$NOOK_PYTHON" - "$1" <<'PY'
import socket, struct, sys
port = int(sys.argv[1])
def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
src, dst = socket.inet_aton("10.0.2.100"), socket.inet_aton("127.0.0.1")
tcp = struct.pack("!HHIIBBHHH", 40123, port, 1, 0, 5 << 4, 0x02, 65535, 0, 0)
tcp = tcp[:16] + struct.pack("!H", csum(src + dst + struct.pack("!BBH", 0, 6, len(tcp)) + tcp)) + tcp[18:]
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0, 64, 6, 0, src, dst)
ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("tap0", 0))
s.send(b"\x52\x55\x0a\x00\x02\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00" + ip + tcp)
PY
}

# start_accept_counter: a TCP listener on the host's 127.0.0.1 that
# appends a line to $T/accepted for every connection; its port in
# $T/counter.port.
start_accept_counter() {
    "$NOOK_PYTHON" - "$T" 3>&- >/dev/null 2>&1 <<'PY' &
import os, socket, sys
tmp = sys.argv[1]
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(8)
with open(tmp + "/counter.port.tmp", "w") as f:
    f.write(str(s.getsockname()[1]))
os.rename(tmp + "/counter.port.tmp", tmp + "/counter.port")
while True:
    c, _ = s.accept()
    with open(tmp + "/accepted", "a") as f:
        f.write("accepted\n")
    c.close()
PY
    SERVER_PIDS+=($!)
    wait_nonempty "$T/counter.port"
}

@test "nook-slirp: without --host-loopback a frame written to the host's 127.0.0.1 is dropped; with it, it goes through" {
    start_accept_counter
    port=$(cat "$T/counter.port")
    start_namespace
    start_helper
    [ "$READY" = ok ]
    raw_syn_to "$port"
    sleep 1
    [ ! -e "$T/accepted" ]
    grep -q "a frame from the container to the host's loopback was dropped (host loopback is off)" "$T/helper.log"
    kill "$HELPER_PID"
    wait_helper

    # The same frame with host loopback on reaches the listener: the check
    # above can fail.
    start_helper --host-loopback
    [ "$READY" = ok ]
    raw_syn_to "$port"
    for i in $(seq 50); do
        [ -e "$T/accepted" ] && break
        sleep 0.1
    done
    [ -e "$T/accepted" ]
}

@test "nook-slirp: a --tap-fd that is not open is one error line, before any setup" {
    start_namespace
    run bash -c 'exec 4</dev/null; "$0" --pid "$2" --pidfd 4 --tap-fd 8 --ready-fd 9 --log "$1/helper.log" 9>"$1/ready"; echo "status=$?"' "$HELPER" "$T" "$NS_PID"
    assert_output_contains "status=1"
    [ "$(cat "$T/ready")" = "error: --tap-fd 8 is not open" ]
    ! grep -q "ready:" "$T/helper.log" || false
}
