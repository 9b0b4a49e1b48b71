/* cgroup.c: the one cgroup interface (cgroup.h): choosing the manager,
 * refusing limits that cannot be applied (or warning once when they are
 * optional), dispatching create's steps to the cgroupfs or systemd
 * manager, keeping the result in state.json, and what later commands do
 * with a live container's cgroup: freeze, signal, list, update, destroy. */
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "cgroup-internal.h"
#include "spec.h"
#include "state.h"

#define CONFIG_WHERE "config.json: .linux.resources"
/* How `update` names the settings it is given (flags or a resources file). */
#define UPDATE_WHERE "resources"

/* How long freeze waits for the kernel to report the cgroup frozen (or
 * thawed); a process stuck in the kernel can delay it. */
#define FREEZE_TIMEOUT_MS 10000
/* How long signal_all keeps killing, without cgroup.kill, until the cgroup
 * is empty (processes may fork while they are being killed). */
#define KILL_TIMEOUT_MS 10000

static const char *const manager_names[] = {
    [NOOK_CGROUP_MANAGER_AUTO] = "auto",
    [NOOK_CGROUP_MANAGER_SYSTEMD] = "systemd",
    [NOOK_CGROUP_MANAGER_CGROUPFS] = "cgroupfs",
    [NOOK_CGROUP_MANAGER_NONE] = "none",
};

const char *nook_cgroup_manager_name(enum nook_cgroup_manager manager)
{
    if ((size_t)manager < N_ELEMENTS(manager_names))
        return manager_names[manager];
    return "unknown";
}

int nook_cgroup_manager_parse(const char *name, enum nook_cgroup_manager *out)
{
    if (!name)
        return -EINVAL;
    for (size_t i = 0; i < N_ELEMENTS(manager_names); i++) {
        if (strcmp(name, manager_names[i]) == 0) {
            *out = (enum nook_cgroup_manager)i;
            return 0;
        }
    }
    if (strcmp(name, "disabled") == 0) {
        *out = NOOK_CGROUP_MANAGER_NONE;
        return 0;
    }
    return -EINVAL;
}

void nook_cgroup_clear(struct nook_cgroup *cgroup)
{
    if (!cgroup)
        return;
    free(cgroup->path);
    free(cgroup->unit);
    cgroup->path = NULL;
    cgroup->unit = NULL;
    cgroup->manager = NOOK_CGROUP_MANAGER_NONE;
}

static int dup_or_null(const char *s, char **out)
{
    *out = NULL;
    if (s && !(*out = strdup(s)))
        return -ENOMEM;
    return 0;
}

int nook_cgroup_from_state(const struct nook_state *state, struct nook_cgroup *out,
                           struct nook_error *err)
{
    *out = (struct nook_cgroup){ .manager = NOOK_CGROUP_MANAGER_NONE };
    if (!state->cgroup_manager)
        return 0;
    enum nook_cgroup_manager manager;
    if (nook_cgroup_manager_parse(state->cgroup_manager, &manager) < 0 ||
        manager == NOOK_CGROUP_MANAGER_AUTO)
        return nook_error_set(err, EINVAL, "state.json: cgroup_manager: unknown manager \"%s\"",
                              state->cgroup_manager);
    if (manager != NOOK_CGROUP_MANAGER_NONE && state->cgroup_path &&
        state->cgroup_path[0] != '/')
        return nook_error_set(err, EINVAL, "state.json: cgroup_path: \"%s\" is not a cgroup path",
                              state->cgroup_path);
    struct nook_cgroup cg = {
        .manager = manager,
        .existed = state->cgroup_origin == NOOK_STATE_CGROUP_FOUND,
    };
    if (manager != NOOK_CGROUP_MANAGER_NONE &&
        (dup_or_null(state->cgroup_path, &cg.path) < 0 || dup_or_null(state->cgroup_unit, &cg.unit) < 0)) {
        nook_cgroup_clear(&cg);
        return nook_error_set(err, ENOMEM, "out of memory");
    }
    *out = cg;
    return 0;
}

