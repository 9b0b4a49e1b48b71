/* hostcheck-cgroup.c: the session checks of `nook check`: cgroup v2, the
 * delegated subtree (found as the cgroupfs manager finds it, and tried by
 * making a cgroup in it), the delegated controllers, the user's D-Bus
 * session bus and systemd user manager, and XDG_RUNTIME_DIR. These are
 * what a login through pam_systemd gives and `su` does not. */
#include <fcntl.h>
#include <linux/magic.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/un.h>

#include "cgroup-systemd.h"
#include "hostcheck-internal.h"
#include "state.h"

static const char *const wanted_controllers[] = { "memory", "pids", "cpu", "io" };

static const struct nook_check_packages bus_packages = {
    .debian = "dbus-user-session", .fedora = "dbus-broker", .suse = "dbus-1", .arch = "dbus",
    .alpine = "dbus",
};

static void fix_login(struct nook_check_context *ctx, struct nook_check_result *r)
{
    char user_buf[32];
    const char *user = hostcheck_user(ctx, user_buf, sizeof(user_buf));
    hostcheck_fix(ctx, r, "sudo loginctl enable-linger %s", user);
    hostcheck_fix(ctx, r,
                  "then log in with `ssh %s@localhost` or `sudo machinectl shell %s@`, not with su or sudo -u (they start no systemd user session)",
                  user, user);
}

/* ---- the user's bus, shared by systemd.user-bus and cgroup.delegation ---- */

struct bus_probe {
    char *socket;               /* the socket's path; NULL when unknown */
    bool from_address;          /* from $DBUS_SESSION_BUS_ADDRESS, not $XDG_RUNTIME_DIR */
    bool not_a_path;            /* an abstract or tcp address: not checked */
    int connect_errnum;         /* 0: a connection was accepted */
    bool manager;               /* $XDG_RUNTIME_DIR/systemd/private is a socket */
    bool manager_known;         /* whether that could be looked at */
};

static void bus_probe_clear(struct bus_probe *probe)
{
    free(probe->socket);
    probe->socket = NULL;
}

static bool is_socket(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISSOCK(st.st_mode);
}

static int try_connect(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    if (strlen(path) >= sizeof(addr.sun_path))
        return ENAMETOOLONG;
    memcpy(addr.sun_path, path, strlen(path) + 1);
    _cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return errno;
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
        return errno;
    return 0;
}

static void bus_probe_run(struct nook_check_context *ctx, struct bus_probe *probe)
{
    memset(probe, 0, sizeof(*probe));
    const struct nook_check_params *p = ctx->params;
    const char *runtime = p->runtime_dir && p->runtime_dir[0] == '/' ? p->runtime_dir : NULL;
    if (p->bus_address && *p->bus_address) {
        probe->from_address = true;
        probe->socket = nook_sd_bus_address_path(p->bus_address);
        probe->not_a_path = !probe->socket;
    } else if (runtime && asprintf(&probe->socket, "%s/bus", runtime) < 0) {
        probe->socket = NULL;
        ctx->out_of_memory = true;
    }
    if (probe->socket)
        probe->connect_errnum = try_connect(probe->socket);
    if (runtime) {
        _cleanup_free_ char *private = NULL;
        if (asprintf(&private, "%s/systemd/private", runtime) < 0) {
            ctx->out_of_memory = true;
            return;
        }
        probe->manager_known = true;
        probe->manager = is_socket(private);
    }
}

static bool bus_probe_usable(const struct bus_probe *probe)
{
    return probe->socket && probe->connect_errnum == 0 && (!probe->manager_known || probe->manager);
}

/* ---- cgroup.v2 ---- */

