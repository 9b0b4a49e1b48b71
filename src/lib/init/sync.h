/* sync.h: the typed messages the parent and the container's init exchange
 * over a SOCK_SEQPACKET socketpair while a container is being made. The
 * child never writes to stderr during setup: its log lines and its error
 * travel here and the parent prints them in the chosen format. */
#pragma once

#include <stdint.h>

#include "../error.h"

enum nook_sync_type {
    NOOK_SYNC_MAPS_WRITTEN = 1, /* parent → child: id maps are in place */
    NOOK_SYNC_LOG,              /* child → parent: a log line (level in errnum) */
    NOOK_SYNC_ERROR,            /* child → parent: setup failed; errnum + message */
    NOOK_SYNC_READY,            /* child → parent: set up, now waiting at the exec barrier */
    NOOK_SYNC_CONTINUE,         /* parent → child: go on (after the parent's own steps) */
    NOOK_SYNC_CONSOLE,          /* child → parent: the pty master, passed with SCM_RIGHTS */
    NOOK_SYNC_EXEC_PID,         /* exec's joining child → parent: the process's host pid in errnum */
    NOOK_SYNC_HOOKS_CREATE_RUNTIME, /* child → parent: mounts done; run prestart/createRuntime, then CONTINUE */
    NOOK_SYNC_SECCOMP_LISTENER, /* child → parent: the seccomp notify fd, passed with SCM_RIGHTS */
    NOOK_SYNC_OVERLAY_MOUNTED,  /* child → parent: the kernel's overlayfs mounted an overlay; text
                                 * "INDEX" (-1: the root, else its .mounts[] index) */
    NOOK_SYNC_OVERLAY_FUSE,     /* child → parent: a FUSE connection for an overlay is mounted, its
                                 * /dev/fuse fd passed with SCM_RIGHTS; text "INDEX WHY" (why the
                                 * kernel's would not do); the parent starts fuse-overlayfs on it
                                 * (overlay.h), then CONTINUE */
    NOOK_SYNC_TAP,              /* child → parent: the tap of slirp networking, made in the new network
                                 * namespace (slirp-tap.h), passed with SCM_RIGHTS */
};

/* Log levels carried in NOOK_SYNC_LOG's errnum field. */
enum nook_sync_level {
    NOOK_SYNC_LEVEL_DEBUG = 0,
    NOOK_SYNC_LEVEL_WARNING = 2,
};

struct nook_sync_msg {
    uint32_t type;
    int32_t errnum;
    char text[NOOK_ERROR_MAX];
};

/* Make the socketpair: fds[0] for the parent, fds[1] for the child. */
int nook_sync_pair(int fds[2], struct nook_error *err);

/* Send one message; text may be NULL. */
int nook_sync_send(int fd, enum nook_sync_type type, int errnum, const char *text);

/* Send one message carrying passed_fd (SCM_RIGHTS); the sender keeps its copy. */
int nook_sync_send_fd(int fd, enum nook_sync_type type, int passed_fd, const char *text);

/* Receive one message and the fd it carries, if any: *passed_fd is the
 * received fd (O_CLOEXEC, owned by the caller) or -1. */
int nook_sync_recv_fd(int fd, struct nook_sync_msg *msg, int *passed_fd);

/* Receive one message (a passed fd is closed). Returns 0, -EPIPE when
 * the peer closed without a word (the child died), or another negative
 * errno. */
int nook_sync_recv(int fd, struct nook_sync_msg *msg);

/* Receive and insist on one type; a NOOK_SYNC_ERROR becomes err. */
int nook_sync_expect(int fd, enum nook_sync_type type, struct nook_error *err);
