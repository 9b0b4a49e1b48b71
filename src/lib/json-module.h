/* json-module.h: the boundary between the nook executable and nook-json.so,
 * the loadable module holding everything that needs json-glib: parsing
 * config.json, process.json and resources.json (spec.h), the `features`
 * document (oci-features.h) and the default config of `nook spec`
 * (spec-default.h).
 *
 * Why a module: json-glib brings GIO, GObject and a dozen more libraries
 * that the dynamic linker maps and relocates at every start, which takes
 * longer than all of `nook start`, `state`, `kill` or `delete` otherwise
 * does; those commands only read state.json, which nook reads itself
 * (json-read.h). So the executable does not link json-glib, and loads the
 * module the first time one of the functions above is called.
 *
 * There are two implementations of those functions, with the same names:
 *   - json-module.c, in the executable: thin wrappers that load the module
 *     and call through the table below;
 *   - the parser itself (spec*.c, oci-features-json.c, spec-default.c),
 *     which the module is built from and which the unit tests link
 *     directly, with json-module-direct.c's nook_json_module_check().
 * Callers include spec.h, oci-features.h and spec-default.h as before and
 * cannot tell which one they got. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "build-info.h"
#include "error.h"
#include "oci-features.h"
#include "spec.h"
#include "spec-default.h"

#define NOOK_JSON_MODULE_FILE "nook-json.so"
/* The one symbol the module exports: a nook_json_module_entry_fn. */
#define NOOK_JSON_MODULE_ENTRY "nook_json_module_entry"
/* Bump when struct nook_json_module changes shape or meaning. */
#define NOOK_JSON_MODULE_ABI 2

struct nook_json_module {
    unsigned int abi;  /* NOOK_JSON_MODULE_ABI */
    /* nook_json_module_build_id() as the module computed it. */
    void (*build_id)(char *buf, size_t size);
    int (*spec_parse)(const char *text, size_t len, const char *source, struct nook_spec **out,
                      struct nook_error *err);
    int (*spec_load)(const char *bundle_dir, struct nook_spec **out, struct nook_error *err);
    int (*spec_parse_process)(const char *text, size_t len, const char *source,
                              struct nook_spec_process **out, struct nook_error *err);
    int (*spec_load_process)(const char *path, struct nook_spec_process **out,
                             struct nook_error *err);
    int (*spec_parse_resources)(const char *text, size_t len, const char *source,
                                struct nook_spec_resources **out, struct nook_error *err);
    char *(*features_text)(const struct nook_features_part *const *parts);
    char *(*spec_default_text)(bool rootless);
    int (*spec_default_write)(const char *dir, bool rootless, struct nook_error *err);
    int (*spec_default_write_opts)(const char *dir, const struct nook_spec_default_opts *opts,
                                   struct nook_error *err);
};

typedef const struct nook_json_module *(*nook_json_module_entry_fn)(void);

#define NOOK_JSON_BUILD_ID_MAX 256

/* What the executable and the module must agree on: nook's version and
 * commit, and the sizes of the structs that cross between them. The module
 * and the executable are built together, so they agree unless an old
 * module was left installed or only half a build tree was rebuilt; the
 * sizes catch a changed model even in an uncommitted tree. */
static inline void nook_json_module_build_id(char *buf, size_t size)
{
    snprintf(buf, size, "nook %s (%s) abi %d spec %zu/%zu/%zu/%zu/%zu error %zu features %zu",
             nook_version(), nook_commit(), NOOK_JSON_MODULE_ABI, sizeof(struct nook_spec),
             sizeof(struct nook_spec_process), sizeof(struct nook_spec_linux),
             sizeof(struct nook_spec_resources), sizeof(struct nook_spec_seccomp),
             sizeof(struct nook_error), sizeof(struct nook_features_part));
}

/* ---- loading (json-module.c; the executable only) ---- */

/* Where the module may be, most specific first, each "<dir>/nook-json.so":
 *   1. the executable's own directory (from /proc/self/exe): the build
 *      tree, where meson puts the module beside `nook`. The sealed copy
 *      of sealed-exe.h runs from a memfd, which has no directory: it uses
 *      the binary it was copied from, named in NOOK_ORIGINAL_EXE;
 *   2. the install directory relative to the executable's (bindir/../
 *      libdir/nook), so that a tree installed with DESTDIR, or moved as a
 *      whole, finds its own module;
 *   3. the install directory compiled in (<prefix>/<libdir>/nook).
 * Duplicates are dropped. NULL-terminated, malloc'd. */
int nook_json_module_candidates(char ***out, struct nook_error *err);

/* Load the module from the first candidate that exists. Its path comes
 * only from the executable's location and the build, never from
 * LD_LIBRARY_PATH or the current directory (and from the environment only
 * in the sealed copy, which is the caller's own environment: whoever sets
 * it could as well set LD_PRELOAD, nook not being set-uid). The file must
 * be a regular file owned by root or by the owner of the executable and
 * not writable by others, and it is opened once and loaded through that
 * open file, so what was checked is what gets loaded. A module that exists but
 * cannot be loaded, or comes from another build, is an error naming it,
 * not a reason to try the next candidate; when none exists, the error
 * names every path tried. */
int nook_json_module_open(const char *const *candidates, const struct nook_json_module **out,
                          struct nook_error *err);

/* nook_json_module_open() on nook_json_module_candidates(). Stateless:
 * the dynamic linker already keeps a loaded module once, and a second
 * dlopen() of it only finds it again. */
int nook_json_module_get(const struct nook_json_module **out, struct nook_error *err);

/* 0 when the functions above can be called; for callers of those without
 * an error parameter (nook_features_text(), nook_spec_default_text()), to
 * say why they would fail. Always 0 where the parser is linked directly. */
int nook_json_module_check(struct nook_error *err);
