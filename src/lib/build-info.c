/* build-info.c: the compiled-in version and feature switches. */
#include <stddef.h>

#include "build-info.h"
#include "config.h"
#include "version.h"

const char *nook_version(void)
{
    return NOOK_VERSION;
}

const char *nook_commit(void)
{
    return NOOK_COMMIT;
}

const char *nook_spec_version(void)
{
    return NOOK_OCI_VERSION;
}

const struct nook_build_feature *nook_build_features(void)
{
    static const struct nook_build_feature features[] = {
        { "SECCOMP", HAVE_SECCOMP },
        { "SYSTEMD", HAVE_SYSTEMD },
        { "SLIRP", HAVE_SLIRP },
        { "SUBID", HAVE_SUBID },
        { "JSON-GLIB", true },
        { NULL, false },
    };
    return features;
}
