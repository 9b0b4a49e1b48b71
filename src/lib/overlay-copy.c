/* overlay-copy.c: copy an overlay's upper layer to another file system
 * for nook.rootfs.keep-upper (overlay.h), as it is: whiteouts (0/0
 * character devices), the xattrs overlayfs and fuse-overlayfs keep their
 * metadata in, owners, modes and times. Symlinks are never followed. The
 * same walk, without the xattrs, fills a "tmpcopyup" tmpfs in the init. */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include "overlay.h"

struct copy_walk {
    char path[PATH_MAX]; /* of the source entry, for errors */
    const char *purpose; /* what the copy is for, first in errors */
    bool xattrs;         /* keep the xattrs that matter */
    struct nook_error *err;
};

static int walk_fail(struct copy_walk *w, int errnum, const char *step)
{
    return nook_error_set_errno(w->err, errnum, "%s: %s \"%s\"", w->purpose, step, w->path);
}

/* xattrs that could not be kept only matter when overlayfs or
 * fuse-overlayfs wrote them; a security label of the source is not the
 * copy's business. */
static bool xattr_matters(const char *name)
{
    return strncmp(name, "user.", 5) == 0 || strncmp(name, "trusted.", 8) == 0;
}

static int copy_xattrs(struct copy_walk *w, int src, int dst)
{
    ssize_t size = flistxattr(src, NULL, 0);
    if (size < 0)
        return errno == ENOTSUP ? 0 : walk_fail(w, errno, "list the xattrs of");
    if (size == 0)
        return 0;
    _cleanup_free_ char *names = malloc((size_t)size);
    if (!names)
        return walk_fail(w, ENOMEM, "copy");
    size = flistxattr(src, names, (size_t)size);
    if (size < 0)
        return walk_fail(w, errno, "list the xattrs of");
    for (char *name = names; name < names + size; name += strlen(name) + 1) {
        ssize_t len = fgetxattr(src, name, NULL, 0);
        if (len < 0)
            return walk_fail(w, errno, "read an xattr of");
        _cleanup_free_ char *value = malloc(len ? (size_t)len : 1);
        if (!value)
            return walk_fail(w, ENOMEM, "copy");
        len = fgetxattr(src, name, value, (size_t)len);
        if (len < 0)
            return walk_fail(w, errno, "read an xattr of");
        if (fsetxattr(dst, name, value, (size_t)len, 0) < 0 && xattr_matters(name))
            return nook_error_set_errno(w->err, errno, "%s: set the xattr %s on the copy of \"%s\"", w->purpose,
                                        name, w->path);
    }
    return 0;
}

