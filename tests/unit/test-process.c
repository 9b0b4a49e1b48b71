/* test-process.c: the init core's process setup (init/process.c) and
 * system setup (init/system.c).
 *
 * Resolution and the environment are checked in this process against the
 * host's own files. The setup itself runs in a forked child that unshares
 * a user namespace and becomes its root, as the container's init is: with
 * a single mapping it writes itself (works as root and as any user), or
 * with a 65536-id mapping the parent writes (root only). The child reports
 * /proc/self/status and friends through a pipe; its warnings come through
 * the sync socket as the real init's do. */
#include <fcntl.h>
#include <inttypes.h>
#include <linux/keyctl.h>
#include <pwd.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/init/init.h"
#include "lib/init/process.h"
#include "lib/init/sync.h"
#include "lib/init/system.h"
#include "lib/spec.h"
#include "tap.h"

#define BIT(n) (UINT64_C(1) << (n))
#define CAP_CHOWN_BIT BIT(0)
#define CAP_KILL_BIT BIT(5)
#define CAP_NET_BIND_SERVICE_BIT BIT(10)

/* The real nook_init_log lives in init.c with the rest of the init core;
 * this test links only the rooms it tests, so it brings the same few
 * lines: a log line goes to the parent over the sync socket. */
void nook_init_log(const struct nook_init_ctx *ctx, int level, const char *fmt, ...)
{
    char text[NOOK_ERROR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    (void)nook_sync_send(ctx->sync_fd, NOOK_SYNC_LOG, level, text);
}

static void tap_skip(struct tap *t, const char *what, const char *why)
{
    t->count++;
    printf("ok %d - %s # SKIP %s\n", t->count, what, why);
}

/* --- building specs ------------------------------------------------------- */

/* A config.json with the given process object, extra top-level members
 * (each followed by a comma) and linux object. */
static struct nook_spec *spec_from(const char *top, const char *process, const char *linux_json)
{
    char *text = NULL;
    if (asprintf(&text, "{\"ociVersion\": \"1.2.0\", \"root\": {\"path\": \"rootfs\"}, %s "
                 "\"process\": %s, \"linux\": %s}", top, process, linux_json) < 0)
        return NULL;
    struct nook_spec *spec = NULL;
    struct nook_error err = { 0 };
    if (nook_spec_parse(text, strlen(text), "config.json", &spec, &err) < 0)
        printf("# spec does not parse: %s\n#   %s\n", err.message, text);
    free(text);
    return spec;
}

static struct nook_init_ctx ctx_for(const struct nook_spec *spec)
{
    struct nook_init_ctx ctx = {
        .spec = spec,
        .process = spec->process,
        .rootfs = "/",
        .bundle = "/",
        .userns = true,
        .sync_fd = -1,
        .fifo_fd = -1,
        .proc_fd_dir = -1,
    };
    for (int i = 0; i < NOOK_NS_COUNT; i++)
        ctx.ns_fds[i] = -1;
    return ctx;
}

/* --- running a child in a user namespace -------------------------------------- */

enum mapping {
    MAP_SINGLE,  /* container 0 → the caller, written by the child itself */
    MAP_WIDE,    /* container 0..65535 → host 0..65535, written by the (root) parent */
};

struct child_result {
    bool exited_ok;
    char out[32768];  /* what the child wrote to the pipe */
    char logs[4096];  /* its log lines, "W: text\n" or "D: text\n" */
};

typedef void (*child_fn)(const struct nook_init_ctx *ctx, FILE *out);

static int write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    ssize_t n = write(fd, text, strlen(text));
    int saved = errno;
    close(fd);
    return n == (ssize_t)strlen(text) ? 0 : -(n < 0 ? saved : EIO);
}

static void read_all(int fd, char *buf, size_t size)
{
    size_t used = 0;
    ssize_t n;
    while (used < size - 1 && ((n = read(fd, buf + used, size - 1 - used)) > 0 ||
                               (n < 0 && errno == EINTR)))
        if (n > 0)
            used += (size_t)n;
    buf[used] = '\0';
}

static _Noreturn void child_main(enum mapping maps, int extra_ns, struct nook_init_ctx ctx,
                                 child_fn fn, int out_fd, int ready_fd, int go_fd)
{
    FILE *out = fdopen(out_fd, "w");
    if (!out)
        _exit(2);
    uid_t uid = geteuid();
    gid_t gid = getegid();
    if (unshare(CLONE_NEWUSER | extra_ns) < 0) {
        fprintf(out, "ERR unshare: %s\n", strerror(errno));
        fclose(out);
        _exit(1);
    }
    if (maps == MAP_SINGLE) {
        char line[64];
        snprintf(line, sizeof(line), "0 %u 1\n", uid);
        int r = write_file("/proc/self/setgroups", "deny");
        if (r == 0)
            r = write_file("/proc/self/uid_map", line);
        snprintf(line, sizeof(line), "0 %u 1\n", gid);
        if (r == 0)
            r = write_file("/proc/self/gid_map", line);
        if (r < 0) {
            fprintf(out, "ERR write own maps: %s\n", strerror(-r));
            fclose(out);
            _exit(1);
        }
    } else {
        char c = 'r';
        if (write(ready_fd, &c, 1) != 1 || read(go_fd, &c, 1) != 1 || c != 'g') {
            fprintf(out, "ERR the parent did not write the maps\n");
            fclose(out);
            _exit(1);
        }
    }
    fn(&ctx, out);
    fclose(out);
    _exit(0);
}

static bool write_wide_maps(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)pid);
    if (write_file(path, "0 0 65536\n") < 0)
        return false;
    snprintf(path, sizeof(path), "/proc/%d/gid_map", (int)pid);
    return write_file(path, "0 0 65536\n") == 0;
}

