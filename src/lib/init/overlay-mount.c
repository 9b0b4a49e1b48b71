/* overlay-mount.c: overlays mounted by the init core, inside the
 * container's user and mount namespaces (overlay-mount.h).
 *
 * The kernel's overlayfs goes through fsopen/fsconfig/fsmount/move_mount.
 * fsconfig takes a string of at most 255 bytes (the kernel copies it with
 * strndup_user(value, 256)), far less than mount(2)'s page of options, so
 * the layers go one at a time with "lowerdir+" (Linux 6.8); before 6.8 the
 * one "lowerdir" string must fit in 255 bytes, with /proc/self/fd/N names
 * for the layers when their paths are too long, and a list that still does
 * not fit counts as the kernel's refusal. A mount the kernel makes
 * read-only on its own (an upper layer's file system it cannot write
 * through, which it only reports in its log) is a refusal too.
 *
 * Where the kernel refuses, fuse-overlayfs stands in: the init opens
 * /dev/fuse and mounts the FUSE connection itself, so the mount is in the
 * container's mount namespace and the connection belongs to its user
 * namespace; create then starts the daemon on the passed fd
 * (NOOK_SYNC_OVERLAY_FUSE). The init touches the mount only once the
 * daemon runs, and never keeps a copy of the fd: if the daemon dies, the
 * connection ends and every access fails instead of hanging. */
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "../overlay.h"
#include "overlay-mount.h"
#include "sync.h"

/* The longest string fsconfig(FSCONFIG_SET_STRING) accepts. */
#define FSCONFIG_STRING_MAX 255

/* Where an overlay goes: a path (the root), or an fd with path "". */
struct overlay_target {
    int index;        /* NOOK_OVERLAY_ROOT or the .mounts[] index */
    int dir_fd;
    const char *path;
    char name[PATH_MAX + 64]; /* for messages: "overlay root", ".mounts[2]: overlay on \"/data\"" */
};

/* The file system context's messages ("e overlay: ..."), joined. */
static void context_log(int fs_fd, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (;;) {
        char msg[512];
        ssize_t n = read(fs_fd, msg, sizeof(msg) - 1);
        if (n <= 0)
            return;
        msg[n] = '\0';
        msg[strcspn(msg, "\n")] = '\0';
        const char *text = n > 2 && msg[1] == ' ' && strchr("ewi", msg[0]) ? msg + 2 : msg;
        int w = snprintf(buf + used, size - used, "%s%s", used ? "; " : "", text);
        if (w < 0 || (size_t)w >= size - used)
            return;
        used += (size_t)w;
    }
}

/* reason = "STEP: strerror (what the kernel logged)"; returns -errnum. */
static int refusal(char *reason, size_t size, int fs_fd, int errnum, const char *step)
{
    char log[512] = "";
    if (fs_fd >= 0)
        context_log(fs_fd, log, sizeof(log));
    snprintf(reason, size, "%s: %s%s%s%s", step, strerror(errnum), *log ? " (" : "", log,
             *log ? ")" : "");
    return -errnum;
}

static uint64_t mount_attrs(unsigned long flags)
{
    static const struct {
        unsigned long ms;
        uint64_t attr;
    } map[] = {
        { MS_RDONLY, MOUNT_ATTR_RDONLY },       { MS_NOSUID, MOUNT_ATTR_NOSUID },
        { MS_NODEV, MOUNT_ATTR_NODEV },         { MS_NOEXEC, MOUNT_ATTR_NOEXEC },
        { MS_NOATIME, MOUNT_ATTR_NOATIME },     { MS_STRICTATIME, MOUNT_ATTR_STRICTATIME },
        { MS_NODIRATIME, MOUNT_ATTR_NODIRATIME }, { MS_NOSYMFOLLOW, MOUNT_ATTR_NOSYMFOLLOW },
    };
    uint64_t attrs = 0;
    for (size_t i = 0; i < N_ELEMENTS(map); i++)
        if (flags & map[i].ms)
            attrs |= map[i].attr;
    return attrs;
}

/* A path the kernel reaches whatever its length or the directories above
 * it: /proc/self/fd/N of an O_PATH fd (kept in *fd). */
static int fd_name(const char *path, int *fd, char *name, size_t size)
{
    *fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (*fd < 0)
        return -errno;
    snprintf(name, size, "/proc/self/fd/%d", *fd);
    return 0;
}

struct layer_fds {
    int *fds;
    size_t count;
};

