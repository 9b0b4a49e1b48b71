/* mount-util.c: mount moves shared by the rootfs rooms (see mount-util.h). */
#include <stdio.h>
#include <sys/mount.h>
#include <sys/statvfs.h>

#include "../resolve.h"
#include "../util.h"
#include "mount-util.h"

#define ATIME_FLAGS (MS_NOATIME | MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME)

/* The flags remount keeps unless told otherwise. */
#define KEPT_FLAGS (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_SYNCHRONOUS | MS_MANDLOCK)

const char *nook_mount_target_name(const struct nook_mount_target *target, char *buf, size_t size)
{
    if (target->use_fallback && target->fallback)
        return target->fallback;
    snprintf(buf, size, "/proc/self/fd/%d", target->fd);
    return buf;
}

int nook_mount_at(const char *source, const struct nook_mount_target *target, const char *type,
                  unsigned long flags, const char *data)
{
    char buf[NOOK_FD_PATH_MAX];
    const char *name = nook_mount_target_name(target, buf, sizeof(buf));
    if (mount(source, name, type, flags, data) < 0)
        return -errno;
    return 0;
}

int nook_mount_flags_of(int fd, unsigned long *flags)
{
    struct statvfs st;
    if (fstatvfs(fd, &st) < 0)
        return -errno;
    static const struct {
        unsigned long st;
        unsigned long ms;
    } map[] = {
        { ST_RDONLY, MS_RDONLY },       { ST_NOSUID, MS_NOSUID },
        { ST_NODEV, MS_NODEV },         { ST_NOEXEC, MS_NOEXEC },
        { ST_SYNCHRONOUS, MS_SYNCHRONOUS }, { ST_MANDLOCK, MS_MANDLOCK },
        { ST_NOATIME, MS_NOATIME },     { ST_NODIRATIME, MS_NODIRATIME },
        { ST_RELATIME, MS_RELATIME },
    };
    unsigned long out = 0;
    for (size_t i = 0; i < N_ELEMENTS(map); i++)
        if (st.f_flag & map[i].st)
            out |= map[i].ms;
    /* Neither noatime nor relatime: the mount updates atime always. */
    if (!(out & (MS_NOATIME | MS_RELATIME)))
        out |= MS_STRICTATIME;
    *flags = out;
    return 0;
}

int nook_remount_bind(const struct nook_mount_target *target, unsigned long set,
                      unsigned long cleared)
{
    unsigned long current = 0;
    int r = nook_mount_flags_of(target->fd, &current);
    if (r < 0)
        return r;
    unsigned long flags = set & ~(unsigned long)(MS_BIND | MS_REC | MS_REMOUNT);
    flags |= current & KEPT_FLAGS & ~cleared;
    /* The atime mode is one setting: keep the mount's unless the options
     * chose one. A user namespace may not change a locked one anyway. */
    if (!((set | cleared) & ATIME_FLAGS))
        flags |= current & ATIME_FLAGS;
    return nook_mount_at(NULL, target, NULL, flags | MS_BIND | MS_REMOUNT, NULL);
}

int nook_mount_setattr_recursive(int fd, uint64_t attr_set, uint64_t attr_clr)
{
    struct mount_attr attr = { .attr_set = attr_set, .attr_clr = attr_clr };
    if (mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0)
        return -errno;
    return 0;
}

int nook_mount_propagation(const struct nook_mount_target *target, unsigned long propagation)
{
    return nook_mount_at(NULL, target, NULL, propagation, NULL);
}