static void collect_logs(int fd, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    struct nook_sync_msg msg;
    while (nook_sync_recv(fd, &msg) == 0 && msg.type == NOOK_SYNC_LOG) {
        int n = snprintf(buf + used, size - used, "%s: %s\n",
                         msg.errnum == NOOK_SYNC_LEVEL_WARNING ? "W" : "D", msg.text);
        if (n < 0 || (size_t)n >= size - used)
            break;
        used += (size_t)n;
    }
}

static void run_child(enum mapping maps, int extra_ns, const struct nook_init_ctx *base,
                      child_fn fn, struct child_result *res)
{
    memset(res, 0, sizeof(*res));
    int out[2], ready[2], go[2], sync_fds[2];
    if (pipe2(out, O_CLOEXEC) < 0 || pipe2(ready, O_CLOEXEC) < 0 || pipe2(go, O_CLOEXEC) < 0 ||
        nook_sync_pair(sync_fds, NULL) < 0) {
        snprintf(res->out, sizeof(res->out), "ERR pipes: %s", strerror(errno));
        return;
    }
    struct nook_init_ctx ctx = *base;
    ctx.sync_fd = sync_fds[1];
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        close(out[0]);
        close(ready[0]);
        close(go[1]);
        close(sync_fds[0]);
        child_main(maps, extra_ns, ctx, fn, out[1], ready[1], go[0]);
    }
    close(out[1]);
    close(ready[1]);
    close(go[0]);
    close(sync_fds[1]);
    if (maps == MAP_WIDE) {
        char c;
        if (read(ready[0], &c, 1) == 1) {
            c = write_wide_maps(pid) ? 'g' : 'x';
            if (write(go[1], &c, 1) != 1)
                c = 'x';
        }
    }
    close(ready[0]);
    close(go[1]);
    read_all(out[0], res->out, sizeof(res->out));
    close(out[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    collect_logs(sync_fds[0], res->logs, sizeof(res->logs));
    close(sync_fds[0]);
    res->exited_ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* --- what the child reports ------------------------------------------------------- */

static void report_file(FILE *out, const char *label, const char *path)
{
    char buf[16384];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        fprintf(out, "%s: (unreadable: %s)\n", label, strerror(errno));
        return;
    }
    read_all(fd, buf, sizeof(buf));
    close(fd);
    fprintf(out, "%s:\n%s", label, buf);
}

static void report_state(FILE *out)
{
    report_file(out, "status", "/proc/self/status");
    struct rlimit nofile;
    if (getrlimit(RLIMIT_NOFILE, &nofile) == 0)
        fprintf(out, "nofile %llu %llu\n", (unsigned long long)nofile.rlim_cur,
                (unsigned long long)nofile.rlim_max);
    char oom[32] = "";
    int fd = open("/proc/self/oom_score_adj", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        read_all(fd, oom, sizeof(oom));
        close(fd);
    }
    fprintf(out, "oom %s", oom);
    fprintf(out, "personality 0x%x\n", personality(0xffffffff) & 0xff);
    char cwd[4096];
    fprintf(out, "cwd %s\n", getcwd(cwd, sizeof(cwd)) ? cwd : "?");
    char desc[512];
    long n = syscall(SYS_keyctl, KEYCTL_DESCRIBE, KEY_SPEC_SESSION_KEYRING, desc, sizeof(desc), 0);
    fprintf(out, "session %s\n", n > 0 ? desc : "?");
    long serial = syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0, 0, 0);
    fprintf(out, "session-id %ld\n", serial);
}

static void do_setup(const struct nook_init_ctx *ctx, FILE *out)
{
    struct nook_error err = { 0 };
    if (nook_process_setup(ctx, &err) < 0) {
        fprintf(out, "ERR %s\n", err.message);
        return;
    }
    fprintf(out, "OK\n");
    report_state(out);
}

static void do_system(const struct nook_init_ctx *ctx, FILE *out)
{
    struct nook_error err = { 0 };
    if (nook_system_setup(ctx, &err) < 0) {
        fprintf(out, "ERR %s\n", err.message);
        return;
    }
    fprintf(out, "OK\n");
    char name[256];
    if (gethostname(name, sizeof(name)) == 0)
        fprintf(out, "hostname %s\n", name);
    if (getdomainname(name, sizeof(name)) == 0)
        fprintf(out, "domainname %s\n", name);
    report_file(out, "shmmax", "/proc/sys/kernel/shmmax");
    report_file(out, "ip_forward", "/proc/sys/net/ipv4/ip_forward");
}

/* The hex mask after "Field:" in a /proc/self/status dump. */
static uint64_t status_mask(const char *report, const char *field)
{
    const char *line = strstr(report, field);
    return line ? strtoull(line + strlen(field), NULL, 16) : UINT64_MAX;
}

/* The rest of the line after "Field:\t", trimmed, into buf. */
static const char *status_line(const char *report, const char *field, char *buf, size_t size)
{
    buf[0] = '\0';
    const char *line = strstr(report, field);
    if (!line)
        return buf;
    line += strlen(field);
    line += strspn(line, " \t");
    size_t len = strcspn(line, "\n");
    while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t'))
        len--;
    snprintf(buf, size, "%.*s", (int)len, line);
    return buf;
}

static bool child_ok(struct tap *t, const struct child_result *res, const char *what)
{
    bool ok = res->exited_ok && strncmp(res->out, "OK\n", 3) == 0;
    if (!CHECK(t, ok, what))
        printf("# child said: %.400s\n# logs: %s\n", res->out, res->logs);
    return ok;
}

static void check_child_error(struct tap *t, const struct child_result *res, const char *want,
                              const char *what)
{
    const char *line = strncmp(res->out, "ERR ", 4) == 0 ? res->out + 4 : NULL;
    if (!CHECK(t, line && strstr(line, want), what))
        printf("#   got:  %.400s\n#   want: ERR ...%s...\n", res->out, want);
}

/* --- resolve ------------------------------------------------------------------------- */

static int resolve(const char *process_json, char **path, struct nook_error *err)
{
    _cleanup_(nook_spec_freep) struct nook_spec *spec =
        spec_from("", process_json, "{\"namespaces\": [{\"type\": \"mount\"}]}");
    if (!spec)
        return -EINVAL;
    struct nook_init_ctx ctx = ctx_for(spec);
    return nook_process_resolve(&ctx, path, err);
}

