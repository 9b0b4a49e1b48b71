/* container-cgroup.c: pause, resume, update and the `events` watch of a
 * container, by id: the container's directory, its state and status, then
 * the cgroup library on the cgroup state.json records. */
#include <fcntl.h>
#include <string.h>

#include "container-cgroup.h"
#include "proc.h"
#include "state.h"

int nook_container_no_cgroup_error(const char *id, const char *action, struct nook_error *err)
{
    return nook_error_set(err, ENOTSUP,
                          "container \"%s\" has no cgroup, so nook cannot %s: it was created "
                          "with --cgroup-manager disabled or where nook found no cgroup to use "
                          "(no systemd user bus, and no cgroup v2 subtree delegated to the user); "
                          "create it again inside a systemd user session (for a login-less "
                          "user: loginctl enable-linger $USER) or from a cgroup v2 subtree "
                          "delegated to you",
                          id, action);
}

/* Everything one command holds: released by container_clear(). */
struct container {
    struct nook_container_dir *dir;
    struct nook_state state;
    enum nook_status status;
    struct nook_cgroup cgroup;
};

static void container_clear(struct container *c)
{
    if (c->dir)
        nook_container_dir_free(c->dir);
    nook_state_clear(&c->state);
    nook_cgroup_clear(&c->cgroup);
}

static int container_open(const char *root, const char *id, enum nook_lock lock,
                          struct container *c, struct nook_error *err)
{
    int r = nook_container_dir_open(root, id, lock, NOOK_STATE_LOCK_TIMEOUT_MS, &c->dir, err);
    if (r < 0)
        return r;
    r = nook_state_load(c->dir, &c->state, err);
    if (r == -ENOENT)
        return nook_error_set(err, ENOENT, "container \"%s\" does not exist", id);
    if (r < 0)
        return r;
    r = nook_container_status(c->dir, &c->state, &c->status, err);
    if (r < 0)
        return r;
    return nook_cgroup_from_state(&c->state, &c->cgroup, err);
}

/* runc's words ("container not running", "container not paused"), with the
 * container and what it is instead. */
static int wrong_status(const struct container *c, const char *want, struct nook_error *err)
{
    return nook_error_set(err, EINVAL, "container \"%s\" is not %s: it is %s", c->state.id, want,
                          nook_status_name(c->status));
}

static int freeze(const char *root, const char *id, bool frozen, struct nook_error *err)
{
    _cleanup_(container_clear) struct container c = { 0 };
    int r = container_open(root, id, NOOK_LOCK_EXCLUSIVE, &c, err);
    if (r < 0)
        return r;
    /* As the brief of `nook pause` says: only a running container (runc
     * also freezes a created one, whose init then cannot be started until
     * it is resumed; nook refuses that instead). */
    if (frozen && c.status != NOOK_STATUS_RUNNING)
        return wrong_status(&c, "running", err);
    if (!frozen && c.status != NOOK_STATUS_PAUSED)
        return wrong_status(&c, "paused", err);
    if (c.cgroup.manager == NOOK_CGROUP_MANAGER_NONE)
        return nook_container_no_cgroup_error(id, frozen ? "pause it" : "resume it", err);
    r = nook_cgroup_freeze(&c.cgroup, frozen, err);
    if (r < 0)
        return nook_error_prefix(err, "container \"%s\"", id);
    return 0;
}

int nook_container_pause(const char *root, const char *id, struct nook_error *err)
{
    return freeze(root, id, true, err);
}

int nook_container_resume(const char *root, const char *id, struct nook_error *err)
{
    return freeze(root, id, false, err);
}

int nook_container_update(const char *root, const char *id,
                          const struct nook_spec_resources *resources, struct nook_error *err)
{
    _cleanup_(container_clear) struct container c = { 0 };
    int r = container_open(root, id, NOOK_LOCK_EXCLUSIVE, &c, err);
    if (r < 0)
        return r;
    if (c.status == NOOK_STATUS_STOPPED || c.status == NOOK_STATUS_CREATING)
        return wrong_status(&c, "running", err);
    if (c.cgroup.manager == NOOK_CGROUP_MANAGER_NONE)
        return nook_container_no_cgroup_error(id, "change its limits", err);
    r = nook_cgroup_update(&c.cgroup, resources, err);
    if (r < 0)
        return nook_error_prefix(err, "container \"%s\"", id);
    return 0;
}

