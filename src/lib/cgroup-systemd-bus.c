/* cgroup-systemd-bus.c: talking to systemd's manager over D-Bus with
 * libsystemd's sd-bus, loaded with dlopen() when a bus socket exists, so
 * that nook neither needs libsystemd to start nor pays for loading it on
 * hosts without a user bus: start a transient unit, stop it, change its
 * properties, and wait for the manager's jobs. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "config.h"
#include "cgroup-systemd.h"

char *nook_sd_bus_address_path(const char *address)
{
    const char *p = address;
    while (p && *p) {
        const char *end = strchr(p, ';');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (strncmp(p, "unix:", 5) == 0) {
            const char *key = p + 5;
            while (key < p + len) {
                const char *comma = memchr(key, ',', (size_t)(p + len - key));
                size_t klen = comma ? (size_t)(comma - key) : (size_t)(p + len - key);
                if (klen > 5 && strncmp(key, "path=", 5) == 0) {
                    char *out = malloc(klen);
                    if (!out)
                        return NULL;
                    size_t n = 0;
                    for (size_t i = 5; i < klen; i++) {
                        unsigned int byte;
                        if (key[i] == '%' && i + 2 < klen && sscanf(key + i + 1, "%2x", &byte) == 1) {
                            out[n++] = (char)byte;
                            i += 2;
                        } else {
                            out[n++] = key[i];
                        }
                    }
                    out[n] = '\0';
                    return out;
                }
                key += klen + 1;
            }
        }
        p = end ? end + 1 : NULL;
    }
    return NULL;
}

static bool is_socket(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISSOCK(st.st_mode);
}

bool nook_sd_bus_socket_present(bool privileged, char **where)
{
    *where = NULL;
    const char *address = getenv(privileged ? "DBUS_SYSTEM_BUS_ADDRESS" : "DBUS_SESSION_BUS_ADDRESS");
    if (address && *address) {
        *where = nook_sd_bus_address_path(address);
        if (!*where) {
            /* An abstract socket or tcp: only connecting can tell. */
            *where = strdup(address);
            return *where != NULL;
        }
    } else if (privileged) {
        *where = strdup("/run/dbus/system_bus_socket");
    } else {
        const char *runtime = getenv("XDG_RUNTIME_DIR");
        if (!runtime || !*runtime || asprintf(where, "%s/bus", runtime) < 0)
            *where = NULL;
    }
    if (!*where || !is_socket(*where))
        return false;
    /* The system bus alone is not enough: systemd must be the init. */
    struct stat st;
    return !privileged || (stat("/run/systemd/system", &st) == 0 && S_ISDIR(st.st_mode));
}

#if HAVE_SYSTEMD

#include <dlfcn.h>
#include <signal.h>
#include <systemd/sd-bus.h>

#define SYSTEMD_DEST "org.freedesktop.systemd1"
#define SYSTEMD_PATH "/org/freedesktop/systemd1"
#define SYSTEMD_MANAGER "org.freedesktop.systemd1.Manager"
#define NO_SUCH_UNIT "org.freedesktop.systemd1.NoSuchUnit"
/* A scope's job is quick (move a pid, mkdir); a manager that takes longer
 * than this is stuck. */
#define JOB_TIMEOUT_USEC (60ULL * 1000 * 1000)
/* Whether a manager is there at all is asked with a short timeout:
 * `create` must not hang on a dead session. */
#define PING_TIMEOUT_USEC (5ULL * 1000 * 1000)

/* Only the functions used here are looked up. */
#define SD_FUNCTIONS(X)                                                                           \
    X(sd_bus_open_user)                                                                           \
    X(sd_bus_open_system)                                                                         \
    X(sd_bus_flush_close_unref)                                                                   \
    X(sd_bus_message_new_method_call)                                                             \
    X(sd_bus_message_set_auto_start)                                                              \
    X(sd_bus_message_append)                                                                      \
    X(sd_bus_message_append_basic)                                                                \
    X(sd_bus_message_append_array)                                                                \
    X(sd_bus_message_append_strv)                                                                 \
    X(sd_bus_message_open_container)                                                              \
    X(sd_bus_message_close_container)                                                             \
    X(sd_bus_message_read)                                                                        \
    X(sd_bus_message_unref)                                                                       \
    X(sd_bus_call)                                                                                \
    X(sd_bus_error_free)                                                                          \
    X(sd_bus_error_has_name)                                                                      \
    X(sd_bus_match_signal)                                                                        \
    X(sd_bus_slot_unref)                                                                          \
    X(sd_bus_process)                                                                             \
    X(sd_bus_wait)

