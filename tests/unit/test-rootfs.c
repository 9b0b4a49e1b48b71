/* test-rootfs.c: the container's file system view (src/lib/init/rootfs.c
 * and its rooms) built for real: a forked child makes its own user, mount
 * and pid namespaces, calls nook_rootfs_setup() on a small rootfs in a
 * temporary directory, then looks around from inside (stat, statfs,
 * statvfs, /proc/self/mountinfo, reads and writes) and reports each
 * finding through a pipe; the parent turns them into TAP lines.
 *
 * Modes: as root, once without a user namespace (mknod, nothing locked),
 * once in a user namespace, and once as the unprivileged test user
 * ($NOOK_TEST_USER, default nooktest) if it exists; as anyone else, only
 * as that caller in a user namespace. Option parsing is checked first,
 * without namespaces. */
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <linux/magic.h>
#include <pwd.h>
#include <sched.h>
#include <stdarg.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <sys/wait.h>

#include <glib.h>

#include "lib/init/mount-options.h"
#include "lib/init/rootfs.h"
#include "lib/init/sync.h"
#include "lib/spec.h"
#include "tap.h"

#define MQUEUE_MAGIC 0x19800202

/* init.c's log line, as it sends it: the test links only the rootfs rooms
 * of libnook, so it brings its own copy of this one function. */
void nook_init_log(const struct nook_init_ctx *ctx, int level, const char *fmt, ...)
{
    char text[NOOK_ERROR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    (void)nook_sync_send(ctx->sync_fd, NOOK_SYNC_LOG, level, text);
}

/* ---- option parsing ------------------------------------------------------ */

static void test_options(struct tap *t)
{
    char *o1[] = { "ro", "rw", "nosuid", "suid", "nodev", "noexec", "rbind", "mode=755",
                   "size=1m", "rslave", NULL };
    struct nook_mount_options opts;
    struct nook_error err = { 0 };
    CHECK(t, nook_mount_options_parse(o1, &opts, &err) == 0, "options: a mixed list parses");
    CHECK(t, !(opts.flags & MS_RDONLY) && (opts.cleared & MS_RDONLY), "options: the later rw wins over ro");
    CHECK(t, !(opts.flags & MS_NOSUID) && (opts.cleared & MS_NOSUID), "options: the later suid wins over nosuid");
    CHECK(t, (opts.flags & (MS_NODEV | MS_NOEXEC)) == (MS_NODEV | MS_NOEXEC), "options: nodev and noexec are flags");
    CHECK(t, opts.bind && opts.recursive, "options: rbind is a recursive bind");
    CHECK(t, opts.propagation == (MS_SLAVE | MS_REC), "options: rslave is MS_SLAVE|MS_REC");
    CHECK_STR(t, opts.data, "mode=755,size=1m", "options: the rest goes to data, in order");
    nook_mount_options_clear(&opts);

    char *o2[] = { "bind", "rro", "rnosuid", "rexec", "rnoatime", "rstrictatime", NULL };
    CHECK(t, nook_mount_options_parse(o2, &opts, &err) == 0, "options: recursive ones parse");
    CHECK(t, !opts.recursive && opts.bind, "options: bind is not recursive");
    CHECK(t, (opts.attr_set & (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID)) == (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID),
          "options: rro and rnosuid set MOUNT_ATTR_RDONLY and _NOSUID");
    CHECK(t, opts.attr_clr & MOUNT_ATTR_NOEXEC, "options: rexec clears MOUNT_ATTR_NOEXEC");
    CHECK(t, (opts.attr_set & MOUNT_ATTR__ATIME) == MOUNT_ATTR_STRICTATIME &&
                 (opts.attr_clr & MOUNT_ATTR__ATIME) == MOUNT_ATTR__ATIME,
          "options: the last atime mode wins and replaces the mode (clears MOUNT_ATTR__ATIME)");
    CHECK(t, opts.data == NULL && opts.flags == 0, "options: no data and no MS_ flags");
    nook_mount_options_clear(&opts);

    char *o_copyup[] = { "rw", "tmpcopyup", "mode=1777", NULL };
    CHECK(t, nook_mount_options_parse(o_copyup, &opts, &err) == 0 && opts.copy_up, "options: tmpcopyup is runc's copy-up extension");
    CHECK_STR(t, opts.data, "mode=1777", "options: tmpcopyup is not passed to the file system");
    nook_mount_options_clear(&opts);

    char *o3[] = { "rbind", "idmap", "ridmap", NULL };
    int r = nook_mount_options_parse(o3, &opts, &err);
    CHECK(t, r == 0 && opts.bind && opts.recursive && !opts.data,
          "options: idmap and ridmap are not passed to the file system (create applies them)");
    nook_mount_options_clear(&opts);

    CHECK(t, nook_mount_options_parse(NULL, &opts, &err) == 0 && opts.flags == 0 && !opts.data,
          "options: none at all");
    CHECK(t, nook_mount_propagation_flags("runbindable") == (MS_UNBINDABLE | MS_REC) &&
                 nook_mount_propagation_flags("shared") == MS_SHARED &&
                 nook_mount_propagation_flags("ro") == 0 && nook_mount_propagation_flags("") == 0,
          "options: propagation words and non-words");

    /* What `nook features` lists is exactly what the parser knows. */
    const char *const *words = nook_mount_features.lists[NOOK_FEATURE_MOUNT_OPTIONS];
    int n = 0, bad = 0;
    for (; words && words[n]; n++) {
        char *one[] = { (char *)words[n], NULL };
        if (nook_mount_options_parse(one, &opts, &err) < 0 || opts.data) {
            printf("# feature word \"%s\" is not a known option\n", words[n]);
            bad++;
        }
        nook_mount_options_clear(&opts);
    }
    CHECK(t, n == 62 && bad == 0, "options: every feature word is an option the parser knows");
}

/* ---- the scenario machinery ---------------------------------------------- */

struct mode {
    const char *name;
    bool userns;      /* the container gets a user namespace */
    bool rootless;    /* ctx->rootless: the caller is not root */
    bool switch_user; /* drop to uid/gid (root running the rootless case) */
    uid_t uid;
    gid_t gid;
};

/* The temporary tree of one mode: base/{rootfs,outside,src-dir,...}. */
struct env {
    char base[64];
    char rootfs[128];
    const struct mode *mode;
    bool premounted;  /* base/locked-src is a nosuid,nodev tmpfs from outside */
    bool host_unified; /* the host's /sys/fs/cgroup is cgroup2 */
};

/* The child's side of the report: one line per finding. */
struct probe {
    FILE *out;
    const struct env *env;
};

static _printf_(4, 5) void probe_report(struct probe *p, bool ok, int saved_errno, const char *fmt, ...)
{
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    fprintf(p->out, "%s\t%s\t%s\n", ok ? "ok" : "no", text,
            saved_errno ? strerror(saved_errno) : "-");
    fflush(p->out);
}

#define PROBE(p, cond, ...)                                                                       \
    do {                                                                                          \
        errno = 0;                                                                                \
        bool ok_ = (cond);                                                                        \
        probe_report((p), ok_, errno, __VA_ARGS__);                                               \
    } while (0)

static bool fs_is(const char *path, long magic)
{
    struct statfs s;
    return statfs(path, &s) == 0 && s.f_type == magic;
}

/* statvfs flags; ~0 when the path cannot be asked. */
static unsigned long vfs_flags(const char *path)
{
    struct statvfs s;
    return statvfs(path, &s) == 0 ? s.f_flag : ~0ul;
}

static bool has_flags(const char *path, unsigned long want)
{
    unsigned long f = vfs_flags(path);
    return f != ~0ul && (f & want) == want;
}

static bool lacks_flags(const char *path, unsigned long unwanted)
{
    unsigned long f = vfs_flags(path);
    return f != ~0ul && (f & unwanted) == 0;
}

/* The errno of creating (and removing) a file: 0 when it could. */
static int create_errno(const char *path)
{
    int fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
    if (fd < 0)
        return errno;
    close(fd);
    unlink(path);
    return 0;
}

static const char *slurp(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    ssize_t n = read(fd, buf, size - 1);
    close(fd);
    if (n < 0)
        return NULL;
    buf[n] = '\0';
    return buf;
}

static bool link_is(const char *path, const char *target)
{
    char buf[256];
    ssize_t n = readlink(path, buf, sizeof(buf) - 1);
    if (n < 0)
        return false;
    buf[n] = '\0';
    return strcmp(buf, target) == 0;
}

/* The last /proc/self/mountinfo line whose mount point is path, as
 * "<mount options> <optional fields> - <super options>"; empty when there
 * is none. */
static const char *mount_line(const char *path, char *buf, size_t size)
{
    buf[0] = '\0';
    FILE *f = fopen("/proc/self/mountinfo", "re");
    if (!f)
        return buf;
    char line[4096];
    while (fgets(line, sizeof(line), f)) {
        char *save = NULL, *mp = NULL, *opts = NULL;
        char optional[1024] = "";
        char *field = strtok_r(line, " \n", &save);
        for (int i = 0; field; i++, field = strtok_r(NULL, " \n", &save)) {
            if (i == 4)
                mp = field;
            else if (i == 5)
                opts = field;
            else if (i >= 6) {
                strncat(optional, " ", sizeof(optional) - strlen(optional) - 1);
                strncat(optional, field, sizeof(optional) - strlen(optional) - 1);
            }
        }
        if (mp && opts && strcmp(mp, path) == 0)
            snprintf(buf, size, "%s%s", opts, optional);
    }
    fclose(f);
    return buf;
}

/* How many mounts sit on path (more than one: stacked). */
static int mounts_on(const char *path)
{
    FILE *f = fopen("/proc/self/mountinfo", "re");
    if (!f)
        return -1;
    char line[4096];
    int n = 0;
    while (fgets(line, sizeof(line), f)) {
        char *save = NULL;
        char *field = strtok_r(line, " ", &save);
        for (int i = 0; field && i < 4; i++)
            field = strtok_r(NULL, " ", &save);
        n += field && strcmp(field, path) == 0;
    }
    fclose(f);
    return n;
}

static bool is_mount_point(const char *path)
{
    char buf[1024];
    return mount_line(path, buf, sizeof(buf))[0] != '\0';
}

static bool mount_has(const char *path, const char *word)
{
    char buf[1024];
    mount_line(path, buf, sizeof(buf));
    return strstr(buf, word) != NULL;
}

typedef void (*inside_fn)(struct probe *p);
typedef void (*before_fn)(const struct env *env);

struct run {
    const char *scenario;
    char *config;            /* JSON text (g_free) */
    bool no_pivot;
    bool netns;              /* a network namespace of the container's own */
    before_fn before;        /* in the container's namespaces, before setup */
    inside_fn inside;        /* after setup */
    const char *want_error;  /* setup must fail with a message containing this */
    const char *want_log;    /* a log line must contain this */
};

static void must(bool ok, const char *what)
{
    if (!ok) {
        printf("Bail out! %s: %s\n", what, strerror(errno));
        exit(1);
    }
}

static void write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
        fprintf(stderr, "write %s: %s\n", path, strerror(errno));
        _exit(90);
    }
    close(fd);
}