int nook_cgroup_to_state(const struct nook_cgroup *cgroup, struct nook_state *state,
                         struct nook_error *err)
{
    char *manager = NULL, *path = NULL, *unit = NULL;
    if (cgroup->manager != NOOK_CGROUP_MANAGER_NONE &&
        (dup_or_null(nook_cgroup_manager_name(cgroup->manager), &manager) < 0 ||
         dup_or_null(cgroup->path, &path) < 0 || dup_or_null(cgroup->unit, &unit) < 0)) {
        free(manager);
        free(path);
        free(unit);
        return nook_error_set(err, ENOMEM, "out of memory");
    }
    free(state->cgroup_manager);
    free(state->cgroup_path);
    free(state->cgroup_unit);
    state->cgroup_manager = manager;
    state->cgroup_path = path;
    state->cgroup_unit = unit;
    if (cgroup->manager == NOOK_CGROUP_MANAGER_NONE)
        state->cgroup_origin = NOOK_STATE_CGROUP_UNRECORDED;
    else
        state->cgroup_origin = cgroup->existed ? NOOK_STATE_CGROUP_FOUND : NOOK_STATE_CGROUP_MADE;
    return 0;
}

/* ---- create ---- */

static bool is_optional(const struct nook_cgroup_request *request)
{
    const char *value = request->annotations ? nook_spec_map_get(request->annotations, "nook.cgroup.optional")
                                             : NULL;
    return value && strcmp(value, "true") == 0;
}

/* Join two warnings into one line (the one create prints). */
static int merge_warning(char **into, char *more)
{
    if (!more)
        return 0;
    if (!*into) {
        *into = more;
        return 0;
    }
    char *both = NULL;
    int n = asprintf(&both, "%s; %s", *into, more);
    free(more);
    if (n < 0)
        return -ENOMEM;
    free(*into);
    *into = both;
    return 0;
}

/* No cgroup: every limit asked for is refused, naming why there is no
 * cgroup and how to get one; or, optional, one warning names them all. */
static int refuse_without_cgroup(const struct nook_cgroup_request *request, bool optional,
                                 const char *reason, const char *fix, const char *see,
                                 char **warning, struct nook_error *err)
{
    _cleanup_free_ char *paths = NULL;
    int n = nook_cgroup_resources_paths(request->resources, CONFIG_WHERE,
                                        NOOK_CGROUP_KIND(NOOK_CGROUP_LIMIT) | NOOK_CGROUP_KIND(NOOK_CGROUP_CORE),
                                        NULL, &paths);
    if (n < 0)
        return nook_error_set(err, ENOMEM, "out of memory");
    if (n == 0)
        return 0;
    if (optional)
        return asprintf(warning, "%s: not applied: %s (nook.cgroup.optional is true)", paths, reason) < 0
                   ? nook_error_set(err, ENOMEM, "out of memory")
                   : 0;
    char *comma = strstr(paths, ", ");
    if (comma)
        *comma = '\0';
    nook_error_set(err, ENOTSUP,
                   "%s: cannot be applied: %s; %s, or add the annotation \"nook.cgroup.optional\": \"true\" to run without limits",
                   paths, reason, fix);
    if (see)
        nook_cgroup_error_see(err, see);
    return -ENOTSUP;
}

static int prepare_none(const struct nook_cgroup_request *request, bool optional,
                        const char *why_none, char **warning, struct nook_error *err)
{
    char reason[NOOK_ERROR_MAX];
    const char *fix;
    const char *see = NULL;
    /* The pointer to `nook check` goes at the end of the whole message. */
    const char *why_see = strstr(why_none, " (see: nook check ");
    int why_len = (int)(why_see ? (size_t)(why_see - why_none) : strlen(why_none));
    if (request->manager == NOOK_CGROUP_MANAGER_NONE) {
        snprintf(reason, sizeof(reason), "cgroups are disabled (--cgroup-manager disabled)");
        fix = "drop --cgroup-manager disabled";
    } else if (request->privileged) {
        snprintf(reason, sizeof(reason), "the container gets no cgroup: %.*s", why_len, why_none);
        fix = "mount a cgroup v2 hierarchy on /sys/fs/cgroup (or /sys/fs/cgroup/unified)";
        see = "cgroup.v2";
    } else {
        snprintf(reason, sizeof(reason),
                 "the container gets no cgroup: no systemd user manager answers on a user bus, and %.*s",
                 why_len, why_none);
        fix = "run `loginctl enable-linger $USER` and create the container inside your systemd user session (or have a cgroup v2 subtree delegated to you)";
        see = "cgroup.delegation";
    }
    return refuse_without_cgroup(request, optional, reason, fix, see, warning, err);
}

