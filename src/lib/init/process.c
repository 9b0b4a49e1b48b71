/* process.c: the container process's own setup, run by the init core after
 * pivot_root: resolve what to exec, then limits, keyring, identity,
 * capabilities, no_new_privs and the working directory; and the
 * environment execve passes on (see process.h).
 *
 * The order in nook_process_setup matters. Limits and the keyring come
 * while the process is still the namespace's root. The bounding set is
 * cut before the user changes, because dropping from it needs CAP_SETPCAP
 * in the effective set, which a switch to a non-root uid empties. The user
 * switch keeps the permitted set (PR_SET_KEEPCAPS) so that capset can then
 * choose the sets config.json asks for; ambient capabilities need the
 * permitted and inheritable ones in place first.
 *
 * The seccomp filter comes last, so that it judges only the container's own
 * syscalls and as few of nook's as possible. With no_new_privs it is
 * installed after that, the last step; without, the kernel wants
 * CAP_SYS_ADMIN for it, so it goes in before the capabilities are cut (as
 * runc does), and the profile must then allow the few syscalls that
 * follow (capset, setuid, chdir, the exec barrier, execve). */
#include <fcntl.h>
#include <grp.h>
#include <linux/keyctl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../capabilities.h"
#include "../seccomp-filter.h"
#include "process.h"
#include "sync.h"

/* Key permission bits (keyutils.h, which the kernel headers lack). */
#define NOOK_KEY_USR_SEARCH 0x00080000u
#define NOOK_KEY_OTH_SEARCH 0x00000008u

/* --- small helpers ------------------------------------------------------- */

/* The value of name in a NAME=value vector, or NULL. */
static const char *env_lookup(char **env, const char *name)
{
    size_t len = strlen(name);
    for (size_t i = 0; env && env[i]; i++)
        if (strncmp(env[i], name, len) == 0 && env[i][len] == '=')
            return env[i] + len + 1;
    return NULL;
}

/* dir + "/" + name, without doubling a slash or keeping a leading "./"
 * of name; malloc'd. */
static char *path_join(const char *dir, const char *name)
{
    while (name[0] == '.' && name[1] == '/') {
        name += 2;
        name += strspn(name, "/");
    }
    if (strcmp(name, ".") == 0)
        name = "";
    size_t dlen = strlen(dir);
    while (dlen > 1 && dir[dlen - 1] == '/')
        dlen--;
    char *out = NULL;
    bool root = dlen == 1 && dir[0] == '/';
    if (!name[0]) {
        if (asprintf(&out, "%.*s", (int)dlen, dir) < 0)
            return NULL;
    } else if (asprintf(&out, "%.*s/%s", root ? 0 : (int)dlen, dir, name) < 0) {
        return NULL;
    }
    return out;
}

/* A file of this process's /proc/self in the host's /proc, through the
 * handle the init core keeps on its /proc/self/fd: after pivot_root the
 * container's /proc may be missing, or a plain directory of the rootfs
 * whose "setgroups" file would lie. */
static int open_proc_self(const struct nook_init_ctx *ctx, const char *name, int flags)
{
    char path[64];
    if (ctx->proc_fd_dir >= 0) {
        snprintf(path, sizeof(path), "../%s", name);
        return openat(ctx->proc_fd_dir, path, flags | O_CLOEXEC);
    }
    snprintf(path, sizeof(path), "/proc/self/%s", name);
    return open(path, flags | O_CLOEXEC);
}

/* Read a small file of /proc/self into buf; -errno on failure. */
static int read_proc_self(const struct nook_init_ctx *ctx, const char *name, char *buf, size_t size)
{
    _cleanup_close_ int fd = open_proc_self(ctx, name, O_RDONLY);
    if (fd < 0)
        return -errno;
    ssize_t n;
    do
        n = read(fd, buf, size - 1);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return -errno;
    buf[n] = '\0';
    return 0;
}

