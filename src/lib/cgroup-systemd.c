/* cgroup-systemd.c: the systemd cgroup manager. The container gets a
 * transient scope from the caller's systemd manager (the user manager over
 * the user bus; the system manager for root), started with the init's pid,
 * Delegate=yes and the limits as unit properties. Inside the delegated
 * scope nook makes the "container" sub-cgroup, moves the init there and
 * writes the limits itself with the same writer as cgroupfs: the scope
 * itself must stay empty so that controllers can be enabled for its
 * children, and the limits then hold even where systemd could not express
 * them. delete stops the unit. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "cgroup-systemd.h"
#include "idmap.h"
#include "spec.h"

/* The sub-cgroup of the scope the container runs in (crun's name too). */
#define CONTAINER_SUBGROUP "container"

/* Commands after create (delete, update) have no request: they reach the
 * manager create used by the same rule as create's request (root: the
 * system manager; root of a user namespace, as under rootless podman, is
 * the user and reaches the user's manager). */
static bool caller_privileged(void)
{
    return geteuid() == 0 && !nook_idmap_in_user_namespace();
}

bool nook_cgroup_systemd_available(bool privileged)
{
#if HAVE_SYSTEMD
    _cleanup_free_ char *where = NULL;
    if (!nook_sd_bus_socket_present(privileged, &where))
        return false;
    _cleanup_(nook_sd_bus_closep) struct nook_sd_bus *bus = NULL;
    return nook_sd_bus_open(privileged, &bus, NULL) == 0;
#else
    (void)privileged;
    return false;
#endif
}

int nook_cgroup_systemd_prepare(const struct nook_cgroup_request *request,
                                struct nook_cgroup_setup *setup, struct nook_error *err)
{
    _cleanup_free_ char *unit = NULL, *slice = NULL;
    int r = nook_sd_unit_name(request->cgroups_path, request->id, &unit, &slice, err);
    if (r < 0)
        return r;
    _cleanup_(nook_sd_props_clearp) struct nook_sd_props props = { 0 };
    if ((r = nook_sd_unit_props(request, slice, &props, err)) < 0)
        return r;
    /* The manager must answer now, before the init is cloned: its absence
     * is the error a user of --cgroup-manager systemd most needs to read. */
    _cleanup_(nook_sd_bus_closep) struct nook_sd_bus *bus = NULL;
    if ((r = nook_sd_bus_open(request->privileged, &bus, err)) < 0)
        return r;
    /* The unit is recorded in setup->cgroup only once the manager has
     * taken it (attach): a create that fails before, or whose unit name is
     * in use, must not stop a unit of that name that is someone else's. */
    setup->cgroup.manager = NOOK_CGROUP_MANAGER_SYSTEMD;
    setup->attach_after_clone = true;
    return 0;
}

static bool optional_limits(const struct nook_cgroup_request *request)
{
    const char *optional = request->annotations
                               ? nook_spec_map_get(request->annotations, "nook.cgroup.optional")
                               : NULL;
    return optional && strcmp(optional, "true") == 0;
}

/* The scope's cgroup, as /proc/PID/cgroup shows it once systemd has moved
 * pid: ".../<unit>". */
static int scope_of(pid_t pid, const char *unit, char **out, struct nook_error *err)
{
    _cleanup_free_ char *path = NULL;
    int r = nook_cgroup_v2_of_pid(pid, &path, err);
    if (r < 0)
        return r;
    const char *last = strrchr(path, '/');
    if (!last || strcmp(last + 1, unit) != 0)
        return nook_error_set(err, EIO,
                              "systemd started %s but the container's init (pid %d) is in the "
                              "cgroup %s, not in the unit's",
                              unit, (int)pid, path);
    *out = steal_pointer(&path);
    return 0;
}

/* prepare may have warned already (settings cgroup v2 lacks); create
 * prints one line, so the controllers missing in the scope join it, with
 * the reason it is a warning said once, at the end. */
static int merge_warning(struct nook_cgroup_setup *setup, char **more)
{
    static const char suffix[] = " (nook.cgroup.optional is true)";
    if (!*more)
        return 0;
    if (!setup->warning) {
        setup->warning = steal_pointer(more);
        return 0;
    }
    size_t len = strlen(setup->warning), slen = strlen(suffix);
    if (len >= slen && strcmp(setup->warning + len - slen, suffix) == 0)
        len -= slen;
    char *both = NULL;
    if (asprintf(&both, "%.*s; %s", (int)len, setup->warning, *more) < 0)
        return -ENOMEM;
    free(setup->warning);
    setup->warning = both;
    free(*more);
    *more = NULL;
    return 0;
}

/* In the scope: make the container's sub-cgroup, move pid there, enable
 * the controllers the limits need and write them. */
