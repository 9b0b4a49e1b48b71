/* mount-util.h: the few mount(2)/mount_setattr(2) moves the rootfs rooms
 * share: mounting onto a file the resolver opened (through its
 * /proc/self/fd/N path, so the kernel cannot follow a symlink swapped in
 * after the lookup), remounting a bind mount without losing the flags a
 * user namespace may not clear, and recursive attribute changes. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How to name an opened file to mount(2): normally its /proc/self/fd/N
 * path; after pivot_root into a container without /proc, the path inside
 * the container (which symlinks can no longer lead out of). */
struct nook_mount_target {
    int fd;               /* O_PATH fd from the resolver */
    const char *fallback; /* path to use when /proc is not there; may be NULL */
    bool use_fallback;
};

/* The name mount(2) should use for target; buf holds it when needed. */
const char *nook_mount_target_name(const struct nook_mount_target *target, char *buf, size_t size);

/* mount(source, <target>, type, flags, data). Returns 0 or -errno. */
int nook_mount_at(const char *source, const struct nook_mount_target *target, const char *type,
                  unsigned long flags, const char *data);

/* Remount the bind mount at target with MS_BIND|MS_REMOUNT and set
 * (MS_RDONLY, MS_NOSUID, ...), minus cleared; what neither names is kept
 * from the mount as it is (as mount(8) does), which also keeps the flags a
 * user namespace is not allowed to clear. Returns 0 or -errno. */
int nook_remount_bind(const struct nook_mount_target *target, unsigned long set,
                      unsigned long cleared);

/* Change MOUNT_ATTR_* on the mount at fd and every mount below it.
 * -ENOSYS before Linux 5.12. */
int nook_mount_setattr_recursive(int fd, uint64_t attr_set, uint64_t attr_clr);

/* The mount(2) propagation change (MS_SHARED | MS_REC, ...) on target. */
int nook_mount_propagation(const struct nook_mount_target *target, unsigned long propagation);

/* Flags of a mount as MS_* bits, from statvfs on fd. */
int nook_mount_flags_of(int fd, unsigned long *flags);