static void check_resolves(struct tap *t, const char *process_json, const char *want,
                           const char *what)
{
    _cleanup_free_ char *path = NULL;
    struct nook_error err = { 0 };
    int r = resolve(process_json, &path, &err);
    if (!CHECK(t, r == 0 && path && strcmp(path, want) == 0, what))
        printf("#   got:  %s (%s)\n#   want: %s\n", path ? path : "(null)", err.message, want);
}

static void check_refuses(struct tap *t, const char *process_json, int want_errno,
                          const char *want, const char *what)
{
    _cleanup_free_ char *path = NULL;
    struct nook_error err = { 0 };
    int r = resolve(process_json, &path, &err);
    if (!CHECK(t, r == -want_errno && strcmp(err.message, want) == 0 && !path, what))
        printf("#   got:  %d \"%s\"\n#   want: %d \"%s\"\n", r, err.message, -want_errno, want);
}

static void test_resolve(struct tap *t)
{
    /* What "sh" is on this host, through the same PATH the test gives. */
    char sh[64] = "";
    static const char *const dirs[] = { "/usr/local/sbin", "/usr/local/bin", "/usr/sbin",
                                        "/usr/bin", "/sbin", "/bin" };
    for (size_t i = 0; i < N_ELEMENTS(dirs) && !sh[0]; i++) {
        char candidate[64];
        snprintf(candidate, sizeof(candidate), "%s/sh", dirs[i]);
        if (access(candidate, X_OK) == 0)
            snprintf(sh, sizeof(sh), "%s", candidate);
    }
    check_resolves(t, "{\"args\": [\"sh\"], \"cwd\": \"/\"}", sh,
                   "without PATH in env, args[0] is searched in the default PATH");
    check_resolves(t, "{\"args\": [\"sh\"], \"cwd\": \"/\", "
                   "\"env\": [\"PATH=/nonexistent:/bin\"]}", "/bin/sh",
                   "args[0] is searched in process.env's PATH, skipping missing directories");
    check_resolves(t, "{\"args\": [\"/bin/sh\", \"-c\", \"true\"], \"cwd\": \"/\"}", "/bin/sh",
                   "an absolute args[0] is taken as it is");
    check_resolves(t, "{\"args\": [\"./sh\"], \"cwd\": \"/bin\"}", "/bin/sh",
                   "a relative args[0] with a slash is relative to process.cwd");
    check_resolves(t, "{\"args\": [\"sh\"], \"cwd\": \"/bin\", \"env\": [\"PATH=\"]}", "/bin/sh",
                   "an empty PATH entry means process.cwd");
    check_refuses(t, "{\"args\": [\"nook-no-such-program\"], \"cwd\": \"/\"}", ENOENT,
                  "exec: \"nook-no-such-program\": executable file not found in $PATH",
                  "a program not in PATH is runc's error");
    check_refuses(t, "{\"args\": [\"sh\"], \"cwd\": \"/\", \"env\": [\"PATH=/nonexistent\"]}",
                  ENOENT, "exec: \"sh\": executable file not found in $PATH",
                  "only process.env's PATH is searched");
    check_refuses(t, "{\"args\": [\"/nope/prog\"], \"cwd\": \"/\"}", ENOENT,
                  "exec: \"/nope/prog\": No such file or directory",
                  "a missing absolute program is named");
    check_refuses(t, "{\"args\": [\"/etc/passwd\"], \"cwd\": \"/\"}", EACCES,
                  "exec: \"/etc/passwd\": is not executable (no x permission bit): Permission denied",
                  "a file without x bits is refused");
    check_refuses(t, "{\"args\": [\"/bin\"], \"cwd\": \"/\"}", EACCES,
                  "exec: \"/bin\": is a directory: Permission denied", "a directory is refused");
    check_refuses(t, "{\"args\": [\"/dev/null\"], \"cwd\": \"/\"}", EACCES,
                  "exec: \"/dev/null\": is not a regular file: Permission denied", "a device is refused");
    check_refuses(t, "{\"args\": [\"sh\"], \"cwd\": \"/nope\"}", ENOENT,
                  "process.cwd \"/nope\": No such file or directory", "a missing cwd is named");
    check_refuses(t, "{\"args\": [\"sh\"], \"cwd\": \"/etc/passwd\"}", ENOTDIR,
                  "process.cwd \"/etc/passwd\": Not a directory", "a cwd that is a file is named");

    /* A PATH whose first match is not executable: the next one wins; with
     * no other, the error names the file that was found. */
    char dir[] = "/tmp/nook-test-process-XXXXXX";
    if (!CHECK(t, mkdtemp(dir) != NULL, "make a scratch directory"))
        return;
    char plain[128], bin[128], plain_tool[160], bin_tool[160];
    snprintf(plain, sizeof(plain), "%s/plain", dir);
    snprintf(bin, sizeof(bin), "%s/bin", dir);
    snprintf(plain_tool, sizeof(plain_tool), "%s/tool", plain);
    snprintf(bin_tool, sizeof(bin_tool), "%s/tool", bin);
    bool made = mkdir(plain, 0755) == 0 && mkdir(bin, 0755) == 0;
    int fd = made ? open(plain_tool, O_WRONLY | O_CREAT | O_CLOEXEC, 0644) : -1;
    made = made && fd >= 0 && close(fd) == 0;
    fd = made ? open(bin_tool, O_WRONLY | O_CREAT | O_CLOEXEC, 0755) : -1;
    made = made && fd >= 0 && close(fd) == 0 && chmod(bin_tool, 0755) == 0;
    if (CHECK(t, made, "make a plain and an executable \"tool\"")) {
        char json[512], want[512];
        snprintf(json, sizeof(json), "{\"args\": [\"tool\"], \"cwd\": \"/\", "
                 "\"env\": [\"PATH=%s:%s\"]}", plain, bin);
        check_resolves(t, json, bin_tool, "a non-executable match is skipped for a later one");
        snprintf(json, sizeof(json), "{\"args\": [\"tool\"], \"cwd\": \"/\", "
                 "\"env\": [\"PATH=%s\"]}", plain);
        snprintf(want, sizeof(want), "exec: \"tool\": %s is not executable, and no other match "
                 "in $PATH is: Permission denied", plain_tool);
        check_refuses(t, json, EACCES, want, "a lone non-executable match is named");
    }
    unlink(plain_tool);
    unlink(bin_tool);
    rmdir(plain);
    rmdir(bin);
    rmdir(dir);
}