static int write_proc_self(const struct nook_init_ctx *ctx, const char *name, const char *text)
{
    _cleanup_close_ int fd = open_proc_self(ctx, name, O_WRONLY);
    if (fd < 0)
        return -errno;
    size_t len = strlen(text);
    ssize_t n;
    do
        n = write(fd, text, len);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return -errno;
    return (size_t)n == len ? 0 : -EIO;
}

/* Whether id is inside a range of /proc/self/uid_map or gid_map. When the
 * map cannot be read the answer is "yes": it only refines an error. */
static bool id_is_mapped(const struct nook_init_ctx *ctx, const char *map, uint32_t id)
{
    _cleanup_close_ int fd = open_proc_self(ctx, map, O_RDONLY);
    _cleanup_fclose_ FILE *f = fd >= 0 ? fdopen(fd, "re") : NULL;
    if (!f)
        return true;
    steal_fd(&fd);
    unsigned long inside, outside, count;
    while (fscanf(f, "%lu %lu %lu", &inside, &outside, &count) == 3)
        if (id >= inside && id - inside < count)
            return true;
    return false;
}

/* --- what to exec ---------------------------------------------------------- */

/* 0 when path is an executable regular file; -ENOENT, -EACCES (not
 * executable, a directory) or another -errno otherwise. what says why. */
static int check_executable(const char *path, const char **what)
{
    struct stat st;
    *what = NULL;
    if (stat(path, &st) < 0)
        return -errno;
    if (S_ISDIR(st.st_mode)) {
        *what = "is a directory";
        return -EACCES;
    }
    if (!S_ISREG(st.st_mode)) {
        *what = "is not a regular file";
        return -EACCES;
    }
    if (!(st.st_mode & 0111)) {
        *what = "is not executable (no x permission bit)";
        return -EACCES;
    }
    return 0;
}

static int resolve_with_slash(const char *program, const char *cwd, char **exec_path,
                              struct nook_error *err)
{
    _cleanup_free_ char *path = program[0] == '/' ? strdup(program) : path_join(cwd, program);
    if (!path)
        return nook_error_set(err, ENOMEM, "exec: \"%s\": out of memory", program);
    const char *what;
    int r = check_executable(path, &what);
    /* The errno's words stay in: engines sort runtime errors by them
     * (podman: "permission denied" is exit 126, "no such file" 127). */
    if (r < 0 && what)
        return nook_error_set_errno(err, -r, "exec: \"%s\": %s", program, what);
    if (r < 0)
        return nook_error_set_errno(err, -r, "exec: \"%s\"", program);
    *exec_path = steal_pointer(&path);
    return 0;
}

static int resolve_in_path(const char *program, const char *search, const char *cwd,
                           char **exec_path, struct nook_error *err)
{
    _cleanup_free_ char *denied = NULL; /* the first match that is not executable */
    const char *start = search;
    for (;;) {
        const char *end = strchrnul(start, ':');
        _cleanup_free_ char *dir = strndup(start, (size_t)(end - start));
        if (!dir)
            return nook_error_set(err, ENOMEM, "exec: \"%s\": out of memory", program);
        /* An empty entry is the working directory, as in execvp(3). */
        _cleanup_free_ char *base = dir[0] == '/' ? steal_pointer(&dir) : path_join(cwd, dir);
        _cleanup_free_ char *candidate = base ? path_join(base, program) : NULL;
        if (!candidate)
            return nook_error_set(err, ENOMEM, "exec: \"%s\": out of memory", program);
        const char *what;
        int r = check_executable(candidate, &what);
        if (r == 0) {
            *exec_path = steal_pointer(&candidate);
            return 0;
        }
        if (r == -EACCES && what && !denied)
            denied = steal_pointer(&candidate);
        if (*end == '\0')
            break;
        start = end + 1;
    }
    if (denied)
        return nook_error_set_errno(err, EACCES, "exec: \"%s\": %s is not executable, and no "
                                    "other match in $PATH is", program, denied);
    return nook_error_set(err, ENOENT, "exec: \"%s\": executable file not found in $PATH", program);
}