/* A nosuid,nodev tmpfs made by the real root, so that a user namespace
 * created later finds its flags locked. */
static void premount_locked(const struct env *env)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/locked-src", env->base);
    if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
        mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0777") < 0) {
        fprintf(stderr, "premount: %s\n", strerror(errno));
        _exit(91);
    }
}

/* The first child: become the mode's user, make the namespaces, and fork
 * the container's pid 1, which sets up and reports. */
_Noreturn static void child_main(const struct env *env, const struct run *run,
                                 const struct nook_spec *spec, int report_fd, int sync_fd)
{
    const struct mode *m = env->mode;
    if (env->premounted)
        premount_locked(env);
    if (m->switch_user) {
        if (setgroups(0, NULL) < 0 || setresgid(m->gid, m->gid, m->gid) < 0 ||
            setresuid(m->uid, m->uid, m->uid) < 0)
            _exit(92);
        /* setuid cleared it; /proc/self/uid_map needs it. */
        prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
    }
    if (m->userns) {
        if (unshare(CLONE_NEWUSER) < 0)
            _exit(93);
        char map[64];
        write_file("/proc/self/setgroups", "deny");
        snprintf(map, sizeof(map), "0 %u 1", (unsigned)m->uid);
        write_file("/proc/self/uid_map", map);
        snprintf(map, sizeof(map), "0 %u 1", (unsigned)m->gid);
        write_file("/proc/self/gid_map", map);
    }
    int flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS;
    if (run->netns)
        flags |= CLONE_NEWNET;
    if (unshare(flags) < 0)
        _exit(94);
    pid_t pid = fork();
    if (pid < 0)
        _exit(95);
    if (pid == 0) {
        struct probe p = { .out = fdopen(report_fd, "w"), .env = env };
        if (!p.out)
            _exit(96);
        if (run->before)
            run->before(env);
        struct nook_init_ctx ctx = {
            .spec = spec,
            .process = spec->process,
            .rootfs = env->rootfs,
            .bundle = env->base,
            .rootless = m->rootless,
            .userns = m->userns,
            .netns_owned = run->netns,
            .no_pivot = run->no_pivot,
            .sync_fd = sync_fd,
            .fifo_fd = -1,
            .proc_fd_dir = -1,
        };
        for (int i = 0; i < NOOK_NS_COUNT; i++)
            ctx.ns_fds[i] = -1;
        struct nook_error err = { 0 };
        if (nook_rootfs_setup(&ctx, &err) < 0) {
            fprintf(p.out, "E\t%s\n", err.message);
            fflush(p.out);
            _exit(3);
        }
        if (run->inside)
            run->inside(&p);
        fflush(p.out);
        _exit(0);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

static void run_scenario(struct tap *t, const struct env *env, struct run *run)
{
    char label[160];
    snprintf(label, sizeof(label), "[%s] %s", env->mode->name, run->scenario);

    struct nook_spec *spec = NULL;
    struct nook_error err = { 0 };
    if (nook_spec_parse(run->config, strlen(run->config), "config.json", &spec, &err) < 0) {
        char what[1400];
        snprintf(what, sizeof(what), "%s: config parses (%s)", label, err.message);
        CHECK(t, false, what);
        g_free(run->config);
        return;
    }
    int report[2], sync[2];
    must(pipe2(report, O_CLOEXEC) == 0, "pipe");
    must(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sync) == 0, "socketpair");
    fflush(stdout);
    pid_t pid = fork();
    must(pid >= 0, "fork");
    if (pid == 0) {
        close(report[0]);
        close(sync[0]);
        child_main(env, run, spec, report[1], sync[1]);
    }
    close(report[1]);
    close(sync[1]);

    FILE *in = fdopen(report[0], "r");
    must(in != NULL, "fdopen");
    char line[2048];
    char error[2048] = "";
    int findings = 0;
    while (fgets(line, sizeof(line), in)) {
        line[strcspn(line, "\n")] = '\0';
        if (strncmp(line, "E\t", 2) == 0) {
            snprintf(error, sizeof(error), "%s", line + 2);
            continue;
        }
        char *save = NULL;
        char *verdict = strtok_r(line, "\t", &save);
        char *text = strtok_r(NULL, "\t", &save);
        char *detail = strtok_r(NULL, "\t", &save);
        char what[2300];
        snprintf(what, sizeof(what), "%s: %s", label, text ? text : "?");
        findings++;
        if (!CHECK(t, verdict && strcmp(verdict, "ok") == 0, what))
            printf("#   errno: %s\n", detail ? detail : "-");
    }
    fclose(in);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;

    /* The log lines the setup sent, all there by now. */
    GString *logs = g_string_new(NULL);
    struct nook_sync_msg msg;
    while (recv(sync[0], &msg, sizeof(msg), MSG_DONTWAIT) > 0) {
        msg.text[sizeof(msg.text) - 1] = '\0';
        if (msg.type == NOOK_SYNC_LOG)
            g_string_append_printf(logs, "%s\n", msg.text);
    }
    close(sync[0]);

    char what[2400];
    if (run->want_error) {
        snprintf(what, sizeof(what), "%s: setup fails with \"...%s...\"", label, run->want_error);
        if (!CHECK(t, strstr(error, run->want_error) != NULL, what))
            printf("#   got: \"%s\" (exit status %d)\n", error, WEXITSTATUS(status));
    } else {
        snprintf(what, sizeof(what), "%s: setup succeeds and the checks ran", label);
        if (!CHECK(t, !error[0] && findings > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
                   what))
            printf("#   error: \"%s\", findings %d, status 0x%x\n", error, findings, status);
    }
    if (run->want_log) {
        snprintf(what, sizeof(what), "%s: a debug line says \"%s\"", label, run->want_log);
        if (!CHECK(t, strstr(logs->str, run->want_log) != NULL, what))
            printf("#   logs: %s\n", logs->str);
    }
    g_string_free(logs, TRUE);
    nook_spec_free(spec);
    g_free(run->config);
}

/* ---- the tree ----------------------------------------------------------- */

static void put(const struct env *env, const char *rel, const char *content)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", env->base, rel);
    if (!content) {
        must(mkdir(path, 0755) == 0, path);
        return;
    }
    FILE *f = fopen(path, "we");
    must(f != NULL, path);
    fputs(content, f);
    fclose(f);
}

