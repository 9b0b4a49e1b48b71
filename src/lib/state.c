/* state.c: the state store on disk: the root directory, container
 * directories (created atomically, opened, locked, removed) and state.json
 * read and replaced atomically. */
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>

#include "container-id.h"
#include "idmap.h"
#include "state.h"

/* state.json holds annotations from config.json, which engines fill
 * generously, but never anything near this. */
#define STATE_FILE_MAX (16 * 1024 * 1024)

/* The temporary names used while writing; they start with "." so they can
 * never be taken for a container id. */
#define STATE_FILE_TEMP ".state.json.tmp"
#define NEW_DIR_TEMPLATE ".new-XXXXXX"

/* ---- the root directory ---- */

/* Lexically clean an absolute path: no "//", "." or ".." components, no
 * trailing slash (as Go's filepath.Clean, which runc applies). */
static void clean_absolute_path(char *path)
{
    char *out = path;
    const char *in = path;
    while (*in) {
        while (*in == '/')
            in++;
        const char *end = strchrnul(in, '/');
        size_t len = (size_t)(end - in);
        if (len == 0 || (len == 1 && in[0] == '.')) {
            /* nothing to keep */
        } else if (len == 2 && in[0] == '.' && in[1] == '.') {
            while (out > path && *(out - 1) != '/')
                out--;
            if (out > path)
                out--;
        } else {
            *out++ = '/';
            memmove(out, in, len);
            out += len;
        }
        in = end;
    }
    if (out == path)
        *out++ = '/';
    *out = '\0';
}

int nook_state_absolute_path(const char *base, const char *path, char **out)
{
    char *joined = NULL;
    if (path[0] == '/') {
        joined = strdup(path);
    } else {
        /* Only a relative path needs the current directory, which may have
         * been removed under us. */
        char cwd[PATH_MAX];
        if (!base) {
            if (!getcwd(cwd, sizeof(cwd)))
                return -errno;
            base = cwd;
        }
        if (asprintf(&joined, "%s/%s", base, path) < 0)
            joined = NULL;
    }
    if (!joined)
        return -ENOMEM;
    clean_absolute_path(joined);
    *out = joined;
    return 0;
}

/* The user's runtime directory, which must be theirs: $XDG_RUNTIME_DIR/nook. */
static int xdg_state_root(uid_t euid, const char *xdg_runtime_dir, char **out, struct nook_error *err)
{
    const char *fix = "log in through a session manager (pam_systemd) or pass --root DIR (see: nook check runtime-dir)";
    if (!xdg_runtime_dir || xdg_runtime_dir[0] == '\0')
        return nook_error_set(err, ENOENT, "XDG_RUNTIME_DIR is not set; %s", fix);
    if (xdg_runtime_dir[0] != '/')
        return nook_error_set(err, EINVAL, "XDG_RUNTIME_DIR \"%s\" is not an absolute path; %s",
                              xdg_runtime_dir, fix);
    struct stat st;
    if (stat(xdg_runtime_dir, &st) < 0)
        return nook_error_set(err, errno, "XDG_RUNTIME_DIR \"%s\": %s; %s", xdg_runtime_dir,
                              strerror(errno), fix);
    if (!S_ISDIR(st.st_mode))
        return nook_error_set(err, ENOTDIR, "XDG_RUNTIME_DIR \"%s\" is not a directory; %s",
                              xdg_runtime_dir, fix);
    if (st.st_uid != euid)
        return nook_error_set(err, EPERM,
                              "XDG_RUNTIME_DIR \"%s\" belongs to uid %u, not to you (uid %u); %s",
                              xdg_runtime_dir, (unsigned)st.st_uid, (unsigned)euid, fix);
    if (asprintf(out, "%s/%s", xdg_runtime_dir, NOOK_STATE_ROOT_SUBDIR) < 0)
        return nook_error_set(err, ENOMEM, "out of memory");
    return 0;
}

int nook_state_root_resolve(const char *root_flag, uid_t euid, const char *xdg_runtime_dir,
                            char **out, struct nook_error *err)
{
    if (root_flag) {
        if (root_flag[0] == '\0')
            return nook_error_set(err, EINVAL, "--root must not be empty");
        int r = nook_state_absolute_path(NULL, root_flag, out);
        if (r < 0)
            return nook_error_set_errno(err, -r, "make --root \"%s\" absolute", root_flag);
        return 0;
    }
    if (euid == 0) {
        *out = strdup(NOOK_STATE_ROOT_PRIVILEGED);
        return *out ? 0 : nook_error_set(err, ENOMEM, "out of memory");
    }
    return xdg_state_root(euid, xdg_runtime_dir, out, err);
}

