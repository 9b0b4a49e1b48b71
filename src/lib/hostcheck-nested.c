/* hostcheck-nested.c: `nook check nested.proc`: whether nook runs inside a
 * container, and whether a fresh proc can still be mounted there. A
 * container engine masks parts of /proc (/proc/kcore, /proc/sys, ...) by
 * mounting over them; the kernel then refuses a new proc to a user
 * namespace, as it would reveal what the masks hide. The trial mounts one
 * in a scratch user, mount and pid namespace, as create would. */
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "hostcheck-internal.h"

/* Undo mountinfo's octal escapes ("\040" is a space) in place. */
static void unescape_octal(char *s)
{
    char *out = s;
    for (char *p = s; *p;) {
        if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' && p[3] >= '0' &&
            p[3] <= '7') {
            *out++ = (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
            p += 4;
        } else {
            *out++ = *p++;
        }
    }
    *out = '\0';
}

int nook_check_proc_overmounts(const char *mountinfo, char ***out)
{
    size_t n = 0;
    _cleanup_strv_ char **list = calloc(1, sizeof(char *));
    if (!list)
        return -ENOMEM;
    for (const char *line = mountinfo; line && *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        _cleanup_free_ char *copy = strndup(line, len);
        if (!copy)
            return -ENOMEM;
        line = end ? end + 1 : NULL;
        /* "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER" */
        char *save = NULL;
        char *field = strtok_r(copy, " ", &save);
        for (int i = 0; i < 4 && field; i++)
            field = strtok_r(NULL, " ", &save);
        if (!field)
            continue;
        char *mount_point = field;
        char *fstype = NULL;
        while ((field = strtok_r(NULL, " ", &save)))
            if (strcmp(field, "-") == 0) {
                fstype = strtok_r(NULL, " ", &save);
                break;
            }
        unescape_octal(mount_point);
        if (strncmp(mount_point, "/proc/", 6) != 0)
            continue;
        /* binfmt_misc on its empty directory hides nothing. */
        if (fstype && strcmp(fstype, "binfmt_misc") == 0)
            continue;
        bool seen = false;
        for (size_t i = 0; i < n && !seen; i++)
            seen = strcmp(list[i], mount_point) == 0;
        if (seen)
            continue;
        char **grown = realloc(list, (n + 2) * sizeof(char *));
        if (!grown)
            return -ENOMEM;
        list = grown;
        if (!(list[n] = strdup(mount_point)))
            return -ENOMEM;
        list[++n] = NULL;
    }
    *out = steal_pointer(&list);
    return 0;
}

/* The root of the mount on "/" (mountinfo's fourth field): "/" on a host,
 * the rootfs directory a container was given when it is a bind mount. */
static bool root_mount_source(const char *mountinfo, char *buf, size_t size)
{
    for (const char *line = mountinfo; line && *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        _cleanup_free_ char *copy = strndup(line, len);
        line = end ? end + 1 : NULL;
        if (!copy)
            return false;
        char *save = NULL;
        char *field = strtok_r(copy, " ", &save);
        char *root = NULL;
        for (int i = 1; i <= 4 && field; i++) {
            field = strtok_r(NULL, " ", &save);
            if (i == 3)
                root = field;
        }
        if (!field || !root || strcmp(field, "/") != 0)
            continue;
        unescape_octal(root);
        snprintf(buf, size, "%s", root);
    }
    /* The last mount on "/" is the one in effect. */
    return buf[0] && strcmp(buf, "/") != 0;
}

/* Signs of a container other than the masks: an engine's marker file, a
 * root that is a bind mount of a directory, or a user namespace that does
 * not map every id to itself. */
static void container_signs(const char *mountinfo, char *buf, size_t size)
{
    buf[0] = '\0';
    size_t used = 0;
    char root[256] = "";
    if (mountinfo && root_mount_source(mountinfo, root, sizeof(root)))
        used += (size_t)snprintf(buf, size, "/ is a bind mount of %s", root);
    static const char *const markers[] = { "/run/.containerenv", "/.dockerenv" };
    struct stat st;
    for (size_t i = 0; i < N_ELEMENTS(markers); i++)
        if (stat(markers[i], &st) == 0 && used < size)
            used += (size_t)snprintf(buf + used, size - used, "%s%s exists", used ? ", " : "", markers[i]);
    _cleanup_free_ char *uid_map = hostcheck_read_text("/proc/self/uid_map");
    if (uid_map) {
        unsigned long inside = 1, outside = 1, count = 0;
        bool identity = sscanf(uid_map, "%lu %lu %lu", &inside, &outside, &count) == 3 && inside == 0 &&
                        outside == 0 && count == 4294967295UL;
        if (!identity && used < size) {
            /* "         0       1001          1\n..." -> "0 1001 1,..." */
            char compact[128];
            size_t n = 0;
            for (const char *c = uid_map; *c && n + 1 < sizeof(compact); c++) {
                char ch = *c == '\n' ? ',' : *c;
                if (ch == ' ' && (n == 0 || compact[n - 1] == ' ' || compact[n - 1] == ','))
                    continue;
                if (ch == ',' && n > 0 && compact[n - 1] == ' ')
                    n--;
                compact[n++] = ch;
            }
            while (n > 0 && (compact[n - 1] == ',' || compact[n - 1] == ' '))
                n--;
            compact[n] = '\0';
            used += (size_t)snprintf(buf + used, size - used, "%sin a user namespace whose uid_map is \"%s\"",
                                     used ? ", " : "", compact);
        }
    }
}

struct proc_trial {
    bool userns;
    uid_t uid;
    gid_t gid;
};

