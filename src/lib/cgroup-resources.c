/* cgroup-resources.c: SKELETON, being written. */
#include <errno.h>

#include "cgroup-internal.h"

size_t nook_cgroup_controllers_needed(const struct nook_spec_resources *resources,
                                      const char **out, size_t size)
{
    (void)resources;
    (void)out;
    (void)size;
    return 0;
}

int nook_cgroup_resources_validate(const struct nook_spec_resources *resources,
                                   struct nook_error *err)
{
    (void)resources;
    (void)err;
    return -ENOTSUP;
}

int nook_cgroup_enable_controllers(int parent_dirfd, const char *parent_path,
                                   const struct nook_spec_resources *resources, bool optional,
                                   char **warning, struct nook_error *err)
{
    (void)parent_dirfd;
    (void)parent_path;
    (void)resources;
    (void)optional;
    (void)warning;
    (void)err;
    return -ENOTSUP;
}

int nook_cgroup_write_resources(int dirfd, const struct nook_spec_resources *resources,
                                struct nook_error *err)
{
    (void)dirfd;
    (void)resources;
    (void)err;
    return -ENOTSUP;
}