static int check_cwd(const char *cwd, struct nook_error *err)
{
    struct stat st;
    if (stat(cwd, &st) < 0) {
        /* The container's user may reach what its root may not (a
         * directory of an unmapped owner): nook_process_setup tries again
         * after the user switch and reports that. */
        if (errno == EACCES)
            return 0;
        return nook_error_set_errno(err, errno, "process.cwd \"%s\"", cwd);
    }
    if (!S_ISDIR(st.st_mode))
        return nook_error_set_errno(err, ENOTDIR, "process.cwd \"%s\"", cwd);
    return 0;
}

int nook_process_resolve(const struct nook_init_ctx *ctx, char **exec_path, struct nook_error *err)
{
    const struct nook_spec_process *p = ctx->process;
    const char *cwd = p->cwd ? p->cwd : "/";
    int r = check_cwd(cwd, err);
    if (r < 0)
        return r;
    const char *program = p->args[0];
    if (strchr(program, '/'))
        return resolve_with_slash(program, cwd, exec_path, err);
    const char *search = env_lookup(p->env, "PATH");
    return resolve_in_path(program, search ? search : NOOK_DEFAULT_PATH, cwd, exec_path, err);
}

/* --- limits, oom, personality, umask ----------------------------------------- */

static const char *rlimit_text(uint64_t value, char *buf, size_t size)
{
    if (value == (uint64_t)RLIM_INFINITY)
        return "unlimited";
    snprintf(buf, size, "%llu", (unsigned long long)value);
    return buf;
}

static int apply_rlimits(const struct nook_spec_process *p, struct nook_error *err)
{
    for (size_t i = 0; i < p->n_rlimits; i++) {
        const struct nook_spec_rlimit *rl = &p->rlimits[i];
        struct rlimit want = { .rlim_cur = (rlim_t)rl->soft, .rlim_max = (rlim_t)rl->hard };
        if (setrlimit(rl->resource, &want) == 0)
            continue;
        int saved = errno;
        char soft[24], hard[24], now[24];
        rlimit_text(rl->soft, soft, sizeof(soft));
        rlimit_text(rl->hard, hard, sizeof(hard));
        struct rlimit cur;
        if (saved == EPERM && getrlimit(rl->resource, &cur) == 0 &&
            (uint64_t)cur.rlim_max < rl->hard)
            return nook_error_set(err, saved, "setrlimit %s (soft %s, hard %s): %s (the hard "
                                  "limit here is %s; raising it needs CAP_SYS_RESOURCE on the "
                                  "host)", rl->type, soft, hard, strerror(saved),
                                  rlimit_text(cur.rlim_max, now, sizeof(now)));
        return nook_error_set_errno(err, saved, "setrlimit %s (soft %s, hard %s)", rl->type, soft,
                                    hard);
    }
    return 0;
}

static int apply_oom_score_adj(const struct nook_init_ctx *ctx, struct nook_error *err)
{
    const struct nook_spec_process *p = ctx->process;
    if (!p->oom_score_adj.set)
        return 0;
    char current[32] = "";
    (void)read_proc_self(ctx, "oom_score_adj", current, sizeof(current));
    current[strcspn(current, "\n")] = '\0';
    char text[16];
    snprintf(text, sizeof(text), "%d", p->oom_score_adj.value);
    /* Already so (exec's joiner sets it before it turns non-dumpable,
     * after which this process may no longer write its own /proc). */
    if (strcmp(current, text) == 0)
        return 0;
    int r = write_proc_self(ctx, "oom_score_adj", text);
    if (r == -EACCES || r == -EPERM)
        return nook_error_set(err, -r, "process.oomScoreAdj %d: write /proc/self/oom_score_adj: "
                              "%s (the current value is %s; lowering it needs CAP_SYS_RESOURCE "
                              "on the host)", p->oom_score_adj.value, strerror(-r),
                              current[0] ? current : "unknown");
    if (r < 0)
        return nook_error_set_errno(err, -r, "process.oomScoreAdj %d: write /proc/self/oom_score_adj",
                                    p->oom_score_adj.value);
    return 0;
}

