/* nook-slirp-confine.h: what the helper gives up before its event loop.
 * libslirp parses whatever the container sends it, so the process doing
 * that keeps only what the loop needs: no root (a helper started as root
 * becomes nobody once its privileged setup is done), no_new_privs, and a
 * seccomp allow-list of the system calls of the loop, libslirp and glib. */
#pragma once

#include <stdbool.h>

#include "lib/error.h"

/* With euid 0: drop to uid and gid 65534 with no supplementary groups.
 * Called once the tap exists and the forwards (ports below 1024 among
 * them) are bound: libslirp's later sockets (outbound connections, the
 * sockets of accepted forwards) need no privilege. Otherwise a no-op.
 * *dropped tells which. */
int nook_slirp_drop_root(bool *dropped, struct nook_error *err);

/* The seccomp filter, built ahead of time (while the tap is being made)
 * and loaded by nook_slirp_confine(). */
typedef void *nook_slirp_filter;
int nook_slirp_filter_build(nook_slirp_filter *filter, struct nook_error *err);
void nook_slirp_filter_free(nook_slirp_filter *filter);

/* no_new_privs and the seccomp filter, on every thread of the process
 * (threads started earlier too; none can be started after). A call outside the list raises
 * SIGSYS, whose handler writes one line naming the call to log_fd and
 * exits with status 159 (128 + SIGSYS, as a kill by it would read). */
int nook_slirp_confine(nook_slirp_filter filter, int log_fd, struct nook_error *err);
