/* state-delete.c: `delete` in the library: decide from the status whether a
 * container may go, kill it when asked to, and remove everything it holds. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cgroup.h"
#include "container-id.h"
#include "helper-procs.h"
#include "hooks.h"
#include "state.h"

/* How long delete waits for a SIGKILLed init to be gone, as runc does. */
#define DELETE_KILL_WAIT_MS 10000
/* How long a helper (helper-procs.h) gets to exit on SIGTERM. */
#define HELPER_STOP_GRACE_MS 1000

/* Release what the container holds, its state directory last. This is the
 * one place later stages add to, in this order: the cgroup (the cgroup
 * managers), poststop hooks, the overlay rootfs mounts, the network helper.
 * The cgroup goes first, as in runc: it kills what is left of the
 * container (processes that escaped its init), and when it cannot be
 * removed the delete fails before any hook has run, so it can be tried
 * again. A failing poststop hook is only a warning (runtime-spec). */
static int destroy_container(struct nook_container_dir *dir, const struct nook_state *state,
                             const struct nook_cgroup *cgroup, struct nook_error *warning,
                             struct nook_error *err)
{
    int r = nook_cgroup_destroy(cgroup, err);
    if (r < 0)
        return nook_error_prefix(err, "delete container %s", state->id);
    struct nook_error hook_err = { 0 };
    if (nook_hooks_poststop(dir->path, state, &hook_err) < 0 && warning)
        *warning = hook_err;
    r = nook_helpers_stop_all(dir->fd, HELPER_STOP_GRACE_MS, err);
    if (r < 0)
        return nook_error_prefix(err, "delete container %s", state->id);
    return nook_container_dir_remove(dir, err);
}

/* Kill the container: through its cgroup first, so that nothing of it
 * survives (a process outside its init's pid namespace, one that forks
 * away), then its init through a pidfd, waiting until it is gone. */
static int kill_all(const struct nook_state *state, const struct nook_cgroup *cgroup,
                    struct nook_error *err)
{
    if (cgroup->manager != NOOK_CGROUP_MANAGER_NONE && cgroup->path) {
        int r = nook_cgroup_signal_all(cgroup, SIGKILL, err);
        if (r < 0)
            return nook_error_prefix(err, "kill container %s", state->id);
    }
    return nook_container_signal_init(state, SIGKILL, DELETE_KILL_WAIT_MS, err);
}

int nook_container_delete(const char *root, const char *id, bool force, struct nook_error *err)
{
    return nook_container_delete_warn(root, id, force, NULL, err);
}

int nook_container_delete_warn(const char *root, const char *id, bool force,
                               struct nook_error *warning, struct nook_error *err)
{
    int r = nook_container_id_validate(id, err);
    if (r < 0)
        return r;
    _cleanup_container_dir_ struct nook_container_dir *dir = NULL;
    r = nook_container_dir_open(root, id, NOOK_LOCK_EXCLUSIVE, NOOK_STATE_LOCK_TIMEOUT_MS, &dir,
                                err);
    if (r == -ENOENT && force) {
        nook_error_clear(err);
        return 0;
    }
    if (r < 0)
        return r;

    _cleanup_(nook_state_clear) struct nook_state state = { 0 };
    r = nook_state_load(dir, &state, err);
    if (r == -ENOENT) {
        /* No state.json: what a failed create left. We hold its lock, so no
         * create is still working on it. */
        nook_error_clear(err);
        return nook_container_dir_remove(dir, err);
    }
    if (r < 0) {
        if (!force) {
            char reason[NOOK_ERROR_MAX];
            snprintf(reason, sizeof(reason), "%s", err ? err->message : "");
            return nook_error_set(err, -r, "%s; `nook delete --force %s` removes it anyway",
                                  reason, id);
        }
        /* Unreadable: nothing can be signalled, but --force still removes. */
        nook_error_clear(err);
        return nook_container_dir_remove(dir, err);
    }

    _cleanup_(nook_cgroup_clear) struct nook_cgroup cgroup = { .manager = NOOK_CGROUP_MANAGER_NONE };
    r = nook_cgroup_from_state(&state, &cgroup, err);
    if (r < 0 && !force)
        return r;
    nook_error_clear(err);

    enum nook_status status;
    r = nook_container_status(dir, &state, &status, err);
    if (r < 0)
        return r;
    switch (status) {
    case NOOK_STATUS_STOPPED:
        break;
    case NOOK_STATUS_CREATED:
        /* As runc: a created container has not run anything of the user's
         * yet, so deleting it needs no --force. */
        r = kill_all(&state, &cgroup, err);
        if (r < 0)
            return r;
        break;
    case NOOK_STATUS_CREATING:
    case NOOK_STATUS_RUNNING:
    case NOOK_STATUS_PAUSED:
        if (!force)
            return nook_error_set(err, EBUSY, "cannot delete container %s that is not stopped: %s",
                                  id, nook_status_name(status));
        r = kill_all(&state, &cgroup, err);
        if (r < 0)
            return r;
        break;
    }
    return destroy_container(dir, &state, &cgroup, warning, err);
}
