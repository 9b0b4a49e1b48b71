/* rootfs.h: the container's view of the file system, built by the init
 * core inside the child's new mount namespace (after the id maps are
 * written, while the child is root in its user namespace). */
#pragma once

#include "../error.h"
#include "init.h"

/* Everything, in order: nook_rootfs_prepare() then nook_rootfs_finalize().
 * For a caller with nothing to do between the two. */
int nook_rootfs_setup(const struct nook_init_ctx *ctx, struct nook_error *err);

/* Up to the switch of root: "/" made rslave, the rootfs bound onto itself
 * (private, or a slave of the host's mount for linux.rootfsPropagation
 * slave/rslave), every config.json mount in order, /dev (devices,
 * symlinks, ptmx), then pivot_root (or, with ctx->no_pivot, MS_MOVE +
 * chroot). Afterwards "/" is the container's root and the working
 * directory is "/". */
int nook_rootfs_prepare(const struct nook_init_ctx *ctx, struct nook_error *err);

/* After the switch, and after anything that still writes to /proc/sys
 * (sysctl): linux.maskedPaths, linux.readonlyPaths, root.readonly, then
 * linux.rootfsPropagation on "/" (last: no bind can come from an
 * unbindable mount).
 * runc keeps this order so sysctls can be written before /proc/sys turns
 * read-only. */
int nook_rootfs_finalize(const struct nook_init_ctx *ctx, struct nook_error *err);