static int prepare_cgroupfs(const struct nook_cgroup_request *request, bool optional,
                            struct nook_cgroup_setup *setup, char **warning, struct nook_error *err)
{
    _cleanup_free_ char *top = NULL;
    int r = nook_cgroup_fs_top(request->privileged, &top, err);
    if (r < 0)
        return nook_error_prefix(err, "--cgroup-manager cgroupfs");
    return nook_cgroup_fs_prepare(request, top, optional, setup, warning, err);
}

static int prepare_systemd(const struct nook_cgroup_request *request,
                           struct nook_cgroup_setup *setup, struct nook_error *err)
{
    int r = nook_cgroup_systemd_prepare(request, setup, err);
    if (r < 0)
        return r;
    setup->cgroup.manager = NOOK_CGROUP_MANAGER_SYSTEMD;
    return 0;
}

int nook_cgroup_prepare(const struct nook_cgroup_request *request,
                        struct nook_cgroup_setup *setup, struct nook_error *err)
{
    *setup = (struct nook_cgroup_setup){
        .cgroup = { .manager = NOOK_CGROUP_MANAGER_NONE },
        .clone_into_fd = -1,
    };
    bool optional = is_optional(request);
    _cleanup_free_ char *warning = NULL;
    int r = nook_cgroup_resources_validate(request->resources, err);
    if (r == 0)
        r = nook_cgroup_resources_not_v2(request->resources, CONFIG_WHERE, optional, &warning, err);
    if (r < 0)
        return r;

    char *more = NULL;
    switch (request->manager) {
    case NOOK_CGROUP_MANAGER_SYSTEMD:
        r = prepare_systemd(request, setup, err);
        break;
    case NOOK_CGROUP_MANAGER_CGROUPFS:
        r = prepare_cgroupfs(request, optional, setup, &more, err);
        break;
    case NOOK_CGROUP_MANAGER_NONE:
        r = prepare_none(request, optional, "", &more, err);
        break;
    case NOOK_CGROUP_MANAGER_AUTO: {
        if (nook_cgroup_systemd_available(request->privileged)) {
            r = prepare_systemd(request, setup, err);
            break;
        }
        _cleanup_free_ char *top = NULL;
        struct nook_error why = { 0 };
        if (nook_cgroup_fs_top(request->privileged, &top, &why) == 0)
            r = nook_cgroup_fs_prepare(request, top, optional, setup, &more, err);
        else
            r = prepare_none(request, optional, why.message, &more, err);
        break;
    }
    }
    if (r == 0 && merge_warning(&warning, more) < 0)
        r = nook_error_set(err, ENOMEM, "out of memory");
    else if (r < 0)
        free(more);
    if (r < 0) {
        /* prepare leaves nothing behind on error. */
        struct nook_error ignored = { 0 };
        if (setup->made)
            (void)nook_cgroup_destroy(&setup->cgroup, &ignored);
        nook_cgroup_setup_clear(setup);
        return r;
    }
    /* One line, whichever parts it has, ending with why it is only a
     * warning. */
    static const char suffix[] = " (nook.cgroup.optional is true)";
    if (warning && (strlen(warning) < strlen(suffix) ||
                    strcmp(warning + strlen(warning) - strlen(suffix), suffix) != 0)) {
        char *more_text = NULL;
        if (asprintf(&more_text, "%s%s", warning, suffix) < 0) {
            nook_cgroup_setup_clear(setup);
            return nook_error_set(err, ENOMEM, "out of memory");
        }
        free(warning);
        warning = more_text;
    }
    setup->warning = steal_pointer(&warning);
    return 0;
}

