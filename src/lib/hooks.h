/* hooks.h: config.json's lifecycle hooks (prestart, createRuntime,
 * createContainer, startContainer, poststart, poststop), each run at the
 * runtime-spec's point with the container's state on its stdin.
 *
 * Where each point is served:
 *   prestart, createRuntime  the parent of create, when the init core stops
 *                            between its mounts and pivot_root and asks
 *                            (NOOK_SYNC_HOOKS_CREATE_RUNTIME);
 *   createContainer          the init core itself at that same point, in
 *                            the container's namespaces, host paths;
 *   startContainer           the init core after `nook start` opened the
 *                            exec barrier, before the execve (container
 *                            paths); a failure travels back over exec.fifo;
 *   poststart                `nook start` / `nook run` once started;
 *   poststop                 `nook delete`, before the state goes.
 * A failure before the start fails create or start; poststart and poststop
 * failures are warnings (the caller's to print). */
#pragma once

#include <stddef.h>
#include <sys/types.h>

#include "error.h"
#include "oci-features.h"
#include "spec.h"
#include "state.h"

struct nook_init_ctx;

enum nook_hook_point {
    NOOK_HOOK_PRESTART,
    NOOK_HOOK_CREATE_RUNTIME,
    NOOK_HOOK_CREATE_CONTAINER,
    NOOK_HOOK_START_CONTAINER,
    NOOK_HOOK_POSTSTART,
    NOOK_HOOK_POSTSTOP,
};

/* exec.fifo carries this byte when the init is going on to its execve;
 * anything else is followed by the reason it is not (a failed
 * startContainer hook). */
#define NOOK_HOOKS_BARRIER_GO '0'
#define NOOK_HOOKS_BARRIER_FAILED '1'

/* The config.json name of a point: "createRuntime". */
const char *nook_hook_point_name(enum nook_hook_point point);

/* The hooks config.json lists for point; NULL when it lists none. */
const struct nook_spec_hook_list *nook_hooks_for(const struct nook_spec *spec,
                                                 enum nook_hook_point point);

/* Run every hook of point in order, each with state_json on stdin and cwd
 * as its working directory (NULL: this process's); stop at the first that
 * fails, times out (killed after hook.timeout seconds) or cannot be run
 * (poststart and poststop go on with the rest and report the first).
 * The error names the hook and carries its output. */
int nook_hooks_run(const struct nook_spec *spec, enum nook_hook_point point,
                   const char *state_json, const char *cwd, struct nook_error *err);

/* The same with the state rendered from state as `nook state` shows it,
 * with pid and status as given. */
int nook_hooks_run_state(const struct nook_spec *spec, enum nook_hook_point point,
                         const struct nook_state *state, pid_t pid, enum nook_status status,
                         struct nook_error *err);

/* Parent of create, on NOOK_SYNC_HOOKS_CREATE_RUNTIME from the init core
 * (pid): run prestart then createRuntime, status "creating", then let the
 * init go on with NOOK_SYNC_CONTINUE. */
int nook_hooks_create_runtime(const struct nook_spec *spec, const struct nook_state *state,
                              pid_t pid, int sync_fd, struct nook_error *err);

/* Init core, after its mounts and before the switch of root: ask the
 * parent for the runtime hooks (when there are any), then run the
 * createContainer hooks itself. */
int nook_hooks_init_create(const struct nook_init_ctx *ctx, struct nook_error *err);

/* Init core, with exec.fifo open for writing (so `nook start` is waiting):
 * run the startContainer hooks. 0, or the error to send back. */
int nook_hooks_init_start(const struct nook_init_ctx *ctx, struct nook_error *err);

/* This process's pid as the host sees it, read from the host's /proc
 * (which the init core still has before its switch of root); 0 when
 * unknown. */
pid_t nook_hooks_host_pid(void);

/* create: when config.json has poststart or poststop hooks, keep a copy
 * of bundle/config.json in the container's directory (dir_fd), which is
 * where those hooks are read from once create is over. */
int nook_hooks_keep_config(const struct nook_spec *spec, const char *bundle, int dir_fd,
                           struct nook_error *err);

/* After `nook start` of container id: its poststart hooks, status
 * "running". A failure is the caller's warning. */
int nook_hooks_poststart(const char *root, const char *id, struct nook_error *err);

/* From delete, the container (directory dir_path) being stopped: its
 * poststop hooks, status "stopped". A failure is the caller's warning. */
int nook_hooks_poststop(const char *dir_path, const struct nook_state *state,
                        struct nook_error *err);

/* The hook points nook runs, for `nook features`. */
extern const struct nook_features_part nook_hooks_features;
