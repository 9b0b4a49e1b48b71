/* oci-features.c: the parts the rooms of nook export for the runtime-spec
 * "features" document (see oci-features.h for how a room adds itself).
 * The document is built from them in oci-features-json.c, which is part of
 * the json-glib module; this list stays in the runtime, beside the rooms. */
#include <string.h>

#include "capabilities.h"
#include "config.h"
#include "container.h"
#include "hooks.h"
#include "init/mount-options.h"
#include "network.h"
#include "oci-features.h"
#include "seccomp-filter.h"
#include "util.h"

/* The cgroup managers (cgroup.h): cgroup v2 only, systemd's (system and
 * user manager alike) when built with it, and the rdma controller's
 * limits. Defined here rather than in cgroup.c because these are facts of
 * the build, not of one manager. */
static const struct nook_features_part cgroup_features = {
    .name = "cgroup",
    .flags[NOOK_FEATURE_CGROUP_V1] = false,
    .flags[NOOK_FEATURE_CGROUP_V2] = true,
    .flags[NOOK_FEATURE_CGROUP_SYSTEMD] = HAVE_SYSTEMD,
    .flags[NOOK_FEATURE_CGROUP_SYSTEMD_USER] = HAVE_SYSTEMD,
    .flags[NOOK_FEATURE_CGROUP_RDMA] = true,
};

/* Every room that implements something the document describes is listed
 * here. */
static const struct nook_features_part *const compiled_parts[] = {
    &nook_namespace_features,
    &nook_mount_features,
    &nook_capabilities_features,
    &nook_hooks_features,
    &nook_seccomp_features,
    &cgroup_features,
    &nook_network_features,
    NULL,
};

const struct nook_features_part *const *nook_features_parts(void)
{
    return compiled_parts;
}
