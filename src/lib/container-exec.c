/* container-exec.c: `exec` from the host's side: check that the container
 * can take a process, build that process from the container's (or a
 * process.json), and start it inside the container through the init core.
 *
 * Joining: the caller owns the container's user namespace, which gives it
 * every capability inside, but setns() of a pid namespace also wants
 * CAP_SYS_ADMIN where the caller stands, which a rootless caller lacks on
 * the host. So a short-lived joining child enters all the namespaces the
 * container does not share with the host in one setns() on the init's
 * pidfd (the user namespace first, by the kernel's order, which grants the
 * rest), and then clones the real process with CLONE_PARENT: it is born in
 * the container's pid namespace, a child of `nook exec` itself, and runs
 * the init core in exec mode.
 *
 * cgroup: when the container has one, the joining child is cloned straight
 * into it (or into the --cgroup sub-cgroup) with CLONE_INTO_CGROUP, so the
 * process it clones is born there too. Where the kernel refuses that, and
 * for a paused container (a child cloned into a frozen cgroup would freeze
 * before it could report), the process is moved in once it is set up: it
 * has then started its program already, so there is a short window in
 * which it runs (and may fork) outside the cgroup; closing it needs the
 * init core to wait for a word from here after READY in exec mode. */
#include <dirent.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "cgroup.h"
#include "container-cgroup.h"
#include "container.h"
#include "init/init.h"
#include "init/sync.h"
#include "proc.h"
#include "seccomp-filter.h"
#include "seccomp-notify.h"
#include "spec.h"
#include "state.h"
#include "terminal.h"

/* The namespaces exec joins when the container has its own. Time is left
 * out, as create does not make one. */
static const enum nook_ns_type joinable[] = {
    NOOK_NS_USER, NOOK_NS_MOUNT, NOOK_NS_PID, NOOK_NS_IPC,
    NOOK_NS_UTS, NOOK_NS_NETWORK, NOOK_NS_CGROUP,
};

/* The name of a namespace under /proc/PID/ns/. */
static const char *ns_proc_name(enum nook_ns_type type)
{
    if (type == NOOK_NS_MOUNT)
        return "mnt";
    if (type == NOOK_NS_NETWORK)
        return "net";
    return nook_ns_type_name(type);
}

/* Everything exec holds while it works; released by exec_cleanup(). */
struct exec_run {
    const struct nook_exec_opts *opts;
    struct nook_container_dir *dir;
    struct nook_state state;
    enum nook_status status;
    struct nook_spec *spec;
    struct nook_cgroup cgroup;
    int cgroup_fd;             /* where the process goes, or -1: nowhere */
    bool move_after_ready;     /* not placed at clone time: move it once set up */
    int init_pidfd;
    int init_root;             /* O_PATH of the init's root directory, from the host's /proc */
    int join_flags;            /* CLONE_NEW* of the namespaces to join */
    bool join_user;
    /* The merged process: a shallow copy of the container's, whose
     * changed arrays are these (owned; their strings are borrowed). */
    struct nook_spec_process process;
    struct nook_spec_capabilities caps;
    char **env;
    uint32_t *gids;
    char **cap_sets[4];
    int sync_fds[2];
    int console_socket;        /* connected --console-socket, or -1 */
    int console_fd;            /* the pty master kept to relay, or -1 */
    pid_t joiner;
    pid_t pid;
    int pidfd;
    struct nook_seccomp_program seccomp; /* the container's filter; length 0: none */
};

static void log_to(const struct nook_exec_opts *opts, int level, const char *message)
{
    if (opts->log)
        opts->log(opts->log_data, level, message);
}