static void put_link(const struct env *env, const char *rel, const char *target)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", env->base, rel);
    must(symlink(target, path) == 0, path);
}

/* chown -hR, for the rootless mode's tree. */
static void chown_tree(const char *path, uid_t uid, gid_t gid)
{
    must(lchown(path, uid, gid) == 0, path);
    struct stat st;
    if (lstat(path, &st) < 0 || !S_ISDIR(st.st_mode))
        return;
    DIR *dir = opendir(path);
    must(dir != NULL, path);
    struct dirent *e;
    while ((e = readdir(dir))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char child[512];
        snprintf(child, sizeof(child), "%s/%s", path, e->d_name);
        chown_tree(child, uid, gid);
    }
    closedir(dir);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void make_tree(struct env *env, const struct mode *m)
{
    env->mode = m;
    snprintf(env->base, sizeof(env->base), "/tmp/nook-rootfs-XXXXXX");
    must(mkdtemp(env->base) != NULL, "mkdtemp");
    must(chmod(env->base, 0755) == 0, "chmod base");
    snprintf(env->rootfs, sizeof(env->rootfs), "%s/rootfs", env->base);
    const char *dirs[] = { "rootfs", "rootfs/proc", "rootfs/dev", "rootfs/sys", "rootfs/tmp",
                           "rootfs/etc", "rootfs/etc/secret-dir", "rootfs/data", "outside",
                           "src-dir", "src-dir/sub", "rw-src", "rw-src/ro-sub", "locked-src" };
    for (size_t i = 0; i < N_ELEMENTS(dirs); i++)
        put(env, dirs[i], NULL);
    put(env, "rootfs/etc/hostname", "nook-test\n");
    put(env, "rootfs/etc/secret-file", "secret\n");
    put(env, "rootfs/etc/secret-dir/inner", "secret\n");
    put(env, "src-dir/hello", "hello\n");
    put(env, "src-file", "file\n");
    char target[256];
    snprintf(target, sizeof(target), "%s/outside", env->base);
    put_link(env, "rootfs/evil", target);
    put_link(env, "rootfs/evil-rel", "../outside");
    put_link(env, "rootfs/etc-link", "/etc");
    if (m->switch_user)
        chown_tree(env->base, m->uid, m->gid);
    struct statfs s;
    env->host_unified = statfs("/sys/fs/cgroup", &s) == 0 && s.f_type == CGROUP2_SUPER_MAGIC;
    env->premounted = geteuid() == 0;
}

static void remove_tree(struct env *env)
{
    nftw(env->base, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* The start of a config.json: root, then mounts[] (the caller adds the
 * entries and closes with config_end()). */
static GString *config_begin(const struct env *env, bool readonly_root)
{
    GString *s = g_string_new(NULL);
    g_string_append_printf(s, "{\"ociVersion\": \"1.2.0\", \"root\": {\"path\": \"%s\", \"readonly\": %s},\n"
                           " \"mounts\": [\n",
                           env->rootfs, readonly_root ? "true" : "false");
    return s;
}

static const char *const standard_mounts =
    "  {\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"},\n"
    "  {\"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\", \"options\": "
    "[\"nosuid\", \"strictatime\", \"mode=755\", \"size=65536k\"]},\n"
    "  {\"destination\": \"/dev/pts\", \"type\": \"devpts\", \"source\": \"devpts\", \"options\": "
    "[\"nosuid\", \"noexec\", \"newinstance\", \"ptmxmode=0666\", \"mode=0620\"]}";

/* Close mounts[] and add linux (extra: more members of "linux", each
 * followed by a comma). */
static char *config_end(GString *s, const struct env *env, const char *extra)
{
    g_string_append_printf(s, "\n ],\n \"linux\": {%s \"namespaces\": [{\"type\": \"pid\"}, "
                           "{\"type\": \"mount\"}, {\"type\": \"ipc\"}, {\"type\": \"uts\"}%s]}}\n",
                           extra ? extra : "", env->mode->userns ? ", {\"type\": \"user\"}" : "");
    return g_string_free(s, FALSE);
}

/* ---- scenario: everything a default container has, and more ------------- */

static void inside_full(struct probe *p)
{
    const struct env *env = p->env;
    char buf[4096], path[256];
    struct stat st;

    PROBE(p, slurp("/etc/hostname", buf, sizeof(buf)) && strcmp(buf, "nook-test\n") == 0,
          "\"/\" is the rootfs");
    snprintf(path, sizeof(path), "%s/src-file", env->base);
    PROBE(p, access(path, F_OK) < 0 && errno == ENOENT, "the host's tree is out of sight");
    PROBE(p, getcwd(buf, sizeof(buf)) && strcmp(buf, "/") == 0, "the working directory is /");
    PROBE(p, mounts_on("/") == 1, "the old root is unmounted (one mount on /)");
    PROBE(p, !mount_has("/", "shared:"), "/ is not shared with the host (default rslave)");

    PROBE(p, fs_is("/proc", PROC_SUPER_MAGIC), "/proc is procfs");
    PROBE(p, slurp("/proc/self/stat", buf, sizeof(buf)) && strncmp(buf, "1 ", 2) == 0,
          "/proc belongs to the container's pid namespace (we are pid 1)");

    PROBE(p, fs_is("/dev", TMPFS_MAGIC) && stat("/dev", &st) == 0 && (st.st_mode & 07777) == 0755,
          "/dev is a tmpfs with mode 755");
    static const struct {
        const char *path;
        unsigned major, minor;
    } devs[] = { { "/dev/null", 1, 3 },   { "/dev/zero", 1, 5 },    { "/dev/full", 1, 7 },
                 { "/dev/random", 1, 8 }, { "/dev/urandom", 1, 9 }, { "/dev/tty", 5, 0 } };
    for (size_t i = 0; i < N_ELEMENTS(devs); i++) {
        PROBE(p, stat(devs[i].path, &st) == 0 && S_ISCHR(st.st_mode) &&
                     st.st_rdev == makedev(devs[i].major, devs[i].minor),
              "%s is the character device %u:%u", devs[i].path, devs[i].major, devs[i].minor);
        if (env->mode->userns)
            PROBE(p, is_mount_point(devs[i].path), "%s is the host's node, bound (no mknod in a user namespace)",
                  devs[i].path);
        else
            PROBE(p, !is_mount_point(devs[i].path), "%s is a node of its own (mknod)", devs[i].path);
    }
    int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    PROBE(p, fd >= 0 && write(fd, "abc", 3) == 3 && read(fd, buf, 8) == 0,
          "/dev/null swallows writes and reads empty");
    if (fd >= 0)
        close(fd);
    fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
    PROBE(p, fd >= 0 && read(fd, buf, 4) == 4 && memcmp(buf, "\0\0\0\0", 4) == 0, "/dev/zero reads zeros");
    if (fd >= 0)
        close(fd);
    fd = open("/dev/full", O_WRONLY | O_CLOEXEC);
    PROBE(p, fd >= 0 && write(fd, "x", 1) < 0 && errno == ENOSPC, "/dev/full is full");
    if (fd >= 0)
        close(fd);
    fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    PROBE(p, fd >= 0 && read(fd, buf, 16) == 16, "/dev/urandom reads");
    if (fd >= 0)
        close(fd);

    PROBE(p, link_is("/dev/fd", "/proc/self/fd"), "/dev/fd -> /proc/self/fd");
    PROBE(p, link_is("/dev/stdin", "/proc/self/fd/0"), "/dev/stdin -> /proc/self/fd/0");
    PROBE(p, link_is("/dev/stdout", "/proc/self/fd/1"), "/dev/stdout -> /proc/self/fd/1");
    PROBE(p, link_is("/dev/stderr", "/proc/self/fd/2"), "/dev/stderr -> /proc/self/fd/2");
    PROBE(p, link_is("/dev/core", "/proc/kcore"), "/dev/core -> /proc/kcore (/proc is mounted)");
    PROBE(p, link_is("/dev/ptmx", "pts/ptmx"), "/dev/ptmx -> pts/ptmx");
    PROBE(p, fs_is("/dev/pts", DEVPTS_SUPER_MAGIC), "/dev/pts is a devpts");
    PROBE(p, mount_has("/dev/pts", "nosuid") && mount_has("/dev/pts", "noexec"),
          "/dev/pts is nosuid,noexec");
    fd = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
    PROBE(p, fd >= 0, "/dev/ptmx opens a new pty of the container's devpts");
    if (fd >= 0)
        close(fd);

    PROBE(p, fs_is("/dev/shm", TMPFS_MAGIC) && stat("/dev/shm", &st) == 0 &&
                 (st.st_mode & 07777) == 01777,
          "/dev/shm is a tmpfs with mode 1777");
    PROBE(p, has_flags("/dev/shm", ST_NOSUID | ST_NODEV | ST_NOEXEC), "/dev/shm is nosuid,nodev,noexec");
    PROBE(p, fs_is("/dev/mqueue", MQUEUE_MAGIC), "/dev/mqueue is an mqueue");
    PROBE(p, fs_is("/sys", SYSFS_MAGIC), "/sys is sysfs (a network namespace of its own)");
    PROBE(p, has_flags("/sys", ST_RDONLY | ST_NOSUID), "/sys is ro,nosuid");

    PROBE(p, fs_is("/tmp", TMPFS_MAGIC) && stat("/tmp", &st) == 0 && (st.st_mode & 07777) == 01777,
          "/tmp is a tmpfs with mode=1777");
    struct statfs sfs;
    PROBE(p, statfs("/tmp", &sfs) == 0 && (uint64_t)sfs.f_blocks * (uint64_t)sfs.f_bsize == 1024 * 1024,
          "/tmp has size=1m");
    PROBE(p, has_flags("/tmp", ST_NOSUID | ST_NODEV | ST_NOEXEC | ST_NOATIME),
          "/tmp is nosuid,nodev,noexec,noatime");
    PROBE(p, create_errno("/tmp/x") == 0, "/tmp is writable under a read-only root");

    PROBE(p, slurp("/data/hello", buf, sizeof(buf)) && strcmp(buf, "hello\n") == 0,
          "/data shows the bound directory");
    PROBE(p, has_flags("/data", ST_RDONLY | ST_NOSUID | ST_NODEV | ST_NOEXEC),
          "/data is ro,nosuid,nodev,noexec");
    PROBE(p, create_errno("/data/new") == EROFS, "writing under /data fails with EROFS");
    PROBE(p, slurp("/etc/data-file", buf, sizeof(buf)) && strcmp(buf, "file\n") == 0,
          "a bound file shows the host file");
    PROBE(p, open("/etc/data-file", O_WRONLY | O_CLOEXEC) < 0 && errno == EROFS,
          "the bound file is read-only");
    PROBE(p, stat("/rw/ro-sub", &st) == 0 && create_errno("/rw/x") == 0,
          "/rw (source relative to the bundle) is writable");
    PROBE(p, create_errno("/rw/ro-sub/x") == EROFS, "readonlyPaths: /rw/ro-sub fails with EROFS");
    PROBE(p, fs_is("/new/deep", TMPFS_MAGIC), "a missing mount point /new/deep is created");

    PROBE(p, mkdir("/newdir", 0755) < 0 && errno == EROFS, "root.readonly: mkdir / fails with EROFS");
    PROBE(p, has_flags("/", ST_RDONLY), "root.readonly: / is mounted ro");

    PROBE(p, stat("/proc/version", &st) == 0 && slurp("/proc/version", buf, sizeof(buf)) &&
                 buf[0] == '\0',
          "maskedPaths: /proc/version reads empty");
    PROBE(p, slurp("/etc/secret-file", buf, sizeof(buf)) && buf[0] == '\0',
          "maskedPaths: a file reads empty");
    snprintf(path, sizeof(path), "/etc/secret-dir/inner");
    PROBE(p, access(path, F_OK) < 0 && errno == ENOENT && fs_is("/etc/secret-dir", TMPFS_MAGIC),
          "maskedPaths: a directory is an empty tmpfs");
    PROBE(p, create_errno("/etc/secret-dir/x") == EROFS, "maskedPaths: ... and read-only");
    PROBE(p, is_mount_point("/proc/sys") && has_flags("/proc/sys", ST_RDONLY),
          "readonlyPaths: /proc/sys is a read-only mount");
    /* (The rootless container's root does not own the host's uts sysctls:
     * EACCES would come before EROFS.) */
    if (!env->mode->rootless)
        PROBE(p, open("/proc/sys/kernel/hostname", O_WRONLY | O_CLOEXEC) < 0 && errno == EROFS,
              "readonlyPaths: writing under /proc/sys fails with EROFS");
    PROBE(p, slurp("/proc/sys/kernel/hostname", buf, sizeof(buf)) != NULL,
          "readonlyPaths: /proc/sys still reads");

    PROBE(p, stat("/dev/myfifo", &st) == 0 && S_ISFIFO(st.st_mode) && (st.st_mode & 0777) == 0640,
          "linux.devices: a fifo with fileMode 0640");
}

static void scenario_full(struct tap *t, const struct env *env)
{
    GString *s = config_begin(env, true);
    g_string_append(s, standard_mounts);
    g_string_append_printf(s, ",\n"
        "  {\"destination\": \"/dev/shm\", \"type\": \"tmpfs\", \"source\": \"shm\", \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"mode=1777\", \"size=65536k\"]},\n"
        "  {\"destination\": \"/dev/mqueue\", \"type\": \"mqueue\", \"source\": \"mqueue\", \"options\": [\"nosuid\", \"noexec\", \"nodev\"]},\n"
        "  {\"destination\": \"/sys\", \"type\": \"sysfs\", \"source\": \"sysfs\", \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"ro\"]},\n"
        "  {\"destination\": \"/tmp\", \"type\": \"tmpfs\", \"source\": \"tmpfs\", \"options\": [\"nosuid\", \"nodev\", \"noexec\", \"noatime\", \"mode=1777\", \"size=1m\"]},\n"
        "  {\"destination\": \"/data\", \"type\": \"bind\", \"source\": \"%s/src-dir\", \"options\": [\"rbind\", \"ro\", \"nosuid\", \"nodev\", \"noexec\"]},\n"
        "  {\"destination\": \"/etc/data-file\", \"source\": \"%s/src-file\", \"options\": [\"bind\", \"ro\"]},\n"
        "  {\"destination\": \"/rw\", \"source\": \"rw-src\", \"options\": [\"bind\", \"rw\"]},\n"
        "  {\"destination\": \"/new/deep\", \"type\": \"tmpfs\", \"source\": \"tmpfs\"}",
        env->base, env->base);
    struct run run = {
        .scenario = "default mounts, binds, devices, masked and read-only paths",
        .config = config_end(s, env,
            " \"maskedPaths\": [\"/proc/kcore\", \"/proc/version\", \"/etc/secret-file\", \"/etc/secret-dir\", \"/does/not/exist\"],"
            " \"readonlyPaths\": [\"/proc/sys\", \"/rw/ro-sub\", \"/missing/too\"],"
            " \"devices\": [{\"path\": \"/dev/myfifo\", \"type\": \"p\", \"fileMode\": 416}],"),
        .netns = true,
        .inside = inside_full,
    };
    run_scenario(t, env, &run);
}

/* ---- scenario: symlinks in the rootfs that point out of it ---------------- */

static void inside_escape(struct probe *p)
{
    const struct env *env = p->env;
    char path[256], buf[64];
    snprintf(path, sizeof(path), "%s/outside", env->base);
    PROBE(p, fs_is("/evil", TMPFS_MAGIC) && fs_is(path, TMPFS_MAGIC),
          "a mount on /evil (-> the host's %s) lands on that path inside the rootfs", path);
    PROBE(p, fs_is("/outside", TMPFS_MAGIC) && fs_is("/evil-rel", TMPFS_MAGIC),
          "a mount on /evil-rel (-> ../outside) lands on /outside inside");
    PROBE(p, slurp("/evil/f", buf, sizeof(buf)) && strcmp(buf, "file\n") == 0,
          "a bind onto /evil/f lands inside");
    PROBE(p, slurp("/etc/bound", buf, sizeof(buf)) && strcmp(buf, "file\n") == 0,
          "a bind onto /etc-link/bound (-> /etc) lands on /etc/bound");
    PROBE(p, fs_is("/dotdot", TMPFS_MAGIC), "a destination /../../dotdot stays inside, at /dotdot");
}

static void scenario_escape(struct tap *t, const struct env *env)
{
    GString *s = config_begin(env, false);
    g_string_append_printf(s,
        "  {\"destination\": \"/evil\", \"type\": \"tmpfs\", \"source\": \"tmpfs\"},\n"
        "  {\"destination\": \"/evil-rel\", \"type\": \"tmpfs\", \"source\": \"tmpfs\"},\n"
        "  {\"destination\": \"/evil/f\", \"source\": \"%s/src-file\", \"options\": [\"bind\"]},\n"
        "  {\"destination\": \"/etc-link/bound\", \"source\": \"%s/src-file\", \"options\": [\"bind\"]},\n"
        "  {\"destination\": \"/../../dotdot\", \"type\": \"tmpfs\", \"source\": \"tmpfs\"}",
        env->base, env->base);
    struct run run = {
        .scenario = "symlink escapes",
        .config = config_end(s, env, NULL),
        .inside = inside_escape,
    };
    run_scenario(t, env, &run);

    /* And on the host, nothing was created through the links. */
    char path[256], what[300];
    snprintf(path, sizeof(path), "%s/outside/f", env->base);
    snprintf(what, sizeof(what), "[%s] symlink escapes: the host's outside/ is untouched", env->mode->name);
    CHECK(t, access(path, F_OK) < 0 && errno == ENOENT, what);
    snprintf(path, sizeof(path), "%s/rootfs%s/outside", env->base, env->base);
    struct stat st;
    snprintf(what, sizeof(what), "[%s] symlink escapes: the mount point was made inside the rootfs",
             env->mode->name);
    CHECK(t, stat(path, &st) == 0 && S_ISDIR(st.st_mode), what);
    CHECK(t, access("/dotdot", F_OK) < 0 && access("/tmp/dotdot", F_OK) < 0,
          "symlink escapes: no /dotdot on the host");
}

/* ---- scenario: --no-pivot ---------------------------------------------- */

static void inside_no_pivot(struct probe *p)
{
    char buf[64], path[256];
    PROBE(p, slurp("/etc/hostname", buf, sizeof(buf)) && strcmp(buf, "nook-test\n") == 0,
          "\"/\" is the rootfs");
    snprintf(path, sizeof(path), "%s/src-file", p->env->base);
    PROBE(p, access(path, F_OK) < 0 && errno == ENOENT, "the host's tree is out of sight");
    PROBE(p, mounts_on("/") == 1, "the rootfs is the one mount on /");
    PROBE(p, fs_is("/proc", PROC_SUPER_MAGIC) && link_is("/dev/ptmx", "pts/ptmx"),
          "/proc and /dev are set up");
    PROBE(p, has_flags("/", ST_RDONLY) && mkdir("/x", 0755) < 0 && errno == EROFS,
          "root.readonly works without pivot_root");
}

static void scenario_no_pivot(struct tap *t, const struct env *env)
{
    GString *s = config_begin(env, true);
    g_string_append(s, standard_mounts);
    struct run run = {
        .scenario = "--no-pivot",
        .config = config_end(s, env, NULL),
        .no_pivot = true,
        .inside = inside_no_pivot,
    };
    run_scenario(t, env, &run);
}

/* ---- scenario: no /proc in the container ----------------------------------- */

/* Without /proc the last steps name their targets by path. */
static void inside_no_proc(struct probe *p)
{
    char buf[64];
    PROBE(p, access("/proc/self", F_OK) < 0, "there is no /proc");
    PROBE(p, slurp("/etc/secret-file", buf, sizeof(buf)) && buf[0] == '\0',
          "maskedPaths: a file reads empty");
    PROBE(p, access("/etc/secret-dir/inner", F_OK) < 0 && fs_is("/etc/secret-dir", TMPFS_MAGIC),
          "maskedPaths: a directory is an empty tmpfs");
    PROBE(p, create_errno("/rw/ro-sub/x") == EROFS && create_errno("/rw/x") == 0,
          "readonlyPaths: read-only below, writable next to it");
    PROBE(p, mkdir("/x", 0755) < 0 && errno == EROFS, "root.readonly");
}

static void scenario_no_proc(struct tap *t, const struct env *env)
{
    GString *s = config_begin(env, true);
    g_string_append(s,
        "  {\"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\"},\n"
        "  {\"destination\": \"/rw\", \"source\": \"rw-src\", \"options\": [\"bind\"]}");
    struct run run = {
        .scenario = "no /proc",
        .config = config_end(s, env,
            " \"maskedPaths\": [\"/etc/secret-file\", \"/etc/secret-dir\"],"
            " \"readonlyPaths\": [\"/rw/ro-sub\"],"),
        .inside = inside_no_proc,
    };
    run_scenario(t, env, &run);
}

/* ---- scenario: devpts gid= with a single mapping ------------------------ */

static void inside_devpts_gid(struct probe *p)
{
    PROBE(p, fs_is("/dev/pts", DEVPTS_SUPER_MAGIC), "/dev/pts is a devpts");
    PROBE(p, !mount_has("/dev/pts", "gid=5"), "... without the gid=5 the namespace cannot map");
}

static void scenario_devpts_gid(struct tap *t, const struct env *env)
{
    GString *s = config_begin(env, false);
    g_string_append(s,
        "  {\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"},\n"
        "  {\"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\"},\n"
        "  {\"destination\": \"/dev/pts\", \"type\": \"devpts\", \"source\": \"devpts\", \"options\": [\"newinstance\", \"gid=5\", \"mode=0620\"]}");
    struct run run = {
        .scenario = "devpts gid=5 with only uid and gid 0 mapped",
        .config = config_end(s, env, NULL),
        .inside = inside_devpts_gid,
        .want_log = "devpts refused its gid= option",
    };
    run_scenario(t, env, &run);
}

/* ---- scenario: options ---------------------------------------------------- */

/* A submount in the bind source, made in the container's namespace. */
static void before_submount(const struct env *env)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/src-dir/sub", env->base);
    if (mount("tmpfs", path, "tmpfs", 0, NULL) < 0) {
        fprintf(stderr, "submount: %s\n", strerror(errno));
        _exit(97);
    }
}

