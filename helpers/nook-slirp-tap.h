/* nook-slirp-tap.h: the container's end of the network when the helper
 * is started by hand (--pid without --tap-fd; nook's own init makes the
 * tap itself, lib/slirp-tap.h). The helper opens the init's namespaces,
 * and a short-lived child of it joins them (user namespace first, which
 * owns the network namespace), creates the tap interface there
 * (lib/slirp-tap.h), configures it and hands its fd back over a socket
 * (SCM_RIGHTS). The helper itself never leaves the caller's namespaces:
 * libslirp's sockets must be the caller's. The child is forked first
 * thing and waits for the namespaces, while the helper sets up libslirp. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/error.h"
#include "lib/slirp-contract.h"

/* The header of every frame the helper writes: flags DATA_VALID. */
extern const uint8_t nook_slirp_vnet_hdr_out[NOOK_SLIRP_VNET_HDR_LEN];

struct nook_slirp_namespaces {
    int userns_fd;
    int netns_fd;
    bool join_userns; /* false when the init is in the helper's own user namespace */
};

#define NOOK_SLIRP_NAMESPACES_INIT { .userns_fd = -1, .netns_fd = -1 }

void nook_slirp_namespaces_close(struct nook_slirp_namespaces *ns);

/* A pidfd of pid: the one given (--pidfd, checked to be pid's), or a new one. */
int nook_slirp_open_pidfd(pid_t pid, int given, int *pidfd, struct nook_error *err);

/* Open pid's user and network namespaces. pidfd (of pid) is polled after
 * the opens so that a pid reused in between is never taken for the init.
 * An init in the helper's own network namespace is an error. */
int nook_slirp_open_namespaces(pid_t pid, int pidfd, struct nook_slirp_namespaces *ns, struct nook_error *err);

/* The tap is made by a child (NOOK_SLIRP_TAP_NAME, configured, its fd
 * non-blocking and close-on-exec, with virtio headers of
 * NOOK_SLIRP_VNET_HDR_LEN): nook_slirp_tap_start() forks it, and
 * nook_slirp_tap_finish() sends it the namespaces and takes the fd (or
 * its error). The helper ignores SIGCHLD, so the child is reaped by the
 * kernel; a child that is sent nothing (the socket closed) exits quietly.
 * nook_slirp_tap_setup_end() closes the socket.
 *
 * Root needs no child: it may enter the network namespace from its own
 * user namespace and come back, so the helper makes the tap itself,
 * without the fork and its copy-on-write faults. */
struct nook_slirp_tap_setup {
    int sock;       /* our end of the socket pair, -1 once used */
    pid_t pid;      /* the child; 0 when there is none (root) */
    int own_netns;  /* root: the helper's own network namespace, to return to */
    unsigned mtu;
    bool ipv6;
};

#define NOOK_SLIRP_TAP_SETUP_INIT { .sock = -1, .pid = 0, .own_netns = -1 }

int nook_slirp_tap_start(unsigned mtu, bool ipv6, struct nook_slirp_tap_setup *setup, struct nook_error *err);
int nook_slirp_tap_finish(struct nook_slirp_tap_setup *setup, const struct nook_slirp_namespaces *ns, int *tap_fd,
                          struct nook_error *err);
void nook_slirp_tap_setup_end(struct nook_slirp_tap_setup *setup);