static int check_status(struct exec_run *run, struct nook_error *err)
{
    const struct nook_exec_opts *opts = run->opts;
    int r = nook_container_dir_open(opts->root, opts->id, NOOK_LOCK_NONE, 0, &run->dir, err);
    if (r < 0)
        return r;
    r = nook_state_load(run->dir, &run->state, err);
    if (r == -ENOENT)
        return nook_error_set(err, ENOENT, "container \"%s\" does not exist", opts->id);
    if (r < 0)
        return r;
    r = nook_container_status(run->dir, &run->state, &run->status, err);
    if (r < 0)
        return r;
    enum nook_status status = run->status;
    if (status == NOOK_STATUS_STOPPED)
        return nook_error_set(err, EINVAL, "cannot exec in a stopped container");
    if (status == NOOK_STATUS_PAUSED && !opts->ignore_paused)
        return nook_error_set(err, EINVAL, "cannot exec in a paused container");
    if (status == NOOK_STATUS_CREATING)
        return nook_error_set(err, EBUSY, "cannot exec in a container that is still being created");
    if (nook_proc_open_pidfd(run->state.init_pid, run->state.init_start_time, &run->init_pidfd) < 0)
        return nook_error_set(err, EINVAL, "cannot exec in a stopped container");
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/root", (int)run->state.init_pid);
    run->init_root = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (run->init_root < 0)
        return nook_error_set_errno(err, errno, "open %s (the container's root)", path);
    /* The pid may have been reused between the pidfd and the open. */
    if (nook_pidfd_send_signal(run->init_pidfd, 0) < 0)
        return nook_error_set(err, EINVAL, "cannot exec in a stopped container");
    return 0;
}

/* The cgroup the process is to run in: the container's, or --cgroup's
 * sub-cgroup of it, which must exist (as runc's). */
static int open_cgroup(struct exec_run *run, struct nook_error *err)
{
    const struct nook_exec_opts *opts = run->opts;
    int r = nook_cgroup_from_state(&run->state, &run->cgroup, err);
    if (r < 0)
        return r;
    if (run->cgroup.manager == NOOK_CGROUP_MANAGER_NONE) {
        if (!opts->cgroup)
            return 0;
        r = nook_container_no_cgroup_error(opts->id, "run a process in a sub-cgroup of it", err);
        return nook_error_prefix(err, "--cgroup %s", opts->cgroup);
    }
    r = nook_cgroup_open(&run->cgroup, opts->cgroup, &run->cgroup_fd, err);
    if (r < 0 && opts->cgroup)
        return nook_error_prefix(err, "--cgroup %s", opts->cgroup);
    if (r < 0)
        return nook_error_prefix(err, "open the cgroup of container \"%s\"", opts->id);
    run->move_after_ready = run->status == NOOK_STATUS_PAUSED;
    return 0;
}

/* Move the process, set up and about to execve, into its cgroup. */
static int move_into_cgroup(struct exec_run *run, struct nook_error *err)
{
    const struct nook_exec_opts *opts = run->opts;
    _cleanup_close_ int procs = openat(run->cgroup_fd, "cgroup.procs", O_WRONLY | O_CLOEXEC);
    char text[32];
    int len = snprintf(text, sizeof(text), "%d", (int)run->pid);
    int saved = 0;
    if (procs < 0) {
        saved = errno;
    } else {
        ssize_t n = write(procs, text, (size_t)len);
        if (n != len)
            saved = n < 0 ? errno : EIO;
    }
    if (!saved)
        return 0;
    if (opts->cgroup)
        return nook_error_set_errno(err, saved, "--cgroup %s: move process %d into it", opts->cgroup,
                                    (int)run->pid);
    /* The container's own cgroup: the process still runs, and says so
     * (its limits do not cover it) rather than failing the exec. */
    char warning[NOOK_ERROR_MAX];
    snprintf(warning, sizeof(warning),
             "the process runs outside the cgroup of container \"%s\", so its limits do not "
             "apply to it: move process %d into %s: %s",
             opts->id, (int)run->pid, str_or(run->cgroup.path, "the cgroup"), strerror(saved));
    log_to(opts, NOOK_SYNC_LEVEL_WARNING, warning);
    return 0;
}

/* Join exactly the namespaces the init does not share with nook: joining
 * one of the host's again would need privilege on the host. */