struct sd_lib {
    void *handle;
#define DECLARE_FUNCTION(name) __typeof__(name) *name;
    SD_FUNCTIONS(DECLARE_FUNCTION)
#undef DECLARE_FUNCTION
};

struct nook_sd_bus {
    struct sd_lib lib;
    sd_bus *bus;
    bool privileged;
    char *where;                /* the socket, for messages */
};

/* One call's message, reply and error, released together. */
struct call {
    const struct sd_lib *lib;
    sd_bus_message *m;
    sd_bus_message *reply;
    sd_bus_error error;
};

static void call_clear(struct call *c)
{
    if (c->m)
        c->lib->sd_bus_message_unref(c->m);
    if (c->reply)
        c->lib->sd_bus_message_unref(c->reply);
    c->lib->sd_bus_error_free(&c->error);
    c->m = c->reply = NULL;
}

#define _cleanup_call_ _cleanup_(call_clear)

static const char *bus_name(const struct nook_sd_bus *bus)
{
    return bus->privileged ? "the system bus" : "the user bus";
}

static const char *manager_name(const struct nook_sd_bus *bus)
{
    return bus->privileged ? "systemd" : "the systemd user manager";
}

static int load_library(struct sd_lib *lib, struct nook_error *err)
{
    /* RTLD_NODELETE: libsystemd keeps thread-local caches and destructors
     * that must not be unmapped under it. */
    lib->handle = dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
    if (!lib->handle)
        return nook_error_set(err, ENOENT,
                              "the systemd cgroup manager needs libsystemd.so.0, which cannot be "
                              "loaded (%s): install libsystemd0, or use --cgroup-manager cgroupfs",
                              dlerror());
#define LOOK_UP(name)                                                                             \
    lib->name = (__typeof__(name) *)dlsym(lib->handle, #name);                                    \
    if (!lib->name) {                                                                             \
        dlclose(lib->handle);                                                                     \
        lib->handle = NULL;                                                                       \
        return nook_error_set(err, ENOSYS,                                                        \
                              "libsystemd.so.0 has no %s: it is older than nook needs (systemd "  \
                              "237 or later)",                                                    \
                              #name);                                                             \
    }
    SD_FUNCTIONS(LOOK_UP)
#undef LOOK_UP
    return 0;
}

void nook_sd_bus_close(struct nook_sd_bus *bus)
{
    if (bus->bus)
        bus->lib.sd_bus_flush_close_unref(bus->bus);
    if (bus->lib.handle)
        dlclose(bus->lib.handle);
    free(bus->where);
    free(bus);
}

static int no_bus_error(bool privileged, const char *where, struct nook_error *err)
{
    if (privileged)
        return nook_error_set(err, ENOMEDIUM,
                              "the systemd cgroup manager needs systemd as the init system and "
                              "its system bus, which this host does not have (%s missing, or "
                              "no /run/systemd/system): use --cgroup-manager cgroupfs "
                              "(see: nook check systemd.user-bus)",
                              where ? where : "no bus address");
    if (!where)
        return nook_error_set(err, ENOMEDIUM,
                              "the systemd cgroup manager needs your systemd user manager on the "
                              "user bus, but neither $DBUS_SESSION_BUS_ADDRESS nor "
                              "$XDG_RUNTIME_DIR is set: run nook in a systemd user session (log "
                              "in, or `loginctl enable-linger $USER`), or use --cgroup-manager "
                              "cgroupfs or disabled (see: nook check systemd.user-bus)");
    return nook_error_set(err, ENOMEDIUM,
                          "the systemd cgroup manager needs your systemd user manager on the "
                          "user bus, but there is no bus socket at %s: run nook in a systemd "
                          "user session with a user bus (dbus-user-session; log in, or "
                          "`loginctl enable-linger $USER`), or use --cgroup-manager cgroupfs or "
                          "disabled (see: nook check systemd.user-bus)",
                          where);
}

/* Ask the manager for its version: proves systemd answers on this bus
 * (a session bus without systemd --user has no org.freedesktop.systemd1,
 * and auto-start is off so nothing is activated for the question). */
static int check_manager(struct nook_sd_bus *bus, struct nook_error *err)
{
    const struct sd_lib *lib = &bus->lib;
    _cleanup_call_ struct call c = { .lib = lib, .error = SD_BUS_ERROR_NULL };
    int r = lib->sd_bus_message_new_method_call(bus->bus, &c.m, SYSTEMD_DEST, SYSTEMD_PATH,
                                                "org.freedesktop.DBus.Properties", "Get");
    if (r >= 0)
        r = lib->sd_bus_message_set_auto_start(c.m, 0);
    if (r >= 0)
        r = lib->sd_bus_message_append(c.m, "ss", SYSTEMD_MANAGER, "Version");
    if (r < 0)
        return nook_error_set_errno(err, -r, "build a D-Bus message");
    r = lib->sd_bus_call(bus->bus, c.m, PING_TIMEOUT_USEC, &c.error, &c.reply);
    if (r < 0)
        return nook_error_set(err, EHOSTUNREACH,
                              "the systemd cgroup manager: %s at %s answers, but %s does not: "
                              "%s%s (see: nook check systemd.user-bus)",
                              bus_name(bus), bus->where, manager_name(bus),
                              c.error.message ? c.error.message : strerror(-r),
                              bus->privileged ? "" : " (it runs as `systemd --user`, started by "
                                                     "logging in or `loginctl enable-linger "
                                                     "$USER`)");
    return 0;
}

int nook_sd_bus_open(bool privileged, struct nook_sd_bus **out, struct nook_error *err)
{
    *out = NULL;
    _cleanup_free_ char *where = NULL;
    if (!nook_sd_bus_socket_present(privileged, &where))
        return no_bus_error(privileged, where, err);
    _cleanup_(nook_sd_bus_closep) struct nook_sd_bus *bus = calloc(1, sizeof(*bus));
    if (!bus)
        return nook_error_set(err, ENOMEM, "out of memory");
    bus->privileged = privileged;
    bus->where = steal_pointer(&where);
    int r = load_library(&bus->lib, err);
    if (r < 0)
        return r;
    r = privileged ? bus->lib.sd_bus_open_system(&bus->bus) : bus->lib.sd_bus_open_user(&bus->bus);
    if (r < 0)
        return nook_error_set(err, -r,
                              "the systemd cgroup manager: connect to %s at %s: %s (see: nook check systemd.user-bus)",
                              bus_name(bus), bus->where, strerror(-r));
    if ((r = check_manager(bus, err)) < 0)
        return r;
    *out = steal_pointer(&bus);
    return 0;
}

/* ---- waiting for a job ---- */

#define SEEN_MAX 16

/* The JobRemoved signals seen, until the one for our job. Signals that
 * arrive before the job's path is known are kept, so none is missed. */
struct job_wait {
    const struct sd_lib *lib;
    char *job;
    bool done;
    char result[32];
    size_t n_seen;
    char *seen_job[SEEN_MAX];
    char seen_result[SEEN_MAX][32];
};

static void job_wait_clear(struct job_wait *w)
{
    free(w->job);
    for (size_t i = 0; i < w->n_seen; i++)
        free(w->seen_job[i]);
}

static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
    (void)ret_error;
    struct job_wait *w = userdata;
    uint32_t id;
    const char *path = NULL, *unit = NULL, *result = NULL;
    if (w->lib->sd_bus_message_read(m, "uoss", &id, &path, &unit, &result) < 0)
        return 0;
    if (w->job) {
        if (strcmp(path, w->job) == 0) {
            snprintf(w->result, sizeof(w->result), "%s", result);
            w->done = true;
        }
    } else if (w->n_seen < SEEN_MAX) {
        w->seen_job[w->n_seen] = strdup(path);
        if (w->seen_job[w->n_seen]) {
            snprintf(w->seen_result[w->n_seen], sizeof(w->seen_result[0]), "%s", result);
            w->n_seen++;
        }
    }
    return 0;
}

static int subscribe_jobs(struct nook_sd_bus *bus, struct job_wait *w, sd_bus_slot **slot,
                          struct nook_error *err)
{
    w->lib = &bus->lib;
    int r = bus->lib.sd_bus_match_signal(bus->bus, slot, SYSTEMD_DEST, SYSTEMD_PATH,
                                         SYSTEMD_MANAGER, "JobRemoved", on_job_removed, w);
    if (r < 0)
        return nook_error_set_errno(err, -r, "subscribe to systemd's job signals on %s",
                                    bus_name(bus));
    return 0;
}

static uint64_t now_usec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* Wait until the job `job` is removed; *result gets how it ended. */
static int wait_for_job(struct nook_sd_bus *bus, struct job_wait *w, const char *job,
                        const char *unit, struct nook_error *err)
{
    w->job = strdup(job);
    if (!w->job)
        return nook_error_set(err, ENOMEM, "out of memory");
    for (size_t i = 0; i < w->n_seen; i++) {
        if (strcmp(w->seen_job[i], job) == 0) {
            snprintf(w->result, sizeof(w->result), "%s", w->seen_result[i]);
            w->done = true;
        }
    }
    uint64_t deadline = now_usec() + JOB_TIMEOUT_USEC;
    while (!w->done) {
        int r = bus->lib.sd_bus_process(bus->bus, NULL);
        if (r < 0)
            return nook_error_set_errno(err, -r, "wait for systemd's job for %s on %s", unit,
                                        bus_name(bus));
        if (r > 0)
            continue;
        uint64_t now = now_usec();
        if (now >= deadline)
            return nook_error_set(err, ETIMEDOUT,
                                  "%s did not finish its job for %s within %llu seconds",
                                  manager_name(bus), unit,
                                  (unsigned long long)(JOB_TIMEOUT_USEC / 1000000));
        r = bus->lib.sd_bus_wait(bus->bus, deadline - now);
        if (r < 0 && r != -EINTR)
            return nook_error_set_errno(err, -r, "wait for systemd's job for %s on %s", unit,
                                        bus_name(bus));
    }
    return 0;
}

/* "... (org.freedesktop.systemd1.UnitExists)" from a refused call. */
static int refused(struct nook_sd_bus *bus, const char *what, const char *unit,
                   const struct call *c, int r, struct nook_error *err)
{
    int errnum = -r > 0 ? -r : EIO;
    if (c->error.message)
        return nook_error_set(err, errnum, "%s refused to %s %s: %s (%s)", manager_name(bus), what,
                              unit, c->error.message, c->error.name ? c->error.name : "no name");
    return nook_error_set_errno(err, errnum, "ask %s to %s %s", manager_name(bus), what, unit);
}

/* ---- properties into a message ---- */

static int append_value(const struct sd_lib *lib, sd_bus_message *m,
                        const struct nook_sd_value *v)
{
    const char *t = v->type;
    if (strcmp(t, "as") == 0) {
        char *empty[] = { NULL };
        return lib->sd_bus_message_append_strv(m, v->strv ? v->strv : empty);
    }
    if (strcmp(t, "ay") == 0)
        return lib->sd_bus_message_append_array(m, 'y', v->bytes.data, v->bytes.len);
    switch (t[0]) {
    case 'b': {
        int b = v->b;
        return lib->sd_bus_message_append_basic(m, 'b', &b);
    }
    case 'y': {
        uint8_t x = (uint8_t)v->u64;
        return lib->sd_bus_message_append_basic(m, 'y', &x);
    }
    case 'n': {
        int16_t x = (int16_t)v->i64;
        return lib->sd_bus_message_append_basic(m, 'n', &x);
    }
    case 'q': {
        uint16_t x = (uint16_t)v->u64;
        return lib->sd_bus_message_append_basic(m, 'q', &x);
    }
    case 'i': {
        int32_t x = (int32_t)v->i64;
        return lib->sd_bus_message_append_basic(m, 'i', &x);
    }
    case 'u': {
        uint32_t x = (uint32_t)v->u64;
        return lib->sd_bus_message_append_basic(m, 'u', &x);
    }
    case 'x':
        return lib->sd_bus_message_append_basic(m, 'x', &v->i64);
    case 't':
        return lib->sd_bus_message_append_basic(m, 't', &v->u64);
    case 'd':
        return lib->sd_bus_message_append_basic(m, 'd', &v->d);
    case 's':
        return lib->sd_bus_message_append_basic(m, 's', v->s);
    default:
        return -EINVAL;
    }
}

/* props as the "a(sv)" D-Bus unit properties take; pid > 0 adds PIDs. */
static int append_props(const struct sd_lib *lib, sd_bus_message *m,
                        const struct nook_sd_props *props, pid_t pid)
{
    int r = lib->sd_bus_message_open_container(m, 'a', "(sv)");
    for (size_t i = 0; r >= 0 && i < props->count; i++) {
        const struct nook_sd_prop *p = &props->items[i];
        r = lib->sd_bus_message_open_container(m, 'r', "sv");
        if (r >= 0)
            r = lib->sd_bus_message_append_basic(m, 's', p->name);
        if (r >= 0)
            r = lib->sd_bus_message_open_container(m, 'v', p->value.type);
        if (r >= 0)
            r = append_value(lib, m, &p->value);
        if (r >= 0)
            r = lib->sd_bus_message_close_container(m);
        if (r >= 0)
            r = lib->sd_bus_message_close_container(m);
    }
    if (r >= 0 && pid > 0)
        r = lib->sd_bus_message_append(m, "(sv)", "PIDs", "au", 1, (uint32_t)pid);
    if (r >= 0)
        r = lib->sd_bus_message_close_container(m);
    return r;
}

/* ---- the calls ---- */

int nook_sd_bus_start_unit(struct nook_sd_bus *bus, const char *unit,
                           const struct nook_sd_props *props, pid_t pid, bool *started,
                           struct nook_error *err)
{
    const struct sd_lib *lib = &bus->lib;
    *started = false;
    struct job_wait w = { 0 };
    sd_bus_slot *slot = NULL;
    _cleanup_call_ struct call c = { .lib = lib, .error = SD_BUS_ERROR_NULL };
    int r = subscribe_jobs(bus, &w, &slot, err);
    if (r < 0)
        return r;
    r = lib->sd_bus_message_new_method_call(bus->bus, &c.m, SYSTEMD_DEST, SYSTEMD_PATH,
                                            SYSTEMD_MANAGER, "StartTransientUnit");
    if (r >= 0)
        r = lib->sd_bus_message_append(c.m, "ss", unit, "fail");
    if (r >= 0)
        r = append_props(lib, c.m, props, pid);
    if (r >= 0)
        r = lib->sd_bus_message_append(c.m, "a(sa(sv))", 0);
    if (r < 0) {
        r = nook_error_set_errno(err, -r, "build the D-Bus message that starts %s", unit);
        goto out;
    }
    r = lib->sd_bus_call(bus->bus, c.m, 0, &c.error, &c.reply);
    if (r < 0) {
        r = refused(bus, "start", unit, &c, r, err);
        goto out;
    }
    *started = true;
    const char *job = NULL;
    r = lib->sd_bus_message_read(c.reply, "o", &job);
    if (r < 0) {
        r = nook_error_set_errno(err, -r, "read the reply of %s to starting %s",
                                 manager_name(bus), unit);
        goto out;
    }
    r = wait_for_job(bus, &w, job, unit, err);
    if (r == 0 && strcmp(w.result, "done") != 0)
        r = nook_error_set(err, EIO,
                           "%s could not start %s: its job ended with result \"%s\" (see "
                           "`journalctl %s-u %s`)",
                           manager_name(bus), unit, w.result, bus->privileged ? "" : "--user ",
                           unit);
out:
    lib->sd_bus_slot_unref(slot);
    job_wait_clear(&w);
    return r;
}

/* A simple call on the manager: types/args for the method; *c keeps the
 * reply. */
#define MANAGER_CALL(bus, c, method, types, ...)                                                  \
    ({                                                                                            \
        int r_ = (bus)->lib.sd_bus_message_new_method_call((bus)->bus, &(c)->m, SYSTEMD_DEST,     \
                                                           SYSTEMD_PATH, SYSTEMD_MANAGER, method); \
        if (r_ >= 0)                                                                              \
            r_ = (bus)->lib.sd_bus_message_append((c)->m, types, __VA_ARGS__);                    \
        if (r_ >= 0)                                                                              \
            r_ = (bus)->lib.sd_bus_call((bus)->bus, (c)->m, 0, &(c)->error, &(c)->reply);         \
        r_;                                                                                       \
    })

int nook_sd_bus_stop_unit(struct nook_sd_bus *bus, const char *unit, struct nook_error *err)
{
    const struct sd_lib *lib = &bus->lib;
    {
        /* SIGKILL first: a container's init ignores the SIGTERM a stop
         * would send (it is the init of its pid namespace), which would
         * hold the stop for the unit's whole stop timeout. */
        _cleanup_call_ struct call kill = { .lib = lib, .error = SD_BUS_ERROR_NULL };
        int r = MANAGER_CALL(bus, &kill, "KillUnit", "ssi", unit, "all", (int32_t)SIGKILL);
        if (r < 0 && lib->sd_bus_error_has_name(&kill.error, NO_SUCH_UNIT))
            return 0;
        /* Anything else (nothing left to kill) does not matter here. */
    }
    struct job_wait w = { 0 };
    sd_bus_slot *slot = NULL;
    _cleanup_call_ struct call c = { .lib = lib, .error = SD_BUS_ERROR_NULL };
    int r = subscribe_jobs(bus, &w, &slot, err);
    if (r < 0)
        return r;
    r = MANAGER_CALL(bus, &c, "StopUnit", "ss", unit, "replace");
    if (r < 0) {
        r = lib->sd_bus_error_has_name(&c.error, NO_SUCH_UNIT) ? 0
                                                               : refused(bus, "stop", unit, &c, r, err);
        goto out;
    }
    const char *job = NULL;
    r = lib->sd_bus_message_read(c.reply, "o", &job);
    if (r < 0) {
        r = nook_error_set_errno(err, -r, "read the reply of %s to stopping %s",
                                 manager_name(bus), unit);
        goto out;
    }
    r = wait_for_job(bus, &w, job, unit, err);
    if (r == 0 && strcmp(w.result, "done") != 0)
        r = nook_error_set(err, EIO, "%s could not stop %s: its job ended with result \"%s\"",
                           manager_name(bus), unit, w.result);
out:
    lib->sd_bus_slot_unref(slot);
    job_wait_clear(&w);
    if (r == 0) {
        /* A scope that failed stays loaded, and its name taken, until
         * reset; a unit already gone answers NoSuchUnit, which is fine. */
        _cleanup_call_ struct call reset = { .lib = lib, .error = SD_BUS_ERROR_NULL };
        (void)MANAGER_CALL(bus, &reset, "ResetFailedUnit", "s", unit);
    }
    return r;
}

int nook_sd_bus_set_properties(struct nook_sd_bus *bus, const char *unit,
                               const struct nook_sd_props *props, struct nook_error *err)
{
    const struct sd_lib *lib = &bus->lib;
    _cleanup_call_ struct call c = { .lib = lib, .error = SD_BUS_ERROR_NULL };
    int r = lib->sd_bus_message_new_method_call(bus->bus, &c.m, SYSTEMD_DEST, SYSTEMD_PATH,
                                                SYSTEMD_MANAGER, "SetUnitProperties");
    if (r >= 0)
        r = lib->sd_bus_message_append(c.m, "sb", unit, 1);
    if (r >= 0)
        r = append_props(lib, c.m, props, 0);
    if (r < 0)
        return nook_error_set_errno(err, -r, "build the D-Bus message that updates %s", unit);
    r = lib->sd_bus_call(bus->bus, c.m, 0, &c.error, &c.reply);
    if (r < 0) {
        if (lib->sd_bus_error_has_name(&c.error, NO_SUCH_UNIT))
            return nook_error_set(err, ESRCH,
                                  "the container's unit %s is not loaded in %s: the container "
                                  "has stopped",
                                  unit, manager_name(bus));
        return refused(bus, "set the properties of", unit, &c, r, err);
    }
    return 0;
}

#else /* !HAVE_SYSTEMD */

struct nook_sd_bus {
    int unused;
};

int nook_sd_bus_open(bool privileged, struct nook_sd_bus **out, struct nook_error *err)
{
    (void)privileged;
    *out = NULL;
    return nook_error_set(err, ENOTSUP,
                          "this nook was built without the systemd cgroup manager (meson "
                          "-Dsystemd=disabled): use --cgroup-manager cgroupfs or disabled");
}

void nook_sd_bus_close(struct nook_sd_bus *bus)
{
    free(bus);
}

int nook_sd_bus_start_unit(struct nook_sd_bus *bus, const char *unit,
                           const struct nook_sd_props *props, pid_t pid, bool *started,
                           struct nook_error *err)
{
    (void)bus;
    *started = false;
    (void)props;
    (void)pid;
    return nook_error_set(err, ENOTSUP, "start %s: nook was built without systemd", unit);
}

int nook_sd_bus_stop_unit(struct nook_sd_bus *bus, const char *unit, struct nook_error *err)
{
    (void)bus;
    return nook_error_set(err, ENOTSUP, "stop %s: nook was built without systemd", unit);
}

int nook_sd_bus_set_properties(struct nook_sd_bus *bus, const char *unit,
                               const struct nook_sd_props *props, struct nook_error *err)
{
    (void)bus;
    (void)props;
    return nook_error_set(err, ENOTSUP, "update %s: nook was built without systemd", unit);
}

#endif