void hostcheck_cgroup_v2(struct nook_check_context *ctx, struct nook_check_result *r)
{
    r->required = false;
    const char *root = NULL;
    if (nook_cgroup_v2_root(&root) == 0) {
        hostcheck_status(r, NOOK_CHECK_OK);
        hostcheck_file(ctx, r, root);
        if (strcmp(root, "/sys/fs/cgroup") == 0)
            hostcheck_found(ctx, r, "cgroup2 is mounted at /sys/fs/cgroup (unified)");
        else
            hostcheck_found(ctx, r,
                            "hybrid: cgroup2 at %s beside cgroup v1 hierarchies at /sys/fs/cgroup; controllers bound to v1 cannot be delegated (see cgroup.controllers)",
                            root);
        return;
    }
    struct statfs sfs;
    const char *kind = "missing";
    if (statfs("/sys/fs/cgroup", &sfs) == 0)
        kind = sfs.f_type == TMPFS_MAGIC ? "a tmpfs of cgroup v1 hierarchies"
               : sfs.f_type == CGROUP_SUPER_MAGIC ? "cgroup v1"
                                                  : "not cgroup2";
    hostcheck_status(r, NOOK_CHECK_WARN);
    hostcheck_file(ctx, r, "/sys/fs/cgroup");
    hostcheck_found(ctx, r, "no cgroup v2 hierarchy: /sys/fs/cgroup is %s and there is no /sys/fs/cgroup/unified",
                    kind);
    hostcheck_fix(ctx, r,
                  "sudo sed -i 's/^GRUB_CMDLINE_LINUX=\"/&systemd.unified_cgroup_hierarchy=1 /' /etc/default/grub && sudo update-grub && sudo reboot");
    hostcheck_fix(ctx, r,
                  "or (Fedora, RHEL): sudo grubby --update-kernel=ALL --args=systemd.unified_cgroup_hierarchy=1 && sudo reboot");
    hostcheck_impact(ctx, r,
                     "containers get no cgroup (nook uses cgroup v2 only): limits in .linux.resources are refused, and pause, resume, update and events --stats do not work");
}

/* ---- cgroup.delegation ---- */

struct delegation {
    char *own;                  /* the caller's cgroup, "/a/b" */
    char *top;                  /* the delegated subtree; NULL when none */
    char *systemd;              /* the user manager's cgroup (user@UID.service) above own, if any */
    struct nook_error why;      /* why there is no top */
};

static void delegation_clear(struct delegation *d)
{
    free(d->own);
    free(d->top);
    free(d->systemd);
    d->own = d->top = d->systemd = NULL;
}

/* "/user.slice/user-1000.slice/user@1000.service/app.slice/x" ->
 * "/user.slice/user-1000.slice/user@1000.service". */
static char *user_manager_cgroup(const char *own, uid_t uid)
{
    char unit[64];
    snprintf(unit, sizeof(unit), "/user@%u.service", (unsigned)uid);
    const char *at = strstr(own, unit);
    if (!at || (at[strlen(unit)] != '/' && at[strlen(unit)] != '\0'))
        return NULL;
    return strndup(own, (size_t)(at - own) + strlen(unit));
}

static void delegation_find(struct nook_check_context *ctx, struct delegation *d)
{
    memset(d, 0, sizeof(*d));
    const struct nook_check_params *p = ctx->params;
    if (nook_cgroup_v2_of_pid(0, &d->own, &d->why) < 0) {
        hostcheck_strip_see(d->why.message);
        return;
    }
    d->systemd = user_manager_cgroup(d->own, p->uid);
    (void)nook_cgroup_fs_top(p->privileged, &d->top, &d->why);
    hostcheck_strip_see(d->why.message);
}

/* The filesystem path of a cgroup path. */
static char *cgroup_dir(const char *v2, const char *path)
{
    char *dir = NULL;
    return asprintf(&dir, "%s%s", v2, strcmp(path, "/") == 0 ? "" : path) < 0 ? NULL : dir;
}