static int find_namespaces(struct exec_run *run, struct nook_error *err)
{
    for (size_t i = 0; i < N_ELEMENTS(joinable); i++) {
        char path[64];
        struct stat init_ns, own_ns;
        snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)run->state.init_pid,
                 ns_proc_name(joinable[i]));
        if (stat(path, &init_ns) < 0) {
            if (errno == ENOENT && joinable[i] == NOOK_NS_CGROUP)
                continue;
            return nook_error_set_errno(err, errno, "stat %s", path);
        }
        snprintf(path, sizeof(path), "/proc/self/ns/%s", ns_proc_name(joinable[i]));
        if (stat(path, &own_ns) < 0)
            return nook_error_set_errno(err, errno, "stat %s", path);
        if (init_ns.st_ino == own_ns.st_ino && init_ns.st_dev == own_ns.st_dev)
            continue;
        run->join_flags |= nook_ns_clone_flag(joinable[i]);
        if (joinable[i] == NOOK_NS_USER)
            run->join_user = true;
    }
    return 0;
}

static size_t strv_length(char *const *v)
{
    size_t n = 0;
    while (v && v[n])
        n++;
    return n;
}

/* base with each of overrides replacing the entry of the same name or
 * appended; the strings are borrowed. */
static char **merge_env(char *const *base, char *const *overrides)
{
    size_t nb = strv_length(base), no = strv_length(overrides), n = 0;
    char **out = calloc(nb + no + 1, sizeof(*out));
    if (!out)
        return NULL;
    for (size_t i = 0; i < nb; i++)
        out[n++] = base[i];
    for (size_t i = 0; i < no; i++) {
        const char *eq = strchr(overrides[i], '=');
        size_t key = eq ? (size_t)(eq - overrides[i]) : strlen(overrides[i]);
        size_t j;
        for (j = 0; j < n; j++)
            if (strncmp(out[j], overrides[i], key) == 0 && out[j][key] == '=')
                break;
        out[j] = overrides[i];
        if (j == n)
            n++;
    }
    return out;
}

static char **append_strv(char *const *base, char *const *extra)
{
    size_t nb = strv_length(base), ne = strv_length(extra);
    char **out = calloc(nb + ne + 1, sizeof(*out));
    if (!out)
        return NULL;
    memcpy(out, base, nb * sizeof(*out));
    memcpy(out + nb, extra, ne * sizeof(*out));
    return out;
}

/* The container's process changed as runc's exec flags change it. */
static int merge_process(struct exec_run *run, struct nook_error *err)
{
    const struct nook_exec_overrides *o = run->opts->overrides;
    run->process = *run->spec->process;
    struct nook_spec_process *p = &run->process;
    p->args = (char **)o->args;
    p->terminal = o->tty;
    if (o->cwd)
        p->cwd = (char *)o->cwd;
    run->env = merge_env(p->env, o->env);
    if (!run->env)
        return nook_error_set(err, ENOMEM, "out of memory");
    p->env = run->env;
    if (o->has_user) {
        p->user.uid = o->uid;
        if (o->has_gid)
            p->user.gid = o->gid;
    }
    if (o->n_additional_gids) {
        size_t n = p->user.n_additional_gids;
        run->gids = calloc(n + o->n_additional_gids, sizeof(*run->gids));
        if (!run->gids)
            return nook_error_set(err, ENOMEM, "out of memory");
        if (n) /* memcpy from NULL is undefined even for 0 bytes */
            memcpy(run->gids, p->user.additional_gids, n * sizeof(*run->gids));
        memcpy(run->gids + n, o->additional_gids, o->n_additional_gids * sizeof(*run->gids));
        p->user.additional_gids = run->gids;
        p->user.n_additional_gids = n + o->n_additional_gids;
    }
    if (strv_length(o->caps)) {
        if (p->capabilities)
            run->caps = *p->capabilities;
        char ***sets[] = { &run->caps.bounding, &run->caps.effective, &run->caps.permitted,
                           &run->caps.ambient };
        /* Ambient capabilities need inheritable ones; as runc, add to
         * ambient only when the container has an inheritable set. */
        size_t n_sets = run->caps.inheritable ? 4 : 3;
        for (size_t i = 0; i < n_sets; i++) {
            run->cap_sets[i] = append_strv(*sets[i], o->caps);
            if (!run->cap_sets[i])
                return nook_error_set(err, ENOMEM, "out of memory");
            *sets[i] = run->cap_sets[i];
        }
        p->capabilities = &run->caps;
    }
    if (o->no_new_privs)
        p->no_new_privileges = true;
    return 0;
}

