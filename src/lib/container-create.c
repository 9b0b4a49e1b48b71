/* container-create.c: `create` from the host's side: read the bundle,
 * record the container, clone the init core into its namespaces, write its
 * id maps, relay its log, and either record it as created or tear every
 * trace of it down. */
#include <fcntl.h>
#include <linux/sched.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "cgroup.h"
#include "container.h"
#include "container-id.h"
#include "helper-procs.h"
#include "hooks.h"
#include "notify.h"
#include "idmap.h"
#include "mount-idmap.h"
#include "network.h"
#include "overlay.h"
#include "init/init.h"
#include "init/sync.h"
#include "proc.h"
#include "seccomp-filter.h"
#include "seccomp-notify.h"
#include "spec.h"
#include "state.h"
#include "terminal.h"

static const char *const namespace_names[] = {
    "cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts", NULL,
};

const struct nook_features_part nook_namespace_features = {
    .name = "namespaces",
    .lists[NOOK_FEATURE_NAMESPACES] = namespace_names,
};

/* Everything create holds while it works; released by create_cleanup(). */
struct create_run {
    const struct nook_create_opts *opts;
    struct nook_spec *spec;
    char *bundle;
    char *rootfs;
    struct nook_idmaps maps;
    bool have_maps;
    struct nook_idmap_owner owner;
    char owner_name[256];
    /* euid 0 of a user namespace that is not the initial one (podman's
     * rootless one): root for the container, but the host's cgroups and
     * device nodes stay out of reach, as for a rootless caller. */
    bool in_userns;
    struct nook_state state;
    struct nook_container_dir *dir;
    int fifo_fd;
    int ns_fds[NOOK_NS_COUNT];
    int sync_fds[2];
    pid_t pid;
    int pidfd;
    int console_socket;        /* connected --console-socket, -1: none */
    int console_fd;            /* the pty master kept for the caller to relay, -1: none */
    struct nook_cgroup_request cgroup_request;
    struct nook_cgroup_setup cgroup;
    bool cgroup_prepared;      /* cgroup holds what nook_cgroup_prepare() set up */
    struct nook_seccomp_program seccomp; /* compiled .linux.seccomp; length 0: none */
    struct nook_network *network; /* slirp networking (network.h); NULL: none */
    struct nook_overlay_plan *overlay; /* overlays to mount (overlay.h); NULL: none */
    struct nook_idmapped_mounts idmapped; /* made before the clone (mount-idmap.h) */
};

static void log_to(const struct nook_create_opts *opts, int level, const char *message)
{
    if (opts->log)
        opts->log(opts->log_data, level, message);
}

/* The filter is compiled here, in the host process, before the clone;
 * the init only installs it (seccomp-filter.h). */
static int compile_seccomp(struct create_run *run, struct nook_error *err)
{
    const struct nook_spec_linux *lx = run->spec->linux_config;
    if (!lx || !lx->seccomp)
        return 0;
    return nook_seccomp_compile(lx->seccomp, &run->seccomp, err);
}

static int load_bundle(struct create_run *run, struct nook_error *err)
{
    const struct nook_create_opts *opts = run->opts;
    int r = nook_state_absolute_path(NULL, opts->bundle ? opts->bundle : ".", &run->bundle);
    if (r < 0)
        return nook_error_set_errno(err, -r, "bundle \"%s\"", opts->bundle);
    r = nook_spec_load(run->bundle, &run->spec, err);
    if (r == 0 && opts->overlay)
        r = nook_overlay_request(&run->spec->annotations, err);
    if (r < 0)
        return r;
    if (!run->spec->process)
        return nook_error_set(err, EINVAL, "config.json: .process: missing; a container needs a process to run");
    r = nook_terminal_check(run->spec->process->terminal, opts->console_socket, opts->relay_terminal,
                            err);
    if (r < 0)
        return r;
    r = nook_state_absolute_path(run->bundle, run->spec->root->path, &run->rootfs);
    if (r < 0)
        return nook_error_set_errno(err, -r, "config.json: .root.path");
    r = compile_seccomp(run, err);
    if (r < 0)
        return r;
    struct stat st;
    if (stat(run->rootfs, &st) < 0)
        return nook_error_set_errno(err, errno, "config.json: .root.path: rootfs \"%s\"", run->rootfs);
    if (!S_ISDIR(st.st_mode))
        return nook_error_set(err, ENOTDIR, "config.json: .root.path: rootfs \"%s\" is not a directory",
                              run->rootfs);
    return nook_overlay_plan_new(run->spec, run->bundle, run->rootfs, getenv("PATH"),
                                 getenv("NOOK_FUSE_OVERLAYFS"), &run->overlay, err);
}

