/* slirp-netlink.h: configure the container's side of slirp networking
 * (the tap interface and lo) over rtnetlink, in the network namespace the
 * calling thread is in. No `ip` binary: nothing is run. */
#pragma once

#include <stdbool.h>

#include "error.h"

/* The interface ifname gets the MTU, 10.0.2.100/24 and (with ipv6)
 * fd00::100/64 without duplicate address detection, is brought up with
 * lo, and the default routes go through 10.0.2.2 (and fd00::2). Below
 * NOOK_SLIRP_OFFLOAD_MTU the routes through it (the prefix routes made
 * here rather than by the kernel) advertise NOOK_SLIRP_ADVMSS4/6. */
int nook_slirp_configure_interfaces(const char *ifname, unsigned mtu, bool ipv6, struct nook_error *err);