static int copy_data(struct copy_walk *w, int src, int dst)
{
    for (;;) {
        ssize_t n = copy_file_range(src, NULL, dst, NULL, 1 << 30, 0);
        if (n == 0)
            return 0;
        if (n > 0)
            continue;
        if (errno != EXDEV && errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
            return walk_fail(w, errno, "copy");
        break;
    }
    char buf[65536];
    for (;;) {
        ssize_t n = read(src, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return walk_fail(w, errno, "read");
        if (n == 0)
            return 0;
        for (ssize_t done = 0; done < n;) {
            ssize_t m = write(dst, buf + done, (size_t)(n - done));
            if (m < 0 && errno == EINTR)
                continue;
            if (m < 0)
                return walk_fail(w, errno, "write the copy of");
            done += m;
        }
    }
}

/* Owner before mode (chown clears set-id bits), times last. */
static int copy_attrs(struct copy_walk *w, int src, int dst, const struct stat *st)
{
    int r = w->xattrs ? copy_xattrs(w, src, dst) : 0;
    if (r < 0)
        return r;
    if (fchown(dst, st->st_uid, st->st_gid) < 0)
        return walk_fail(w, errno, "give the copy the owner of");
    if (fchmod(dst, st->st_mode & 07777) < 0)
        return walk_fail(w, errno, "give the copy the mode of");
    struct timespec times[2] = { st->st_atim, st->st_mtim };
    if (futimens(dst, times) < 0)
        return walk_fail(w, errno, "give the copy the times of");
    return 0;
}

static int copy_dir_contents(struct copy_walk *w, int src, int dst);

static int copy_entry(struct copy_walk *w, int src_dir, int dst_dir, const char *name)
{
    size_t base = strlen(w->path);
    if (snprintf(w->path + base, sizeof(w->path) - base, "/%s", name) >= (int)(sizeof(w->path) - base))
        return walk_fail(w, ENAMETOOLONG, "copy");
    struct stat st;
    int r = 0;
    if (fstatat(src_dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return walk_fail(w, errno, "stat");
    if (S_ISDIR(st.st_mode) || S_ISREG(st.st_mode)) {
        bool dir = S_ISDIR(st.st_mode);
        _cleanup_close_ int src = openat(src_dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | (dir ? O_DIRECTORY : 0));
        if (src < 0)
            return walk_fail(w, errno, "open");
        if (dir && mkdirat(dst_dir, name, 0700) < 0)
            return walk_fail(w, errno, "make the copy of");
        _cleanup_close_ int dst = dir ? openat(dst_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                                      : openat(dst_dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (dst < 0)
            return walk_fail(w, errno, "make the copy of");
        r = dir ? copy_dir_contents(w, src, dst) : copy_data(w, src, dst);
        if (r == 0)
            r = copy_attrs(w, src, dst, &st);
    } else if (S_ISLNK(st.st_mode)) {
        char target[PATH_MAX];
        ssize_t n = readlinkat(src_dir, name, target, sizeof(target) - 1);
        if (n < 0)
            return walk_fail(w, errno, "read the link");
        target[n] = '\0';
        struct timespec times[2] = { st.st_atim, st.st_mtim };
        if (symlinkat(target, dst_dir, name) < 0 ||
            fchownat(dst_dir, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0 ||
            utimensat(dst_dir, name, times, AT_SYMLINK_NOFOLLOW) < 0)
            r = walk_fail(w, errno, "copy the link");
    } else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) || S_ISFIFO(st.st_mode)) {
        /* Whiteouts are 0/0 character devices, which a user namespace may
         * make. */
        struct timespec times[2] = { st.st_atim, st.st_mtim };
        if (mknodat(dst_dir, name, st.st_mode, st.st_rdev) < 0 ||
            fchownat(dst_dir, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0 ||
            utimensat(dst_dir, name, times, AT_SYMLINK_NOFOLLOW) < 0)
            r = walk_fail(w, errno, "copy the device node");
    }
    w->path[base] = '\0';
    return r;
}

static int copy_dir_contents(struct copy_walk *w, int src, int dst)
{
    int fd = openat(src, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return walk_fail(w, errno, "read");
    _cleanup_closedir_ DIR *d = fdopendir(fd);
    if (!d) {
        int saved = errno;
        close(fd);
        return walk_fail(w, saved, "read");
    }
    for (;;) {
        errno = 0;
        struct dirent *e = readdir(d);
        if (!e)
            return errno ? walk_fail(w, errno, "read") : 0;
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        int r = copy_entry(w, dirfd(d), dst, e->d_name);
        if (r < 0)
            return r;
    }
}

int nook_overlay_copy_tree(int src_dir_fd, const char *dest, struct nook_error *err)
{
    struct copy_walk w = { .purpose = "keep the upper layer", .xattrs = true, .err = err };
    snprintf(w.path, sizeof(w.path), "upper");
    struct stat st;
    if (fstat(src_dir_fd, &st) < 0)
        return walk_fail(&w, errno, "stat");
    if (mkdir(dest, 0700) < 0 && errno != EEXIST)
        return nook_error_set_errno(err, errno, "keep the upper layer: create \"%s\"", dest);
    _cleanup_close_ int dst = open(dest, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dst < 0)
        return nook_error_set_errno(err, errno, "keep the upper layer: open \"%s\"", dest);
    int r = copy_dir_contents(&w, src_dir_fd, dst);
    return r < 0 ? r : copy_attrs(&w, src_dir_fd, dst, &st);
}

int nook_copy_dir_contents(int src_dir_fd, int dst_dir_fd, const char *what, struct nook_error *err)
{
    struct copy_walk w = { .purpose = "copy up", .err = err };
    snprintf(w.path, sizeof(w.path), "%s", what);
    return copy_dir_contents(&w, src_dir_fd, dst_dir_fd);
}
