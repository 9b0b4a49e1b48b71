/* oci-features-json.c: the runtime-spec "features" document, built with
 * json-glib from the parts that oci-features.c lists. Part of the json-glib
 * module (nook-json.so): only `nook features` needs it. */
#include <string.h>

#include "build-info.h"
#include "config.h"
#include "json-glib-text.h"
#include "oci-features.h"
#include "util.h"

#if HAVE_SECCOMP
#include <seccomp.h>
#endif

/* The union of one list over all parts, each name once, in order. */
static GPtrArray *collect_list(const struct nook_features_part *const *parts,
                               enum nook_feature_list list)
{
    GPtrArray *names = g_ptr_array_new();
    for (const struct nook_features_part *const *p = parts; *p; p++) {
        for (const char *const *n = (*p)->lists[list]; n && *n; n++) {
            if ((*p)->supported && !(*p)->supported(list, *n))
                continue;
            bool seen = false;
            for (guint i = 0; i < names->len && !seen; i++)
                seen = strcmp(g_ptr_array_index(names, i), *n) == 0;
            if (!seen)
                g_ptr_array_add(names, (gpointer)*n);
        }
    }
    return names;
}

static bool collect_flag(const struct nook_features_part *const *parts,
                         enum nook_feature_flag flag)
{
    for (const struct nook_features_part *const *p = parts; *p; p++)
        if ((*p)->flags[flag])
            return true;
    return false;
}

static void add_list(JsonBuilder *b, const char *member,
                     const struct nook_features_part *const *parts, enum nook_feature_list list)
{
    g_autoptr(GPtrArray) names = collect_list(parts, list);
    json_builder_set_member_name(b, member);
    json_builder_begin_array(b);
    for (guint i = 0; i < names->len; i++)
        json_builder_add_string_value(b, g_ptr_array_index(names, i));
    json_builder_end_array(b);
}

static void add_flag(JsonBuilder *b, const char *member,
                     const struct nook_features_part *const *parts, enum nook_feature_flag flag)
{
    json_builder_set_member_name(b, member);
    json_builder_add_boolean_value(b, collect_flag(parts, flag));
}

/* {"enabled": <flag>} */
static void add_enabled_object(JsonBuilder *b, const char *member,
                               const struct nook_features_part *const *parts,
                               enum nook_feature_flag flag)
{
    json_builder_set_member_name(b, member);
    json_builder_begin_object(b);
    add_flag(b, "enabled", parts, flag);
    json_builder_end_object(b);
}

static void add_linux(JsonBuilder *b, const struct nook_features_part *const *parts)
{
    json_builder_set_member_name(b, "linux");
    json_builder_begin_object(b);
    add_list(b, "namespaces", parts, NOOK_FEATURE_NAMESPACES);
    add_list(b, "capabilities", parts, NOOK_FEATURE_CAPABILITIES);

    json_builder_set_member_name(b, "cgroup");
    json_builder_begin_object(b);
    add_flag(b, "v1", parts, NOOK_FEATURE_CGROUP_V1);
    add_flag(b, "v2", parts, NOOK_FEATURE_CGROUP_V2);
    add_flag(b, "systemd", parts, NOOK_FEATURE_CGROUP_SYSTEMD);
    add_flag(b, "systemdUser", parts, NOOK_FEATURE_CGROUP_SYSTEMD_USER);
    add_flag(b, "rdma", parts, NOOK_FEATURE_CGROUP_RDMA);
    json_builder_end_object(b);

    json_builder_set_member_name(b, "seccomp");
    json_builder_begin_object(b);
    add_flag(b, "enabled", parts, NOOK_FEATURE_SECCOMP);
    add_list(b, "actions", parts, NOOK_FEATURE_SECCOMP_ACTIONS);
    add_list(b, "operators", parts, NOOK_FEATURE_SECCOMP_OPERATORS);
    add_list(b, "archs", parts, NOOK_FEATURE_SECCOMP_ARCHS);
    add_list(b, "knownFlags", parts, NOOK_FEATURE_SECCOMP_KNOWN_FLAGS);
    add_list(b, "supportedFlags", parts, NOOK_FEATURE_SECCOMP_SUPPORTED_FLAGS);
    json_builder_end_object(b);

    add_enabled_object(b, "apparmor", parts, NOOK_FEATURE_APPARMOR);
    add_enabled_object(b, "selinux", parts, NOOK_FEATURE_SELINUX);
    add_enabled_object(b, "intelRdt", parts, NOOK_FEATURE_INTEL_RDT);

    json_builder_set_member_name(b, "mountExtensions");
    json_builder_begin_object(b);
    add_enabled_object(b, "idmap", parts, NOOK_FEATURE_IDMAP_MOUNTS);
    json_builder_end_object(b);

    json_builder_end_object(b);
}