static bool spec_has_namespace(const struct nook_spec *spec, enum nook_ns_type type, bool *with_path)
{
    const struct nook_spec_namespace *ns = nook_spec_find_namespace(spec, type);
    if (with_path)
        *with_path = ns && ns->path;
    return ns != NULL;
}

static void spec_idmap(const struct nook_spec_id_mapping *items, size_t count, struct nook_id_range *out,
                       struct nook_idmap *map)
{
    for (size_t i = 0; i < count; i++)
        out[i] = (struct nook_id_range){ items[i].container_id, items[i].host_id, items[i].size };
    map->ranges = out;
    map->count = count;
}

static int resolve_maps(struct create_run *run, bool userns, struct nook_error *err)
{
    bool joined = false;
    spec_has_namespace(run->spec, NOOK_NS_USER, &joined);
    if (!userns || joined)
        return 0;
    const struct nook_spec_linux *lx = run->spec->linux_config;
    size_t nu = lx ? lx->n_uid_mappings : 0, ng = lx ? lx->n_gid_mappings : 0;
    _cleanup_free_ struct nook_id_range *uids = calloc(nu + 1, sizeof(*uids));
    _cleanup_free_ struct nook_id_range *gids = calloc(ng + 1, sizeof(*gids));
    if (!uids || !gids)
        return nook_error_set(err, ENOMEM, "out of memory");
    struct nook_idmap config_uid = { 0 }, config_gid = { 0 };
    if (lx) {
        spec_idmap(lx->uid_mappings, nu, uids, &config_uid);
        spec_idmap(lx->gid_mappings, ng, gids, &config_gid);
    }
    int r = nook_idmaps_resolve(&config_uid, &config_gid, &run->owner, &run->maps, err);
    if (r < 0)
        return r;
    run->have_maps = true;
    if (run->maps.warning)
        log_to(run->opts, NOOK_SYNC_LEVEL_WARNING, run->maps.warning);
    return 0;
}

static void fill_owner(struct create_run *run)
{
    run->owner.uid = getuid();
    run->owner.gid = getgid();
    run->owner.privileged = !run->opts->rootless && geteuid() == 0;
    run->in_userns = run->owner.privileged && nook_idmap_in_user_namespace();
    struct passwd pw, *found = NULL;
    char buf[4096];
    if (getpwuid_r(run->owner.uid, &pw, buf, sizeof(buf), &found) == 0 && found) {
        snprintf(run->owner_name, sizeof(run->owner_name), "%s", found->pw_name);
        run->owner.name = run->owner_name;
    }
}

static int open_namespaces(struct create_run *run, struct nook_error *err)
{
    const struct nook_spec_linux *lx = run->spec->linux_config;
    for (size_t i = 0; lx && i < lx->n_namespaces; i++) {
        const struct nook_spec_namespace *ns = &lx->namespaces[i];
        if (!ns->path)
            continue;
        run->ns_fds[ns->type] = open(ns->path, O_RDONLY | O_CLOEXEC);
        if (run->ns_fds[ns->type] < 0)
            return nook_error_set_errno(err, errno, "config.json: .linux.namespaces[%zu].path: open \"%s\"",
                                        i, ns->path);
    }
    return 0;
}