/* --- environment ----------------------------------------------------------------------- */

static size_t strv_length(char **v)
{
    size_t n = 0;
    while (v && v[n])
        n++;
    return n;
}

static char **environ_for(const char *process_json)
{
    _cleanup_(nook_spec_freep) struct nook_spec *spec =
        spec_from("", process_json, "{\"namespaces\": [{\"type\": \"mount\"}]}");
    if (!spec)
        return NULL;
    struct nook_init_ctx ctx = ctx_for(spec);
    return nook_process_environ(&ctx);
}

static void test_environ(struct tap *t)
{
    struct passwd *root = getpwuid(0);
    char root_home[512];
    snprintf(root_home, sizeof(root_home), "HOME=%s", root && root->pw_dir[0] ? root->pw_dir : "/");

    _cleanup_strv_ char **env = environ_for("{\"args\": [\"sh\"], \"cwd\": \"/\", "
                                            "\"env\": [\"A=1\", \"B=x=y\"]}");
    if (CHECK(t, env && strv_length(env) == 4, "process.env plus PATH and HOME")) {
        CHECK_STR(t, env[0], "A=1", "process.env comes first, in order");
        CHECK_STR(t, env[1], "B=x=y", "values keep their = signs");
        CHECK_STR(t, env[2], "PATH=" NOOK_DEFAULT_PATH, "a missing PATH gets the default");
        CHECK_STR(t, env[3], root_home, "a missing HOME comes from /etc/passwd for uid 0");
    }

    _cleanup_strv_ char **given = environ_for("{\"args\": [\"sh\"], \"cwd\": \"/\", "
                                              "\"env\": [\"HOME=/work\", \"PATH=/opt/bin\"]}");
    CHECK(t, given && strv_length(given) == 2 && strcmp(given[0], "HOME=/work") == 0 &&
                 strcmp(given[1], "PATH=/opt/bin") == 0,
          "a given HOME and PATH are kept and nothing is added");

    if (getpwuid(4242)) {
        tap_skip(t, "a uid without a passwd entry gets HOME=/", "uid 4242 exists here");
    } else {
        _cleanup_strv_ char **nobody = environ_for(
            "{\"args\": [\"sh\"], \"cwd\": \"/\", \"user\": {\"uid\": 4242, \"gid\": 4242}}");
        CHECK(t, nobody && strv_length(nobody) == 2 && strcmp(nobody[1], "HOME=/") == 0,
              "a uid without a passwd entry gets HOME=/");
    }

    _cleanup_strv_ char **empty = environ_for("{\"args\": [\"sh\"], \"cwd\": \"/\", \"env\": []}");
    CHECK(t, empty && strv_length(empty) == 2, "an empty env gets PATH and HOME only");
}

/* --- the setup in a user namespace --------------------------------------------------------- */

#define LINUX_DEFAULT "{\"namespaces\": [{\"type\": \"mount\"}, {\"type\": \"user\"}]}"

static void setup_child(enum mapping maps, const char *process_json, const char *linux_json,
                        const char *id, bool no_new_keyring, struct child_result *res)
{
    memset(res, 0, sizeof(*res));
    _cleanup_(nook_spec_freep) struct nook_spec *spec =
        spec_from("", process_json, linux_json ? linux_json : LINUX_DEFAULT);
    if (!spec) {
        snprintf(res->out, sizeof(res->out), "ERR the test's spec does not parse");
        return;
    }
    struct nook_init_ctx ctx = ctx_for(spec);
    ctx.id = id;
    ctx.no_new_keyring = no_new_keyring;
    run_child(maps, 0, &ctx, do_setup, res);
}

