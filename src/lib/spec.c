/* spec.c: config.json as a whole: reading it from the bundle, the top-level
 * fields (ociVersion, root, hostname, annotations) and the checks that span
 * sections. The sections live in spec-*.c, freeing in spec-model.c. */
#include <ctype.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "spec-internal.h"

/* A config.json is a few kilobytes, a large seccomp profile maybe a hundred:
 * anything near this is not a config and is refused before it is read. */
#define SPEC_MAX_SIZE (16u << 20)

/* "1.2.0", "1.0.2-dev", "1.1.0+dev": the major must be 1. */
static int check_version(struct spec_ctx *ctx, const char *version)
{
    const char *p = version;
    unsigned long major = 0;
    if (!isdigit((unsigned char)*p))
        goto malformed;
    while (isdigit((unsigned char)*p)) {
        major = major * 10 + (unsigned long)(*p - '0');
        if (major > 1000000)
            goto unsupported;
        p++;
    }
    if (*p != '.' || !isdigit((unsigned char)p[1]))
        goto malformed;
    if (major != 1)
        goto unsupported;
    return 0;

malformed:
    return spec_fail_at(ctx, "ociVersion", "\"%s\" is not a version (expected \"%s\")", version,
                        NOOK_OCI_VERSION);
unsupported:
    return spec_fail_at(ctx, "ociVersion",
                        "version \"%s\" is not supported: nook implements the runtime-spec 1.x "
                        "(up to %s)",
                        version, NOOK_OCI_VERSION);
}

static int parse_root(struct spec_ctx *ctx, JsonObject *top, struct nook_spec *spec)
{
    JsonObject *obj;
    int r = spec_require(ctx, top, "root");
    if (r >= 0)
        r = spec_get_object(ctx, top, "root", &obj);
    if (r < 0)
        return r;

    struct nook_spec_root *root = spec_new(ctx, sizeof(*root), &spec->root);
    if (!root)
        return -ENOMEM;
    size_t saved = spec_path_push_key(ctx, "root");
    r = spec_need_string(ctx, obj, "path", &root->path);
    if (r >= 0 && root->path[0] == '\0')
        r = spec_fail_at(ctx, "path", "must not be empty");
    if (r >= 0)
        r = spec_get_bool(ctx, obj, "readonly", &root->readonly);
    spec_path_pop(ctx, saved);
    return r;
}

static int parse_object_section(struct spec_ctx *ctx, JsonObject *top, const char *key,
                                size_t size, void *out,
                                int (*parse)(struct spec_ctx *, JsonObject *, void *))
{
    JsonObject *obj;
    int r = spec_get_object(ctx, top, key, &obj);
    if (r < 0 || !obj)
        return r;
    void *section = spec_new(ctx, size, out);
    if (!section)
        return -ENOMEM;
    size_t saved = spec_path_push_key(ctx, key);
    r = parse(ctx, obj, section);
    spec_path_pop(ctx, saved);
    return r;
}

static int parse_process_section(struct spec_ctx *ctx, JsonObject *obj, void *out)
{
    return spec_parse_process(ctx, obj, out);
}

static int parse_hooks_section(struct spec_ctx *ctx, JsonObject *obj, void *out)
{
    return spec_parse_hooks(ctx, obj, out);
}

static int parse_linux_section(struct spec_ctx *ctx, JsonObject *obj, void *out)
{
    return spec_parse_linux(ctx, obj, out);
}

/* Checks that need more than one section. */
static int check_across(struct spec_ctx *ctx, const struct nook_spec *spec)
{
    bool has_uts = nook_spec_find_namespace(spec, NOOK_NS_UTS) != NULL;
    if (spec->hostname && spec->hostname[0] && !has_uts)
        return spec_fail_at(ctx, "hostname",
                            "setting a hostname needs a private UTS namespace: add {\"type\": "
                            "\"uts\"} to .linux.namespaces");
    if (spec->domainname && spec->domainname[0] && !has_uts)
        return spec_fail_at(ctx, "domainname",
                            "setting a domain name needs a private UTS namespace: add {\"type\": "
                            "\"uts\"} to .linux.namespaces");

    /* Parsed in full so that its own mistakes are reported first, then
     * refused: a limit nook would silently not apply is worse than none. */
    if (spec->linux_config && spec->linux_config->intel_rdt) {
        size_t saved = spec_path_push_key(ctx, "linux");
        int r = spec_fail_at(ctx, "intelRdt",
                             "nook does not support Intel RDT (resctrl); remove this setting to "
                             "run the container without it");
        spec_path_pop(ctx, saved);
        return r;
    }
    return 0;
}

