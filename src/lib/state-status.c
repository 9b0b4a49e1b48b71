/* state-status.c: the OCI status of a container, derived each time from its
 * recorded state and the live system (nothing stores a status that could go
 * stale), and signalling its init process without ever hitting a recycled
 * pid. */
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>

#include "cgroup.h"
#include "proc.h"
#include "state.h"

const char *nook_status_name(enum nook_status status)
{
    switch (status) {
    case NOOK_STATUS_CREATING:
        return "creating";
    case NOOK_STATUS_CREATED:
        return "created";
    case NOOK_STATUS_RUNNING:
        return "running";
    case NOOK_STATUS_PAUSED:
        return "paused";
    case NOOK_STATUS_STOPPED:
        return "stopped";
    }
    return "unknown";
}

/* A container is paused when its cgroup is frozen ("frozen 1" in
 * cgroup.events); one without a cgroup never is. */
static bool frozen_by_cgroup(const struct nook_state *state)
{
    _cleanup_(nook_cgroup_clear) struct nook_cgroup cgroup = { 0 };
    if (nook_cgroup_from_state(state, &cgroup, NULL) < 0)
        return false;
    return nook_cgroup_is_frozen(&cgroup);
}

int nook_container_status(const struct nook_container_dir *dir, const struct nook_state *state,
                          enum nook_status *out, struct nook_error *err)
{
    if (state->creating) {
        /* A create that died half way leaves a state that says creating;
         * with its creator gone, nothing will ever finish it. */
        bool creator_alive = nook_proc_is_alive(state->creator_pid, state->creator_start_time);
        *out = creator_alive ? NOOK_STATUS_CREATING : NOOK_STATUS_STOPPED;
        return 0;
    }
    struct nook_proc_stat st;
    int r = nook_proc_read_stat(state->init_pid, &st);
    if (r == -ESRCH) {
        *out = NOOK_STATUS_STOPPED;
        return 0;
    }
    if (r < 0)
        return nook_error_set_errno(err, -r, "container \"%s\": read /proc/%d/stat", state->id,
                                    (int)state->init_pid);
    if (st.state == 'Z' || st.state == 'X' || st.start_time != state->init_start_time) {
        *out = NOOK_STATUS_STOPPED;
        return 0;
    }
    if (frozen_by_cgroup(state)) {
        *out = NOOK_STATUS_PAUSED;
        return 0;
    }
    struct stat fifo;
    if (fstatat(dir->fd, NOOK_STATE_EXEC_FIFO, &fifo, AT_SYMLINK_NOFOLLOW) == 0) {
        *out = NOOK_STATUS_CREATED;
        return 0;
    }
    if (errno != ENOENT)
        return nook_error_set_errno(err, errno, "container \"%s\": stat %s/%s", state->id,
                                    dir->path, NOOK_STATE_EXEC_FIFO);
    *out = NOOK_STATUS_RUNNING;
    return 0;
}

int nook_container_signal_init(const struct nook_state *state, int sig, int wait_ms,
                               struct nook_error *err)
{
    if (state->init_pid <= 0)
        return 0;
    _cleanup_close_ int pidfd = -1;
    int r = nook_proc_open_pidfd(state->init_pid, state->init_start_time, &pidfd);
    if (r == -ESRCH)
        return 0;
    if (r == -ENOSYS)
        return nook_error_set(err, ENOSYS,
                              "container \"%s\": this kernel has no pidfd_open(), which nook needs "
                              "to signal a process safely; Linux 5.3 or later is required",
                              state->id);
    if (r < 0)
        return nook_error_set_errno(err, -r, "container \"%s\": open a pidfd for init process %d",
                                    state->id, (int)state->init_pid);
    r = nook_pidfd_send_signal(pidfd, sig);
    if (r == -ESRCH)
        return 0;
    if (r < 0)
        return nook_error_set_errno(err, -r, "container \"%s\": send signal %d to init process %d",
                                    state->id, sig, (int)state->init_pid);
    if (wait_ms == 0)
        return 0;
    r = nook_pidfd_wait_exit(pidfd, wait_ms);
    if (r == -ETIMEDOUT)
        return nook_error_set(err, ETIMEDOUT,
                              "container \"%s\": init process %d is still running %d ms after "
                              "signal %d",
                              state->id, (int)state->init_pid, wait_ms, sig);
    if (r < 0)
        return nook_error_set_errno(err, -r, "container \"%s\": wait for init process %d",
                                    state->id, (int)state->init_pid);
    return 0;
}