void hostcheck_cgroup_delegation(struct nook_check_context *ctx, struct nook_check_result *r)
{
    r->required = false;
    const char *v2 = NULL;
    if (nook_cgroup_v2_root(&v2) < 0) {
        hostcheck_status(r, NOOK_CHECK_WARN);
        hostcheck_found(ctx, r, "no cgroup v2 hierarchy (see cgroup.v2)");
        hostcheck_fix(ctx, r, "nook check cgroup.v2   (and follow its fix)");
        hostcheck_impact(ctx, r, "containers get no cgroup: limits are refused");
        return;
    }
    struct delegation d;
    delegation_find(ctx, &d);
    struct bus_probe bus;
    bus_probe_run(ctx, &bus);

    if (!d.own) {
        hostcheck_status(r, NOOK_CHECK_WARN);
        hostcheck_found(ctx, r, "%s", d.why.message);
        hostcheck_fix(ctx, r, "cat /proc/self/cgroup   (a cgroup v2 line \"0::/...\" is needed)");
        hostcheck_impact(ctx, r, "containers get no cgroup: limits are refused");
        goto out;
    }
    if (d.top) {
        _cleanup_free_ char *dir = cgroup_dir(v2, d.top);
        _cleanup_free_ char *probe = NULL;
        if (!dir || asprintf(&probe, "%s/nook-check-%d", dir, (int)getpid()) < 0) {
            ctx->out_of_memory = true;
            goto out;
        }
        hostcheck_file(ctx, r, dir);
        const char *whose = ctx->params->privileged ? "root may write the whole hierarchy"
                                                    : "its directory and cgroup.procs are yours";
        if (mkdir(probe, 0755) == 0) {
            int removed = rmdir(probe);
            hostcheck_status(r, NOOK_CHECK_OK);
            hostcheck_found(ctx, r, "your cgroup %s; the subtree %s is delegated (%s); created %s a test cgroup in it",
                            d.own, d.top, whose, removed == 0 ? "and removed" : "(and could not remove)");
            goto out;
        }
        int saved = errno;
        char name_buf[32];
        struct stat st;
        r->errnum = saved;
        hostcheck_status(r, NOOK_CHECK_WARN);
        hostcheck_found(ctx, r, "your cgroup %s; the subtree %s is yours, but creating a cgroup in it fails: %s (%s)",
                        d.own, d.top, strerror(saved), hostcheck_errno_name(saved, name_buf, sizeof(name_buf)));
        if (saved == EACCES && stat(dir, &st) == 0 && st.st_uid == ctx->params->uid &&
            !(st.st_mode & S_IWUSR))
            hostcheck_fix(ctx, r, "chmod u+w %s", dir);
        else if (saved == EROFS)
            hostcheck_fix(ctx, r,
                          "the cgroup filesystem is read-only here (a container?): start the outer container with a writable cgroup (podman run --cgroupns=private, or --security-opt unmask=/sys/fs/cgroup)");
        else
            fix_login(ctx, r);
        hostcheck_impact(ctx, r,
                         "nook's cgroupfs manager cannot make container cgroups there: a container that asks for limits fails to start");
        goto out;
    }
    if (!ctx->params->privileged && bus_probe_usable(&bus)) {
        hostcheck_status(r, NOOK_CHECK_OK);
        hostcheck_found(ctx, r,
                        "your cgroup %s is not yours, but the systemd user manager answers at %s: nook asks it for a delegated scope",
                        d.own, bus.socket);
        goto out;
    }
    hostcheck_status(r, NOOK_CHECK_WARN);
    hostcheck_found(ctx, r, "%s, and no systemd user manager answers on a user bus (see systemd.user-bus)",
                    d.why.message);
    fix_login(ctx, r);
    hostcheck_impact(ctx, r,
                     "containers get no cgroup: limits in .linux.resources are refused (or skipped with the annotation nook.cgroup.optional), and pause, resume, update, events --stats and kill --all do not work");
out:
    delegation_clear(&d);
    bus_probe_clear(&bus);
}

/* ---- cgroup.controllers ---- */