static int enter_subgroup(struct nook_cgroup_setup *setup,
                          const struct nook_cgroup_request *request, pid_t pid,
                          const char *scope, struct nook_error *err)
{
    _cleanup_free_ char *path = NULL;
    if (asprintf(&path, "%s/" CONTAINER_SUBGROUP, strcmp(scope, "/") == 0 ? "" : scope) < 0)
        return nook_error_set(err, ENOMEM, "out of memory");
    int r = nook_cgroup_v2_mkdir(path, NULL, err);
    if (r < 0)
        return r;
    _cleanup_close_ int dirfd = -1;
    if ((r = nook_cgroup_v2_open_path(path, &dirfd, err)) < 0)
        return r;
    if ((r = nook_cgroup_v2_move(dirfd, pid, err)) < 0)
        return r;
    if (request->resources) {
        _cleanup_close_ int scope_fd = -1;
        _cleanup_free_ char *warning = NULL;
        if ((r = nook_cgroup_v2_open_path(scope, &scope_fd, err)) < 0)
            return r;
        r = nook_cgroup_enable_controllers(scope_fd, scope, request->resources,
                                           optional_limits(request), &warning, err);
        if (r < 0)
            return r;
        if ((r = nook_cgroup_write_resources(dirfd, request->resources, err)) < 0)
            return r;
        if ((r = merge_warning(setup, &warning)) < 0)
            return nook_error_set(err, -r, "out of memory");
    }
    free(setup->cgroup.path);
    setup->cgroup.path = steal_pointer(&path);
    return 0;
}

/* Whether config.json passes unit properties of its own: when the manager
 * refuses the unit, they are the likely cause. */
static bool has_property_annotations(const struct nook_cgroup_request *request)
{
    for (size_t i = 0; request->annotations && i < request->annotations->count; i++)
        if (strncmp(request->annotations->items[i].key, "org.systemd.property.", 21) == 0)
            return true;
    return false;
}

static void append_hint(struct nook_error *err, const char *hint)
{
    if (!err)
        return;
    size_t len = strlen(err->message);
    snprintf(err->message + len, sizeof(err->message) - len, "%s", hint);
}

int nook_cgroup_systemd_attach(struct nook_cgroup_setup *setup,
                               const struct nook_cgroup_request *request, pid_t pid,
                               struct nook_error *err)
{
    /* prepare checked all of this; it is worked out again rather than
     * carried, since the setup has no place for it. */
    _cleanup_free_ char *unit = NULL, *slice = NULL;
    int r = nook_sd_unit_name(request->cgroups_path, request->id, &unit, &slice, err);
    if (r < 0)
        return r;
    _cleanup_(nook_sd_props_clearp) struct nook_sd_props props = { 0 };
    if ((r = nook_sd_unit_props(request, slice, &props, err)) < 0)
        return r;
    _cleanup_(nook_sd_bus_closep) struct nook_sd_bus *bus = NULL;
    if ((r = nook_sd_bus_open(request->privileged, &bus, err)) < 0)
        return r;
    bool started = false;
    r = nook_sd_bus_start_unit(bus, unit, &props, pid, &started, err);
    if (r < 0 && !started && has_property_annotations(request) && err &&
        !strstr(err->message, "UnitExists"))
        append_hint(err, "; check the org.systemd.property.* annotations: a value needs the "
                         "D-Bus type systemd expects (\"uint64 5000\", not \"5000\", which is "
                         "an int32)");
    _cleanup_free_ char *scope = NULL;
    if (r == 0)
        r = scope_of(pid, unit, &scope, err);
    if (r == 0)
        r = enter_subgroup(setup, request, pid, scope, err);
    if (r < 0) {
        if (started) {
            /* The unit is ours: take it away again, with what is in it. */
            struct nook_error ignored = { 0 };
            (void)nook_sd_bus_stop_unit(bus, unit, &ignored);
        }
        free(setup->cgroup.path);
        setup->cgroup.path = NULL;
        return r;
    }
    setup->cgroup.manager = NOOK_CGROUP_MANAGER_SYSTEMD;
    free(setup->cgroup.unit);
    setup->cgroup.unit = steal_pointer(&unit);
    return 0;
}

int nook_cgroup_systemd_stop(const struct nook_cgroup *cgroup, struct nook_error *err)
{
    if (!cgroup->unit)
        return 0;
    bool privileged = caller_privileged();
    _cleanup_free_ char *where = NULL;
    /* No bus at all: the manager that held the unit is gone, and its units
     * with it (a user manager ends with the user's last session). */
    if (!nook_sd_bus_socket_present(privileged, &where))
        return 0;
    _cleanup_(nook_sd_bus_closep) struct nook_sd_bus *bus = NULL;
    int r = nook_sd_bus_open(privileged, &bus, err);
    if (r == 0)
        r = nook_sd_bus_stop_unit(bus, cgroup->unit, err);
    if (r < 0)
        return nook_error_prefix(err, "stop the container's unit %s", cgroup->unit);
    /* systemd removes the scope's cgroup with the unit; older versions
     * left delegated sub-cgroups behind. */
    if (cgroup->path && (r = nook_cgroup_v2_remove_tree(cgroup->path, err)) < 0)
        return r;
    return 0;
}

int nook_cgroup_systemd_set_properties(const struct nook_cgroup *cgroup,
                                       const struct nook_spec_resources *resources,
                                       struct nook_error *err)
{
    if (!cgroup->unit || !resources)
        return 0;
    _cleanup_(nook_sd_props_clearp) struct nook_sd_props props = { 0 };
    int r = nook_sd_props_from_resources(resources, "resources", &props, err);
    if (r < 0)
        return r;
    if (props.count == 0)
        return 0;
    _cleanup_(nook_sd_bus_closep) struct nook_sd_bus *bus = NULL;
    if ((r = nook_sd_bus_open(caller_privileged(), &bus, err)) < 0)
        return r;
    return nook_sd_bus_set_properties(bus, cgroup->unit, &props, err);
}