static int parse_spec(struct spec_ctx *ctx, JsonObject *top, struct nook_spec *spec)
{
    int r = spec_need_string(ctx, top, "ociVersion", &spec->oci_version);
    if (r >= 0)
        r = check_version(ctx, spec->oci_version);
    if (r >= 0)
        r = parse_root(ctx, top, spec);
    if (r >= 0)
        r = spec_parse_mounts(ctx, top, spec);
    if (r >= 0)
        r = parse_object_section(ctx, top, "process", sizeof(*spec->process), &spec->process,
                                 parse_process_section);
    if (r >= 0)
        r = spec_get_string(ctx, top, "hostname", &spec->hostname);
    if (r >= 0)
        r = spec_get_string(ctx, top, "domainname", &spec->domainname);
    if (r >= 0)
        r = parse_object_section(ctx, top, "hooks", sizeof(*spec->hooks), &spec->hooks,
                                 parse_hooks_section);
    if (r >= 0)
        r = spec_get_string_map(ctx, top, "annotations", &spec->annotations);
    if (r >= 0)
        r = parse_object_section(ctx, top, "linux", sizeof(*spec->linux_config),
                                 &spec->linux_config, parse_linux_section);
    if (r >= 0)
        r = check_across(ctx, spec);
    return r;
}

int nook_spec_parse(const char *text, size_t len, const char *source, struct nook_spec **out,
                    struct nook_error *err)
{
    struct spec_ctx ctx = { .source = source ? source : "config.json", .err = err };
    g_autoptr(JsonParser) parser = NULL;
    JsonObject *top = NULL;
    int r = spec_parse_document(&ctx, text, len, &parser, &top);
    if (r < 0)
        return r;

    _cleanup_(nook_spec_freep) struct nook_spec *spec = calloc(1, sizeof(*spec));
    if (!spec)
        return spec_oom(&ctx);
    r = parse_spec(&ctx, top, spec);
    if (r < 0)
        return r;
    *out = steal_pointer(&spec);
    return 0;
}

/* Read a whole regular file of at most SPEC_MAX_SIZE bytes. */
static int read_config(int fd, const char *path, char **text, size_t *len, struct nook_error *err)
{
    struct stat st;
    if (fstat(fd, &st) < 0)
        return nook_error_set_errno(err, errno, "stat \"%s\"", path);
    if (!S_ISREG(st.st_mode))
        return nook_error_set(err, EINVAL, "\"%s\" is not a regular file", path);
    if ((uint64_t)st.st_size > SPEC_MAX_SIZE)
        return nook_error_set(err, EFBIG, "\"%s\" is too large (%lld bytes; at most %u)", path,
                              (long long)st.st_size, SPEC_MAX_SIZE);

    size_t capacity = (size_t)st.st_size + 1, used = 0;
    _cleanup_free_ char *buf = malloc(capacity);
    if (!buf)
        return nook_error_set(err, ENOMEM, "read \"%s\": out of memory", path);
    for (;;) {
        if (used == capacity) {
            /* The file grew while being read: follow it up to the limit. */
            if (capacity > SPEC_MAX_SIZE)
                return nook_error_set(err, EFBIG, "\"%s\" is too large", path);
            char *bigger = realloc(buf, capacity * 2);
            if (!bigger)
                return nook_error_set(err, ENOMEM, "read \"%s\": out of memory", path);
            buf = bigger;
            capacity *= 2;
        }
        ssize_t n = read(fd, buf + used, capacity - used);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return nook_error_set_errno(err, errno, "read \"%s\"", path);
        }
        if (n == 0)
            break;
        used += (size_t)n;
    }
    *text = steal_pointer(&buf);
    *len = used;
    return 0;
}

int nook_spec_load(const char *bundle_dir, struct nook_spec **out, struct nook_error *err)
{
    const char *dir = bundle_dir && bundle_dir[0] ? bundle_dir : ".";
    _cleanup_free_ char *path = NULL;
    if (asprintf(&path, "%s/config.json", dir) < 0)
        return nook_error_set(err, ENOMEM, "out of memory");

    _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        int saved = errno;
        struct stat st;
        if (saved == ENOENT && stat(dir, &st) < 0 && errno == ENOENT)
            return nook_error_set(err, ENOENT, "bundle \"%s\" does not exist", dir);
        if (saved == ENOENT)
            return nook_error_set(err, ENOENT,
                                  "config.json not found in bundle \"%s\" (`nook spec` writes "
                                  "a default one)",
                                  dir);
        if (saved == ENOTDIR)
            return nook_error_set(err, ENOTDIR, "bundle \"%s\" is not a directory", dir);
        return nook_error_set_errno(err, saved, "open \"%s\"", path);
    }

    _cleanup_free_ char *text = NULL;
    size_t len = 0;
    int r = read_config(fd, path, &text, &len, err);
    if (r < 0)
        return r;
    return nook_spec_parse(text, len, "config.json", out, err);
}

int nook_spec_load_process(const char *path, struct nook_spec_process **out,
                           struct nook_error *err)
{
    _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return nook_error_set_errno(err, errno, "open process file \"%s\"", path);
    _cleanup_free_ char *text = NULL;
    size_t len = 0;
    int r = read_config(fd, path, &text, &len, err);
    if (r < 0)
        return r;
    return nook_spec_parse_process(text, len, path, out, err);
}