void hostcheck_cgroup_controllers(struct nook_check_context *ctx, struct nook_check_result *r)
{
    r->required = false;
    const char *v2 = NULL;
    if (nook_cgroup_v2_root(&v2) < 0) {
        hostcheck_status(r, NOOK_CHECK_WARN);
        hostcheck_found(ctx, r, "no cgroup v2 hierarchy (see cgroup.v2)");
        hostcheck_fix(ctx, r, "nook check cgroup.v2   (and follow its fix)");
        hostcheck_impact(ctx, r, "no limit in .linux.resources can be applied");
        return;
    }
    struct delegation d;
    delegation_find(ctx, &d);
    const char *where = d.top ? d.top : d.systemd;
    _cleanup_free_ char *dir = where ? cgroup_dir(v2, where) : NULL;
    _cleanup_free_ char *file = NULL;
    _cleanup_free_ char *text = NULL;
    if (!where) {
        hostcheck_status(r, NOOK_CHECK_WARN);
        hostcheck_found(ctx, r, "no cgroup is delegated to you (see cgroup.delegation)");
        fix_login(ctx, r);
        hostcheck_impact(ctx, r, "no limit in .linux.resources can be applied");
        goto out;
    }
    if (!dir || asprintf(&file, "%s/cgroup.controllers", dir) < 0) {
        ctx->out_of_memory = true;
        goto out;
    }
    hostcheck_file(ctx, r, file);
    text = hostcheck_read_text(file);
    if (!text) {
        int saved = errno;
        r->errnum = saved;
        hostcheck_status(r, NOOK_CHECK_WARN);
        hostcheck_found(ctx, r, "cannot read %s: %s", file, strerror(saved));
        hostcheck_fix(ctx, r, "cat %s", file);
        hostcheck_impact(ctx, r, "unknown: limits may be refused");
        goto out;
    }
    text[strcspn(text, "\n")] = '\0';
    hostcheck_value(ctx, r, text);
    char missing[64] = "";
    size_t used = 0;
    for (size_t i = 0; i < N_ELEMENTS(wanted_controllers); i++)
        if (!nook_cgroup_v2_list_has(text, wanted_controllers[i]))
            used += (size_t)snprintf(missing + used, sizeof(missing) - used, "%s%s", used ? " " : "",
                                     wanted_controllers[i]);
    if (!missing[0]) {
        hostcheck_status(r, NOOK_CHECK_OK);
        hostcheck_found(ctx, r, "delegated to %s: %s", where, text);
        goto out;
    }
    hostcheck_status(r, NOOK_CHECK_WARN);
    hostcheck_found(ctx, r, "delegated to %s: %s; missing: %s", where, text[0] ? text : "(none)", missing);
    if (strcmp(v2, "/sys/fs/cgroup") != 0) {
        /* Hybrid: the missing controllers are bound to v1 hierarchies. */
        hostcheck_fix(ctx, r,
                      "the host is hybrid and those controllers are in cgroup v1: boot with cgroup v2 only (sudo sed -i 's/^GRUB_CMDLINE_LINUX=\"/&systemd.unified_cgroup_hierarchy=1 /' /etc/default/grub && sudo update-grub && sudo reboot)");
    } else if (ctx->params->privileged) {
        hostcheck_fix(ctx, r, "echo '+%s' | sudo tee %s/cgroup.subtree_control", missing, v2);
    } else {
        hostcheck_fix(ctx, r, "sudo mkdir -p /etc/systemd/system/user@.service.d");
        hostcheck_fix(ctx, r,
                      "printf '[Service]\\nDelegate=cpu cpuset io memory pids\\n' | sudo tee /etc/systemd/system/user@.service.d/delegate.conf");
        hostcheck_fix(ctx, r, "sudo systemctl daemon-reload   (then log out and in again)");
    }
    hostcheck_impact(ctx, r,
                     "limits on %s in .linux.resources are refused (or skipped with the annotation nook.cgroup.optional)",
                     missing);
out:
    delegation_clear(&d);
}

/* ---- systemd.user-bus ---- */

static void system_bus_check(struct nook_check_context *ctx, struct nook_check_result *r)
{
    static const char socket_path[] = "/run/dbus/system_bus_socket";
    struct stat st;
    bool systemd = stat("/run/systemd/system", &st) == 0 && S_ISDIR(st.st_mode);
    int e = try_connect(socket_path);
    hostcheck_file(ctx, r, socket_path);
    if (e == 0 && systemd) {
        hostcheck_status(r, NOOK_CHECK_OK);
        hostcheck_found(ctx, r, "as root nook uses systemd on the system bus: %s accepts connections", socket_path);
        return;
    }
    char name_buf[32];
    r->errnum = e;
    hostcheck_status(r, NOOK_CHECK_WARN);
    if (!systemd)
        hostcheck_found(ctx, r, "as root nook would use systemd on the system bus, but systemd is not the init system (no /run/systemd/system)");
    else
        hostcheck_found(ctx, r, "as root nook would use systemd on the system bus, but %s: %s (%s)", socket_path,
                        strerror(e), hostcheck_errno_name(e, name_buf, sizeof(name_buf)));
    hostcheck_fix(ctx, r, "use --cgroup-manager cgroupfs (the default without a system bus)");
    hostcheck_impact(ctx, r, "--systemd-cgroup fails; nook makes root's cgroups itself (cgroupfs)");
}

