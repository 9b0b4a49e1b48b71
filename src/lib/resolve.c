/* resolve.c: paths inside a root filesystem that cannot lead out of it
 * (see resolve.h). Two ways to the same answer: the kernel's openat2 with
 * RESOLVE_IN_ROOT, and a walk by hand for kernels before 5.6 and for
 * creating what is missing, which openat2 cannot do for directories. */
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>

#include "resolve.h"
#include "util.h"

/* As the kernel's own limit on symlinks followed in one lookup. */
#define MAX_SYMLINKS 40

/* openat2 retries a lookup when a rename or mount raced with ".." and
 * answers EAGAIN; a few tries, then the walk by hand decides. */
#define OPENAT2_TRIES 16

const char *nook_fd_path(int fd, char buf[NOOK_FD_PATH_MAX])
{
    snprintf(buf, NOOK_FD_PATH_MAX, "/proc/self/fd/%d", fd);
    return buf;
}

static int sys_openat2(int dirfd, const char *path, struct open_how *how)
{
#ifdef SYS_openat2
    return (int)syscall(SYS_openat2, dirfd, path, how, sizeof(*how));
#else
    errno = ENOSYS;
    return -1;
#endif
}

/* Errors that mean "this kernel (or a seccomp filter around us) has no
 * openat2", as opposed to an answer about the path. */
static bool openat2_missing(int error)
{
    return error == ENOSYS || error == E2BIG || error == EPERM;
}

bool nook_resolve_have_openat2(void)
{
    struct open_how how = {
        .flags = O_PATH | O_CLOEXEC,
        .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
    };
    _cleanup_close_ int fd = sys_openat2(AT_FDCWD, "/", &how);
    return fd >= 0;
}

/* 1: openat2 answered (0 or an error in *result); 0: use the walk. */
static int try_openat2(int root_fd, const char *path, int open_flags, int *out_fd, int *result)
{
    struct open_how how = {
        .flags = (unsigned)(open_flags | O_CLOEXEC),
        .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
    };
    for (int i = 0; i < OPENAT2_TRIES; i++) {
        int fd = sys_openat2(root_fd, path, &how);
        if (fd >= 0) {
            *out_fd = fd;
            *result = 0;
            return 1;
        }
        if (errno == EAGAIN || errno == EINTR)
            continue;
        if (openat2_missing(errno))
            return 0;
        *result = -errno;
        return 1;
    }
    return 0;
}

/* The walk: a stack of O_PATH directory fds from the root down to where
 * the walk is. ".." pops the stack rather than asking the file system, so
 * a directory moved away mid-walk cannot carry the walk out of the root.
 * fds[0] is the caller's root_fd and is not ours to close. */
struct walk {
    int *fds;
    size_t depth;      /* index of the current directory in fds */
    size_t capacity;
};

static int walk_init(struct walk *w, int root_fd)
{
    w->capacity = 16;
    w->depth = 0;
    w->fds = malloc(w->capacity * sizeof(*w->fds));
    if (!w->fds)
        return -ENOMEM;
    w->fds[0] = root_fd;
    return 0;
}

static void walk_clear(struct walk *w)
{
    for (size_t i = 1; i <= w->depth; i++)
        close(w->fds[i]);
    free(w->fds);
    w->fds = NULL;
}

static int walk_push(struct walk *w, int fd)
{
    if (w->depth + 1 >= w->capacity) {
        size_t capacity = w->capacity * 2;
        int *fds = realloc(w->fds, capacity * sizeof(*fds));
        if (!fds) {
            close(fd);
            return -ENOMEM;
        }
        w->fds = fds;
        w->capacity = capacity;
    }
    w->fds[++w->depth] = fd;
    return 0;
}

static void walk_pop_to(struct walk *w, size_t depth)
{
    while (w->depth > depth)
        close(w->fds[w->depth--]);
}