static int apply_personality(const struct nook_spec *spec, struct nook_error *err)
{
    const struct nook_spec_personality *pers = spec->linux_config ? spec->linux_config->personality
                                                                  : NULL;
    if (!pers)
        return 0;
    unsigned long persona = PER_LINUX;
    const char *name = "LINUX";
    switch (pers->domain) {
    case NOOK_PERSONALITY_LINUX:
        break;
    case NOOK_PERSONALITY_LINUX32:
        persona = PER_LINUX32;
        name = "LINUX32";
        break;
    }
    if (personality(persona) < 0)
        return nook_error_set_errno(err, errno, "linux.personality: set domain %s", name);
    return 0;
}

/* --- session keyring ----------------------------------------------------------- */

/* The fourth field of KEYCTL_DESCRIBE's "type;uid;gid;perm;description". */
static int keyring_perm(long key, uint32_t *perm)
{
    char desc[512];
    long n = syscall(SYS_keyctl, KEYCTL_DESCRIBE, key, desc, sizeof(desc), 0);
    if (n < 0)
        return -errno;
    desc[sizeof(desc) - 1] = '\0';
    const char *field = desc;
    for (int i = 0; i < 3 && field; i++) {
        field = strchr(field, ';');
        if (field)
            field++;
    }
    if (!field)
        return -EBADMSG;
    char *end;
    errno = 0;
    unsigned long value = strtoul(field, &end, 16);
    if (errno != 0 || end == field || *end != ';' || value > UINT32_MAX)
        return -EBADMSG;
    *perm = (uint32_t)value;
    return 0;
}

/* A session keyring of the container's own, so that it cannot use the
 * caller's keys; named "_ses.<id>" as runc names it, so that later
 * processes of the container can join it by name. */
static int join_session_keyring(const struct nook_init_ctx *ctx, struct nook_error *err)
{
    if (ctx->no_new_keyring)
        return 0;
    _cleanup_free_ char *name = NULL;
    if (ctx->id && asprintf(&name, "_ses.%s", ctx->id) < 0)
        return nook_error_set(err, ENOMEM, "session keyring: out of memory");
    long key = syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, name, 0, 0, 0);
    if (key < 0) {
        int saved = errno;
        /* A kernel without keys, or a seccomp profile of an outer
         * container that refuses keyctl: the keyring is a best-effort
         * isolation (file permissions still guard keys), so go on. */
        if (saved == ENOSYS || saved == EPERM || saved == EACCES) {
            nook_init_log(ctx, saved == ENOSYS ? NOOK_SYNC_LEVEL_DEBUG : NOOK_SYNC_LEVEL_WARNING,
                          "no session keyring of the container's own (keyctl: %s); it keeps "
                          "the caller's", strerror(saved));
            return 0;
        }
        if (saved == EDQUOT)
            return nook_error_set_errno(err, saved, "create the session keyring %s (the user's "
                                        "key quota is full, see /proc/sys/kernel/keys/maxkeys; "
                                        "or run with --no-new-keyring)", str_or(name, "(anonymous)"));
        return nook_error_set_errno(err, saved, "create the session keyring %s",
                                    str_or(name, "(anonymous)"));
    }
    /* The container's user, which may differ from its root (the owner of
     * the keyring), must be able to search it to join it by name. */
    uint32_t perm = 0;
    int r = keyring_perm(key, &perm);
    if (r < 0)
        return nook_error_set_errno(err, -r, "describe the session keyring %s",
                                    str_or(name, "(anonymous)"));
    perm |= ctx->userns ? NOOK_KEY_OTH_SEARCH : NOOK_KEY_USR_SEARCH;
    if (syscall(SYS_keyctl, KEYCTL_SETPERM, key, perm, 0, 0) < 0)
        return nook_error_set_errno(err, errno, "set the permissions of the session keyring %s",
                                    str_or(name, "(anonymous)"));
    return 0;
}