static void inside_options(struct probe *p)
{
    struct stat st;
    struct statfs sfs;
    PROBE(p, has_flags("/r-ro", ST_RDONLY) && lacks_flags("/r-ro/sub", ST_RDONLY),
          "rbind + ro: only the top mount is read-only");
    PROBE(p, has_flags("/r-rro", ST_RDONLY) && has_flags("/r-rro/sub", ST_RDONLY),
          "rbind + rro: the submount is read-only too");
    PROBE(p, create_errno("/r-rro/sub/x") == EROFS && create_errno("/r-ro/sub/x") == 0,
          "rro: writes below fail, ro: they do not");
    PROBE(p, has_flags("/r-flags/sub", ST_NOSUID | ST_NODEV | ST_NOEXEC),
          "rnosuid, rnodev, rnoexec reach the submount");
    PROBE(p, mount_has("/shared", "shared:"), "rshared: the mount is shared");
    PROBE(p, !mount_has("/private", "shared:") && !mount_has("/private", "master:"),
          "rprivate: the mount is private");
    PROBE(p, mount_has("/unbindable", "unbindable"), "runbindable: the mount is unbindable");
    PROBE(p, has_flags("/t-flags", ST_NOSUID | ST_NODEV | ST_NOEXEC | ST_NOATIME | ST_NODIRATIME |
                                       ST_SYNCHRONOUS),
          "tmpfs nosuid,nodev,noexec,noatime,nodiratime,sync");
    PROBE(p, mount_has("/t-flags", "dirsync"), "tmpfs dirsync");
    PROBE(p, has_flags("/t-ro", ST_RDONLY) && create_errno("/t-ro/x") == EROFS, "tmpfs ro");
    PROBE(p, lacks_flags("/t-strict", ST_NOATIME | ST_RELATIME), "tmpfs strictatime");
    PROBE(p, has_flags("/t-relatime", ST_RELATIME), "tmpfs relatime");
    PROBE(p, stat("/t-mode", &st) == 0 && (st.st_mode & 07777) == 0700 && statfs("/t-mode", &sfs) == 0 &&
                 (uint64_t)sfs.f_blocks * (uint64_t)sfs.f_bsize == 2 * 1024 * 1024,
          "tmpfs mode=0700,size=2m");
    PROBE(p, mount_has("/b-nosymfollow", "nosymfollow"), "bind nosymfollow");
    PROBE(p, has_flags("/b-flags", ST_RDONLY | ST_NOEXEC | ST_NODEV) && lacks_flags("/b-flags", ST_NOSUID),
          "bind ro,noexec,nodev (and not nosuid)");
}