static int clone_flags(const struct create_run *run, bool userns)
{
    int flags = 0;
    const struct nook_spec_linux *lx = run->spec->linux_config;
    for (size_t i = 0; lx && i < lx->n_namespaces; i++)
        /* A new time namespace is made by the child itself, which must
         * write its offsets before it enters it (init.c). */
        if (!lx->namespaces[i].path && lx->namespaces[i].type != NOOK_NS_TIME)
            flags |= nook_ns_clone_flag(lx->namespaces[i].type);
    bool joined_user = false;
    spec_has_namespace(run->spec, NOOK_NS_USER, &joined_user);
    if (userns && !joined_user)
        flags |= CLONE_NEWUSER;
    return flags;
}

static int make_exec_fifo(struct create_run *run, struct nook_error *err)
{
    /* 0622: the container's process may run as any user of the
     * container, and must still be able to open it for writing. */
    if (mkfifoat(run->dir->fd, "exec.fifo", 0622) < 0)
        return nook_error_set_errno(err, errno, "create %s/exec.fifo", run->dir->path);
    if (fchmodat(run->dir->fd, "exec.fifo", 0622, 0) < 0)
        return nook_error_set_errno(err, errno, "chmod %s/exec.fifo", run->dir->path);
    run->fifo_fd = openat(run->dir->fd, "exec.fifo", O_PATH | O_CLOEXEC);
    if (run->fifo_fd < 0)
        return nook_error_set_errno(err, errno, "open %s/exec.fifo", run->dir->path);
    return 0;
}

int nook_pid_file_write(const char *path, pid_t pid, struct nook_error *err)
{
    _cleanup_free_ char *tmp = NULL;
    if (asprintf(&tmp, "%s.nook-tmp", path) < 0)
        return nook_error_set(err, ENOMEM, "out of memory");
    _cleanup_close_ int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return nook_error_set_errno(err, errno, "write pid file \"%s\"", path);
    char text[32];
    int n = snprintf(text, sizeof(text), "%d", (int)pid);
    if (write(fd, text, (size_t)n) != n || rename(tmp, path) < 0) {
        int saved = errno ? errno : EIO;
        unlink(tmp);
        return nook_error_set_errno(err, saved, "write pid file \"%s\"", path);
    }
    return 0;
}

/* cgroup_fd >= 0: the child starts in that cgroup (CLONE_INTO_CGROUP), so
 * that not one of its instructions runs outside it. */
static pid_t clone_child(int flags, int cgroup_fd, int *pidfd)
{
    struct clone_args args = {
        .flags = (uint64_t)flags | CLONE_PIDFD,
        .pidfd = (uint64_t)(uintptr_t)pidfd,
        .exit_signal = SIGCHLD,
    };
    if (cgroup_fd >= 0) {
        args.flags |= CLONE_INTO_CGROUP;
        args.cgroup = (uint64_t)cgroup_fd;
    }
    return (pid_t)syscall(SYS_clone3, &args, sizeof(args));
}

/* Choose the container's cgroup (cgroup.h) and set it up, before the
 * clone. */
static int prepare_cgroup(struct create_run *run, struct nook_error *err)
{
    const struct nook_spec_linux *lx = run->spec->linux_config;
    run->cgroup_request = (struct nook_cgroup_request){
        .manager = run->opts->cgroup_manager,
        .id = run->opts->id,
        .cgroups_path = lx ? lx->cgroups_path : NULL,
        .resources = lx ? lx->resources : NULL,
        .annotations = &run->spec->annotations,
        .privileged = run->owner.privileged && !run->in_userns,
    };
    int r = nook_cgroup_prepare(&run->cgroup_request, &run->cgroup, err);
    if (r < 0)
        return r;
    run->cgroup_prepared = true;
    return 0;
}