/* procfs links whose target is not a path name but a kernel object
 * (/proc/self/fd/N, /proc/PID/root, /proc/PID/ns/net, ...): openat2
 * refuses them with RESOLVE_NO_MAGICLINKS, and so does the walk. Their
 * text is an absolute path or "type:[inode]"; the plain links of procfs
 * ("self" → "1234", "mounts" → "self/mounts") are relative. */
static bool is_magic_link(int link_fd, const char *target)
{
    struct statfs sfs;
    if (fstatfs(link_fd, &sfs) < 0 || sfs.f_type != PROC_SUPER_MAGIC)
        return false;
    return target[0] == '/' || strstr(target, ":[") != NULL;
}

/* Replace the pending path "<link>/<rest>" by "<target>/<rest>"; a
 * trailing slash after the link survives, as "link/" names a directory. */
static int splice_link(char *pending, size_t size, const char *target, const char *rest,
                       bool trailing_slash)
{
    char joined[PATH_MAX * 2];
    int n = snprintf(joined, sizeof(joined), "%s%s%s", target,
                     *rest || trailing_slash ? "/" : "", rest);
    if (n < 0 || (size_t)n >= size || (size_t)n >= sizeof(joined))
        return -ENAMETOOLONG;
    memcpy(pending, joined, (size_t)n + 1);
    return 0;
}

/* Create the missing entry name in dir_fd: a directory, or (last
 * component of an S_IFREG request) an empty file. Losing a race to another
 * creator is fine: the entry is then looked up again. */
static int create_entry(int dir_fd, const char *name, bool as_file, mode_t mode)
{
    if (as_file) {
        int fd = openat(dir_fd, name, O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY | O_CLOEXEC, mode);
        if (fd < 0)
            return errno == EEXIST ? 0 : -errno;
        close(fd);
        return 0;
    }
    if (mkdirat(dir_fd, name, mode) < 0 && errno != EEXIST)
        return -errno;
    return 0;
}

/* The walk by hand. create_type: 0 to only look up, S_IFDIR or S_IFREG
 * to create what is missing (then open_flags is O_PATH). */
