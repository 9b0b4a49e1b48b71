/* hostcheck.c: the list of `nook check`'s checks and what they share:
 * running one by id, filling its result, reading sysctls and texts,
 * naming the install command of this distribution, and the trial runner
 * that does the real thing (a user namespace, a mount) in a forked child
 * and brings back what failed with its errno. */
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <time.h>

#include "hostcheck-internal.h"

/* The checks in the order they run, and (same order) their functions. */
static const struct nook_check_info check_infos[] = {
    { "userns.sysctl", "the kernel allows unprivileged user namespaces (user.max_user_namespaces, kernel.unprivileged_userns_clone)" },
    { "userns.apparmor", "AppArmor does not take capabilities away in unprivileged user namespaces (kernel.apparmor_restrict_unprivileged_userns)" },
    { "userns.trial", "a user namespace can really be created and its id map written" },
    { "subid.uid", "the user has subordinate uids (/etc/subuid or libsubid), not shared with another user" },
    { "subid.gid", "the user has subordinate gids (/etc/subgid or libsubid), not shared with another user" },
    { "newuidmap.setuid", "newuidmap and newgidmap are installed with the privilege they need, and really write a map" },
    { "runtime-dir", "XDG_RUNTIME_DIR is set, a directory of the user's own, mode 0700" },
    { "cgroup.v2", "a cgroup v2 hierarchy is mounted (unified, or hybrid at /sys/fs/cgroup/unified)" },
    { "cgroup.delegation", "a cgroup v2 subtree the user may create cgroups in (or the systemd user manager's)" },
    { "cgroup.controllers", "the controllers delegated to the user: memory, pids, cpu, io" },
    { "systemd.user-bus", "the user's D-Bus session bus is there and a systemd user manager on it" },
    { "fuse.device", "/dev/fuse exists and the user can open it (fuse-overlayfs)" },
    { "overlay.kernel", "the kernel mounts an overlay (userxattr) in a user namespace" },
    { "fuse-overlayfs.binary", "fuse-overlayfs is installed, for when the kernel's overlay cannot be used" },
    { "net.tun", "/dev/net/tun exists and the user can open it (slirp networking)" },
    { "net.slirp", "the nook-slirp network helper is installed beside nook" },
    { "net.ping", "net.ipv4.ping_group_range lets the user's group ping" },
    { "net.low-ports", "net.ipv4.ip_unprivileged_port_start: which host ports can be forwarded" },
    { "nested.proc", "a fresh proc can be mounted (not inside a container with a masked /proc)" },
};

static const hostcheck_fn check_fns[] = {
    hostcheck_userns_sysctl,
    hostcheck_userns_apparmor,
    hostcheck_userns_trial,
    hostcheck_subid_uid,
    hostcheck_subid_gid,
    hostcheck_newuidmap,
    hostcheck_runtime_dir,
    hostcheck_cgroup_v2,
    hostcheck_cgroup_delegation,
    hostcheck_cgroup_controllers,
    hostcheck_user_bus,
    hostcheck_fuse_device,
    hostcheck_overlay_kernel,
    hostcheck_fuse_overlayfs,
    hostcheck_net_tun,
    hostcheck_net_slirp,
    hostcheck_net_ping,
    hostcheck_net_low_ports,
    hostcheck_nested_proc,
};

_Static_assert(N_ELEMENTS(check_infos) == N_ELEMENTS(check_fns), "one function per check");

const struct nook_check_info *nook_check_list(size_t *count)
{
    *count = N_ELEMENTS(check_infos);
    return check_infos;
}

const char *nook_check_status_name(enum nook_check_status status)
{
    switch (status) {
    case NOOK_CHECK_OK:
        return "ok";
    case NOOK_CHECK_WARN:
        return "warn";
    case NOOK_CHECK_FAIL:
        return "fail";
    }
    return "fail";
}

bool nook_check_selects(const char *selector, const char *id)
{
    if (strcmp(selector, id) == 0)
        return true;
    const char *dot = strchr(id, '.');
    size_t area = dot ? (size_t)(dot - id) : strlen(id);
    return strlen(selector) == area && strncmp(selector, id, area) == 0;
}

void nook_check_result_clear(struct nook_check_result *result)
{
    free(result->found);
    free(result->file);
    free(result->value);
    free(result->fix);
    free(result->impact);
    memset(result, 0, sizeof(*result));
}