void hostcheck_user_bus(struct nook_check_context *ctx, struct nook_check_result *r)
{
    r->required = false;
    if (ctx->params->privileged) {
        system_bus_check(ctx, r);
        return;
    }
    struct bus_probe bus;
    bus_probe_run(ctx, &bus);
    const char *impact =
        "nook cannot use the systemd cgroup manager: --systemd-cgroup fails, and without a delegated cgroup v2 subtree (cgroup.delegation) containers get no cgroup";
    char name_buf[32];
    if (bus.not_a_path) {
        hostcheck_status(r, NOOK_CHECK_OK);
        hostcheck_value(ctx, r, ctx->params->bus_address);
        hostcheck_found(ctx, r, "DBUS_SESSION_BUS_ADDRESS=%s is not a unix socket path: not checked",
                        ctx->params->bus_address);
        goto out;
    }
    if (!bus.socket) {
        hostcheck_status(r, NOOK_CHECK_WARN);
        hostcheck_found(ctx, r,
                        "neither DBUS_SESSION_BUS_ADDRESS nor XDG_RUNTIME_DIR is set: no session bus (usual after su, sudo -u or a cron job)");
        fix_login(ctx, r);
        hostcheck_impact(ctx, r, "%s", impact);
        goto out;
    }
    hostcheck_file(ctx, r, bus.socket);
    if (bus.connect_errnum != 0) {
        r->errnum = bus.connect_errnum;
        hostcheck_status(r, NOOK_CHECK_WARN);
        hostcheck_found(ctx, r, "connect to the user bus %s (from %s): %s (%s)", bus.socket,
                        bus.from_address ? "DBUS_SESSION_BUS_ADDRESS" : "XDG_RUNTIME_DIR",
                        strerror(bus.connect_errnum),
                        hostcheck_errno_name(bus.connect_errnum, name_buf, sizeof(name_buf)));
        if (bus.manager) {
            /* systemd --user runs, but nothing provides its bus. */
            _cleanup_free_ char *install = hostcheck_install(ctx, &bus_packages);
            hostcheck_fix(ctx, r, "%s   (a systemd user manager runs, but no D-Bus session bus)",
                          str_or(install, ""));
            hostcheck_fix(ctx, r, "then log out and in again");
        } else {
            fix_login(ctx, r);
        }
        hostcheck_impact(ctx, r, "%s", impact);
        goto out;
    }
    if (bus.manager_known && !bus.manager) {
        hostcheck_status(r, NOOK_CHECK_WARN);
        hostcheck_found(ctx, r,
                        "the user bus %s accepts connections, but no systemd user manager runs (no %s/systemd/private)",
                        bus.socket, ctx->params->runtime_dir);
        fix_login(ctx, r);
        hostcheck_impact(ctx, r, "%s", impact);
        goto out;
    }
    hostcheck_status(r, NOOK_CHECK_OK);
    hostcheck_found(ctx, r, "the user bus %s accepts connections%s", bus.socket,
                    bus.manager ? " and a systemd user manager runs" : "");
out:
    bus_probe_clear(&bus);
}

/* ---- runtime-dir ---- */

char *nook_check_runtime_dir_problem(mode_t mode, uid_t owner, uid_t uid, bool *fatal)
{
    char *text = NULL;
    int n = 0;
    *fatal = true;
    if (!S_ISDIR(mode))
        n = asprintf(&text, "is not a directory");
    else if (owner != uid)
        n = asprintf(&text, "belongs to uid %u, not to you (uid %u)", (unsigned)owner, (unsigned)uid);
    else if ((mode & (S_IWUSR | S_IXUSR)) != (S_IWUSR | S_IXUSR))
        n = asprintf(&text, "is not writable by you (mode %04o)", (unsigned)(mode & 07777));
    else if (mode & 077) {
        *fatal = false;
        n = asprintf(&text, "has mode %04o, not 0700: other users can look into it",
                     (unsigned)(mode & 07777));
    } else {
        *fatal = false;
    }
    return n < 0 ? NULL : text;
}