static int load_process(struct exec_run *run, struct nook_error *err)
{
    int r = nook_spec_load(run->state.bundle, &run->spec, err);
    if (r < 0)
        return nook_error_prefix(err, "read the container's config");
    if (run->opts->process) {
        run->process = *run->opts->process;
        return 0;
    }
    if (!run->spec->process)
        return nook_error_set(err, EINVAL, "the container's config.json has no process to start from; "
                              "use --process");
    if (!run->opts->overrides || strv_length(run->opts->overrides->args) == 0)
        return nook_error_set(err, EINVAL, "no command to run; give one after the container id, or --process");
    return merge_process(run, err);
}

/* cgroup_fd >= 0: the child is born in that cgroup. */
static pid_t clone3_child(uint64_t flags, int *pidfd, int cgroup_fd)
{
    struct clone_args args = {
        .flags = flags | (pidfd ? CLONE_PIDFD : 0) | (cgroup_fd >= 0 ? CLONE_INTO_CGROUP : 0),
        .pidfd = (uint64_t)(uintptr_t)pidfd,
        /* With CLONE_PARENT the kernel refuses one: the child signals
         * its new parent as the caller would, with SIGCHLD. */
        .exit_signal = (flags & CLONE_PARENT) ? 0 : SIGCHLD,
        .cgroup = cgroup_fd >= 0 ? (uint64_t)cgroup_fd : 0,
    };
    return (pid_t)syscall(SYS_clone3, &args, sizeof(args));
}

/* The joining child: enter the container, start the process, report its
 * pid, go. Never returns. */
_Noreturn static void joiner_main(const struct exec_run *run, const struct nook_init_ctx *ctx)
{
    int fd = ctx->sync_fd;
    /* Inside the container's namespaces its processes could reach this
     * one's /proc/PID/exe, nook's own binary, and rewrite it (the
     * CVE-2019-5736 class); non-dumpable, that link and the rest of
     * /proc/PID belong to the host's root. The process's execve makes it
     * dumpable again. Its own /proc is written before that: oomScoreAdj. */
    const struct nook_spec_process *p = ctx->process;
    if (p->oom_score_adj.set) {
        char value[16];
        int n = snprintf(value, sizeof(value), "%d", p->oom_score_adj.value);
        int oom = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
        if (oom >= 0) {
            (void)!write(oom, value, (size_t)n);
            close(oom);
        }
    }
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
        (void)nook_sync_send(fd, NOOK_SYNC_ERROR, errno, "prctl(PR_SET_DUMPABLE, 0)");
        _exit(1);
    }
    if (run->join_flags && setns(run->init_pidfd, run->join_flags) < 0) {
        char text[NOOK_ERROR_MAX];
        int saved = errno;
        snprintf(text, sizeof(text), "join the namespaces of the container's init (0x%x): %s",
                 run->join_flags, strerror(saved));
        (void)nook_sync_send(fd, NOOK_SYNC_ERROR, saved, text);
        _exit(1);
    }
    /* Joining the mount namespace puts the process at that namespace's
     * root, which is the container's only after pivot_root: with
     * --no-pivot the init chroot()ed, so take its root for certain. */
    if (fchdir(run->init_root) < 0 || chroot(".") < 0 || chdir("/") < 0) {
        char text[NOOK_ERROR_MAX];
        int saved = errno;
        snprintf(text, sizeof(text), "enter the container's root directory: %s", strerror(saved));
        (void)nook_sync_send(fd, NOOK_SYNC_ERROR, saved, text);
        _exit(1);
    }
    pid_t pid = clone3_child(CLONE_PARENT, NULL, -1);
    if (pid < 0) {
        char text[NOOK_ERROR_MAX];
        int saved = errno;
        snprintf(text, sizeof(text), "clone the process inside the container: %s", strerror(saved));
        (void)nook_sync_send(fd, NOOK_SYNC_ERROR, saved, text);
        _exit(1);
    }
    if (pid == 0)
        nook_init_main(ctx);
    (void)nook_sync_send(fd, NOOK_SYNC_EXEC_PID, (int)pid, NULL);
    _exit(0);
}

/* runc's rules: a terminal needs someone to hold its master (nook in the
 * foreground, or a console socket), and a console socket a terminal. */