static void scenario_options(struct tap *t, const struct env *env)
{
    GString *s = config_begin(env, false);
    const char *src = env->base;
    g_string_append_printf(s,
        "  {\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"},\n"
        "  {\"destination\": \"/r-ro\", \"source\": \"%s/src-dir\", \"options\": [\"rbind\", \"ro\"]},\n"
        "  {\"destination\": \"/r-rro\", \"source\": \"%s/src-dir\", \"options\": [\"rbind\", \"rro\"]},\n"
        "  {\"destination\": \"/r-flags\", \"source\": \"%s/src-dir\", \"options\": [\"rbind\", \"rnosuid\", \"rnodev\", \"rnoexec\"]},\n"
        "  {\"destination\": \"/shared\", \"source\": \"%s/src-dir\", \"options\": [\"bind\", \"rshared\"]},\n"
        "  {\"destination\": \"/private\", \"source\": \"%s/src-dir\", \"options\": [\"bind\", \"rprivate\"]},\n"
        "  {\"destination\": \"/unbindable\", \"source\": \"%s/src-dir\", \"options\": [\"bind\", \"runbindable\"]},\n"
        "  {\"destination\": \"/t-flags\", \"type\": \"tmpfs\", \"source\": \"tmpfs\", \"options\": [\"nosuid\", \"nodev\", \"noexec\", \"noatime\", \"nodiratime\", \"sync\", \"dirsync\"]},\n"
        "  {\"destination\": \"/t-ro\", \"type\": \"tmpfs\", \"source\": \"tmpfs\", \"options\": [\"ro\"]},\n"
        "  {\"destination\": \"/t-strict\", \"type\": \"tmpfs\", \"source\": \"tmpfs\", \"options\": [\"strictatime\"]},\n"
        "  {\"destination\": \"/t-relatime\", \"type\": \"tmpfs\", \"source\": \"tmpfs\", \"options\": [\"noatime\", \"relatime\"]},\n"
        "  {\"destination\": \"/t-mode\", \"type\": \"tmpfs\", \"source\": \"tmpfs\", \"options\": [\"mode=0700\", \"size=2m\"]},\n"
        "  {\"destination\": \"/b-nosymfollow\", \"source\": \"%s/src-dir\", \"options\": [\"bind\", \"nosymfollow\"]},\n"
        "  {\"destination\": \"/b-flags\", \"source\": \"%s/src-dir\", \"options\": [\"bind\", \"ro\", \"noexec\", \"nodev\", \"suid\"]}",
        src, src, src, src, src, src, src, src);
    struct run run = {
        .scenario = "mount options",
        .config = config_end(s, env, NULL),
        .before = before_submount,
        .inside = inside_options,
    };
    run_scenario(t, env, &run);
}

