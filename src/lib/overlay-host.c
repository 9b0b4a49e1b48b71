/* overlay-host.c: create's part in overlays (overlay.h): the upper and
 * work directories in the state directory, and fuse-overlayfs.
 *
 * The daemon is forked by create, not by the init: it stays out of the
 * container's pid namespace and cgroup, where the container could see or
 * kill it and where its memory would be charged to the container. It
 * serves a FUSE connection the init mounted in the container's user
 * namespace, so the kernel reads the ids it reports as the container's:
 *   - unprivileged, it joins that user namespace as its root and reports
 *     what it sees there, with no mapping options (it could not chown to
 *     the subordinate ids from outside anyway);
 *   - as root, it stays the host's root (which reaches a state directory
 *     closed to the container's root) and -o uidmapping/gidmapping turn
 *     host ids into the container's.
 * It is recorded as a helper (helper-procs.h), which delete and a failed
 * create stop; it also ends by itself when the container's mount
 * namespace goes, taking the FUSE connection with it. */
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <grp.h>

#include "helper-procs.h"
#include "init/sync.h"
#include "overlay.h"
#include "state.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* The daemon's own fd for its FUSE connection: "/dev/fd/3". */
#define DAEMON_FUSE_FD 3

extern char **environ;

int nook_overlay_prepare(struct nook_overlay_plan *plan, int dir_fd, const char *dir_path,
                         uid_t root_uid, gid_t root_gid, struct nook_error *err)
{
    if (mkdirat(dir_fd, NOOK_OVERLAY_DIR, 0700) < 0 && errno != EEXIST)
        return nook_error_set_errno(err, errno, "create %s/" NOOK_OVERLAY_DIR, dir_path);
    if (!plan->root)
        return 0;
    _cleanup_close_ int ov = openat(dir_fd, NOOK_OVERLAY_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (ov < 0)
        return nook_error_set_errno(err, errno, "open %s/" NOOK_OVERLAY_DIR, dir_path);
    /* The overlay's root takes the upper directory's mode: root.path's. */
    struct stat lower;
    if (stat(plan->root_layers.lower[0], &lower) < 0)
        return nook_error_set_errno(err, errno, "rootfs \"%s\"", plan->root_layers.lower[0]);
    static const char *const names[] = { "upper", "work" };
    mode_t modes[] = { lower.st_mode & 07777, 0700 };
    char **paths[] = { &plan->root_layers.upper, &plan->root_layers.work };
    for (size_t i = 0; i < N_ELEMENTS(names); i++) {
        if (mkdirat(ov, names[i], 0700) < 0 || fchmodat(ov, names[i], modes[i], 0) < 0)
            return nook_error_set_errno(err, errno, "create %s/" NOOK_OVERLAY_DIR "/%s", dir_path, names[i]);
        /* Root's containers with a user namespace have a root of their
         * own on the host, which must own what it writes through. */
        if (geteuid() == 0 && fchownat(ov, names[i], root_uid, root_gid, AT_SYMLINK_NOFOLLOW) < 0)
            return nook_error_set_errno(err, errno, "chown %s/" NOOK_OVERLAY_DIR "/%s", dir_path, names[i]);
        if (asprintf(paths[i], "%s/" NOOK_OVERLAY_DIR "/%s", dir_path, names[i]) < 0) {
            *paths[i] = NULL;
            return nook_error_set(err, ENOMEM, "out of memory");
        }
    }
    return 0;
}

static int read_small_file(const char *path, char *buf, size_t size)
{
    _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    size_t used = 0;
    for (;;) {
        ssize_t n = read(fd, buf + used, size - 1 - used);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        if (n == 0 || (used += (size_t)n) == size - 1)
            break;
    }
    buf[used] = '\0';
    return (int)used;
}

/* The init's id maps as /proc shows them. */
static int read_init_maps(pid_t pid, char *uid_text, char *gid_text, size_t size,
                          struct nook_error *err)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)pid);
    int r = read_small_file(path, uid_text, size);
    if (r >= 0) {
        snprintf(path, sizeof(path), "/proc/%d/gid_map", (int)pid);
        r = read_small_file(path, gid_text, size);
    }
    return r < 0 ? nook_error_set_errno(err, -r, "read %s", path) : 0;
}