static int check_terminal(struct exec_run *run, struct nook_error *err)
{
    const struct nook_exec_opts *opts = run->opts;
    bool terminal = run->process.terminal;
    if (terminal && !opts->relay_terminal && !opts->console_socket)
        return nook_error_set(err, EINVAL, "cannot allocate a terminal when nook exec detaches "
                              "without --console-socket");
    if (opts->console_socket && (opts->relay_terminal || !terminal))
        return nook_error_set(err, EINVAL, "--console-socket: only for a terminal (--tty, or "
                              "\"terminal\": true in --process) with --detach");
    if (opts->console_socket)
        return nook_terminal_connect(opts->console_socket, &run->console_socket, err);
    return 0;
}

/* The pty master from the child: on to the console socket, or kept. */
static int take_console(struct exec_run *run, int master, struct nook_error *err)
{
    return nook_terminal_take_master(run->console_socket, master, &run->console_fd, err);
}

/* Read what the joiner and the process send (in either order: the
 * process may be READY before the joiner has reported its pid) until the
 * process is READY, or, after an error, until both are gone, so that the
 * failed process can be reaped. */
static int supervise(struct exec_run *run, struct nook_error *err)
{
    bool ready = false, failed = false;
    while (!(ready && run->pid > 0)) {
        struct nook_sync_msg msg;
        _cleanup_close_ int passed_fd = -1;
        int r = nook_sync_recv_fd(run->sync_fds[0], &msg, &passed_fd);
        if (r == -EPIPE && failed)
            return -err->errnum;
        if (r == -EPIPE)
            return nook_proc_reap_silent_child(&run->pid,
                                               "the process exited while it was being set up", err);
        if (r < 0)
            return nook_error_set_errno(err, -r, "read from the setup socket");
        switch (msg.type) {
        case NOOK_SYNC_EXEC_PID:
            run->pid = (pid_t)msg.errnum;
            run->pidfd = (int)syscall(SYS_pidfd_open, run->pid, 0);
            if (run->pidfd < 0)
                return nook_error_set_errno(err, errno, "pidfd_open %d", (int)run->pid);
            break;
        case NOOK_SYNC_LOG:
            log_to(run->opts, msg.errnum, msg.text);
            break;
        case NOOK_SYNC_ERROR:
            if (!failed)
                nook_error_set(err, msg.errnum > 0 ? msg.errnum : EIO, "%s", msg.text);
            failed = true;
            break;
        case NOOK_SYNC_CONSOLE:
            r = failed ? 0 : take_console(run, passed_fd, err);
            if (r < 0)
                failed = true;
            break;
        case NOOK_SYNC_SECCOMP_LISTENER:
            r = failed ? 0
                       : nook_seccomp_send_listener(run->spec->linux_config->seccomp, &run->state,
                                                    NOOK_STATUS_RUNNING, run->pid, passed_fd, err);
            if (r < 0)
                failed = true;
            break;
        case NOOK_SYNC_READY:
            ready = true;
            break;
        default:
            return nook_error_set(err, EPROTO, "setup socket: unexpected message %u", msg.type);
        }
    }
    return 0;
}

