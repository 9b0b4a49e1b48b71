/* mount-options.h: the words of a config.json mount's "options" turned
 * into what mount(2) and mount_setattr(2) take: MS_* flags, a propagation
 * change, recursive MOUNT_ATTR_* changes (runtime-spec 1.1's "rro",
 * "rnosuid", ...) and the filesystem's own data string ("mode=755"). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "../error.h"
#include "../oci-features.h"

struct nook_mount_options {
    unsigned long flags;       /* MS_* to pass to mount(2) */
    unsigned long cleared;     /* MS_* an option turned off on purpose (rw, suid, exec, ...) */
    unsigned long propagation; /* MS_SHARED/MS_SLAVE/MS_PRIVATE/MS_UNBINDABLE [| MS_REC]; 0: none */
    bool bind;                 /* "bind" or "rbind" */
    bool recursive;            /* "rbind" */
    uint64_t attr_set;         /* MOUNT_ATTR_* of the r* options, applied with AT_RECURSIVE */
    uint64_t attr_clr;
    bool copy_up;              /* "tmpcopyup": fill a tmpfs with what it hides */
    char *data;                /* the other options, comma-joined; NULL when there are none */
};

/* Parse options (NULL-terminated; NULL means none). Unknown words go to
 * data, as the runtime-spec says, for the filesystem to judge; "idmap" and
 * "ridmap" go nowhere (create makes those mounts, mount-idmap.h). */
int nook_mount_options_parse(char *const *options, struct nook_mount_options *out,
                             struct nook_error *err);

void nook_mount_options_clear(struct nook_mount_options *opts);

static inline void nook_mount_options_clearp(struct nook_mount_options *opts)
{
    nook_mount_options_clear(opts);
}

/* The MS_* flags of a known propagation word ("rslave" → MS_SLAVE|MS_REC),
 * or 0 when the word is not one. */
unsigned long nook_mount_propagation_flags(const char *word);

/* The "mount" part of `nook features`: every option word recognised. */
extern const struct nook_features_part nook_mount_features;