/* /run/user/UID when it is the user's: what a login would have set. */
static bool own_run_user(uid_t uid, char *buf, size_t size)
{
    snprintf(buf, size, "/run/user/%u", (unsigned)uid);
    struct stat st;
    return stat(buf, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == uid;
}

static void fix_runtime_dir(struct nook_check_context *ctx, struct nook_check_result *r)
{
    char own[64];
    if (own_run_user(ctx->params->uid, own, sizeof(own)) &&
        !(ctx->params->runtime_dir && strcmp(ctx->params->runtime_dir, own) == 0)) {
        hostcheck_fix(ctx, r, "export XDG_RUNTIME_DIR=%s", own);
    } else {
        fix_login(ctx, r);
    }
    hostcheck_fix(ctx, r, "or give every nook command a state directory of your own: nook --root DIR ...");
}

void hostcheck_runtime_dir(struct nook_check_context *ctx, struct nook_check_result *r)
{
    const struct nook_check_params *p = ctx->params;
    r->required = !p->privileged;
    const char *dir = p->runtime_dir;
    const char *impact =
        "nook has no default state directory: every command fails unless it is given --root DIR";
    if (p->privileged) {
        hostcheck_status(r, NOOK_CHECK_OK);
        hostcheck_found(ctx, r, "as root nook keeps its state in " NOOK_STATE_ROOT_PRIVILEGED
                                "; XDG_RUNTIME_DIR is not used");
        return;
    }
    if (!dir || !*dir) {
        hostcheck_status(r, NOOK_CHECK_FAIL);
        hostcheck_found(ctx, r, "XDG_RUNTIME_DIR is not set (usual after su, sudo -u or in a cron job)");
        fix_runtime_dir(ctx, r);
        hostcheck_impact(ctx, r, "%s", impact);
        return;
    }
    hostcheck_file(ctx, r, dir);
    if (dir[0] != '/') {
        hostcheck_status(r, NOOK_CHECK_FAIL);
        hostcheck_found(ctx, r, "XDG_RUNTIME_DIR=%s is not an absolute path", dir);
        fix_runtime_dir(ctx, r);
        hostcheck_impact(ctx, r, "%s", impact);
        return;
    }
    struct stat st;
    if (stat(dir, &st) < 0) {
        int saved = errno;
        char name_buf[32];
        r->errnum = saved;
        hostcheck_status(r, NOOK_CHECK_FAIL);
        hostcheck_found(ctx, r, "XDG_RUNTIME_DIR=%s: %s (%s)", dir, strerror(saved),
                        hostcheck_errno_name(saved, name_buf, sizeof(name_buf)));
        fix_runtime_dir(ctx, r);
        hostcheck_impact(ctx, r, "%s", impact);
        return;
    }
    char mode[16];
    snprintf(mode, sizeof(mode), "%04o", (unsigned)(st.st_mode & 07777));
    hostcheck_value(ctx, r, mode);
    bool fatal = false;
    _cleanup_free_ char *problem = nook_check_runtime_dir_problem(st.st_mode, st.st_uid, p->uid, &fatal);
    if (problem && fatal) {
        hostcheck_status(r, NOOK_CHECK_FAIL);
        hostcheck_found(ctx, r, "XDG_RUNTIME_DIR=%s %s%s", dir, problem,
                        st.st_uid != p->uid ? " (usual after su: the variable is still the other user's)" : "");
        if (S_ISDIR(st.st_mode) && st.st_uid == p->uid)
            hostcheck_fix(ctx, r, "chmod 0700 %s", dir);
        else
            fix_runtime_dir(ctx, r);
        hostcheck_impact(ctx, r, "%s", impact);
        return;
    }
    /* What nook itself will make of it (state.c). */
    _cleanup_free_ char *state_root = NULL;
    struct nook_error err = { 0 };
    if (nook_state_root_resolve(NULL, p->uid, dir, &state_root, &err) < 0) {
        hostcheck_strip_see(err.message);
        hostcheck_status(r, NOOK_CHECK_FAIL);
        hostcheck_found(ctx, r, "%s", err.message);
        fix_runtime_dir(ctx, r);
        hostcheck_impact(ctx, r, "%s", impact);
        return;
    }
    if (problem) {
        hostcheck_status(r, NOOK_CHECK_WARN);
        hostcheck_found(ctx, r, "XDG_RUNTIME_DIR=%s %s; state in %s", dir, problem, state_root);
        hostcheck_fix(ctx, r, "chmod 0700 %s", dir);
        hostcheck_impact(ctx, r,
                         "other users can see your containers' names, and sockets of theirs that nook makes there");
        return;
    }
    hostcheck_status(r, NOOK_CHECK_OK);
    hostcheck_found(ctx, r, "XDG_RUNTIME_DIR=%s (yours, mode %s); state in %s", dir, mode, state_root);
}
