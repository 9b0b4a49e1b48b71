/* overlay-mount.h: the init core's side of overlays (see ../overlay.h):
 * mounting them in the container's mount namespace, with the kernel's
 * overlayfs through the new mount API, or with a FUSE connection the init
 * mounts itself and create serves with fuse-overlayfs. */
#pragma once

#include <stddef.h>

#include "../error.h"
#include "init.h"

/* The overlay root over rootfs (root.path, absolute and real), in this
 * mount namespace only. Called once "/" no longer propagates to the host
 * and before the rootfs is bound onto itself. */
int nook_overlay_mount_root(const struct nook_init_ctx *ctx, const char *rootfs,
                            struct nook_error *err);

/* .mounts[index], a "type": "overlay" mount, onto target_fd (an O_PATH fd
 * of its mount point) with the MS_* flags its options asked for. */
int nook_overlay_mount_config(const struct nook_init_ctx *ctx, size_t index, int target_fd,
                              unsigned long flags, struct nook_error *err);

/* Open the root's upper and work directories into the init's copy of the
 * plan: in the container's mount namespace (overlayfs takes layers of
 * that namespace only), and before the init becomes the namespace's root,
 * which may not be allowed into the state directory (root's containers
 * with a user namespace). */
int nook_overlay_open_dirs(const struct nook_init_ctx *ctx, struct nook_error *err);
