/* nook-slirp-forward.c: add the port forwards to libslirp, with errors
 * that say which port failed and why. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

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
    struct sockaddr_in addr;
    len = sizeof(addr);
    if (getsockname(fd, (struct sockaddr *)&addr, &len) < 0 || addr.sin_family != AF_INET ||
        ntohs(addr.sin_port) != port)
        return;
    (void)listen(fd, SOMAXCONN);
}

int nook_slirp_add_forwards(Slirp *slirp, const struct nook_slirp_port *ports, size_t n, struct nook_error *err)
{
    struct in_addr guest;
    if (inet_pton(AF_INET, NOOK_SLIRP_GUEST, &guest) != 1)
        return nook_error_set(err, EINVAL, "internal error: the container's address");
    for (size_t i = 0; i < n; i++) {
        const struct nook_slirp_port *p = &ports[i];
        const char *proto = p->udp ? "udp" : "tcp";
        char addr[INET_ADDRSTRLEN] = "?";
        inet_ntop(AF_INET, &p->host_addr, addr, sizeof(addr));

        int expected_fd = next_fd();
        errno = 0;
        if (slirp_add_hostfwd(slirp, p->udp, p->host_addr, p->host_port, guest, p->container_port) < 0) {
            int e = errno ? errno : EADDRNOTAVAIL;
            if (e == EACCES && p->host_port < unprivileged_port_start())
                return nook_error_set(err, e,
                                      "forward port %u/%s on %s: %s (ports below %u need privilege: "
                                      "/proc/sys/net/ipv4/ip_unprivileged_port_start is %u)",
                                      p->host_port, proto, addr, strerror(e), unprivileged_port_start(),
                                      unprivileged_port_start());
            if (e == EADDRINUSE)
                return nook_error_set(err, e, "forward port %u/%s on %s: %s (another program has it)", p->host_port,
                                      proto, addr, strerror(e));
            return nook_error_set_errno(err, e, "forward port %u/%s on %s", p->host_port, proto, addr);
        }
        if (!p->udp && expected_fd >= 0)
            widen_backlog(expected_fd, p->host_port);
    }
    return 0;
}
