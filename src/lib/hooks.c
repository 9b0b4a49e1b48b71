/* hooks.c: running config.json's lifecycle hooks (see hooks.h): one
 * fork + execve per hook, the state JSON on its stdin through a memfd (a
 * hook that never reads it cannot block nook), its output captured for the
 * error message, and its timeout enforced through a pidfd. */
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hooks.h"
#include "init/init.h"
#include "init/sync.h"
#include "proc.h"
#include "state-output.h"

extern char **environ;

/* What of a hook's output ends up in the error message. */
#define HOOK_OUTPUT_MAX 512

static const char *const hook_names[] = {
    "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop", NULL,
};

const struct nook_features_part nook_hooks_features = {
    .name = "hooks",
    .lists[NOOK_FEATURE_HOOKS] = hook_names,
};

const char *nook_hook_point_name(enum nook_hook_point point)
{
    return hook_names[point];
}

const struct nook_spec_hook_list *nook_hooks_for(const struct nook_spec *spec,
                                                 enum nook_hook_point point)
{
    const struct nook_spec_hooks *h = spec ? spec->hooks : NULL;
    if (!h)
        return NULL;
    const struct nook_spec_hook_list *list = NULL;
    switch (point) {
    case NOOK_HOOK_PRESTART:
        list = &h->prestart;
        break;
    case NOOK_HOOK_CREATE_RUNTIME:
        list = &h->create_runtime;
        break;
    case NOOK_HOOK_CREATE_CONTAINER:
        list = &h->create_container;
        break;
    case NOOK_HOOK_START_CONTAINER:
        list = &h->start_container;
        break;
    case NOOK_HOOK_POSTSTART:
        list = &h->poststart;
        break;
    case NOOK_HOOK_POSTSTOP:
        list = &h->poststop;
        break;
    }
    return list && list->count > 0 ? list : NULL;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The state as a file the hook reads from its start. */
static int state_memfd(const char *state_json, struct nook_error *err)
{
    _cleanup_close_ int fd = (int)syscall(SYS_memfd_create, "nook-hook-state", MFD_CLOEXEC);
    if (fd < 0)
        return nook_error_set_errno(err, errno, "memfd_create for a hook's state");
    size_t len = strlen(state_json), done = 0;
    while (done < len) {
        ssize_t n = write(fd, state_json + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return nook_error_set_errno(err, errno, "write a hook's state");
        done += (size_t)n;
    }
    if (lseek(fd, 0, SEEK_SET) < 0)
        return nook_error_set_errno(err, errno, "rewind a hook's state");
    return steal_fd(&fd);
}

/* Between fork and execve: only async-signal-safe calls. */
_Noreturn static void hook_child(const struct nook_spec_hook *hook, int input, int output,
                                 const char *cwd)
{
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    /* A process group of its own, so that a timeout ends what it started
     * too (the parent sets it as well: whichever runs first). */
    (void)setpgid(0, 0);
    if (dup2(input, 0) < 0 || dup2(output, 1) < 0 || dup2(output, 2) < 0)
        _exit(126);
    if (cwd && chdir(cwd) < 0) {
        static const char msg[] = "cannot enter the bundle directory\n";
        (void)!write(2, msg, sizeof(msg) - 1);
        _exit(126);
    }
    char *fallback[] = { hook->path, NULL };
    char *const *argv = hook->args && hook->args[0] ? hook->args : fallback;
    /* As runc: a hook without "env" inherits the runtime's environment. */
    execve(hook->path, argv, hook->env ? hook->env : environ);
    const char *why = strerror(errno);
    static const char prefix[] = "exec: ";
    (void)!write(2, prefix, sizeof(prefix) - 1);
    (void)!write(2, why, strlen(why));
    _exit(127);
}

/* Keep the first HOOK_OUTPUT_MAX bytes; drain the rest. True at the end
 * of the output (every writer is gone). */
static bool read_output(int fd, char *buf, size_t *len)
{
    char chunk[1024];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n == 0;
        size_t keep = HOOK_OUTPUT_MAX - *len;
        if ((size_t)n < keep)
            keep = (size_t)n;
        memcpy(buf + *len, chunk, keep);
        *len += keep;
    }
}

/* ": <output>" with the trailing newline dropped, or "". */
static void describe_output(char *buf, size_t len, char *out, size_t size)
{
    while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
        len--;
    buf[len] = '\0';
    for (size_t i = 0; i < len; i++)
        if (buf[i] == '\n')
            buf[i] = ' ';
    snprintf(out, size, "%s%s", len ? ": " : "", buf);
}

/* Wait for the hook, reading its output, for at most timeout_s seconds
 * (0: for ever). *status is its wait status; -ETIMEDOUT when it was
 * killed for taking too long. */
static int wait_hook(pid_t pid, int pidfd, int output, int timeout_s, int *status, char *buf,
                     size_t *len)
{
    int64_t deadline = timeout_s > 0 ? now_ms() + (int64_t)timeout_s * 1000 : -1;
    bool timed_out = false;
    struct pollfd fds[2] = { { .fd = pidfd, .events = POLLIN }, { .fd = output, .events = POLLIN } };
    for (;;) {
        int wait = -1;
        if (deadline >= 0) {
            int64_t left = deadline - now_ms();
            wait = left > 0 ? (int)left : 0;
        }
        int n = poll(fds, fds[1].fd >= 0 ? 2 : 1, wait);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        if (n == 0) {
            /* The hook and its process group: a `sh -c` hook's children
             * with it. The hook is not reaped yet, so its pid still names
             * its group. */
            (void)nook_pidfd_send_signal(pidfd, SIGKILL);
            (void)kill(-pid, SIGKILL);
            timed_out = true;
            break;
        }
        if (fds[1].fd >= 0 && (fds[1].revents & (POLLIN | POLLHUP)) &&
            read_output(output, buf, len))
            fds[1].fd = -1;
        if (fds[0].revents & POLLIN)
            break;
    }
    pid_t got;
    do
        got = waitpid(pid, status, 0);
    while (got < 0 && errno == EINTR);
    if (got < 0)
        return -errno;
    /* What the hook wrote just before it ended; a child it left behind
     * holding the pipe is not waited for (the pipe is non-blocking). */
    (void)read_output(output, buf, len);
    return timed_out ? -ETIMEDOUT : 0;
}

static int run_one(const struct nook_spec_hook *hook, const char *where, const char *state_json,
                   const char *cwd, struct nook_error *err)
{
    _cleanup_close_ int input = state_memfd(state_json, err);
    if (input < 0)
        return input;
    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC) < 0)
        return nook_error_set_errno(err, errno, "%s: create a pipe", where);
    _cleanup_close_ int output = pipe_fds[0];
    _cleanup_close_ int output_w = pipe_fds[1];
    if (fcntl(output, F_SETFL, O_NONBLOCK) < 0)
        return nook_error_set_errno(err, errno, "%s: make the output pipe non-blocking", where);

    pid_t pid = fork();
    if (pid < 0)
        return nook_error_set_errno(err, errno, "%s: fork", where);
    if (pid == 0)
        hook_child(hook, input, output_w, cwd);
    (void)setpgid(pid, pid);
    closep(&output_w);
    output_w = -1;

    _cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (pidfd < 0) {
        int saved = errno;
        kill(pid, SIGKILL);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
            ;
        return nook_error_set_errno(err, saved, "%s: pidfd_open", where);
    }
    char buf[HOOK_OUTPUT_MAX + 1];
    size_t len = 0;
    int status = 0;
    int timeout = hook->timeout.set ? hook->timeout.value : 0;
    int r = wait_hook(pid, pidfd, output, timeout, &status, buf, &len);
    char said[HOOK_OUTPUT_MAX + 4];
    describe_output(buf, len, said, sizeof(said));
    if (r == -ETIMEDOUT)
        return nook_error_set(err, ETIMEDOUT, "%s timed out after %d seconds and was killed%s",
                              where, timeout, said);
    if (r < 0)
        return nook_error_set_errno(err, -r, "%s: wait for it", where);
    if (WIFSIGNALED(status))
        return nook_error_set(err, ECANCELED, "%s was killed by signal %d%s", where,
                              WTERMSIG(status), said);
    if (WEXITSTATUS(status) != 0)
        return nook_error_set(err, ECANCELED, "%s exited with status %d%s", where,
                              WEXITSTATUS(status), said);
    return 0;
}

