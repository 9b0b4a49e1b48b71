/* rootfs.c: the order in which the container's file system view is built
 * (see rootfs.h), and the steps that concern the root itself: mount
 * propagation, binding the rootfs onto itself so it is a mount point, and
 * the switch of root with pivot_root or MS_MOVE + chroot. The mounts, /dev
 * and the masked and read-only paths have rooms of their own. */
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "../hooks.h"
#include "../overlay.h"
#include "mount-options.h"
#include "overlay-mount.h"
#include "rootfs-internal.h"
#include "rootfs.h"
#include "sync.h"

/* The propagation linux.rootfsPropagation asks for, 0 when absent. */
static unsigned long config_propagation(const struct nook_init_ctx *ctx)
{
    const struct nook_spec_linux *l = ctx->spec->linux_config;
    return l && l->rootfs_propagation ? nook_mount_propagation_flags(l->rootfs_propagation) : 0;
}

/* "/" first: every mount of this namespace a slave of the host's (it
 * receives, it never sends), whatever rootfsPropagation says: applying
 * that here would change the source of the bind below (an unbindable "/"
 * cannot be bound from), and "shared" would join the host's peer groups.
 * Then the rootfs as a mount point of its own, so that pivot_root accepts
 * it. The bind of a slave is a slave of the same master: for
 * rootfsPropagation "slave"/"rslave" it stays so, receiving what the host
 * mounts in it (runtime-spec: "receives propagation events from the
 * host"); otherwise it is made private, cut off from the host, and the
 * propagation asked for is applied once it is "/" (nook_rootfs_prepare). */
static int prepare_root(const struct nook_init_ctx *ctx, const char *rootfs, struct nook_error *err)
{
    /* Also what pivot_root needs: no shared mount above the new root. */
    if (mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0)
        return nook_error_set_errno(err, errno, "make \"/\" a slave of the host's mounts");
    /* An overlay root goes over root.path here, in this namespace only:
     * nothing mounted on it travels back to the host any more. */
    if (ctx->overlay && ctx->overlay->root) {
        int r = nook_overlay_mount_root(ctx, rootfs, err);
        if (r < 0)
            return r;
    }
    if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
        return nook_error_set_errno(err, errno, "bind the rootfs \"%s\" onto itself", rootfs);
    if ((config_propagation(ctx) & MS_SLAVE) == 0 && mount(NULL, rootfs, NULL, MS_PRIVATE, NULL) < 0)
        return nook_error_set_errno(err, errno, "make the rootfs \"%s\" private", rootfs);
    return 0;
}

/* pivot_root(".", ".") stacks the old root on top of the new one. The
 * old root is then made a slave (so its unmount does not travel to the
 * host) and lazily unmounted, both through a directory fd of it taken
 * before the pivot: "." from the new root would name the new root's mount
 * for mount(2), and a recursive slave there would undo the propagation
 * the container's own mounts asked for (rshared binds). */
static int switch_root_pivot(int root_fd, struct nook_error *err)
{
    _cleanup_close_ int old_root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (old_root < 0)
        return nook_error_set_errno(err, errno, "open the old root");
    if (fchdir(root_fd) < 0)
        return nook_error_set_errno(err, errno, "enter the rootfs");
    if (syscall(SYS_pivot_root, ".", ".") < 0)
        return nook_error_set_errno(err, errno, "pivot_root into the rootfs");
    if (fchdir(old_root) < 0)
        return nook_error_set_errno(err, errno, "enter the old root");
    if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
        return nook_error_set_errno(err, errno, "make the old root a slave");
    if (umount2(".", MNT_DETACH) < 0)
        return nook_error_set_errno(err, errno, "unmount the old root");
    if (chdir("/") < 0)
        return nook_error_set_errno(err, errno, "chdir to the new root");
    return 0;
}

/* --no-pivot, for roots pivot_root cannot take (an initramfs): move the
 * rootfs over "/" and chroot into it. The old root stays reachable to a
 * process that can escape a chroot, which is why this is not the default. */
