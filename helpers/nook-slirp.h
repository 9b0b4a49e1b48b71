/* nook-slirp.h: what the parts of the network helper nook-slirp share:
 * the options it runs with, and the fixed addresses of the user-mode
 * network it gives a container (the contract with nook, issue 7):
 * 10.0.2.0/24, the container at .100, the gateway (the host) at .2, the
 * DNS forwarder at .3; fd00::/64 the same way with --ipv6. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/types.h>

#define NOOK_SLIRP_NETWORK "10.0.2.0"
#define NOOK_SLIRP_NETMASK "255.255.255.0"
#define NOOK_SLIRP_PREFIX_LEN 24
#define NOOK_SLIRP_GATEWAY "10.0.2.2"
#define NOOK_SLIRP_DNS "10.0.2.3"
#define NOOK_SLIRP_DHCP_START "10.0.2.15"
#define NOOK_SLIRP_GUEST "10.0.2.100"
#define NOOK_SLIRP_NETWORK6 "fd00::"
#define NOOK_SLIRP_PREFIX6_LEN 64
#define NOOK_SLIRP_GATEWAY6 "fd00::2"
#define NOOK_SLIRP_DNS6 "fd00::3"
#define NOOK_SLIRP_GUEST6 "fd00::100"
#define NOOK_SLIRP_TAP_NAME "tap0"

#define NOOK_SLIRP_MTU_MIN 576
#define NOOK_SLIRP_MTU_MAX 65520
#define NOOK_SLIRP_MTU_DEFAULT 65520
/* The kernel turns IPv6 off on a link whose MTU is below this. */
#define NOOK_SLIRP_MTU_MIN_IPV6 1280

/* More upstreams than this help no resolver (glibc reads three). */
#define NOOK_SLIRP_MAX_UPSTREAMS 8

/* One --port: a host address and port forwarded to a port of the container. */
struct nook_slirp_port {
    bool ipv6;                   /* host_addr6, bound IPv6 only; else host_addr */
    struct in_addr host_addr;
    struct in6_addr host_addr6;
    uint16_t host_port;
    uint16_t container_port;
    bool udp;
};

/* One DNS upstream (--dns, or a nameserver of /etc/resolv.conf). */
struct nook_slirp_upstream {
    struct sockaddr_storage addr; /* sockaddr_in or sockaddr_in6, port set */
    socklen_t addr_len;
};

struct nook_slirp_options {
    pid_t pid;        /* the container's init, a host pid; 0 until known */
    int ready_fd;     /* -1 until parsed */
    int pidfd;        /* -1: the helper opens one itself */
    int init_fd;      /* --init-from: where the pid comes from later; -1: --pid */
    unsigned mtu;
    bool ipv6;
    bool host_loopback;
    bool debug;
    struct nook_slirp_upstream dns[NOOK_SLIRP_MAX_UPSTREAMS];
    size_t n_dns;     /* 0: the nameservers of /etc/resolv.conf */
    struct nook_slirp_port *ports;
    size_t n_ports;
    const char *log_path; /* NULL: stderr */
};
