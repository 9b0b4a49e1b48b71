/* devices.c: the container's /dev: the devices every container gets
 * (null, zero, full, random, urandom, tty) and linux.devices, then the
 * conventional symlinks and /dev/ptmx. A process with real privilege
 * makes the nodes with mknod; in a user namespace the kernel refuses that,
 * so the host's own node is bound onto an empty file instead (the device
 * cgroup, not the node, is what limits access anyway). */
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "../resolve.h"
#include "mount-util.h"
#include "rootfs-internal.h"
#include "sync.h"

struct device {
    const char *path;
    char type;      /* 'c', 'b', 'p' ('u' is read as 'c') */
    int64_t major;
    int64_t minor;
    mode_t mode;
    uid_t uid;
    gid_t gid;
};

static const struct device default_devices[] = {
    { "/dev/null", 'c', 1, 3, 0666, 0, 0 },
    { "/dev/zero", 'c', 1, 5, 0666, 0, 0 },
    { "/dev/full", 'c', 1, 7, 0666, 0, 0 },
    { "/dev/random", 'c', 1, 8, 0666, 0, 0 },
    { "/dev/urandom", 'c', 1, 9, 0666, 0, 0 },
    { "/dev/tty", 'c', 5, 0, 0666, 0, 0 },
};

/* "where" in errors: ".linux.devices[2]" or "default device". */
static int device_fail(struct nook_error *err, int errnum, const char *where,
                       const struct device *dev, const char *step)
{
    return nook_error_set_errno(err, errnum, "%s: %s \"%s\"", where, step, dev->path);
}

/* Split "/dev/foo/bar" into the parent directory and the last name; the
 * name must be a real entry, not "." or "..". */
static int split_path(const char *path, char *parent, size_t size, const char **name)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return -EINVAL;
    *name = slash + 1;
    if (!**name || strcmp(*name, ".") == 0 || strcmp(*name, "..") == 0)
        return -EINVAL;
    size_t len = (size_t)(slash - path);
    if (len + 1 >= size)
        return -ENAMETOOLONG;
    memcpy(parent, path, len);
    parent[len] = '\0';
    if (len == 0)
        strcpy(parent, "/");
    return 0;
}

static mode_t node_type(char type)
{
    switch (type) {
    case 'b':
        return S_IFBLK;
    case 'p':
        return S_IFIFO;
    default:
        return S_IFCHR;
    }
}

/* mknod, replacing whatever else is there (not a directory); then the
 * owner and mode asked for, which mknod's umask would otherwise bend. */
