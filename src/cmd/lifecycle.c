/* lifecycle.c: shared pieces of the lifecycle commands (see lifecycle.h). */
#include <unistd.h>

#include "lib/hooks.h"
#include "lib/init/sync.h"
#include "lib/notify.h"
#include "lib/state.h"
#include "lifecycle.h"
#include "report.h"

int nook_cmd_state_root(const struct nook_globals *globals, char **root, struct nook_error *err)
{
    return nook_state_root_default(globals->root, root, err);
}

static void notify_clear(struct nook_notify *notify)
{
    nook_notify_clear(notify);
}

int nook_cmd_start_container(const struct nook_globals *globals, const char *root, const char *id,
                             struct nook_error *err)
{
    _cleanup_(notify_clear) struct nook_notify notify = NOOK_NOTIFY_INIT;
    /* Bound before the barrier opens, so that no early READY=1 is lost. */
    int r = nook_notify_listen(root, id, getenv("NOTIFY_SOCKET"), &notify, err);
    if (r == 0)
        r = nook_container_start(root, id, err);
    if (r < 0)
        return r;
    struct nook_error hook_err = { 0 };
    if (nook_hooks_poststart(root, id, &hook_err) < 0)
        nook_report(globals, NOOK_LEVEL_WARNING, "%s", hook_err.message);
    return nook_notify_relay(&notify, err);
}

void nook_cmd_delete_after_run(const struct nook_globals *globals, const char *root, const char *id)
{
    struct nook_error err = { 0 }, warning = { 0 };
    if (nook_container_delete_warn(root, id, true, &warning, &err) < 0)
        nook_report_error(globals, &err);
    else if (nook_error_is_set(&warning))
        nook_report(globals, NOOK_LEVEL_WARNING, "%s", warning.message);
}

/* The global --cgroup-manager / --systemd-cgroup as create takes it. */
static enum nook_cgroup_manager cgroup_manager(enum nook_cgroup_choice choice)
{
    switch (choice) {
    case NOOK_CGROUP_SYSTEMD:
        return NOOK_CGROUP_MANAGER_SYSTEMD;
    case NOOK_CGROUP_CGROUPFS:
        return NOOK_CGROUP_MANAGER_CGROUPFS;
    case NOOK_CGROUP_DISABLED:
        return NOOK_CGROUP_MANAGER_NONE;
    case NOOK_CGROUP_AUTO:
        break;
    }
    return NOOK_CGROUP_MANAGER_AUTO;
}

/* Relay a log line of the init core (or of create itself) to the report. */
static void relay_log(void *data, int level, const char *message)
{
    const struct nook_globals *globals = data;
    nook_report(globals, level == NOOK_SYNC_LEVEL_WARNING ? NOOK_LEVEL_WARNING : NOOK_LEVEL_DEBUG,
                "%s", message);
}

int nook_cmd_create_opts(const struct nook_globals *globals, const struct nook_parsed *parsed,
                         const char *root, struct nook_create_opts *opts, struct nook_error *err)
{
    unsigned long preserve = 0;
    int r = nook_parsed_uint(parsed, "preserve-fds", 0, &preserve, err);
    if (r < 0)
        return r;
    bool rootless = globals->rootless == NOOK_ROOTLESS_TRUE ||
                    (globals->rootless == NOOK_ROOTLESS_AUTO && geteuid() != 0);
    if (!rootless && geteuid() != 0)
        return nook_error_set(err, EPERM, "--rootless false needs root; drop it to run rootless");
    *opts = (struct nook_create_opts){
        .root = root,
        .id = parsed->argv[0],
        .bundle = str_or(nook_parsed_value(parsed, "bundle"), "."),
        .pid_file = nook_parsed_value(parsed, "pid-file"),
        .rootless = rootless,
        .no_pivot = nook_parsed_bool(parsed, "no-pivot"),
        .no_new_keyring = nook_parsed_bool(parsed, "no-new-keyring"),
        /* Socket activation's fds come first, --preserve-fds' after
         * them, as runc numbers them. */
        .preserve_fds = (unsigned)preserve + nook_listen_fds_from_environ(),
        .listen_fds = nook_listen_fds_from_environ(),
        .notify_socket = getenv("NOTIFY_SOCKET"),
        .cgroup_manager = cgroup_manager(globals->cgroup_manager),
        .log = relay_log,
        .log_data = (void *)globals,
    };
    return 0;
}
