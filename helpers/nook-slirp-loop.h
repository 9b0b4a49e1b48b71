/* nook-slirp-loop.h: the helper's event loop: libslirp's user-mode
 * network stack between the container's tap and the caller's sockets,
 * the DNS forwarder beside it, and the two reasons to stop (the
 * container's init exited, SIGTERM/SIGINT). One thread and one poll(),
 * and on more than one CPU a second thread that writes to the tap
 * (nook-slirp-writer.h). */
#pragma once

#include "lib/error.h"
#include "nook-slirp-log.h"
#include "nook-slirp.h"
#include "nook-slirp-confine.h"
#include "nook-slirp-tap.h"

struct nook_slirp_loop;

/* Start libslirp (10.0.2.0/24 and, with ipv6, fd00::/64; nook-slirp.h)
 * and the DNS forwarder. Takes no ownership of the fds. tap_fd may be -1
 * while the tap is still being made: nook_slirp_loop_set_tap() then
 * gives it before the loop runs. */
int nook_slirp_loop_new(const struct nook_slirp_options *o, const struct nook_slirp_log *log, int tap_fd, int pidfd,
                        int signal_fd, struct nook_slirp_loop **out, struct nook_error *err);

void nook_slirp_loop_set_tap(struct nook_slirp_loop *loop, int tap_fd);
/* The init's pidfd, once known (nook_slirp_loop_new() may be given -1). */
void nook_slirp_loop_set_pidfd(struct nook_slirp_loop *loop, int pidfd);

/* The --port forwards, bound now (before any privilege is dropped). */
int nook_slirp_loop_add_forwards(struct nook_slirp_loop *loop, struct nook_error *err);

/* The child that makes the relay's sockets in the container's network
 * namespace ns (nook-slirp-inside.h), when forwards are relayed there
 * (nook_slirp_relays_inside()): before root is dropped. */
int nook_slirp_loop_start_inside(struct nook_slirp_loop *loop, const struct nook_slirp_namespaces *ns,
                                 nook_slirp_filter filter, int log_fd, struct nook_error *err);

/* The tap writer thread, where it helps (nook-slirp-writer.h): after
 * nook_slirp_loop_set_tap(), before the helper confines itself. */
int nook_slirp_loop_start_writer(struct nook_slirp_loop *loop, struct nook_error *err);

/* Run until the init exits or a signal asks to stop (0, with a log line
 * saying which), or until the loop cannot go on (-errno). */
int nook_slirp_loop_run(struct nook_slirp_loop *loop, struct nook_error *err);

void nook_slirp_loop_free(struct nook_slirp_loop *loop);
