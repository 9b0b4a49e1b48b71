/* nook-slirp-forward.h: the --port forwards, host sockets that libslirp
 * listens on and connects through to the container's 10.0.2.100. An IPv6
 * host address over TCP is the relay's instead (nook-slirp-relay.h): it
 * listens there and relays to an IPv4 forward of libslirp's on an
 * ephemeral port of 127.0.0.1. Over UDP, libslirp forwards an IPv6 host
 * address to the container's IPv6 address, fd00::100 (--ipv6 needed). */
#pragma once

#include <slirp/libslirp.h>

#include "lib/error.h"
#include "nook-slirp-relay.h"
#include "nook-slirp.h"

/* What a relayed forward keeps while the helper runs (the relay holds
 * pointers to it). */
struct nook_slirp_forward6 {
    char what[80];                       /* "port [::1]:8080/tcp", for log lines */
    struct nook_slirp_upstream target;   /* 127.0.0.1:P, libslirp's IPv4 forward */
};

/* Bind every forward, or fail naming the first that cannot be bound:
 * "forward port 80/tcp on 0.0.0.0: Permission denied (...)". kept has
 * room for n. */
int nook_slirp_add_forwards(Slirp *slirp, struct nook_slirp_relay *relay, bool ipv6,
                            const struct nook_slirp_port *ports, size_t n, struct nook_slirp_forward6 *kept,
                            struct nook_error *err);
