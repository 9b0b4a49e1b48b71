/* cgroup-v2.c: the generic cgroup v2 pieces every manager uses: where the
 * hierarchy is mounted, which cgroup a process is in, making, opening,
 * reading, writing and removing cgroup directories, and moving a process.
 * Paths are always paths inside the hierarchy ("/a/b"); the mount point is
 * looked up each time, so a hybrid host (/sys/fs/cgroup/unified) and a
 * unified one (/sys/fs/cgroup) are the same to the callers. */
#include <fcntl.h>
#include <linux/magic.h>
#include <poll.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>

#include "cgroup-internal.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

/* How long removing a cgroup waits for the processes just killed in it to
 * be gone (they leave it as they exit, which is quick but not instant). */
#define REMOVE_WAIT_MS 5000

/* How often moving a process retries while the kernel still calls it new
 * (a process in the middle of clone is refused with EINVAL for a moment). */
#define MOVE_ATTEMPTS 5

static bool is_cgroup2(const char *dir)
{
    struct statfs sfs;
    return statfs(dir, &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC;
}

int nook_cgroup_v2_root(const char **out)
{
    static const char *const candidates[] = { "/sys/fs/cgroup", "/sys/fs/cgroup/unified" };
    for (size_t i = 0; i < N_ELEMENTS(candidates); i++) {
        if (is_cgroup2(candidates[i])) {
            *out = candidates[i];
            return 0;
        }
    }
    *out = NULL;
    return -ENOENT;
}

/* A path inside the hierarchy may not climb out of it, nor be empty. */
static bool path_is_clean(const char *path)
{
    if (!path || path[0] != '/')
        return false;
    for (const char *p = path; *p;) {
        while (*p == '/')
            p++;
        size_t len = strcspn(p, "/");
        if ((len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.'))
            return false;
        p += len;
    }
    return true;
}

/* The filesystem path of a cgroup: the mount point joined with path. */
static int fs_path(const char *path, char **out, struct nook_error *err)
{
    if (!path_is_clean(path))
        return nook_error_set(err, EINVAL, "cgroup path \"%s\" is not an absolute path without \".\" or \"..\"",
                              str_or(path, ""));
    const char *root;
    if (nook_cgroup_v2_root(&root) < 0)
        return nook_error_set(err, ENOENT,
                              "no cgroup v2 hierarchy is mounted (neither /sys/fs/cgroup nor /sys/fs/cgroup/unified is cgroup2)");
    while (path[0] == '/' && path[1] == '/')
        path++;
    if (asprintf(out, "%s%s", root, strcmp(path, "/") == 0 ? "" : path) < 0)
        return nook_error_set(err, ENOMEM, "out of memory");
    return 0;
}

int nook_cgroup_v2_open_path(const char *path, int *out_fd, struct nook_error *err)
{
    _cleanup_free_ char *full = NULL;
    int r = fs_path(path, &full, err);
    if (r < 0)
        return r;
    int fd = open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return nook_error_set_errno(err, errno, "open the cgroup %s", full);
    *out_fd = fd;
    return 0;
}

int nook_cgroup_v2_of_pid(pid_t pid, char **out_path, struct nook_error *err)
{
    char proc[64];
    if (pid > 0)
        snprintf(proc, sizeof(proc), "/proc/%d/cgroup", (int)pid);
    else
        snprintf(proc, sizeof(proc), "/proc/self/cgroup");
    _cleanup_fclose_ FILE *f = fopen(proc, "re");
    if (!f)
        return nook_error_set_errno(err, errno, "read %s", proc);
    _cleanup_free_ char *line = NULL;
    size_t size = 0;
    ssize_t n;
    while ((n = getline(&line, &size, f)) > 0) {
        if (strncmp(line, "0::", 3) != 0)
            continue;
        if (line[n - 1] == '\n')
            line[n - 1] = '\0';
        char *path = strdup(line + 3);
        if (!path)
            return nook_error_set(err, ENOMEM, "out of memory");
        *out_path = path;
        return 0;
    }
    return nook_error_set(err, ENOENT, "%s has no cgroup v2 entry (\"0::\")", proc);
}

int nook_cgroup_v2_mkdir(const char *path, char **made_from, struct nook_error *err)
{
    if (made_from)
        *made_from = NULL;
    _cleanup_free_ char *full = NULL;
    int r = fs_path(path, &full, err);
    if (r < 0)
        return r;
    const char *root;
    (void)nook_cgroup_v2_root(&root);
    char *inside = full + strlen(root);
    if (!*inside)
        return 0;
    /* A concurrent delete may remove an empty parent ("/nook") between
     * two of our mkdirs: start over a few times when that happens. */
    for (int attempt = 0; attempt < 5; attempt++) {
        _cleanup_free_ char *first_made = NULL;
        bool vanished = false;
        for (char *slash = strchr(inside + 1, '/');; slash = strchr(slash + 1, '/')) {
            if (slash)
                *slash = '\0';
            int rc = mkdir(full, 0755);
            int saved = errno;
            if (rc == 0 && !first_made && !(first_made = strdup(inside)))
                saved = ENOMEM, rc = -1;
            if (slash)
                *slash = '/';
            if (rc < 0 && saved == ENOENT) {
                vanished = true;
                break;
            }
            if (rc < 0 && saved != EEXIST) {
                if (first_made) {
                    struct nook_error ignored = { 0 };
                    (void)nook_cgroup_v2_remove_tree(first_made, &ignored);
                }
                return nook_error_set_errno(err, saved, "create the cgroup %s", full);
            }
            if (!slash)
                break;
        }
        if (vanished)
            continue;
        if (made_from)
            *made_from = steal_pointer(&first_made);
        return 0;
    }
    return nook_error_set(err, ENOENT, "create the cgroup %s: a parent kept disappearing", full);
}

/* The cgroup's "populated" key in cgroup.events, read at an open fd. */
static int read_populated(int events_fd, bool *populated)
{
    char buf[256];
    ssize_t n = pread(events_fd, buf, sizeof(buf) - 1, 0);
    if (n < 0)
        return -errno;
    buf[n] = '\0';
    const char *key = strstr(buf, "populated ");
    if (!key)
        return -EIO;
    *populated = key[strlen("populated ")] == '1';
    return 0;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int nook_cgroup_v2_wait_events(int dirfd, const char *key, char want, int timeout_ms)
{
    _cleanup_close_ int fd = openat(dirfd, "cgroup.events", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    char needle[32];
    snprintf(needle, sizeof(needle), "%s ", key);
    long long deadline = now_ms() + timeout_ms;
    for (;;) {
        /* Read before polling: kernfs wakes a poller on the next change
         * after the last read. */
        char buf[256];
        ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
        if (n < 0)
            return -errno;
        buf[n] = '\0';
        const char *found = strstr(buf, needle);
        if (!found)
            return -ENOENT;
        if (found[strlen(needle)] == want)
            return 0;
        long long left = deadline - now_ms();
        if (left <= 0)
            return -ETIMEDOUT;
        struct pollfd pfd = { .fd = fd, .events = POLLPRI };
        if (poll(&pfd, 1, (int)left) < 0 && errno != EINTR)
            return -errno;
    }
}

bool nook_cgroup_v2_populated(int dirfd)
{
    _cleanup_close_ int fd = openat(dirfd, "cgroup.events", O_RDONLY | O_CLOEXEC);
    bool populated = false;
    if (fd >= 0 && read_populated(fd, &populated) < 0)
        populated = false;
    return populated;
}

/* rmdir every sub-cgroup below the open directory, deepest first, then
 * the directory itself (name in parent_fd). */
static int remove_below(int parent_fd, const char *name, const char *full, struct nook_error *err)
{
    _cleanup_close_ int fd = openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return 0;
        return nook_error_set_errno(err, errno, "open the cgroup %s", full);
    }
    int dup_fd = dup(fd);
    if (dup_fd < 0)
        return nook_error_set_errno(err, errno, "dup");
    _cleanup_closedir_ DIR *dir = fdopendir(dup_fd);
    if (!dir) {
        int saved = errno;
        close(dup_fd);
        return nook_error_set_errno(err, saved, "list the cgroup %s", full);
    }
    struct dirent *entry;
    while ((entry = readdir(dir))) {
        if (entry->d_type != DT_DIR || strcmp(entry->d_name, ".") == 0 ||
            strcmp(entry->d_name, "..") == 0)
            continue;
        _cleanup_free_ char *child = NULL;
        if (asprintf(&child, "%s/%s", full, entry->d_name) < 0)
            return nook_error_set(err, ENOMEM, "out of memory");
        int r = remove_below(fd, entry->d_name, child, err);
        if (r < 0)
            return r;
    }
    /* Processes killed a moment ago may not have left yet. */
    int r = nook_cgroup_v2_wait_events(fd, "populated", '0', REMOVE_WAIT_MS);
    if (r == -ETIMEDOUT)
        return nook_error_set(err, EBUSY, "remove the cgroup %s: processes are still in it after %d s",
                              full, REMOVE_WAIT_MS / 1000);
    if (unlinkat(parent_fd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
        return nook_error_set_errno(err, errno, "remove the cgroup %s", full);
    return 0;
}

int nook_cgroup_v2_remove_tree(const char *path, struct nook_error *err)
{
    _cleanup_free_ char *full = NULL;
    int r = fs_path(path, &full, err);
    if (r < 0)
        return r;
    if (strcmp(path, "/") == 0)
        return nook_error_set(err, EINVAL, "refusing to remove the root of the cgroup hierarchy");
    char *slash = strrchr(full, '/');
    *slash = '\0';
    _cleanup_close_ int parent_fd = open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    *slash = '/';
    if (parent_fd < 0) {
        if (errno == ENOENT)
            return 0;
        return nook_error_set_errno(err, errno, "open the parent of the cgroup %s", full);
    }
    return remove_below(parent_fd, slash + 1, full, err);
}

int nook_cgroup_v2_move(int dirfd, pid_t pid, struct nook_error *err)
{
    char text[32];
    int n = snprintf(text, sizeof(text), "%d", (int)pid);
    _cleanup_close_ int fd = openat(dirfd, "cgroup.procs", O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return nook_error_set_errno(err, errno, "open cgroup.procs to move process %d", (int)pid);
    for (int attempt = 1;; attempt++) {
        if (write(fd, text, (size_t)n) == n)
            return 0;
        if (errno != EINVAL || attempt == MOVE_ATTEMPTS)
            return nook_error_set_errno(err, errno, "move process %d into the cgroup", (int)pid);
        struct timespec pause = { 0, 20 * 1000 * 1000 };
        nanosleep(&pause, NULL);
    }
}

int nook_cgroup_v2_read(int dirfd, const char *file, char **out, struct nook_error *err)
{
    _cleanup_close_ int fd = openat(dirfd, file, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return nook_error_set_errno(err, errno, "read %s", file);
    size_t size = 4096, len = 0;
    _cleanup_free_ char *buf = malloc(size);
    if (!buf)
        return nook_error_set(err, ENOMEM, "out of memory");
    for (;;) {
        if (len + 1 >= size) {
            char *bigger = realloc(buf, size * 2);
            if (!bigger)
                return nook_error_set(err, ENOMEM, "out of memory");
            buf = bigger;
            size *= 2;
        }
        ssize_t n = read(fd, buf + len, size - len - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return nook_error_set_errno(err, errno, "read %s", file);
        if (n == 0)
            break;
        len += (size_t)n;
    }
    buf[len] = '\0';
    *out = steal_pointer(&buf);
    return 0;
}

int nook_cgroup_v2_write(int dirfd, const char *file, const char *value, struct nook_error *err)
{
    _cleanup_close_ int fd = openat(dirfd, file, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return nook_error_set_errno(err, errno, "open %s", file);
    size_t len = strlen(value);
    ssize_t n;
    do
        n = write(fd, value, len);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return nook_error_set_errno(err, errno, "write \"%s\" to %s", value, file);
    if ((size_t)n != len)
        return nook_error_set(err, EIO, "write \"%s\" to %s: short write", value, file);
    return 0;
}

void nook_cgroup_error_see(struct nook_error *err, const char *check_id)
{
    if (!err || strstr(err->message, " (see: nook check "))
        return;
    size_t len = strnlen(err->message, sizeof(err->message));
    snprintf(err->message + len, sizeof(err->message) - len, " (see: nook check %s)", check_id);
}

bool nook_cgroup_v2_list_has(const char *list, const char *word)
{
    size_t wlen = strlen(word);
    for (const char *p = list; p && *p;) {
        p += strspn(p, " \t\n");
        size_t len = strcspn(p, " \t\n");
        if (len == wlen && strncmp(p, word, len) == 0)
            return true;
        p += len;
    }
    return false;
}