static void test_setup_everything(struct tap *t)
{
    struct child_result res;
    char id[64];
    snprintf(id, sizeof(id), "unit-%d", (int)getpid());
    setup_child(MAP_SINGLE,
                "{\"args\": [\"sh\"], \"cwd\": \"/usr\", "
                "\"user\": {\"uid\": 0, \"gid\": 0, \"umask\": 23},"
                "\"capabilities\": {"
                "  \"bounding\": [\"CAP_KILL\", \"CAP_CHOWN\", \"CAP_NET_BIND_SERVICE\", \"CAP_BOGUS\"],"
                "  \"effective\": [\"CAP_KILL\", \"CAP_CHOWN\"],"
                "  \"permitted\": [\"CAP_KILL\", \"CAP_CHOWN\", \"CAP_NET_BIND_SERVICE\"],"
                "  \"inheritable\": [\"CAP_NET_BIND_SERVICE\"],"
                "  \"ambient\": [\"CAP_NET_BIND_SERVICE\", \"CAP_BOGUS\"]},"
                "\"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 100, \"hard\": 200}],"
                "\"oomScoreAdj\": 500, \"noNewPrivileges\": true}",
                "{\"namespaces\": [{\"type\": \"user\"}], \"personality\": {\"domain\": \"LINUX32\"}}",
                id, false, &res);
    if (!child_ok(t, &res, "setup succeeds in a single-mapping user namespace"))
        return;
    const char *r = res.out;
    char line[256];
    CHECK(t, status_mask(r, "CapBnd:") == (CAP_KILL_BIT | CAP_CHOWN_BIT | CAP_NET_BIND_SERVICE_BIT),
          "CapBnd is exactly the bounding list");
    CHECK(t, status_mask(r, "CapEff:") == (CAP_KILL_BIT | CAP_CHOWN_BIT), "CapEff is the effective list");
    CHECK(t, status_mask(r, "CapPrm:") == (CAP_KILL_BIT | CAP_CHOWN_BIT | CAP_NET_BIND_SERVICE_BIT),
          "CapPrm is the permitted list");
    CHECK(t, status_mask(r, "CapInh:") == CAP_NET_BIND_SERVICE_BIT, "CapInh is the inheritable list");
    CHECK(t, status_mask(r, "CapAmb:") == CAP_NET_BIND_SERVICE_BIT, "CapAmb is the ambient list");
    CHECK_STR(t, status_line(r, "NoNewPrivs:", line, sizeof(line)), "1", "no_new_privs is set");
    CHECK_STR(t, status_line(r, "Umask:", line, sizeof(line)), "0027", "umask is 0027 (23)");
    CHECK(t, strstr(r, "\nnofile 100 200\n") != NULL, "RLIMIT_NOFILE is soft 100, hard 200");
    CHECK(t, strstr(r, "\noom 500\n") != NULL, "oom_score_adj is 500");
    CHECK(t, strstr(r, "\npersonality 0x8\n") != NULL, "the personality is PER_LINUX32");
    CHECK(t, strstr(r, "\ncwd /usr\n") != NULL, "the working directory is process.cwd");
    char want[128];
    snprintf(want, sizeof(want), ";_ses.%s\n", id);
    CHECK(t, strstr(r, want) != NULL, "the session keyring is _ses.<id>");
    CHECK(t, strstr(res.logs, "W: process.capabilities: ignoring CAP_BOGUS (unknown)\n") != NULL,
          "an unknown capability is one warning naming it once");
    size_t warnings = 0;
    for (const char *w = res.logs; (w = strstr(w, "W: ")); w += 3)
        warnings++;
    if (!CHECK(t, warnings == 1, "there is no other warning"))
        printf("# logs: %s\n", res.logs);
}

static void test_setup_defaults(struct tap *t)
{
    struct child_result res;
    long parent_session = syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0, 0, 0);
    setup_child(MAP_SINGLE, "{\"args\": [\"sh\"], \"cwd\": \"/\"}", NULL, NULL, true, &res);
    if (!child_ok(t, &res, "setup succeeds with a minimal process"))
        return;
    char line[256];
    CHECK(t, status_mask(res.out, "CapBnd:") == 0, "no capabilities object: the bounding set is empty");
    CHECK(t, status_mask(res.out, "CapEff:") == 0 && status_mask(res.out, "CapPrm:") == 0,
          "no capabilities object: no effective or permitted capability");
    CHECK_STR(t, status_line(res.out, "NoNewPrivs:", line, sizeof(line)), "0",
              "no_new_privs is left off");
    CHECK_STR(t, status_line(res.out, "Umask:", line, sizeof(line)), "0022", "the default umask is 0022");
    CHECK_STR(t, status_line(res.out, "Uid:", line, sizeof(line)), "0\t0\t0\t0", "uid is 0");
    char want[64];
    snprintf(want, sizeof(want), "\nsession-id %ld\n", parent_session);
    CHECK(t, strstr(res.out, want) != NULL, "--no-new-keyring keeps the caller's session keyring");
    CHECK(t, res.logs[0] == '\0', "no warnings");
}

static int write_new_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    ssize_t n = write(fd, text, strlen(text));
    close(fd);
    return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* Keep a handle on the real /proc/self/fd, as the init core does, then
 * cover /proc with a tmpfs whose files lie: a setgroups that allows, a
 * cap_last_cap of 5. The setup must read the truth through the handle. */
static void do_setup_lying_proc(const struct nook_init_ctx *base, FILE *out)
{
    struct nook_init_ctx ctx = *base;
    ctx.proc_fd_dir = open("/proc/self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (ctx.proc_fd_dir < 0 || unshare(CLONE_NEWNS) < 0 ||
        mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
        mount("tmpfs", "/proc", "tmpfs", 0, "mode=0755") < 0 || mkdir("/proc/self", 0755) < 0 ||
        mkdir("/proc/sys", 0755) < 0 || mkdir("/proc/sys/kernel", 0755) < 0 ||
        write_new_file("/proc/self/setgroups", "allow\n") < 0 ||
        write_new_file("/proc/self/oom_score_adj", "0\n") < 0 ||
        write_new_file("/proc/sys/kernel/cap_last_cap", "5\n") < 0) {
        fprintf(out, "ERR make the lying /proc: %s\n", strerror(errno));
        return;
    }
    struct nook_error err = { 0 };
    if (nook_process_setup(&ctx, &err) < 0) {
        fprintf(out, "ERR %s\n", err.message);
        return;
    }
    fprintf(out, "OK\n");
    char buf[16384];
    int fd = openat(ctx.proc_fd_dir, "../status", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        read_all(fd, buf, sizeof(buf));
        close(fd);
        fprintf(out, "status:\n%s", buf);
    }
    fd = openat(ctx.proc_fd_dir, "../oom_score_adj", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        read_all(fd, buf, sizeof(buf));
        close(fd);
        fprintf(out, "oom %s", buf);
    }
}

static void test_setup_lying_proc(struct tap *t)
{
    _cleanup_(nook_spec_freep) struct nook_spec *spec = spec_from(
        "", "{\"args\": [\"sh\"], \"cwd\": \"/\", \"oomScoreAdj\": 300, "
        "\"capabilities\": {\"bounding\": [\"CAP_KILL\"]}}", LINUX_DEFAULT);
    if (!CHECK(t, spec != NULL, "the lying-/proc spec parses"))
        return;
    struct nook_init_ctx ctx = ctx_for(spec);
    ctx.no_new_keyring = true;
    struct child_result res;
    run_child(MAP_SINGLE, 0, &ctx, do_setup_lying_proc, &res);
    if (!child_ok(t, &res, "setup under a lying /proc uses the host's /proc through the handle"))
        return;
    CHECK(t, status_mask(res.out, "CapBnd:") == CAP_KILL_BIT,
          "a cap_last_cap the kernel does not confirm is not trusted");
    CHECK(t, strstr(res.out, "\noom 300\n") != NULL, "oom_score_adj is written through the handle");
}

