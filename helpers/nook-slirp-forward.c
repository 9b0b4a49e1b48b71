/* nook-slirp-forward.c: add the port forwards to libslirp, with errors
 * that say which port failed and why. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "nook-slirp-args.h"
#include "nook-slirp-forward.h"

static unsigned unprivileged_port_start(void)
{
    _cleanup_fclose_ FILE *f = fopen("/proc/sys/net/ipv4/ip_unprivileged_port_start", "re");
    unsigned value = 1024;
    if (!f || fscanf(f, "%u", &value) != 1)
        return 1024;
    return value;
}

/* The lowest free fd number: the one the next socket() gets, as the
 * helper is single-threaded. */
static int next_fd(void)
{
    int fd = fcntl(0, F_DUPFD_CLOEXEC, 0);
    if (fd < 0)
        fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (fd >= 0)
        close(fd);
    return fd;
}

/* libslirp listens with a backlog of 1, so a burst of connections to a
 * forwarded port gets refused or delayed by SYN retries. Its listening
 * socket is the fd that socket() returned inside slirp_add_hostfwd();
 * make sure it is that one (a listening TCP socket on the port) and give
 * it a backlog worth the name. */
static void widen_backlog(int fd, uint16_t port)
{
    int listening = 0, type = 0;
    socklen_t len = sizeof(listening);
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) < 0 || !listening)
        return;
    len = sizeof(type);
    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0 || type != SOCK_STREAM)
        return;
    struct sockaddr_storage addr;
    len = sizeof(addr);
    if (getsockname(fd, (struct sockaddr *)&addr, &len) < 0)
        return;
    uint16_t bound = addr.ss_family == AF_INET    ? ntohs(((struct sockaddr_in *)&addr)->sin_port)
                     : addr.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&addr)->sin6_port)
                                                  : 0;
    if (bound != port)
        return;
    (void)listen(fd, SOMAXCONN);
}

/* The error of a forward that cannot be bound, errno e. */
static int forward_error(const struct nook_slirp_port *p, const char *addr, int e, struct nook_error *err)
{
    const char *proto = p->udp ? "udp" : "tcp";
    if (e == EACCES && p->host_port < unprivileged_port_start())
        return nook_error_set(err, e,
                              "forward port %u/%s on %s: %s (ports below %u need privilege: "
                              "/proc/sys/net/ipv4/ip_unprivileged_port_start is %u)",
                              p->host_port, proto, addr, strerror(e), unprivileged_port_start(),
                              unprivileged_port_start());
    if (e == EADDRINUSE)
        return nook_error_set(err, e, "forward port %u/%s on %s: %s (another program has it)", p->host_port, proto,
                              addr, strerror(e));
    if (e == EADDRNOTAVAIL && p->ipv6)
        return nook_error_set(err, e, "forward port %u/%s on %s: %s (is IPv6 enabled on the host?)", p->host_port,
                              proto, addr, strerror(e));
    return nook_error_set_errno(err, e, "forward port %u/%s on %s", p->host_port, proto, addr);
}

/* UDP on an IPv6 host address, bound IPv6 only (as `[::]:5353:53/udp`
 * means in docker and podman: the IPv4 side stays free for a forward of
 * its own), to the container's IPv6 address. */
static int add_udp6(Slirp *slirp, const struct nook_slirp_port *p)
{
    struct sockaddr_in6 host = {
        .sin6_family = AF_INET6,
        .sin6_addr = p->host_addr6,
        .sin6_port = htons(p->host_port),
    };
    struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_port = htons(p->container_port) };
    if (inet_pton(AF_INET6, NOOK_SLIRP_GUEST6, &to.sin6_addr) != 1) {
        errno = EINVAL;
        return -1;
    }
    return slirp_add_hostxfwd(slirp, (const struct sockaddr *)&host, sizeof(host), (const struct sockaddr *)&to,
                              sizeof(to), SLIRP_HOSTFWD_V6ONLY | SLIRP_HOSTFWD_UDP);
}

/* TCP on an IPv6 host address: an IPv4 forward of libslirp's from an
 * ephemeral port of 127.0.0.1, and the relay listening on the IPv6
 * address (IPv6 only) in front of it. */
static int add_tcp6(Slirp *slirp, struct nook_slirp_relay *relay, const struct nook_slirp_port *p,
                    struct in_addr guest, struct nook_slirp_relayed_port *kept, struct nook_error *err)
{
    char addr[INET6_ADDRSTRLEN + 2];
    nook_slirp_format_port_addr(p, addr, sizeof(addr));
    snprintf(kept->what, sizeof(kept->what), "port %s:%u/tcp", addr, p->host_port);

    struct in_addr loopback = { .s_addr = htonl(INADDR_LOOPBACK) };
    int fd = next_fd();
    errno = 0;
    if (slirp_add_hostfwd(slirp, 0, loopback, 0, guest, p->container_port) < 0)
        return nook_error_set_errno(err, errno ? errno : EADDRNOTAVAIL,
                                    "forward %s: the IPv4 forward behind it on 127.0.0.1", kept->what);
    struct sockaddr_in inner;
    socklen_t len = sizeof(inner);
    if (fd < 0 || getsockname(fd, (struct sockaddr *)&inner, &len) < 0 || inner.sin_family != AF_INET ||
        inner.sin_addr.s_addr != loopback.s_addr || inner.sin_port == 0)
        return nook_error_set(err, EIO, "forward %s: the IPv4 forward behind it cannot be found", kept->what);
    widen_backlog(fd, ntohs(inner.sin_port));
    memset(&kept->target, 0, sizeof(kept->target));
    memcpy(&kept->target.addr, &inner, sizeof(inner));
    kept->target.addr_len = sizeof(inner);

