/* state-file.c: the stored state of a container: building a fresh one for
 * `create`, and the format of state.json. Written and read with nook's own
 * small JSON code (json-text.h, json-read.h), not json-glib: every command
 * reads state.json, and loading json-glib costs more than the rest of a
 * `nook start` together. */
#include <inttypes.h>
#include <limits.h>
#include <pwd.h>
#include <string.h>

#include "json-read.h"
#include "json-text.h"
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
    _cleanup_free_ char *buf = NULL;
    size_t size = 0;
    _cleanup_fclose_ FILE *f = open_memstream(&buf, &size);
    if (!f)
        return nook_error_set(err, ENOMEM, "out of memory");

    struct nook_json_writer w;
    nook_json_writer_init(&w, f, 2, 0);
    nook_json_writer_begin_object(&w);
    nook_json_writer_name(&w, "version");
    nook_json_writer_int(&w, state->version ? state->version : NOOK_STATE_VERSION);
    nook_json_writer_name(&w, "id");
    nook_json_writer_string(&w, str_or(state->id, ""));
    nook_json_writer_name(&w, "oci_version");
    nook_json_writer_string(&w, str_or(state->oci_version, ""));
    nook_json_writer_name(&w, "creating");
    nook_json_writer_bool(&w, state->creating);
    nook_json_writer_name(&w, "creator_pid");
    nook_json_writer_int(&w, state->creator_pid);
    nook_json_writer_name(&w, "creator_start_time");
    nook_json_writer_int(&w, (int64_t)state->creator_start_time);
    nook_json_writer_name(&w, "init_pid");
    nook_json_writer_int(&w, state->init_pid);
    nook_json_writer_name(&w, "init_start_time");
    nook_json_writer_int(&w, (int64_t)state->init_start_time);
    nook_json_writer_name(&w, "bundle");
    nook_json_writer_string(&w, str_or(state->bundle, ""));
    nook_json_writer_name(&w, "rootfs");
    nook_json_writer_string(&w, str_or(state->rootfs, ""));
    nook_json_writer_name(&w, "created");
    nook_json_writer_string(&w, str_or(state->created, ""));
    nook_json_writer_name(&w, "owner");
    nook_json_writer_string(&w, str_or(state->owner, ""));
    const struct {
        const char *name;
        const char *value;
    } optional[] = {
        { "cgroup_manager", state->cgroup_manager },
        { "cgroup_path", state->cgroup_path },
        { "cgroup_unit", state->cgroup_unit },
    };
    for (size_t i = 0; i < N_ELEMENTS(optional); i++) {
        if (!optional[i].value)
            continue;
        nook_json_writer_name(&w, optional[i].name);
        nook_json_writer_string(&w, optional[i].value);
    }
    if (state->cgroup_origin != NOOK_STATE_CGROUP_UNRECORDED) {
        nook_json_writer_name(&w, "cgroup_made");
        nook_json_writer_bool(&w, state->cgroup_origin == NOOK_STATE_CGROUP_MADE);
    }
    nook_json_writer_name(&w, "annotations");
    nook_json_writer_begin_object(&w);
    for (size_t i = 0; i < state->n_annotations; i++) {
        nook_json_writer_name(&w, state->annotations[i].key);
        nook_json_writer_string(&w, state->annotations[i].value);
    }
    nook_json_writer_end_object(&w);
    nook_json_writer_end_object(&w);
    fputc('\n', f);

    int r = nook_json_writer_finish(&w);
    FILE *done = steal_pointer(&f);
    if (fclose(done) != 0 && r == 0)
        r = -ENOMEM;
    if (r < 0 || !buf)
        return nook_error_set(err, ENOMEM, "out of memory");
    *out = steal_pointer(&buf);
    return 0;
}

/* A string member's text; NUL inside would cut the C string short. */
static int string_value(const struct nook_json_value *v, const char *what, const char *name,
                        const char **out, struct nook_error *err)
{
    if (v->type != NOOK_JSON_STRING)
        return nook_error_set(err, EBADMSG, "%s \"%s\" is not a string", what, name);
    if (strlen(v->as.string.chars) != v->as.string.length)
        return nook_error_set(err, EBADMSG, "%s \"%s\" contains a NUL character", what, name);
    *out = v->as.string.chars;
    return 0;
}

/* Member `name` of obj as a string; a missing member is an error. */
static int read_string(const struct nook_json_value *obj, const char *name, char **out,
                       struct nook_error *err)
{
    const struct nook_json_value *v = nook_json_get(obj, name);
    if (!v)
        return nook_error_set(err, EBADMSG, "field \"%s\" is missing", name);
    const char *text;
    int r = string_value(v, "field", name, &text, err);
    if (r < 0)
        return r;
    char *copy = strdup(text);
    if (!copy)
        return nook_error_set(err, ENOMEM, "out of memory");
    *out = copy;
    return 0;
}

/* An optional string member: absent or null leaves *out NULL. */
static int read_optional_string(const struct nook_json_value *obj, const char *name, char **out,
                                struct nook_error *err)
{
    const struct nook_json_value *v = nook_json_get(obj, name);
    if (!v || v->type == NOOK_JSON_NULL)
        return 0;
    return read_string(obj, name, out, err);
}