static int walk_open(int root_fd, const char *path, int open_flags, mode_t create_type,
                     mode_t mode, int *out_fd)
{
    char pending[PATH_MAX * 2];
    if (strlen(path) >= PATH_MAX)
        return -ENAMETOOLONG;
    snprintf(pending, sizeof(pending), "%s", path);

    struct walk w;
    int r = walk_init(&w, root_fd);
    if (r < 0)
        return r;
    int links = 0;
    const char *p = pending;

    for (;;) {
        while (*p == '/')
            p++;
        int cur = w.fds[w.depth];
        if (*p == '\0') {
            /* The path ends at a directory (the root, "x/..", "x/."). */
            if (create_type == S_IFREG) {
                r = -EISDIR;
                break;
            }
            int fd = openat(cur, ".", (open_flags & ~O_NOFOLLOW) | O_CLOEXEC);
            r = fd < 0 ? -errno : 0;
            if (fd >= 0)
                *out_fd = fd;
            break;
        }

        const char *end = strchrnul(p, '/');
        size_t len = (size_t)(end - p);
        char name[NAME_MAX + 1];
        if (len > NAME_MAX) {
            r = -ENAMETOOLONG;
            break;
        }
        memcpy(name, p, len);
        name[len] = '\0';
        const char *rest = end;
        while (*rest == '/')
            rest++;
        bool last = *rest == '\0';
        bool trailing_slash = last && *end == '/';

        if (strcmp(name, ".") == 0) {
            p = end;
            continue;
        }
        if (strcmp(name, "..") == 0) {
            walk_pop_to(&w, w.depth ? w.depth - 1 : 0);
            p = end;
            continue;
        }

        int fd = openat(cur, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 && errno == ENOENT && create_type) {
            bool as_file = last && create_type == S_IFREG && !trailing_slash;
            r = create_entry(cur, name, as_file, last ? mode : 0755);
            if (r < 0)
                break;
            fd = openat(cur, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        }
        if (fd < 0) {
            r = -errno;
            break;
        }
        struct stat st;
        if (fstat(fd, &st) < 0) {
            r = -errno;
            close(fd);
            break;
        }

        if (S_ISLNK(st.st_mode)) {
            char target[PATH_MAX];
            ssize_t n = readlinkat(fd, "", target, sizeof(target));
            int link_errno = errno;
            if (n >= 0 && (size_t)n < sizeof(target))
                target[n] = '\0';
            bool magic = n >= 0 && (size_t)n < sizeof(target) && is_magic_link(fd, target);
            close(fd);
            if (n < 0) {
                r = -link_errno;
                break;
            }
            if ((size_t)n >= sizeof(target)) {
                r = -ENAMETOOLONG;
                break;
            }
            if (magic || ++links > MAX_SYMLINKS) {
                r = -ELOOP;
                break;
            }
            r = splice_link(pending, sizeof(pending), target, rest, trailing_slash);
            if (r < 0)
                break;
            if (target[0] == '/')
                walk_pop_to(&w, 0);
            p = pending;
            continue;
        }

        if (!last || trailing_slash) {
            if (!S_ISDIR(st.st_mode)) {
                close(fd);
                r = -ENOTDIR;
                break;
            }
        }
        if (!last) {
            r = walk_push(&w, fd);
            if (r < 0)
                break;
            p = end;
            continue;
        }

        /* The last component, not a symlink. */
        if (create_type == S_IFDIR && !S_ISDIR(st.st_mode)) {
            close(fd);
            r = -ENOTDIR;
            break;
        }
        if (create_type == S_IFREG && S_ISDIR(st.st_mode)) {
            close(fd);
            r = -EISDIR;
            break;
        }
        if ((open_flags & O_DIRECTORY) && !S_ISDIR(st.st_mode)) {
            close(fd);
            r = -ENOTDIR;
            break;
        }
        if (open_flags & O_PATH) {
            *out_fd = fd;
            r = 0;
            break;
        }
        close(fd);
        /* Reopen for real. Only this one name is looked up, without
         * following it: a symlink swapped in meanwhile fails (ELOOP)
         * instead of being followed out. */
        fd = openat(cur, name, open_flags | O_NOFOLLOW | O_CLOEXEC);
        r = fd < 0 ? -errno : 0;
        if (fd >= 0)
            *out_fd = fd;
        break;
    }
    walk_clear(&w);
    return r;
}

int nook_resolve_open(int root_fd, const char *path, int open_flags, unsigned flags, int *out_fd)
{
    if (open_flags & O_CREAT)
        return -EINVAL;
    if (!(flags & NOOK_RESOLVE_NO_OPENAT2)) {
        int result;
        if (try_openat2(root_fd, path, open_flags, out_fd, &result))
            return result;
    }
    return walk_open(root_fd, path, open_flags, 0, 0, out_fd);
}

int nook_resolve_create(int root_fd, const char *path, mode_t type, mode_t mode, unsigned flags,
                        int *out_fd)
{
    if (type != S_IFDIR && type != S_IFREG)
        return -EINVAL;
    int fd = -1;
    int r = nook_resolve_open(root_fd, path, O_PATH, flags, &fd);
    if (r == 0) {
        struct stat st;
        if (fstat(fd, &st) < 0) {
            r = -errno;
            close(fd);
            return r;
        }
        if (type == S_IFDIR && !S_ISDIR(st.st_mode)) {
            close(fd);
            return -ENOTDIR;
        }
        if (type == S_IFREG && S_ISDIR(st.st_mode)) {
            close(fd);
            return -EISDIR;
        }
        *out_fd = fd;
        return 0;
    }
    if (r != -ENOENT)
        return r;
    return walk_open(root_fd, path, O_PATH, type, mode, out_fd);
}