static void layer_fds_close(struct layer_fds *l)
{
    for (size_t i = 0; i < l->count; i++)
        closep(&l->fds[i]);
    free(l->fds);
}

/* Before Linux 6.8: the whole list as one "lowerdir" string. */
static int set_lower_string(int fs_fd, char *const *lower, struct layer_fds *fds, char *reason,
                            size_t size)
{
    _cleanup_free_ char *joined = nook_overlay_join_layers(lower);
    if (!joined)
        return refusal(reason, size, -1, ENOMEM, "lowerdir");
    if (strlen(joined) > FSCONFIG_STRING_MAX) {
        _cleanup_strv_ char **names = calloc(fds->count + 1, sizeof(char *));
        if (!names)
            return refusal(reason, size, -1, ENOMEM, "lowerdir");
        for (size_t i = 0; i < fds->count; i++) {
            char name[32];
            int r = fds->fds[i] >= 0 ? 0 : fd_name(lower[i], &fds->fds[i], name, sizeof(name));
            if (r < 0)
                return refusal(reason, size, -1, -r, lower[i]);
            snprintf(name, sizeof(name), "/proc/self/fd/%d", fds->fds[i]);
            if (!(names[i] = strdup(name)))
                return refusal(reason, size, -1, ENOMEM, "lowerdir");
        }
        free(joined);
        joined = nook_overlay_join_layers(names);
        if (!joined)
            return refusal(reason, size, -1, ENOMEM, "lowerdir");
        if (strlen(joined) > FSCONFIG_STRING_MAX) {
            snprintf(reason, size,
                     "%zu lower layers do not fit in the %d bytes this kernel takes for "
                     "lowerdir (Linux 6.8 takes them one by one)",
                     fds->count, FSCONFIG_STRING_MAX);
            return -E2BIG;
        }
    }
    if (fsconfig(fs_fd, FSCONFIG_SET_STRING, "lowerdir", joined, 0) < 0)
        return refusal(reason, size, fs_fd, errno, "lowerdir");
    return 0;
}

/* The lower layers, topmost first: "lowerdir+" one by one where the
 * kernel has it. */
static int set_lowers(int fs_fd, char *const *lower, struct layer_fds *fds, char *reason,
                      size_t size)
{
    for (size_t i = 0; i < fds->count; i++) {
        char name[32];
        const char *path = lower[i];
        if (strlen(path) > FSCONFIG_STRING_MAX) {
            int r = fd_name(path, &fds->fds[i], name, sizeof(name));
            if (r < 0)
                return refusal(reason, size, -1, -r, path);
            path = name;
        }
        if (fsconfig(fs_fd, FSCONFIG_SET_STRING, "lowerdir+", path, 0) == 0)
            continue;
        int errnum = errno;
        char log[512];
        context_log(fs_fd, log, sizeof(log));
        if (i == 0 && errnum == EINVAL && strstr(log, "nknown parameter"))
            return set_lower_string(fs_fd, lower, fds, reason, size);
        snprintf(reason, size, "lower layer \"%s\": %s%s%s%s", lower[i], strerror(errnum),
                 *log ? " (" : "", log, *log ? ")" : "");
        return -errnum;
    }
    return 0;
}

/* "key=value" as a string, "key" as a flag. */
static int set_fs_option(int fs_fd, const char *option, char *reason, size_t size)
{
    const char *eq = strchr(option, '=');
    int r;
    if (eq) {
        _cleanup_free_ char *key = strndup(option, (size_t)(eq - option));
        if (!key)
            return refusal(reason, size, -1, ENOMEM, option);
        r = fsconfig(fs_fd, FSCONFIG_SET_STRING, key, eq + 1, 0);
    } else {
        r = fsconfig(fs_fd, FSCONFIG_SET_FLAG, option, NULL, 0);
    }
    return r < 0 ? refusal(reason, size, fs_fd, errno, option) : 0;
}

static int set_dir(int fs_fd, const char *key, const char *path, int fd, char *reason, size_t size)
{
    char name[32];
    /* The path where the init may use it (mountinfo then shows it). */
    if (fd >= 0 && access(path, W_OK | X_OK) < 0) {
        snprintf(name, sizeof(name), "/proc/self/fd/%d", fd);
        path = name;
    }
    if (strlen(path) > FSCONFIG_STRING_MAX) {
        snprintf(reason, size, "%s \"%s\" is longer than the %d bytes fsconfig takes", key, path,
                 FSCONFIG_STRING_MAX);
        return -ENAMETOOLONG;
    }
    if (fsconfig(fs_fd, FSCONFIG_SET_STRING, key, path, 0) < 0)
        return refusal(reason, size, fs_fd, errno, key);
    return 0;
}