static void proc_trial_child(void *data, struct hostcheck_trial *out)
{
    const struct proc_trial *t = data;
    if (t->userns) {
        if (hostcheck_enter_userns(t->uid, t->gid, CLONE_NEWNS | CLONE_NEWPID, out) < 0)
            return;
    } else if (unshare(CLONE_NEWNS | CLONE_NEWPID) < 0) {
        hostcheck_trial_fail(out, errno, "unshare(CLONE_NEWNS | CLONE_NEWPID)");
        return;
    }
    if (hostcheck_make_mounts_private(out) < 0)
        return;
    /* The new pid namespace is its children's: the mount is tried by the
     * first of them, its pid 1, as a container's init would. */
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) < 0) {
        hostcheck_trial_fail(out, errno, "pipe");
        return;
    }
    pid_t pid = fork();
    if (pid < 0) {
        hostcheck_trial_fail(out, errno, "fork into the new pid namespace");
        return;
    }
    if (pid == 0) {
        close(fds[0]);
        struct hostcheck_trial report = { 0 };
        if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
            hostcheck_trial_fail(&report, errno, "mount a fresh proc (in a scratch %snamespace)",
                                 t->userns ? "user, mount and pid " : "mount and pid ");
        else
            snprintf(report.step, sizeof(report.step), "mounted a fresh proc in a scratch %snamespace",
                     t->userns ? "user, mount and pid " : "mount and pid ");
        ssize_t n = write(fds[1], &report, sizeof(report));
        _exit(n == (ssize_t)sizeof(report) ? 0 : 1);
    }
    close(fds[1]);
    struct hostcheck_trial report = { 0 };
    ssize_t n;
    while ((n = read(fds[0], &report, sizeof(report))) < 0 && errno == EINTR)
        ;
    close(fds[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (n != (ssize_t)sizeof(report)) {
        hostcheck_trial_fail(out, ECHILD, "the pid namespace's first process died without a report");
        return;
    }
    *out = report;
}

void hostcheck_nested_proc(struct nook_check_context *ctx, struct nook_check_result *r)
{
    bool root = ctx->params->privileged;
    /* Rootless, nook binds the outer /proc when a fresh one is refused;
     * root's containers, without a user namespace, have no such way. */
    r->required = root;
    hostcheck_file(ctx, r, ctx->mountinfo);

    _cleanup_free_ char *mountinfo = hostcheck_read_text(ctx->mountinfo);
    _cleanup_strv_ char **masks = NULL;
    if (mountinfo && nook_check_proc_overmounts(mountinfo, &masks) < 0) {
        ctx->out_of_memory = true;
        return;
    }
    size_t n_masks = 0;
    while (masks && masks[n_masks])
        n_masks++;
    char masked[400] = "";
    size_t used = 0;
    for (size_t i = 0; i < n_masks && used < sizeof(masked); i++)
        used += (size_t)snprintf(masked + used, sizeof(masked) - used, "%s%s", i ? ", " : "", masks[i]);
    char signs[300];
    container_signs(mountinfo, signs, sizeof(signs));
    bool nested = n_masks > 0 || signs[0];

    char where[800];
    if (!nested)
        snprintf(where, sizeof(where), "not inside a container (nothing is mounted over /proc)");
    else if (n_masks > 0)
        snprintf(where, sizeof(where), "inside a container: %zu path%s over-mounted below /proc (%s)%s%s",
                 n_masks, n_masks == 1 ? "" : "s", masked, signs[0] ? "; " : "", signs);
    else
        snprintf(where, sizeof(where), "inside a container (%s), nothing over-mounted below /proc", signs);

    struct proc_trial t = { .userns = !root, .uid = ctx->params->uid, .gid = ctx->params->gid };
    struct hostcheck_trial trial;
    int rc = hostcheck_run_trial(proc_trial_child, &t, 10000, &trial);
    if (rc < 0) {
        hostcheck_status(r, NOOK_CHECK_WARN);
        hostcheck_found(ctx, r, "%s; the trial could not be started: %s", where, strerror(-rc));
        hostcheck_fix(ctx, r, "nook check nested.proc   (again)");
        hostcheck_impact(ctx, r, "unknown");
        return;
    }
    if (trial.errnum == 0) {
        hostcheck_status(r, NOOK_CHECK_OK);
        hostcheck_found(ctx, r, "%s; %s", where, trial.step);
        return;
    }
    char name_buf[32];
    r->errnum = trial.errnum;
    hostcheck_status(r, root ? NOOK_CHECK_FAIL : NOOK_CHECK_WARN);
    hostcheck_found(ctx, r, "%s; %s: %s (%s)", where, trial.step, strerror(trial.errnum),
                    hostcheck_errno_name(trial.errnum, name_buf, sizeof(name_buf)));
    if (strstr(trial.step, "unshare")) {
        hostcheck_fix(ctx, r, "nook check userns.trial   (no namespaces, no containers)");
    } else {
        hostcheck_fix(ctx, r,
                      "start the outer container without masks over /proc: podman run --security-opt unmask=ALL (or --privileged); docker run --security-opt systempaths=unconfined");
        hostcheck_fix(ctx, r,
                      "an outer nook container: empty .linux.maskedPaths and .linux.readonlyPaths in its config.json");
    }
    if (root)
        hostcheck_impact(ctx, r, "root's containers fail to start: they cannot mount their /proc");
    else
        hostcheck_impact(ctx, r,
                         "nook binds the outer /proc into containers instead: they see the outer container's processes (ps, /proc/PID), not only their own");
}