/* --- identity -------------------------------------------------------------------- */

static char *format_gids(const uint32_t *gids, size_t count, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < count && used < size; i++) {
        int n = snprintf(buf + used, size - used, "%s%u", i ? ", " : "", gids[i]);
        if (n < 0)
            break;
        used += (size_t)n;
    }
    return buf;
}

static int set_groups(const struct nook_init_ctx *ctx, struct nook_error *err)
{
    const struct nook_spec_user *user = &ctx->process->user;
    char list[256];
    char setgroups_file[16] = "";
    (void)read_proc_self(ctx, "setgroups", setgroups_file, sizeof(setgroups_file));
    if (strncmp(setgroups_file, "deny", 4) == 0) {
        /* A user namespace with a single mapping written without
         * newgidmap: the kernel refuses setgroups. The process keeps the
         * caller's own groups (shown as the overflow gid when unmapped),
         * which give it nothing the caller does not have. */
        if (user->n_additional_gids == 0)
            return 0;
        return nook_error_set(err, EPERM, "process.user.additionalGids [%s]: setgroups is denied "
                              "in this user namespace (a single id mapping: give the user "
                              "subordinate gids in /etc/subgid, or drop additionalGids)",
                              format_gids(user->additional_gids, user->n_additional_gids, list,
                                          sizeof(list)));
    }
    _cleanup_free_ gid_t *gids = calloc(user->n_additional_gids + 1, sizeof(gid_t));
    if (!gids)
        return nook_error_set(err, ENOMEM, "setgroups: out of memory");
    for (size_t i = 0; i < user->n_additional_gids; i++)
        gids[i] = user->additional_gids[i];
    if (setgroups(user->n_additional_gids, gids) == 0)
        return 0;
    int saved = errno;
    format_gids(user->additional_gids, user->n_additional_gids, list, sizeof(list));
    if (saved == EINVAL)
        for (size_t i = 0; i < user->n_additional_gids; i++)
            if (!id_is_mapped(ctx, "gid_map", user->additional_gids[i]))
                return nook_error_set_errno(err, saved, "setgroups [%s]: gid %u is not mapped in "
                                            "the container's user namespace", list,
                                            user->additional_gids[i]);
    return nook_error_set_errno(err, saved, "setgroups [%s]", list);
}

static int set_ids(const struct nook_init_ctx *ctx, struct nook_error *err)
{
    const struct nook_spec_user *user = &ctx->process->user;
    if (setresgid(user->gid, user->gid, user->gid) < 0) {
        int saved = errno;
        if (saved == EINVAL && !id_is_mapped(ctx, "gid_map", user->gid))
            return nook_error_set(err, saved, "setresgid %u: %s (gid %u is not mapped in the "
                                  "container's user namespace)", user->gid, strerror(saved),
                                  user->gid);
        return nook_error_set_errno(err, saved, "setresgid %u", user->gid);
    }
    if (setresuid(user->uid, user->uid, user->uid) < 0) {
        int saved = errno;
        if (saved == EINVAL && !id_is_mapped(ctx, "uid_map", user->uid))
            return nook_error_set(err, saved, "setresuid %u: %s (uid %u is not mapped in the "
                                  "container's user namespace)", user->uid, strerror(saved),
                                  user->uid);
        return nook_error_set_errno(err, saved, "setresuid %u", user->uid);
    }
    return 0;
}

/* --- capabilities ------------------------------------------------------------------ */

/* The names nook_cap_sets_from_spec skipped, each once, for one warning. */
struct skipped_caps {
    char text[NOOK_ERROR_MAX / 2];
    size_t used;
};

