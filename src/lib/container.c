/* container.c: start and kill of an existing container, and signal names.
 * kill --all goes through the container's cgroup when it has one; without
 * one, through its pid namespace (see kill_all_without_cgroup). */
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "cgroup.h"
#include "container.h"
#include "hooks.h"
#include "proc.h"
#include "state.h"

#define LOCK_TIMEOUT_MS 30000

int nook_signal_parse(const char *text, int *sig)
{
    if (!text || !*text)
        return -EINVAL;
    char *end = NULL;
    long n = strtol(text, &end, 10);
    if (end && *end == '\0') {
        if (n <= 0 || n > SIGRTMAX)
            return -EINVAL;
        *sig = (int)n;
        return 0;
    }
    const char *name = strncasecmp(text, "SIG", 3) == 0 ? text + 3 : text;
    for (int s = 1; s < NSIG; s++) {
        const char *abbrev = sigabbrev_np(s);
        if (abbrev && strcasecmp(abbrev, name) == 0) {
            *sig = s;
            return 0;
        }
    }
    return -EINVAL;
}

static int open_container(const char *root, const char *id, enum nook_lock lock,
                          struct nook_container_dir **dir, struct nook_state *state,
                          enum nook_status *status, struct nook_error *err)
{
    int r = nook_container_dir_open(root, id, lock, LOCK_TIMEOUT_MS, dir, err);
    if (r < 0)
        return r;
    r = nook_state_load(*dir, state, err);
    if (r == -ENOENT)
        return nook_error_set(err, ENOENT, "container \"%s\" does not exist", id);
    if (r < 0)
        return r;
    return nook_container_status(*dir, state, status, err);
}