int nook_cgroup_attach(struct nook_cgroup_setup *setup, const struct nook_cgroup_request *request,
                       pid_t pid, struct nook_error *err)
{
    switch (setup->cgroup.manager) {
    case NOOK_CGROUP_MANAGER_SYSTEMD:
        return nook_cgroup_systemd_attach(setup, request, pid, err);
    case NOOK_CGROUP_MANAGER_CGROUPFS:
        if (setup->attach_after_clone) {
            _cleanup_close_ int fd = -1;
            int r = nook_cgroup_v2_open_path(setup->cgroup.path, &fd, err);
            if (r == 0)
                r = nook_cgroup_v2_move(fd, pid, err);
            if (r < 0)
                return nook_error_prefix(err, "cgroup %s", setup->cgroup.path);
        }
        return 0;
    case NOOK_CGROUP_MANAGER_AUTO:
    case NOOK_CGROUP_MANAGER_NONE:
        break;
    }
    return 0;
}

void nook_cgroup_setup_clear(struct nook_cgroup_setup *setup)
{
    closep(&setup->clone_into_fd);
    setup->clone_into_fd = -1;
    free(setup->warning);
    setup->warning = NULL;
    nook_cgroup_clear(&setup->cgroup);
}

/* After a SIGKILL through cgroup.kill, which does not wait: until the
 * killed processes have left the cgroup. */
static int wait_empty(const struct nook_cgroup *cgroup, struct nook_error *err)
{
    _cleanup_close_ int fd = -1;
    struct nook_error open_err = { 0 };
    int r = nook_cgroup_open(cgroup, NULL, &fd, &open_err);
    if (r == -ENOENT)
        return 0;
    if (r < 0) {
        if (err)
            *err = open_err;
        return r;
    }
    r = nook_cgroup_v2_wait_events(fd, "populated", '0', KILL_TIMEOUT_MS);
    if (r == -ETIMEDOUT)
        return nook_error_set(err, EBUSY, "processes are still in it after %d s of SIGKILL",
                              KILL_TIMEOUT_MS / 1000);
    if (r < 0 && r != -ENOENT && r != -ENODEV)
        return nook_error_set_errno(err, -r, "wait for it to be empty");
    return 0;
}

int nook_cgroup_destroy(const struct nook_cgroup *cgroup, struct nook_error *err)
{
    if (cgroup->manager == NOOK_CGROUP_MANAGER_NONE || cgroup->manager == NOOK_CGROUP_MANAGER_AUTO)
        return 0;
    int r = 0;
    if (cgroup->path) {
        r = nook_cgroup_signal_all(cgroup, SIGKILL, err);
        /* runtime-spec: what the container uses "but not created by this
         * container, MUST NOT be deleted": a cgroup found there is only
         * emptied, and everything below it stays as it was found. */
        if (r == 0 && cgroup->existed)
            r = wait_empty(cgroup, err);
        else if (r == 0)
            r = nook_cgroup_v2_remove_tree(cgroup->path, err);
        if (r < 0)
            nook_error_prefix(err, "destroy the cgroup %s", cgroup->path);
        else if (cgroup->manager == NOOK_CGROUP_MANAGER_CGROUPFS && !cgroup->existed)
            nook_cgroup_fs_remove_parent(cgroup->path);
    }
    if (cgroup->manager == NOOK_CGROUP_MANAGER_SYSTEMD) {
        /* Stop the unit even when its sub-cgroup would not go: systemd
         * kills and removes what is left of it. */
        struct nook_error stop_err = { 0 };
        int s = nook_cgroup_systemd_stop(cgroup, &stop_err);
        if (s < 0 && r == 0) {
            if (err)
                *err = stop_err;
            r = s;
        }
    }
    return r;
}

/* ---- a live container's cgroup ---- */

static int no_cgroup(struct nook_error *err)
{
    return nook_error_set(err, ENOTSUP,
                          "the container has no cgroup: it was created without a cgroup manager (no systemd user bus and no delegated cgroup v2 subtree, or --cgroup-manager disabled)");
}

