/* test-oci-features.c: the features document builder: how the parts that
 * rooms export are merged (union in order, each name once, host filters,
 * flags), and that the parts compiled in today claim nothing. */
#include <json-glib/json-glib.h>

#include "lib/oci-features.h"
#include "config.h"
#include "tap.h"

/* The members of the array at a dotted path, joined by commas. */
static char *array_text(JsonNode *root, const char *path)
{
    g_auto(GStrv) keys = g_strsplit(path, ".", -1);
    JsonNode *node = root;
    for (char **k = keys; *k && node; k++)
        node = JSON_NODE_HOLDS_OBJECT(node) ? json_object_get_member(json_node_get_object(node), *k)
                                            : NULL;
    if (!node || !JSON_NODE_HOLDS_ARRAY(node))
        return g_strdup("(not an array)");
    GString *s = g_string_new(NULL);
    JsonArray *a = json_node_get_array(node);
    for (guint i = 0; i < json_array_get_length(a); i++)
        g_string_append_printf(s, "%s%s", i ? "," : "", json_array_get_string_element(a, i));
    return g_string_free(s, FALSE);
}

static int bool_at(JsonNode *root, const char *path)
{
    g_auto(GStrv) keys = g_strsplit(path, ".", -1);
    JsonNode *node = root;
    for (char **k = keys; *k && node; k++)
        node = JSON_NODE_HOLDS_OBJECT(node) ? json_object_get_member(json_node_get_object(node), *k)
                                            : NULL;
    if (!node || json_node_get_value_type(node) != G_TYPE_BOOLEAN)
        return -1;
    return json_node_get_boolean(node);
}

static bool no_flag_filter(enum nook_feature_list list, const char *name)
{
    return !(list == NOOK_FEATURE_SECCOMP_SUPPORTED_FLAGS && strcmp(name, "FLAG_B") == 0);
}

static const char *const mount_a[] = { "bind", "ro", NULL };
static const char *const mount_b[] = { "ro", "rbind", NULL };
static const char *const ns_b[] = { "user", NULL };
static const char *const flags_b[] = { "FLAG_A", "FLAG_B", NULL };

static const struct nook_features_part part_a = {
    .name = "a",
    .lists[NOOK_FEATURE_MOUNT_OPTIONS] = mount_a,
    .flags[NOOK_FEATURE_CGROUP_V2] = true,
};

static const struct nook_features_part part_b = {
    .name = "b",
    .lists[NOOK_FEATURE_MOUNT_OPTIONS] = mount_b,
    .lists[NOOK_FEATURE_NAMESPACES] = ns_b,
    .lists[NOOK_FEATURE_SECCOMP_KNOWN_FLAGS] = flags_b,
    .lists[NOOK_FEATURE_SECCOMP_SUPPORTED_FLAGS] = flags_b,
    .flags[NOOK_FEATURE_CGROUP_V2] = true,
    .flags[NOOK_FEATURE_SECCOMP] = true,
    .supported = no_flag_filter,
};

int main(void)
{
    struct tap t = { 0 };

    const struct nook_features_part *const parts[] = { &part_a, &part_b, NULL };
    g_autoptr(JsonNode) doc = nook_features_build(parts);
    g_autofree char *mounts = array_text(doc, "mountOptions");
    CHECK_STR(&t, mounts, "bind,ro,rbind", "lists are merged in order, each name once");
    g_autofree char *ns = array_text(doc, "linux.namespaces");
    CHECK_STR(&t, ns, "user", "a list fed by one part");
    g_autofree char *hooks = array_text(doc, "hooks");
    CHECK_STR(&t, hooks, "", "a list nobody feeds is empty, not absent");
    g_autofree char *known = array_text(doc, "linux.seccomp.knownFlags");
    CHECK_STR(&t, known, "FLAG_A,FLAG_B", "unfiltered list keeps every name");
    g_autofree char *supported = array_text(doc, "linux.seccomp.supportedFlags");
    CHECK_STR(&t, supported, "FLAG_A", "the host filter drops what it refuses");
    CHECK(&t, bool_at(doc, "linux.cgroup.v2") == 1, "a flag set by parts is true");
    CHECK(&t, bool_at(doc, "linux.seccomp.enabled") == 1, "a flag set by one part is true");
    CHECK(&t, bool_at(doc, "linux.cgroup.v1") == 0, "a flag nobody sets is false");
    CHECK(&t, bool_at(doc, "linux.mountExtensions.idmap.enabled") == 0, "idmap flag present, false");

    /* The compiled-in parts claim what create implements, and no more. */
    const struct nook_features_part *const *compiled = nook_features_parts();
    CHECK(&t, compiled != NULL, "the compiled parts list exists");
    g_autoptr(JsonNode) real = nook_features_build(compiled);
    g_autofree char *real_mounts = array_text(real, "mountOptions");
    CHECK(&t, real_mounts && strstr(real_mounts, "rbind") && strstr(real_mounts, "rro"),
          "the mount options are claimed");
    g_autofree char *real_ns = array_text(real, "linux.namespaces");
    CHECK_STR(&t, real_ns, "cgroup,ipc,mount,network,pid,time,user,uts", "the namespaces are claimed");
    CHECK(&t, bool_at(real, "linux.seccomp.enabled") == HAVE_SECCOMP,
          "seccomp is claimed exactly when libseccomp is built in");

    const struct nook_features_part *const none[] = { NULL };
    g_autofree char *text = nook_features_text(none);
    CHECK(&t, text && text[strlen(text) - 1] == '\n', "text ends with a newline");
    CHECK(&t, text && strstr(text, "\"ociVersionMin\" : \"1.0.0\"") != NULL, "text has ociVersionMin");

    return tap_done(&t);
}