/* ---- scenario: propagation of / ---------------------------------------- */

static void inside_rshared(struct probe *p)
{
    PROBE(p, mount_has("/", "shared:"), "rootfsPropagation rshared: / is shared after the pivot");
}

static void inside_private(struct probe *p)
{
    PROBE(p, !mount_has("/", "shared:") && !mount_has("/", "master:"),
          "rootfsPropagation private: / has no peers and no master");
}

static void scenario_propagation(struct tap *t, const struct env *env)
{
    GString *s = config_begin(env, false);
    g_string_append(s, standard_mounts);
    struct run shared = {
        .scenario = "rootfsPropagation rshared",
        .config = config_end(s, env, " \"rootfsPropagation\": \"rshared\","),
        .inside = inside_rshared,
    };
    run_scenario(t, env, &shared);
    s = config_begin(env, false);
    g_string_append(s, standard_mounts);
    struct run private = {
        .scenario = "rootfsPropagation private",
        .config = config_end(s, env, " \"rootfsPropagation\": \"private\","),
        .inside = inside_private,
    };
    run_scenario(t, env, &private);
}

/* ---- scenario: sysfs and cgroup where a fresh mount is not allowed ------- */

static void inside_sys_fallback(struct probe *p)
{
    PROBE(p, fs_is("/sys", SYSFS_MAGIC), "/sys is a sysfs");
    if (p->env->mode->userns)
        PROBE(p, has_flags("/sys", ST_RDONLY), "the host's /sys, bound read-only");
    PROBE(p, has_flags("/sys/fs/cgroup", ST_RDONLY), "/sys/fs/cgroup is read-only");
    PROBE(p, mkdir("/sys/fs/cgroup/nook-test", 0755) < 0, "no cgroup can be made through it");
}

