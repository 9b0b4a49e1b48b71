/* state-file.c: the stored state of a container: building a fresh one for
 * `create`, and the format of state.json (json-glib both ways). */
#include <json-glib/json-glib.h>
#include <limits.h>
#include <pwd.h>
#include <string.h>

#include "proc.h"
#include "state.h"

/* ---- building a state ---- */

static int owner_name(uid_t uid, char **out)
{
    struct passwd pw;
    struct passwd *found = NULL;
    long size = sysconf(_SC_GETPW_R_SIZE_MAX);
    _cleanup_free_ char *buf = malloc(size > 0 ? (size_t)size : 16384);
    if (!buf)
        return -ENOMEM;
    int r = getpwuid_r(uid, &pw, buf, size > 0 ? (size_t)size : 16384, &found);
    char *name = NULL;
    /* runc names an unknown uid "#<uid>". */
    if (r == 0 && found)
        name = strdup(found->pw_name);
    else if (asprintf(&name, "#%u", (unsigned)uid) < 0)
        name = NULL;
    if (!name)
        return -ENOMEM;
    *out = name;
    return 0;
}

void nook_format_rfc3339nano(const struct timespec *when, char *buf, size_t size)
{
    struct tm tm;
    time_t seconds = when->tv_sec;
    if (!gmtime_r(&seconds, &tm)) {
        snprintf(buf, size, "1970-01-01T00:00:00Z");
        return;
    }
    size_t n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
    long nanos = when->tv_nsec;
    if (nanos > 0 && nanos < 1000000000L) {
        char fraction[16];
        snprintf(fraction, sizeof(fraction), "%09ld", nanos);
        size_t digits = 9;
        while (digits > 0 && fraction[digits - 1] == '0')
            digits--;
        fraction[digits] = '\0';
        n += (size_t)snprintf(buf + n, size - n, ".%s", fraction);
    }
    if (n < size)
        snprintf(buf + n, size - n, "Z");
}

int nook_state_init(struct nook_state *state, const char *id, const char *oci_version,
                    const char *bundle, const char *rootfs, struct nook_error *err)
{
    memset(state, 0, sizeof(*state));
    state->version = NOOK_STATE_VERSION;
    state->creating = true;
    state->creator_pid = getpid();
    struct nook_proc_stat self;
    int r = nook_proc_read_stat(state->creator_pid, &self);
    if (r < 0)
        return nook_error_set_errno(err, -r, "read /proc/%d/stat", (int)state->creator_pid);
    state->creator_start_time = self.start_time;

    _cleanup_free_ char *abs_bundle = NULL;
    r = nook_state_absolute_path(NULL, bundle, &abs_bundle);
    if (r < 0)
        return nook_error_set_errno(err, -r, "make bundle \"%s\" absolute", bundle);

    struct timespec now;
    if (clock_gettime(CLOCK_REALTIME, &now) < 0)
        return nook_error_set_errno(err, errno, "read the clock");
    char created[64];
    nook_format_rfc3339nano(&now, created, sizeof(created));

    state->id = strdup(id);
    state->oci_version = strdup(oci_version);
    state->created = strdup(created);
    r = nook_state_absolute_path(abs_bundle, rootfs, &state->rootfs);
    if (r == 0)
        r = owner_name(geteuid(), &state->owner);
    state->bundle = steal_pointer(&abs_bundle);
    if (r < 0 || !state->id || !state->oci_version || !state->created) {
        nook_state_clear(state);
        return nook_error_set(err, ENOMEM, "out of memory");
    }
    return 0;
}

int nook_state_set_init(struct nook_state *state, pid_t pid, struct nook_error *err)
{
    struct nook_proc_stat st;
    int r = nook_proc_read_stat(pid, &st);
    if (r == 0 && (st.state == 'Z' || st.state == 'X'))
        r = -ESRCH;
    if (r < 0)
        return nook_error_set_errno(err, -r, "record init process %d of container \"%s\"",
                                    (int)pid, state->id);
    state->init_pid = pid;
    state->init_start_time = st.start_time;
    state->creating = false;
    state->creator_pid = 0;
    state->creator_start_time = 0;
    return 0;
}

int nook_state_set_annotation(struct nook_state *state, const char *key, const char *value,
                              struct nook_error *err)
{
    size_t i = 0;
    while (i < state->n_annotations && strcmp(state->annotations[i].key, key) < 0)
        i++;
    char *new_value = strdup(value);
    if (!new_value)
        return nook_error_set(err, ENOMEM, "out of memory");
    if (i < state->n_annotations && strcmp(state->annotations[i].key, key) == 0) {
        free(state->annotations[i].value);
        state->annotations[i].value = new_value;
        return 0;
    }
    char *new_key = strdup(key);
    struct nook_annotation *grown =
        realloc(state->annotations, (state->n_annotations + 1) * sizeof(*grown));
    if (!new_key || !grown) {
        free(new_key);
        free(new_value);
        if (grown)
            state->annotations = grown;
        return nook_error_set(err, ENOMEM, "out of memory");
    }
    memmove(grown + i + 1, grown + i, (state->n_annotations - i) * sizeof(*grown));
    grown[i] = (struct nook_annotation){ new_key, new_value };
    state->annotations = grown;
    state->n_annotations++;
    return 0;
}