/* The kernel's overlay as a detached mount in *mnt_fd; on refusal, why. */
static int kernel_overlay(const struct nook_init_ctx *ctx, const struct nook_overlay_layers *layers,
                          int upper_fd, int work_fd, unsigned long flags, int *mnt_fd, char *reason,
                          size_t size)
{
    _cleanup_close_ int fs_fd = fsopen("overlay", FSOPEN_CLOEXEC);
    if (fs_fd < 0)
        return refusal(reason, size, -1, errno, "fsopen overlay");
    size_t count = 0;
    while (layers->lower[count])
        count++;
    _cleanup_(layer_fds_close) struct layer_fds fds = { .fds = malloc(count * sizeof(int)), .count = count };
    if (!fds.fds)
        return refusal(reason, size, -1, ENOMEM, "lowerdir");
    for (size_t i = 0; i < count; i++)
        fds.fds[i] = -1;

    if (fsconfig(fs_fd, FSCONFIG_SET_STRING, "source", "overlay", 0) < 0)
        return refusal(reason, size, fs_fd, errno, "source");
    int r = set_lowers(fs_fd, layers->lower, &fds, reason, size);
    if (r == 0 && layers->upper)
        r = set_dir(fs_fd, "upperdir", layers->upper, upper_fd, reason, size);
    if (r == 0 && layers->work)
        r = set_dir(fs_fd, "workdir", layers->work, work_fd, reason, size);
    /* In a user namespace overlayfs may keep its metadata only in user.*
     * xattrs. */
    if (r == 0 && ctx->userns)
        r = set_fs_option(fs_fd, "userxattr", reason, size);
    for (char **o = layers->fs_options; r == 0 && o && *o; o++)
        r = set_fs_option(fs_fd, *o, reason, size);
    if (r < 0)
        return r;
    if (fsconfig(fs_fd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
        return refusal(reason, size, fs_fd, errno, "create the overlay");
    _cleanup_close_ int mnt = fsmount(fs_fd, FSMOUNT_CLOEXEC, mount_attrs(flags));
    if (mnt < 0)
        return refusal(reason, size, fs_fd, errno, "fsmount");
    struct statvfs sv;
    if (fstatvfs(mnt, &sv) < 0)
        return refusal(reason, size, -1, errno, "statvfs the overlay");
    if ((sv.f_flag & ST_RDONLY) && layers->upper && !(flags & MS_RDONLY)) {
        snprintf(reason, size,
                 "it would be read-only: the kernel cannot write an overlay's upper layer on the "
                 "file system of \"%s\" (its log says why)",
                 layers->upper);
        return -EROFS;
    }
    *mnt_fd = steal_fd(&mnt);
    return 0;
}

static int attach(int mnt, const struct overlay_target *target)
{
    unsigned flags = MOVE_MOUNT_F_EMPTY_PATH | (*target->path ? 0 : MOVE_MOUNT_T_EMPTY_PATH);
    return move_mount(mnt, "", target->dir_fd, target->path, flags) < 0 ? -errno : 0;
}

/* Why fuse-overlayfs cannot serve the overlay, with the kernel's refusal
 * (NULL when fuse-overlayfs was the only driver asked for). */
_printf_(5, 6) static int fuse_failure(const struct overlay_target *target, const char *kernel_reason,
                                      struct nook_error *err, int errnum, const char *fmt, ...)
{
    char detail[NOOK_ERROR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof(detail), fmt, ap);
    va_end(ap);
    if (kernel_reason)
        return nook_error_set(err, errnum,
                              "%s: the kernel's overlayfs refused it (%s), and fuse-overlayfs cannot "
                              "stand in: %s",
                              target->name, kernel_reason, detail);
    return nook_error_set(err, errnum, "%s: fuse-overlayfs (" NOOK_OVERLAY_DRIVER_ANNOTATION
                                       " is \"fuse\"): %s",
                          target->name, detail);
}

static int open_fuse_device(const struct overlay_target *target, const char *kernel_reason,
                            int *fd, struct nook_error *err)
{
    *fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
    if (*fd >= 0)
        return 0;
    int errnum = errno;
    if (errnum == ENOENT)
        return fuse_failure(target, kernel_reason, err, errnum,
                            "/dev/fuse does not exist; load the fuse module (`modprobe fuse`) "
                            "(see: nook check fuse.device)");
    if (errnum == EACCES || errnum == EPERM)
        return fuse_failure(target, kernel_reason, err, errnum,
                            "open /dev/fuse: %s; it must be readable and writable by every user, "
                            "as distributions ship it (`chmod 0666 /dev/fuse`) (see: nook check fuse.device)",
                            strerror(errnum));
    return fuse_failure(target, kernel_reason, err, errnum, "open /dev/fuse: %s (see: nook check fuse.device)",
                        strerror(errnum));
}

/* The FUSE connection on fuse_fd as a detached mount. */
static int fuse_mount(int fuse_fd, unsigned long flags, int *mnt_fd, char *reason, size_t size)
{
    _cleanup_close_ int fs_fd = fsopen("fuse", FSOPEN_CLOEXEC);
    if (fs_fd < 0)
        return refusal(reason, size, -1, errno, "fsopen fuse");
    char fd_text[16], uid_text[16], gid_text[16];
    snprintf(fd_text, sizeof(fd_text), "%d", fuse_fd);
    snprintf(uid_text, sizeof(uid_text), "%u", (unsigned)getuid());
    snprintf(gid_text, sizeof(gid_text), "%u", (unsigned)getgid());
    /* allow_other: the container's other users; default_permissions: the
     * kernel checks modes, as fuse-overlayfs expects. */
    const char *strings[][2] = {
        { "source", "fuse-overlayfs" }, { "subtype", "fuse-overlayfs" }, { "fd", fd_text },
        { "rootmode", "40000" },         { "user_id", uid_text },          { "group_id", gid_text },
    };
    for (size_t i = 0; i < N_ELEMENTS(strings); i++)
        if (fsconfig(fs_fd, FSCONFIG_SET_STRING, strings[i][0], strings[i][1], 0) < 0)
            return refusal(reason, size, fs_fd, errno, strings[i][0]);
    if (fsconfig(fs_fd, FSCONFIG_SET_FLAG, "default_permissions", NULL, 0) < 0 ||
        fsconfig(fs_fd, FSCONFIG_SET_FLAG, "allow_other", NULL, 0) < 0)
        return refusal(reason, size, fs_fd, errno, "fuse options");
    if (fsconfig(fs_fd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
        return refusal(reason, size, fs_fd, errno, "create the FUSE mount");
    *mnt_fd = fsmount(fs_fd, FSMOUNT_CLOEXEC, mount_attrs(flags));
    if (*mnt_fd < 0)
        return refusal(reason, size, fs_fd, errno, "fsmount");
    return 0;
}

static int fuse_overlay(const struct nook_init_ctx *ctx, const struct overlay_target *target,
                        unsigned long flags, const char *kernel_reason, struct nook_error *err)
{
    const struct nook_overlay_plan *plan = ctx->overlay;
    if (!plan->fuse_program)
        return fuse_failure(target, kernel_reason, err, ENOENT, "%s", plan->fuse_missing);
    _cleanup_close_ int fuse_fd = -1;
    int r = open_fuse_device(target, kernel_reason, &fuse_fd, err);
    if (r < 0)
        return r;
    char reason[NOOK_ERROR_MAX];
    _cleanup_close_ int mnt = -1;
    r = fuse_mount(fuse_fd, flags, &mnt, reason, sizeof(reason));
    if (r == 0)
        r = attach(mnt, target) < 0 ? refusal(reason, sizeof(reason), -1, errno, "attach it") : 0;
    if (r < 0)
        return fuse_failure(target, kernel_reason, err, -r, "mount the FUSE connection: %s", reason);

    char text[NOOK_ERROR_MAX];
    snprintf(text, sizeof(text), "%d %s", target->index, kernel_reason ? kernel_reason : "");
    if (nook_sync_send_fd(ctx->sync_fd, NOOK_SYNC_OVERLAY_FUSE, fuse_fd, text) < 0)
        return nook_error_set(err, EPIPE, "%s: ask for fuse-overlayfs: the setup socket is closed",
                              target->name);
    /* The daemon's copy is the only one left: if it dies, the mount fails. */
    closep(&fuse_fd);
    fuse_fd = -1;
    r = nook_sync_expect(ctx->sync_fd, NOOK_SYNC_CONTINUE, err);
    if (r < 0)
        return r;
    struct stat st;
    if (fstat(mnt, &st) < 0)
        return nook_error_set_errno(err, errno,
                                    "%s: fuse-overlayfs does not answer (its log is "
                                    NOOK_OVERLAY_DIR "/fuse-overlayfs*.log in the state directory)",
                                    target->name);
    return 0;
}

/* The kernel's overlay where it agrees, else fuse-overlayfs, as
 * nook.overlay.driver allows. */
static int mount_overlay(const struct nook_init_ctx *ctx, const struct overlay_target *target,
                         const struct nook_overlay_layers *layers, int upper_fd, int work_fd,
                         unsigned long flags, struct nook_error *err)
{
    const struct nook_overlay_plan *plan = ctx->overlay;
    if (plan->choice == NOOK_OVERLAY_CHOICE_FUSE && !layers->upper)
        return fuse_failure(target, NULL, err, EINVAL,
                            "it cannot mount a read-only overlay (one without upperdir)");
    if (plan->choice == NOOK_OVERLAY_CHOICE_FUSE)
        return fuse_overlay(ctx, target, flags, NULL, err);

    char reason[NOOK_ERROR_MAX] = "";
    _cleanup_close_ int mnt = -1;
    int r = kernel_overlay(ctx, layers, upper_fd, work_fd, flags, &mnt, reason, sizeof(reason));
    if (r == 0) {
        r = attach(mnt, target);
        if (r < 0)
            return nook_error_set_errno(err, -r, "%s: attach the overlay", target->name);
        char text[32];
        snprintf(text, sizeof(text), "%d", target->index);
        (void)nook_sync_send(ctx->sync_fd, NOOK_SYNC_OVERLAY_MOUNTED, 0, text);
        return 0;
    }
    if (plan->choice == NOOK_OVERLAY_CHOICE_KERNEL)
        return nook_error_set(err, -r,
                              "%s: the kernel's overlayfs refused it: %s (" NOOK_OVERLAY_DRIVER_ANNOTATION
                              " is \"kernel\": no fuse-overlayfs)",
                              target->name, reason);
    if (!layers->upper)
        return nook_error_set(err, -r,
                              "%s: the kernel's overlayfs refused it: %s; fuse-overlayfs cannot stand "
                              "in for a read-only overlay (one without upperdir)",
                              target->name, reason);
    nook_init_log(ctx, NOOK_SYNC_LEVEL_DEBUG, "%s: the kernel's overlayfs refused it: %s; trying fuse-overlayfs",
                  target->name, reason);
    return fuse_overlay(ctx, target, flags, reason, err);
}

int nook_overlay_mount_root(const struct nook_init_ctx *ctx, const char *rootfs,
                            struct nook_error *err)
{
    const struct nook_overlay_plan *plan = ctx->overlay;
    struct overlay_target target = { .index = NOOK_OVERLAY_ROOT, .dir_fd = AT_FDCWD, .path = rootfs };
    snprintf(target.name, sizeof(target.name), "overlay root");
    /* upper_fd and work_fd are O_CLOEXEC: the container's process never
     * has them. */
    return mount_overlay(ctx, &target, &plan->root_layers, plan->upper_fd, plan->work_fd, 0, err);
}

int nook_overlay_mount_config(const struct nook_init_ctx *ctx, size_t index, int target_fd,
                              unsigned long flags, struct nook_error *err)
{
    const struct nook_overlay_plan *plan = ctx->overlay;
    const struct nook_spec_mount *m = &ctx->spec->mounts[index];
    struct overlay_target target = { .index = (int)index, .dir_fd = target_fd, .path = "" };
    snprintf(target.name, sizeof(target.name), ".mounts[%zu]: overlay on \"%s\"", index,
             m->destination);
    if (!plan || index >= plan->n_mounts || !plan->mounts[index])
        return nook_error_set(err, EINVAL, "%s: its layers were not read", target.name);
    return mount_overlay(ctx, &target, plan->mounts[index], -1, -1, flags, err);
}

int nook_overlay_open_dirs(const struct nook_init_ctx *ctx, struct nook_error *err)
{
    struct nook_overlay_plan *plan = ctx->overlay;
    if (!plan || !plan->root)
        return 0;
    const char *paths[] = { plan->root_layers.upper, plan->root_layers.work };
    int *fds[] = { &plan->upper_fd, &plan->work_fd };
    for (size_t i = 0; i < N_ELEMENTS(paths); i++) {
        *fds[i] = open(paths[i], O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (*fds[i] < 0)
            return nook_error_set_errno(err, errno, "overlay root: open \"%s\"", paths[i]);
    }
    return 0;
}
