/* masked.c: the last touches once the container's root is "/":
 * linux.maskedPaths (hidden: /dev/null over a file, an empty read-only
 * tmpfs over a directory), linux.readonlyPaths (bound onto themselves,
 * read-only) and root.readonly. A path the container does not have is
 * nothing to hide and is skipped, as runc does. */
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "../resolve.h"
#include "mount-util.h"
#include "rootfs-internal.h"

/* Open path for mount(2) inside "/"; -ENOENT when it is not there. */
static int open_path(int root_fd, const char *path, bool have_proc, int *fd,
                     struct nook_mount_target *target)
{
    int r = nook_resolve_open(root_fd, path, O_PATH, 0, fd);
    if (r < 0)
        return r;
    *target = (struct nook_mount_target){ .fd = *fd, .fallback = path, .use_fallback = !have_proc };
    return 0;
}

/* The container's /dev/null, checked to be the real device: masking a
 * file with anything else would show its content. */
static int open_dev_null(int root_fd, int *fd, struct nook_error *err)
{
    int r = nook_resolve_open(root_fd, "/dev/null", O_PATH, 0, fd);
    if (r < 0)
        return nook_error_set_errno(err, -r, "mask paths: open the container's /dev/null");
    struct stat st;
    if (fstat(*fd, &st) < 0)
        return nook_error_set_errno(err, errno, "mask paths: stat the container's /dev/null");
    if (!S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3))
        return nook_error_set(err, ENODEV,
                              "mask paths: the container's /dev/null is not the null device");
    return 0;
}

int rootfs_mask_paths(const struct nook_init_ctx *ctx, int root_fd, bool have_proc,
                      struct nook_error *err)
{
    const struct nook_spec_linux *linux_config = ctx->spec->linux_config;
    if (!linux_config || !linux_config->masked_paths)
        return 0;
    _cleanup_close_ int null_fd = -1;
    for (char **p = linux_config->masked_paths; *p; p++) {
        _cleanup_close_ int fd = -1;
        struct nook_mount_target target;
        int r = open_path(root_fd, *p, have_proc, &fd, &target);
        if (r == -ENOENT)
            continue;
        if (r < 0)
            return nook_error_set_errno(err, -r, "mask \"%s\"", *p);
        struct stat st;
        if (fstat(fd, &st) < 0)
            return nook_error_set_errno(err, errno, "mask \"%s\"", *p);
        if (S_ISDIR(st.st_mode)) {
            r = nook_mount_at("tmpfs", &target, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                              NULL);
        } else {
            if (null_fd < 0) {
                r = open_dev_null(root_fd, &null_fd, err);
                if (r < 0)
                    return r;
            }
            char buf[NOOK_FD_PATH_MAX];
            struct nook_mount_target null_target = { .fd = null_fd, .fallback = "/dev/null",
                                                     .use_fallback = !have_proc };
            const char *source = nook_mount_target_name(&null_target, buf, sizeof(buf));
            r = nook_mount_at(source, &target, NULL, MS_BIND, NULL);
        }
        if (r < 0)
            return nook_error_set_errno(err, -r, "mask \"%s\"", *p);
    }
    return 0;
}

/* Bind path onto itself and make that mount read-only; the flags the
 * mount had otherwise (and those a user namespace cannot clear) stay.
 * Returns 1 when path is not there. */
static int make_readonly(int root_fd, const char *path, bool have_proc, bool bind_first)
{
    _cleanup_close_ int fd = -1;
    struct nook_mount_target target;
    int r = open_path(root_fd, path, have_proc, &fd, &target);
    if (r == -ENOENT)
        return 1;
    if (r < 0)
        return r;
    if (bind_first) {
        char self[NOOK_FD_PATH_MAX];
        r = nook_mount_at(nook_mount_target_name(&target, self, sizeof(self)), &target, NULL,
                          MS_BIND | MS_REC, NULL);
        if (r < 0)
            return r;
        /* The new mount is on top now; the old fd still names the one below. */
        close(steal_fd(&fd));
        r = open_path(root_fd, path, have_proc, &fd, &target);
        if (r < 0)
            return r;
    }
    return nook_remount_bind(&target, MS_RDONLY, 0);
}

int rootfs_readonly_paths(const struct nook_init_ctx *ctx, int root_fd, bool have_proc,
                          struct nook_error *err)
{
    const struct nook_spec_linux *linux_config = ctx->spec->linux_config;
    if (!linux_config || !linux_config->readonly_paths)
        return 0;
    for (char **p = linux_config->readonly_paths; *p; p++) {
        int r = make_readonly(root_fd, *p, have_proc, true);
        if (r < 0)
            return nook_error_set_errno(err, -r, "make \"%s\" read-only", *p);
    }
    return 0;
}

int rootfs_readonly_root(const struct nook_init_ctx *ctx, int root_fd, bool have_proc,
                         struct nook_error *err)
{
    if (!ctx->spec->root || !ctx->spec->root->readonly)
        return 0;
    int r = make_readonly(root_fd, "/", have_proc, false);
    if (r < 0)
        return nook_error_set_errno(err, -r, "root.readonly: remount \"/\" read-only");
    return 0;
}