    struct sockaddr_in6 host = {
        .sin6_family = AF_INET6,
        .sin6_addr = p->host_addr6,
        .sin6_port = htons(p->host_port),
    };
    uint16_t port;
    struct nook_error listen_err = { 0 };
    if (nook_slirp_relay_listen(relay, (const struct sockaddr *)&host, sizeof(host), kept->what, &kept->target, 1,
                                false, NOOK_SLIRP_RELAY_FORWARD_IDLE_MS, &port, &listen_err) < 0)
        return forward_error(p, addr, listen_err.errnum, err);
    return 0;
}

/* TCP relayed by the helper itself (the relay handler): it listens on the
 * host address and connects each connection from inside the container's
 * network namespace to 10.0.2.100 (nook-slirp-inside.h). */
static int add_tcp_relayed(struct nook_slirp_relay *relay, const struct nook_slirp_port *p,
                           struct nook_slirp_relayed_port *kept, struct nook_error *err)
{
    char addr[INET6_ADDRSTRLEN + 2];
    nook_slirp_format_port_addr(p, addr, sizeof(addr));
    snprintf(kept->what, sizeof(kept->what), "port %s:%u/tcp", addr, p->host_port);
    struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(p->container_port) };
    if (inet_pton(AF_INET, NOOK_SLIRP_GUEST, &to.sin_addr) != 1)
        return nook_error_set(err, EINVAL, "internal error: the container's address");
    memset(&kept->target, 0, sizeof(kept->target));
    memcpy(&kept->target.addr, &to, sizeof(to));
    kept->target.addr_len = sizeof(to);

    struct sockaddr_storage host = { 0 };
    socklen_t host_len;
    if (p->ipv6) {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&host;
        *in6 = (struct sockaddr_in6){ .sin6_family = AF_INET6, .sin6_addr = p->host_addr6,
                                      .sin6_port = htons(p->host_port) };
        host_len = sizeof(*in6);
    } else {
        struct sockaddr_in *in4 = (struct sockaddr_in *)&host;
        *in4 = (struct sockaddr_in){ .sin_family = AF_INET, .sin_addr = p->host_addr,
                                     .sin_port = htons(p->host_port) };
        host_len = sizeof(*in4);
    }
    uint16_t port;
    struct nook_error listen_err = { 0 };
    if (nook_slirp_relay_listen(relay, (const struct sockaddr *)&host, host_len, kept->what, &kept->target, 1, true,
                                NOOK_SLIRP_RELAY_FORWARD_IDLE_MS, &port, &listen_err) < 0)
        return listen_err.errnum == E2BIG ? nook_error_set(err, E2BIG, "%s", listen_err.message)
                                          : forward_error(p, addr, listen_err.errnum, err);
    return 0;
}

int nook_slirp_add_forwards(Slirp *slirp, struct nook_slirp_relay *relay, const struct nook_slirp_options *o,
                            struct nook_slirp_relayed_port *kept, struct nook_error *err)
{
    bool ipv6 = o->ipv6;
    const struct nook_slirp_port *ports = o->ports;
    size_t n = o->n_ports;
    struct in_addr guest;
    if (inet_pton(AF_INET, NOOK_SLIRP_GUEST, &guest) != 1)
        return nook_error_set(err, EINVAL, "internal error: the container's address");
    for (size_t i = 0; i < n; i++) {
        const struct nook_slirp_port *p = &ports[i];
        char addr[INET6_ADDRSTRLEN + 2];
        nook_slirp_format_port_addr(p, addr, sizeof(addr));
        if (!p->udp && !o->ports_through_slirp) {
            int r = add_tcp_relayed(relay, p, &kept[i], err);
            if (r < 0)
                return r;
            continue;
        }
        if (p->ipv6 && !p->udp) {
            int r = add_tcp6(slirp, relay, p, guest, &kept[i], err);
            if (r < 0)
                return r;
            continue;
        }
        if (p->ipv6 && !ipv6)
            return nook_error_set(err, EINVAL,
                                  "forward port %u/udp on %s: an IPv6 host address over UDP forwards to the "
                                  "container's %s, which needs --ipv6",
                                  p->host_port, addr, NOOK_SLIRP_GUEST6);
        int expected_fd = next_fd();
        errno = 0;
        int r = p->ipv6 ? add_udp6(slirp, p)
                        : slirp_add_hostfwd(slirp, p->udp, p->host_addr, p->host_port, guest, p->container_port);
        if (r < 0)
            return forward_error(p, addr, errno ? errno : EADDRNOTAVAIL, err);
        if (!p->udp && expected_fd >= 0)
            widen_backlog(expected_fd, p->host_port);
    }
    return 0;
}

bool nook_slirp_relays_inside(const struct nook_slirp_options *o)
{
    for (size_t i = 0; i < o->n_ports && !o->ports_through_slirp; i++) {
        if (!o->ports[i].udp)
            return true;
    }
    return false;
}
