/* overlay-options.c: what config.json asks of overlays, read into a plan
 * before anything runs (overlay.h): the nook.rootfs.* and nook.overlay.*
 * annotations, the lowerdir/upperdir/workdir options of "type": "overlay"
 * mounts, where fuse-overlayfs is, and the argument vector the daemon is
 * started with. Pure parsing and checks; nothing here mounts or spawns. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "init/mount-options.h"
#include "overlay.h"
#include "state.h"

/* Where fuse-overlayfs is looked for after $PATH: engines often run
 * runtimes with a minimal PATH. */
#define FUSE_FALLBACK_PATH "/usr/local/bin:/usr/bin:/bin"
#define FUSE_PROGRAM "fuse-overlayfs"

static void layers_clear(struct nook_overlay_layers *layers)
{
    strv_free(layers->lower);
    free(layers->upper);
    free(layers->work);
    strv_free(layers->fs_options);
    *layers = (struct nook_overlay_layers){ 0 };
}

void nook_overlay_plan_free(struct nook_overlay_plan *plan)
{
    if (!plan)
        return;
    layers_clear(&plan->root_layers);
    for (size_t i = 0; i < plan->n_mounts; i++) {
        if (plan->mounts[i]) {
            layers_clear(plan->mounts[i]);
            free(plan->mounts[i]);
        }
    }
    free(plan->mounts);
    free(plan->keep_upper);
    free(plan->fuse_program);
    free(plan->fuse_missing);
    closep(&plan->upper_fd);
    closep(&plan->work_fd);
    free(plan);
}

static void plan_freep(struct nook_overlay_plan **plan)
{
    nook_overlay_plan_free(*plan);
}

/* Append s (taken) to a NULL-terminated vector. */
static int strv_push(char ***v, char *s)
{
    size_t n = 0;
    while (*v && (*v)[n])
        n++;
    char **grown = realloc(*v, (n + 2) * sizeof(char *));
    if (!grown) {
        free(s);
        return -ENOMEM;
    }
    grown[n] = s;
    grown[n + 1] = NULL;
    *v = grown;
    return 0;
}

int nook_overlay_split_layers(const char *text, char ***out, struct nook_error *err)
{
    *out = NULL;
    _cleanup_strv_ char **layers = NULL;
    _cleanup_free_ char *current = malloc(strlen(text) + 1);
    if (!current)
        return nook_error_set(err, ENOMEM, "out of memory");
    size_t len = 0;
    for (const char *c = text;; c++) {
        if (*c == '\\' && c[1]) {
            current[len++] = *++c;
            continue;
        }
        if (*c == ':' || *c == '\0') {
            if (len == 0)
                return nook_error_set(err, EINVAL, "an empty layer in \"%s\"", text);
            current[len] = '\0';
            char *layer = strdup(current);
            if (!layer || strv_push(&layers, layer) < 0)
                return nook_error_set(err, ENOMEM, "out of memory");
            len = 0;
            if (*c == '\0')
                break;
            continue;
        }
        current[len++] = *c;
    }
    *out = steal_pointer(&layers);
    return 0;
}

char *nook_overlay_join_layers(char *const *layers)
{
    size_t size = 1;
    for (char *const *l = layers; l && *l; l++)
        size += 2 * strlen(*l) + 1;
    char *out = malloc(size);
    if (!out)
        return NULL;
    size_t n = 0;
    for (char *const *l = layers; l && *l; l++) {
        if (l != layers)
            out[n++] = ':';
        for (const char *c = *l; *c; c++) {
            if (*c == ':' || *c == '\\')
                out[n++] = '\\';
            out[n++] = *c;
        }
    }
    out[n] = '\0';
    return out;
}

/* path made absolute against the bundle, and checked to be a directory;
 * what names it in an error is the caller's prefix. */
static int layer_path(const char *bundle, const char *path, const char *what, char **out,
                      struct nook_error *err)
{
    int r = nook_state_absolute_path(bundle, path, out);
    if (r < 0)
        return nook_error_set_errno(err, -r, "%s \"%s\"", what, path);
    struct stat st;
    if (stat(*out, &st) < 0)
        return nook_error_set_errno(err, errno, "%s \"%s\"", what, *out);
    if (!S_ISDIR(st.st_mode))
        return nook_error_set(err, ENOTDIR, "%s \"%s\" is not a directory", what, *out);
    return 0;
}