int nook_state_root_default(const char *root_flag, char **out, struct nook_error *err)
{
    const char *xdg_runtime_dir = getenv("XDG_RUNTIME_DIR");
    const char *user = getenv("USER");
    /* Root of a user namespace that is not the initial one (podman's
     * rootless one) cannot write the host's /run: it keeps to the user's
     * runtime directory, as runc does there unless $USER is root. */
    if (!root_flag && geteuid() == 0 && xdg_runtime_dir && xdg_runtime_dir[0] &&
        !(user && strcmp(user, "root") == 0) && nook_idmap_in_user_namespace())
        return xdg_state_root(0, xdg_runtime_dir, out, err);
    return nook_state_root_resolve(root_flag, geteuid(), xdg_runtime_dir, out, err);
}

int nook_state_root_ensure(const char *root, struct nook_error *err)
{
    _cleanup_free_ char *path = strdup(root);
    if (!path)
        return nook_error_set(err, ENOMEM, "out of memory");
    /* Create each missing component, as runc's MkdirAll(root, 0700). */
    for (char *p = path + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char saved = *p;
        *p = '\0';
        if (mkdir(path, 0700) < 0 && errno != EEXIST)
            return nook_error_set_errno(err, errno, "create state directory \"%s\"", path);
        *p = saved;
        if (saved == '\0')
            break;
    }
    struct stat st;
    if (stat(root, &st) < 0)
        return nook_error_set_errno(err, errno, "state directory \"%s\"", root);
    if (!S_ISDIR(st.st_mode))
        return nook_error_set(err, ENOTDIR, "state directory \"%s\" is not a directory", root);
    return 0;
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int nook_state_list_ids(const char *root, char ***out_ids, struct nook_error *err)
{
    size_t n = 0;
    _cleanup_strv_ char **ids = calloc(1, sizeof(char *));
    if (!ids)
        return nook_error_set(err, ENOMEM, "out of memory");
    _cleanup_closedir_ DIR *d = opendir(root);
    if (!d) {
        if (errno == ENOENT) {
            *out_ids = steal_pointer(&ids);
            return 0;
        }
        return nook_error_set_errno(err, errno, "read state directory \"%s\"", root);
    }
    for (;;) {
        errno = 0;
        struct dirent *e = readdir(d);
        if (!e) {
            if (errno)
                return nook_error_set_errno(err, errno, "read state directory \"%s\"", root);
            break;
        }
        if (nook_container_id_validate(e->d_name, NULL) < 0)
            continue;
        if (e->d_type != DT_DIR) {
            struct stat st;
            if (e->d_type != DT_UNKNOWN ||
                fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode))
                continue;
        }
        char **grown = realloc(ids, (n + 2) * sizeof(char *));
        if (!grown)
            return nook_error_set(err, ENOMEM, "out of memory");
        ids = grown;
        ids[n] = strdup(e->d_name);
        ids[n + 1] = NULL;
        if (!ids[n])
            return nook_error_set(err, ENOMEM, "out of memory");
        n++;
    }
    qsort(ids, n, sizeof(char *), compare_strings);
    *out_ids = steal_pointer(&ids);
    return 0;
}

/* ---- locking ---- */

