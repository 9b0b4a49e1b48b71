/* notify.h: systemd's contracts with a service that nook passes on to the
 * container's process: socket activation (LISTEN_FDS/LISTEN_PID) and
 * readiness notification (NOTIFY_SOCKET).
 *
 * NOTIFY_SOCKET, as runc and crun do it: when create's caller has one, the
 * container gets the directory <state dir>/notify bound at /run/notify and
 * NOTIFY_SOCKET=/run/notify/notify.sock. Whoever starts the container
 * (`nook start`, or `nook run`) and has NOTIFY_SOCKET itself binds the
 * datagram socket there before opening the exec barrier, then relays the
 * container's messages to its own NOTIFY_SOCKET until READY=1 (followed,
 * as runc does, by MAINPID=<the container's init>) or until the container
 * exits. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"
#include "spec.h"

/* How many fds (from 3) socket activation handed to this process: the
 * value of LISTEN_FDS when LISTEN_PID is pid (the caller's own pid), 0
 * when either is missing, malformed or meant for another process. The
 * values are parameters so that tests can choose them. */
unsigned nook_listen_fds_parse(const char *listen_fds, const char *listen_pid, pid_t pid);

/* nook_listen_fds_parse() with this process's environment and pid. */
unsigned nook_listen_fds_from_environ(void);

/* Give the container's process n activation fds: LISTEN_FDS=n and, as
 * runc does, LISTEN_PID=1 (the process is its pid namespace's init),
 * replacing any config.json had. */
int nook_listen_fds_set_env(struct nook_spec_process *process, unsigned n, struct nook_error *err);

/* Where the container finds the socket. */
#define NOOK_NOTIFY_CONTAINER_DIR "/run/notify"
#define NOOK_NOTIFY_CONTAINER_SOCKET NOOK_NOTIFY_CONTAINER_DIR "/notify.sock"
/* The directory in the container's state directory bound there. */
#define NOOK_NOTIFY_STATE_DIR "notify"

/* create, when host_socket (the caller's NOTIFY_SOCKET) is set: make
 * state_dir/notify, add its bind mount to the spec's mounts (last, so a
 * tmpfs on /run comes first) and NOTIFY_SOCKET to the process's
 * environment. Does nothing when host_socket is NULL or empty. */
int nook_notify_prepare(struct nook_spec *spec, const char *state_dir, const char *host_socket,
                        struct nook_error *err);

/* One relay, from the container's socket to the caller's. */
struct nook_notify {
    int socket;       /* bound in the container's notify directory; -1: no relay */
    int pidfd;        /* the container's init */
    pid_t pid;
    char *host_socket;
};
#define NOOK_NOTIFY_INIT { .socket = -1, .pidfd = -1, .pid = 0, .host_socket = NULL }

/* Before start opens the exec barrier: when container id was created with
 * a notify directory and host_socket is set, bind the container's socket.
 * Otherwise notify->socket stays -1 and relaying does nothing. */
int nook_notify_listen(const char *root, const char *id, const char *host_socket,
                       struct nook_notify *notify, struct nook_error *err);

/* After the start: relay until READY=1 was relayed or the init exited. */
int nook_notify_relay(struct nook_notify *notify, struct nook_error *err);

void nook_notify_clear(struct nook_notify *notify);
