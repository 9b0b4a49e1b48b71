/* nook-slirp-relay.h: TCP connections the helper relays itself, byte for
 * byte, where libslirp cannot carry them. Two kinds of listener:
 *
 *   DNS over TCP to 10.0.2.3:53 (and fd00::3:53). A resolver falls back
 *   to TCP when a UDP answer comes back truncated, and some ask over TCP
 *   alone; libslirp would only reach the first nameserver of the host's
 *   resolv.conf, on port 53, by reading a file the confined helper
 *   cannot open. The helper listens on the host's loopback (127.0.0.1,
 *   and ::1 with --ipv6, ephemeral ports) and the container's segments to
 *   the DNS address are readdressed to these listeners on their way to
 *   libslirp (nook-slirp-nat.h); what is accepted goes to the DNS
 *   upstreams (nook-slirp-dns.h), in order: the next is tried while
 *   connecting to one fails, before anything of the container's is read,
 *   so no byte is ever sent twice.
 *
 *   --port with an IPv6 host address over TCP. libslirp 4.7 cannot carry
 *   a connection from an IPv6 host socket to the container's IPv4
 *   address, and the container's server may listen on IPv4 alone. The
 *   helper listens on the IPv6 address itself (IPv6 only) and relays each
 *   connection to an IPv4 forward of libslirp's on 127.0.0.1 (an
 *   ephemeral port) to the container's port: the container sees it come
 *   from 10.0.2.2, as an IPv4 forward's.
 *
 * Anything on the host that may connect to a listener gets the same
 * relay, to what it could reach itself. */
#pragma once

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "lib/error.h"
#include "nook-slirp-inside.h"
#include "nook-slirp-log.h"
#include "nook-slirp.h"

#define NOOK_SLIRP_RELAY_MAX_LISTENERS 34
/* Connections at once (forwarded ports' and DNS's together); one more is
 * refused (closed at once). Two fds each: the helper raises its fd limit
 * to allow them (nook-slirp.c). */
#define NOOK_SLIRP_RELAY_MAX_CONNS 1024
/* The pollfds the relay may ask for at most. */
#define NOOK_SLIRP_RELAY_MAX_FDS (NOOK_SLIRP_RELAY_MAX_LISTENERS + 2 * NOOK_SLIRP_RELAY_MAX_CONNS)
/* How long a connection may go without traffic: DNS's briefly (RFC 7766
 * suggests seconds); a forwarded port's without end, as the kernel's own
 * connections (NOOK_SLIRP_RELAY_NO_IDLE_LIMIT). */
#define NOOK_SLIRP_RELAY_DNS_IDLE_MS 30000
#define NOOK_SLIRP_RELAY_NO_IDLE_LIMIT (-1)
#define NOOK_SLIRP_RELAY_FORWARD_IDLE_MS NOOK_SLIRP_RELAY_NO_IDLE_LIMIT
/* How long one target may take to accept the connection. */
#define NOOK_SLIRP_RELAY_CONNECT_MS 3000

struct nook_slirp_relay_listener {
    int fd;
    const char *what;                          /* "DNS over TCP", "port [::1]:8080" */
    const struct nook_slirp_upstream *targets; /* tried in order; owned by the caller */
    size_t n_targets;
    int64_t idle_ms;
    bool inside;                               /* targets are in the container's network namespace */
    int poll_index;                            /* in this round's pollfds, -1: not polled */
};

struct nook_slirp_relay_conn;

struct nook_slirp_relay {
    const struct nook_slirp_log *log;
    struct nook_slirp_relay_listener listeners[NOOK_SLIRP_RELAY_MAX_LISTENERS];
    size_t n_listeners;
    struct nook_slirp_relay_conn *conns[NOOK_SLIRP_RELAY_MAX_CONNS];
    size_t n_conns;     /* the loop's every round skips the table when 0 */
    struct nook_slirp_inside *inside; /* makes the sockets of inside listeners; NULL until started */
    bool accept_paused; /* out of fds: listeners wait until a connection closes */
};

void nook_slirp_relay_init(struct nook_slirp_relay *r, const struct nook_slirp_log *log);
void nook_slirp_relay_close(struct nook_slirp_relay *r);

/* Listen on addr (port 0: an ephemeral one; v6only for an IPv6 address)
 * and relay what is accepted to targets (kept by pointer): in the
 * container's network namespace when inside (through r->inside), else in
 * the helper's. *port is the port bound. what names the listener in log
 * lines (kept by pointer). */
int nook_slirp_relay_listen(struct nook_slirp_relay *r, const struct sockaddr *addr, socklen_t addr_len,
                            const char *what, const struct nook_slirp_upstream *targets, size_t n_targets,
                            bool inside, int64_t idle_ms, uint16_t *port, struct nook_error *err);

/* Fill fds (room for NOOK_SLIRP_RELAY_MAX_FDS) with what to poll this
 * round; returns how many. */
size_t nook_slirp_relay_pollfds(struct nook_slirp_relay *r, struct pollfd *fds);
/* After poll(): fds is the array nook_slirp_relay_pollfds() filled. */
void nook_slirp_relay_dispatch(struct nook_slirp_relay *r, const struct pollfd *fds, int64_t now_ms);

/* The earliest deadline of a connection, or -1. */
int64_t nook_slirp_relay_next_deadline(const struct nook_slirp_relay *r);
/* Close idle connections; go on to the next target where one is slow. */
void nook_slirp_relay_expire(struct nook_slirp_relay *r, int64_t now_ms);