void nook_state_clear(struct nook_state *state)
{
    free(state->id);
    free(state->oci_version);
    free(state->bundle);
    free(state->rootfs);
    free(state->created);
    free(state->owner);
    free(state->cgroup_manager);
    free(state->cgroup_path);
    free(state->cgroup_unit);
    for (size_t i = 0; i < state->n_annotations; i++) {
        free(state->annotations[i].key);
        free(state->annotations[i].value);
    }
    free(state->annotations);
    memset(state, 0, sizeof(*state));
}

/* ---- state.json ---- */

int nook_state_to_json(const struct nook_state *state, char **out, struct nook_error *err)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "version");
    json_builder_add_int_value(b, state->version ? state->version : NOOK_STATE_VERSION);
    json_builder_set_member_name(b, "id");
    json_builder_add_string_value(b, str_or(state->id, ""));
    json_builder_set_member_name(b, "oci_version");
    json_builder_add_string_value(b, str_or(state->oci_version, ""));
    json_builder_set_member_name(b, "creating");
    json_builder_add_boolean_value(b, state->creating);
    json_builder_set_member_name(b, "creator_pid");
    json_builder_add_int_value(b, state->creator_pid);
    json_builder_set_member_name(b, "creator_start_time");
    json_builder_add_int_value(b, (gint64)state->creator_start_time);
    json_builder_set_member_name(b, "init_pid");
    json_builder_add_int_value(b, state->init_pid);
    json_builder_set_member_name(b, "init_start_time");
    json_builder_add_int_value(b, (gint64)state->init_start_time);
    json_builder_set_member_name(b, "bundle");
    json_builder_add_string_value(b, str_or(state->bundle, ""));
    json_builder_set_member_name(b, "rootfs");
    json_builder_add_string_value(b, str_or(state->rootfs, ""));
    json_builder_set_member_name(b, "created");
    json_builder_add_string_value(b, str_or(state->created, ""));
    json_builder_set_member_name(b, "owner");
    json_builder_add_string_value(b, str_or(state->owner, ""));
    const struct {
        const char *name;
        const char *value;
    } optional[] = {
        { "cgroup_manager", state->cgroup_manager },
        { "cgroup_path", state->cgroup_path },
        { "cgroup_unit", state->cgroup_unit },
    };
    for (size_t i = 0; i < sizeof(optional) / sizeof(optional[0]); i++) {
        if (!optional[i].value)
            continue;
        json_builder_set_member_name(b, optional[i].name);
        json_builder_add_string_value(b, optional[i].value);
    }
    json_builder_set_member_name(b, "annotations");
    json_builder_begin_object(b);
    for (size_t i = 0; i < state->n_annotations; i++) {
        json_builder_set_member_name(b, state->annotations[i].key);
        json_builder_add_string_value(b, state->annotations[i].value);
    }
    json_builder_end_object(b);
    json_builder_end_object(b);

    g_autoptr(JsonNode) root = json_builder_get_root(b);
    g_autoptr(JsonGenerator) gen = json_generator_new();
    json_generator_set_pretty(gen, TRUE);
    json_generator_set_root(gen, root);
    g_autofree gchar *text = json_generator_to_data(gen, NULL);
    char *copy = NULL;
    if (!text || asprintf(&copy, "%s\n", text) < 0)
        return nook_error_set(err, ENOMEM, "out of memory");
    *out = copy;
    return 0;
}

/* Member `name` of obj as a string; a missing member is an error. */
static int read_string(JsonObject *obj, const char *name, char **out, struct nook_error *err)
{
    JsonNode *node = json_object_get_member(obj, name);
    if (!node)
        return nook_error_set(err, EBADMSG, "field \"%s\" is missing", name);
    if (!JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_STRING)
        return nook_error_set(err, EBADMSG, "field \"%s\" is not a string", name);
    char *copy = strdup(json_node_get_string(node));
    if (!copy)
        return nook_error_set(err, ENOMEM, "out of memory");
    *out = copy;
    return 0;
}

/* An optional string member: absent or null leaves *out NULL. */
static int read_optional_string(JsonObject *obj, const char *name, char **out,
                                struct nook_error *err)
{
    JsonNode *node = json_object_get_member(obj, name);
    if (!node || JSON_NODE_HOLDS_NULL(node))
        return 0;
    return read_string(obj, name, out, err);
}