static void sleep_ms(long ms)
{
    struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* flock(LOCK_EX) with a bound: flock itself cannot time out without a
 * signal, and a signal handler would be global state, so poll. */
static int lock_exclusive(int fd, int timeout_ms)
{
    if (timeout_ms < 0) {
        while (flock(fd, LOCK_EX) < 0)
            if (errno != EINTR)
                return -errno;
        return 0;
    }
    long waited = 0;
    long step = 5;
    for (;;) {
        if (flock(fd, LOCK_EX | LOCK_NB) == 0)
            return 0;
        if (errno != EWOULDBLOCK && errno != EINTR)
            return -errno;
        if (waited >= timeout_ms)
            return -EBUSY;
        sleep_ms(step);
        waited += step;
        if (step < 100)
            step *= 2;
    }
}

/* ---- container directories ---- */

static struct nook_container_dir *dir_new(const char *root, const char *id)
{
    struct nook_container_dir *dir = calloc(1, sizeof(*dir));
    if (!dir)
        return NULL;
    dir->fd = -1;
    dir->id = strdup(id);
    if (!dir->id || asprintf(&dir->path, "%s/%s", root, id) < 0) {
        dir->path = NULL;
        nook_container_dir_free(dir);
        return NULL;
    }
    return dir;
}

void nook_container_dir_free(struct nook_container_dir *dir)
{
    if (!dir)
        return;
    /* Closing the last fd of the open file releases the flock. */
    if (dir->fd >= 0)
        close(dir->fd);
    free(dir->id);
    free(dir->path);
    free(dir);
}

static bool same_inode(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

int nook_container_dir_open(const char *root, const char *id, enum nook_lock lock,
                            int timeout_ms, struct nook_container_dir **out,
                            struct nook_error *err)
{
    int r = nook_container_id_validate(id, err);
    if (r < 0)
        return r;
    _cleanup_container_dir_ struct nook_container_dir *dir = dir_new(root, id);
    if (!dir)
        return nook_error_set(err, ENOMEM, "out of memory");

    /* A delete may remove the directory while we wait for its lock, and a
     * create may then make a new one under the same name: after locking,
     * check that the name still leads to what we locked. */
    for (int attempt = 0; attempt < 5; attempt++) {
        _cleanup_close_ int fd = open(dir->path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) {
            if (errno == ENOENT)
                return nook_error_set(err, ENOENT, "container \"%s\" does not exist", id);
            if (errno == ENOTDIR || errno == ELOOP)
                return nook_error_set(err, ENOTDIR,
                                      "container \"%s\": \"%s\" is not a directory; remove it",
                                      id, dir->path);
            return nook_error_set_errno(err, errno, "open container \"%s\" (%s)", id, dir->path);
        }
        if (lock == NOOK_LOCK_NONE) {
            dir->fd = steal_fd(&fd);
            *out = steal_pointer(&dir);
            return 0;
        }
        r = lock_exclusive(fd, timeout_ms);
        if (r == -EBUSY)
            return nook_error_set(err, EBUSY,
                                  "container \"%s\" is busy: another nook command holds its lock "
                                  "(waited %d ms); try again when it has finished",
                                  id, timeout_ms);
        if (r < 0)
            return nook_error_set_errno(err, -r, "lock container \"%s\"", id);
        struct stat locked, named;
        if (fstat(fd, &locked) < 0)
            return nook_error_set_errno(err, errno, "stat container \"%s\"", id);
        if (lstat(dir->path, &named) < 0) {
            if (errno != ENOENT)
                return nook_error_set_errno(err, errno, "stat container \"%s\"", id);
            continue;
        }
        if (same_inode(&locked, &named)) {
            dir->fd = steal_fd(&fd);
            dir->locked = true;
            *out = steal_pointer(&dir);
            return 0;
        }
    }
    return nook_error_set(err, ENOENT, "container \"%s\" does not exist", id);
}

/* Write name in dir_fd atomically: a temporary file, fsync, rename over
 * name, fsync of the directory. Callers hold the directory's lock, so one
 * fixed temporary name is enough. */
static int write_file_atomic(int dir_fd, const char *name, const char *data, size_t length)
{
    _cleanup_close_ int fd = openat(dir_fd, STATE_FILE_TEMP,
                                    O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return -errno;
    size_t done = 0;
    while (done < length) {
        ssize_t n = write(fd, data + done, length - done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            int saved = errno;
            unlinkat(dir_fd, STATE_FILE_TEMP, 0);
            return -saved;
        }
        done += (size_t)n;
    }
    if (fsync(fd) < 0 || close(steal_fd(&fd)) < 0 ||
        renameat(dir_fd, STATE_FILE_TEMP, dir_fd, name) < 0) {
        int saved = errno;
        unlinkat(dir_fd, STATE_FILE_TEMP, 0);
        return -saved;
    }
    if (fsync(dir_fd) < 0)
        return -errno;
    return 0;
}

int nook_state_save(const struct nook_container_dir *dir, const struct nook_state *state,
                    struct nook_error *err)
{
    /* Two writers would each rename their own version into place and one
     * update would be lost: saving is for the lock holder only. */
    if (!dir->locked)
        return nook_error_set(err, ENOLCK, "save state of container \"%s\" without its lock",
                              dir->id);
    _cleanup_free_ char *text = NULL;
    int r = nook_state_to_json(state, &text, err);
    if (r < 0)
        return nook_error_prefix(err, "save state of container \"%s\"", dir->id);
    r = write_file_atomic(dir->fd, NOOK_STATE_FILE, text, strlen(text));
    if (r < 0)
        return nook_error_set_errno(err, -r, "write %s/%s", dir->path, NOOK_STATE_FILE);
    return 0;
}

int nook_state_load(const struct nook_container_dir *dir, struct nook_state *out,
                    struct nook_error *err)
{
    _cleanup_close_ int fd = openat(dir->fd, NOOK_STATE_FILE, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return nook_error_set(err, ENOENT, "container \"%s\" has no %s (%s)", dir->id,
                                  NOOK_STATE_FILE, dir->path);
        return nook_error_set_errno(err, errno, "open %s/%s", dir->path, NOOK_STATE_FILE);
    }
    struct stat st;
    if (fstat(fd, &st) < 0)
        return nook_error_set_errno(err, errno, "stat %s/%s", dir->path, NOOK_STATE_FILE);
    if (!S_ISREG(st.st_mode) || st.st_size > STATE_FILE_MAX)
        return nook_error_set(err, EBADMSG, "%s/%s is not a regular file of a sane size",
                              dir->path, NOOK_STATE_FILE);
    size_t size = (size_t)st.st_size;
    _cleanup_free_ char *text = malloc(size + 1);
    if (!text)
        return nook_error_set(err, ENOMEM, "out of memory");
    size_t done = 0;
    while (done < size) {
        ssize_t n = read(fd, text + done, size - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return nook_error_set_errno(err, errno, "read %s/%s", dir->path, NOOK_STATE_FILE);
        if (n == 0)
            break;
        done += (size_t)n;
    }
    text[done] = '\0';
    int r = nook_state_from_json(text, done, out, err);
    if (r < 0)
        return nook_error_prefix(err, "state of container \"%s\" (%s/%s)", dir->id, dir->path,
                                 NOOK_STATE_FILE);
    if (strcmp(out->id, dir->id) != 0) {
        nook_state_clear(out);
        return nook_error_set(err, EBADMSG, "%s/%s records another container's id", dir->path,
                              NOOK_STATE_FILE);
    }
    return 0;
}

/* Remove everything inside the directory fd (which this takes), without
 * following symlinks and without crossing into another filesystem: a mount
 * left inside a container directory is refused, never emptied. */
static int remove_contents(int fd, const char *path, struct nook_error *err)
{
    struct stat top;
    if (fstat(fd, &top) < 0) {
        int saved = errno;
        close(fd);
        return nook_error_set_errno(err, saved, "stat \"%s\"", path);
    }
    _cleanup_closedir_ DIR *d = fdopendir(fd);
    if (!d) {
        int saved = errno;
        close(fd);
        return nook_error_set_errno(err, saved, "read \"%s\"", path);
    }
    for (;;) {
        errno = 0;
        struct dirent *e = readdir(d);
        if (!e) {
            if (errno)
                return nook_error_set_errno(err, errno, "read \"%s\"", path);
            return 0;
        }
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        bool is_dir = e->d_type == DT_DIR;
        if (e->d_type == DT_UNKNOWN) {
            struct stat st;
            if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                if (errno == ENOENT)
                    continue;
                return nook_error_set_errno(err, errno, "stat \"%s/%s\"", path, e->d_name);
            }
            is_dir = S_ISDIR(st.st_mode);
        }
        if (!is_dir) {
            if (unlinkat(dirfd(d), e->d_name, 0) < 0 && errno != ENOENT)
                return nook_error_set_errno(err, errno, "remove \"%s/%s\"", path, e->d_name);
            continue;
        }
        _cleanup_free_ char *child_path = NULL;
        if (asprintf(&child_path, "%s/%s", path, e->d_name) < 0)
            return nook_error_set(err, ENOMEM, "out of memory");
        int child = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (child < 0)
            return nook_error_set_errno(err, errno, "open \"%s\"", child_path);
        struct stat st;
        if (fstat(child, &st) < 0) {
            int saved = errno;
            close(child);
            return nook_error_set_errno(err, saved, "stat \"%s\"", child_path);
        }
        if (st.st_dev != top.st_dev) {
            close(child);
            return nook_error_set(err, EBUSY, "\"%s\" is a mount point; unmount it first",
                                  child_path);
        }
        int r = remove_contents(child, child_path, err);
        if (r < 0)
            return r;
        if (unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR) < 0 && errno != ENOENT)
            return nook_error_set_errno(err, errno, "remove \"%s\"", child_path);
    }
}

int nook_container_dir_remove(struct nook_container_dir *dir, struct nook_error *err)
{
    /* A fresh open file description, so reading the directory leaves
     * dir->fd (and its lock) alone. */
    int fd = openat(dir->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return nook_error_set_errno(err, errno, "open \"%s\"", dir->path);
    int r = remove_contents(fd, dir->path, err);
    if (r < 0)
        return nook_error_prefix(err, "remove container \"%s\"", dir->id);
    if (rmdir(dir->path) < 0 && errno != ENOENT)
        return nook_error_set_errno(err, errno, "remove container \"%s\": remove \"%s\"", dir->id,
                                    dir->path);
    return 0;
}

int nook_container_dir_create(const char *root, const struct nook_state *state,
                              struct nook_container_dir **out, struct nook_error *err)
{
    int r = nook_container_id_validate(state->id, err);
    if (r < 0)
        return r;
    r = nook_state_root_ensure(root, err);
    if (r < 0)
        return r;
    _cleanup_container_dir_ struct nook_container_dir *dir = dir_new(root, state->id);
    if (!dir)
        return nook_error_set(err, ENOMEM, "out of memory");
    struct stat st;
    if (lstat(dir->path, &st) == 0)
        return nook_error_set(err, EEXIST, "container \"%s\" already exists", state->id);

    /* Build the directory under a temporary name, locked and with its
     * state.json, then rename it into place: nobody ever sees a container
     * directory without a state or without its creator's lock. */
    _cleanup_free_ char *temp_path = NULL;
    if (asprintf(&temp_path, "%s/%s", root, NEW_DIR_TEMPLATE) < 0)
        return nook_error_set(err, ENOMEM, "out of memory");
    if (!mkdtemp(temp_path))
        return nook_error_set_errno(err, errno, "create a directory in \"%s\"", root);

    _cleanup_container_dir_ struct nook_container_dir *temp = dir_new(root, state->id);
    if (!temp)
        r = nook_error_set(err, ENOMEM, "out of memory");
    if (r == 0) {
        free(temp->path);
        temp->path = steal_pointer(&temp_path);
        temp->fd = open(temp->path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (temp->fd < 0)
            r = nook_error_set_errno(err, errno, "open \"%s\"", temp->path);
    }
    if (r == 0) {
        if (flock(temp->fd, LOCK_EX | LOCK_NB) < 0)
            r = nook_error_set_errno(err, errno, "lock \"%s\"", temp->path);
        else
            temp->locked = true;
    }
    if (r == 0)
        r = nook_state_save(temp, state, err);
    if (r == 0) {
        r = renameat2(AT_FDCWD, temp->path, AT_FDCWD, dir->path, RENAME_NOREPLACE);
        /* Without RENAME_NOREPLACE in this filesystem, a plain rename still
         * refuses to replace a container directory, which is never empty. */
        if (r < 0 && (errno == EINVAL || errno == ENOSYS))
            r = rename(temp->path, dir->path);
        if (r < 0) {
            if (errno == EEXIST || errno == ENOTEMPTY || errno == ENOTDIR)
                r = nook_error_set(err, EEXIST, "container \"%s\" already exists", state->id);
            else
                r = nook_error_set_errno(err, errno, "create container directory \"%s\"",
                                         dir->path);
        }
    }
    if (r < 0) {
        if (temp && temp->fd >= 0)
            nook_container_dir_remove(temp, NULL);
        else
            rmdir(temp ? temp->path : temp_path);
        return r;
    }
    dir->fd = steal_fd(&temp->fd);
    dir->locked = true;
    *out = steal_pointer(&dir);
    return 0;
}
