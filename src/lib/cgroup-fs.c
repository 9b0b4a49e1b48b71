/* cgroup-fs.c: the cgroupfs manager: nook makes the container's cgroup
 * itself in a cgroup v2 subtree the caller may write (rootless: the
 * subtree delegated to it; root: anywhere), enables the controllers its
 * limits need, writes them, and hands create an fd of it for
 * clone3(CLONE_INTO_CGROUP). */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "cgroup-internal.h"
#include "spec.h"

/* Where root's containers go when config.json names no cgroupsPath. */
#define PRIVILEGED_PARENT "/nook"

static bool owned_by(const char *root, const char *path, uid_t uid)
{
    _cleanup_free_ char *dir = NULL;
    if (asprintf(&dir, "%s%s", root, strcmp(path, "/") == 0 ? "" : path) < 0)
        return false;
    _cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct stat st_dir, st_procs;
    return fd >= 0 && fstat(fd, &st_dir) == 0 && st_dir.st_uid == uid &&
           fstatat(fd, "cgroup.procs", &st_procs, 0) == 0 && st_procs.st_uid == uid;
}

/* "/a/b" -> "/a"; "/a" -> "/". In place. */
static void cut_last(char *path)
{
    char *slash = strrchr(path, '/');
    if (slash == path)
        path[1] = '\0';
    else if (slash)
        *slash = '\0';
}

int nook_cgroup_fs_top(bool privileged, char **out_top, struct nook_error *err)
{
    const char *root;
    if (nook_cgroup_v2_root(&root) < 0)
        return nook_error_set(err, ENOENT,
                              "this host has no cgroup v2 hierarchy (neither /sys/fs/cgroup nor /sys/fs/cgroup/unified is cgroup2), and nook uses only cgroup v2 (see: nook check cgroup.v2)");
    if (privileged) {
        *out_top = strdup("/");
        return *out_top ? 0 : nook_error_set(err, ENOMEM, "out of memory");
    }
    _cleanup_free_ char *own = NULL;
    int r = nook_cgroup_v2_of_pid(0, &own, err);
    if (r < 0)
        return r;
    /* The delegation is the topmost cgroup, going up from our own, that
     * is ours: its directory and its cgroup.procs belong to us. */
    uid_t uid = geteuid();
    _cleanup_free_ char *cur = strdup(own);
    _cleanup_free_ char *top = NULL;
    if (!cur)
        return nook_error_set(err, ENOMEM, "out of memory");
    while (owned_by(root, cur, uid)) {
        free(top);
        top = strdup(cur);
        if (!top)
            return nook_error_set(err, ENOMEM, "out of memory");
        if (strcmp(cur, "/") == 0)
            break;
        cut_last(cur);
    }
    if (!top)
        return nook_error_set(err, EACCES,
                              "no cgroup v2 subtree is delegated to you (your cgroup %s in %s is not yours) (see: nook check cgroup.delegation)",
                              own, root);
    *out_top = steal_pointer(&top);
    return 0;
}

static bool is_below(const char *path, const char *top)
{
    if (strcmp(top, "/") == 0)
        return strcmp(path, "/") != 0;
    size_t len = strlen(top);
    return strncmp(path, top, len) == 0 && path[len] == '/' && path[len + 1];
}

static bool looks_like_systemd(const char *path)
{
    const char *colon = strchr(path, ':');
    return path[0] != '/' && colon && strchr(colon + 1, ':') && !strchr(path, '/');
}

/* A path inside the hierarchy without "." or ".." components or a
 * trailing "/": the kernel would take "." and ".." literally, and a
 * rootless caller must not climb out of its delegation with them. */
static bool path_is_plain(const char *path)
{
    size_t len = strlen(path);
    if (len == 0 || (len > 1 && path[len - 1] == '/'))
        return false;
    for (const char *p = path; *p;) {
        while (*p == '/')
            p++;
        size_t n = strcspn(p, "/");
        if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
            return false;
        p += n;
    }
    return true;
}

/* The container's cgroup: .linux.cgroupsPath made absolute below top, or
 * the default for the id. */
static int container_path(const struct nook_cgroup_request *request, const char *top,
                          char **out, struct nook_error *err)
{
    const char *given = request->cgroups_path;
    int n;
    if (!given || !*given) {
        if (request->privileged && strcmp(top, "/") == 0)
            n = asprintf(out, PRIVILEGED_PARENT "/%s", request->id);
        else
            n = asprintf(out, "%s/nook-%s", strcmp(top, "/") == 0 ? "" : top, request->id);
        return n < 0 ? nook_error_set(err, ENOMEM, "out of memory") : 0;
    }
    if (looks_like_systemd(given))
        return nook_error_set(err, EINVAL,
                              "config.json: .linux.cgroupsPath: \"%s\" is a systemd unit path (slice:prefix:name), which only the systemd cgroup manager takes; use --cgroup-manager systemd, or give a cgroup path",
                              given);
    if (!path_is_plain(given))
        return nook_error_set(err, EINVAL,
                              "config.json: .linux.cgroupsPath: \"%s\" is not a cgroup path (no \".\" or \"..\" components, no trailing \"/\")",
                              given);
    if (given[0] == '/') {
        /* Tidy "//a" into "/a" so that comparisons with top hold. */
        while (given[1] == '/')
            given++;
        if (strcmp(given, top) == 0)
            return nook_error_set(err, EINVAL,
                                  "config.json: .linux.cgroupsPath: \"%s\" is the top of the cgroup v2 subtree you may write, not a cgroup of its own; use a path below it",
                                  given);
        if (!is_below(given, top))
            return nook_error_set(err, EACCES,
                                  "config.json: .linux.cgroupsPath: \"%s\" is outside the cgroup v2 subtree you may write (%s); use a path below it, or a relative one",
                                  given, top);
        *out = strdup(given);
        return *out ? 0 : nook_error_set(err, ENOMEM, "out of memory");
    }
    n = asprintf(out, "%s/%s", strcmp(top, "/") == 0 ? "" : top, given);
    return n < 0 ? nook_error_set(err, ENOMEM, "out of memory") : 0;
}

