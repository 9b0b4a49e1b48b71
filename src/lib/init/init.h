/* init.h: the init core: the code the cloned child runs to turn itself into
 * the container's process. The same code serves create, run and (later)
 * exec. The parent decides everything and fills struct nook_init_ctx before
 * the clone; the child only reads it (the child keeps nook's memory, so
 * nothing is serialised), reports through ctx->sync_fd and never prints. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "../spec.h"

struct nook_state;
struct nook_seccomp_program;
struct nook_overlay_plan;
struct nook_idmapped_mounts;

struct nook_init_ctx {
    const struct nook_spec *spec;
    const char *id;            /* the container's id; names its session keyring (NULL: anonymous) */
    const struct nook_spec_process *process; /* what to run: spec->process (exec: its own) */
    const char *rootfs;        /* absolute host path of the root filesystem */
    const char *bundle;        /* absolute host path of the bundle */

    bool rootless;             /* the caller has no privilege on the host */
    bool userns;               /* the container runs in a user namespace of its own */
    bool netns_owned;          /* a new network namespace: sysfs may be mounted */
    bool no_pivot;             /* --no-pivot: MS_MOVE + chroot instead of pivot_root */
    bool no_new_keyring;       /* --no-new-keyring */
    bool unshare_cgroupns;     /* make the new cgroup namespace after MAPS_WRITTEN: by then the
                                * parent has moved this process into the container's cgroup,
                                * which becomes the namespace's root */

    int sync_fd;               /* child's end of the setup socket */
    int fifo_fd;               /* O_PATH fd of the state dir's exec.fifo; -1: no barrier */
    int proc_fd_dir;           /* O_PATH fd of the host's /proc/self/fd: reopens fifo_fd after pivot */
    int ns_fds[NOOK_NS_COUNT]; /* namespaces to join (opened by the parent), -1 otherwise */
    unsigned preserve_fds;     /* fds 3 .. 3+N-1 pass to the container */
    bool exec;                 /* `nook exec`: already in the container's namespaces (see
                                * container-exec.c); only the process is set up */
    const struct nook_state *hooks_state; /* create: the state hooks see (hooks.h); NULL: no hooks */
    pid_t host_pid;            /* the child's own pid on the host, for hooks; set by the child */
    /* The compiled .linux.seccomp (seccomp-filter.h), installed last by
     * nook_process_setup; NULL: none. */
    const struct nook_seccomp_program *seccomp;
    /* Overlays to mount (the root, config.json's "overlay" mounts), read
     * by create (overlay.h); NULL: none. The init fills in the fds of its
     * own copy. */
    struct nook_overlay_plan *overlay;
    /* A bind mount whose source the init opens while it is still
     * create's user, before it becomes the container's root (who, when
     * root maps it to another host uid, cannot reach root's state
     * directory): the generated resolv.conf of slirp networking
     * (network.h). 1 + its index in spec->mounts; 0: none. The init
     * fills in early_bind_fd in its own copy; -1 or 0 until then. */
    size_t early_bind_mount;
    int early_bind_fd;
    /* slirp networking (network.h): the init makes the tap in its new
     * network namespace (slirp-tap.h) and sends it to create
     * (NOOK_SYNC_TAP), which starts the helper on it. */
    bool slirp_tap;
    unsigned slirp_tap_mtu;
    bool slirp_tap_ipv6;
    /* The read end of the helper's ready pipe: at the exec barrier, once
     * `nook start` waits, the init reads the helper's line and runs the
     * process only after "ok"; its error fails the start. -1: no helper. */
    int network_ready_fd;
    /* The idmapped mounts create made (mount-idmap.h), one per
     * spec->mounts entry, moved into place instead of a bind; NULL: none. */
    const struct nook_idmapped_mounts *idmapped_mounts;
};

/* The child's main: set up, wait at the exec barrier, execve. Never
 * returns; on failure it sends NOOK_SYNC_ERROR and exits 1. */
_Noreturn void nook_init_main(const struct nook_init_ctx *ctx);

/* Send a debug or warning line to the parent from inside the child. */
void nook_init_log(const struct nook_init_ctx *ctx, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