/* Wait until the init writes its byte into the fifo, or dies. */
static int release_barrier(int fifo, int pidfd, const char *id, struct nook_error *err)
{
    struct pollfd fds[2] = { { .fd = fifo, .events = POLLIN }, { .fd = pidfd, .events = POLLIN } };
    for (;;) {
        int n = poll(fds, 2, -1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return nook_error_set_errno(err, errno, "wait for container \"%s\" to start", id);
        if (fds[0].revents & (POLLIN | POLLHUP)) {
            /* One byte to go on, or a failed startContainer hook's reason
             * (written at once, so read at once). */
            char reply[NOOK_ERROR_MAX + 1];
            ssize_t got = read(fifo, reply, sizeof(reply) - 1);
            if (got >= 1 && reply[0] == NOOK_HOOKS_BARRIER_GO)
                return 0;
            if (got >= 1) {
                reply[got] = '\0';
                return nook_error_set(err, ECANCELED, "container \"%s\": %s", id, reply + 1);
            }
            if (got < 0 && errno == EAGAIN)
                continue;
        }
        if (fds[1].revents & POLLIN)
            return nook_error_set(err, ESRCH, "container \"%s\" exited before it could start", id);
    }
}

int nook_container_start(const char *root, const char *id, struct nook_error *err)
{
    _cleanup_container_dir_ struct nook_container_dir *dir = NULL;
    _cleanup_(nook_state_clear) struct nook_state state = { 0 };
    enum nook_status status;
    int r = open_container(root, id, NOOK_LOCK_EXCLUSIVE, &dir, &state, &status, err);
    if (r < 0)
        return r;
    if (status == NOOK_STATUS_STOPPED)
        return nook_error_set(err, EINVAL, "cannot start a container that has stopped");
    if (status != NOOK_STATUS_CREATED)
        return nook_error_set(err, EINVAL, "cannot start an already %s container",
                              nook_status_name(status));
    _cleanup_close_ int pidfd = -1;
    if (nook_proc_open_pidfd(state.init_pid, state.init_start_time, &pidfd) < 0)
        return nook_error_set(err, ESRCH, "cannot start a container that has stopped");
    _cleanup_close_ int fifo = openat(dir->fd, "exec.fifo", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fifo < 0)
        return nook_error_set_errno(err, errno, "open %s/exec.fifo", dir->path);
    r = release_barrier(fifo, pidfd, id, err);
    if (r == 0 && unlinkat(dir->fd, "exec.fifo", 0) < 0)
        r = nook_error_set_errno(err, errno, "remove %s/exec.fifo", dir->path);
    return r;
}

/* kill --all for a container without a cgroup: every process in its own
 * pid namespace is one of its processes, and they are all of them. When it
 * shares the host's pid namespace nothing tells its processes from the
 * host's, so that is refused rather than signalling the init alone. */
static int kill_all_without_cgroup(const struct nook_state *state, int sig, struct nook_error *err)
{
    char path[64];
    struct stat init_ns, own_ns;
    snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)state->init_pid);
    if (stat(path, &init_ns) < 0 || stat("/proc/self/ns/pid", &own_ns) < 0)
        return nook_error_set_errno(err, errno, "container \"%s\": read its pid namespace",
                                    state->id);
    if (init_ns.st_ino == own_ns.st_ino && init_ns.st_dev == own_ns.st_dev)
        return nook_error_set(err, ENOTSUP,
                              "container \"%s\" has neither a cgroup nor a pid namespace of its "
                              "own, so nook cannot tell which processes are its own: kill "
                              "without --all signals its init only",
                              state->id);
    _cleanup_closedir_ DIR *proc = opendir("/proc");
    if (!proc)
        return nook_error_set_errno(err, errno, "open /proc");
    struct dirent *entry;
    while ((entry = readdir(proc))) {
        char *end = NULL;
        long pid = strtol(entry->d_name, &end, 10);
        if (!end || *end || pid <= 0)
            continue;
        struct stat ns;
        snprintf(path, sizeof(path), "/proc/%ld/ns/pid", pid);
        if (stat(path, &ns) < 0 || ns.st_ino != init_ns.st_ino || ns.st_dev != init_ns.st_dev)
            continue;
        struct nook_proc_stat st;
        _cleanup_close_ int pidfd = -1;
        if (nook_proc_read_stat((pid_t)pid, &st) == 0 &&
            nook_proc_open_pidfd((pid_t)pid, st.start_time, &pidfd) == 0)
            (void)nook_pidfd_send_signal(pidfd, sig);
    }
    return 0;
}

int nook_container_kill(const char *root, const char *id, int sig, bool all, struct nook_error *err)
{
    _cleanup_container_dir_ struct nook_container_dir *dir = NULL;
    _cleanup_(nook_state_clear) struct nook_state state = { 0 };
    _cleanup_(nook_cgroup_clear) struct nook_cgroup cgroup = { 0 };
    enum nook_status status;
    int r = open_container(root, id, NOOK_LOCK_NONE, &dir, &state, &status, err);
    if (r < 0)
        return r;
    if (all && (r = nook_cgroup_from_state(&state, &cgroup, err)) < 0)
        return r;
    /* With a cgroup, --all reaches what a stopped container left behind
     * (its init gone, other processes of a shared pid namespace still
     * there), as runc's does. */
    if (all && cgroup.manager != NOOK_CGROUP_MANAGER_NONE) {
        r = nook_cgroup_signal_all(&cgroup, sig, err);
        if (r == -ENOENT && status == NOOK_STATUS_STOPPED)
            return nook_error_set(err, ESRCH, "container \"%s\" has stopped (container not running)", id);
        return r < 0 ? nook_error_prefix(err, "container \"%s\"", id) : 0;
    }
    /* "container not running", here and above, is runc's text, which
     * engines match to tell a task that has already exited from a failure
     * (containerd's shim then reports "process already finished: not
     * found"). */
    if (status == NOOK_STATUS_STOPPED)
        return nook_error_set(err, ESRCH, "container \"%s\" has stopped (container not running)", id);
    return all ? kill_all_without_cgroup(&state, sig, err)
               : nook_container_signal_init(&state, sig, 0, err);
}
