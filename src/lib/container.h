/* container.h: the lifecycle of a container from the host's side: create
 * (clone the init core and supervise its setup), start (open the exec
 * barrier), kill, and the pieces `run` puts together. delete is in state.h. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgroup.h"
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
    unsigned preserve_fds;     /* fds 3.. passed on: the activation ones, then --preserve-fds */
    unsigned listen_fds;       /* the first listen_fds of them came by socket activation */
    const char *notify_socket; /* the caller's NOTIFY_SOCKET (notify.h); NULL: none */
    const char *console_socket; /* --console-socket: receives a terminal's pty master */
    bool relay_terminal;       /* `run` in the foreground: the caller relays the pty itself */
    bool overlay;              /* --overlay: nook.rootfs.overlay "true" (overlay.h) */
    /* --cgroup-manager / --systemd-cgroup; AUTO (0) chooses (cgroup.h). */
    enum nook_cgroup_manager cgroup_manager;
    nook_log_fn log;
    void *log_data;
};

/* The init process of a container this process created (for `run`). */
struct nook_created {
    pid_t pid;
    int pidfd;                 /* owned by the caller */
    int console_fd;            /* the pty master to relay (owned by the caller), -1: none */
};

/* Create the container: it is set up and blocked at the exec barrier when
 * this returns 0. On failure nothing of it is left (no state dir, no
 * process; its mounts lived in its own namespace). created may be NULL. */
int nook_container_create(const struct nook_create_opts *opts, struct nook_created *created,
                          struct nook_error *err);

/* Open the exec barrier of a created container and wait until its process
 * has been released. */
int nook_container_start(const char *root, const char *id, struct nook_error *err);

/* Send sig to the container's init. all: to every process in its cgroup,
 * or without a cgroup in its own pid namespace (an error when it has
 * neither: its processes cannot be told from the host's). */
int nook_container_kill(const char *root, const char *id, int sig, bool all, struct nook_error *err);

/* The namespaces create can make or join, for `nook features`. */
extern const struct nook_features_part nook_namespace_features;

/* "TERM", "SIGTERM", "15" → 15; -EINVAL otherwise. */
int nook_signal_parse(const char *text, int *sig);

/* Write pid to path atomically (a temporary file renamed into place), as
 * --pid-file wants it: the number alone, no newline. */
int nook_pid_file_write(const char *path, pid_t pid, struct nook_error *err);

/* ---- exec (container-exec.c) ---- */

struct nook_spec_process;

/* How `nook exec` changes the container's process into the one it runs
 * (as runc: ignored when a process.json is given). */
struct nook_exec_overrides {
    char *const *args;         /* the command; NULL with a process.json */
    const char *cwd;           /* NULL: the container's */
    char *const *env;          /* KEY=VALUE, each replaces or adds */
    bool has_user;
    uint32_t uid;
    bool has_gid;
    uint32_t gid;
    const uint32_t *additional_gids; /* added */
    size_t n_additional_gids;
    char *const *caps;         /* added to the bounding, effective and permitted sets */
    bool no_new_privs;
    bool tty;                  /* --tty: the process gets a pseudo-terminal */
};

struct nook_exec_opts {
    const char *root;
    const char *id;
    const struct nook_spec_process *process; /* from --process, or NULL: overrides */
    const struct nook_exec_overrides *overrides;
    const char *pid_file;
    bool ignore_paused;
    /* --cgroup: the sub-cgroup of the container's cgroup to run in ("a/b");
     * NULL: the container's cgroup itself, when it has one. */
    const char *cgroup;
    bool rootless;
    unsigned preserve_fds;
    const char *console_socket; /* receives the pty master of a terminal process */
    bool relay_terminal;       /* in the foreground: the caller relays the pty itself */
    nook_log_fn log;
    void *log_data;
};

/* Start a process inside a created or running container: it joins the
 * container's namespaces and gets its process setup from the init core.
 * When this returns 0 the process has been set up and is about to execve;
 * started->pid is its host pid, a child of the caller, and started->pidfd
 * and started->console_fd (a terminal's pty master to relay, else -1) are
 * owned by the caller. Runtime's errors read as runc's ("cannot exec in
 * a stopped container"); the process's own setup errors as create's.
 * A container with a cgroup gets the process in it (or in opts->cgroup
 * below it), placed at clone time (CLONE_INTO_CGROUP). */
int nook_container_exec(const struct nook_exec_opts *opts, struct nook_created *started,
                        struct nook_error *err);

/* ---- ps (container-ps.c) ---- */

/* The host pids of the container's processes, sorted: those in its
 * cgroup when it has one (which may still hold processes of a stopped
 * container); else those in its pid namespace (only the init when it
 * shares the host's), none once it has stopped. *pids is malloc'd. */
int nook_container_pids(const char *root, const char *id, pid_t **pids, size_t *count,
                        struct nook_error *err);