/* The init is in the cgroup for good: record it, so that a delete finds
 * it even if this create dies before it is done. */
static int record_cgroup(struct create_run *run, struct nook_error *err)
{
    if (run->cgroup.cgroup.manager == NOOK_CGROUP_MANAGER_NONE)
        return 0;
    int r = nook_cgroup_to_state(&run->cgroup.cgroup, &run->state, err);
    if (r == 0)
        r = nook_state_save(run->dir, &run->state, err);
    return r;
}

/* config-linux.md's "Cgroup ownership": a privileged runtime hands the
 * container's cgroup to the host ids of process.user when the container
 * gets a cgroup namespace and a read-write /sys/fs/cgroup. Rootless (or
 * root of a user namespace), the cgroup is the caller's already, who is
 * the container's root. */
static int give_cgroup(struct create_run *run, struct nook_error *err)
{
    const struct nook_spec_user *user = &run->spec->process->user;
    if (!run->owner.privileged || run->in_userns ||
        run->cgroup.cgroup.manager == NOOK_CGROUP_MANAGER_NONE ||
        !nook_cgroup_ownership_wanted(run->spec))
        return 0;
    int64_t uid = run->have_maps ? nook_idmap_to_host(&run->maps.uid, user->uid) : user->uid;
    int64_t gid = run->have_maps ? nook_idmap_to_host(&run->maps.gid, user->gid) : user->gid;
    if (uid < 0 || gid < 0)
        return nook_error_set(err, EINVAL,
                              "config.json: .process.user: %u:%u has no host ids in the user "
                              "namespace's mappings, so the container's cgroup cannot be given to it",
                              user->uid, user->gid);
    int r = nook_cgroup_give_to(&run->cgroup.cgroup, (uid_t)uid, (gid_t)gid, err);
    return r < 0 ? nook_error_prefix(err, "cgroup ownership") : 0;
}

/* .linux.resources.devices, once the init is READY: from then on it binds
 * whatever runs in the container's cgroup (the program, exec'd processes),
 * while the init's own setup (device nodes, /dev/fuse for an overlay,
 * the pty) was nook's, not the container's, to judge. */
static int apply_device_list(struct create_run *run, struct nook_error *err)
{
    const struct nook_spec_linux *lx = run->spec->linux_config;
    const struct nook_spec_resources *res = lx ? lx->resources : NULL;
    if (!res || res->n_devices == 0 || !run->owner.privileged || run->in_userns)
        return 0;
    if (run->cgroup.cgroup.manager == NOOK_CGROUP_MANAGER_NONE) {
        /* Said unless the caller turned cgroups off itself. */
        if (run->opts->cgroup_manager != NOOK_CGROUP_MANAGER_NONE)
            log_to(run->opts, NOOK_SYNC_LEVEL_WARNING,
                   "config.json: .linux.resources.devices is not applied: the container has no "
                   "cgroup (nook found no cgroup v2 to use on this host)");
        return 0;
    }
    return nook_cgroup_apply_devices(&run->cgroup.cgroup, res, true, err);
}

/* The pty master from the child: on to the console socket, or kept. */
static int take_console(struct create_run *run, int master, struct nook_error *err)
{
    return nook_terminal_take_master(run->console_socket, master, &run->console_fd, err);
}

/* The init mounted an overlay, or needs fuse-overlayfs for one. */
static int handle_overlay(struct create_run *run, const struct nook_sync_msg *msg, int passed_fd,
                          struct nook_error *err)
{
    const struct nook_overlay_event event = {
        .plan = run->overlay,
        .dir_fd = run->dir->fd,
        .dir_path = run->dir->path,
        .init_pid = run->pid,
        .privileged = run->owner.privileged,
        .sync_fd = run->sync_fds[0],
        .state = &run->state,
        .log = run->opts->log,
        .log_data = run->opts->log_data,
    };
    return nook_overlay_handle(&event, msg->type, msg->text, passed_fd, err);
}

