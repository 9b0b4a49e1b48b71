/* mounts.c: config.json's .mounts[], in order, inside the rootfs: binds
 * from the host and kernel file systems (proc, sysfs, tmpfs, devpts,
 * mqueue, cgroup), each with its options, and the fallbacks a user
 * namespace needs where the kernel refuses a fresh mount (bind the host's
 * /sys, /proc, /dev/mqueue or /sys/fs/cgroup instead, as runc and crun
 * do rootless). Every destination is resolved inside the rootfs, so a
 * symlink in the image cannot send a mount onto the host.
 *
 * Mounts in /proc are held to procfs (proc_guard): over /proc only a
 * procfs, and below it only a procfs source or one of the files that
 * lxcfs-style tools replace; and the mount point must really be a file of
 * the container's procfs, so an image whose /proc is a symlink or a
 * directory cannot turn a mount meant for /proc into one elsewhere. A
 * mount over /proc/self/attr/... or /proc/sys would otherwise undo what
 * LSM labels, maskedPaths and readonlyPaths protect. */
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include "../mount-idmap.h"
#include "../overlay.h"
#include "../resolve.h"
#include "../state.h"
#include "mount-options.h"
#include "mount-util.h"
#include "overlay-mount.h"
#include "rootfs-internal.h"
#include "sync.h"

/* One .mounts[] entry on its way in. */
struct mount_job {
    const struct nook_init_ctx *ctx;
    int root_fd;
    size_t index;
    const struct nook_spec_mount *mount;
    struct nook_mount_options opts;
    char clean_destination[PATH_MAX]; /* lexically cleaned: no "..", "." or "//" */
    bool in_proc;                      /* clean_destination is /proc or below it */
    bool is_proc_root;                 /* clean_destination is /proc */
};

static const char *job_source(const struct mount_job *job)
{
    const struct nook_spec_mount *m = job->mount;
    return m->source ? m->source : m->type ? m->type : "none";
}

/* `.mounts[3]: mount "SRC" on "DEST"[: STEP]: strerror`. */
static int job_fail(const struct mount_job *job, struct nook_error *err, int errnum,
                    const char *step)
{
    return nook_error_set_errno(err, errnum, ".mounts[%zu]: mount \"%s\" on \"%s\"%s%s", job->index,
                                job_source(job), job->mount->destination, step ? ": " : "",
                                step ? step : "");
}

static bool type_is(const struct nook_spec_mount *m, const char *type)
{
    return m->type && strcmp(m->type, type) == 0;
}

static int open_target(const struct mount_job *job, int *fd)
{
    return nook_resolve_open(job->root_fd, job->mount->destination, O_PATH, 0, fd);
}

/* What the user namespace keeps us from clearing, for a clearer EPERM. */
static void explain_locked(const struct mount_job *job, int fd, struct nook_error *err)
{
    static const struct {
        unsigned long flag;
        const char *set;
        const char *clear;
    } lockable[] = {
        { MS_RDONLY, "ro", "rw" },
        { MS_NOSUID, "nosuid", "suid" },
        { MS_NODEV, "nodev", "dev" },
        { MS_NOEXEC, "noexec", "exec" },
    };
    unsigned long current = 0;
    if (!err || !job->ctx->userns || nook_mount_flags_of(fd, &current) < 0)
        return;
    for (size_t i = 0; i < N_ELEMENTS(lockable); i++) {
        if ((current & lockable[i].flag) && (job->opts.cleared & lockable[i].flag)) {
            size_t n = strlen(err->message);
            snprintf(err->message + n, sizeof(err->message) - n,
                     " (the source is mounted %s, which a user namespace cannot change to %s)",
                     lockable[i].set, lockable[i].clear);
            return;
        }
    }
}

/* A why after the error's message, for what a user namespace refuses. */
static void append_hint(struct nook_error *err, const char *hint)
{
    if (!err)
        return;
    size_t n = strlen(err->message);
    snprintf(err->message + n, sizeof(err->message) - n, " (%s)", hint);
}

/* The steps after the mount itself: the bind remount that applies
 * flags (a bind ignores them), recursive attributes, propagation. They act
 * on the new mount, so the destination is looked up again. */