/* A sub-cgroup name below the container's cgroup: relative, and never
 * climbing out with "..". */
static bool sub_is_clean(const char *sub)
{
    if (!*sub || sub[0] == '/')
        return false;
    for (const char *p = sub; *p;) {
        size_t n = strcspn(p, "/");
        if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
            return false;
        p += n;
        if (*p == '/')
            p++;
    }
    return true;
}

int nook_cgroup_open(const struct nook_cgroup *cgroup, const char *sub, int *out_fd,
                     struct nook_error *err)
{
    if (cgroup->manager == NOOK_CGROUP_MANAGER_NONE || !cgroup->path)
        return no_cgroup(err);
    if (!sub)
        return nook_cgroup_v2_open_path(cgroup->path, out_fd, err);
    if (!sub_is_clean(sub))
        return nook_error_set(err, EINVAL, "\"%s\" is not a sub-cgroup name (relative, without \".\" or \"..\")",
                              sub);
    _cleanup_free_ char *path = NULL;
    if (asprintf(&path, "%s/%s", strcmp(cgroup->path, "/") == 0 ? "" : cgroup->path, sub) < 0)
        return nook_error_set(err, ENOMEM, "out of memory");
    return nook_cgroup_v2_open_path(path, out_fd, err);
}

int nook_cgroup_freeze(const struct nook_cgroup *cgroup, bool freeze, struct nook_error *err)
{
    _cleanup_close_ int fd = -1;
    int r = nook_cgroup_open(cgroup, NULL, &fd, err);
    if (r < 0)
        return r;
    r = nook_cgroup_v2_write(fd, "cgroup.freeze", freeze ? "1" : "0", err);
    if (r < 0)
        return nook_error_prefix(err, "cgroup %s", cgroup->path);
    r = nook_cgroup_v2_wait_events(fd, "frozen", freeze ? '1' : '0', FREEZE_TIMEOUT_MS);
    if (r == -ETIMEDOUT)
        return nook_error_set(err, ETIMEDOUT, "cgroup %s: not %s after %d s", cgroup->path,
                              freeze ? "frozen" : "thawed", FREEZE_TIMEOUT_MS / 1000);
    if (r < 0)
        return nook_error_set_errno(err, -r, "cgroup %s: read cgroup.events", cgroup->path);
    return 0;
}

bool nook_cgroup_is_frozen(const struct nook_cgroup *cgroup)
{
    _cleanup_close_ int fd = -1;
    if (nook_cgroup_open(cgroup, NULL, &fd, NULL) < 0)
        return false;
    _cleanup_free_ char *events = NULL;
    if (nook_cgroup_v2_read(fd, "cgroup.events", &events, NULL) < 0)
        return false;
    const char *frozen = strstr(events, "frozen ");
    return frozen && frozen[strlen("frozen ")] == '1';
}

/* ---- pids ---- */

struct pid_list {
    pid_t *items;
    size_t count;
    size_t size;
};