static void test_setup_errors(struct tap *t)
{
    struct child_result res;
    setup_child(MAP_SINGLE, "{\"args\": [\"sh\"], \"cwd\": \"/\", "
                "\"user\": {\"uid\": 0, \"gid\": 0, \"additionalGids\": [5, 7]}}", NULL, NULL, true,
                &res);
    check_child_error(t, &res, "process.user.additionalGids [5, 7]: setgroups is denied in this "
                      "user namespace", "additionalGids with setgroups denied is an error naming them");

    setup_child(MAP_SINGLE, "{\"args\": [\"sh\"], \"cwd\": \"/\", \"user\": {\"uid\": 1000, \"gid\": 0}}",
                NULL, NULL, true, &res);
    check_child_error(t, &res, "setresuid 1000: Invalid argument (uid 1000 is not mapped in the "
                      "container's user namespace)", "an unmapped uid is named");

    setup_child(MAP_SINGLE, "{\"args\": [\"sh\"], \"cwd\": \"/\", \"user\": {\"uid\": 0, \"gid\": 1000}}",
                NULL, NULL, true, &res);
    check_child_error(t, &res, "setresgid 1000: Invalid argument (gid 1000 is not mapped in the "
                      "container's user namespace)", "an unmapped gid is named");

    struct rlimit nofile;
    if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_max != RLIM_INFINITY) {
        char json[256], want[256];
        unsigned long long hard = (unsigned long long)nofile.rlim_max + 1;
        snprintf(json, sizeof(json), "{\"args\": [\"sh\"], \"cwd\": \"/\", \"rlimits\": "
                 "[{\"type\": \"RLIMIT_NOFILE\", \"soft\": 64, \"hard\": %llu}]}", hard);
        setup_child(MAP_SINGLE, json, NULL, NULL, true, &res);
        snprintf(want, sizeof(want), "setrlimit RLIMIT_NOFILE (soft 64, hard %llu): Operation not "
                 "permitted (the hard limit here is %llu;", hard, hard - 1);
        check_child_error(t, &res, want, "raising a hard rlimit in a user namespace names the limit");
    } else {
        tap_skip(t, "raising a hard rlimit in a user namespace names the limit",
                 "RLIMIT_NOFILE is unlimited here");
    }

    char oom[32] = "";
    int fd = open("/proc/self/oom_score_adj", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        read_all(fd, oom, sizeof(oom));
        close(fd);
    }
    if (atoi(oom) > -1000) {
        setup_child(MAP_SINGLE, "{\"args\": [\"sh\"], \"cwd\": \"/\", \"oomScoreAdj\": -1000}", NULL,
                    NULL, true, &res);
        check_child_error(t, &res, "process.oomScoreAdj -1000: write /proc/self/oom_score_adj: "
                          "Permission denied (the current value is",
                          "lowering oomScoreAdj without privilege names the value");
    } else {
        tap_skip(t, "lowering oomScoreAdj without privilege names the value",
                 "oom_score_adj is -1000 already");
    }

    setup_child(MAP_SINGLE, "{\"args\": [\"sh\"], \"cwd\": \"/\", \"capabilities\": {"
                "\"bounding\": [\"CAP_KILL\", \"CAP_CHOWN\"], \"effective\": [\"CAP_KILL\", \"CAP_CHOWN\"],"
                "\"permitted\": [\"CAP_KILL\"]}}", NULL, NULL, true, &res);
    check_child_error(t, &res, "process.capabilities: effective CAP_CHOWN not in permitted: capset: "
                      "Operation not permitted", "effective beyond permitted names the capability");

    setup_child(MAP_SINGLE, "{\"args\": [\"sh\"], \"cwd\": \"/\", \"capabilities\": {"
                "\"bounding\": [\"CAP_KILL\"], \"inheritable\": [\"CAP_CHOWN\"]}}", NULL, NULL, true, &res);
    check_child_error(t, &res, "process.capabilities: inheritable CAP_CHOWN not in bounding",
                      "inheritable beyond bounding names the capability");

    /* runc only warns about ambient capabilities it cannot raise. */
    setup_child(MAP_SINGLE, "{\"args\": [\"sh\"], \"cwd\": \"/\", \"capabilities\": {"
                "\"bounding\": [\"CAP_KILL\"], \"permitted\": [\"CAP_KILL\"], \"ambient\": [\"CAP_KILL\"]}}",
                NULL, NULL, true, &res);
    if (child_ok(t, &res, "an ambient capability that is not inheritable is not an error")) {
        CHECK(t, strstr(res.logs, "W: process.capabilities.ambient: raise CAP_KILL into the ambient "
                        "set: Operation not permitted (it must be in permitted and inheritable too)"),
              "it is a warning naming the capability");
        CHECK(t, status_mask(res.out, "CapAmb:") == 0, "and the ambient set stays empty");
    }
}