static int write_file_at(int dir_fd, const char *name, const char *text, struct nook_error *err)
{
    _cleanup_close_ int fd = openat(dir_fd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    size_t len = strlen(text);
    if (fd < 0 || write(fd, text, len) != (ssize_t)len)
        return nook_error_set_errno(err, errno ? errno : EIO, "write " NOOK_OVERLAY_DIR "/%s", name);
    return 0;
}

/* The container's id maps, for delete: the upper layer holds files of the
 * container's other users, which only a user namespace with the same maps
 * may remove or copy. */
static int record_maps(const struct nook_overlay_event *ev, bool userns, struct nook_error *err)
{
    if (!userns || ev->privileged)
        return 0;
    char uid_text[4096], gid_text[4096];
    int r = read_init_maps(ev->init_pid, uid_text, gid_text, sizeof(uid_text), err);
    if (r < 0)
        return r;
    _cleanup_close_ int ov = openat(ev->dir_fd, NOOK_OVERLAY_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (ov < 0)
        return nook_error_set_errno(err, errno, "open %s/" NOOK_OVERLAY_DIR, ev->dir_path);
    r = write_file_at(ov, "uid_map", uid_text, err);
    return r < 0 ? r : write_file_at(ov, "gid_map", gid_text, err);
}

/* What the daemon reports back when it cannot exec. */
struct spawn_failure {
    int errnum;
    char step[32];
};

static _Noreturn void spawn_fail(int report_fd, const char *step)
{
    struct spawn_failure failure = { .errnum = errno };
    snprintf(failure.step, sizeof(failure.step), "%s", step);
    (void)!write(report_fd, &failure, sizeof(failure));
    _exit(127);
}

/* In the forked child: become the daemon. Every fd it needs is moved above
 * the standard ones before they are set up, then the rest is closed at
 * exec. */
static _Noreturn void daemon_child(int fuse_fd, int log_fd, int null_fd, int userns_fd, int report_fd,
                                   const char *program, char **argv)
{
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    for (int sig = 1; sig < NSIG; sig++)
        (void)signal(sig, SIG_DFL);
    /* Not in the caller's session: a ^C meant for `nook run` goes to the
     * container, and the container's end ends the daemon. */
    if (setsid() < 0)
        spawn_fail(report_fd, "setsid");
    if (userns_fd >= 0) {
        if (setns(userns_fd, CLONE_NEWUSER) < 0)
            spawn_fail(report_fd, "join the user namespace");
        (void)setgroups(0, NULL); /* refused where setgroups is denied; nothing to drop then */
        if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
            spawn_fail(report_fd, "become its root");
    }
    if (chdir("/") < 0)
        spawn_fail(report_fd, "chdir /");
    int fds[] = { fuse_fd, log_fd, null_fd };
    for (size_t i = 0; i < N_ELEMENTS(fds); i++)
        if ((fds[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 10)) < 0)
            spawn_fail(report_fd, "dup");
    if (dup2(fds[2], STDIN_FILENO) < 0 || dup2(fds[1], STDOUT_FILENO) < 0 ||
        dup2(fds[1], STDERR_FILENO) < 0 || dup2(fds[0], DAEMON_FUSE_FD) < 0)
        spawn_fail(report_fd, "dup2");
    if (syscall(SYS_close_range, DAEMON_FUSE_FD + 1, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
        spawn_fail(report_fd, "close_range");
    execve(program, argv, environ);
    spawn_fail(report_fd, "exec");
}

/* Start fuse-overlayfs on fuse_fd for layers; *pid is its host pid. */
static int spawn_daemon(const struct nook_overlay_event *ev, bool userns,
                        const struct nook_overlay_layers *layers, int fuse_fd, const char *log_name,
                        pid_t *pid, struct nook_error *err)
{
    const char *program = ev->plan->fuse_program;
    struct nook_idmaps maps = { 0 };
    bool mapped = userns && ev->privileged;
    if (mapped) {
        char uid_text[4096], gid_text[4096];
        int r = read_init_maps(ev->init_pid, uid_text, gid_text, sizeof(uid_text), err);
        if (r < 0)
            return r;
        if (nook_overlay_parse_idmap(uid_text, &maps.uid) < 0 ||
            nook_overlay_parse_idmap(gid_text, &maps.gid) < 0) {
            nook_idmaps_clear(&maps);
            return nook_error_set(err, EINVAL, "the container's id maps cannot be read");
        }
    }
    _cleanup_strv_ char **argv = NULL;
    int r = nook_overlay_fuse_argv(program, layers, mapped ? &maps : NULL, DAEMON_FUSE_FD, &argv, err);
    nook_idmaps_clear(&maps);
    if (r < 0)
        return r;

    _cleanup_close_ int userns_fd = -1;
    if (userns && !ev->privileged) {
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)ev->init_pid);
        userns_fd = open(path, O_RDONLY | O_CLOEXEC);
        if (userns_fd < 0)
            return nook_error_set_errno(err, errno, "open %s", path);
    }
    _cleanup_close_ int ov = openat(ev->dir_fd, NOOK_OVERLAY_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (ov < 0)
        return nook_error_set_errno(err, errno, "open %s/" NOOK_OVERLAY_DIR, ev->dir_path);
    _cleanup_close_ int log_fd = openat(ov, log_name, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (log_fd < 0)
        return nook_error_set_errno(err, errno, "create %s/" NOOK_OVERLAY_DIR "/%s", ev->dir_path, log_name);
    _cleanup_close_ int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null_fd < 0)
        return nook_error_set_errno(err, errno, "open /dev/null");
    int report[2];
    if (pipe2(report, O_CLOEXEC) < 0)
        return nook_error_set_errno(err, errno, "pipe");
    _cleanup_close_ int report_read = report[0];
    _cleanup_close_ int report_write = report[1];

    pid_t child = fork();
    if (child < 0)
        return nook_error_set_errno(err, errno, "fork for fuse-overlayfs");
    if (child == 0)
        daemon_child(fuse_fd, log_fd, null_fd, userns_fd, report_write, program, argv);
    closep(&report_write);
    report_write = -1;
    struct spawn_failure failure;
    ssize_t n;
    do
        n = read(report_read, &failure, sizeof(failure));
    while (n < 0 && errno == EINTR);
    if (n == (ssize_t)sizeof(failure)) {
        while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
            ;
        failure.step[sizeof(failure.step) - 1] = '\0';
        return nook_error_set_errno(err, failure.errnum, "start fuse-overlayfs \"%s\": %s", program,
                                    failure.step);
    }
    *pid = child;
    return 0;
}

/* Is the init in a user namespace other than create's? */
static int in_own_userns(pid_t pid, bool *userns, struct nook_error *err)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
    struct stat theirs, ours;
    if (stat(path, &theirs) < 0)
        return nook_error_set_errno(err, errno, "stat %s", path);
    if (stat("/proc/self/ns/user", &ours) < 0)
        return nook_error_set_errno(err, errno, "stat /proc/self/ns/user");
    *userns = theirs.st_ino != ours.st_ino || theirs.st_dev != ours.st_dev;
    return 0;
}

/* "-1 why" or "3 why": which overlay, and why the kernel's would not do. */
static int parse_event_text(const struct nook_overlay_plan *plan, const char *text, long *index,
                            const char **why, struct nook_error *err)
{
    char *end = NULL;
    errno = 0;
    *index = strtol(text, &end, 10);
    if (errno || end == text || (*end && *end != ' ') ||
        (*index != NOOK_OVERLAY_ROOT && (*index < 0 || (size_t)*index >= plan->n_mounts || !plan->mounts[*index])) ||
        (*index == NOOK_OVERLAY_ROOT && !plan->root))
        return nook_error_set(err, EPROTO, "setup socket: an overlay message for no overlay: \"%s\"", text);
    *why = *end ? end + 1 : "";
    return 0;
}

static void log_line(const struct nook_overlay_event *ev, const char *fmt, ...) _printf_(2, 3);
static void log_line(const struct nook_overlay_event *ev, const char *fmt, ...)
{
    if (!ev->log)
        return;
    char line[NOOK_ERROR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    ev->log(ev->log_data, NOOK_SYNC_LEVEL_DEBUG, line);
}

int nook_overlay_handle(const struct nook_overlay_event *ev, uint32_t type, const char *text,
                        int passed_fd, struct nook_error *err)
{
    long index = 0;
    const char *why = "";
    int r = ev->plan ? parse_event_text(ev->plan, text, &index, &why, err)
                     : nook_error_set(err, EPROTO, "setup socket: an overlay message, but no overlay was planned");
    if (r < 0)
        return r;
    bool userns = false;
    r = in_own_userns(ev->init_pid, &userns, err);
    if (r < 0)
        return r;
    bool root = index == NOOK_OVERLAY_ROOT;
    const struct nook_overlay_layers *layers = root ? &ev->plan->root_layers : ev->plan->mounts[index];
    char name[64];
    if (root)
        snprintf(name, sizeof(name), "overlay root");
    else
        snprintf(name, sizeof(name), ".mounts[%ld] (overlay)", index);
    _cleanup_free_ char *lower = nook_overlay_join_layers(layers->lower);
    if (root) {
        r = record_maps(ev, userns, err);
        if (r < 0)
            return r;
    }

    if (type == NOOK_SYNC_OVERLAY_MOUNTED) {
        log_line(ev, "%s: mounted with the kernel's overlayfs (lowerdir %s, upperdir %s)", name,
                 lower ? lower : "?", layers->upper ? layers->upper : "none: read-only");
        return root ? nook_state_set_annotation(ev->state, NOOK_OVERLAY_USED_ANNOTATION, "kernel", err) : 0;
    }
    if (type != NOOK_SYNC_OVERLAY_FUSE || passed_fd < 0)
        return nook_error_set(err, EPROTO, "setup socket: an overlay message without its FUSE fd");

    char helper[32], log_name[48];
    if (root)
        snprintf(helper, sizeof(helper), "fuse-overlayfs");
    else
        snprintf(helper, sizeof(helper), "fuse-overlayfs-m%ld", index);
    snprintf(log_name, sizeof(log_name), "%s.log", helper);
    pid_t pid = 0;
    r = spawn_daemon(ev, userns, layers, passed_fd, log_name, &pid, err);
    if (r < 0)
        return nook_error_prefix(err, "%s", name);
    r = nook_helper_record(ev->dir_fd, helper, pid, err);
    if (r < 0) {
        kill(pid, SIGKILL);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
            ;
        return r;
    }
    log_line(ev, "%s: served by fuse-overlayfs (pid %d; lowerdir %s, upperdir %s)%s%s", name, (int)pid,
             lower ? lower : "?", layers->upper, *why ? ": the kernel's overlayfs refused it: " : "", why);
    if (root) {
        r = nook_state_set_annotation(ev->state, NOOK_OVERLAY_USED_ANNOTATION, "fuse-overlayfs", err);
        if (r < 0)
            return r;
    }
    if (nook_sync_send(ev->sync_fd, NOOK_SYNC_CONTINUE, 0, NULL) < 0)
        return nook_error_set(err, EPIPE, "the container's init exited during setup");
    return 0;
}

/* The last line of a log that is not empty. */
static bool last_line(int dir_fd, const char *name, char *line, size_t size)
{
    _cleanup_close_ int fd = openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    char buf[4096];
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0)
        return false;
    off_t start = st.st_size > (off_t)sizeof(buf) - 1 ? st.st_size - (off_t)sizeof(buf) + 1 : 0;
    ssize_t n = pread(fd, buf, sizeof(buf) - 1, start);
    if (n <= 0)
        return false;
    buf[n] = '\0';
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
        buf[--n] = '\0';
    const char *begin = strrchr(buf, '\n');
    begin = begin ? begin + 1 : buf;
    size_t len = strnlen(begin, size - 1);
    memcpy(line, begin, len);
    line[len] = '\0';
    return len > 0;
}

void nook_overlay_explain_failure(int dir_fd, struct nook_error *err)
{
    if (!err)
        return;
    _cleanup_close_ int ov = openat(dir_fd, NOOK_OVERLAY_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (ov < 0)
        return;
    static const char prefix[] = "helper.fuse-overlayfs";
    int fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    _cleanup_closedir_ DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (fd >= 0 && !d)
        close(fd);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (strncmp(e->d_name, prefix, strlen(prefix)) != 0)
            continue;
        const char *helper = e->d_name + strlen("helper.");
        if (nook_helper_running(dir_fd, helper, NULL) != 0)
            continue;
        char log_name[80], line[256];
        snprintf(log_name, sizeof(log_name), "%s.log", helper);
        if (!last_line(ov, log_name, line, sizeof(line)))
            continue;
        size_t used = strlen(err->message);
        snprintf(err->message + used, sizeof(err->message) - used, "; %s exited, saying: %s", helper, line);
        return;
    }
}
