/* overlay-release.c: what delete (and a failed create) does with
 * <state>/overlay (overlay.h): keep the upper layer where
 * nook.rootfs.keep-upper says, and remove the rest.
 *
 * The upper layer holds what the container wrote, owned by the container's
 * users: files of its root belong to the caller, but those of its other
 * users to the caller's subordinate ids, which the caller may neither
 * remove nor give away. Then the work is done again in a user namespace
 * with the container's id maps (recorded by create), as the container's
 * root: a forked child unshares it, create's own map writing (idmap.h)
 * gives it the maps. */
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "overlay.h"
#include "state.h"

/* Remove name in parent and everything below it, never crossing into
 * another mount. The caller's own directories it cannot read or write
 * into (overlayfs makes its work directory mode 0) are opened up first. */
static int remove_tree_at(int parent, const char *name, dev_t dev, char *path, size_t size,
                          struct nook_error *err)
{
    size_t base = strlen(path);
    snprintf(path + base, size - base, "/%s", name);
    struct stat st;
    int r = 0;
    if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
        r = errno == ENOENT ? 0 : nook_error_set_errno(err, errno, "stat \"%s\"", path);
        goto out;
    }
    if (!S_ISDIR(st.st_mode)) {
        if (unlinkat(parent, name, 0) < 0 && errno != ENOENT)
            r = nook_error_set_errno(err, errno, "remove \"%s\"", path);
        goto out;
    }
    if (st.st_dev != dev) {
        r = nook_error_set(err, EBUSY, "\"%s\" is a mount point; unmount it first", path);
        goto out;
    }
    if ((st.st_mode & 0700) != 0700 && st.st_uid == geteuid())
        (void)fchmodat(parent, name, (st.st_mode & 07777) | 0700, 0);
    int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        r = nook_error_set_errno(err, errno, "open \"%s\"", path);
        goto out;
    }
    DIR *d = fdopendir(fd);
    if (!d) {
        r = nook_error_set_errno(err, errno, "read \"%s\"", path);
        close(fd);
        goto out;
    }
    struct dirent *e;
    while (r == 0 && (errno = 0, e = readdir(d))) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            r = remove_tree_at(dirfd(d), e->d_name, dev, path, size, err);
    }
    if (r == 0 && errno)
        r = nook_error_set_errno(err, errno, "read \"%s\"", path);
    closedir(d);
    if (r == 0 && unlinkat(parent, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
        r = nook_error_set_errno(err, errno, "remove \"%s\"", path);
out:
    path[base] = '\0';
    return r;
}

struct release_job {
    int dir_fd;             /* the container's state directory */
    const char *dir_path;
    const char *keep;       /* where the upper layer goes; NULL: nowhere */
    bool as_container_root; /* in the user namespace of release_as_container_root() */
};

/* Move the upper layer to job->keep: renamed within a file system, copied
 * across. An empty directory there is replaced. */
static int keep_upper(struct release_job *job, struct nook_error *err)
{
    if (!job->keep)
        return 0;
    _cleanup_close_ int ov = openat(job->dir_fd, NOOK_OVERLAY_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (ov < 0)
        return nook_error_set_errno(err, errno, "open %s/" NOOK_OVERLAY_DIR, job->dir_path);
    struct stat st;
    /* None: moved already (before a retry as the container's root), or
     * create failed before it made one. */
    if (fstatat(ov, "upper", &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT)
        return 0;
    if (renameat(ov, "upper", AT_FDCWD, job->keep) == 0)
        return 0;
    if (errno != EXDEV)
        return nook_error_set_errno(err, errno, "keep the upper layer: move it to \"%s\"", job->keep);
    /* A copy needs the container's owners: unprivileged, only its root
     * can give them, so the copy is left to that retry from the start. */
    if (!job->as_container_root && geteuid() != 0 && faccessat(ov, "uid_map", F_OK, 0) == 0)
        return nook_error_set(err, EPERM, "keep the upper layer: copy it to \"%s\"", job->keep);
    _cleanup_close_ int upper = openat(ov, "upper", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (upper < 0)
        return nook_error_set_errno(err, errno, "open %s/" NOOK_OVERLAY_DIR "/upper", job->dir_path);
    return nook_overlay_copy_tree(upper, job->keep, err);
}

static int remove_overlay(struct release_job *job, struct nook_error *err)
{
    struct stat st;
    if (fstat(job->dir_fd, &st) < 0)
        return nook_error_set_errno(err, errno, "stat \"%s\"", job->dir_path);
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s", job->dir_path);
    return remove_tree_at(job->dir_fd, NOOK_OVERLAY_DIR, st.st_dev, path, sizeof(path), err);
}

static int release_steps(struct release_job *job, struct nook_error *err)
{
    int r = keep_upper(job, err);
    return r < 0 ? r : remove_overlay(job, err);
}

static int read_map(int ov, const char *name, struct nook_idmap *map)
{
    _cleanup_close_ int fd = openat(ov, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    char text[4096];
    ssize_t n = read(fd, text, sizeof(text) - 1);
    if (n < 0)
        return -errno;
    text[n] = '\0';
    return nook_overlay_parse_idmap(text, map);
}

/* In the forked child: a user namespace, root in it once the parent has
 * written its maps, the steps, the outcome back. */
static _Noreturn void release_child(struct release_job *job, int to_parent, int from_parent)
{
    struct nook_error result = { 0 };
    char go = 0;
    if (unshare(CLONE_NEWUSER) < 0) {
        nook_error_set_errno(&result, errno, "create a user namespace");
    } else if (write(to_parent, "u", 1) != 1 || read(from_parent, &go, 1) != 1 || go != 'g') {
        _exit(1);
    } else if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0) {
        nook_error_set_errno(&result, errno, "become root in the user namespace");
    } else {
        job->as_container_root = true;
        (void)release_steps(job, &result);
    }
    (void)!write(to_parent, &result, sizeof(result));
    _exit(result.errnum ? 1 : 0);
}

/* The steps again as the container's root, with the recorded maps. */
static int release_as_container_root(struct release_job *job, struct nook_error *err)
{
    _cleanup_close_ int ov = openat(job->dir_fd, NOOK_OVERLAY_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (ov < 0)
        return nook_error_set_errno(err, errno, "open %s/" NOOK_OVERLAY_DIR, job->dir_path);
    struct nook_idmap uid = { 0 }, gid = { 0 };
    if (read_map(ov, "uid_map", &uid) < 0 || read_map(ov, "gid_map", &gid) < 0) {
        free(uid.ranges);
        free(gid.ranges);
        return -ENOENT;
    }
    struct nook_idmap_owner owner = { .uid = getuid(), .gid = getgid() };
    _cleanup_(nook_idmaps_clear) struct nook_idmaps maps = { 0 };
    int r = nook_idmaps_resolve(&uid, &gid, &owner, &maps, err);
    free(uid.ranges);
    free(gid.ranges);
    if (r < 0)
        return r;

    int up[2], down[2];
    if (pipe2(up, O_CLOEXEC) < 0)
        return nook_error_set_errno(err, errno, "pipe");
    if (pipe2(down, O_CLOEXEC) < 0) {
        int saved = errno;
        close(up[0]);
        close(up[1]);
        return nook_error_set_errno(err, saved, "pipe");
    }
    _cleanup_close_ int from_child = up[0];
    _cleanup_close_ int to_child = down[1];
    pid_t pid = fork();
    if (pid < 0) {
        int saved = errno;
        close(up[1]);
        close(down[0]);
        return nook_error_set_errno(err, saved, "fork");
    }
    if (pid == 0)
        release_child(job, up[1], down[0]);
    close(up[1]);
    close(down[0]);

    char ready = 0;
    r = read(from_child, &ready, 1) == 1 && ready == 'u' ? 0 : -EPIPE;
    if (r == 0) {
        r = nook_idmaps_write(pid, &maps, &owner, err);
        if (r == 0 && write(to_child, "g", 1) != 1)
            r = -EPIPE;
    }
    struct nook_error result = { 0 };
    if (r == 0 && read(from_child, &result, sizeof(result)) != (ssize_t)sizeof(result))
        r = -EPIPE;
    if (r < 0)
        kill(pid, SIGKILL);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
        ;
    if (r == -EPIPE)
        return nook_error_set(err, EPIPE, "the user namespace for the upper layer ended early");
    if (r < 0)
        return r;
    if (result.errnum) {
        if (err)
            *err = result;
        return -result.errnum;
    }
    return 0;
}

static const char *state_annotation(const struct nook_state *state, const char *key)
{
    for (size_t i = 0; state && i < state->n_annotations; i++)
        if (strcmp(state->annotations[i].key, key) == 0)
            return state->annotations[i].value;
    return NULL;
}

int nook_overlay_release(int dir_fd, const char *dir_path, const struct nook_state *state,
                         bool keep, struct nook_error *err)
{
    struct stat st;
    if (fstatat(dir_fd, NOOK_OVERLAY_DIR, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return errno == ENOENT ? 0 : nook_error_set_errno(err, errno, "%s/" NOOK_OVERLAY_DIR, dir_path);
    struct release_job job = { .dir_fd = dir_fd, .dir_path = dir_path };
    _cleanup_free_ char *keep_path = NULL;
    const char *keep_value = keep ? state_annotation(state, NOOK_OVERLAY_KEEP_UPPER_ANNOTATION) : NULL;
    if (keep_value) {
        int r = nook_state_absolute_path(state->bundle, keep_value, &keep_path);
        if (r < 0)
            return nook_error_set_errno(err, -r, NOOK_OVERLAY_KEEP_UPPER_ANNOTATION " \"%s\"", keep_value);
        job.keep = keep_path;
    }
    struct nook_error first = { 0 };
    int r = release_steps(&job, &first);
    if (r == 0)
        return 0;
    if (r != -EACCES && r != -EPERM) {
        if (err)
            *err = first;
        return r;
    }
    /* Files of the container's other users: as its root. */
    r = release_as_container_root(&job, err);
    if (r == -ENOENT && err && !err->errnum) {
        *err = first;
        return -first.errnum;
    }
    return r;
}