static void test_setup_wide(struct tap *t)
{
    const char *what = "setup with a 65536-id mapping: user, groups, ambient";
    if (geteuid() != 0) {
        tap_skip(t, what, "writing a wide mapping needs root");
        return;
    }
    struct child_result res;
    setup_child(MAP_WIDE,
                "{\"args\": [\"sh\"], \"cwd\": \"/\", "
                "\"user\": {\"uid\": 1000, \"gid\": 1001, \"additionalGids\": [10, 20]},"
                "\"capabilities\": {"
                "  \"bounding\": [\"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"],"
                "  \"effective\": [\"CAP_KILL\"],"
                "  \"permitted\": [\"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"],"
                "  \"inheritable\": [\"CAP_NET_BIND_SERVICE\"],"
                "  \"ambient\": [\"CAP_NET_BIND_SERVICE\"]},"
                "\"noNewPrivileges\": true}",
                NULL, "wide", false, &res);
    if (!child_ok(t, &res, what))
        return;
    char line[256];
    CHECK_STR(t, status_line(res.out, "Uid:", line, sizeof(line)), "1000\t1000\t1000\t1000",
              "real, effective, saved and fs uid are 1000");
    CHECK_STR(t, status_line(res.out, "Gid:", line, sizeof(line)), "1001\t1001\t1001\t1001",
              "real, effective, saved and fs gid are 1001");
    CHECK_STR(t, status_line(res.out, "Groups:", line, sizeof(line)), "10 20",
              "the supplementary groups are additionalGids");
    CHECK(t, status_mask(res.out, "CapEff:") == CAP_KILL_BIT,
          "a non-root user keeps its effective capabilities across the switch");
    CHECK(t, status_mask(res.out, "CapPrm:") == (CAP_KILL_BIT | CAP_NET_BIND_SERVICE_BIT),
          "and its permitted ones");
    CHECK(t, status_mask(res.out, "CapAmb:") == CAP_NET_BIND_SERVICE_BIT, "and gets the ambient one");
    CHECK(t, status_mask(res.out, "CapBnd:") == (CAP_KILL_BIT | CAP_NET_BIND_SERVICE_BIT),
          "the bounding set was cut before the switch");
    CHECK(t, strstr(res.out, ";_ses.wide\n") != NULL, "the keyring is named after the id");

    setup_child(MAP_WIDE, "{\"args\": [\"sh\"], \"cwd\": \"/\", "
                "\"user\": {\"uid\": 0, \"gid\": 0, \"additionalGids\": [70000]}}", NULL, NULL, true, &res);
    check_child_error(t, &res, "setgroups [70000]: gid 70000 is not mapped in the container's user "
                      "namespace: Invalid argument", "an unmapped additional gid is named");

    /* A directory only its owner may enter. Its group is not mapped, so
     * the namespace's root has no override on it: the first chdir fails
     * and the one after the user switch must succeed. */
    char dir[] = "/tmp/nook-test-cwd-XXXXXX";
    if (mkdtemp(dir) && chown(dir, 1000, 70000) == 0 && chmod(dir, 0700) == 0) {
        char json[256], want[300];
        snprintf(json, sizeof(json), "{\"args\": [\"sh\"], \"cwd\": \"%s\", "
                 "\"user\": {\"uid\": 1000, \"gid\": 1000}}", dir);
        setup_child(MAP_WIDE, json, NULL, NULL, true, &res);
        snprintf(want, sizeof(want), "\ncwd %s\n", dir);
        CHECK(t, child_ok(t, &res, "a cwd only the user may enter") && strstr(res.out, want),
              "the working directory is entered as the user");
        snprintf(json, sizeof(json), "{\"args\": [\"sh\"], \"cwd\": \"%s\", "
                 "\"user\": {\"uid\": 1001, \"gid\": 1001}}", dir);
        setup_child(MAP_WIDE, json, NULL, NULL, true, &res);
        snprintf(want, sizeof(want), "process.cwd \"%s\": chdir as uid 1001: Permission denied", dir);
        check_child_error(t, &res, want, "a cwd the user may not enter is an error naming it");
    } else {
        tap_skip(t, "a cwd only the user may enter", "cannot make the directory");
    }
    rmdir(dir);
}

/* --- system: hostname, domainname, sysctl -------------------------------------------------------- */

static void check_sysctl_path(struct tap *t, const char *key, int want_r, const char *want,
                              const char *what)
{
    _cleanup_free_ char *path = NULL;
    int r = nook_sysctl_path(key, &path);
    if (!CHECK(t, r == want_r && (want ? path && strcmp(path, want) == 0 : !path), what))
        printf("#   got: %d %s\n", r, path ? path : "(null)");
}

static void check_sysctl(struct tap *t, const struct nook_spec *spec, const char *key,
                         const char *want, const char *what)
{
    struct nook_error err = { 0 };
    int r = nook_sysctl_check(spec, key, &err);
    bool ok = want ? r < 0 && strcmp(err.message, want) == 0 : r == 0;
    if (!CHECK(t, ok, what))
        printf("#   got:  %d \"%s\"\n#   want: \"%s\"\n", r, err.message, want ? want : "(ok)");
}

