#!/usr/bin/env bats
# network.bats: slirp networking through the helper nook-slirp (issue 7;
# nook-network(7)): the container reaches a server on the host's loopback
# only with host-loopback, resolves names through slirp's DNS address
# against a DNS server the test runs, serves a page the host fetches
# through a forwarded port; bad annotations, unbindable and busy ports are
# refused with nothing left behind; and no helper ever outlives its
# container, whether it is deleted, its init is killed or the helper is.
#
# As root the helper does its setup as root and then drops to nobody
# (65534) before it serves; the same tests run, but for the refusal of
# privileged host ports, which root may bind.
#
# Fetches inside the container are bounded by busybox's timeout: its wget
# (Debian's busybox 1.35) crashes when given -T.

load helpers

setup_file() {
    export_python
}

setup() {
    common_setup
    B=$BATS_TEST_TMPDIR/bundle
    SERVERS=$BATS_TEST_TMPDIR/servers
    WWW=$BATS_TEST_TMPDIR/www
    mkdir -p "$WWW"
    echo "hello from the host $$" >"$WWW/page.txt"
    chmod -R a+rX "$WWW"
    [ -x "$NOOK_BUILD_ROOT/src/nook-slirp" ] ||
        skip "nook-slirp is not built (libslirp or libseccomp missing at meson setup)"
}

teardown() {
    common_teardown
    local pid
    if [ -f "$SERVERS" ]; then
        while read -r pid; do
            kill "$pid" 2>/dev/null || true
        done <"$SERVERS"
    fi
}

# make_net_bundle DIR ANNOTATIONS_PY ARGS...: make_bundle DIR ARGS..., with
# a new network namespace and the annotations of the python dict
# ANNOTATIONS_PY ("nook.network": "slirp" included unless it says
# otherwise).
make_net_bundle() {
    local dir=$1 annotations=$2
    shift 2
    rm -f "$dir/config.json"
    make_bundle "$dir" "$@" || return 1
    edit_config "$dir" '
ns = c["linux"]["namespaces"]
if not any(n["type"] == "network" for n in ns):
    ns.append({"type": "network"})
a = {"nook.network": "slirp"}
a.update('"$annotations"')
c["annotations"] = {k: v for k, v in a.items() if v is not None}'
}