/* "+SECCOMP +SYSTEMD -SLIRP ...", the same words as `nook --version`. */
static char *build_features_string(void)
{
    g_autoptr(GString) s = g_string_new(NULL);
    for (const struct nook_build_feature *f = nook_build_features(); f->name; f++)
        g_string_append_printf(s, "%s%c%s", s->len ? " " : "", f->enabled ? '+' : '-', f->name);
    return g_string_free(steal_pointer(&s), FALSE);
}

static int compare_keys(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The annotations the parts read, as key, value pairs sorted by key. */
static GPtrArray *collect_annotations(const struct nook_features_part *const *parts)
{
    GPtrArray *pairs = g_ptr_array_new();
    for (const struct nook_features_part *const *p = parts; *p; p++)
        for (const char *const *a = (*p)->annotations; a && a[0] && a[1]; a += 2) {
            g_ptr_array_add(pairs, (gpointer)a[0]);
            g_ptr_array_add(pairs, (gpointer)a[1]);
        }
    if (pairs->len > 0)
        qsort(pairs->pdata, pairs->len / 2, 2 * sizeof(gpointer), compare_keys);
    return pairs;
}

static void add_annotations(JsonBuilder *b, const struct nook_features_part *const *parts)
{
    /* Sorted by key, as runc prints its annotations: the parts' (all
     * "nook.*") come after these. */
    json_builder_set_member_name(b, "annotations");
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "io.github.nook.commit");
    json_builder_add_string_value(b, nook_commit());
    g_autofree char *features = build_features_string();
    json_builder_set_member_name(b, "io.github.nook.features");
    json_builder_add_string_value(b, features);
    json_builder_set_member_name(b, "io.github.nook.version");
    json_builder_add_string_value(b, nook_version());
#if HAVE_SECCOMP
    /* The library nook runs with, which may be newer than the headers it
     * was built against. */
    const struct scmp_version *v = seccomp_version();
    if (v) {
        g_autofree char *version = g_strdup_printf("%u.%u.%u", v->major, v->minor, v->micro);
        json_builder_set_member_name(b, "io.github.seccomp.libseccomp.version");
        json_builder_add_string_value(b, version);
    }
#endif
    g_autoptr(GPtrArray) pairs = collect_annotations(parts);
    for (guint i = 0; i + 1 < pairs->len; i += 2) {
        json_builder_set_member_name(b, g_ptr_array_index(pairs, i));
        json_builder_add_string_value(b, g_ptr_array_index(pairs, i + 1));
    }
    json_builder_end_object(b);
}

JsonNode *nook_features_build(const struct nook_features_part *const *parts)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "ociVersionMin");
    json_builder_add_string_value(b, "1.0.0");
    json_builder_set_member_name(b, "ociVersionMax");
    json_builder_add_string_value(b, nook_spec_version());
    add_list(b, "hooks", parts, NOOK_FEATURE_HOOKS);
    add_list(b, "mountOptions", parts, NOOK_FEATURE_MOUNT_OPTIONS);
    add_linux(b, parts);
    add_annotations(b, parts);
    json_builder_end_object(b);
    return json_builder_get_root(b);
}

char *nook_features_text(const struct nook_features_part *const *parts)
{
    g_autoptr(JsonNode) root = nook_features_build(parts);
    /* Four spaces, as `runc features` indents. */
    return nook_json_pretty_text(root, 4, ' ');
}