static void note_skipped_cap(void *data, const char *set, const char *name, bool known_name)
{
    struct skipped_caps *s = data;
    char item[96];
    snprintf(item, sizeof(item), "%s (%s)", name,
             known_name ? "not supported by this kernel" : "unknown");
    if (strstr(s->text, item))
        return;
    int n = snprintf(s->text + s->used, sizeof(s->text) - s->used, "%s%s", s->used ? ", " : "", item);
    if (n > 0 && (size_t)n < sizeof(s->text) - s->used)
        s->used += (size_t)n;
}

/* Why capset refused, in config.json's words, when it can be told. */
static int capset_error(const struct nook_cap_sets *sets, int saved, struct nook_error *err)
{
    char names[512];
    uint64_t stray = sets->effective & ~sets->permitted;
    if (saved == EPERM && stray)
        return nook_error_set(err, saved, "process.capabilities: effective %s not in permitted: "
                              "capset: %s", nook_cap_format(stray, names, sizeof(names)),
                              strerror(saved));
    stray = sets->inheritable & ~sets->bounding;
    if (saved == EPERM && stray)
        return nook_error_set(err, saved, "process.capabilities: inheritable %s not in bounding: "
                              "capset: %s", nook_cap_format(stray, names, sizeof(names)),
                              strerror(saved));
    return nook_error_prefix(err, "process.capabilities");
}

static int drop_bounding(const struct nook_cap_sets *sets, int last_cap, struct nook_error *err)
{
    int r = nook_cap_drop_bounding(sets->bounding, last_cap, err);
    if (r < 0)
        return nook_error_prefix(err, "process.capabilities.bounding");
    return 0;
}

static int apply_cap_sets(const struct nook_init_ctx *ctx, const struct nook_cap_sets *sets,
                          int last_cap, struct nook_error *err)
{
    int r = nook_cap_clear_ambient(err);
    if (r < 0)
        return r;
    r = nook_cap_set(sets, err);
    if (r < 0)
        return capset_error(sets, -r, err);
    /* runc only warns about ambient capabilities it cannot raise. */
    for (int cap = 0; cap <= last_cap; cap++) {
        if (!(sets->ambient & (UINT64_C(1) << cap)))
            continue;
        struct nook_error ambient_err = { 0 };
        if (nook_cap_raise_ambient(cap, &ambient_err) < 0)
            nook_init_log(ctx, NOOK_SYNC_LEVEL_WARNING, "process.capabilities.ambient: %s%s",
                          ambient_err.message,
                          ambient_err.errnum == EPERM ? " (it must be in permitted and inheritable too)"
                                                      : "");
    }
    return 0;
}

/* --- the whole setup ----------------------------------------------------------------- */

/* Install the filter; a notify listener goes to the parent, which hands it
 * to the agent at listenerPath. */
static int install_seccomp(const struct nook_init_ctx *ctx, struct nook_error *err)
{
    if (!ctx->seccomp)
        return 0;
    int fd = nook_seccomp_install(ctx->seccomp);
    if (fd < 0)
        return nook_error_set_errno(err, -fd, "config.json: .linux.seccomp: install the filter");
    if (!ctx->seccomp->notify)
        return 0;
    int r = nook_sync_send_fd(ctx->sync_fd, NOOK_SYNC_SECCOMP_LISTENER, fd, NULL);
    close(fd);
    if (r < 0)
        return nook_error_set_errno(err, -r, "send the seccomp listener to nook");
    return 0;
}

