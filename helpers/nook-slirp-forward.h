/* nook-slirp-forward.h: the --port forwards, host sockets that libslirp
 * listens on and connects through to the container's 10.0.2.100. */
#pragma once

#include <slirp/libslirp.h>

#include "lib/error.h"
#include "nook-slirp.h"

/* Bind every forward, or fail naming the first that cannot be bound:
 * "forward port 80/tcp on 0.0.0.0: Permission denied (...)". */
int nook_slirp_add_forwards(Slirp *slirp, const struct nook_slirp_port *ports, size_t n, struct nook_error *err);