static int annotation_error(struct nook_error *err, const char *key)
{
    return nook_error_prefix(err, "config.json: .annotations[\"%s\"]", key);
}

static bool has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Every key of the two families must be one nook knows: a misspelt
 * "nook.rootfs.overlya" silently ignored would run the container without
 * the copy-on-write root it asked for. */
static int check_keys(const struct nook_spec_map *annotations, struct nook_error *err)
{
    for (size_t i = 0; i < annotations->count; i++) {
        const char *key = annotations->items[i].key;
        if (strcmp(key, NOOK_OVERLAY_USED_ANNOTATION) == 0)
            return nook_error_set(err, EINVAL,
                                  "config.json: .annotations[\"%s\"]: nook sets this one itself (the "
                                  "driver the root was mounted with, in the state); remove it",
                                  key);
        if (has_prefix(key, "nook.rootfs.") && strcmp(key, NOOK_OVERLAY_ANNOTATION) != 0 &&
            strcmp(key, NOOK_OVERLAY_LOWER_ANNOTATION) != 0 &&
            strcmp(key, NOOK_OVERLAY_KEEP_UPPER_ANNOTATION) != 0)
            return nook_error_set(err, EINVAL,
                                  "config.json: .annotations[\"%s\"]: unknown annotation; nook knows "
                                  NOOK_OVERLAY_ANNOTATION ", " NOOK_OVERLAY_LOWER_ANNOTATION " and "
                                  NOOK_OVERLAY_KEEP_UPPER_ANNOTATION,
                                  key);
        if (has_prefix(key, "nook.overlay.") && strcmp(key, NOOK_OVERLAY_DRIVER_ANNOTATION) != 0)
            return nook_error_set(err, EINVAL,
                                  "config.json: .annotations[\"%s\"]: unknown annotation; nook knows "
                                  NOOK_OVERLAY_DRIVER_ANNOTATION,
                                  key);
    }
    return 0;
}

static int parse_choice(const char *value, enum nook_overlay_choice *choice, struct nook_error *err)
{
    *choice = NOOK_OVERLAY_CHOICE_AUTO;
    if (!value || strcmp(value, "auto") == 0)
        return 0;
    if (strcmp(value, "kernel") == 0) {
        *choice = NOOK_OVERLAY_CHOICE_KERNEL;
        return 0;
    }
    if (strcmp(value, "fuse") == 0) {
        *choice = NOOK_OVERLAY_CHOICE_FUSE;
        return 0;
    }
    return nook_error_set(err, EINVAL,
                          "config.json: .annotations[\"" NOOK_OVERLAY_DRIVER_ANNOTATION
                          "\"]: \"%s\": must be \"auto\", \"kernel\" or \"fuse\"",
                          value);
}

/* nook.rootfs.keep-upper: where the upper layer goes at delete. It must
 * not hold anything yet (an empty directory is replaced), and its parent
 * must exist, so that delete cannot fail for a reason known now. */
static int parse_keep_upper(const char *bundle, const char *value, char **out,
                            struct nook_error *err)
{
    static const char key[] = NOOK_OVERLAY_KEEP_UPPER_ANNOTATION;
    if (!*value)
        return nook_error_set(err, EINVAL, "config.json: .annotations[\"%s\"]: an empty path", key);
    int r = nook_state_absolute_path(bundle, value, out);
    if (r < 0)
        return nook_error_set_errno(err, -r, "config.json: .annotations[\"%s\"]: \"%s\"", key, value);
    if (strcmp(*out, "/") == 0)
        return nook_error_set(err, EINVAL, "config.json: .annotations[\"%s\"]: \"/\" cannot hold it",
                              key);
    struct stat st;
    if (lstat(*out, &st) == 0) {
        _cleanup_closedir_ DIR *d = S_ISDIR(st.st_mode) ? opendir(*out) : NULL;
        struct dirent *e = NULL;
        while (d && (e = readdir(d)) && (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0))
            ;
        if (!d || e)
            return nook_error_set(err, EEXIST,
                                  "config.json: .annotations[\"%s\"]: \"%s\" exists and is not an "
                                  "empty directory; the upper layer is moved there at delete",
                                  key, *out);
        return 0;
    }
    if (errno != ENOENT)
        return nook_error_set_errno(err, errno, "config.json: .annotations[\"%s\"]: \"%s\"", key, *out);
    _cleanup_free_ char *parent = strdup(*out);
    if (!parent)
        return nook_error_set(err, ENOMEM, "out of memory");
    char *slash = strrchr(parent, '/');
    slash[slash == parent ? 1 : 0] = '\0';
    if (stat(parent, &st) < 0 || !S_ISDIR(st.st_mode))
        return nook_error_set(err, ENOENT,
                              "config.json: .annotations[\"%s\"]: the directory \"%s\" that would hold "
                              "\"%s\" does not exist",
                              key, parent, *out);
    return 0;
}

