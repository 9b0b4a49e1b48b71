/* json-module.c: finding and loading nook-json.so, and the wrappers that
 * give the executable the functions of spec.h, oci-features.h and
 * spec-default.h that need json-glib (json-module.h says why and how).
 * Only the nook executable links this file. */
#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "json-module.h"
#include "sealed-exe.h"
#include "spec-default.h"
#include "state.h"

#ifndef NOOK_JSON_MODULE_DIR
#error "the build must define NOOK_JSON_MODULE_DIR, the installed module's directory"
#endif

/* ---- where ---- */

/* Append dir/nook-json.so, cleaned lexically, unless it is already listed. */
static int add_candidate(char **list, size_t *n, const char *dir, struct nook_error *err)
{
    _cleanup_free_ char *joined = NULL;
    if (asprintf(&joined, "%s/%s", dir, NOOK_JSON_MODULE_FILE) < 0)
        return nook_error_set(err, ENOMEM, "out of memory");
    char *clean = NULL;
    int r = nook_state_absolute_path(NULL, joined, &clean);
    if (r < 0)
        return nook_error_set_errno(err, -r, "module path \"%s\"", joined);
    for (size_t i = 0; i < *n; i++) {
        if (strcmp(list[i], clean) == 0) {
            free(clean);
            return 0;
        }
    }
    list[(*n)++] = clean;
    return 0;
}

int nook_json_module_candidates(char ***out, struct nook_error *err)
{
    _cleanup_free_ char *exe_dir = NULL;
    int r = nook_executable_dir(&exe_dir, err);
    if (r < 0)
        return r;
    _cleanup_strv_ char **list = calloc(4, sizeof(*list));
    if (!list)
        return nook_error_set(err, ENOMEM, "out of memory");
    size_t n = 0;
    r = add_candidate(list, &n, exe_dir, err);
#ifdef NOOK_JSON_MODULE_RELATIVE_DIR
    if (r == 0) {
        _cleanup_free_ char *relative = NULL;
        if (asprintf(&relative, "%s/%s", exe_dir, NOOK_JSON_MODULE_RELATIVE_DIR) < 0)
            return nook_error_set(err, ENOMEM, "out of memory");
        r = add_candidate(list, &n, relative, err);
    }
#endif
    if (r == 0)
        r = add_candidate(list, &n, NOOK_JSON_MODULE_DIR, err);
    if (r < 0)
        return r;
    *out = steal_pointer(&list);
    return 0;
}

/* ---- loading ---- */

/* The module at path, already open as fd: checked, then loaded through the
 * descriptor, so that the file checked is the file loaded. The dynamic
 * linker then knows the module by the name /proc/self/fd/N (and finds it
 * again by that name or by its inode), so a process can load only one
 * module file this way; nook never needs a second. */
static int load_from_fd(int fd, const char *path, const struct stat *exe,
                        const struct nook_json_module **out, struct nook_error *err)
{
    struct stat st;
    if (fstat(fd, &st) < 0)
        return nook_error_set_errno(err, errno, "stat %s", path);
    if (!S_ISREG(st.st_mode))
        return nook_error_set(err, ELIBBAD, "%s is not a regular file", path);
    if (st.st_uid != 0 && st.st_uid != exe->st_uid)
        return nook_error_set(err, EPERM,
                              "%s belongs to uid %u, neither root nor the owner of the nook "
                              "executable (uid %u): not loaded",
                              path, (unsigned)st.st_uid, (unsigned)exe->st_uid);
    if (st.st_mode & S_IWOTH)
        return nook_error_set(err, EPERM, "%s is writable by anyone: not loaded", path);

    char fd_path[64];
    snprintf(fd_path, sizeof(fd_path), "/proc/self/fd/%d", fd);
    void *handle = dlopen(fd_path, RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        /* dlerror() names the /proc path; name the real one instead. */
        const char *why = dlerror();
        size_t prefix = strlen(fd_path);
        if (why && strncmp(why, fd_path, prefix) == 0 && strncmp(why + prefix, ": ", 2) == 0)
            why += prefix + 2;
        return nook_error_set(err, ELIBBAD, "load %s: %s", path, str_or(why, "unknown error"));
    }
    nook_json_module_entry_fn entry = (nook_json_module_entry_fn)dlsym(handle,
                                                                       NOOK_JSON_MODULE_ENTRY);
    const struct nook_json_module *module = entry ? entry() : NULL;
    if (!module) {
        dlclose(handle);
        return nook_error_set(err, ELIBBAD, "%s is not nook's JSON module (it has no %s)", path,
                              NOOK_JSON_MODULE_ENTRY);
    }
    char mine[NOOK_JSON_BUILD_ID_MAX], theirs[NOOK_JSON_BUILD_ID_MAX] = "an older interface";
    nook_json_module_build_id(mine, sizeof(mine));
    if (module->abi == NOOK_JSON_MODULE_ABI)
        module->build_id(theirs, sizeof(theirs));
    if (strcmp(mine, theirs) != 0) {
        dlclose(handle);
        return nook_error_set(err, ELIBBAD,
                              "%s belongs to another build of nook (%s; this one is %s): "
                              "install or rebuild nook as a whole",
                              path, theirs, mine);
    }
    /* The handle is never closed: the module serves the whole process. */
    *out = module;
    return 0;
}

