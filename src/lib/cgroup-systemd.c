/* cgroup-systemd.c: the systemd cgroup manager (SKELETON: being written). */
#include <errno.h>

#include "cgroup-internal.h"

bool nook_cgroup_systemd_available(bool privileged)
{
    (void)privileged;
    return false;
}

int nook_cgroup_systemd_prepare(const struct nook_cgroup_request *request,
                                struct nook_cgroup_setup *setup, struct nook_error *err)
{
    (void)request;
    (void)setup;
    return nook_error_set(err, ENOTSUP, "the systemd cgroup manager is not built yet");
}

int nook_cgroup_systemd_attach(struct nook_cgroup_setup *setup,
                               const struct nook_cgroup_request *request, pid_t pid,
                               struct nook_error *err)
{
    (void)setup;
    (void)request;
    (void)pid;
    return nook_error_set(err, ENOTSUP, "the systemd cgroup manager is not built yet");
}

int nook_cgroup_systemd_stop(const struct nook_cgroup *cgroup, struct nook_error *err)
{
    (void)cgroup;
    return nook_error_set(err, ENOTSUP, "the systemd cgroup manager is not built yet");
}

int nook_cgroup_systemd_set_properties(const struct nook_cgroup *cgroup,
                                       const struct nook_spec_resources *resources,
                                       struct nook_error *err)
{
    (void)cgroup;
    (void)resources;
    return nook_error_set(err, ENOTSUP, "the systemd cgroup manager is not built yet");
}