static int switch_root_move(int root_fd, struct nook_error *err)
{
    if (fchdir(root_fd) < 0)
        return nook_error_set_errno(err, errno, "enter the rootfs");
    if (mount(".", "/", NULL, MS_MOVE, NULL) < 0)
        return nook_error_set_errno(err, errno, "move the rootfs onto \"/\"");
    if (chroot(".") < 0)
        return nook_error_set_errno(err, errno, "chroot into the rootfs");
    if (chdir("/") < 0)
        return nook_error_set_errno(err, errno, "chdir to the new root");
    return 0;
}

static bool has_mount_namespace(const struct nook_init_ctx *ctx)
{
    return nook_spec_find_namespace(ctx->spec, NOOK_NS_MOUNT) != NULL ||
           ctx->ns_fds[NOOK_NS_MOUNT] >= 0;
}

int nook_rootfs_prepare(const struct nook_init_ctx *ctx, struct nook_error *err)
{
    /* Without a mount namespace of its own every step below would change
     * the host. */
    if (!has_mount_namespace(ctx))
        return nook_error_set(err, EINVAL,
                              "config.json: .linux.namespaces: a mount namespace is required to "
                              "set up the root filesystem");
    _cleanup_free_ char *rootfs = realpath(ctx->rootfs, NULL);
    if (!rootfs)
        return nook_error_set_errno(err, errno, "rootfs \"%s\"", ctx->rootfs);

    int r = prepare_root(ctx, rootfs, err);
    if (r < 0)
        return r;
    /* Opened only now, so that it names the bind and not the mount below. */
    _cleanup_close_ int root_fd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root_fd < 0)
        return nook_error_set_errno(err, errno, "open the rootfs \"%s\"", rootfs);

    r = rootfs_mount_all(ctx, root_fd, err);
    if (r < 0)
        return r;
    struct rootfs_plan plan;
    rootfs_plan_from_spec(ctx->spec, &plan);
    r = rootfs_setup_dev(ctx, root_fd, &plan, err);
    if (r < 0)
        return r;
    /* The runtime-spec's createRuntime/createContainer point: mounts done,
     * root not switched yet. */
    r = nook_hooks_init_create(ctx, err);
    if (r < 0)
        return r;

    return ctx->no_pivot ? switch_root_move(root_fd, err) : switch_root_pivot(root_fd, err);
}

/* The propagation linux.rootfsPropagation asks for, on the container's "/"
 * (and with MS_REC on every mount below it), once nothing is mounted any
 * more: the masked paths and /dev/console are binds, which an unbindable
 * source (runbindable) would refuse. From private, "shared" makes a new
 * peer group, not the host's. */
static int apply_root_propagation(const struct nook_init_ctx *ctx, struct nook_error *err)
{
    unsigned long propagation = config_propagation(ctx);
    if (propagation && mount(NULL, "/", NULL, propagation, NULL) < 0)
        return nook_error_set_errno(err, errno, "config.json: .linux.rootfsPropagation \"%s\"",
                                    ctx->spec->linux_config->rootfs_propagation);
    return 0;
}

int nook_rootfs_finalize(const struct nook_init_ctx *ctx, struct nook_error *err)
{
    _cleanup_close_ int root_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root_fd < 0)
        return nook_error_set_errno(err, errno, "open the container's \"/\"");
    /* mount(2) reaches resolved files through /proc/self/fd; a container
     * without /proc gets plain paths, which after the switch of root can
     * no longer lead out of it. */
    bool have_proc = access("/proc/self/fd", F_OK) == 0;
    int r = rootfs_mask_paths(ctx, root_fd, have_proc, err);
    if (r >= 0)
        r = rootfs_readonly_paths(ctx, root_fd, have_proc, err);
    if (r >= 0)
        r = rootfs_readonly_root(ctx, root_fd, have_proc, err);
    if (r >= 0)
        r = apply_root_propagation(ctx, err);
    return r;
}

int nook_rootfs_setup(const struct nook_init_ctx *ctx, struct nook_error *err)
{
    int r = nook_rootfs_prepare(ctx, err);
    if (r < 0)
        return r;
    return nook_rootfs_finalize(ctx, err);
}
