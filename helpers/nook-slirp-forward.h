/* nook-slirp-forward.h: the --port forwards. By default (--port-handler
 * relay) the helper listens on a TCP forward's host address itself and
 * relays each connection to the container's 10.0.2.100 from a socket
 * made inside its network namespace (nook-slirp-relay.h,
 * nook-slirp-inside.h): kernel TCP on both sides, and the container sees
 * it come from its own address. With --port-handler slirp, and for UDP
 * always, libslirp listens and connects through to 10.0.2.100, and the
 * container sees 10.0.2.2; an IPv6 host address over TCP is then relayed
 * to an IPv4 forward of libslirp's on an ephemeral port of 127.0.0.1.
 * Over UDP, libslirp forwards an IPv6 host address to the container's
 * IPv6 address, fd00::100 (--ipv6 needed). */
#pragma once

#include <slirp/libslirp.h>

#include "lib/error.h"
#include "nook-slirp-relay.h"
#include "nook-slirp.h"

/* What a relayed forward keeps while the helper runs (the relay holds
 * pointers to it). */
struct nook_slirp_relayed_port {
    char what[80];                       /* "port [::1]:8080/tcp", for log lines */
    struct nook_slirp_upstream target;   /* 10.0.2.100:CPORT, or 127.0.0.1:P (libslirp's IPv4 forward) */
};

/* Bind every forward of o, or fail naming the first that cannot be
 * bound: "forward port 80/tcp on 0.0.0.0: Permission denied (...)". kept
 * has room for o->n_ports. */
int nook_slirp_add_forwards(Slirp *slirp, struct nook_slirp_relay *relay, const struct nook_slirp_options *o,
                            struct nook_slirp_relayed_port *kept, struct nook_error *err);

/* Whether o has forwards the helper relays into the container. */
bool nook_slirp_relays_inside(const struct nook_slirp_options *o);
