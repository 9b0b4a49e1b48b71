/* rootfs-internal.h: what the rootfs rooms (rootfs.c, mounts.c, devices.c,
 * masked.c) hand each other; nothing outside them includes this. */
#pragma once

#include <stdbool.h>

#include "../error.h"
#include "init.h"

/* What config.json's mounts make of the places the later steps care about. */
struct rootfs_plan {
    bool dev_fresh;     /* a non-bind mount (tmpfs) on /dev: nook fills it */
    bool dev_bound;     /* a bind mount on /dev: the host's; nook adds nothing */
    bool proc_mounted;  /* something is mounted on /proc */
    bool devpts_mounted; /* devpts on /dev/pts */
};

void rootfs_plan_from_spec(const struct nook_spec *spec, struct rootfs_plan *plan);

/* mounts.c: every .mounts[] entry, in order, below root_fd (an O_PATH fd of
 * the rootfs, opened after the rootfs was bound onto itself). */
int rootfs_mount_all(const struct nook_init_ctx *ctx, int root_fd, struct nook_error *err);

/* devices.c: default devices, linux.devices, /dev symlinks and ptmx. */
int rootfs_setup_dev(const struct nook_init_ctx *ctx, int root_fd, const struct rootfs_plan *plan,
                     struct nook_error *err);

/* masked.c: after the switch of root; root_fd is "/". have_proc says
 * whether /proc/self/fd can name files for mount(2). */
int rootfs_mask_paths(const struct nook_init_ctx *ctx, int root_fd, bool have_proc,
                      struct nook_error *err);
int rootfs_readonly_paths(const struct nook_init_ctx *ctx, int root_fd, bool have_proc,
                          struct nook_error *err);
int rootfs_readonly_root(const struct nook_init_ctx *ctx, int root_fd, bool have_proc,
                         struct nook_error *err);