/* The upper and work directories, owned by the container's root. */
static int prepare_overlay(struct create_run *run, struct nook_error *err)
{
    if (!run->overlay)
        return 0;
    int64_t uid = run->have_maps ? nook_idmap_to_host(&run->maps.uid, 0) : (int64_t)getuid();
    int64_t gid = run->have_maps ? nook_idmap_to_host(&run->maps.gid, 0) : (int64_t)getgid();
    if (run->overlay->root && (uid < 0 || gid < 0))
        return nook_error_set(err, EINVAL,
                              "an overlay root needs the container's root mapped: .linux.uidMappings "
                              "and .linux.gidMappings have no container id 0");
    return nook_overlay_prepare(run->overlay, run->dir->fd, run->dir->path, (uid_t)uid, (gid_t)gid, err);
}

/* Read the child's messages until it is READY or fails. */
static int supervise_setup(struct create_run *run, struct nook_error *err)
{
    for (;;) {
        struct nook_sync_msg msg;
        _cleanup_close_ int passed_fd = -1;
        int r = nook_sync_recv_fd(run->sync_fds[0], &msg, &passed_fd);
        if (r == -EPIPE)
            return nook_proc_reap_silent_child(&run->pid, "the container's init exited during setup",
                                               err);
        if (r < 0)
            return nook_error_set_errno(err, -r, "read from the setup socket");
        switch (msg.type) {
        case NOOK_SYNC_LOG:
            log_to(run->opts, msg.errnum, msg.text);
            break;
        case NOOK_SYNC_ERROR:
            return nook_error_set(err, msg.errnum > 0 ? msg.errnum : EIO, "%s", msg.text);
        case NOOK_SYNC_CONSOLE:
            r = take_console(run, passed_fd, err);
            if (r < 0)
                return r;
            break;
        case NOOK_SYNC_SECCOMP_LISTENER:
            if (passed_fd < 0)
                return nook_error_set(err, EPROTO, "setup socket: the seccomp listener came without its fd");
            r = nook_seccomp_send_listener(run->spec->linux_config->seccomp, &run->state,
                                           NOOK_STATUS_CREATING, run->pid, passed_fd, err);
            if (r < 0)
                return r;
            break;
        case NOOK_SYNC_HOOKS_CREATE_RUNTIME:
            r = nook_hooks_create_runtime(run->spec, &run->state, run->pid, run->sync_fds[0], err);
            if (r < 0)
                return r;
            break;
        case NOOK_SYNC_OVERLAY_MOUNTED:
        case NOOK_SYNC_OVERLAY_FUSE:
            r = handle_overlay(run, &msg, passed_fd, err);
            if (r < 0)
                return r;
            break;
        case NOOK_SYNC_TAP:
            if (passed_fd < 0)
                return nook_error_set(err, EPROTO, "setup socket: the tap came without its fd");
            r = nook_network_take_tap(run->network, &passed_fd, err);
            if (r < 0)
                return r;
            break;
        case NOOK_SYNC_READY:
            return 0;
        default:
            return nook_error_set(err, EPROTO, "setup socket: unexpected message %u", msg.type);
        }
    }
}

