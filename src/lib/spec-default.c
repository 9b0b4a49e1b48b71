/* spec-default.c: build the default config.json of `nook spec` (runc's
 * example shape, and its rootless variant) and write it into a bundle. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "json-glib-text.h"
#include "build-info.h"
#include "config.h"
#include "seccomp-default.h"
#include "spec-default.h"

struct default_mount {
    const char *destination;
    const char *type;
    const char *source;
    const char *const *options;  /* NULL-terminated; NULL for none */
};

#define STRV(...) ((const char *const[]){ __VA_ARGS__, NULL })

static const struct default_mount default_mounts[] = {
    { "/proc", "proc", "proc", NULL },
    { "/dev", "tmpfs", "tmpfs", STRV("nosuid", "strictatime", "mode=755", "size=65536k") },
    { "/dev/pts", "devpts", "devpts",
      STRV("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5") },
    { "/dev/shm", "tmpfs", "shm", STRV("nosuid", "noexec", "nodev", "mode=1777", "size=65536k") },
    { "/dev/mqueue", "mqueue", "mqueue", STRV("nosuid", "noexec", "nodev") },
    { "/sys", "sysfs", "sysfs", STRV("nosuid", "noexec", "nodev", "ro") },
    { "/sys/fs/cgroup", "cgroup", "cgroup", STRV("nosuid", "noexec", "nodev", "relatime", "ro") },
};

/* A fresh sysfs can only be mounted by a user namespace that owns the
 * network namespace; the rootless shape keeps the host's network
 * namespace, so it sees the host's /sys through a read-only bind instead. */
static const struct default_mount rootless_sys_mount = {
    "/sys", "none", "/sys", STRV("rbind", "nosuid", "noexec", "nodev", "ro"),
};

static const char *const default_capabilities[] = {
    "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL,
};

static const char *const default_env[] = {
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "TERM=xterm",
    NULL,
};

/* runc's list, plus powercap (RAPL energy counters are a side channel,
 * CVE-2020-8694), which docker, podman and Kubernetes mask too. */
static const char *const default_masked_paths[] = {
    "/proc/acpi",          "/proc/asound",      "/proc/kcore",       "/proc/keys",
    "/proc/latency_stats", "/proc/timer_list",  "/proc/timer_stats", "/proc/sched_debug",
    "/sys/firmware",       "/proc/scsi",        "/sys/devices/virtual/powercap",
    NULL,
};

