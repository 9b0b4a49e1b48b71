/* nook-slirp.h: what the parts of the network helper nook-slirp share:
 * the options it runs with, and (lib/slirp-contract.h) the fixed
 * addresses of the user-mode network it gives a container. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "lib/slirp-contract.h"

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
    int tap_fd;       /* --tap-fd: the tap nook's init made, configured; -1: the helper makes it */
    unsigned mtu;
    bool ipv6;
    bool host_loopback;
    bool debug;
    struct nook_slirp_upstream dns[NOOK_SLIRP_MAX_UPSTREAMS];
    size_t n_dns;     /* 0: the nameservers of /etc/resolv.conf */
    struct nook_slirp_port *ports;
    size_t n_ports;
    bool ports_through_slirp; /* --port-handler slirp: libslirp carries TCP forwards too */
    const char *log_path; /* NULL: stderr */
};
