/* cgroup-v2.c: SKELETON, being written. */
#include <errno.h>

#include "cgroup-internal.h"

int nook_cgroup_v2_root(const char **out)
{
    (void)out;
    return -ENOTSUP;
}

int nook_cgroup_v2_open_path(const char *path, int *out_fd, struct nook_error *err)
{
    (void)path;
    (void)out_fd;
    (void)err;
    return -ENOTSUP;
}

int nook_cgroup_v2_of_pid(pid_t pid, char **out_path, struct nook_error *err)
{
    (void)pid;
    (void)out_path;
    (void)err;
    return -ENOTSUP;
}

int nook_cgroup_v2_mkdir(const char *path, char **made_from, struct nook_error *err)
{
    (void)path;
    (void)made_from;
    (void)err;
    return -ENOTSUP;
}

int nook_cgroup_v2_remove_tree(const char *path, struct nook_error *err)
{
    (void)path;
    (void)err;
    return -ENOTSUP;
}

int nook_cgroup_v2_move(int dirfd, pid_t pid, struct nook_error *err)
{
    (void)dirfd;
    (void)pid;
    (void)err;
    return -ENOTSUP;
}
