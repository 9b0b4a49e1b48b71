/* state-delete.c: `delete` in the library: decide from the status whether a
 * container may go, kill it when asked to, and remove everything it holds. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "container-id.h"
#include "helper-procs.h"
#include "hooks.h"
#include "network.h"
#include "overlay.h"
#include "state.h"

/* How long delete waits for a SIGKILLed init to be gone, as runc does. */
#define DELETE_KILL_WAIT_MS 10000
/* How long a helper (helper-procs.h) gets to exit on SIGTERM. */
#define HELPER_STOP_GRACE_MS 1000

/* The copy of config.json create kept in the container's directory for
 * its poststop hooks (hooks.h: nook_hooks_keep_config); *spec stays NULL
 * when there is none. */
static int load_poststop_hooks(struct nook_container_dir *dir, struct nook_spec **spec,
                               struct nook_error *err)
{
    *spec = NULL;
    if (faccessat(dir->fd, "config.json", F_OK, 0) < 0) {
        if (errno == ENOENT)
            return 0;
        return nook_error_set_errno(err, errno, "poststop hooks: %s/config.json", dir->path);
    }
    int r = nook_spec_load(dir->path, spec, err);
    return r < 0 ? nook_error_prefix(err, "poststop hooks") : 0;
}

/* Release what the container holds, its state directory last. This is the
 * one place later stages add to, in this order: the cgroup (the cgroup
 * managers), the overlay rootfs mounts, the network helper; the poststop
 * hooks once the directory is gone.
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
    /* The poststop hooks run once the container is deleted, its directory
     * gone (runtime-spec: "after the container is deleted but before the
     * delete operation returns"): read them from there first. */
    struct nook_error hook_err = { 0 };
    _cleanup_(nook_spec_freep) struct nook_spec *poststop = NULL;
    if (load_poststop_hooks(dir, &poststop, &hook_err) < 0 && warning)
        *warning = hook_err;
    r = nook_helpers_stop_all(dir->fd, HELPER_STOP_GRACE_MS, err);
    if (r < 0)
        return nook_error_prefix(err, "delete container %s", state->id);
    /* After the helpers: fuse-overlayfs writes into the upper layer. */
    r = nook_overlay_release(dir->fd, dir->path, state, true, err);
    if (r < 0)
        return nook_error_prefix(err, "delete container %s", state->id);
    r = nook_container_dir_remove(dir, err);
    if (r < 0)
        return r;
    if (poststop &&
        nook_hooks_run_state(poststop, NOOK_HOOK_POSTSTOP, state, 0, NOOK_STATUS_STOPPED,
                             &hook_err) < 0 &&
        warning)
        *warning = hook_err;
    return 0;
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
    /* A network helper that died before the container: said once more,
     * as the log that says so goes with the container. */
    (void)nook_network_helper_state(dir, &state, status, warning);
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
