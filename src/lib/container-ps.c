/* container-ps.c: which host processes belong to a container, for `ps`:
 * those in its cgroup when it has one; otherwise those in its pid
 * namespace, found through /proc. (A container with neither of its own can
 * only be told by its init.) */
#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "cgroup.h"
#include "container.h"
#include "proc.h"
#include "state.h"

static int compare_pids(const void *a, const void *b)
{
    pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
    return (x > y) - (x < y);
}

static int add_pid(pid_t **pids, size_t *count, size_t *allocated, pid_t pid)
{
    if (*count == *allocated) {
        size_t n = *allocated ? *allocated * 2 : 16;
        pid_t *grown = reallocarray(*pids, n, sizeof(**pids));
        if (!grown)
            return -ENOMEM;
        *pids = grown;
        *allocated = n;
    }
    (*pids)[(*count)++] = pid;
    return 0;
}

static int scan_pid_namespace(const struct stat *init_ns, pid_t **pids, size_t *count,
                              struct nook_error *err)
{
    _cleanup_closedir_ DIR *proc = opendir("/proc");
    if (!proc)
        return nook_error_set_errno(err, errno, "open /proc");
    size_t allocated = 0;
    struct dirent *entry;
    while ((entry = readdir(proc))) {
        char *end = NULL;
        long pid = strtol(entry->d_name, &end, 10);
        if (!end || *end || pid <= 0)
            continue;
        char path[64];
        struct stat ns;
        snprintf(path, sizeof(path), "/proc/%ld/ns/pid", pid);
        if (stat(path, &ns) < 0 || ns.st_ino != init_ns->st_ino || ns.st_dev != init_ns->st_dev)
            continue;
        /* Zombies waiting for their parent are not running any more. */
        struct nook_proc_stat st;
        if (nook_proc_read_stat((pid_t)pid, &st) < 0 || st.state == 'Z' || st.state == 'X')
            continue;
        if (add_pid(pids, count, &allocated, (pid_t)pid) < 0)
            return nook_error_set(err, ENOMEM, "out of memory");
    }
    qsort(*pids, *count, sizeof(**pids), compare_pids);
    return 0;
}

int nook_container_pids(const char *root, const char *id, pid_t **out, size_t *out_count,
                        struct nook_error *err)
{
    *out = NULL;
    *out_count = 0;
    _cleanup_container_dir_ struct nook_container_dir *dir = NULL;
    _cleanup_(nook_state_clear) struct nook_state state = { 0 };
    int r = nook_container_dir_open(root, id, NOOK_LOCK_NONE, 0, &dir, err);
    if (r < 0)
        return r;
    r = nook_state_load(dir, &state, err);
    if (r == -ENOENT)
        return nook_error_set(err, ENOENT, "container \"%s\" does not exist", id);
    if (r < 0)
        return r;
    bool alive = state.init_pid > 0 && nook_proc_is_alive(state.init_pid, state.init_start_time);
    _cleanup_(nook_cgroup_clear) struct nook_cgroup cgroup = { 0 };
    r = nook_cgroup_from_state(&state, &cgroup, err);
    if (r < 0)
        return r;
    if (cgroup.manager != NOOK_CGROUP_MANAGER_NONE) {
        /* The cgroup also holds what a stopped container left behind;
         * once it is gone, so are they. */
        r = nook_cgroup_pids(&cgroup, out, out_count, err);
        if (r == -ENOENT && !alive)
            return 0;
        return r < 0 ? nook_error_prefix(err, "container \"%s\"", id) : 0;
    }
    if (!alive)
        return 0;

    _cleanup_free_ pid_t *pids = NULL;
    size_t count = 0;
    char path[64];
    struct stat init_ns, own_ns;
    snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)state.init_pid);
    if (stat(path, &init_ns) < 0 || stat("/proc/self/ns/pid", &own_ns) < 0)
        return nook_error_set_errno(err, errno, "read the pid namespace of container \"%s\"", id);
    if (init_ns.st_ino == own_ns.st_ino && init_ns.st_dev == own_ns.st_dev) {
        if (add_pid(&pids, &count, &(size_t){ 0 }, state.init_pid) < 0)
            return nook_error_set(err, ENOMEM, "out of memory");
    } else {
        r = scan_pid_namespace(&init_ns, &pids, &count, err);
        if (r < 0)
            return r;
    }
    *out = steal_pointer(&pids);
    *out_count = count;
    return 0;
}