static int apply_after(struct mount_job *job, bool remount, struct nook_error *err)
{
    const struct nook_mount_options *o = &job->opts;
    remount = remount && ((o->flags & ~(unsigned long)(MS_BIND | MS_REC | MS_REMOUNT)) || o->cleared);
    bool attrs = o->attr_set || o->attr_clr;
    if (!remount && !attrs && !o->propagation)
        return 0;

    _cleanup_close_ int fd = -1;
    int r = open_target(job, &fd);
    if (r < 0)
        return job_fail(job, err, -r, "look up the new mount");
    struct nook_mount_target target = { .fd = fd };
    if (remount) {
        r = nook_remount_bind(&target, o->flags, o->cleared);
        if (r < 0) {
            job_fail(job, err, -r, "remount with its options");
            if (r == -EPERM)
                explain_locked(job, fd, err);
            return r;
        }
    }
    if (attrs) {
        r = nook_mount_setattr_recursive(fd, o->attr_set, o->attr_clr);
        if (r == -ENOSYS)
            return job_fail(job, err, -r, "recursive options (rro, rnosuid, ...) need Linux 5.12");
        if (r < 0) {
            job_fail(job, err, -r, "apply its recursive options");
            if (r == -EPERM && job->ctx->userns)
                append_hint(err, "a mount they reach is the host's, and a user namespace cannot change "
                                 "the atime options or clear the flags the host set on it");
            return r;
        }
    }
    if (o->propagation) {
        r = nook_mount_propagation(&target, o->propagation);
        if (r < 0)
            return job_fail(job, err, -r, "change its propagation");
    }
    return 0;
}

/* The files below /proc that may be mounted over from elsewhere: those
 * tools like lxcfs serve with the container's own view. */
static const char *const proc_replaceable[] = {
    "/proc/cpuinfo", "/proc/diskstats", "/proc/meminfo", "/proc/stat", "/proc/swaps",
    "/proc/uptime", "/proc/loadavg", "/proc/slabinfo", "/proc/net/dev",
    "/proc/sys/kernel/ns_last_pid", NULL,
};

static bool path_in(const char *path, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(path, *list) == 0)
            return true;
    return false;
}

static bool on_procfs(const char *path)
{
    struct statfs st;
    return statfs(path, &st) == 0 && st.f_type == PROC_SUPER_MAGIC;
}

/* Whether the mount's source is a procfs: a fresh proc mount, or a bind of
 * something on the host's procfs. */
static bool source_is_procfs(const struct mount_job *job, const char *bind_source)
{
    if (type_is(job->mount, "proc"))
        return true;
    return bind_source && on_procfs(bind_source);
}

/* Once the mount point is resolved: below /proc it must be procfs's. */
static int proc_guard_target(const struct mount_job *job, int fd, struct nook_error *err)
{
    if (!job->in_proc || job->is_proc_root)
        return 0;
    struct statfs st;
    if (fstatfs(fd, &st) < 0)
        return job_fail(job, err, errno, "statfs the mount point");
    if (st.f_type != PROC_SUPER_MAGIC)
        return nook_error_set(err, EPERM,
                              ".mounts[%zu]: mount on \"%s\": refused: the mount point is not on the container's procfs (is /proc a symlink or a plain directory in the image?)",
                              job->index, job->mount->destination);
    return 0;
}

/* Below /proc, the directory holding the mount point must be procfs's
 * before anything is made in it. */
static int proc_guard_parent(const struct mount_job *job, struct nook_error *err)
{
    char parent[PATH_MAX];
    snprintf(parent, sizeof(parent), "%s", job->clean_destination);
    char *slash = strrchr(parent, '/');
    if (slash == parent)
        slash[1] = '\0';
    else if (slash)
        *slash = '\0';
    _cleanup_close_ int fd = -1;
    int r = nook_resolve_open(job->root_fd, parent, O_PATH | O_DIRECTORY, 0, &fd);
    if (r < 0)
        return job_fail(job, err, -r, "open the directory of the mount point");
    return proc_guard_target(job, fd, err);
}

