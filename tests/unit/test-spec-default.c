/* test-spec-default.c: the default config.json: the root and rootless
 * shapes, and writing it into a bundle (exclusive create, clear errors). */
#include <fcntl.h>
#include <sys/stat.h>

#include <json-glib/json-glib.h>

#include "lib/spec-default.h"
#include "tap.h"

static JsonObject *member_object(JsonObject *o, const char *name)
{
    return json_object_get_object_member(o, name);
}

/* The namespace types, joined by commas. */
static char *namespaces_text(JsonNode *doc)
{
    JsonObject *linux_obj = member_object(json_node_get_object(doc), "linux");
    JsonArray *a = json_object_get_array_member(linux_obj, "namespaces");
    GString *s = g_string_new(NULL);
    for (guint i = 0; i < json_array_get_length(a); i++)
        g_string_append_printf(s, "%s%s", i ? "," : "",
                               json_object_get_string_member(json_array_get_object_element(a, i), "type"));
    return g_string_free(s, FALSE);
}

static JsonObject *mount_at(JsonNode *doc, const char *destination)
{
    JsonArray *a = json_object_get_array_member(json_node_get_object(doc), "mounts");
    for (guint i = 0; i < json_array_get_length(a); i++) {
        JsonObject *m = json_array_get_object_element(a, i);
        if (strcmp(json_object_get_string_member(m, "destination"), destination) == 0)
            return m;
    }
    return NULL;
}

static bool has_option(JsonObject *mount, const char *option)
{
    JsonArray *a = json_object_get_array_member(mount, "options");
    for (guint i = 0; a && i < json_array_get_length(a); i++)
        if (strcmp(json_array_get_string_element(a, i), option) == 0)
            return true;
    return false;
}

static char *read_file(const char *path)
{
    gchar *text = NULL;
    if (!g_file_get_contents(path, &text, NULL, NULL))
        return NULL;
    return text;
}

int main(void)
{
    struct tap t = { 0 };

    g_autoptr(JsonNode) root_doc = nook_spec_default_build(false);
    g_autoptr(JsonNode) rootless_doc = nook_spec_default_build(true);
    g_autofree char *root_ns = namespaces_text(root_doc);
    g_autofree char *rootless_ns = namespaces_text(rootless_doc);
    CHECK_STR(&t, root_ns, "pid,network,ipc,uts,mount,cgroup", "root namespaces");
    CHECK_STR(&t, rootless_ns, "pid,ipc,uts,mount,cgroup,user", "rootless namespaces");
    JsonObject *root_linux = member_object(json_node_get_object(root_doc), "linux");
    JsonObject *rootless_linux = member_object(json_node_get_object(rootless_doc), "linux");
    CHECK(&t, json_object_has_member(root_linux, "resources"), "root shape has resources");
    CHECK(&t, !json_object_has_member(rootless_linux, "resources"), "rootless has no resources");
    CHECK(&t, !json_object_has_member(rootless_linux, "uidMappings") &&
                  !json_object_has_member(rootless_linux, "gidMappings"),
          "rootless leaves the id mappings to create time");
    JsonObject *sys_root = mount_at(root_doc, "/sys");
    JsonObject *sys_rootless = mount_at(rootless_doc, "/sys");
    CHECK_STR(&t, sys_root ? json_object_get_string_member(sys_root, "type") : NULL, "sysfs",
              "root mounts sysfs");
    CHECK_STR(&t, sys_rootless ? json_object_get_string_member(sys_rootless, "type") : NULL,
              "none", "rootless binds /sys");
    CHECK(&t, sys_rootless && has_option(sys_rootless, "rbind") && has_option(sys_rootless, "ro"),
          "rootless /sys is a read-only rbind");
    CHECK(&t, has_option(mount_at(root_doc, "/dev/pts"), "gid=5"), "root devpts has gid=5");
    CHECK(&t, !has_option(mount_at(rootless_doc, "/dev/pts"), "gid=5"), "rootless devpts has no gid=");
    CHECK(&t, mount_at(rootless_doc, "/dev/mqueue") != NULL, "rootless keeps mqueue, as runc");

    char dir_template[] = "/tmp/nook-test-spec-XXXXXX";
    char *dir = mkdtemp(dir_template);
    CHECK(&t, dir != NULL, "temporary bundle directory");
    if (!dir)
        return tap_done(&t);
    g_autofree char *path = g_build_filename(dir, "config.json", NULL);

    struct nook_error err = { 0 };
    CHECK(&t, nook_spec_default_write(dir, true, &err) == 0, "write into an empty directory");
    g_autofree char *written = read_file(path);
    g_autofree char *expected = nook_spec_default_text(true);
    CHECK_STR(&t, written, expected, "the file holds the rootless text");

    CHECK(&t, nook_spec_default_write(dir, false, &err) == -EEXIST, "an existing file is refused");
    CHECK(&t, strstr(err.message, "already exists") && strstr(err.message, dir),
          "the refusal names the directory");
    g_autofree char *after = read_file(path);
    CHECK_STR(&t, after, expected, "the existing file is untouched");

    g_autofree char *missing = g_build_filename(dir, "missing", NULL);
    nook_error_clear(&err);
    CHECK(&t, nook_spec_default_write(missing, false, &err) == -ENOENT, "a missing directory fails");
    CHECK(&t, strstr(err.message, "does not exist") != NULL, "and says it does not exist");
    CHECK(&t, access(missing, F_OK) < 0, "and creates nothing");

    CHECK(&t, unlink(path) == 0 && rmdir(dir) == 0, "clean up");
    return tap_done(&t);
}