static int spawn_init(struct create_run *run, bool userns, struct nook_error *err)
{
    int r = nook_sync_pair(run->sync_fds, err);
    if (r < 0)
        return r;
    struct nook_init_ctx ctx = {
        .spec = run->spec,
        .id = run->opts->id,
        .process = run->spec->process,
        .rootfs = run->rootfs,
        .bundle = run->bundle,
        .rootless = !run->owner.privileged || run->in_userns,
        .userns = userns,
        .no_pivot = run->opts->no_pivot,
        .no_new_keyring = run->opts->no_new_keyring,
        .sync_fd = run->sync_fds[1],
        .fifo_fd = run->fifo_fd,
        .proc_fd_dir = -1,
        .preserve_fds = run->opts->preserve_fds,
        .hooks_state = &run->state,
        .seccomp = run->seccomp.length ? &run->seccomp : NULL,
        .overlay = run->overlay,
        .early_bind_mount = nook_network_resolv_conf_mount(run->network),
        .network_ready_fd = nook_network_ready_reader(run->network),
        .idmapped_mounts = run->idmapped.count ? &run->idmapped : NULL,
    };
    ctx.slirp_tap = nook_network_wants_tap(run->network, &ctx.slirp_tap_mtu, &ctx.slirp_tap_ipv6);
    bool net_joined = false;
    ctx.netns_owned = spec_has_namespace(run->spec, NOOK_NS_NETWORK, &net_joined) && !net_joined;
    memcpy(ctx.ns_fds, run->ns_fds, sizeof(ctx.ns_fds));

    /* A user namespace joined by path owns the namespaces the clone makes
     * only if the clone happens inside it: without privilege on the host,
     * new namespaces are allowed only there. Its owner (the caller) may
     * join it, so create does, and the child does not join it again. */
    if (run->ns_fds[NOOK_NS_USER] >= 0 && !run->owner.privileged) {
        if (setns(run->ns_fds[NOOK_NS_USER], CLONE_NEWUSER) < 0)
            return nook_error_set_errno(err, errno, "join the user namespace of .linux.namespaces");
        ctx.ns_fds[NOOK_NS_USER] = -1;
    }

    int flags = clone_flags(run, userns);
    /* A new cgroup namespace takes the cgroup its maker is in as its root:
     * when the init is moved into its cgroup only after the clone
     * (systemd), it makes the namespace itself once it has been moved. */
    bool new_cgroupns = (flags & CLONE_NEWCGROUP) != 0;
    if (new_cgroupns && run->cgroup.attach_after_clone) {
        flags &= ~CLONE_NEWCGROUP;
        ctx.unshare_cgroupns = true;
    }
    run->pid = clone_child(flags, run->cgroup.clone_into_fd, &run->pidfd);
    if (run->pid < 0 && run->cgroup.clone_into_fd >= 0 && (errno == EINVAL || errno == E2BIG)) {
        /* Only kernels before 5.7 refuse CLONE_INTO_CGROUP this way (an
         * unknown flag, a larger clone_args): clone outside, and move the
         * init before it goes on. Other errors (EBUSY, EOPNOTSUPP, EACCES)
         * are about the cgroup, and moving the init would meet them too. */
        run->cgroup.attach_after_clone = true;
        if (new_cgroupns) {
            flags &= ~CLONE_NEWCGROUP;
            ctx.unshare_cgroupns = true;
        }
        run->pid = clone_child(flags, -1, &run->pidfd);
    }
    if (run->pid < 0) {
        run->pid = 0;
        if (run->cgroup.clone_into_fd >= 0 && !run->cgroup.attach_after_clone)
            return nook_error_set_errno(err, errno, "clone the container's init into the cgroup %s (namespaces 0x%x)",
                                        run->cgroup.cgroup.path, flags);
        int saved = errno;
        /* A refused user namespace is a host setup problem: point at it. */
        if ((flags & CLONE_NEWUSER) &&
            (saved == EPERM || saved == EACCES || saved == ENOSPC || saved == EUSERS))
            return nook_error_set(err, saved,
                                  "clone the container's init (namespaces 0x%x): %s (see: nook check userns.trial)",
                                  flags, strerror(saved));
        return nook_error_set_errno(err, saved, "clone the container's init (namespaces 0x%x)", flags);
    }
    if (run->pid == 0) {
        close(run->sync_fds[0]);
        nook_init_main(&ctx);
    }
    closep(&run->sync_fds[1]);
    run->sync_fds[1] = -1;

    /* Before MAPS_WRITTEN: the init waits for it, so it is in its cgroup
     * before it does anything of the container's. */
    r = nook_cgroup_attach(&run->cgroup, &run->cgroup_request, run->pid, err);
    if (r == 0)
        r = record_cgroup(run, err);
    if (r == 0)
        r = give_cgroup(run, err);
    if (r < 0)
        return r;
    /* The one warning about limits skipped as optional: printed once the
     * manager is done (systemd knows its part only after attaching). */
    if (run->cgroup.warning)
        log_to(run->opts, NOOK_SYNC_LEVEL_WARNING, run->cgroup.warning);

    if (run->have_maps) {
        r = nook_idmaps_write(run->pid, &run->maps, &run->owner, err);
        if (r < 0)
            return nook_error_prefix(err, "write the user namespace's id maps");
    }
    if (nook_sync_send(run->sync_fds[0], NOOK_SYNC_MAPS_WRITTEN, 0, NULL) < 0)
        return nook_error_set(err, EPIPE, "the container's init exited during setup");
    r = supervise_setup(run, err);
    if (r == 0)
        r = apply_device_list(run, err);
    return r;
}