static int read_int(const struct nook_json_value *obj, const char *name, int64_t min,
                    int64_t max, int64_t *out, struct nook_error *err)
{
    const struct nook_json_value *v = nook_json_get(obj, name);
    if (!v)
        return nook_error_set(err, EBADMSG, "field \"%s\" is missing", name);
    if (v->type != NOOK_JSON_INT)
        return nook_error_set(err, EBADMSG, "field \"%s\" is not an integer", name);
    if (v->as.integer < min || v->as.integer > max)
        return nook_error_set(err, EBADMSG, "field \"%s\" is out of range: %" PRId64, name,
                              v->as.integer);
    *out = v->as.integer;
    return 0;
}

static int read_bool(const struct nook_json_value *obj, const char *name, bool *out,
                     struct nook_error *err)
{
    const struct nook_json_value *v = nook_json_get(obj, name);
    if (!v)
        return nook_error_set(err, EBADMSG, "field \"%s\" is missing", name);
    if (v->type != NOOK_JSON_BOOL)
        return nook_error_set(err, EBADMSG, "field \"%s\" is not true or false", name);
    *out = v->as.boolean;
    return 0;
}

/* "cgroup_made": absent in a state.json from before it was recorded. */
static int read_cgroup_origin(const struct nook_json_value *obj, struct nook_state *state,
                              struct nook_error *err)
{
    state->cgroup_origin = NOOK_STATE_CGROUP_UNRECORDED;
    if (!nook_json_get(obj, "cgroup_made"))
        return 0;
    bool made = false;
    int r = read_bool(obj, "cgroup_made", &made, err);
    if (r < 0)
        return r;
    state->cgroup_origin = made ? NOOK_STATE_CGROUP_MADE : NOOK_STATE_CGROUP_FOUND;
    return 0;
}

static int read_annotations(const struct nook_json_value *obj, struct nook_state *state,
                            struct nook_error *err)
{
    const struct nook_json_value *map = nook_json_get(obj, "annotations");
    if (!map)
        return 0;
    if (map->type != NOOK_JSON_OBJECT)
        return nook_error_set(err, EBADMSG, "field \"annotations\" is not an object");
    for (size_t i = 0; i < map->as.object.count; i++) {
        const struct nook_json_member *m = &map->as.object.members[i];
        const char *value;
        int r = string_value(&m->value, "annotation", m->name, &value, err);
        if (r < 0)
            return r;
        r = nook_state_set_annotation(state, m->name, value, err);
        if (r < 0)
            return r;
    }
    return 0;
}

static int parse_object(const struct nook_json_value *obj, struct nook_state *s,
                        struct nook_error *err)
{
    int64_t v;
    int r = read_int(obj, "version", 1, INT_MAX, &v, err);
    if (r < 0)
        return r;
    if (v > NOOK_STATE_VERSION)
        return nook_error_set(err, EPROTONOSUPPORT,
                              "written by a newer nook (format %" PRId64
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
        (r = read_optional_string(obj, "cgroup_unit", &s->cgroup_unit, err)) < 0 ||
        (r = read_cgroup_origin(obj, s, err)) < 0)
        return r;
    if ((r = read_int(obj, "creator_pid", 0, INT_MAX, &v, err)) < 0)
        return r;
    s->creator_pid = (pid_t)v;
    if ((r = read_int(obj, "creator_start_time", 0, INT64_MAX, &v, err)) < 0)
        return r;
    s->creator_start_time = (unsigned long long)v;
    if ((r = read_int(obj, "init_pid", 0, INT_MAX, &v, err)) < 0)
        return r;
    s->init_pid = (pid_t)v;
    if ((r = read_int(obj, "init_start_time", 0, INT64_MAX, &v, err)) < 0)
        return r;
    s->init_start_time = (unsigned long long)v;
    return read_annotations(obj, s, err);
}

/* state.json is read by every command, so the reader's limits are the
 * state store's own (state.c refuses a larger file before reading it). */
#define STATE_JSON_MAX_SIZE (16u << 20)
#define STATE_JSON_MAX_DEPTH 4u

int nook_state_from_json(const char *text, size_t length, struct nook_state *out,
                         struct nook_error *err)
{
    memset(out, 0, sizeof(*out));
    const struct nook_json_limits limits = {
        .max_size = STATE_JSON_MAX_SIZE,
        .max_depth = STATE_JSON_MAX_DEPTH,
    };
    _cleanup_(nook_json_freep) struct nook_json_value *root = NULL;
    int r = nook_json_parse(text, length, &limits, &root, err);
    if (r < 0) {
        if (r == -EBADMSG)
            nook_error_prefix(err, "not valid JSON");
        return r;
    }
    if (root->type != NOOK_JSON_OBJECT)
        return nook_error_set(err, EBADMSG, "not a JSON object but %s",
                              nook_json_type_name(root->type));
    r = parse_object(root, out, err);
    if (r < 0)
        nook_state_clear(out);
    return r;
}