int nook_hooks_run(const struct nook_spec *spec, enum nook_hook_point point,
                   const char *state_json, const char *cwd, struct nook_error *err)
{
    const struct nook_spec_hook_list *list = nook_hooks_for(spec, point);
    /* After the start a failure is only a warning, and the runtime-spec
     * wants the remaining hooks run as if it had succeeded. */
    bool keep_going = point == NOOK_HOOK_POSTSTART || point == NOOK_HOOK_POSTSTOP;
    int first = 0;
    for (size_t i = 0; list && i < list->count; i++) {
        char where[PATH_MAX + 64];
        snprintf(where, sizeof(where), "%s hook \"%s\" (.hooks.%s[%zu])",
                 nook_hook_point_name(point), list->items[i].path, nook_hook_point_name(point), i);
        struct nook_error one = { 0 };
        int r = run_one(&list->items[i], where, state_json, cwd, &one);
        if (r < 0 && first == 0) {
            first = r;
            if (err)
                *err = one;
        }
        if (r < 0 && !keep_going)
            return r;
    }
    return first;
}

static int render_state(const struct nook_state *state, pid_t pid, enum nook_status status,
                        char **out, struct nook_error *err)
{
    struct nook_state shown = *state;
    shown.init_pid = pid;
    const struct nook_container_view view = { .state = &shown, .status = status };
    return nook_runc_state_json(&view, out, err);
}