static int root_layers(const struct nook_spec *spec, const char *bundle, const char *rootfs,
                       struct nook_overlay_plan *plan, struct nook_error *err)
{
    const char *value = nook_spec_map_get(&spec->annotations, NOOK_OVERLAY_ANNOTATION);
    const char *lower = nook_spec_map_get(&spec->annotations, NOOK_OVERLAY_LOWER_ANNOTATION);
    const char *keep = nook_spec_map_get(&spec->annotations, NOOK_OVERLAY_KEEP_UPPER_ANNOTATION);
    if (value && strcmp(value, "true") != 0 && strcmp(value, "false") != 0)
        return nook_error_set(err, EINVAL,
                              "config.json: .annotations[\"" NOOK_OVERLAY_ANNOTATION
                              "\"]: \"%s\": must be \"true\" or \"false\"",
                              value);
    plan->root = value && strcmp(value, "true") == 0;
    const char *needs_root = lower ? NOOK_OVERLAY_LOWER_ANNOTATION : keep ? NOOK_OVERLAY_KEEP_UPPER_ANNOTATION : NULL;
    if (needs_root && !plan->root)
        return nook_error_set(err, EINVAL,
                              "config.json: .annotations[\"%s\"]: needs \"" NOOK_OVERLAY_ANNOTATION
                              "\": \"true\" (or `--overlay`)",
                              needs_root);
    if (!plan->root)
        return 0;

    char *top = strdup(rootfs);
    if (!top || strv_push(&plan->root_layers.lower, top) < 0)
        return nook_error_set(err, ENOMEM, "out of memory");
    if (lower) {
        _cleanup_strv_ char **layers = NULL;
        int r = nook_overlay_split_layers(lower, &layers, err);
        for (size_t i = 0; r == 0 && layers[i]; i++) {
            char *path = NULL;
            r = layer_path(bundle, layers[i], "lower layer", &path, err);
            for (char **seen = plan->root_layers.lower; r == 0 && *seen; seen++)
                if (strcmp(*seen, path) == 0)
                    r = nook_error_set(err, EINVAL, "\"%s\" is a layer twice%s", path,
                                       seen == plan->root_layers.lower ? " (root.path is the top one)" : "");
            if (r == 0)
                r = strv_push(&plan->root_layers.lower, path) < 0 ? nook_error_set(err, ENOMEM, "out of memory") : 0;
            else
                free(path);
        }
        if (r < 0)
            return annotation_error(err, NOOK_OVERLAY_LOWER_ANNOTATION);
    }
    if (keep)
        return parse_keep_upper(bundle, keep, &plan->keep_upper, err);
    return 0;
}

/* Is word one of the generic mount options mounts.c applies itself (ro,
 * nosuid, a propagation ...), rather than one for overlayfs? */
static int is_generic_option(const char *word, bool *generic, struct nook_error *err)
{
    char *one[] = { (char *)word, NULL };
    _cleanup_(nook_mount_options_clearp) struct nook_mount_options opts = { 0 };
    int r = nook_mount_options_parse(one, &opts, err);
    *generic = opts.data == NULL;
    return r;
}