int nook_process_setup(const struct nook_init_ctx *ctx, struct nook_error *err)
{
    const struct nook_spec_process *p = ctx->process;
    int r = apply_rlimits(p, err);
    if (r >= 0)
        r = apply_oom_score_adj(ctx, err);
    if (r >= 0)
        r = apply_personality(ctx->spec, err);
    if (r < 0)
        return r;
    umask(p->user.umask.set ? (mode_t)p->user.umask.value : 0022);
    r = join_session_keyring(ctx, err);
    if (r < 0)
        return r;

    /* While still the namespace's root: a directory only root may enter. */
    const char *cwd = p->cwd ? p->cwd : "/";
    bool in_cwd = chdir(cwd) == 0;

    int last_cap;
    r = nook_cap_last_cap(&last_cap, err);
    if (r < 0)
        return r;
    struct nook_cap_sets sets;
    struct skipped_caps skipped = { .used = 0 };
    skipped.text[0] = '\0';
    nook_cap_sets_from_spec(p->capabilities, last_cap, &sets, note_skipped_cap, &skipped);
    if (skipped.used)
        nook_init_log(ctx, NOOK_SYNC_LEVEL_WARNING, "process.capabilities: ignoring %s",
                      skipped.text);

    if (!p->no_new_privileges) {
        r = install_seccomp(ctx, err);
        if (r < 0)
            return r;
    }
    r = drop_bounding(&sets, last_cap, err);
    if (r < 0)
        return r;
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
        return nook_error_set_errno(err, errno, "prctl(PR_SET_KEEPCAPS)");
    r = set_groups(ctx, err);
    if (r >= 0)
        r = set_ids(ctx, err);
    if (r < 0)
        return r;
    if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
        return nook_error_set_errno(err, errno, "prctl(PR_SET_KEEPCAPS, 0)");
    r = apply_cap_sets(ctx, &sets, last_cap, err);
    if (r < 0)
        return r;

    if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        return nook_error_set_errno(err, errno, "process.noNewPrivileges: prctl(PR_SET_NO_NEW_PRIVS)");
    if (!in_cwd && chdir(cwd) < 0)
        return nook_error_set_errno(err, errno, "process.cwd \"%s\": chdir as uid %u", cwd,
                                    p->user.uid);
    return p->no_new_privileges ? install_seccomp(ctx, err) : 0;
}

/* --- environment --------------------------------------------------------------------- */

/* The home directory of uid in the container's /etc/passwd, parsed here
 * rather than through NSS, which would load the container's libraries. */
static char *passwd_home(uint32_t uid)
{
    _cleanup_fclose_ FILE *f = fopen("/etc/passwd", "re");
    if (!f)
        return NULL;
    _cleanup_free_ char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) > 0) {
        /* name:password:uid:gid:gecos:home:shell */
        char *fields[7] = { 0 };
        char *cursor = line;
        size_t n = 0;
        while (n < N_ELEMENTS(fields) && cursor) {
            fields[n++] = cursor;
            cursor = strchr(cursor, ':');
            if (cursor)
                *cursor++ = '\0';
        }
        if (n < 6 || !fields[2][0])
            continue;
        char *end;
        errno = 0;
        unsigned long id = strtoul(fields[2], &end, 10);
        if (errno != 0 || *end != '\0' || id != uid)
            continue;
        fields[5][strcspn(fields[5], "\n")] = '\0';
        return fields[5][0] ? strdup(fields[5]) : NULL;
    }
    return NULL;
}

char **nook_process_environ(const struct nook_init_ctx *ctx)
{
    const struct nook_spec_process *p = ctx->process;
    size_t count = 0;
    while (p->env && p->env[count])
        count++;
    _cleanup_strv_ char **envp = calloc(count + 3, sizeof(char *));
    if (!envp)
        return NULL;
    size_t n = 0;
    for (; n < count; n++) {
        envp[n] = strdup(p->env[n]);
        if (!envp[n])
            return NULL;
    }
    if (!env_lookup(p->env, "PATH")) {
        envp[n] = strdup("PATH=" NOOK_DEFAULT_PATH);
        if (!envp[n++])
            return NULL;
    }
    if (!env_lookup(p->env, "HOME")) {
        _cleanup_free_ char *home = passwd_home(p->user.uid);
        if (asprintf(&envp[n], "HOME=%s", home ? home : "/") < 0) {
            envp[n] = NULL;
            return NULL;
        }
    }
    return steal_pointer(&envp);
}