int nook_check_context_new(const struct nook_check_params *params, struct nook_check_context **out)
{
    struct nook_check_context *ctx = calloc(1, sizeof(*ctx));
    if (!ctx)
        return -ENOMEM;
    ctx->params = params;
    ctx->proc_sys = str_or(params->proc_sys, "/proc/sys");
    ctx->subuid_file = str_or(params->subuid_file, NOOK_SUBUID_FILE);
    ctx->subgid_file = str_or(params->subgid_file, NOOK_SUBGID_FILE);
    ctx->os_release = str_or(params->os_release, "/etc/os-release");
    ctx->mountinfo = str_or(params->mountinfo, "/proc/self/mountinfo");
    ctx->dev_dir = str_or(params->dev_dir, "/dev");
    *out = ctx;
    return 0;
}

void nook_check_context_free(struct nook_check_context *ctx)
{
    free(ctx->os_release_text);
    free(ctx);
}

int nook_check_run(struct nook_check_context *ctx, const char *id, struct nook_check_result *out)
{
    memset(out, 0, sizeof(*out));
    for (size_t i = 0; i < N_ELEMENTS(check_infos); i++) {
        if (strcmp(check_infos[i].id, id) != 0)
            continue;
        out->id = check_infos[i].id;
        ctx->out_of_memory = false;
        check_fns[i](ctx, out);
        if (ctx->out_of_memory) {
            nook_check_result_clear(out);
            return -ENOMEM;
        }
        /* Only a problem gets a fix and an impact. */
        if (out->status == NOOK_CHECK_OK) {
            free(steal_pointer(&out->fix));
            free(steal_pointer(&out->impact));
        }
        return 0;
    }
    return -ENOENT;
}

/* ---- filling a result ---- */

void hostcheck_status(struct nook_check_result *r, enum nook_check_status status)
{
    r->status = status;
}

_printf_(1, 0) static char *vformat(const char *fmt, va_list ap)
{
    char *text = NULL;
    return vasprintf(&text, fmt, ap) < 0 ? NULL : text;
}

void hostcheck_found(struct nook_check_context *ctx, struct nook_check_result *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *text = vformat(fmt, ap);
    va_end(ap);
    if (!text) {
        ctx->out_of_memory = true;
        return;
    }
    free(r->found);
    r->found = text;
}

/* Append a line to *field ("a\nb"). */
static void append_line(struct nook_check_context *ctx, char **field, char *line)
{
    if (!line) {
        ctx->out_of_memory = true;
        return;
    }
    if (!*field) {
        *field = line;
        return;
    }
    char *joined = NULL;
    if (asprintf(&joined, "%s\n%s", *field, line) < 0) {
        free(line);
        ctx->out_of_memory = true;
        return;
    }
    free(line);
    free(*field);
    *field = joined;
}

void hostcheck_fix(struct nook_check_context *ctx, struct nook_check_result *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *line = vformat(fmt, ap);
    va_end(ap);
    append_line(ctx, &r->fix, line);
}

void hostcheck_impact(struct nook_check_context *ctx, struct nook_check_result *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *text = vformat(fmt, ap);
    va_end(ap);
    if (!text) {
        ctx->out_of_memory = true;
        return;
    }
    free(r->impact);
    r->impact = text;
}

static void set_copy(struct nook_check_context *ctx, char **field, const char *text)
{
    char *copy = text ? strdup(text) : NULL;
    if (text && !copy) {
        ctx->out_of_memory = true;
        return;
    }
    free(*field);
    *field = copy;
}

void hostcheck_file(struct nook_check_context *ctx, struct nook_check_result *r, const char *file)
{
    set_copy(ctx, &r->file, file);
}

void hostcheck_value(struct nook_check_context *ctx, struct nook_check_result *r, const char *value)
{
    set_copy(ctx, &r->value, value);
}

/* ---- small facts ---- */

const char *hostcheck_errno_name(int errnum, char *buf, size_t size)
{
    const char *name = strerrorname_np(errnum);
    if (name)
        return name;
    snprintf(buf, size, "errno %d", errnum);
    return buf;
}

void hostcheck_strip_see(char *message)
{
    char *see = strstr(message, " (see: nook check ");
    if (see)
        *see = '\0';
}

const char *hostcheck_user(const struct nook_check_context *ctx, char *buf, size_t size)
{
    if (ctx->params->user && *ctx->params->user)
        return ctx->params->user;
    snprintf(buf, size, "%u", (unsigned)ctx->params->uid);
    return buf;
}