static int make_node(int dir_fd, const char *name, const struct device *dev)
{
    mode_t type = node_type(dev->type);
    dev_t rdev = type == S_IFIFO ? 0 : makedev((unsigned)dev->major, (unsigned)dev->minor);
    if (mknodat(dir_fd, name, type | (dev->mode & 07777), rdev) < 0) {
        if (errno != EEXIST)
            return -errno;
        struct stat st;
        if (fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
            return -errno;
        if (S_ISDIR(st.st_mode))
            return -EISDIR;
        if ((st.st_mode & S_IFMT) != type || st.st_rdev != rdev) {
            if (unlinkat(dir_fd, name, 0) < 0)
                return -errno;
            if (mknodat(dir_fd, name, type | (dev->mode & 07777), rdev) < 0)
                return -errno;
        }
    }
    _cleanup_close_ int fd = openat(dir_fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    if (fchownat(fd, "", dev->uid, dev->gid, AT_EMPTY_PATH) < 0)
        return -errno;
    char path[NOOK_FD_PATH_MAX];
    if (chmod(nook_fd_path(fd, path), dev->mode & 07777) < 0)
        return -errno;
    return 0;
}

/* An empty regular file to bind the host's node onto; an existing node
 * or file serves, anything else in the way (a symlink) is replaced. */
static int open_bind_target(int dir_fd, const char *name, int *out_fd)
{
    for (int tries = 0; tries < 2; tries++) {
        int fd = openat(dir_fd, name, O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY | O_CLOEXEC, 0644);
        if (fd >= 0)
            close(fd);
        else if (errno != EEXIST)
            return -errno;
        fd = openat(dir_fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
            return -errno;
        struct stat st;
        if (fstat(fd, &st) < 0) {
            int r = -errno;
            close(fd);
            return r;
        }
        if (S_ISREG(st.st_mode) || S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
            *out_fd = fd;
            return 0;
        }
        close(fd);
        if (S_ISDIR(st.st_mode))
            return -EISDIR;
        if (unlinkat(dir_fd, name, 0) < 0)
            return -errno;
    }
    return -EEXIST;
}

static int bind_host_node(int dir_fd, const char *name, const struct device *dev, const char *where,
                          struct nook_error *err)
{
    struct stat st;
    if (stat(dev->path, &st) < 0)
        return device_fail(err, errno, where, dev, "bind the host's device");
    if ((st.st_mode & S_IFMT) != node_type(dev->type))
        return nook_error_set(err, EINVAL,
                              "%s: bind the host's device \"%s\": it is not a %s device on the host",
                              where, dev->path, dev->type == 'b' ? "block" : "character");
    /* Binding another device than the one asked for would pass silently
     * for it; the host's node must be that very device. */
    if (st.st_rdev != makedev((unsigned)dev->major, (unsigned)dev->minor))
        return nook_error_set(err, EINVAL,
                              "%s: bind the host's device \"%s\": it is %u:%u on the host, not %" PRId64
                              ":%" PRId64 " (rootless, nook can only bind the host's node)",
                              where, dev->path, major(st.st_rdev), minor(st.st_rdev), dev->major,
                              dev->minor);
    _cleanup_close_ int fd = -1;
    int r = open_bind_target(dir_fd, name, &fd);
    if (r < 0)
        return device_fail(err, -r, where, dev, "create the mount point for");
    struct nook_mount_target target = { .fd = fd };
    r = nook_mount_at(dev->path, &target, NULL, MS_BIND, NULL);
    if (r < 0)
        return device_fail(err, -r, where, dev, "bind the host's device");
    return 0;
}

/* Whether what is at name already (if anything) is the device dev asks
 * for: 0 when nothing is there or it is that device, -EEXIST when it is
 * something else. */
static int check_existing(int dir_fd, const char *name, const struct device *dev)
{
    struct stat st;
    if (fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return errno == ENOENT ? 0 : -errno;
    mode_t type = node_type(dev->type);
    if ((st.st_mode & S_IFMT) != type)
        return -EEXIST;
    if (type != S_IFIFO &&
        st.st_rdev != makedev((unsigned)dev->major, (unsigned)dev->minor))
        return -EEXIST;
    return 0;
}

/* must_match: a file already at the path that is not this device is an
 * error (runtime-spec, for linux.devices), not something to replace. */
static int create_device(const struct nook_init_ctx *ctx, int root_fd, const struct device *dev,
                         bool must_match, const char *where, struct nook_error *err)
{
    char parent[PATH_MAX];
    const char *name;
    int r = split_path(dev->path, parent, sizeof(parent), &name);
    if (r < 0)
        return device_fail(err, -r, where, dev, "create");
    _cleanup_close_ int dir_fd = -1;
    r = nook_resolve_create(root_fd, parent, S_IFDIR, 0755, 0, &dir_fd);
    if (r < 0)
        return device_fail(err, -r, where, dev, "create the directory of");
    if (must_match) {
        r = check_existing(dir_fd, name, dev);
        if (r == -EEXIST)
            return nook_error_set(err, EEXIST,
                                  "%s: \"%s\" is already in the container's file system "
                                  "and is not this device",
                                  where, dev->path);
        if (r < 0)
            return device_fail(err, -r, where, dev, "look at");
    }

    /* Anyone may make a fifo; device nodes need real privilege. */
    bool privileged = !ctx->rootless && !ctx->userns;
    if (dev->type == 'p' || privileged) {
        r = make_node(dir_fd, name, dev);
        if (r < 0)
            return device_fail(err, -r, where, dev, "create");
        return 0;
    }
    return bind_host_node(dir_fd, name, dev, where, err);
}

static bool overridden(const struct nook_spec_linux *linux_config, const char *path)
{
    for (size_t i = 0; linux_config && i < linux_config->n_devices; i++)
        if (strcmp(linux_config->devices[i].path, path) == 0)
            return true;
    return false;
}

static int make_symlink(int dev_fd, const char *target, const char *name, struct nook_error *err)
{
    if (symlinkat(target, dev_fd, name) < 0 && errno != EEXIST)
        return nook_error_set_errno(err, errno, "create the symlink /dev/%s → %s", name, target);
    return 0;
}

/* /dev/fd and friends, and /dev/ptmx → pts/ptmx so that opening it
 * reaches the container's own devpts instance. */
static int make_dev_links(const struct nook_init_ctx *ctx, int root_fd,
                          const struct rootfs_plan *plan, struct nook_error *err)
{
    _cleanup_close_ int dev_fd = -1;
    int r = nook_resolve_open(root_fd, "/dev", O_PATH | O_DIRECTORY, 0, &dev_fd);
    if (r < 0)
        return nook_error_set_errno(err, -r, "open /dev in the rootfs");
    static const struct {
        const char *name;
        const char *target;
    } links[] = {
        { "fd", "/proc/self/fd" },
        { "stdin", "/proc/self/fd/0" },
        { "stdout", "/proc/self/fd/1" },
        { "stderr", "/proc/self/fd/2" },
    };
    for (size_t i = 0; i < N_ELEMENTS(links); i++) {
        r = make_symlink(dev_fd, links[i].target, links[i].name, err);
        if (r < 0)
            return r;
    }
    if (plan->proc_mounted) {
        r = make_symlink(dev_fd, "/proc/kcore", "core", err);
        if (r < 0)
            return r;
    }
    if (plan->devpts_mounted) {
        if (unlinkat(dev_fd, "ptmx", 0) < 0 && errno != ENOENT) {
            /* A device bound there by linux.devices stays. */
            if (errno == EBUSY) {
                nook_init_log(ctx, NOOK_SYNC_LEVEL_DEBUG,
                              "/dev/ptmx is a mount point; not replacing it with pts/ptmx");
                return 0;
            }
            return nook_error_set_errno(err, errno, "replace /dev/ptmx");
        }
        r = make_symlink(dev_fd, "pts/ptmx", "ptmx", err);
        if (r < 0)
            return r;
    }
    return 0;
}

int rootfs_setup_dev(const struct nook_init_ctx *ctx, int root_fd, const struct rootfs_plan *plan,
                     struct nook_error *err)
{
    if (plan->dev_bound)
        return 0;
    const struct nook_spec_linux *linux_config = ctx->spec->linux_config;
    int r;
    if (plan->dev_fresh) {
        for (size_t i = 0; i < N_ELEMENTS(default_devices); i++) {
            if (overridden(linux_config, default_devices[i].path))
                continue;
            r = create_device(ctx, root_fd, &default_devices[i], false, "default device", err);
            if (r < 0)
                return r;
        }
    }
    for (size_t i = 0; linux_config && i < linux_config->n_devices; i++) {
        const struct nook_spec_device *d = &linux_config->devices[i];
        struct device dev = {
            .path = d->path,
            .type = d->type == 'u' ? 'c' : d->type,
            .major = d->major,
            .minor = d->minor,
            .mode = d->file_mode.set ? (mode_t)d->file_mode.value : 0666,
            .uid = d->uid.set ? d->uid.value : 0,
            .gid = d->gid.set ? d->gid.value : 0,
        };
        char where[48];
        snprintf(where, sizeof(where), ".linux.devices[%zu]", i);
        r = create_device(ctx, root_fd, &dev, true, where, err);
        if (r < 0)
            return r;
    }
    if (plan->dev_fresh)
        return make_dev_links(ctx, root_fd, plan, err);
    return 0;
}