/* ---- events ---- */

void nook_container_watch_clear(struct nook_container_watch *watch)
{
    free(watch->id);
    nook_cgroup_clear(&watch->cgroup);
    closep(&watch->cgroup_fd);
    closep(&watch->pidfd);
    closep(&watch->memory_events_fd);
    memset(watch, 0, sizeof(*watch));
    watch->cgroup_fd = watch->pidfd = watch->memory_events_fd = -1;
}

/* "oom_kill" of memory.events, read again from the start of the open fd
 * (the kernel wants a fresh read from offset 0 after each POLLPRI). */
static int read_oom_kills(int fd, uint64_t *out, struct nook_error *err)
{
    char text[1024];
    ssize_t n = pread(fd, text, sizeof(text) - 1, 0);
    if (n < 0)
        return nook_error_set_errno(err, errno, "read the cgroup's memory.events");
    text[n] = '\0';
    *out = 0;
    (void)nook_cgroup_keyed_value(text, "oom_kill", out);
    return 0;
}

int nook_container_watch_open(const char *root, const char *id, struct nook_container_watch *out,
                              struct nook_error *err)
{
    *out = (struct nook_container_watch){ .cgroup_fd = -1, .pidfd = -1, .memory_events_fd = -1 };
    _cleanup_(container_clear) struct container c = { 0 };
    /* No lock: events runs for as long as the container does, and must
     * not hold up delete or kill. */
    int r = container_open(root, id, NOOK_LOCK_NONE, &c, err);
    if (r < 0)
        return r;
    if (c.status == NOOK_STATUS_STOPPED)
        return nook_error_set(err, EINVAL, "container \"%s\" is not running", id);
    if (c.cgroup.manager == NOOK_CGROUP_MANAGER_NONE)
        return nook_container_no_cgroup_error(id, "read its statistics", err);
    _cleanup_(nook_container_watch_clear) struct nook_container_watch w = {
        .cgroup_fd = -1, .pidfd = -1, .memory_events_fd = -1,
    };
    w.id = strdup(id);
    if (!w.id)
        return nook_error_set(err, ENOMEM, "out of memory");
    r = nook_cgroup_open(&c.cgroup, NULL, &w.cgroup_fd, err);
    if (r < 0)
        return nook_error_prefix(err, "container \"%s\"", id);
    r = nook_proc_open_pidfd(c.state.init_pid, c.state.init_start_time, &w.pidfd);
    if (r == -ESRCH)
        return nook_error_set(err, EINVAL, "container \"%s\" is not running", id);
    if (r < 0)
        return nook_error_set_errno(err, -r, "container \"%s\": open a pidfd for init process %d",
                                    id, (int)c.state.init_pid);
    w.memory_events_fd = openat(w.cgroup_fd, "memory.events", O_RDONLY | O_CLOEXEC);
    if (w.memory_events_fd < 0 && errno != ENOENT)
        return nook_error_set_errno(err, errno, "container \"%s\": open the cgroup's memory.events",
                                    id);
    if (w.memory_events_fd >= 0 && (r = read_oom_kills(w.memory_events_fd, &w.oom_kills, err)) < 0)
        return nook_error_prefix(err, "container \"%s\"", id);
    w.cgroup = c.cgroup;
    c.cgroup = (struct nook_cgroup){ 0 };
    *out = w;
    w = (struct nook_container_watch){ .cgroup_fd = -1, .pidfd = -1, .memory_events_fd = -1 };
    return 0;
}

int nook_container_watch_stats(const struct nook_container_watch *watch,
                               struct nook_cgroup_stats *stats, struct nook_error *err)
{
    int r = nook_cgroup_stats_read(watch->cgroup_fd, stats, err);
    if (r < 0)
        return nook_error_prefix(err, "container \"%s\"", watch->id);
    return 0;
}

int nook_container_watch_oom(struct nook_container_watch *watch, uint64_t *new_kills,
                             struct nook_error *err)
{
    *new_kills = 0;
    if (watch->memory_events_fd < 0)
        return 0;
    uint64_t kills;
    int r = read_oom_kills(watch->memory_events_fd, &kills, err);
    if (r < 0)
        return nook_error_prefix(err, "container \"%s\"", watch->id);
    if (kills > watch->oom_kills)
        *new_kills = kills - watch->oom_kills;
    watch->oom_kills = kills;
    return 0;
}