/* Before anything is made: what may be mounted on /proc and below it. */
static int proc_guard_source(const struct mount_job *job, const char *bind_source,
                             struct nook_error *err)
{
    if (!job->in_proc)
        return 0;
    if (source_is_procfs(job, bind_source))
        return job->is_proc_root ? 0 : proc_guard_parent(job, err);
    if (!job->is_proc_root && path_in(job->clean_destination, proc_replaceable))
        return proc_guard_parent(job, err);
    return nook_error_set(err, EPERM,
                          ".mounts[%zu]: mount \"%s\" on \"%s\": refused: only procfs may be mounted %s /proc%s",
                          job->index, job_source(job), job->mount->destination,
                          job->is_proc_root ? "on" : "inside",
                          job->is_proc_root ? "" : " (besides over /proc/cpuinfo, meminfo, stat, uptime and the other files lxcfs serves)");
}

static int create_target(const struct mount_job *job, mode_t type, int *fd, struct nook_error *err)
{
    int r = nook_resolve_create(job->root_fd, job->mount->destination, type,
                                type == S_IFDIR ? 0755 : 0644, 0, fd);
    if (r < 0)
        return job_fail(job, err, -r, "create the mount point");
    return proc_guard_target(job, *fd, err);
}

/* bind / rbind: source from the host, relative to the bundle when not
 * absolute; the mount point matches it, a directory or a file. */
static int mount_bind(struct mount_job *job, struct nook_error *err)
{
    const struct nook_spec_mount *m = job->mount;
    if (!m->source)
        return nook_error_set(err, EINVAL, ".mounts[%zu]: bind mount on \"%s\" has no source",
                              job->index, m->destination);
    char source[PATH_MAX];
    /* Opened before the init became the container's root (init.h). */
    bool early = job->ctx->early_bind_mount == job->index + 1 && job->ctx->early_bind_fd >= 0;
    int n = early ? snprintf(source, sizeof(source), "/proc/self/fd/%d", job->ctx->early_bind_fd)
            : m->source[0] == '/'
                ? snprintf(source, sizeof(source), "%s", m->source)
                : snprintf(source, sizeof(source), "%s/%s", job->ctx->bundle, m->source);
    if (n < 0 || (size_t)n >= sizeof(source))
        return job_fail(job, err, ENAMETOOLONG, NULL);
    struct stat st;
    if (stat(source, &st) < 0)
        return job_fail(job, err, errno, NULL);
    int r = proc_guard_source(job, source, err);
    if (r < 0)
        return r;

    _cleanup_close_ int fd = -1;
    r = create_target(job, S_ISDIR(st.st_mode) ? S_IFDIR : S_IFREG, &fd, err);
    if (r < 0)
        return r;
    struct nook_mount_target target = { .fd = fd };
    r = nook_mount_at(source, &target, NULL, MS_BIND | (job->opts.recursive ? MS_REC : 0), NULL);
    if (r < 0) {
        job_fail(job, err, -r, NULL);
        if (r == -EINVAL && !job->opts.recursive && job->ctx->userns)
            append_hint(err, "in a user namespace a bind may not leave out the host's mounts below its "
                             "source, which are locked there: use rbind");
        return r;
    }
    return apply_after(job, true, err);
}

/* An idmapped bind mount: create made it, detached (mount-idmap.h); it is
 * moved onto its mount point here, then gets its options as a bind does. */