static int read_int(JsonObject *obj, const char *name, gint64 min, gint64 max, gint64 *out,
                    struct nook_error *err)
{
    JsonNode *node = json_object_get_member(obj, name);
    if (!node)
        return nook_error_set(err, EBADMSG, "field \"%s\" is missing", name);
    if (!JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_INT64)
        return nook_error_set(err, EBADMSG, "field \"%s\" is not an integer", name);
    gint64 v = json_node_get_int(node);
    if (v < min || v > max)
        return nook_error_set(err, EBADMSG, "field \"%s\" is out of range: %" G_GINT64_FORMAT,
                              name, v);
    *out = v;
    return 0;
}

static int read_bool(JsonObject *obj, const char *name, bool *out, struct nook_error *err)
{
    JsonNode *node = json_object_get_member(obj, name);
    if (!node)
        return nook_error_set(err, EBADMSG, "field \"%s\" is missing", name);
    if (!JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_BOOLEAN)
        return nook_error_set(err, EBADMSG, "field \"%s\" is not true or false", name);
    *out = json_node_get_boolean(node);
    return 0;
}

static int read_annotations(JsonObject *obj, struct nook_state *state, struct nook_error *err)
{
    JsonNode *node = json_object_get_member(obj, "annotations");
    if (!node)
        return 0;
    if (!JSON_NODE_HOLDS_OBJECT(node))
        return nook_error_set(err, EBADMSG, "field \"annotations\" is not an object");
    JsonObject *map = json_node_get_object(node);
    g_autoptr(GList) keys = json_object_get_members(map);
    for (GList *k = keys; k; k = k->next) {
        const char *key = k->data;
        JsonNode *value = json_object_get_member(map, key);
        if (!JSON_NODE_HOLDS_VALUE(value) || json_node_get_value_type(value) != G_TYPE_STRING)
            return nook_error_set(err, EBADMSG, "annotation \"%s\" is not a string", key);
        int r = nook_state_set_annotation(state, key, json_node_get_string(value), err);
        if (r < 0)
            return r;
    }
    return 0;
}

static int parse_object(JsonObject *obj, struct nook_state *s, struct nook_error *err)
{
    gint64 v;
    int r = read_int(obj, "version", 1, INT_MAX, &v, err);
    if (r < 0)
        return r;
    if (v > NOOK_STATE_VERSION)
        return nook_error_set(err, EPROTONOSUPPORT,
                              "written by a newer nook (format %" G_GINT64_FORMAT
                              ", this nook reads up to %d); use that nook",
                              v, NOOK_STATE_VERSION);
    s->version = (int)v;
    if ((r = read_string(obj, "id", &s->id, err)) < 0 ||
        (r = read_string(obj, "oci_version", &s->oci_version, err)) < 0 ||
        (r = read_bool(obj, "creating", &s->creating, err)) < 0 ||
        (r = read_string(obj, "bundle", &s->bundle, err)) < 0 ||
        (r = read_string(obj, "rootfs", &s->rootfs, err)) < 0 ||
        (r = read_string(obj, "created", &s->created, err)) < 0 ||
        (r = read_string(obj, "owner", &s->owner, err)) < 0 ||
        (r = read_optional_string(obj, "cgroup_manager", &s->cgroup_manager, err)) < 0 ||
        (r = read_optional_string(obj, "cgroup_path", &s->cgroup_path, err)) < 0 ||
        (r = read_optional_string(obj, "cgroup_unit", &s->cgroup_unit, err)) < 0)
        return r;
    if ((r = read_int(obj, "creator_pid", 0, INT_MAX, &v, err)) < 0)
        return r;
    s->creator_pid = (pid_t)v;
    if ((r = read_int(obj, "creator_start_time", 0, G_MAXINT64, &v, err)) < 0)
        return r;
    s->creator_start_time = (unsigned long long)v;
    if ((r = read_int(obj, "init_pid", 0, INT_MAX, &v, err)) < 0)
        return r;
    s->init_pid = (pid_t)v;
    if ((r = read_int(obj, "init_start_time", 0, G_MAXINT64, &v, err)) < 0)
        return r;
    s->init_start_time = (unsigned long long)v;
    return read_annotations(obj, s, err);
}

int nook_state_from_json(const char *text, size_t length, struct nook_state *out,
                         struct nook_error *err)
{
    memset(out, 0, sizeof(*out));
    g_autoptr(JsonParser) parser = json_parser_new();
    g_autoptr(GError) gerr = NULL;
    if (length > G_MAXSSIZE)
        return nook_error_set(err, EFBIG, "too large");
    if (!json_parser_load_from_data(parser, text, (gssize)length, &gerr))
        return nook_error_set(err, EBADMSG, "not valid JSON: %s", gerr->message);
    JsonNode *root = json_parser_get_root(parser);
    if (!root || !JSON_NODE_HOLDS_OBJECT(root))
        return nook_error_set(err, EBADMSG, "not a JSON object");
    int r = parse_object(json_node_get_object(root), out, err);
    if (r < 0)
        nook_state_clear(out);
    return r;
}