char *hostcheck_read_text(const char *path)
{
    _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    size_t size = 4096, len = 0;
    _cleanup_free_ char *buf = malloc(size);
    if (!buf)
        return NULL;
    for (;;) {
        if (len + 1 >= size) {
            if (size >= 1024 * 1024) {
                errno = EFBIG;
                return NULL;
            }
            char *bigger = realloc(buf, size * 2);
            if (!bigger)
                return NULL;
            buf = bigger;
            size *= 2;
        }
        ssize_t n = read(fd, buf + len, size - len - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return NULL;
        if (n == 0)
            break;
        len += (size_t)n;
    }
    buf[len] = '\0';
    return steal_pointer(&buf);
}

int nook_check_sysctl_read(const char *proc_sys, const char *name, char **value, char **file)
{
    *value = NULL;
    if (file)
        *file = NULL;
    _cleanup_free_ char *path = NULL;
    if (asprintf(&path, "%s/%s", proc_sys ? proc_sys : "/proc/sys", name) < 0)
        return -ENOMEM;
    /* Dots separate the levels: "net.ipv4.ping_group_range". */
    for (char *p = path + strlen(proc_sys ? proc_sys : "/proc/sys") + 1; *p; p++)
        if (*p == '.')
            *p = '/';
    char *text = hostcheck_read_text(path);
    if (!text)
        return errno ? -errno : -EIO;
    size_t len = strlen(text);
    while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == ' '))
        text[--len] = '\0';
    *value = text;
    if (file)
        *file = steal_pointer(&path);
    return 0;
}

int hostcheck_sysctl(struct nook_check_context *ctx, const char *name, long long *value,
                     char **text, char **file)
{
    _cleanup_free_ char *raw = NULL;
    int r = nook_check_sysctl_read(ctx->proc_sys, name, &raw, file);
    if (r == -ENOMEM)
        ctx->out_of_memory = true;
    if (r < 0)
        return r;
    char *end = NULL;
    errno = 0;
    long long v = strtoll(raw, &end, 10);
    if (errno || end == raw || *end) {
        if (text)
            *text = steal_pointer(&raw);
        return -EINVAL;
    }
    *value = v;
    if (text)
        *text = steal_pointer(&raw);
    return 0;
}

/* The value of KEY= in an os-release text, unquoted, in buf. */
static const char *os_release_field(const char *text, const char *key, char *buf, size_t size)
{
    size_t klen = strlen(key);
    for (const char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        if (strncmp(line, key, klen) != 0 || line[klen] != '=')
            continue;
        const char *v = line + klen + 1;
        size_t n = strcspn(v, "\n");
        if (n > 0 && (v[0] == '"' || v[0] == '\'')) {
            v++;
            n = n >= 2 ? n - 2 : 0;
        }
        if (n >= size)
            n = size - 1;
        memcpy(buf, v, n);
        buf[n] = '\0';
        return buf;
    }
    return NULL;
}

static bool word_in(const char *list, const char *word)
{
    size_t wlen = strlen(word);
    for (const char *p = list; p && *p;) {
        p += strspn(p, " ");
        size_t len = strcspn(p, " ");
        if (len == wlen && strncmp(p, word, len) == 0)
            return true;
        p += len;
    }
    return false;
}

char *nook_check_install_command(const char *os_release_text, const struct nook_check_packages *pkg)
{
    char id[128] = "", like[256] = "";
    if (os_release_text) {
        os_release_field(os_release_text, "ID", id, sizeof(id));
        os_release_field(os_release_text, "ID_LIKE", like, sizeof(like));
    }
    char both[400];
    snprintf(both, sizeof(both), "%s %s", id, like);
    char *out = NULL;
    int n;
    if (pkg->debian && (word_in(both, "debian") || word_in(both, "ubuntu")))
        n = asprintf(&out, "sudo apt-get install %s", pkg->debian);
    else if (pkg->fedora && (word_in(both, "fedora") || word_in(both, "rhel") || word_in(both, "centos")))
        n = asprintf(&out, "sudo dnf install %s", pkg->fedora);
    else if (pkg->suse && (word_in(both, "suse") || word_in(both, "opensuse")))
        n = asprintf(&out, "sudo zypper install %s", pkg->suse);
    else if (pkg->arch && word_in(both, "arch"))
        n = asprintf(&out, "sudo pacman -S %s", pkg->arch);
    else if (pkg->alpine && word_in(both, "alpine"))
        n = asprintf(&out, "sudo apk add %s", pkg->alpine);
    else
        n = asprintf(&out, "install it with your package manager (Debian, Ubuntu: `sudo apt-get install %s`; Fedora: `sudo dnf install %s`)",
                     str_or(pkg->debian, "?"), str_or(pkg->fedora, "?"));
    return n < 0 ? NULL : out;
}

