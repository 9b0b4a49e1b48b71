/* container.h: the lifecycle of a container from the host's side: create
 * (clone the init core and supervise its setup), start (open the exec
 * barrier), kill, and the pieces `run` puts together. delete is in state.h. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"
#include "oci-features.h"

/* Where the child's log lines and nook's own warnings go; level is
 * NOOK_SYNC_LEVEL_DEBUG or NOOK_SYNC_LEVEL_WARNING (init/sync.h). */
typedef void (*nook_log_fn)(void *data, int level, const char *message);

struct nook_create_opts {
    const char *root;          /* state root (resolved) */
    const char *id;
    const char *bundle;        /* as given; made absolute */
    const char *pid_file;      /* NULL: none */
    bool rootless;             /* the caller is unprivileged */
    bool no_pivot;
    bool no_new_keyring;
    unsigned preserve_fds;
    nook_log_fn log;
    void *log_data;
};

/* The init process of a container this process created (for `run`). */
struct nook_created {
    pid_t pid;
    int pidfd;                 /* owned by the caller */
};

/* Create the container: it is set up and blocked at the exec barrier when
 * this returns 0. On failure nothing of it is left (no state dir, no
 * process; its mounts lived in its own namespace). created may be NULL. */
int nook_container_create(const struct nook_create_opts *opts, struct nook_created *created,
                          struct nook_error *err);

/* Open the exec barrier of a created container and wait until its process
 * has been released. */
int nook_container_start(const char *root, const char *id, struct nook_error *err);

/* Send sig to the container's init (all: to every process in its pid
 * namespace). */
int nook_container_kill(const char *root, const char *id, int sig, bool all, struct nook_error *err);

/* The namespaces create can make or join, for `nook features`. */
extern const struct nook_features_part nook_namespace_features;

/* "TERM", "SIGTERM", "15" → 15; -EINVAL otherwise. */
int nook_signal_parse(const char *text, int *sig);
