/* init.c: the child's side of container creation: wait for the id maps,
 * become root in the user namespace, join namespaces given by path, build
 * the filesystem, set up the system and the process, report READY, block
 * at the exec barrier until `nook start`, and execve. */
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>

#include "../hooks.h"
#include "init.h"
#include "../mount-idmap.h"
#include "overlay-mount.h"
#include "process.h"
#include "rootfs.h"
#include "sync.h"
#include "system.h"
#include "../slirp-tap.h"
#include "../terminal.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

extern char **environ;

void nook_init_log(const struct nook_init_ctx *ctx, int level, const char *fmt, ...)
{
    char text[NOOK_ERROR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    (void)nook_sync_send(ctx->sync_fd, NOOK_SYNC_LOG, level, text);
}

/* Join the namespaces config.json names by path, user first so that it
 * owns the rest. */
static int join_namespaces(const struct nook_init_ctx *ctx, struct nook_error *err)
{
    static const enum nook_ns_type order[] = {
        NOOK_NS_USER, NOOK_NS_PID, NOOK_NS_IPC,    NOOK_NS_UTS,
        NOOK_NS_NETWORK, NOOK_NS_CGROUP, NOOK_NS_TIME, NOOK_NS_MOUNT,
    };
    for (size_t i = 0; i < N_ELEMENTS(order); i++) {
        int fd = ctx->ns_fds[order[i]];
        if (fd < 0)
            continue;
        if (setns(fd, nook_ns_clone_flag(order[i])) < 0)
            return nook_error_set_errno(err, errno, "join the %s namespace",
                                        nook_ns_type_name(order[i]));
    }
    return 0;
}

static bool fd_needed(const struct nook_init_ctx *ctx, int fd)
{
    if (fd < 3 + (int)ctx->preserve_fds || fd == ctx->sync_fd || fd == ctx->fifo_fd ||
        fd == ctx->network_ready_fd)
        return true;
    for (int i = 0; i < NOOK_NS_COUNT; i++)
        if (fd == ctx->ns_fds[i])
            return true;
    for (size_t i = 0; ctx->idmapped_mounts && i < ctx->idmapped_mounts->count; i++)
        if (fd == ctx->idmapped_mounts->fds[i])
            return true;
    return false;
}

/* The child starts with copies of every fd of the parent: close those it
 * does not need now, before anything else. The container directory's lock
 * is one of them, and a copy kept here would hold it until the exec. */
static int close_inherited_fds(const struct nook_init_ctx *ctx, struct nook_error *err)
{
    _cleanup_closedir_ DIR *dir = opendir("/proc/self/fd");
    if (!dir)
        return nook_error_set_errno(err, errno, "open /proc/self/fd");
    int own = dirfd(dir);
    struct dirent *entry;
    while ((entry = readdir(dir))) {
        char *end = NULL;
        long fd = strtol(entry->d_name, &end, 10);
        if (!end || *end || entry->d_name[0] == '.' || fd == own || fd_needed(ctx, (int)fd))
            continue;
        close((int)fd);
    }
    return 0;
}

/* No fd of nook's but stdio and the preserved ones may reach the
 * container: mark everything else close-on-exec. The setup socket and the
 * fifo handles are O_CLOEXEC already. */
static int cloexec_the_rest(const struct nook_init_ctx *ctx, struct nook_error *err)
{
    unsigned first_closed = 3 + ctx->preserve_fds;
    if (syscall(SYS_close_range, first_closed, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
        return nook_error_set_errno(err, errno, "close_range");
    return 0;
}

/* `nook exec`: the joining child (container-exec.c) has put this process
 * in the container's namespaces and its root; what is left is the
 * process itself, by the same code as the container's first one. */
static int init_exec_setup(struct nook_init_ctx *ctx, char **exec_path, struct nook_error *err)
{
    if (ctx->userns) {
        if (setresgid(0, 0, 0) < 0)
            return nook_error_set_errno(err, errno, "setresgid 0 in the user namespace");
        if (setresuid(0, 0, 0) < 0)
            return nook_error_set_errno(err, errno, "setresuid 0 in the user namespace");
    }
    /* The container's /dev/console stays the first process's. */
    int r = ctx->process->terminal ? nook_terminal_setup_child(ctx->sync_fd, ctx->process, false, err) : 0;
    if (r >= 0)
        r = nook_process_resolve(ctx, exec_path, err);
    if (r >= 0)
        r = nook_process_setup(ctx, err);
    if (r >= 0)
        r = cloexec_the_rest(ctx, err);
    return r;
}

/* A new time namespace with linux.timeOffsets: offsets can be written
 * only before any process is in the namespace, so unshare it (which
 * affects only children), write them, then enter it with setns. */
static int enter_time_namespace(const struct nook_init_ctx *ctx, struct nook_error *err)
{
    const struct nook_spec_namespace *ns = nook_spec_find_namespace(ctx->spec, NOOK_NS_TIME);
    if (!ns || ns->path)
        return 0;
    if (unshare(CLONE_NEWTIME) < 0)
        return nook_error_set_errno(err, errno, "create the time namespace");
    const struct nook_spec_linux *lx = ctx->spec->linux_config;
    for (size_t i = 0; lx && i < lx->n_time_offsets; i++) {
        const struct nook_spec_time_offset *off = &lx->time_offsets[i];
        char line[96];
        int n = snprintf(line, sizeof(line), "%s %lld %u\n", off->clock, (long long)off->secs.value,
                         off->nanosecs.value);
        _cleanup_close_ int fd = open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write(fd, line, (size_t)n) != n)
            return nook_error_set_errno(err, errno ? errno : EIO,
                                        "config.json: .linux.timeOffsets.%s: write the offset", off->clock);
    }
    _cleanup_close_ int fd = open("/proc/self/ns/time_for_children", O_RDONLY | O_CLOEXEC);
    if (fd < 0 || setns(fd, CLONE_NEWTIME) < 0)
        return nook_error_set_errno(err, errno, "enter the time namespace");
    return 0;
}

/* The source of ctx->early_bind_mount, opened now, as create's user (who
 * owns the state directory it is in), for the mount to use later. A
 * failure is left to the mount, which reports it by the source's name. */
static void open_early_bind(struct nook_init_ctx *ctx)
{
    ctx->early_bind_fd = -1;
    if (ctx->early_bind_mount == 0 || ctx->early_bind_mount > ctx->spec->n_mounts)
        return;
    const char *source = ctx->spec->mounts[ctx->early_bind_mount - 1].source;
    if (source && source[0] == '/')
        ctx->early_bind_fd = open(source, O_PATH | O_NOFOLLOW | O_CLOEXEC);
}

/* slirp networking: the tap, made in the new network namespace as the
 * namespace's root, goes to create, which starts the helper on it. */
static int send_slirp_tap(const struct nook_init_ctx *ctx, struct nook_error *err)
{
    if (!ctx->slirp_tap)
        return 0;
    _cleanup_close_ int fd = nook_slirp_tap_create(ctx->slirp_tap_mtu, ctx->slirp_tap_ipv6, err);
    if (fd < 0)
        return nook_error_prefix(err, "network");
    int r = nook_sync_send_fd(ctx->sync_fd, NOOK_SYNC_TAP, fd, NULL);
    if (r < 0)
        return nook_error_set_errno(err, -r, "network: send the tap to nook");
    return 0;
}

/* How long `nook start` waits for the network helper's ready line. */
#define NETWORK_READY_TIMEOUT_MS 10000

/* Whether fd has something to read (or its end) within the time left
 * until deadline_ms: 1 yes, 0 not in time. A poll() the container's
 * seccomp profile refuses waits in read() instead: 1. */
static int network_readable(int fd, int64_t deadline_ms)
{
    for (;;) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        int64_t left = deadline_ms - ((int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000);
        if (left <= 0)
            return 0;
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        int n = poll(&pfd, 1, (int)left);
        if (n > 0 || (n < 0 && errno != EINTR))
            return 1;
    }
}

/* The helper's ready line, read at the exec barrier: "ok", or its
 * "error: ..." line, or nothing at all when it exited first. */
static int await_network(const struct nook_init_ctx *ctx, struct nook_error *err)
{
    if (ctx->network_ready_fd < 0)
        return 0;
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    int64_t deadline_ms = (int64_t)start.tv_sec * 1000 + start.tv_nsec / 1000000 + NETWORK_READY_TIMEOUT_MS;
    char line[NOOK_ERROR_MAX];
    size_t used = 0;
    while (used < sizeof(line) - 1 && !memchr(line, '\n', used)) {
        if (!network_readable(ctx->network_ready_fd, deadline_ms))
            return nook_error_set(err, ETIMEDOUT,
                                  "network: the helper nook-slirp did not set up the network within %d seconds",
                                  NETWORK_READY_TIMEOUT_MS / 1000);
        ssize_t n = read(ctx->network_ready_fd, line + used, sizeof(line) - 1 - used);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return nook_error_set_errno(err, errno, "network: read the helper's ready line");
        if (n == 0)
            break;
        used += (size_t)n;
    }
    line[used] = '\0';
    line[strcspn(line, "\n")] = '\0';
    if (strcmp(line, "ok") == 0)
        return 0;
    if (strncmp(line, "error: ", 7) == 0)
        return nook_error_set(err, EIO, "network: %s", line + 7);
    if (used == 0)
        return nook_error_set(err, ECHILD, "network: the helper nook-slirp exited before the network was up "
                              "(see network.log in the container's state directory)");
    return nook_error_set(err, EPROTO, "network: the helper nook-slirp wrote \"%s\" instead of its ready line",
                          line);
}

/* Everything after the fork whose failure is reported to the parent. */
static int init_setup(struct nook_init_ctx *ctx, char **exec_path, struct nook_error *err)
{
    /* Die with the parent while it still supervises the setup. */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
        return nook_error_set_errno(err, errno, "prctl(PR_SET_PDEATHSIG)");

    int r = close_inherited_fds(ctx, err);
    if (r < 0)
        return r;

    if (ctx->exec)
        return init_exec_setup(ctx, exec_path, err);

    /* The exec barrier reopens exec.fifo through this process's fd table;
     * keep a handle on it from the host's /proc, which stays reachable
     * after pivot_root hides the host's mounts. */
    ctx->proc_fd_dir = open("/proc/self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (ctx->proc_fd_dir < 0)
        return nook_error_set_errno(err, errno, "open /proc/self/fd");
    /* Hooks are told the host's pid, which only the host's /proc knows. */
    ctx->host_pid = nook_hooks_host_pid();

    r = nook_sync_expect(ctx->sync_fd, NOOK_SYNC_MAPS_WRITTEN, err);
    if (r < 0)
        return r;

    r = join_namespaces(ctx, err);
    if (r < 0)
        return r;
    /* Still as create's user, who owns the state directory. */
    r = nook_overlay_open_dirs(ctx, err);
    if (r < 0)
        return r;
    open_early_bind(ctx);

    if (ctx->userns) {
        /* Become the namespace's root, which the maps make the caller. */
        if (setresgid(0, 0, 0) < 0)
            return nook_error_set_errno(err, errno, "setresgid 0 in the user namespace");
        if (setresuid(0, 0, 0) < 0)
            return nook_error_set_errno(err, errno, "setresuid 0 in the user namespace");
    }
    if (ctx->unshare_cgroupns && unshare(CLONE_NEWCGROUP) < 0)
        return nook_error_set_errno(err, errno, "create the cgroup namespace");
    r = enter_time_namespace(ctx, err);
    if (r < 0)
        return r;
    r = send_slirp_tap(ctx, err);
    if (r < 0)
        return r;

    /* sysctl writes to /proc/sys before readonlyPaths make it read-only. */
    r = nook_rootfs_prepare(ctx, err);
    if (r < 0)
        return r;
    /* After pivot_root, so that /dev/ptmx is the container's devpts and
     * the pty's number is the one the container sees; before the
     * read-only paths and /dev remounts, which would refuse /dev/console. */
    if (ctx->process->terminal) {
        r = nook_terminal_setup_child(ctx->sync_fd, ctx->process, true, err);
        if (r < 0)
            return r;
    }
    r = nook_system_setup(ctx, err);
    if (r < 0)
        return r;
    r = nook_rootfs_finalize(ctx, err);
    if (r < 0)
        return r;
    r = nook_process_resolve(ctx, exec_path, err);
    if (r < 0)
        return r;
    r = nook_process_setup(ctx, err);
    if (r < 0)
        return r;

    return cloexec_the_rest(ctx, err);
}

/* Block until `nook start` opens exec.fifo for reading, then tell it we
 * are going. */
static int exec_barrier(const struct nook_init_ctx *ctx)
{
    if (ctx->fifo_fd < 0)
        return 0;
    char name[16];
    snprintf(name, sizeof(name), "%d", ctx->fifo_fd);
    int fd;
    do
        fd = openat(ctx->proc_fd_dir, name, O_WRONLY | O_CLOEXEC);
    while (fd < 0 && errno == EINTR);
    if (fd < 0)
        return -errno;
    /* `nook start` is waiting on the other end: a network that did not
     * come up or a failing startContainer hook reaches it over the fifo,
     * and the process is not run. */
    struct nook_error start_err = { 0 };
    if (await_network(ctx, &start_err) < 0 || nook_hooks_init_start(ctx, &start_err) < 0) {
        char reason[NOOK_ERROR_MAX];
        int len = snprintf(reason, sizeof(reason), "%c%s", NOOK_HOOKS_BARRIER_FAILED, start_err.message);
        (void)!write(fd, reason, (size_t)len < sizeof(reason) ? (size_t)len : sizeof(reason) - 1);
        _exit(1);
    }
    ssize_t n;
    do
        n = write(fd, "0", 1);
    while (n < 0 && errno == EINTR);
    int saved = errno;
    close(fd);
    return n == 1 ? 0 : -(n < 0 ? saved : EIO);
}

_Noreturn void nook_init_main(const struct nook_init_ctx *parent_ctx)
{
    /* The parent blocks signals to forward them; the container must not
     * inherit that mask. */
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);

    struct nook_init_ctx ctx = *parent_ctx;
    struct nook_error err = { 0 };
    _cleanup_free_ char *exec_path = NULL;
    if (init_setup(&ctx, &exec_path, &err) < 0) {
        (void)nook_sync_send(ctx.sync_fd, NOOK_SYNC_ERROR, err.errnum, err.message);
        _exit(1);
    }
    char **envp = nook_process_environ(&ctx);
    if (!envp) {
        (void)nook_sync_send(ctx.sync_fd, NOOK_SYNC_ERROR, ENOMEM, "build the environment: out of memory");
        _exit(1);
    }

    /* From here the container outlives the parent of `create`. */
    if (prctl(PR_SET_PDEATHSIG, 0) < 0 ||
        nook_sync_send(ctx.sync_fd, NOOK_SYNC_READY, 0, NULL) < 0)
        _exit(1);
    close(ctx.sync_fd);

    int r = exec_barrier(&ctx);
    if (r < 0) {
        fprintf(stderr, "nook: exec barrier: %s\n", strerror(-r));
        _exit(127);
    }
    execve(exec_path, ctx.process->args, envp);
    fprintf(stderr, "nook: exec \"%s\": %s\n", exec_path, strerror(errno));
    _exit(127);
}