char *hostcheck_install(struct nook_check_context *ctx, const struct nook_check_packages *pkg)
{
    if (!ctx->os_release_read) {
        ctx->os_release_text = hostcheck_read_text(ctx->os_release);
        ctx->os_release_read = true;
    }
    char *command = nook_check_install_command(ctx->os_release_text, pkg);
    if (!command)
        ctx->out_of_memory = true;
    return command;
}

/* ---- trials ---- */

int hostcheck_trial_fail(struct hostcheck_trial *out, int errnum, const char *fmt, ...)
{
    out->errnum = errnum > 0 ? errnum : EIO;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->step, sizeof(out->step), fmt, ap);
    va_end(ap);
    return -1;
}

static int write_proc_self(const char *name, const char *text)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/self/%s", name);
    _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    ssize_t n = write(fd, text, strlen(text));
    if (n < 0)
        return -errno;
    return (size_t)n == strlen(text) ? 0 : -EIO;
}

int hostcheck_enter_userns(uid_t uid, gid_t gid, int extra_flags, struct hostcheck_trial *out)
{
    if (unshare(CLONE_NEWUSER | extra_flags) < 0)
        return hostcheck_trial_fail(out, errno, "unshare(CLONE_NEWUSER%s)",
                                    extra_flags & CLONE_NEWNS ? " | CLONE_NEWNS" : "");
    char map[64];
    int r = write_proc_self("setgroups", "deny");
    /* Kernels before 3.19 have no setgroups file. */
    if (r < 0 && r != -ENOENT)
        return hostcheck_trial_fail(out, -r, "write \"deny\" to /proc/self/setgroups");
    snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
    if ((r = write_proc_self("uid_map", map)) < 0)
        return hostcheck_trial_fail(out, -r, "write \"%s\" to /proc/self/uid_map", map);
    snprintf(map, sizeof(map), "0 %u 1", (unsigned)gid);
    if ((r = write_proc_self("gid_map", map)) < 0)
        return hostcheck_trial_fail(out, -r, "write \"%s\" to /proc/self/gid_map", map);
    return 0;
}

int hostcheck_make_mounts_private(struct hostcheck_trial *out)
{
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        return hostcheck_trial_fail(out, errno, "make the scratch mount namespace private");
    return 0;
}

static long long monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int hostcheck_run_trial(hostcheck_trial_fn fn, void *data, int timeout_ms,
                        struct hostcheck_trial *out)
{
    memset(out, 0, sizeof(*out));
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) < 0)
        return -errno;
    _cleanup_close_ int read_end = fds[0];
    _cleanup_close_ int write_end = fds[1];
    pid_t pid = fork();
    if (pid < 0)
        return -errno;
    if (pid == 0) {
        struct hostcheck_trial report = { 0 };
        fn(data, &report);
        ssize_t n = write(write_end, &report, sizeof(report));
        _exit(n == (ssize_t)sizeof(report) ? 0 : 1);
    }
    closep(&write_end);
    write_end = -1;

    struct hostcheck_trial report = { 0 };
    size_t got = 0;
    long long deadline = monotonic_ms() + timeout_ms;
    bool timed_out = false;
    while (got < sizeof(report)) {
        long long left = deadline - monotonic_ms();
        if (left <= 0) {
            timed_out = true;
            break;
        }
        struct pollfd pfd = { .fd = read_end, .events = POLLIN };
        int p = poll(&pfd, 1, (int)left);
        if (p < 0 && errno == EINTR)
            continue;
        if (p <= 0) {
            timed_out = p == 0;
            break;
        }
        ssize_t n = read(read_end, (char *)&report + got, sizeof(report) - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    if (got < sizeof(report))
        kill(pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (got == sizeof(report)) {
        report.step[sizeof(report.step) - 1] = '\0';
        *out = report;
        return 0;
    }
    if (timed_out)
        snprintf(out->step, sizeof(out->step), "the trial did not finish within %d s",
                 timeout_ms / 1000);
    else if (WIFSIGNALED(status))
        snprintf(out->step, sizeof(out->step), "the trial's process was killed by signal %d",
                 WTERMSIG(status));
    else
        snprintf(out->step, sizeof(out->step), "the trial's process exited without a report");
    out->errnum = timed_out ? ETIMEDOUT : ECHILD;
    return 0;
}