static int mount_option(const char *bundle, const char *option, struct nook_overlay_layers *layers,
                        struct nook_error *err)
{
    char **slot = NULL;
    const char *what = NULL;
    if (has_prefix(option, "lowerdir=")) {
        if (layers->lower)
            return nook_error_set(err, EINVAL, "lowerdir is given twice");
        _cleanup_strv_ char **given = NULL;
        int r = nook_overlay_split_layers(option + strlen("lowerdir="), &given, err);
        if (r < 0)
            return nook_error_prefix(err, "lowerdir");
        for (size_t i = 0; given[i]; i++) {
            char *path = NULL;
            r = layer_path(bundle, given[i], "lowerdir", &path, err);
            if (r < 0) {
                free(path);
                return r;
            }
            if (strv_push(&layers->lower, path) < 0)
                return nook_error_set(err, ENOMEM, "out of memory");
        }
        return 0;
    }
    if (has_prefix(option, "upperdir=")) {
        slot = &layers->upper;
        what = "upperdir";
    } else if (has_prefix(option, "workdir=")) {
        slot = &layers->work;
        what = "workdir";
    }
    if (slot) {
        if (*slot)
            return nook_error_set(err, EINVAL, "%s is given twice", what);
        return layer_path(bundle, strchr(option, '=') + 1, what, slot, err);
    }
    bool generic = false;
    int r = is_generic_option(option, &generic, err);
    if (r < 0 || generic)
        return r;
    char *copy = strdup(option);
    if (!copy || strv_push(&layers->fs_options, copy) < 0)
        return nook_error_set(err, ENOMEM, "out of memory");
    return 0;
}

/* A "type": "overlay" mount's options: host paths, relative ones against
 * the bundle (as runc, which works in the bundle). */
static int mount_layers(const struct nook_spec_mount *m, size_t index, const char *bundle,
                        struct nook_overlay_layers **out, struct nook_error *err)
{
    _cleanup_free_ struct nook_overlay_layers *layers = calloc(1, sizeof(*layers));
    if (!layers)
        return nook_error_set(err, ENOMEM, "out of memory");
    int r = 0;
    for (char **o = m->options; r == 0 && o && *o; o++)
        r = mount_option(bundle, *o, layers, err);
    if (r == 0 && !layers->lower)
        r = nook_error_set(err, EINVAL, "lowerdir is missing from its options");
    if (r == 0 && !layers->upper && !layers->lower[1])
        r = nook_error_set(err, EINVAL,
                           "without upperdir (a read-only overlay) lowerdir needs at least two layers");
    if (r == 0 && !layers->upper != !layers->work)
        r = nook_error_set(err, EINVAL, "upperdir and workdir go together; it has only %s",
                           layers->upper ? "upperdir" : "workdir");
    if (r < 0) {
        layers_clear(layers);
        return nook_error_prefix(err, "config.json: .mounts[%zu]: overlay on \"%s\"", index,
                                 m->destination);
    }
    *out = steal_pointer(&layers);
    return 0;
}