static int collect_pids(int dirfd, struct pid_list *list, struct nook_error *err)
{
    _cleanup_free_ char *procs = NULL;
    int r = nook_cgroup_v2_read(dirfd, "cgroup.procs", &procs, err);
    if (r < 0)
        return r;
    for (char *p = procs; *p;) {
        char *end;
        long pid = strtol(p, &end, 10);
        if (end == p)
            break;
        if (list->count == list->size) {
            size_t size = list->size ? list->size * 2 : 64;
            pid_t *bigger = realloc(list->items, size * sizeof(*bigger));
            if (!bigger)
                return nook_error_set(err, ENOMEM, "out of memory");
            list->items = bigger;
            list->size = size;
        }
        list->items[list->count++] = (pid_t)pid;
        p = end;
    }
    int dup_fd = dup(dirfd);
    if (dup_fd < 0)
        return nook_error_set_errno(err, errno, "dup");
    _cleanup_closedir_ DIR *dir = fdopendir(dup_fd);
    if (!dir) {
        int saved = errno;
        close(dup_fd);
        return nook_error_set_errno(err, saved, "list sub-cgroups");
    }
    struct dirent *entry;
    while ((entry = readdir(dir))) {
        if (entry->d_type != DT_DIR || strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
            continue;
        _cleanup_close_ int sub = openat(dirfd, entry->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (sub < 0) {
            if (errno == ENOENT)
                continue;
            return nook_error_set_errno(err, errno, "open the sub-cgroup %s", entry->d_name);
        }
        r = collect_pids(sub, list, err);
        if (r == -ENOENT) {
            /* Removed while we read it. */
            nook_error_clear(err);
            continue;
        }
        if (r < 0)
            return nook_error_prefix(err, "%s", entry->d_name);
    }
    return 0;
}

static int compare_pids(const void *a, const void *b)
{
    pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
    return (x > y) - (x < y);
}

static int pids_at(int dirfd, pid_t **out, size_t *count, struct nook_error *err)
{
    struct pid_list list = { 0 };
    int r = collect_pids(dirfd, &list, err);
    if (r < 0) {
        free(list.items);
        return r;
    }
    if (list.count)
        qsort(list.items, list.count, sizeof(*list.items), compare_pids);
    size_t kept = 0;
    for (size_t i = 0; i < list.count; i++)
        if (kept == 0 || list.items[kept - 1] != list.items[i])
            list.items[kept++] = list.items[i];
    *out = list.items;
    *count = kept;
    return 0;
}

int nook_cgroup_pids(const struct nook_cgroup *cgroup, pid_t **out, size_t *count,
                     struct nook_error *err)
{
    *out = NULL;
    *count = 0;
    _cleanup_close_ int fd = -1;
    int r = nook_cgroup_open(cgroup, NULL, &fd, err);
    if (r == 0)
        r = pids_at(fd, out, count, err);
    if (r < 0 && cgroup->path)
        return nook_error_prefix(err, "cgroup %s", cgroup->path);
    return r;
}

/* ---- signals ---- */

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Signal each process listed, for kernels without cgroup.kill and for
 * other signals. SIGKILL is repeated until the cgroup is empty: a process
 * may fork between the listing and the kill. */
static int signal_each(int fd, int sig, struct nook_error *err)
{
    long long deadline = now_ms() + KILL_TIMEOUT_MS;
    for (;;) {
        _cleanup_free_ pid_t *pids = NULL;
        size_t count = 0;
        int r = pids_at(fd, &pids, &count, err);
        if (r < 0)
            return r;
        for (size_t i = 0; i < count; i++)
            if (kill(pids[i], sig) < 0 && errno != ESRCH)
                return nook_error_set_errno(err, errno, "signal process %d", (int)pids[i]);
        if (sig != SIGKILL || count == 0)
            return 0;
        if (nook_cgroup_v2_wait_events(fd, "populated", '0', 100) == 0)
            return 0;
        if (now_ms() > deadline)
            return nook_error_set(err, EBUSY, "processes are still alive after %d s of SIGKILL",
                                  KILL_TIMEOUT_MS / 1000);
    }
}

int nook_cgroup_signal_all(const struct nook_cgroup *cgroup, int sig, struct nook_error *err)
{
    _cleanup_close_ int fd = -1;
    struct nook_error open_err = { 0 };
    int r = nook_cgroup_open(cgroup, NULL, &fd, &open_err);
    if (r == -ENOENT)
        return 0;       /* the cgroup is gone, and everything in it */
    if (r < 0) {
        if (err)
            *err = open_err;
        return r;
    }
    struct nook_error kill_err = { 0 };
    if (sig == SIGKILL && nook_cgroup_v2_write(fd, "cgroup.kill", "1", &kill_err) == 0)
        r = 0;
    else
        r = signal_each(fd, sig, err);
    /* Removed since it was opened (systemd removes a scope's cgroup once
     * it is empty): nothing is left in it to signal. */
    if (r == -ENOENT || r == -ENODEV)
        return 0;
    if (r < 0)
        return nook_error_prefix(err, "cgroup %s", cgroup->path);
    /* Frozen processes can take a SIGKILL, but a cgroup left frozen
     * would freeze whatever is put in it next. */
    if (sig == SIGKILL && nook_cgroup_is_frozen(cgroup)) {
        struct nook_error ignored = { 0 };
        (void)nook_cgroup_v2_write(fd, "cgroup.freeze", "0", &ignored);
    }
    return 0;
}

/* ---- update ---- */

/* A swap limit alone is relative to the memory limit the cgroup has now
 * (memory.swap is memory plus swap). */
static int current_memory_limit(int fd, int64_t *out)
{
    _cleanup_free_ char *text = NULL;
    if (nook_cgroup_v2_read(fd, "memory.max", &text, NULL) < 0)
        return -ENOENT;
    if (strncmp(text, "max", 3) == 0) {
        *out = -1;
        return 0;
    }
    char *end;
    long long value = strtoll(text, &end, 10);
    if (end == text)
        return -EIO;
    *out = value;
    return 0;
}

/* checkBeforeUpdate: refuse a memory limit below what is in use now. */
static int check_memory_usage(int fd, const struct nook_spec_memory *m, struct nook_error *err)
{
    if (!m->check_before_update.set || !m->check_before_update.value || !m->limit.set ||
        m->limit.value <= 0)
        return 0;
    _cleanup_free_ char *current = NULL;
    int r = nook_cgroup_v2_read(fd, "memory.current", &current, err);
    if (r < 0)
        return nook_error_prefix(err, UPDATE_WHERE ".memory.checkBeforeUpdate");
    long long usage = strtoll(current, NULL, 10);
    if (usage >= m->limit.value)
        return nook_error_set(err, EBUSY,
                              UPDATE_WHERE ".memory.limit: %lld is not above the memory in use now (%lld bytes), and checkBeforeUpdate is set",
                              (long long)m->limit.value, usage);
    return 0;
}

int nook_cgroup_update(const struct nook_cgroup *cgroup,
                       const struct nook_spec_resources *resources, struct nook_error *err)
{
    if (cgroup->manager == NOOK_CGROUP_MANAGER_NONE || !cgroup->path)
        return no_cgroup(err);
    if (!resources)
        return 0;
    _cleanup_close_ int fd = -1, parent_fd = -1;
    int r = nook_cgroup_open(cgroup, NULL, &fd, err);
    if (r < 0)
        return r;

    struct nook_spec_resources res = *resources;
    struct nook_spec_memory memory;
    if (res.memory && res.memory->swap.set && !res.memory->limit.set) {
        memory = *res.memory;
        int64_t limit;
        if (current_memory_limit(fd, &limit) == 0) {
            memory.limit = (struct nook_opt_i64){ .set = true, .value = limit };
            res.memory = &memory;
        }
    }
    r = nook_cgroup_resources_validate_at(&res, UPDATE_WHERE, err);
    if (r == 0)
        r = nook_cgroup_resources_not_v2(&res, UPDATE_WHERE, false, NULL, err);
    if (r == 0 && res.memory)
        r = check_memory_usage(fd, res.memory, err);
    if (r < 0)
        return r;

    /* A limit of a kind the container did not have yet needs its
     * controller enabled above it first. */
    _cleanup_free_ char *parent = strdup(cgroup->path);
    if (!parent)
        return nook_error_set(err, ENOMEM, "out of memory");
    char *slash = strrchr(parent, '/');
    if (slash == parent)
        parent[1] = '\0';
    else if (slash)
        *slash = '\0';
    r = nook_cgroup_v2_open_path(parent, &parent_fd, err);
    if (r == 0)
        r = nook_cgroup_enable_controllers_at(parent_fd, parent, &res, false, UPDATE_WHERE, NULL, err);
    if (r == 0) {
        r = nook_cgroup_write_resources_at(fd, &res, UPDATE_WHERE, err);
        if (r < 0)
            nook_error_prefix(err, "cgroup %s", cgroup->path);
    }
    if (r == 0 && cgroup->manager == NOOK_CGROUP_MANAGER_SYSTEMD)
        r = nook_cgroup_systemd_set_properties(cgroup, &res, err);
    return r;
}