static int spawn(struct exec_run *run, struct nook_error *err)
{
    int r = nook_sync_pair(run->sync_fds, err);
    if (r < 0)
        return r;
    struct nook_init_ctx ctx = {
        .spec = run->spec,
        .id = run->opts->id,
        .process = &run->process,
        .rootfs = run->state.rootfs,
        .bundle = run->state.bundle,
        .rootless = run->opts->rootless,
        .userns = run->join_user,
        .sync_fd = run->sync_fds[1],
        .fifo_fd = -1,
        .proc_fd_dir = -1,
        .network_ready_fd = -1,
        .preserve_fds = run->opts->preserve_fds,
        .exec = true,
        .seccomp = run->seccomp.length ? &run->seccomp : NULL,
    };
    for (int i = 0; i < NOOK_NS_COUNT; i++)
        ctx.ns_fds[i] = -1;

    run->joiner = -1;
    if (run->cgroup_fd >= 0 && !run->move_after_ready) {
        run->joiner = clone3_child(0, NULL, run->cgroup_fd);
        /* An older kernel (E2BIG, EINVAL), or one that will not place a
         * child there from here (EACCES, EPERM, ENOENT, EBUSY,
         * EOPNOTSUPP): clone plainly and move the process later. Any
         * other failure (EAGAIN: the cgroup's pids.max) is the cgroup
         * saying no, which a move would get round. */
        if (run->joiner < 0) {
            int e = errno;
            if (e != E2BIG && e != EINVAL && e != EACCES && e != EPERM && e != ENOENT &&
                e != EBUSY && e != EOPNOTSUPP) {
                run->joiner = 0;
                return nook_error_set_errno(err, e, "clone a process into the cgroup of "
                                            "container \"%s\"", run->opts->id);
            }
            run->move_after_ready = true;
        }
    }
    if (run->joiner < 0)
        run->joiner = clone3_child(0, NULL, -1);
    if (run->joiner < 0) {
        run->joiner = 0;
        return nook_error_set_errno(err, errno, "clone a process to join the container");
    }
    if (run->joiner == 0) {
        close(run->sync_fds[0]);
        joiner_main(run, &ctx);
    }
    closep(&run->sync_fds[1]);
    run->sync_fds[1] = -1;
    r = supervise(run, err);
    /* The joiner exits as soon as it has reported; reap it here, not in
     * the wait for the process. */
    while (waitpid(run->joiner, NULL, 0) < 0 && errno == EINTR)
        ;
    run->joiner = 0;
    if (r == 0 && run->cgroup_fd >= 0 && run->move_after_ready)
        r = move_into_cgroup(run, err);
    return r;
}

static void exec_cleanup(struct exec_run *run, bool failed)
{
    if (run->joiner > 0) {
        kill(run->joiner, SIGKILL);
        while (waitpid(run->joiner, NULL, 0) < 0 && errno == EINTR)
            ;
    }
    if (failed && run->pid > 0) {
        if (run->pidfd >= 0)
            (void)nook_pidfd_send_signal(run->pidfd, SIGKILL);
        while (waitpid(run->pid, NULL, 0) < 0 && errno == EINTR)
            ;
    }
    if (failed)
        closep(&run->pidfd);
    closep(&run->console_fd);
    closep(&run->console_socket);
    closep(&run->init_pidfd);
    closep(&run->init_root);
    closep(&run->cgroup_fd);
    nook_cgroup_clear(&run->cgroup);
    closep(&run->sync_fds[0]);
    closep(&run->sync_fds[1]);
    if (run->dir)
        nook_container_dir_free(run->dir);
    nook_state_clear(&run->state);
    nook_seccomp_program_clear(&run->seccomp);
    nook_spec_free(run->spec);
    free(run->env);
    free(run->gids);
    for (size_t i = 0; i < N_ELEMENTS(run->cap_sets); i++)
        free(run->cap_sets[i]);
}

static int exec_steps(struct exec_run *run, struct nook_error *err)
{
    int r = check_status(run, err);
    if (r == 0)
        r = load_process(run, err);
    if (r == 0)
        r = check_terminal(run, err);
    /* The container's own filter, as runc applies it to exec'd processes. */
    if (r == 0 && run->spec->linux_config && run->spec->linux_config->seccomp)
        r = nook_seccomp_compile(run->spec->linux_config->seccomp, &run->seccomp, err);
    if (r == 0)
        r = open_cgroup(run, err);
    if (r == 0)
        r = find_namespaces(run, err);
    if (r == 0)
        r = spawn(run, err);
    if (r == 0 && run->opts->pid_file)
        r = nook_pid_file_write(run->opts->pid_file, run->pid, err);
    return r;
}

int nook_container_exec(const struct nook_exec_opts *opts, struct nook_created *started,
                        struct nook_error *err)
{
    struct exec_run run = {
        .opts = opts,
        .init_pidfd = -1,
        .init_root = -1,
        .cgroup_fd = -1,
        .sync_fds = { -1, -1 },
        .console_socket = -1,
        .console_fd = -1,
        .pidfd = -1,
    };
    int r = exec_steps(&run, err);
    started->console_fd = -1;
    if (r == 0) {
        started->pid = run.pid;
        started->pidfd = steal_fd(&run.pidfd);
        started->console_fd = steal_fd(&run.console_fd);
    }
    exec_cleanup(&run, r < 0);
    return r;
}
