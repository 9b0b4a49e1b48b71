/* cgroup.c: SKELETON, being written. */
#include <errno.h>

#include "cgroup-internal.h"

int nook_cgroup_manager_parse(const char *name, enum nook_cgroup_manager *out)
{
    (void)name;
    (void)out;
    return -ENOTSUP;
}

void nook_cgroup_clear(struct nook_cgroup *cgroup)
{
    (void)cgroup;
}

int nook_cgroup_from_state(const struct nook_state *state, struct nook_cgroup *out,
                           struct nook_error *err)
{
    (void)state;
    (void)out;
    (void)err;
    return -ENOTSUP;
}

int nook_cgroup_to_state(const struct nook_cgroup *cgroup, struct nook_state *state,
                         struct nook_error *err)
{
    (void)cgroup;
    (void)state;
    (void)err;
    return -ENOTSUP;
}

int nook_cgroup_prepare(const struct nook_cgroup_request *request,
                        struct nook_cgroup_setup *setup, struct nook_error *err)
{
    (void)request;
    (void)setup;
    (void)err;
    return -ENOTSUP;
}

int nook_cgroup_attach(struct nook_cgroup_setup *setup, const struct nook_cgroup_request *request,
                       pid_t pid, struct nook_error *err)
{
    (void)setup;
    (void)request;
    (void)pid;
    (void)err;
    return -ENOTSUP;
}

void nook_cgroup_setup_clear(struct nook_cgroup_setup *setup)
{
    (void)setup;
}

int nook_cgroup_destroy(const struct nook_cgroup *cgroup, struct nook_error *err)
{
    (void)cgroup;
    (void)err;
    return -ENOTSUP;
}

int nook_cgroup_open(const struct nook_cgroup *cgroup, const char *sub, int *out_fd,
                     struct nook_error *err)
{
    (void)cgroup;
    (void)sub;
    (void)out_fd;
    (void)err;
    return -ENOTSUP;
}

int nook_cgroup_freeze(const struct nook_cgroup *cgroup, bool freeze, struct nook_error *err)
{
    (void)cgroup;
    (void)freeze;
    (void)err;
    return -ENOTSUP;
}

bool nook_cgroup_is_frozen(const struct nook_cgroup *cgroup)
{
    (void)cgroup;
    return false;
}

int nook_cgroup_signal_all(const struct nook_cgroup *cgroup, int sig, struct nook_error *err)
{
    (void)cgroup;
    (void)sig;
    (void)err;
    return -ENOTSUP;
}

int nook_cgroup_pids(const struct nook_cgroup *cgroup, pid_t **out, size_t *count,
                     struct nook_error *err)
{
    (void)cgroup;
    (void)out;
    (void)count;
    (void)err;
    return -ENOTSUP;
}

int nook_cgroup_update(const struct nook_cgroup *cgroup,
                       const struct nook_spec_resources *resources, struct nook_error *err)
{
    (void)cgroup;
    (void)resources;
    (void)err;
    return -ENOTSUP;
}
