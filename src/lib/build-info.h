/* build-info.h: what this nook binary was built with (version, commit,
 * optional features), for --version and `nook features`. */
#pragma once

#include <stdbool.h>

struct nook_build_feature {
    const char *name;   /* "SECCOMP" */
    bool enabled;
};

const char *nook_version(void);
const char *nook_commit(void);
/* The OCI runtime-spec version nook implements. */
const char *nook_spec_version(void);
/* Terminated by an entry with name NULL. */
const struct nook_build_feature *nook_build_features(void);