/* An existing cgroup may be used only when nothing runs in it: runc
 * refuses to share a cgroup with a live process too. */
static int check_unused(const char *path, const struct nook_cgroup_request *request,
                        struct nook_error *err)
{
    _cleanup_close_ int fd = -1;
    struct nook_error ignored = { 0 };
    if (nook_cgroup_v2_open_path(path, &fd, &ignored) < 0)
        return 0;
    if (nook_cgroup_v2_populated(fd))
        return nook_error_set(err, EBUSY,
                              "%sthe cgroup %s already has processes in it; a container needs a cgroup of its own",
                              request->cgroups_path ? "config.json: .linux.cgroupsPath: " : "", path);
    return 0;
}

static int open_parent(const char *path, char **parent_path, int *parent_fd, struct nook_error *err)
{
    *parent_path = strdup(path);
    if (!*parent_path)
        return nook_error_set(err, ENOMEM, "out of memory");
    cut_last(*parent_path);
    return nook_cgroup_v2_open_path(*parent_path, parent_fd, err);
}

/* Undo a mkdir of path that made everything from made_from down: the
 * leaf with what may be below it, then each parent with a plain rmdir, so
 * that a sibling another create has just made there is never touched. */
static void remove_made(const char *path, const char *made_from)
{
    struct nook_error ignored = { 0 };
    (void)nook_cgroup_v2_remove_tree(path, &ignored);
    const char *root;
    if (nook_cgroup_v2_root(&root) < 0)
        return;
    _cleanup_free_ char *cur = strdup(path);
    while (cur && strlen(cur) > strlen(made_from)) {
        cut_last(cur);
        _cleanup_free_ char *dir = NULL;
        if (asprintf(&dir, "%s%s", root, cur) < 0 || rmdir(dir) < 0)
            break;
    }
}

int nook_cgroup_fs_prepare(const struct nook_cgroup_request *request, const char *top,
                           bool optional, struct nook_cgroup_setup *setup, char **warning,
                           struct nook_error *err)
{
    _cleanup_free_ char *path = NULL;
    int r = container_path(request, top, &path, err);
    if (r == 0)
        r = check_unused(path, request, err);
    if (r < 0)
        return r;
    _cleanup_free_ char *made_from = NULL;
    r = nook_cgroup_v2_mkdir(path, &made_from, err);
    if (r == -EACCES || r == -EPERM || r == -EROFS)
        nook_cgroup_error_see(err, "cgroup.delegation");
    if (r < 0)
        return r;

    _cleanup_close_ int fd = -1, parent_fd = -1;
    _cleanup_free_ char *parent_path = NULL;
    r = open_parent(path, &parent_path, &parent_fd, err);
    if (r == 0)
        r = nook_cgroup_enable_controllers(parent_fd, parent_path, request->resources, optional,
                                           warning, err);
    if (r == 0)
        r = nook_cgroup_v2_open_path(path, &fd, err);
    if (r == 0) {
        r = nook_cgroup_write_resources(fd, request->resources, err);
        if (r < 0)
            nook_error_prefix(err, "cgroup %s", path);
    }
    if (r < 0) {
        if (made_from)
            remove_made(path, made_from);
        free(*warning);
        *warning = NULL;
        return r;
    }
    setup->cgroup.manager = NOOK_CGROUP_MANAGER_CGROUPFS;
    setup->cgroup.path = steal_pointer(&path);
    setup->clone_into_fd = steal_fd(&fd);
    /* Only a cgroup this create made is removed if it fails; one that
     * was there already (empty) is left as it was found. */
    setup->made = made_from != NULL;
    /* ... and so is it at delete (state.json keeps this). */
    setup->cgroup.existed = made_from == NULL;
    return 0;
}

void nook_cgroup_fs_remove_parent(const char *path)
{
    /* Root's default parent is nook's own: remove it once it is empty.
     * A create making a sibling at the same moment retries its mkdir. */
    size_t len = strlen(PRIVILEGED_PARENT);
    if (strncmp(path, PRIVILEGED_PARENT "/", len + 1) != 0 || strchr(path + len + 1, '/'))
        return;
    const char *root;
    if (nook_cgroup_v2_root(&root) < 0)
        return;
    _cleanup_free_ char *dir = NULL;
    if (asprintf(&dir, "%s" PRIVILEGED_PARENT, root) < 0)
        return;
    (void)rmdir(dir);
}