static const char *const default_readonly_paths[] = {
    "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};

static void add_string(JsonBuilder *b, const char *name, const char *value)
{
    json_builder_set_member_name(b, name);
    json_builder_add_string_value(b, value);
}

static void add_bool(JsonBuilder *b, const char *name, bool value)
{
    json_builder_set_member_name(b, name);
    json_builder_add_boolean_value(b, value);
}

static void add_int(JsonBuilder *b, const char *name, gint64 value)
{
    json_builder_set_member_name(b, name);
    json_builder_add_int_value(b, value);
}

static void add_string_array(JsonBuilder *b, const char *name, const char *const *values)
{
    json_builder_set_member_name(b, name);
    json_builder_begin_array(b);
    for (const char *const *v = values; v && *v; v++)
        json_builder_add_string_value(b, *v);
    json_builder_end_array(b);
}

static void add_process(JsonBuilder *b)
{
    json_builder_set_member_name(b, "process");
    json_builder_begin_object(b);
    add_bool(b, "terminal", true);
    json_builder_set_member_name(b, "user");
    json_builder_begin_object(b);
    add_int(b, "uid", 0);
    add_int(b, "gid", 0);
    json_builder_end_object(b);
    add_string_array(b, "args", STRV("sh"));
    add_string_array(b, "env", default_env);
    add_string(b, "cwd", "/");

    json_builder_set_member_name(b, "capabilities");
    json_builder_begin_object(b);
    add_string_array(b, "bounding", default_capabilities);
    add_string_array(b, "effective", default_capabilities);
    add_string_array(b, "permitted", default_capabilities);
    json_builder_end_object(b);

    json_builder_set_member_name(b, "rlimits");
    json_builder_begin_array(b);
    json_builder_begin_object(b);
    add_string(b, "type", "RLIMIT_NOFILE");
    add_int(b, "hard", 1024);
    add_int(b, "soft", 1024);
    json_builder_end_object(b);
    json_builder_end_array(b);

    add_bool(b, "noNewPrivileges", true);
    json_builder_end_object(b);
}

/* The rootless shape drops uid=/gid= mount options: the fallback id map
 * (container 0 to the caller, nothing else) leaves gid 5 unmapped, and
 * devpts refuses an unmapped gid. */
static bool option_kept(const char *option, bool rootless)
{
    return !rootless || (strncmp(option, "uid=", 4) != 0 && strncmp(option, "gid=", 4) != 0);
}

static void add_mount(JsonBuilder *b, const struct default_mount *m, bool rootless)
{
    json_builder_begin_object(b);
    add_string(b, "destination", m->destination);
    add_string(b, "type", m->type);
    add_string(b, "source", m->source);
    if (m->options) {
        json_builder_set_member_name(b, "options");
        json_builder_begin_array(b);
        for (const char *const *o = m->options; *o; o++)
            if (option_kept(*o, rootless))
                json_builder_add_string_value(b, *o);
        json_builder_end_array(b);
    }
    json_builder_end_object(b);
}

static void add_mounts(JsonBuilder *b, const struct nook_spec_default_opts *opts)
{
    bool rootless = opts->rootless;
    json_builder_set_member_name(b, "mounts");
    json_builder_begin_array(b);
    for (size_t i = 0; i < N_ELEMENTS(default_mounts); i++) {
        const struct default_mount *m = &default_mounts[i];
        /* With a network namespace of its own, owned by its user
         * namespace, the container may mount a sysfs of its own. */
        if (rootless && !opts->network && strcmp(m->destination, "/sys") == 0)
            m = &rootless_sys_mount;
        add_mount(b, m, rootless);
    }
    json_builder_end_array(b);
}

static void add_namespaces(JsonBuilder *b, const struct nook_spec_default_opts *opts)
{
    /* Rootless: no network namespace, as runc does: a new one would hold
     * only a loopback device, and the caller could not wire it to the
     * host. A user namespace is added WITHOUT uidMappings/gidMappings on
     * purpose: at create time nook maps container 0 to the caller and
     * 1..N to the caller's subordinate ranges (or says why it cannot), so
     * the same config.json works for any user on any host. */
    static const char *const root_namespaces[] = { "pid", "network", "ipc", "uts", "mount",
                                                   "cgroup", NULL };
    static const char *const rootless_namespaces[] = { "pid", "ipc", "uts", "mount", "cgroup",
                                                       "user", NULL };
    /* With a network of nook's, which wires the new namespace to the
     * host (network.h). */
    static const char *const rootless_network_namespaces[] = { "pid", "network", "ipc", "uts",
                                                               "mount", "cgroup", "user", NULL };
    const char *const *list = !opts->rootless ? root_namespaces
                              : opts->network ? rootless_network_namespaces
                                              : rootless_namespaces;
    json_builder_set_member_name(b, "namespaces");
    json_builder_begin_array(b);
    for (const char *const *ns = list; *ns; ns++) {
        json_builder_begin_object(b);
        add_string(b, "type", *ns);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
}

/* The allow-list of seccomp-default.c, for the architectures this build
 * runs on (and their 32-bit companions). A build without libseccomp
 * writes none: it could not apply it. */
static void add_seccomp(JsonBuilder *b)
{
#if HAVE_SECCOMP
#if defined(__x86_64__)
    static const char *const archs[] = { "SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32", NULL };
#elif defined(__aarch64__)
    static const char *const archs[] = { "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM", NULL };
#else
    static const char *const archs[] = { NULL };
#endif
    json_builder_set_member_name(b, "seccomp");
    json_builder_begin_object(b);
    add_string(b, "defaultAction", "SCMP_ACT_ERRNO");
    add_int(b, "defaultErrnoRet", EPERM);
    if (archs[0])
        add_string_array(b, "architectures", archs);
    json_builder_set_member_name(b, "syscalls");
    json_builder_begin_array(b);

    json_builder_begin_object(b);
    add_string_array(b, "names", nook_seccomp_default_allowed);
    add_string(b, "action", "SCMP_ACT_ALLOW");
    json_builder_end_object(b);

    for (unsigned i = 0; i < nook_seccomp_default_n_personalities; i++) {
        static const char *const personality[] = { "personality", NULL };
        json_builder_begin_object(b);
        add_string_array(b, "names", personality);
        add_string(b, "action", "SCMP_ACT_ALLOW");
        json_builder_set_member_name(b, "args");
        json_builder_begin_array(b);
        json_builder_begin_object(b);
        add_int(b, "index", 0);
        add_int(b, "value", (gint64)nook_seccomp_default_personalities[i]);
        add_string(b, "op", "SCMP_CMP_EQ");
        json_builder_end_object(b);
        json_builder_end_array(b);
        json_builder_end_object(b);
    }

    static const char *const clone[] = { "clone", NULL };
    json_builder_begin_object(b);
    add_string_array(b, "names", clone);
    add_string(b, "action", "SCMP_ACT_ALLOW");
    json_builder_set_member_name(b, "args");
    json_builder_begin_array(b);
    json_builder_begin_object(b);
    add_int(b, "index", 0);
    add_int(b, "value", (gint64)nook_seccomp_default_clone_ns_mask);
    add_int(b, "valueTwo", 0);
    add_string(b, "op", "SCMP_CMP_MASKED_EQ");
    json_builder_end_object(b);
    json_builder_end_array(b);
    json_builder_end_object(b);

    /* clone3 passes its flags in memory the filter cannot read: ENOSYS
     * makes the C library fall back to clone. */
    static const char *const clone3[] = { "clone3", NULL };
    json_builder_begin_object(b);
    add_string_array(b, "names", clone3);
    add_string(b, "action", "SCMP_ACT_ERRNO");
    add_int(b, "errnoRet", ENOSYS);
    json_builder_end_object(b);

    json_builder_end_array(b);
    json_builder_end_object(b);
#else
    (void)b;
#endif
}

static void add_linux(JsonBuilder *b, const struct nook_spec_default_opts *opts)
{
    bool rootless = opts->rootless;
    json_builder_set_member_name(b, "linux");
    json_builder_begin_object(b);
    /* An unprivileged caller cannot own a device controller (cgroup v2
     * device rules are BPF programs that need CAP_SYS_ADMIN on the host),
     * so the rootless shape has no resources at all, as runc's. */
    if (!rootless) {
        json_builder_set_member_name(b, "resources");
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "devices");
        json_builder_begin_array(b);
        json_builder_begin_object(b);
        add_bool(b, "allow", false);
        add_string(b, "access", "rwm");
        json_builder_end_object(b);
        json_builder_end_array(b);
        json_builder_end_object(b);
    }
    add_namespaces(b, opts);
    add_string_array(b, "maskedPaths", default_masked_paths);
    add_string_array(b, "readonlyPaths", default_readonly_paths);
    add_seccomp(b);
    json_builder_end_object(b);
}

/* Where runc's Spec has them: after mounts (and hooks), before linux. */
static void add_annotations(JsonBuilder *b, const struct nook_spec_default_opts *opts)
{
    if (!opts->network)
        return;
    json_builder_set_member_name(b, "annotations");
    json_builder_begin_object(b);
    add_string(b, "nook.network", opts->network);
    json_builder_end_object(b);
}

JsonNode *nook_spec_default_build(bool rootless)
{
    return nook_spec_default_build_opts(&(struct nook_spec_default_opts){ .rootless = rootless });
}

JsonNode *nook_spec_default_build_opts(const struct nook_spec_default_opts *opts)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    add_string(b, "ociVersion", nook_spec_version());
    add_process(b);
    json_builder_set_member_name(b, "root");
    json_builder_begin_object(b);
    add_string(b, "path", "rootfs");
    add_bool(b, "readonly", true);
    json_builder_end_object(b);
    add_string(b, "hostname", "nook");
    add_mounts(b, opts);
    add_annotations(b, opts);
    add_linux(b, opts);
    json_builder_end_object(b);
    return json_builder_get_root(b);
}