/* A create that fails once the init exists goes on as a delete would
 * (runtime-spec: a failing prestart, createRuntime or createContainer hook
 * "stop[s] the container, and continue[s] the lifecycle at step 12"): the
 * container is destroyed, then its poststop hooks run, as runc's destroy
 * runs them. A failing one is a warning, as at delete. */
static void run_poststop_after_failure(struct create_run *run)
{
    struct nook_error hook_err = { 0 };
    if (nook_hooks_run_state(run->spec, NOOK_HOOK_POSTSTOP, &run->state, 0, NOOK_STATUS_STOPPED,
                             &hook_err) < 0) {
        char message[NOOK_ERROR_MAX + 64];
        snprintf(message, sizeof(message), "after the failed create: %s", hook_err.message);
        log_to(run->opts, NOOK_SYNC_LEVEL_WARNING, message);
    }
}

static void create_cleanup(struct create_run *run, bool failed)
{
    bool init_spawned = run->pid > 0;
    if (failed && run->pid > 0) {
        if (run->pidfd >= 0)
            (void)nook_pidfd_send_signal(run->pidfd, SIGKILL);
        while (waitpid(run->pid, NULL, 0) < 0 && errno == EINTR)
            ;
    }
    if (failed && run->cgroup_prepared &&
        (run->cgroup.made || run->cgroup.cgroup.manager == NOOK_CGROUP_MANAGER_SYSTEMD)) {
        struct nook_error ignored = { 0 };
        (void)nook_cgroup_destroy(&run->cgroup.cgroup, &ignored);
    }
    if (run->cgroup_prepared)
        nook_cgroup_setup_clear(&run->cgroup);
    if (failed && run->dir) {
        struct nook_error ignored = { 0 };
        (void)nook_helpers_stop_all(run->dir->fd, 0, &ignored);
        (void)nook_overlay_release(run->dir->fd, run->dir->path, NULL, false, &ignored);
        (void)nook_container_dir_remove(run->dir, &ignored);
    }
    if (failed && init_spawned && run->spec)
        run_poststop_after_failure(run);
    if (failed && run->pidfd >= 0)
        closep(&run->pidfd);
    if (run->dir)
        nook_container_dir_free(run->dir);
    for (int i = 0; i < NOOK_NS_COUNT; i++)
        closep(&run->ns_fds[i]);
    closep(&run->fifo_fd);
    closep(&run->console_socket);
    closep(&run->console_fd);
    closep(&run->sync_fds[0]);
    closep(&run->sync_fds[1]);
    if (run->have_maps)
        nook_idmaps_clear(&run->maps);
    nook_state_clear(&run->state);
    nook_seccomp_program_clear(&run->seccomp);
    nook_network_free(run->network);
    nook_overlay_plan_free(run->overlay);
    nook_idmapped_mounts_clear(&run->idmapped);
    nook_spec_free(run->spec);
    free(run->bundle);
    free(run->rootfs);
}