int nook_hooks_run_state(const struct nook_spec *spec, enum nook_hook_point point,
                         const struct nook_state *state, pid_t pid, enum nook_status status,
                         struct nook_error *err)
{
    if (!nook_hooks_for(spec, point))
        return 0;
    _cleanup_free_ char *json = NULL;
    int r = render_state(state, pid, status, &json, err);
    if (r < 0)
        return r;
    /* As runc, hooks run from the bundle directory. */
    return nook_hooks_run(spec, point, json, state->bundle, err);
}

int nook_hooks_create_runtime(const struct nook_spec *spec, const struct nook_state *state,
                              pid_t pid, int sync_fd, struct nook_error *err)
{
    int r = nook_hooks_run_state(spec, NOOK_HOOK_PRESTART, state, pid, NOOK_STATUS_CREATING, err);
    if (r == 0)
        r = nook_hooks_run_state(spec, NOOK_HOOK_CREATE_RUNTIME, state, pid, NOOK_STATUS_CREATING,
                                 err);
    if (r < 0)
        return r;
    if (nook_sync_send(sync_fd, NOOK_SYNC_CONTINUE, 0, NULL) < 0)
        return nook_error_set(err, EPIPE, "the container's init exited during setup");
    return 0;
}

pid_t nook_hooks_host_pid(void)
{
    char link[32];
    ssize_t n = readlink("/proc/self", link, sizeof(link) - 1);
    if (n <= 0)
        return 0;
    link[n] = '\0';
    return (pid_t)strtol(link, NULL, 10);
}

int nook_hooks_init_create(const struct nook_init_ctx *ctx, struct nook_error *err)
{
    if (!ctx->hooks_state)
        return 0;
    if (nook_hooks_for(ctx->spec, NOOK_HOOK_PRESTART) ||
        nook_hooks_for(ctx->spec, NOOK_HOOK_CREATE_RUNTIME)) {
        if (nook_sync_send(ctx->sync_fd, NOOK_SYNC_HOOKS_CREATE_RUNTIME, 0, NULL) < 0)
            return nook_error_set(err, EPIPE, "ask for the createRuntime hooks: the parent is gone");
        int r = nook_sync_expect(ctx->sync_fd, NOOK_SYNC_CONTINUE, err);
        if (r < 0)
            return r;
    }
    /* Run in the container's namespaces, these hooks get the pid "as seen
     * by the container" (runtime-spec, State): the init's own. */
    return nook_hooks_run_state(ctx->spec, NOOK_HOOK_CREATE_CONTAINER, ctx->hooks_state,
                                getpid(), NOOK_STATUS_CREATING, err);
}