char *nook_spec_default_text(bool rootless)
{
    return nook_spec_default_text_opts(&(struct nook_spec_default_opts){ .rootless = rootless });
}

char *nook_spec_default_text_opts(const struct nook_spec_default_opts *opts)
{
    g_autoptr(JsonNode) root = nook_spec_default_build_opts(opts);
    /* Tabs, as `runc spec` indents. */
    return nook_json_pretty_text(root, 1, '\t');
}

static int write_all(int fd, const char *data, size_t length)
{
    while (length > 0) {
        ssize_t n = write(fd, data, length);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        data += n;
        length -= (size_t)n;
    }
    return 0;
}

int nook_spec_default_write(const char *dir, bool rootless, struct nook_error *err)
{
    return nook_spec_default_write_opts(dir, &(struct nook_spec_default_opts){ .rootless = rootless },
                                        err);
}

int nook_spec_default_write_opts(const char *dir, const struct nook_spec_default_opts *opts,
                                 struct nook_error *err)
{
    _cleanup_free_ char *text = nook_spec_default_text_opts(opts);
    if (!text)
        return nook_error_set(err, ENOMEM, "out of memory");

    _cleanup_close_ int dir_fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd < 0) {
        int e = errno;
        if (e == ENOENT)
            return nook_error_set(err, e, "bundle directory \"%s\" does not exist; create it first",
                                  dir);
        if (e == ENOTDIR)
            return nook_error_set(err, e, "bundle directory \"%s\" is not a directory", dir);
        return nook_error_set_errno(err, e, "open bundle directory \"%s\"", dir);
    }

    /* O_EXCL also refuses a symlink named config.json, dangling or not, so
     * nothing outside the bundle can be written through it. */
    _cleanup_close_ int fd =
        openat(dir_fd, "config.json", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd < 0) {
        int e = errno;
        if (e == EEXIST)
            return nook_error_set(err, e, "config.json already exists in \"%s\"; remove it first",
                                  dir);
        return nook_error_set_errno(err, e, "create config.json in \"%s\"", dir);
    }

    int r = write_all(fd, text, strlen(text));
    if (r == 0 && close(steal_fd(&fd)) < 0)
        r = -errno;
    if (r < 0) {
        /* Leave nothing half-written behind. */
        if (unlinkat(dir_fd, "config.json", 0) < 0)
            return nook_error_set(err, -r,
                                  "write config.json in \"%s\": %s; remove the partial file "
                                  "(unlink failed: %s)",
                                  dir, strerror(-r), strerror(errno));
        return nook_error_set_errno(err, -r, "write config.json in \"%s\"", dir);
    }
    return 0;
}