/* An absolute, executable regular file? */
static bool is_program(const char *path)
{
    struct stat st;
    return path[0] == '/' && stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

static int find_fuse_program(const char *path_env, const char *fuse_env,
                             struct nook_overlay_plan *plan)
{
    if (fuse_env && *fuse_env) {
        if (is_program(fuse_env))
            return (plan->fuse_program = strdup(fuse_env)) ? 0 : -ENOMEM;
        return asprintf(&plan->fuse_missing,
                        "fuse-overlayfs is not installed: \"%s\" (from NOOK_FUSE_OVERLAYFS) is not an "
                        "absolute path to an executable file (see: nook check fuse-overlayfs.binary)",
                        fuse_env) < 0 ? -ENOMEM : 0;
    }
    _cleanup_free_ char *dirs = NULL;
    if (asprintf(&dirs, "%s:%s", path_env ? path_env : "", FUSE_FALLBACK_PATH) < 0)
        return -ENOMEM;
    char *save = NULL;
    for (char *dir = strtok_r(dirs, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
        _cleanup_free_ char *candidate = NULL;
        if (asprintf(&candidate, "%s/" FUSE_PROGRAM, dir) < 0)
            return -ENOMEM;
        if (is_program(candidate)) {
            plan->fuse_program = steal_pointer(&candidate);
            return 0;
        }
    }
    return asprintf(&plan->fuse_missing,
                    "fuse-overlayfs is not installed (not in $PATH, nor in " FUSE_FALLBACK_PATH
                    "); install it: apt-get install fuse-overlayfs (see: nook check fuse-overlayfs.binary)") < 0 ? -ENOMEM : 0;
}

int nook_overlay_plan_new(const struct nook_spec *spec, const char *bundle, const char *rootfs,
                          const char *path_env, const char *fuse_env,
                          struct nook_overlay_plan **out, struct nook_error *err)
{
    *out = NULL;
    int r = check_keys(&spec->annotations, err);
    if (r < 0)
        return r;
    _cleanup_(plan_freep) struct nook_overlay_plan *plan = calloc(1, sizeof(*plan));
    if (!plan)
        return nook_error_set(err, ENOMEM, "out of memory");
    plan->upper_fd = plan->work_fd = -1;
    r = parse_choice(nook_spec_map_get(&spec->annotations, NOOK_OVERLAY_DRIVER_ANNOTATION),
                     &plan->choice, err);
    if (r == 0)
        r = root_layers(spec, bundle, rootfs, plan, err);
    if (r < 0)
        return r;

    bool any = plan->root;
    if (spec->n_mounts) {
        plan->mounts = calloc(spec->n_mounts, sizeof(*plan->mounts));
        if (!plan->mounts)
            return nook_error_set(err, ENOMEM, "out of memory");
        plan->n_mounts = spec->n_mounts;
    }
    for (size_t i = 0; i < spec->n_mounts; i++) {
        const struct nook_spec_mount *m = &spec->mounts[i];
        if (!m->type || strcmp(m->type, "overlay") != 0)
            continue;
        r = mount_layers(m, i, bundle, &plan->mounts[i], err);
        if (r < 0)
            return r;
        if (plan->choice == NOOK_OVERLAY_CHOICE_FUSE && !plan->mounts[i]->upper)
            return nook_error_set(err, EINVAL,
                                  "config.json: .mounts[%zu]: overlay on \"%s\": fuse-overlayfs ("
                                  NOOK_OVERLAY_DRIVER_ANNOTATION " is \"fuse\") cannot mount a "
                                  "read-only overlay (one without upperdir and workdir)",
                                  i, m->destination);
        any = true;
    }
    if (!any)
        return 0;

    if (plan->choice != NOOK_OVERLAY_CHOICE_KERNEL) {
        r = find_fuse_program(path_env, fuse_env, plan);
        if (r < 0)
            return nook_error_set(err, -r, "out of memory");
    }
    if (plan->choice == NOOK_OVERLAY_CHOICE_FUSE && !plan->fuse_program)
        return nook_error_set(err, ENOENT,
                              "config.json: .annotations[\"" NOOK_OVERLAY_DRIVER_ANNOTATION
                              "\"]: \"fuse\", but %s",
                              plan->fuse_missing);
    *out = steal_pointer(&plan);
    return 0;
}

int nook_overlay_request(struct nook_spec_map *annotations, struct nook_error *err)
{
    for (size_t i = 0; i < annotations->count; i++) {
        struct nook_spec_kv *kv = &annotations->items[i];
        if (strcmp(kv->key, NOOK_OVERLAY_ANNOTATION) != 0)
            continue;
        char *value = strdup("true");
        if (!value)
            return nook_error_set(err, ENOMEM, "out of memory");
        free(kv->value);
        kv->value = value;
        return 0;
    }
    struct nook_spec_kv *grown = realloc(annotations->items, (annotations->count + 1) * sizeof(*grown));
    if (!grown)
        return nook_error_set(err, ENOMEM, "out of memory");
    annotations->items = grown;
    struct nook_spec_kv kv = { strdup(NOOK_OVERLAY_ANNOTATION), strdup("true") };
    if (!kv.key || !kv.value) {
        free(kv.key);
        free(kv.value);
        return nook_error_set(err, ENOMEM, "out of memory");
    }
    annotations->items[annotations->count++] = kv;
    return 0;
}

/* Append text to a growing string. */
static int append(char **s, size_t *len, const char *text)
{
    size_t add = strlen(text);
    char *grown = realloc(*s, *len + add + 1);
    if (!grown)
        return -ENOMEM;
    memcpy(grown + *len, text, add + 1);
    *s = grown;
    *len += add;
    return 0;
}

/* fuse-overlayfs splits lowerdir at every ":" and libfuse its options at
 * ",", with no escape it honours for both. */
static int fuse_path(char **opts, size_t *len, const char *path, struct nook_error *err)
{
    if (strpbrk(path, ":,"))
        return nook_error_set(err, EINVAL,
                              "fuse-overlayfs cannot take the layer \"%s\": it has a \":\" or a \",\"",
                              path);
    return append(opts, len, path) < 0 ? nook_error_set(err, ENOMEM, "out of memory") : 0;
}

/* "uidmapping=H:C:S[:H:C:S...]": fuse-overlayfs turns the on-disk (host)
 * id H into C, which the kernel reads in the FUSE mount's user namespace
 * (the container's). */
static int fuse_mapping(char **opts, size_t *len, const char *name, const struct nook_idmap *map)
{
    int r = append(opts, len, name);
    for (size_t i = 0; r == 0 && i < map->count; i++) {
        char range[64];
        snprintf(range, sizeof(range), "%s%" PRIu32 ":%" PRIu32 ":%" PRIu32, i ? ":" : "",
                 map->ranges[i].host_id, map->ranges[i].container_id, map->ranges[i].size);
        r = append(opts, len, range);
    }
    return r;
}

int nook_overlay_fuse_argv(const char *program, const struct nook_overlay_layers *layers,
                           const struct nook_idmaps *id_maps, int fuse_fd, char ***argv,
                           struct nook_error *err)
{
    *argv = NULL;
    if (!layers->upper || !layers->work)
        return nook_error_set(err, EINVAL,
                              "fuse-overlayfs cannot mount a read-only overlay (one without "
                              "upperdir and workdir)");
    _cleanup_free_ char *opts = NULL;
    size_t len = 0;
    int r = append(&opts, &len, "lowerdir=") < 0 ? -ENOMEM : 0;
    for (size_t i = 0; r == 0 && layers->lower[i]; i++) {
        if (i && append(&opts, &len, ":") < 0)
            return nook_error_set(err, ENOMEM, "out of memory");
        r = fuse_path(&opts, &len, layers->lower[i], err);
    }
    if (r == 0)
        r = append(&opts, &len, ",upperdir=") < 0 ? nook_error_set(err, ENOMEM, "out of memory") : 0;
    if (r == 0)
        r = fuse_path(&opts, &len, layers->upper, err);
    if (r == 0)
        r = append(&opts, &len, ",workdir=") < 0 ? nook_error_set(err, ENOMEM, "out of memory") : 0;
    if (r == 0)
        r = fuse_path(&opts, &len, layers->work, err);
    if (r == 0 && id_maps &&
        (fuse_mapping(&opts, &len, ",uidmapping=", &id_maps->uid) < 0 ||
         fuse_mapping(&opts, &len, ",gidmapping=", &id_maps->gid) < 0))
        r = nook_error_set(err, ENOMEM, "out of memory");
    if (r < 0)
        return r;

    char fd_path[32];
    snprintf(fd_path, sizeof(fd_path), "/dev/fd/%d", fuse_fd);
    const char *words[] = { program, "-f", "-o", opts, fd_path };
    _cleanup_strv_ char **v = calloc(N_ELEMENTS(words) + 1, sizeof(char *));
    if (!v)
        return nook_error_set(err, ENOMEM, "out of memory");
    for (size_t i = 0; i < N_ELEMENTS(words); i++)
        if (!(v[i] = strdup(words[i])))
            return nook_error_set(err, ENOMEM, "out of memory");
    *argv = steal_pointer(&v);
    return 0;
}

int nook_overlay_parse_idmap(const char *text, struct nook_idmap *map)
{
    *map = (struct nook_idmap){ 0 };
    const char *line = text;
    while (line && *line) {
        uint32_t c, h, s;
        if (sscanf(line, "%" SCNu32 " %" SCNu32 " %" SCNu32, &c, &h, &s) == 3) {
            struct nook_id_range *grown = realloc(map->ranges, (map->count + 1) * sizeof(*grown));
            if (!grown) {
                free(map->ranges);
                *map = (struct nook_idmap){ 0 };
                return -ENOMEM;
            }
            map->ranges = grown;
            map->ranges[map->count++] = (struct nook_id_range){ c, h, s };
        }
        line = strchr(line, '\n');
        if (line)
            line++;
    }
    return map->count ? 0 : -EINVAL;
}
