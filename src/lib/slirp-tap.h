/* slirp-tap.h: make the container's end of slirp networking, the tap
 * interface, in the network namespace the calling thread is in, and
 * configure it and lo (slirp-netlink.h). The container's init calls it
 * during create; nook-slirp started by hand calls it from a child that
 * joined the container's namespaces. */
#pragma once

#include <stdbool.h>

#include "error.h"
#include "slirp-contract.h"

/* NOOK_SLIRP_TAP_NAME with virtio headers of NOOK_SLIRP_VNET_HDR_LEN,
 * offload below NOOK_SLIRP_OFFLOAD_MTU, the MTU, the addresses and the
 * default routes, up. Its fd (non-blocking, close-on-exec), or -errno. */
int nook_slirp_tap_create(unsigned mtu, bool ipv6, struct nook_error *err);