static void scenario_sys_fallback(struct tap *t, const struct env *env)
{
    GString *s = config_begin(env, false);
    g_string_append(s,
        "  {\"destination\": \"/sys\", \"type\": \"sysfs\", \"source\": \"sysfs\", \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"ro\"]},\n"
        "  {\"destination\": \"/sys/fs/cgroup\", \"type\": \"cgroup\", \"source\": \"cgroup\", \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"relatime\", \"ro\"]}");
    struct run run = {
        .scenario = "sysfs and cgroup without a network namespace",
        .config = config_end(s, env, NULL),
        .netns = false,
        .inside = inside_sys_fallback,
    };
    if (env->mode->userns)
        run.want_log = "binding the host's /sys instead";
    else if (!env->host_unified)
        run.want_log = "binding the host's /sys/fs/cgroup instead";
    run_scenario(t, env, &run);
}

/* ---- scenario: flags a user namespace may not clear ---------------------- */

static void inside_locked(struct probe *p)
{
    PROBE(p, has_flags("/locked", ST_RDONLY | ST_NOSUID | ST_NODEV),
          "bind ro of a nosuid,nodev source: ro, and nosuid,nodev kept");
}

static void inside_unlocked(struct probe *p)
{
    PROBE(p, lacks_flags("/locked", ST_NOSUID) && has_flags("/locked", ST_NODEV),
          "bind suid of a nosuid,nodev source: nosuid cleared, nodev kept");
}

/* base/locked-src is a nosuid,nodev tmpfs the real root mounted before
 * the user namespace existed: the namespace cannot clear those flags. */
static void scenario_locked(struct tap *t, const struct env *env)
{
    GString *s = config_begin(env, false);
    g_string_append_printf(s,
        "  {\"destination\": \"/locked\", \"source\": \"%s/locked-src\", \"options\": [\"bind\", \"ro\"]}",
        env->base);
    struct run keep = {
        .scenario = "locked flags",
        .config = config_end(s, env, NULL),
        .inside = inside_locked,
    };
    run_scenario(t, env, &keep);

    s = config_begin(env, false);
    g_string_append_printf(s,
        "  {\"destination\": \"/locked\", \"source\": \"%s/locked-src\", \"options\": [\"bind\", \"suid\"]}",
        env->base);
    struct run clear = {
        .scenario = "clearing a locked flag",
        .config = config_end(s, env, NULL),
    };
    if (env->mode->userns)
        clear.want_error = "remount with its options: Operation not permitted (the source is "
                           "mounted nosuid, which a user namespace cannot change to suid)";
    else
        clear.inside = inside_unlocked;
    run_scenario(t, env, &clear);
}