int nook_json_module_open(const char *const *candidates, const struct nook_json_module **out,
                          struct nook_error *err)
{
    struct stat exe;
    if (stat("/proc/self/exe", &exe) < 0)
        return nook_error_set_errno(err, errno, "stat the nook executable (/proc/self/exe)");
    char tried[NOOK_ERROR_MAX / 2] = "";
    size_t used = 0;
    for (const char *const *c = candidates; *c; c++) {
        _cleanup_close_ int fd = open(*c, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd >= 0)
            return load_from_fd(fd, *c, &exe, out, err);
        if (errno != ENOENT && errno != ENOTDIR)
            return nook_error_set_errno(err, errno, "open %s", *c);
        if (used < sizeof(tried)) {
            int n = snprintf(tried + used, sizeof(tried) - used, "%s%s", used ? ", " : "", *c);
            used += n > 0 ? (size_t)n : 0;
        }
    }
    return nook_error_set(err, ENOENT,
                          "nook's JSON module %s (needed for config.json, `features` and `spec`) "
                          "is missing; looked for %s; reinstall nook",
                          NOOK_JSON_MODULE_FILE, tried);
}

int nook_json_module_get(const struct nook_json_module **out, struct nook_error *err)
{
    _cleanup_strv_ char **candidates = NULL;
    int r = nook_json_module_candidates(&candidates, err);
    if (r < 0)
        return r;
    return nook_json_module_open((const char *const *)candidates, out, err);
}

int nook_json_module_check(struct nook_error *err)
{
    const struct nook_json_module *module;
    return nook_json_module_get(&module, err);
}

/* ---- the wrappers ---- */

int nook_spec_parse(const char *text, size_t len, const char *source, struct nook_spec **out,
                    struct nook_error *err)
{
    const struct nook_json_module *m;
    int r = nook_json_module_get(&m, err);
    return r < 0 ? r : m->spec_parse(text, len, source, out, err);
}

int nook_spec_load(const char *bundle_dir, struct nook_spec **out, struct nook_error *err)
{
    const struct nook_json_module *m;
    int r = nook_json_module_get(&m, err);
    return r < 0 ? r : m->spec_load(bundle_dir, out, err);
}

int nook_spec_parse_process(const char *text, size_t len, const char *source,
                            struct nook_spec_process **out, struct nook_error *err)
{
    const struct nook_json_module *m;
    int r = nook_json_module_get(&m, err);
    return r < 0 ? r : m->spec_parse_process(text, len, source, out, err);
}

int nook_spec_load_process(const char *path, struct nook_spec_process **out,
                           struct nook_error *err)
{
    const struct nook_json_module *m;
    int r = nook_json_module_get(&m, err);
    return r < 0 ? r : m->spec_load_process(path, out, err);
}

int nook_spec_parse_resources(const char *text, size_t len, const char *source,
                              struct nook_spec_resources **out, struct nook_error *err)
{
    const struct nook_json_module *m;
    int r = nook_json_module_get(&m, err);
    return r < 0 ? r : m->spec_parse_resources(text, len, source, out, err);
}

char *nook_features_text(const struct nook_features_part *const *parts)
{
    const struct nook_json_module *m;
    return nook_json_module_get(&m, NULL) < 0 ? NULL : m->features_text(parts);
}

char *nook_spec_default_text(bool rootless)
{
    const struct nook_json_module *m;
    return nook_json_module_get(&m, NULL) < 0 ? NULL : m->spec_default_text(rootless);
}

int nook_spec_default_write(const char *dir, bool rootless, struct nook_error *err)
{
    const struct nook_json_module *m;
    int r = nook_json_module_get(&m, err);
    return r < 0 ? r : m->spec_default_write(dir, rootless, err);
}

int nook_spec_default_write_opts(const char *dir, const struct nook_spec_default_opts *opts,
                                 struct nook_error *err)
{
    const struct nook_json_module *m;
    int r = nook_json_module_get(&m, err);
    return r < 0 ? r : m->spec_default_write_opts(dir, opts, err);
}