static void test_sysctl_rules(struct tap *t)
{
    check_sysctl_path(t, "net.ipv4.ip_forward", 0, "/proc/sys/net/ipv4/ip_forward",
                      "dots become slashes");
    check_sysctl_path(t, "net/ipv4/conf/eth0.100/forwarding", 0,
                      "/proc/sys/net/ipv4/conf/eth0.100/forwarding", "a slashed key keeps its dots");
    check_sysctl_path(t, "", -EINVAL, NULL, "an empty key is invalid");
    check_sysctl_path(t, "net..ipv4", -EINVAL, NULL, "an empty component is invalid");
    check_sysctl_path(t, ".net", -EINVAL, NULL, "a leading dot is invalid");
    check_sysctl_path(t, "net/../../etc/x", -EINVAL, NULL, "a .. component is invalid");

    _cleanup_(nook_spec_freep) struct nook_spec *bare =
        spec_from("", "{\"args\": [\"sh\"], \"cwd\": \"/\"}", "{\"namespaces\": [{\"type\": \"mount\"}]}");
    _cleanup_(nook_spec_freep) struct nook_spec *all = spec_from(
        "", "{\"args\": [\"sh\"], \"cwd\": \"/\"}",
        "{\"namespaces\": [{\"type\": \"ipc\"}, {\"type\": \"network\"}, {\"type\": \"uts\"}]}");
    if (!CHECK(t, bare && all, "the sysctl specs parse"))
        return;
    check_sysctl(t, all, "kernel.shmmax", NULL, "kernel.shmmax is allowed with an IPC namespace");
    check_sysctl(t, all, "fs.mqueue.msg_max", NULL, "fs.mqueue.* is allowed with an IPC namespace");
    check_sysctl(t, all, "net.ipv4.ip_forward", NULL, "net.* is allowed with a network namespace");
    check_sysctl(t, all, "net/ipv4/ip_forward", NULL, "a slashed net key is allowed too");
    check_sysctl(t, all, "kernel.domainname", NULL, "kernel.domainname is allowed with a UTS namespace");
    check_sysctl(t, bare, "kernel.shmmax",
                 "linux.sysctl \"kernel.shmmax\": the container shares the host's IPC namespace; "
                 "add {\"type\": \"ipc\"} to linux.namespaces",
                 "kernel.shmmax without an IPC namespace is refused");
    check_sysctl(t, bare, "net.ipv4.ip_forward",
                 "linux.sysctl \"net.ipv4.ip_forward\": the container shares the host's network "
                 "namespace; add {\"type\": \"network\"} to linux.namespaces",
                 "net.* without a network namespace is refused");
    check_sysctl(t, bare, "kernel.domainname",
                 "linux.sysctl \"kernel.domainname\": the container shares the host's UTS "
                 "namespace; add {\"type\": \"uts\"} to linux.namespaces",
                 "kernel.domainname without a UTS namespace is refused");
    check_sysctl(t, all, "kernel.hostname",
                 "linux.sysctl \"kernel.hostname\": set the hostname with the \"hostname\" field "
                 "of config.json instead", "kernel.hostname is refused for the hostname field");
    check_sysctl(t, all, "vm.swappiness",
                 "linux.sysctl \"vm.swappiness\": not in a namespace of the container's own: "
                 "setting it would change the host", "a host-wide sysctl is refused");
    check_sysctl(t, all, "net..x",
                 "linux.sysctl \"net..x\": not a sysctl key (expected dotted names like "
                 "\"net.ipv4.ip_forward\")", "a malformed key is refused");
}

static void system_child(const char *top, const char *linux_json, struct child_result *res)
{
    _cleanup_(nook_spec_freep) struct nook_spec *spec =
        spec_from(top, "{\"args\": [\"sh\"], \"cwd\": \"/\"}", linux_json);
    if (!spec) {
        snprintf(res->out, sizeof(res->out), "ERR the test's spec does not parse");
        return;
    }
    struct nook_init_ctx ctx = ctx_for(spec);
    run_child(MAP_SINGLE, CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET, &ctx, do_system, res);
}

static void test_system_setup(struct tap *t)
{
    struct child_result res;
    system_child("\"hostname\": \"nook-unit\", \"domainname\": \"nook.example\",",
                 "{\"namespaces\": [{\"type\": \"user\"}, {\"type\": \"uts\"}, {\"type\": \"ipc\"}, "
                 "{\"type\": \"network\"}], \"sysctl\": {\"kernel.shmmax\": \"123456\", "
                 "\"net.ipv4.ip_forward\": \"1\"}}", &res);
    if (child_ok(t, &res, "hostname, domainname and sysctls are set")) {
        CHECK(t, strstr(res.out, "\nhostname nook-unit\n") != NULL, "the hostname is set");
        CHECK(t, strstr(res.out, "\ndomainname nook.example\n") != NULL, "the domainname is set");
        CHECK(t, strstr(res.out, "\nshmmax:\n123456\n") != NULL, "kernel.shmmax is written");
        CHECK(t, strstr(res.out, "\nip_forward:\n1\n") != NULL, "net.ipv4.ip_forward is written");
    }

    system_child("", "{\"namespaces\": [{\"type\": \"user\"}, {\"type\": \"network\"}], "
                 "\"sysctl\": {\"net.ipv4.nook_no_such_key\": \"1\"}}", &res);
    check_child_error(t, &res, "linux.sysctl \"net.ipv4.nook_no_such_key\": this kernel has no such "
                      "sysctl (/proc/sys/net/ipv4/nook_no_such_key does not exist)",
                      "a sysctl the kernel lacks is named");

    system_child("", "{\"namespaces\": [{\"type\": \"user\"}, {\"type\": \"network\"}], "
                 "\"sysctl\": {\"net.ipv4.ip_forward\": \"banana\"}}", &res);
    check_child_error(t, &res, "linux.sysctl \"net.ipv4.ip_forward\": write \"banana\" to "
                      "/proc/sys/net/ipv4/ip_forward: Invalid argument", "a bad value is named");

    system_child("", "{\"namespaces\": [{\"type\": \"user\"}], \"sysctl\": {\"kernel.sem\": \"1 2 3 4\"}}",
                 &res);
    check_child_error(t, &res, "linux.sysctl \"kernel.sem\": the container shares the host's IPC "
                      "namespace", "the namespace rule is applied during setup too");

    /* The parser refuses a hostname without a UTS namespace; an exec'd
     * process's config could still bring one, so setup checks again. */
    _cleanup_(nook_spec_freep) struct nook_spec *spec =
        spec_from("", "{\"args\": [\"sh\"], \"cwd\": \"/\"}", "{\"namespaces\": [{\"type\": \"user\"}]}");
    if (CHECK(t, spec != NULL, "a spec without UTS parses")) {
        spec->hostname = strdup("sneaky");
        struct nook_init_ctx ctx = ctx_for(spec);
        run_child(MAP_SINGLE, 0, &ctx, do_system, &res);
        check_child_error(t, &res, "hostname \"sneaky\": setting a hostname needs a UTS namespace "
                          "of the container's own", "a hostname without a UTS namespace is refused");
    }
}

int main(void)
{
    struct tap t = { 0 };
    test_resolve(&t);
    test_environ(&t);
    test_setup_everything(&t);
    test_setup_defaults(&t);
    test_setup_errors(&t);
    test_setup_lying_proc(&t);
    test_setup_wide(&t);
    test_sysctl_rules(&t);
    test_system_setup(&t);
    return tap_done(&t);
}
