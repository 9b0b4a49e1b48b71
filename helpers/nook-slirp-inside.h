/* nook-slirp-inside.h: TCP sockets made inside the container's network
 * namespace, for the forwarded ports the helper relays itself (the relay
 * handler, nook-slirp-forward.h).
 *
 * The helper stays in the caller's namespaces (libslirp's sockets must be
 * the caller's), and a socket belongs to the namespace it was made in. So
 * a child forked during setup joins the container's user and network
 * namespaces, confines itself like the helper, and makes a socket each
 * time the relay asks, handing it over a socket pair (SCM_RIGHTS); the
 * relay connects it to the container's 10.0.2.100. It keeps none of the
 * helper's fds. The child lives as long as the helper: it exits when its
 * end of the pair closes, or when the helper dies (parent-death signal). */
#pragma once

#include <sys/types.h>

#include "lib/error.h"
#include "nook-slirp-confine.h"
#include "nook-slirp-tap.h"

struct nook_slirp_inside {
    int sock;   /* our end of the pair; -1: no child */
    pid_t pid;
};

#define NOOK_SLIRP_INSIDE_INIT { .sock = -1, .pid = 0 }

/* Fork the child into ns, and wait until it is there and confined (by
 * filter, logging to log_fd) or has failed, with its reason. */
int nook_slirp_inside_start(const struct nook_slirp_namespaces *ns, nook_slirp_filter filter, int log_fd,
                            struct nook_slirp_inside *inside, struct nook_error *err);

/* A new TCP socket of family (AF_INET, AF_INET6) in the container's
 * network namespace, non-blocking and close-on-exec: its fd, or -errno
 * (-ECONNRESET: the child is gone). */
int nook_slirp_inside_socket(struct nook_slirp_inside *inside, int family);

/* Close our end: the child exits. */
void nook_slirp_inside_stop(struct nook_slirp_inside *inside);
