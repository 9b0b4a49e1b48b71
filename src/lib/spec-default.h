/* spec-default.h: the default config.json that `nook spec` writes, in the
 * shape of runc's example spec, in a root and a rootless variant. */
#pragma once

#include <stdbool.h>

#include "error.h"

/* json-glib's node type (see oci-features.h for why not its header). */
typedef struct _JsonNode JsonNode;

/* What shape of default document to write. */
struct nook_spec_default_opts {
    /* The variant for an unprivileged caller (see below). */
    bool rootless;
    /* NULL: none of nook's networks; "slirp": a new network namespace
     * and the annotation "nook.network": "slirp" (network.h), in either
     * variant. */
    const char *network;
};

/* The default document as a JSON tree (transfer full: json_node_unref());
 * only in the json-glib module and the unit tests.
 * rootless selects the variant for an unprivileged caller: a user
 * namespace (whose id mappings nook fills at create time), no network
 * namespace, /sys bind-mounted read-only, no cgroup resources. */
JsonNode *nook_spec_default_build(bool rootless);

/* The same document, pretty-printed with a trailing newline; malloc'd
 * (free()), NULL when out of memory (or, in the nook executable, when the
 * json-glib module cannot be loaded). */
char *nook_spec_default_text(bool rootless);

/* Write the default document to DIR/config.json. The file is created
 * exclusively: an existing config.json (or any entry of that name) is an
 * error and stays untouched, and a failed write removes the partial file.
 * Errors name the directory and say what to do. */
int nook_spec_default_write(const char *dir, bool rootless, struct nook_error *err);

/* The same three with options: nook_spec_default_build(rootless) is
 * nook_spec_default_build_opts(&(struct nook_spec_default_opts){ rootless }).
 * The nook executable, which reaches the module through json-module.h's
 * table, has the last one only. */
JsonNode *nook_spec_default_build_opts(const struct nook_spec_default_opts *opts);
char *nook_spec_default_text_opts(const struct nook_spec_default_opts *opts);
int nook_spec_default_write_opts(const char *dir, const struct nook_spec_default_opts *opts,
                                 struct nook_error *err);