/* ---- scenario: devices made with mknod ------------------------------------ */

static void inside_mknod(struct probe *p)
{
    struct stat st;
    PROBE(p, stat("/dev/mynull", &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3) &&
                 (st.st_mode & 0777) == 0600 && st.st_uid == 1 && st.st_gid == 2,
          "linux.devices: mknod with fileMode 0600, uid 1, gid 2");
    PROBE(p, !is_mount_point("/dev/mynull"), "linux.devices: a node, not a bind");
    PROBE(p, stat("/dev/null", &st) == 0 && st.st_rdev == makedev(1, 3) && (st.st_mode & 0777) == 0600,
          "linux.devices overrides the default /dev/null");
}

static void scenario_mknod(struct tap *t, const struct env *env)
{
    GString *s = config_begin(env, false);
    g_string_append(s, standard_mounts);
    struct run run = {
        .scenario = "linux.devices as real root",
        .config = config_end(s, env,
            " \"devices\": [{\"path\": \"/dev/mynull\", \"type\": \"c\", \"major\": 1, \"minor\": 3, \"fileMode\": 384, \"uid\": 1, \"gid\": 2},"
            " {\"path\": \"/dev/null\", \"type\": \"c\", \"major\": 1, \"minor\": 3, \"fileMode\": 384}],"),
        .inside = inside_mknod,
    };
    run_scenario(t, env, &run);
}

/* ---- scenario: what must fail, and how it says so --------------------- */

static void expect_failure(struct tap *t, const struct env *env, const char *scenario,
                           const char *mounts, const char *linux_extra, const char *want)
{
    GString *s = config_begin(env, false);
    g_string_append(s, mounts);
    struct run run = {
        .scenario = scenario,
        .config = config_end(s, env, linux_extra),
        .want_error = want,
    };
    run_scenario(t, env, &run);
}

static void scenario_errors(struct tap *t, const struct env *env)
{
    expect_failure(t, env, "a missing bind source",
                   "  {\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"},\n"
                   "  {\"destination\": \"/data\", \"source\": \"/does/not/exist\", \"options\": [\"bind\"]}",
                   NULL, ".mounts[1]: mount \"/does/not/exist\" on \"/data\": No such file or directory");
    expect_failure(t, env, "a missing relative bind source",
                   "  {\"destination\": \"/data\", \"type\": \"bind\", \"source\": \"nope\"}", NULL,
                   ".mounts[0]: mount \"nope\" on \"/data\": No such file or directory");
    expect_failure(t, env, "an unknown file system type",
                   "  {\"destination\": \"/data\", \"type\": \"nosuchfs\", \"source\": \"x\"}", NULL,
                   ".mounts[0]: mount \"x\" on \"/data\": No such device");
    expect_failure(t, env, "an idmapped mount create did not make",
                   "  {\"destination\": \"/data\", \"type\": \"bind\", \"source\": \"/tmp\", \"options\": [\"rbind\", \"idmap\"]}",
                   NULL, ".mounts[0]: idmapped mount on \"/data\": create did not make it");
    expect_failure(t, env, "a mount on /",
                   "  {\"destination\": \"/\", \"type\": \"tmpfs\", \"source\": \"tmpfs\"}", NULL,
                   ".mounts[0]: a mount on \"/\" is not supported");
    expect_failure(t, env, "a bind source under a file",
                   "  {\"destination\": \"/data\", \"source\": \"src-file/x\", \"options\": [\"bind\"]}",
                   NULL, "on \"/data\": Not a directory");
    expect_failure(t, env, "a mount point under a file",
                   "  {\"destination\": \"/etc/hostname/x\", \"type\": \"tmpfs\", \"source\": \"tmpfs\"}",
                   NULL, ".mounts[0]: mount \"tmpfs\" on \"/etc/hostname/x\": create the mount point: Not a directory");
    expect_failure(t, env, "a mount point through a symlink loop",
                   "  {\"destination\": \"/loop/x\", \"type\": \"tmpfs\", \"source\": \"tmpfs\"}",
                   NULL, "create the mount point: Too many levels of symbolic links");
    if (env->mode->userns)
        expect_failure(t, env, "a device the host does not have",
                       "  {\"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\"}",
                       " \"devices\": [{\"path\": \"/dev/nook-missing\", \"type\": \"c\", \"major\": 1, \"minor\": 3}],",
                       ".linux.devices[0]: bind the host's device \"/dev/nook-missing\": No such file or directory");
    else
        expect_failure(t, env, "a device where a directory is",
                       "  {\"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\"}",
                       " \"devices\": [{\"path\": \"/etc\", \"type\": \"c\", \"major\": 1, \"minor\": 3}],",
                       ".linux.devices[0]: \"/etc\" is already in the container's file system "
                       "and is not this device");

    /* No mount namespace: refused before anything is touched. */
    GString *s = config_begin(env, false);
    g_string_append(s, "  {\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"}");
    g_string_append(s, "\n ],\n \"linux\": {\"namespaces\": [{\"type\": \"pid\"}]}}\n");
    struct run run = {
        .scenario = "no mount namespace",
        .config = g_string_free(s, FALSE),
        .want_error = "a mount namespace is required",
    };
    run_scenario(t, env, &run);
}

static void run_mode(struct tap *t, const struct mode *m)
{
    struct env env = { 0 };
    make_tree(&env, m);
    put_link(&env, "rootfs/loop", "loop");

    scenario_full(t, &env);
    scenario_escape(t, &env);
    scenario_no_pivot(t, &env);
    scenario_no_proc(t, &env);
    scenario_options(t, &env);
    scenario_propagation(t, &env);
    scenario_sys_fallback(t, &env);
    if (env.premounted)
        scenario_locked(t, &env);
    if (!m->userns)
        scenario_mknod(t, &env);
    else
        scenario_devpts_gid(t, &env);
    scenario_errors(t, &env);
    remove_tree(&env);
}

int main(void)
{
    struct tap t = { 0 };
    test_options(&t);

    if (geteuid() == 0) {
        struct mode root = { .name = "root", .uid = 0, .gid = 0 };
        run_mode(&t, &root);
        struct mode root_userns = { .name = "root in a user namespace", .userns = true };
        run_mode(&t, &root_userns);
        const char *name = getenv("NOOK_TEST_USER");
        struct passwd *pw = getpwnam(name && *name ? name : "nooktest");
        if (pw) {
            struct mode rootless = { .name = "rootless", .userns = true, .rootless = true,
                                     .switch_user = true, .uid = pw->pw_uid, .gid = pw->pw_gid };
            run_mode(&t, &rootless);
        } else {
            printf("# no test user: the rootless mode runs only when the tests run as a user\n");
        }
    } else {
        struct mode rootless = { .name = "rootless", .userns = true, .rootless = true,
                                 .uid = geteuid(), .gid = getegid() };
        run_mode(&t, &rootless);
    }
    return tap_done(&t);
}