# free_port: a TCP port nothing listens on now.
free_port() {
    "$NOOK_PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# background COMMAND...: run COMMAND detached from bats' fds, remembered
# for teardown.
background() {
    "$@" </dev/null >/dev/null 2>&1 3>&- &
    echo $! >>"$SERVERS"
}

# wait_until SECONDS COMMAND...: poll COMMAND every 0.1 s until it succeeds.
wait_until() {
    local tries=$(($1 * 10)) i
    shift
    for ((i = 0; i < tries; i++)); do
        "$@" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

# http_get URL: the body of URL, fetched from the host.
http_get() {
    "$NOOK_PYTHON" -c 'import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=3).read().decode())' "$1"
}

# start_http_server PORT: python's http.server for $WWW on 127.0.0.1:PORT.
start_http_server() {
    background "$NOOK_PYTHON" -m http.server --bind 127.0.0.1 --directory "$WWW" "$1"
    wait_until 10 http_get "http://127.0.0.1:$1/page.txt" >/dev/null
}

# start_dns_server: a DNS server on 127.0.0.1, UDP and TCP on one free
# port (written to $BATS_TEST_TMPDIR/dns.port), answering A queries for
# *.nook.test with 192.0.2.55 and everything else with NXDOMAIN; it logs
# each name asked to $BATS_TEST_TMPDIR/dns.log ("NAME QTYPE", with " tcp"
# for a query over TCP).
start_dns_server() {
    cat >"$BATS_TEST_TMPDIR/dns.py" <<'PY'
import os, socket, struct, sys, threading
tmp = sys.argv[1]
while True:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        t.bind(("127.0.0.1", s.getsockname()[1]))
        break
    except OSError:
        s.close()
        t.close()
t.listen(16)

def answer(data, how):
    qid, = struct.unpack("!H", data[:2])
    i, labels = 12, []
    while i < len(data) and data[i] != 0:
        labels.append(data[i + 1:i + 1 + data[i]].decode("ascii", "replace"))
        i += 1 + data[i]
    qtype, = struct.unpack("!H", data[i + 1:i + 3])
    question = data[12:i + 5]
    name = ".".join(labels).lower()
    with open(tmp + "/dns.log", "a") as log:
        log.write("%s %d%s\n" % (name, qtype, how))
    if name.endswith("nook.test") and qtype == 1:
        answer = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + socket.inet_aton("192.0.2.55")
        return struct.pack("!HHHHHH", qid, 0x8180, 1, 1, 0, 0) + question + answer
    if name.endswith("nook.test"):
        return struct.pack("!HHHHHH", qid, 0x8180, 1, 0, 0, 0) + question
    return struct.pack("!HHHHHH", qid, 0x8183, 1, 0, 0, 0) + question

def serve_tcp():
    while True:
        c, _ = t.accept()
        data = b""
        while len(data) < 2 or len(data) < 2 + struct.unpack("!H", data[:2])[0]:
            more = c.recv(4096)
            if not more:
                break
            data += more
        if len(data) >= 19:
            reply = answer(data[2:], " tcp")
            c.sendall(struct.pack("!H", len(reply)) + reply)
        c.close()

threading.Thread(target=serve_tcp, daemon=True).start()
with open(tmp + "/dns.port.tmp", "w") as f:
    f.write(str(s.getsockname()[1]))
os.rename(tmp + "/dns.port.tmp", tmp + "/dns.port")
while True:
    data, peer = s.recvfrom(4096)
    if len(data) >= 17:
        s.sendto(answer(data, ""), peer)
PY
    background "$NOOK_PYTHON" "$BATS_TEST_TMPDIR/dns.py" "$BATS_TEST_TMPDIR"
    wait_until 10 test -s "$BATS_TEST_TMPDIR/dns.port"
    DNS_PORT=$(cat "$BATS_TEST_TMPDIR/dns.port")
}

# tcp_dns_query ID SERVER NAME: an A query for NAME over TCP to SERVER
# port 53 from inside container ID, with busybox's printf and nc (the
# 2-byte length, then the message); prints the answer as one string of
# hex digits, its own 2-byte length first (nook_capture: output, status).
tcp_dns_query() {
    local id=$1 server=$2 name=$3 label query
    local -a labels
    # id 0x1234, recursion desired, one question
    query='\022\064\001\000\000\001\000\000\000\000\000\000'
    IFS=. read -ra labels <<<"$name"
    for label in "${labels[@]}"; do
        query+=$(printf '\\%03o' "${#label}")$label
    done
    query+='\000\000\001\000\001'
    # the header, the labels with their lengths and the root, type and class
    local len=$((12 + ${#name} + 2 + 4))
    nook_capture exec "$id" sh -c "(printf '\\000$(printf '\\%03o' "$len")$query'; sleep 1) |
        timeout 5 nc $server 53 | od -An -v -tx1 | tr -d ' \n'"
}

# helper_pids ID: the live nook-slirp processes of container ID (zombies
# are not processes any more; one may wait a moment for its reaper).
helper_pids() {
    ps -eo pid=,stat=,args= | awk -v logpath="$NOOK_ROOT/$1/network.log" \
        '$2 !~ /^Z/ && $3 ~ /nook-slirp$/ && index($0, " --log " logpath) { print $1 }'
}

no_helper() {
    [ -z "$(helper_pids "$1")" ]
}

assert_no_helper() {
    if ! no_helper "$1"; then
        echo "a nook-slirp of container $1 is left behind:" >&2
        ps -o pid,user,stat,args -p "$(helper_pids "$1" | tr '\n' ',' | sed 's/,$//')" >&2
        return 1
    fi
}

# state_field ID EXPR: a python expression on `nook state ID` as `s`.
state_field() {
    nook state "$1" 2>/dev/null | "$NOOK_PYTHON" -c 'import json, sys; s = json.load(sys.stdin); print('"$2"')'
}

# run_container ID: create and start container ID of bundle $B; on a
# failure, what nook said and the helper's log go to the test's output.
run_container() {
    if ! nook_detached create -b "$B" "$1" || ! nook start "$1"; then
        echo "run_container $1 failed:" >&2
        cat "$BATS_TEST_TMPDIR/container.err" "$NOOK_ROOT/$1/network.log" >&2 2>/dev/null
        return 1
    fi
}

# serve_etc PORT: container c1, with busybox httpd serving the rootfs's
# /etc (/etc/hostname says "nook") on 127.0.0.1:PORT of the host.
serve_etc() {
    make_net_bundle "$B" '{"nook.network.ports": "127.0.0.1:'"$1"':80/tcp"}' httpd -f -p 80 -h /etc || return 1
    run_container c1 || return 1
    wait_until 10 http_get "http://127.0.0.1:$1/hostname"
}

@test "network: host-loopback on: the container fetches a page from the host's 127.0.0.1 through 10.0.2.2" {
    local port
    port=$(free_port)
    start_http_server "$port"
    make_net_bundle "$B" '{"nook.network.host-loopback": "true"}' sleep 300
    run_container c1
    nook_capture exec c1 timeout 5 wget -q -O - "http://10.0.2.2:$port/page.txt"
    assert_status 0
    [ "$output" = "hello from the host $$" ]
    # The container's side: tap0 with the contract's address and route.
    nook_capture exec c1 ip -4 addr show tap0
    assert_output_contains "inet 10.0.2.100/24"
    nook_capture exec c1 ip route
    assert_output_contains "default via 10.0.2.2 dev tap0"
    [ "$(state_field c1 's["annotations"]["nook.network.helper"]')" = running ]
}

# tap0_rx: the frames the container's tap0 has received so far
# (/proc/net/dev: "tap0: <bytes> <packets> ...", and rootless has the
# host's /sys).
tap0_rx() {
    nook exec c1 sh -c "sed -n 's/^ *tap0://p' /proc/net/dev" | awk '{ print $2 }'
}

# assert_big_download LABEL URL MD5: container c1 downloads URL whole
# (its md5sum is MD5) in fewer than 1000 frames: 4 MiB in segments of an
# MTU of 1500 would take over 2800.
assert_big_download() {
    local before after
    before=$(tap0_rx)
    nook_capture exec c1 sh -c "wget -q -O - $2 | md5sum"
    assert_status 0
    [ "${output%% *}" = "$3" ]
    after=$(tap0_rx)
    echo "# $1: $((after - before)) frames" >&3
    [ $((after - before)) -lt 1000 ]
}

@test "network: at MTU 1500 downloads arrive whole, in frames larger than the MTU (advmss routes, GSO frames), over IPv4 and IPv6" {
    local port port6 want
    head -c 4194304 /dev/urandom >"$WWW/big.bin"
    want=$(md5sum <"$WWW/big.bin")
    want=${want%% *}
    port=$(free_port)
    start_http_server "$port"
    make_net_bundle "$B" '{"nook.network.host-loopback": "true", "nook.network.mtu": "1500", "nook.network.ipv6": "true"}' sleep 300
    run_container c1
    # (busybox's ip shows no route metrics: the frame counts tell that the
    # routes advertise the MSS libslirp runs at.)
    nook_capture exec c1 ip route
    assert_output_contains "default via 10.0.2.2 dev tap0"
    assert_output_contains "10.0.2.0/24 dev tap0 scope link  src 10.0.2.100"
    nook_capture exec c1 ip link show tap0
    assert_output_contains "mtu 1500"
    assert_big_download IPv4 "http://10.0.2.2:$port/big.bin" "$want"
    grep -q '^0\{31\}1 .* lo$' /proc/net/if_inet6 || skip "the host has no ::1 for the IPv6 half"
    port6=$(free_port)
    background "$NOOK_PYTHON" -m http.server --bind ::1 --directory "$WWW" "$port6"
    wait_until 10 http_get "http://[::1]:$port6/page.txt" >/dev/null
    assert_big_download IPv6 "http://[fd00::2]:$port6/big.bin" "$want"
}

@test "network: without host-loopback the host's 127.0.0.1 is out of reach" {
    local port
    port=$(free_port)
    start_http_server "$port"
    make_net_bundle "$B" '{}' sleep 300
    run_container c1
    nook_capture exec c1 timeout 3 wget -q -O - "http://10.0.2.2:$port/page.txt"
    [ "$status" -ne 0 ]
    [[ "$output" != *"hello from the host"* ]]
    # ... while the network itself is up.
    nook_capture exec c1 ip -4 addr show tap0
    assert_output_contains "inet 10.0.2.100/24"
}

@test "network: names resolve through 10.0.2.3 against the DNS server given by nook.network.dns" {
    start_dns_server
    make_net_bundle "$B" '{"nook.network.dns": "127.0.0.1:'"$DNS_PORT"'"}' sleep 300
    run_container c1
    nook_capture exec c1 nslookup -type=a www.nook.test 10.0.2.3
    assert_status 0
    assert_output_contains "192.0.2.55"
    grep -qx "www.nook.test 1" "$BATS_TEST_TMPDIR/dns.log"
    # Through the generated /etc/resolv.conf, without naming the server.
    nook_capture exec c1 nslookup -type=a other.nook.test
    assert_status 0
    assert_output_contains "192.0.2.55"
    grep -qx "other.nook.test 1" "$BATS_TEST_TMPDIR/dns.log"
    # A name the server does not know stays unknown.
    nook_capture exec c1 nslookup -type=a nowhere.example
    [ "$status" -ne 0 ]
    [[ "$output" != *"192.0.2.55"* ]]
}

@test "network: DNS over TCP to 10.0.2.3 reaches the DNS server of nook.network.dns, past one that refuses" {
    start_dns_server
    local dead
    dead=$(free_port)
    make_net_bundle "$B" '{"nook.network.dns": "127.0.0.1:'"$dead"',127.0.0.1:'"$DNS_PORT"'"}' sleep 300
    run_container c1
    tcp_dns_query c1 10.0.2.3 tcp.nook.test
    assert_status 0
    # 47 bytes: id 0x1234, a response with one answer, 192.0.2.55 last.
    [[ "$output" == 002f12348180000100010000* ]] || { echo "unexpected answer: $output" >&2; false; }
    [[ "$output" == *c0000237 ]] || { echo "unexpected answer: $output" >&2; false; }
    grep -qx "tcp.nook.test 1 tcp" "$BATS_TEST_TMPDIR/dns.log"
    # The next query on another connection, after the first one closed.
    tcp_dns_query c1 10.0.2.3 again.nook.test
    [[ "$output" == *c0000237 ]] || { echo "unexpected second answer: $output" >&2; false; }
    grep -qx "again.nook.test 1 tcp" "$BATS_TEST_TMPDIR/dns.log"
    # UDP still goes to the forwarder, not over TCP.
    nook_capture exec c1 nslookup -type=a udp.nook.test 10.0.2.3
    assert_output_contains "192.0.2.55"
    grep -qx "udp.nook.test 1" "$BATS_TEST_TMPDIR/dns.log"
}

@test "network: DNS over TCP to fd00::3 with nook.network.ipv6" {
    grep -q '^0\{31\}1 .* lo$' /proc/net/if_inet6 || skip "the host has no ::1"
    start_dns_server
    make_net_bundle "$B" '{"nook.network.ipv6": "true", "nook.network.dns": "127.0.0.1:'"$DNS_PORT"'"}' sleep 300
    run_container c1
    tcp_dns_query c1 fd00::3 six.nook.test
    assert_status 0
    [[ "$output" == 002f1234818000010001*c0000237 ]] || { echo "unexpected answer: $output" >&2; false; }
    grep -qx "six.nook.test 1 tcp" "$BATS_TEST_TMPDIR/dns.log"
}

@test "network: the host fetches a page the container serves, through nook.network.ports" {
    local port
    port=$(free_port)
    serve_etc "$port"
    run http_get "http://127.0.0.1:$port/hostname"
    assert_status 0
    [ "$output" = nook ]
    [ "$(state_field c1 's["annotations"]["nook.network.ports"]')" = "127.0.0.1:$port:80/tcp" ]
}

@test "network: a forwarded TCP port is relayed from the container's own address, or with port-handler slirp from 10.0.2.2" {
    # A CGI script tells whom busybox httpd sees connecting.
    local www=$BATS_TEST_TMPDIR/www port handler want
    mkdir -p "$www/cgi-bin"
    printf '#!/bin/sh\necho "Content-Type: text/plain"\necho\necho "$REMOTE_ADDR"\n' >"$www/cgi-bin/peer"
    chmod 755 "$www/cgi-bin/peer"
    for handler in relay slirp; do
        port=$(free_port)
        make_net_bundle "$B" '{"nook.network.ports": "127.0.0.1:'"$port"':80/tcp", "nook.network.port-handler": "'"$handler"'"}' \
            httpd -f -p 80 -h /home
        # On /home, which the rootfs has: a rootless container cannot make
        # a mount point in the shared rootfs.
        edit_config "$B" 'c["mounts"].append({"destination": "/home", "type": "bind", "source": "'"$www"'", "options": ["rbind", "ro"]})'
        run_container c1
        wait_until 10 http_get "http://127.0.0.1:$port/cgi-bin/peer"
        run http_get "http://127.0.0.1:$port/cgi-bin/peer"
        assert_status 0
        want=10.0.2.2
        [ "$handler" = slirp ] || want=10.0.2.100
        # httpd listens on [::]: IPv4 peers come as [::ffff:A.B.C.D].
        [ "$output" = "$want" ] || [ "$output" = "[::ffff:$want]" ]
        # The relay's sockets come from a child of the helper inside the
        # container's network namespace; libslirp needs none.
        local n=1
        [ "$handler" = slirp ] || n=2
        [ "$(helper_pids c1 | wc -l)" -eq "$n" ]
        if [ "$handler" = relay ]; then
            # The child holds stdio, its socket pair's end and the log:
            # none of the helper's fds (the ready pipe, the tap, the
            # listeners), which would outlive the helper in it.
            local pid child=
            for pid in $(helper_pids c1); do
                grep -q "^PPid:[[:space:]]*$(helper_pids c1 | grep -vx "$pid" | head -1)$" "/proc/$pid/status" && child=$pid
            done
            [ -n "$child" ]
            [ "$(ls "/proc/$child/fd" | wc -l)" -eq 5 ]
        fi
        run nook delete -f c1
        assert_status 0
        wait_until 5 no_helper c1
        assert_no_leftovers c1 "$B"
    done
}

@test "network: the relay carries 150 connections to a forwarded port at once" {
    local port
    port=$(free_port)
    serve_etc "$port"
    # All open before any asks (a few at a time, so that httpd's short
    # listen backlog keeps up), then each asks for /etc/hostname.
    run "$NOOK_PYTHON" - "$port" <<'PY'
import socket, sys, time
port = int(sys.argv[1])
conns = []
for i in range(150):
    s = socket.create_connection(("127.0.0.1", port), timeout=20)
    conns.append(s)
    if i % 10 == 9:
        time.sleep(0.05)
for s in conns:
    s.sendall(b"GET /hostname HTTP/1.0\r\n\r\n")
served = 0
for s in conns:
    data = b""
    while True:
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
    served += data.endswith(b"nook\n")
print(served)
PY
    assert_status 0
    [ "$output" = 150 ]
}

@test "network: the host fetches a page the container serves over [::1], through an IPv6 host address in nook.network.ports" {
    grep -q '^0\{31\}1 .* lo$' /proc/net/if_inet6 || skip "the host has no ::1"
    local port port2
    port=$(free_port)
    port2=$(free_port)
    # The container has IPv4 alone; its httpd is reached all the same.
    make_net_bundle "$B" '{"nook.network.ports": "[::1]:'"$port"':80/tcp,[::]:'"$port2"':80"}' httpd -f -p 80 -h /etc
    run_container c1
    wait_until 10 http_get "http://[::1]:$port/hostname"
    run http_get "http://[::1]:$port/hostname"
    assert_status 0
    [ "$output" = nook ]
    run http_get "http://[::1]:$port2/hostname"
    assert_status 0
    [ "$output" = nook ]
    # [::] is IPv6 only: the IPv4 side of the port is not taken.
    run http_get "http://127.0.0.1:$port2/hostname"
    [ "$status" -ne 0 ]
    "$NOOK_PYTHON" -c 'import socket, sys; s = socket.socket(); s.bind(("0.0.0.0", int(sys.argv[1])))' "$port2"
    [ "$(state_field c1 's["annotations"]["nook.network.ports"]')" = "[::1]:$port:80/tcp,[::]:$port2:80" ]
}

@test "network: a host port below ip_unprivileged_port_start is refused before anything starts" {
    [ "$NOOK_TEST_MODE" = rootless ] ||
        skip "root may bind any host port (the helper binds them before it drops to nobody)"
    local start
    start=$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)
    [ "$start" -gt 80 ] || skip "this host lets anyone bind port 80 (ip_unprivileged_port_start=$start)"
    make_net_bundle "$B" '{"nook.network.ports": "8080:8080,80:80/tcp"}' sleep 300
    nook_capture create -b "$B" c1
    assert_status 1
    [ "${#lines[@]}" -eq 1 ]
    assert_output_contains 'config.json: .annotations["nook.network.ports"]: host port 80/tcp is below '"$start"' (/proc/sys/net/ipv4/ip_unprivileged_port_start)'
    assert_no_leftovers c1 "$B"
    assert_no_helper c1
}

@test "network: as root, a user namespace whose root is another host uid gets the generated resolv.conf and the network" {
    require_root
    local port
    port=$(free_port)
    start_http_server "$port"
    start_dns_server
    make_net_bundle "$B" '{"nook.network.host-loopback": "true", "nook.network.dns": "127.0.0.1:'"$DNS_PORT"'"}' \
        sh -c "cat /etc/resolv.conf && id -u && timeout 5 wget -q -O - http://10.0.2.2:$port/page.txt && nslookup -type=a root.nook.test"
    edit_config "$B" 'c["linux"]["namespaces"].append({"type": "user"})
c["linux"]["uidMappings"] = [{"containerID": 0, "hostID": 300000, "size": 65536}]
c["linux"]["gidMappings"] = [{"containerID": 0, "hostID": 300000, "size": 65536}]'
    # The state directory is root's alone: host uid 300000 cannot reach it.
    nook_capture run -b "$B" c1
    assert_status 0
    assert_output_contains "nameserver 10.0.2.3"
    assert_output_contains "nook-network(7)"
    assert_output_contains "hello from the host $$"
    assert_output_contains "192.0.2.55"
    printf "%s\n" "${lines[@]}" | grep -qx 0
    grep -qx "root.nook.test 1" "$BATS_TEST_TMPDIR/dns.log"
    assert_no_leftovers c1 "$B"
    assert_no_helper c1
}

@test "network: as root with a user namespace, the relay's child is the container's root, not the host's" {
    require_root
    local port
    port=$(free_port)
    make_net_bundle "$B" '{"nook.network.ports": "127.0.0.1:'"$port"':80/tcp"}' httpd -f -p 80 -h /etc
    edit_config "$B" 'c["linux"]["namespaces"].append({"type": "user"})
c["linux"]["uidMappings"] = [{"containerID": 0, "hostID": 300000, "size": 65536}]
c["linux"]["gidMappings"] = [{"containerID": 0, "hostID": 300000, "size": 65536}]'
    run_container c1
    wait_until 10 http_get "http://127.0.0.1:$port/hostname"
    run http_get "http://127.0.0.1:$port/hostname"
    assert_status 0
    [ "$output" = nook ]
    # The helper became nobody; its child in the container's namespaces
    # is the container's root, host uid 300000.
    local uids
    uids=$(ps -o uid= -p "$(helper_pids c1 | paste -sd,)" | tr -d ' ' | sort -n | paste -sd' ')
    [ "$uids" = "65534 300000" ]
}

@test "network: a host port in use: create fails with the helper's error, nothing left behind" {
    local port
    port=$(free_port)
    start_http_server "$port"
    make_net_bundle "$B" '{"nook.network.ports": "127.0.0.1:'"$port"':80"}' sleep 300
    nook_capture create -b "$B" c1
    assert_status 1
    [ "${#lines[@]}" -eq 1 ]
    assert_output_contains "network: forward port $port/tcp on 127.0.0.1: Address already in use"
    assert_no_leftovers c1 "$B"
    assert_no_helper c1
    # The server that holds the port is untouched.
    run http_get "http://127.0.0.1:$port/page.txt"
    [ "$output" = "hello from the host $$" ]
}

@test "network: delete stops the helper" {
    make_net_bundle "$B" '{}' sleep 300
    run_container c1
    [ -n "$(helper_pids c1)" ]
    [ -f "$NOOK_ROOT/c1/helper.slirp" ]
    run nook delete --force c1
    assert_status 0
    assert_no_helper c1
    assert_no_leftovers c1 "$B"
}

@test "network: kill -9 of the init: the helper exits by itself, delete cleans up" {
    make_net_bundle "$B" '{}' sleep 300
    run_container c1
    local init
    init=$(state_field c1 's["pid"]')
    [ -n "$(helper_pids c1)" ]
    kill -9 "$init"
    # Before any delete: the helper saw its init go.
    wait_until 5 no_helper c1
    assert_no_helper c1
    wait_for_status c1 stopped
    [ "$(state_field c1 's["annotations"]["nook.network.helper"]')" = exited ]
    # A helper that ends with its container is no news: no warning.
    run nook state c1
    [[ "$output" != *warning* ]]
    grep -q "the container's init (pid $init) exited: exiting" "$NOOK_ROOT/c1/network.log"
    # Its tap writer thread ended within the seccomp allow-list too.
    run grep "seccomp" "$NOOK_ROOT/c1/network.log"
    [ "$status" -eq 1 ]
    run nook delete c1
    assert_status 0
    assert_no_leftovers c1 "$B"
    assert_no_helper c1
}

@test "network: kill -9 of the helper: the container loses its network, state says so, delete cleans up" {
    local port
    port=$(free_port)
    start_http_server "$port"
    # A forwarded port: the helper has a child in the container's
    # namespaces (nook-slirp-inside.h), which must go with it.
    make_net_bundle "$B" '{"nook.network.host-loopback": "true", "nook.network.ports": "127.0.0.1:'"$(free_port)"':80"}' \
        sleep 300
    run_container c1
    nook_capture exec c1 timeout 5 wget -q -O - "http://10.0.2.2:$port/page.txt"
    [ "$output" = "hello from the host $$" ]
    local pids pid helper=
    pids=$(helper_pids c1)
    [ "$(echo "$pids" | wc -l)" -eq 2 ]
    for pid in $pids; do
        echo "$pids" | grep -qx "$(awk '/^PPid:/ { print $2 }' "/proc/$pid/status")" || helper=$pid
    done
    [ -n "$helper" ]
    kill -9 "$helper"
    wait_until 5 no_helper c1
    # Its tap device went with it.
    nook_capture exec c1 ip link show tap0
    [ "$status" -ne 0 ]
    nook_capture exec c1 timeout 3 wget -q -O - "http://10.0.2.2:$port/page.txt"
    [ "$status" -ne 0 ]
    # state: the helper is reported exited, with one warning line on stderr.
    local err=$BATS_TEST_TMPDIR/state.err
    nook state c1 >"$BATS_TEST_TMPDIR/state.out" 2>"$err"
    grep -q '"status": "running"' "$BATS_TEST_TMPDIR/state.out"
    grep -q '"nook.network.helper": "exited"' "$BATS_TEST_TMPDIR/state.out"
    [ "$(wc -l <"$err")" -eq 1 ]
    grep -q "warning: container c1: its network helper nook-slirp has exited, so the container has no network any more (see $NOOK_ROOT/c1/network.log)" "$err"
    grep -q "nook: the network helper is gone while the container is running" "$NOOK_ROOT/c1/network.log"
    # delete: the same warning, and everything goes.
    run nook delete --force c1
    assert_status 0
    assert_output_contains "warning: container c1: its network helper nook-slirp has exited"
    assert_no_leftovers c1 "$B"
    assert_no_helper c1
}

# A nook of its own (with its JSON module) beside a stand-in nook-slirp
# whose script is $1: in $BIN.
nook_with_helper() {
    BIN=$BATS_TEST_TMPDIR/bin
    mkdir -p "$BIN"
    cp "$NOOK" "$NOOK_BUILD_ROOT/src/nook-json.so" "$BIN/"
    printf '#!/bin/sh\n%s\n' "$1" >"$BIN/nook-slirp"
    chmod 0755 "$BIN/nook-slirp"
}

# With the stand-in helper in $BIN: create succeeds; start fails with one
# line containing $1, the process never runs, and delete leaves nothing.
assert_start_fails_with() {
    make_net_bundle "$B" '{}' sh -c 'echo the process ran'
    status=0
    "$BIN/nook" --root "$NOOK_ROOT" create -b "$B" c1 </dev/null >"$BATS_TEST_TMPDIR/out" 2>&1 || status=$?
    output=$(cat "$BATS_TEST_TMPDIR/out")
    assert_status 0
    nook_capture start c1
    assert_status 1
    [ "${#lines[@]}" -eq 1 ]
    assert_output_contains "$1"
    [[ "$output" != *"the process ran"* ]]
    wait_for_status c1 stopped
    run nook delete c1
    assert_status 0
    assert_no_leftovers c1 "$B"
}

@test "network: start waits for the helper's ready line: its error, its exit or its silence fails the start, the process never runs" {
    nook_with_helper 'sleep 1; echo "error: no network today" >&3; exit 1'
    assert_start_fails_with 'container "c1": network: no network today'
    nook_with_helper 'exit 1'
    assert_start_fails_with 'container "c1": network: the helper nook-slirp exited before the network was up'
    nook_with_helper 'exec sleep 60'
    assert_start_fails_with 'container "c1": network: the helper nook-slirp did not set up the network within 10 seconds'
}

@test "network: a helper that cannot be executed fails start with the reason, the process never runs" {
    nook_with_helper true
    printf '#!/nonexistent/interpreter\n' >"$BIN/nook-slirp"
    assert_start_fails_with "container \"c1\": network: run $BIN/nook-slirp: No such file or directory"
}

@test "network: nook run in the foreground has the network and leaves nothing" {
    local port
    port=$(free_port)
    start_http_server "$port"
    make_net_bundle "$B" '{"nook.network.host-loopback": "true"}' \
        sh -c "timeout 5 wget -q -O - http://10.0.2.2:$port/page.txt && cat /etc/resolv.conf"
    nook_capture run -b "$B" c1
    assert_status 0
    assert_output_contains "hello from the host $$"
    assert_output_contains "nameserver 10.0.2.3"
    assert_no_leftovers c1 "$B"
    wait_until 5 no_helper c1
    assert_no_helper c1
}

@test "network: nook run reaps its helper, so none is left for a PID 1 that reaps nothing" {
    make_net_bundle "$B" '{}' sleep 2
    # A subreaper that never reaps stands in for such a PID 1 (this very
    # machine's): a helper nook run leaves running or unreaped becomes its
    # child. The helper is stopped while the container runs, so that it is
    # still there when nook run deletes the container (else it may exit
    # first, on the init's exit, and be reaped with it). After nook run
    # has returned the subreaper prints each child it has.
    run "$NOOK_PYTHON" - "$NOOK_ROOT/c1/network.log" "$NOOK" --root "$NOOK_ROOT" run -b "$B" c1 <<'PY'
import ctypes, glob, os, signal, subprocess, sys, time
PR_SET_CHILD_SUBREAPER = 36
if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
    sys.exit("prctl(PR_SET_CHILD_SUBREAPER) failed")
log, cmd = sys.argv[1], sys.argv[2:]
nook = subprocess.Popen(cmd, stdin=subprocess.DEVNULL)
helper = None
for _ in range(100):
    for cmdline in glob.glob("/proc/[0-9]*/cmdline"):
        try:
            args = open(cmdline, "rb").read().split(b"\0")
        except OSError:
            continue
        if args[0].endswith(b"nook-slirp") and log.encode() in args:
            helper = int(cmdline.split("/")[2])
    if helper:
        break
    time.sleep(0.05)
if not helper:
    sys.exit("the helper never showed up")
# Stopped once it has set up (create waits for that), while the container runs.
for _ in range(200):
    if os.path.exists(log) and "ready:" in open(log).read():
        break
    time.sleep(0.02)
else:
    sys.exit("the helper never got ready")
os.kill(helper, signal.SIGSTOP)
print("nook run exited", nook.wait())
time.sleep(0.5)
for f in glob.glob("/proc/self/task/*/children"):
    for pid in open(f).read().split():
        try:
            stat = open("/proc/%s/stat" % pid).read()
        except FileNotFoundError:
            continue
        print("left:", pid, stat[stat.index("(") : stat.rindex(")") + 3])
PY
    assert_status 0
    assert_output_contains "nook run exited 0"
    if [[ "$output" == *"left:"* ]]; then
        echo "$output" >&2
        return 1
    fi
    assert_no_leftovers c1 "$B"
}

# refused ANNOTATIONS_PY WANT [NAMESPACES_PY]: create with these
# annotations fails with one line containing WANT, and leaves nothing.
refused() {
    make_net_bundle "$B" "$1" sleep 300
    if [ -n "${3:-}" ]; then
        edit_config "$B" "$3"
    fi
    nook_capture create -b "$B" c1
    assert_status 1
    if [ "${#lines[@]}" -ne 1 ]; then
        echo "expected one line, got: $output" >&2
        return 1
    fi
    assert_output_contains "$2"
    assert_no_leftovers c1 "$B"
    assert_no_helper c1
}

@test "network: bad annotations are one-line errors naming the annotation, nothing left behind" {
    refused '{"nook.network.speed": "fast"}' 'config.json: .annotations["nook.network.speed"]: unknown annotation; nook knows nook.network, nook.network.dns'
    refused '{"nook.network.ports": "8080:80/sctp"}' 'config.json: .annotations["nook.network.ports"]: "8080:80/sctp": unknown protocol "sctp"; use tcp or udp'
    refused '{"nook.network.ports": "99999:80"}' 'config.json: .annotations["nook.network.ports"]: "99999:80": host port "99999" is not a port number (1..65535)'
    refused '{"nook.network.mtu": "70000"}' 'config.json: .annotations["nook.network.mtu"]: 70000 is out of range (576..65520)'
    refused '{"nook.network.mtu": "100"}' 'config.json: .annotations["nook.network.mtu"]: 100 is out of range (576..65520)'
    refused '{"nook.network": "pasta"}' 'config.json: .annotations["nook.network"]: unknown network "pasta"; nook knows "slirp"'
    refused '{"nook.network": None, "nook.network.mtu": "1500"}' 'config.json: .annotations["nook.network.mtu"]: a network option without "nook.network": "slirp"'
    refused '{}' 'config.json: .annotations["nook.network"]: "slirp" needs a new network namespace: add {"type": "network"} to .linux.namespaces' \
        'c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "network"]'
}

@test "network: resolv.conf: the generated one is mounted, the opt-out and a bundle's own mount keep theirs" {
    make_net_bundle "$B" '{}' cat /etc/resolv.conf
    nook_capture run -b "$B" c1
    assert_status 0
    assert_output_contains "nameserver 10.0.2.3"
    assert_output_contains "nook-network(7)"

    make_net_bundle "$B" '{"nook.network.resolv-conf": "false"}' cat /etc/resolv.conf
    nook_capture run -b "$B" c2
    assert_status 0
    [[ "$output" != *"10.0.2.3"* ]]

    echo "nameserver 192.0.2.1" >"$BATS_TEST_TMPDIR/my-resolv.conf"
    chmod a+r "$BATS_TEST_TMPDIR/my-resolv.conf"
    make_net_bundle "$B" '{}' cat /etc/resolv.conf
    edit_config "$B" 'c["mounts"].append({"destination": "/etc/resolv.conf", "type": "bind", "source": "'"$BATS_TEST_TMPDIR/my-resolv.conf"'", "options": ["bind", "ro"]})'
    nook_capture run -b "$B" c3
    assert_status 0
    [ "$output" = "nameserver 192.0.2.1" ]
}

@test "network: nook spec --network slirp writes a bundle that runs with the network" {
    local port
    port=$(free_port)
    start_http_server "$port"
    mkdir -p "$B"
    run "$NOOK" spec -b "$B" --network slirp
    assert_status 0
    "$NOOK_PYTHON" - "$B/config.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
assert c["annotations"] == {"nook.network": "slirp"}, c.get("annotations")
assert {"type": "network"} in c["linux"]["namespaces"], c["linux"]["namespaces"]
PY
    edit_config "$B" 'c["root"]["path"] = "'"$NOOK_BUNDLE_ROOTFS"'"; c["process"]["terminal"] = False
c["annotations"]["nook.network.host-loopback"] = "true"
c["process"]["args"] = ["timeout", "5", "wget", "-q", "-O", "-", "http://10.0.2.2:'"$port"'/page.txt"]'
    nook_capture run -b "$B" c1
    assert_status 0
    [ "$output" = "hello from the host $$" ]
    assert_no_leftovers c1 "$B"

    run "$NOOK" spec -b "$BATS_TEST_TMPDIR" --network pasta
    assert_status 1
    assert_output_contains 'spec: --network: unknown network "pasta"; nook knows "slirp"'
    [ ! -e "$BATS_TEST_TMPDIR/config.json" ]
}

@test "network: without nook-slirp installed, create says where it looked and leaves nothing" {
    # A nook of its own (with its JSON module) in a directory without the
    # helper; the compiled-in install directory has none either here.
    local bin=$BATS_TEST_TMPDIR/bin
    mkdir -p "$bin"
    cp "$NOOK" "$NOOK_BUILD_ROOT/src/nook-json.so" "$bin/"
    local installed
    installed=$(strings "$NOOK" | grep -m1 '^/.*/libexec/nook$' || true)
    [ -n "$installed" ] || skip "cannot tell the install directory compiled into nook"
    [ ! -e "$installed/nook-slirp" ] || skip "nook-slirp is installed in $installed"
    make_net_bundle "$B" '{}' true
    status=0
    "$bin/nook" --root "$NOOK_ROOT" create -b "$B" c1 </dev/null >"$BATS_TEST_TMPDIR/out" 2>&1 || status=$?
    output=$(cat "$BATS_TEST_TMPDIR/out")
    assert_status 1
    assert_output_contains "network \"slirp\" needs nook-slirp, which is not installed (looked in $bin"
    assert_output_contains "$installed)"
    assert_no_leftovers c1 "$B"
}

@test "network: features lists the nook.network annotations" {
    run "$NOOK" features
    assert_status 0
    "$NOOK_PYTHON" -c '
import json, sys
a = json.loads(sys.argv[1])["annotations"]
want = {"nook.network": "slirp", "nook.network.dns": "ADDR[:PORT],...",
        "nook.network.host-loopback": "true|false", "nook.network.ipv6": "true|false",
        "nook.network.mtu": "576..65520", "nook.network.port-handler": "relay|slirp",
        "nook.network.ports": "[HOSTADDR:]HOSTPORT:CPORT[/tcp|/udp],...",
        "nook.network.resolv-conf": "true|false"}
got = {k: v for k, v in a.items() if k.startswith("nook.network")}
assert got == want, got
assert list(a) == sorted(a), list(a)' "$output"
}

@test "network: the helper runs without privilege" {
    make_net_bundle "$B" '{}' sleep 300
    run_container c1
    local helper
    helper=$(helper_pids c1)
    [ -n "$helper" ]
    # Rootless, the caller's own uid; as root, it drops to nobody.
    local want=$(id -u)
    [ "$want" -ne 0 ] || want=65534
    run ps -o uid= -p "$helper"
    [ "$(echo $output)" = "$want" ]
    grep -q "^NoNewPrivs:[[:space:]]*1" "/proc/$helper/status"
    grep -q "^Seccomp:[[:space:]]*2" "/proc/$helper/status"
    # With more than one CPU a second thread writes to the tap: confined
    # and unprivileged as well. On one CPU there is none.
    local threads=$(ls "/proc/$helper/task" | wc -l)
    if [ "$(nproc)" -gt 1 ]; then [ "$threads" -eq 2 ]; else [ "$threads" -eq 1 ]; fi
    local task
    for task in /proc/$helper/task/*; do
        grep -q "^NoNewPrivs:[[:space:]]*1" "$task/status"
        grep -q "^Seccomp:[[:space:]]*2" "$task/status"
        grep -q "^Uid:[[:space:]]*$want[[:space:]]" "$task/status"
    done
    # In a session of its own, so a terminal's signals to nook's process
    # group never reach it.
    [ "$(ps -o sid= -p "$helper" | tr -d ' ')" = "$helper" ]
}