static int create_steps(struct create_run *run, struct nook_error *err)
{
    const struct nook_create_opts *opts = run->opts;
    int r = nook_container_id_validate(opts->id, err);
    if (r < 0)
        return r;
    r = load_bundle(run, err);
    if (r == 0 && opts->listen_fds)
        r = nook_listen_fds_set_env(run->spec->process, opts->listen_fds, err);
    if (r < 0)
        return r;
    fill_owner(run);
    bool userns = !run->owner.privileged || spec_has_namespace(run->spec, NOOK_NS_USER, NULL);
    r = resolve_maps(run, userns, err);
    if (r < 0)
        return r;
    r = open_namespaces(run, err);
    if (r == 0)
        r = nook_idmapped_mounts_prepare(run->spec, run->bundle,
                                         run->owner.privileged && !run->in_userns,
                                         run->have_maps ? &run->maps : NULL, &run->idmapped, err);
    if (r < 0)
        return r;
    if (opts->console_socket) {
        r = nook_terminal_connect(opts->console_socket, &run->console_socket, err);
        if (r < 0)
            return r;
    }

    r = nook_state_init(&run->state, opts->id, run->spec->oci_version, run->bundle, run->rootfs, err);
    for (size_t i = 0; r == 0 && i < run->spec->annotations.count; i++)
        r = nook_state_set_annotation(&run->state, run->spec->annotations.items[i].key,
                                      run->spec->annotations.items[i].value, err);
    if (r < 0)
        return r;
    r = nook_container_dir_create(opts->root, &run->state, &run->dir, err);
    if (r < 0)
        return r;
    r = make_exec_fifo(run, err);
    if (r == 0)
        r = prepare_overlay(run, err);
    if (r == 0)
        r = nook_notify_prepare(run->spec, run->dir->path, opts->notify_socket, err);
    if (r == 0)
        r = nook_hooks_keep_config(run->spec, run->bundle, run->dir->fd, err);
    if (r == 0)
        r = nook_network_prepare(run->spec, run->dir, &run->network, err);
    if (r == 0)
        r = prepare_cgroup(run, err);
    if (r < 0)
        return r;
    r = spawn_init(run, userns, err);
    if (r < 0)
        return r;

    r = nook_state_set_init(&run->state, run->pid, err);
    if (r == 0)
        r = nook_state_save(run->dir, &run->state, err);
    if (r == 0 && opts->pid_file)
        r = nook_pid_file_write(opts->pid_file, run->pid, err);
    /* Last, so that create pays for the helper's start alone: its setup
     * goes on while create returns, and the init waits for its ready line
     * at the exec barrier (network.h). */
    if (r == 0)
        r = nook_network_start(run->network, run->dir, run->pid, run->pidfd, err);
    return r;
}

int nook_container_create(const struct nook_create_opts *opts, struct nook_created *created,
                          struct nook_error *err)
{
    struct create_run run = {
        .opts = opts,
        .fifo_fd = -1,
        .sync_fds = { -1, -1 },
        .pidfd = -1,
        .console_socket = -1,
        .console_fd = -1,
        .cgroup = { .clone_into_fd = -1 },
    };
    for (int i = 0; i < NOOK_NS_COUNT; i++)
        run.ns_fds[i] = -1;
    int r = create_steps(&run, err);
    if (r < 0 && run.dir)
        nook_overlay_explain_failure(run.dir->fd, err);
    if (created)
        created->console_fd = -1;
    if (r == 0 && created) {
        created->pid = run.pid;
        created->pidfd = steal_fd(&run.pidfd);
        created->console_fd = steal_fd(&run.console_fd);
    }
    create_cleanup(&run, r < 0);
    return r;
}
