/* nook-slirp-dns.h: the DNS forwarder behind 10.0.2.3 (and fd00::3).
 * UDP queries the container sends there are taken out of the tap's
 * frames before libslirp sees them, sent to the upstreams (--dns, else
 * the host's /etc/resolv.conf nameservers, a 127.0.0.53 stub included)
 * from the helper's own sockets, and the answers are written back to the
 * tap as whole frames (nook-slirp-frame.h). libslirp alone could only
 * reach the first nameserver of resolv.conf, and never a 127.0.0.x one
 * while host loopback is off. */
#pragma once

#include <poll.h>
#include <stdint.h>

#include "lib/error.h"
#include "nook-slirp-frame.h"
#include "nook-slirp-log.h"
#include "nook-slirp.h"

#define NOOK_SLIRP_DNS_SLOTS 128
/* A query up to this size is kept to be sent again to the next upstream. */
#define NOOK_SLIRP_DNS_KEEP 512
#define NOOK_SLIRP_DNS_TRY_MS 1500
#define NOOK_SLIRP_DNS_MAX_TRIES 4

struct nook_slirp_dns_query {
    bool used;
    uint16_t upstream_id;   /* the id the upstreams see */
    uint16_t client_id;     /* the id the container chose */
    unsigned upstream;      /* the upstream of the latest try */
    unsigned tries;
    int64_t deadline_ms;
    struct nook_slirp_dns_origin origin;
    uint16_t len;           /* 0: too large to keep, no second try */
    uint8_t data[NOOK_SLIRP_DNS_KEEP];
};

struct nook_slirp_dns_server {
    int fd;                 /* a connected UDP socket */
    char name[64];          /* "127.0.0.53:53" */
    struct nook_slirp_upstream upstream; /* for DNS over TCP (nook-slirp-dns-tcp.h) */
};

struct nook_slirp_dns {
    const struct nook_slirp_log *log;
    int tap_fd;
    size_t mtu;
    struct in_addr server4;
    struct in6_addr server6;
    bool ipv6;
    struct nook_slirp_dns_server servers[NOOK_SLIRP_MAX_UPSTREAMS];
    size_t n_servers;
    struct nook_slirp_dns_query queries[NOOK_SLIRP_DNS_SLOTS];
    size_t n_queries;       /* slots in use: the loop's every round skips the table when 0 */
    uint16_t ip_id;
    uint8_t random[64];
    size_t random_left;
    struct nook_slirp_frame_piece pieces[NOOK_SLIRP_MAX_PIECES];
    uint8_t buf[65536];
};

/* Open a socket per upstream: o->dns, or the nameservers of
 * /etc/resolv.conf. An upstream that cannot be reached (no IPv6 on the
 * host, say) is skipped with a log line; with none at all, queries are
 * answered SERVFAIL at once. */
int nook_slirp_dns_init(struct nook_slirp_dns *d, const struct nook_slirp_options *o, int tap_fd,
                        const struct nook_slirp_log *log, struct nook_error *err);
void nook_slirp_dns_close(struct nook_slirp_dns *d);

/* Take frame if it is a query for the forwarder (true), else leave it
 * to libslirp (false). frame may be changed either way. */
bool nook_slirp_dns_handle_frame(struct nook_slirp_dns *d, uint8_t *frame, size_t len, int64_t now_ms);

/* The upstream sockets to poll for reading: fds[i] for i < n_servers. */
size_t nook_slirp_dns_pollfds(const struct nook_slirp_dns *d, struct pollfd *fds);
/* Upstream i is readable: relay its answers. */
void nook_slirp_dns_readable(struct nook_slirp_dns *d, size_t i, int64_t now_ms);

/* The earliest deadline of an outstanding query, or -1. */
int64_t nook_slirp_dns_next_deadline(const struct nook_slirp_dns *d);
/* Retry or drop the queries whose deadline has passed. */
void nook_slirp_dns_expire(struct nook_slirp_dns *d, int64_t now_ms);