int nook_hooks_init_start(const struct nook_init_ctx *ctx, struct nook_error *err)
{
    if (!ctx->hooks_state || !nook_hooks_for(ctx->spec, NOOK_HOOK_START_CONTAINER))
        return 0;
    _cleanup_free_ char *json = NULL;
    int r = render_state(ctx->hooks_state, getpid(), NOOK_STATUS_CREATED, &json, err);
    if (r < 0)
        return r;
    /* In the container now: its paths, its working directory. */
    return nook_hooks_run(ctx->spec, NOOK_HOOK_START_CONTAINER, json, NULL, err);
}

/* The hooks that run once create is over come from the copy of
 * config.json create kept in the container's directory: the bundle may be
 * changed or gone by then (runc keeps its config in its state for the
 * same reason). */
#define KEPT_CONFIG "config.json"

int nook_hooks_keep_config(const struct nook_spec *spec, const char *bundle, int dir_fd,
                           struct nook_error *err)
{
    if (!nook_hooks_for(spec, NOOK_HOOK_POSTSTART) && !nook_hooks_for(spec, NOOK_HOOK_POSTSTOP))
        return 0;
    _cleanup_free_ char *path = NULL;
    if (asprintf(&path, "%s/config.json", bundle) < 0)
        return nook_error_set(err, ENOMEM, "out of memory");
    _cleanup_close_ int in = open(path, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return nook_error_set_errno(err, errno, "keep the hooks: open \"%s\"", path);
    _cleanup_close_ int out = openat(dir_fd, KEPT_CONFIG, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (out < 0)
        return nook_error_set_errno(err, errno, "keep the hooks: create " KEPT_CONFIG);
    char buf[65536];
    for (;;) {
        ssize_t n = read(in, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return nook_error_set_errno(err, errno, "keep the hooks: read \"%s\"", path);
        if (n == 0)
            return 0;
        for (ssize_t done = 0; done < n;) {
            ssize_t w = write(out, buf + done, (size_t)(n - done));
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0)
                return nook_error_set_errno(err, errno, "keep the hooks: write " KEPT_CONFIG);
            done += w;
        }
    }
}

/* The kept config of the container in dir_path; NULL when none was kept
 * (it has no poststart or poststop hooks). */
static int load_kept_config(const char *dir_path, struct nook_spec **spec, struct nook_error *err)
{
    *spec = NULL;
    _cleanup_free_ char *path = NULL;
    if (asprintf(&path, "%s/" KEPT_CONFIG, dir_path) < 0)
        return nook_error_set(err, ENOMEM, "out of memory");
    if (access(path, F_OK) < 0 && errno == ENOENT)
        return 0;
    return nook_spec_load(dir_path, spec, err);
}

int nook_hooks_poststart(const char *root, const char *id, struct nook_error *err)
{
    _cleanup_container_dir_ struct nook_container_dir *dir = NULL;
    _cleanup_(nook_state_clear) struct nook_state state = { 0 };
    _cleanup_(nook_spec_freep) struct nook_spec *spec = NULL;
    int r = nook_container_dir_open(root, id, NOOK_LOCK_NONE, 0, &dir, err);
    if (r == 0)
        r = load_kept_config(dir->path, &spec, err);
    if (r == 0 && spec)
        r = nook_state_load(dir, &state, err);
    if (r < 0)
        return nook_error_prefix(err, "poststart hooks");
    if (!spec)
        return 0;
    return nook_hooks_run_state(spec, NOOK_HOOK_POSTSTART, &state, state.init_pid,
                                NOOK_STATUS_RUNNING, err);
}

int nook_hooks_poststop(const char *dir_path, const struct nook_state *state, struct nook_error *err)
{
    _cleanup_(nook_spec_freep) struct nook_spec *spec = NULL;
    int r = load_kept_config(dir_path, &spec, err);
    if (r < 0)
        return nook_error_prefix(err, "poststop hooks");
    if (!spec)
        return 0;
    return nook_hooks_run_state(spec, NOOK_HOOK_POSTSTOP, state, 0, NOOK_STATUS_STOPPED, err);
}