static int mount_idmapped(struct mount_job *job, struct nook_error *err)
{
    const struct nook_idmapped_mounts *made = job->ctx->idmapped_mounts;
    int tree = made && job->index < made->count ? made->fds[job->index] : -1;
    if (tree < 0)
        return nook_error_set(err, EINVAL,
                              ".mounts[%zu]: idmapped mount on \"%s\": create did not make it",
                              job->index, job->mount->destination);
    struct stat st;
    if (fstat(tree, &st) < 0)
        return job_fail(job, err, errno, "stat the idmapped mount");
    int r = proc_guard_source(job, NULL, err);
    if (r < 0)
        return r;
    _cleanup_close_ int fd = -1;
    r = create_target(job, S_ISDIR(st.st_mode) ? S_IFDIR : S_IFREG, &fd, err);
    if (r < 0)
        return r;
    if (move_mount(tree, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
        return job_fail(job, err, errno, "move the idmapped mount into place");
    return apply_after(job, true, err);
}

/* Instead of a fresh mount the kernel refused: the host's own tree, bound
 * recursively; read-only when asked, or always (force_ro) where writing
 * would reach the host's state (/sys, cgroups). */
static int bind_from_host(struct mount_job *job, const char *host_path, bool force_ro, int fd,
                          struct nook_error *err)
{
    struct nook_mount_target target = { .fd = fd };
    int r = nook_mount_at(host_path, &target, NULL, MS_BIND | MS_REC, NULL);
    if (r < 0) {
        char step[PATH_MAX + 64];
        snprintf(step, sizeof(step), "bind the host's %s instead", host_path);
        return job_fail(job, err, -r, step);
    }
    _cleanup_close_ int new_fd = -1;
    r = open_target(job, &new_fd);
    if (r < 0)
        return job_fail(job, err, -r, "look up the new mount");

    unsigned long flags = job->opts.flags;
    uint64_t attrs = 0;
    if (force_ro || (flags & MS_RDONLY))
        attrs |= MOUNT_ATTR_RDONLY;
    if (flags & MS_NOSUID)
        attrs |= MOUNT_ATTR_NOSUID;
    if (flags & MS_NODEV)
        attrs |= MOUNT_ATTR_NODEV;
    if (flags & MS_NOEXEC)
        attrs |= MOUNT_ATTR_NOEXEC;
    if (attrs) {
        r = nook_mount_setattr_recursive(new_fd, attrs, 0);
        if (r == -ENOSYS) {
            /* Before 5.12 only the top mount can be changed. */
            struct nook_mount_target top = { .fd = new_fd };
            r = nook_remount_bind(&top, (flags & (MS_NOSUID | MS_NODEV | MS_NOEXEC)) |
                                            ((attrs & MOUNT_ATTR_RDONLY) ? MS_RDONLY : 0),
                                  0);
        }
        if (r < 0)
            return job_fail(job, err, -r, "make the host's tree read-only");
    }
    return apply_after(job, false, err);
}

static void log_fallback(const struct mount_job *job, const char *why, const char *host_path)
{
    nook_init_log(job->ctx, NOOK_SYNC_LEVEL_DEBUG,
                  ".mounts[%zu]: %s on \"%s\": %s; binding the host's %s instead", job->index,
                  job->mount->type, job->mount->destination, why, host_path);
}

/* The fresh mount of a kernel file system on a directory. */
static int mount_fresh(struct mount_job *job, int fd, const char *type, const char *data)
{
    struct nook_mount_target target = { .fd = fd };
    const char *source = job->mount->source ? job->mount->source : type;
    return nook_mount_at(source, &target, type, job->opts.flags, data);
}

static int mount_sysfs(struct mount_job *job, int fd, struct nook_error *err)
{
    const struct nook_init_ctx *ctx = job->ctx;
    if (ctx->userns && !ctx->netns_owned) {
        log_fallback(job, "no network namespace of the container's own", "/sys");
        return bind_from_host(job, "/sys", true, fd, err);
    }
    int r = mount_fresh(job, fd, "sysfs", job->opts.data);
    if (r == -EPERM && ctx->userns) {
        log_fallback(job, strerror(EPERM), "/sys");
        return bind_from_host(job, "/sys", true, fd, err);
    }
    if (r < 0)
        return job_fail(job, err, -r, NULL);
    return apply_after(job, false, err);
}

/* proc and mqueue: a user namespace may be refused a fresh instance (no
 * pid or ipc namespace of its own, or an over-mounted host /proc). */
static int mount_with_host_fallback(struct mount_job *job, int fd, const char *host_path,
                                    struct nook_error *err)
{
    int r = mount_fresh(job, fd, job->mount->type, job->opts.data);
    if ((r == -EPERM || r == -EBUSY) && job->ctx->userns && access(host_path, F_OK) == 0) {
        log_fallback(job, strerror(-r), host_path);
        return bind_from_host(job, host_path, false, fd, err);
    }
    if (r < 0)
        return job_fail(job, err, -r, NULL);
    return apply_after(job, false, err);
}

static bool host_cgroup_unified(void)
{
    struct statfs sfs;
    return statfs("/sys/fs/cgroup", &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC;
}

/* cgroup2 where the host is unified; otherwise, or where a user namespace
 * is refused the mount, the host's hierarchy read-only. */
static int mount_cgroup(struct mount_job *job, int fd, struct nook_error *err)
{
    bool v2_requested = type_is(job->mount, "cgroup2");
    if (!v2_requested && !host_cgroup_unified()) {
        log_fallback(job, "the host's cgroups are not unified (cgroup v2)", "/sys/fs/cgroup");
        return bind_from_host(job, "/sys/fs/cgroup", true, fd, err);
    }
    struct nook_mount_target target = { .fd = fd };
    const char *source = job->mount->source ? job->mount->source : "cgroup2";
    int r = nook_mount_at(source, &target, "cgroup2", job->opts.flags, job->opts.data);
    if (r < 0 && (job->ctx->userns || job->ctx->rootless)) {
        log_fallback(job, strerror(-r), "/sys/fs/cgroup");
        return bind_from_host(job, "/sys/fs/cgroup", true, fd, err);
    }
    if (r < 0)
        return job_fail(job, err, -r, NULL);
    return apply_after(job, false, err);
}

/* Drop "gid=N" from a devpts data string: a user namespace without group
 * N mapped cannot use it (runc's rootless spec leaves it out for that). */
static void drop_gid_option(char *data)
{
    char *out = data;
    for (char *word = data; *word;) {
        char *end = strchrnul(word, ',');
        size_t len = (size_t)(end - word);
        if (!(len > 4 && strncmp(word, "gid=", 4) == 0)) {
            if (out != data)
                *out++ = ',';
            memmove(out, word, len);
            out += len;
        }
        word = *end ? end + 1 : end;
    }
    *out = '\0';
}

/* devpts: a private instance whose ptmx anyone may open (the container's
 * /dev/ptmx will point at it). */
static int mount_devpts(struct mount_job *job, int fd, struct nook_error *err)
{
    const char *given = job->opts.data ? job->opts.data : "";
    char data[1024];
    /* newinstance always comes out non-empty, so ptmxmode can follow a comma. */
    const char *newinstance = strstr(given, "newinstance") ? ""
                              : *given                     ? ",newinstance"
                                                           : "newinstance";
    int n = snprintf(data, sizeof(data), "%s%s%s", given, newinstance,
                     strstr(given, "ptmxmode=") ? "" : ",ptmxmode=0666");
    if (n < 0 || (size_t)n >= sizeof(data))
        return job_fail(job, err, E2BIG, "options");
    int r = mount_fresh(job, fd, "devpts", data);
    if (r == -EINVAL && (job->ctx->userns || job->ctx->rootless) && strstr(data, "gid=")) {
        drop_gid_option(data);
        nook_init_log(job->ctx, NOOK_SYNC_LEVEL_DEBUG,
                      ".mounts[%zu]: devpts refused its gid= option in the user namespace; "
                      "mounting without it",
                      job->index);
        r = mount_fresh(job, fd, "devpts", data);
    }
    if (r < 0)
        return job_fail(job, err, -r, NULL);
    return apply_after(job, false, err);
}

/* tmpfs with "tmpcopyup" (runc's extension; podman asks for it on /run,
 * /tmp and /var/tmp with --read-only): what the directory holds in the
 * image is copied into the fresh tmpfs. The directory is opened before the
 * mount hides it, and "ro" waits until the copy is in. */
static int mount_tmpfs_copy_up(struct mount_job *job, int fd, struct nook_error *err)
{
    _cleanup_close_ int hidden = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (hidden < 0)
        return job_fail(job, err, errno, "open the directory to copy up");
    struct nook_mount_target target = { .fd = fd };
    const char *source = job->mount->source ? job->mount->source : "tmpfs";
    unsigned long flags = job->opts.flags;
    int r = nook_mount_at(source, &target, "tmpfs", flags & ~(unsigned long)MS_RDONLY, job->opts.data);
    if (r < 0)
        return job_fail(job, err, -r, NULL);
    _cleanup_close_ int mounted = -1;
    r = nook_resolve_open(job->root_fd, job->mount->destination, O_RDONLY | O_DIRECTORY, 0, &mounted);
    if (r < 0)
        return job_fail(job, err, -r, "look up the new mount");
    r = nook_copy_dir_contents(hidden, mounted, job->mount->destination, err);
    if (r < 0)
        return nook_error_prefix(err, ".mounts[%zu]", job->index);
    if (flags & MS_RDONLY) {
        struct nook_mount_target top = { .fd = mounted };
        r = nook_remount_bind(&top, flags, job->opts.cleared);
        if (r < 0)
            return job_fail(job, err, -r, "make it read-only after the copy");
    }
    return apply_after(job, false, err);
}

static int mount_one(struct mount_job *job, struct nook_error *err)
{
    const struct nook_spec_mount *m = job->mount;
    if (strcmp(m->destination, "/") == 0)
        return nook_error_set(err, EINVAL,
                              ".mounts[%zu]: a mount on \"/\" is not supported; root.path is the "
                              "container's root",
                              job->index);
    if (nook_mount_wants_idmap(m))
        return mount_idmapped(job, err);
    if (job->opts.bind || type_is(m, "bind"))
        return mount_bind(job, err);
    if (!m->type)
        return nook_error_set(err, EINVAL,
                              ".mounts[%zu]: mount on \"%s\" has neither a type nor a bind option",
                              job->index, m->destination);

    int r = proc_guard_source(job, NULL, err);
    if (r < 0)
        return r;
    _cleanup_close_ int fd = -1;
    r = create_target(job, S_IFDIR, &fd, err);
    if (r < 0)
        return r;
    if (type_is(m, "sysfs"))
        return mount_sysfs(job, fd, err);
    if (type_is(m, "proc"))
        return mount_with_host_fallback(job, fd, "/proc", err);
    if (type_is(m, "mqueue"))
        return mount_with_host_fallback(job, fd, "/dev/mqueue", err);
    if (type_is(m, "cgroup") || type_is(m, "cgroup2"))
        return mount_cgroup(job, fd, err);
    if (type_is(m, "devpts"))
        return mount_devpts(job, fd, err);
    if (type_is(m, "overlay")) {
        r = nook_overlay_mount_config(job->ctx, job->index, fd, job->opts.flags, err);
        return r < 0 ? r : apply_after(job, false, err);
    }
    /* runc ignores tmpcopyup on any other type, and so does nook. */
    if (type_is(m, "tmpfs") && job->opts.copy_up)
        return mount_tmpfs_copy_up(job, fd, err);
    r = mount_fresh(job, fd, m->type, job->opts.data);
    if (r < 0)
        return job_fail(job, err, -r, NULL);
    return apply_after(job, false, err);
}

static int clean_destination(struct mount_job *job, struct nook_error *err)
{
    _cleanup_free_ char *clean = NULL;
    int r = nook_state_absolute_path("/", job->mount->destination, &clean);
    if (r < 0)
        return job_fail(job, err, -r, "clean the destination path");
    if (strlen(clean) >= sizeof(job->clean_destination))
        return job_fail(job, err, ENAMETOOLONG, NULL);
    strcpy(job->clean_destination, clean);
    job->is_proc_root = strcmp(clean, "/proc") == 0;
    job->in_proc = job->is_proc_root || strncmp(clean, "/proc/", 6) == 0;
    return 0;
}

int rootfs_mount_all(const struct nook_init_ctx *ctx, int root_fd, struct nook_error *err)
{
    const struct nook_spec *spec = ctx->spec;
    for (size_t i = 0; i < spec->n_mounts; i++) {
        struct mount_job job = { .ctx = ctx, .root_fd = root_fd, .index = i,
                                 .mount = &spec->mounts[i] };
        int r = clean_destination(&job, err);
        if (r < 0)
            return r;
        r = nook_mount_options_parse(spec->mounts[i].options, &job.opts, err);
        if (r < 0) {
            nook_error_prefix(err, ".mounts[%zu]", i);
            return r;
        }
        r = mount_one(&job, err);
        nook_mount_options_clear(&job.opts);
        if (r < 0)
            return r;
    }
    return 0;
}

void rootfs_plan_from_spec(const struct nook_spec *spec, struct rootfs_plan *plan)
{
    *plan = (struct rootfs_plan){ 0 };
    for (size_t i = 0; i < spec->n_mounts; i++) {
        const struct nook_spec_mount *m = &spec->mounts[i];
        bool bind = type_is(m, "bind");
        for (char **o = m->options; o && *o && !bind; o++)
            bind = strcmp(*o, "bind") == 0 || strcmp(*o, "rbind") == 0;
        /* A later mount on the same place wins, as it hides the earlier. */
        if (strcmp(m->destination, "/dev") == 0) {
            plan->dev_bound = bind;
            plan->dev_fresh = !bind;
        } else if (strcmp(m->destination, "/proc") == 0) {
            plan->proc_mounted = true;
        } else if (strcmp(m->destination, "/dev/pts") == 0) {
            plan->devpts_mounted = type_is(m, "devpts");
        }
    }
}
