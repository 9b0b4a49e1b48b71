/* helper-procs.c: recording and stopping the processes nook runs beside a
 * container (helper-procs.h). */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helper-procs.h"
#include "proc.h"
#include "util.h"

#define RECORD_PREFIX "helper."

static bool valid_name(const char *name)
{
    if (!name || !*name || strlen(name) > 64)
        return false;
    for (const char *c = name; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-'))
            return false;
    return true;
}

int nook_helper_record(int dir_fd, const char *name, pid_t pid, struct nook_error *err)
{
    if (!valid_name(name))
        return nook_error_set(err, EINVAL, "helper name \"%s\" is not [a-z0-9-]+", name ? name : "");
    struct nook_proc_stat st;
    int r = nook_proc_read_stat(pid, &st);
    if (r < 0)
        return nook_error_set_errno(err, -r, "record helper %s (pid %d)", name, (int)pid);
    char record[64], tmp[96], text[64];
    snprintf(record, sizeof(record), RECORD_PREFIX "%s", name);
    snprintf(tmp, sizeof(tmp), ".%s.tmp", record);
    int n = snprintf(text, sizeof(text), "%d %llu\n", (int)pid, st.start_time);
    _cleanup_close_ int fd = openat(dir_fd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return nook_error_set_errno(err, errno, "record helper %s: create %s", name, tmp);
    if (write(fd, text, (size_t)n) != n || renameat(dir_fd, tmp, dir_fd, record) < 0) {
        int saved = errno ? errno : EIO;
        unlinkat(dir_fd, tmp, 0);
        return nook_error_set_errno(err, saved, "record helper %s", name);
    }
    return 0;
}

/* Read a record: 0 with pid and start time, -ENOENT, or -EINVAL when it
 * is not one. */
static int read_record(int dir_fd, const char *record, pid_t *pid, unsigned long long *start_time)
{
    _cleanup_close_ int fd = openat(dir_fd, record, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return -errno;
    char text[64];
    ssize_t n = read(fd, text, sizeof(text) - 1);
    if (n < 0)
        return -errno;
    text[n] = '\0';
    int p = 0;
    if (sscanf(text, "%d %llu", &p, start_time) != 2 || p <= 0)
        return -EINVAL;
    *pid = p;
    return 0;
}

int nook_helper_running(int dir_fd, const char *name, pid_t *pid)
{
    if (!valid_name(name))
        return -EINVAL;
    char record[64];
    snprintf(record, sizeof(record), RECORD_PREFIX "%s", name);
    pid_t p = 0;
    unsigned long long start_time = 0;
    int r = read_record(dir_fd, record, &p, &start_time);
    if (r == -EINVAL)
        return 0;
    if (r < 0)
        return r;
    if (!nook_proc_is_alive(p, start_time))
        return 0;
    if (pid)
        *pid = p;
    return 1;
}

int nook_helper_forget(int dir_fd, const char *name, struct nook_error *err)
{
    if (!valid_name(name))
        return nook_error_set(err, EINVAL, "helper name \"%s\" is not [a-z0-9-]+", name ? name : "");
    char record[64];
    snprintf(record, sizeof(record), RECORD_PREFIX "%s", name);
    if (unlinkat(dir_fd, record, 0) < 0 && errno != ENOENT)
        return nook_error_set_errno(err, errno, "remove the record of helper %s", name);
    return 0;
}

/* A helper this process started (`nook run` starts the network helper
 * and deletes the container itself) is its child: once it has exited it
 * is reaped here, or it would stay a zombie under a PID 1 that reaps
 * nothing. Any other helper is not ours to wait for: ECHILD. The wait
 * blocks, since a pidfd tells of the exit a moment before the exited
 * child can be waited for, but only that moment. */
static void reap_if_ours(int pidfd)
{
    siginfo_t info;
    while (waitid((idtype_t)P_PIDFD, (id_t)pidfd, &info, WEXITED) < 0 && errno == EINTR)
        ;
}

/* SIGTERM, grace_ms to go, then SIGKILL; reaped when ours: 0 once it is
 * gone, -ETIMEDOUT when SIGKILL did not end it. */
static int stop_one(pid_t pid, unsigned long long start_time, int grace_ms)
{
    _cleanup_close_ int pidfd = -1;
    int r = nook_proc_open_pidfd(pid, start_time, &pidfd);
    if (r == -ESRCH)
        return 0;
    if (r < 0)
        return r;
    if (nook_pidfd_send_signal(pidfd, SIGTERM) == -ESRCH || (grace_ms > 0 && nook_pidfd_wait_exit(pidfd, grace_ms) == 0))
        r = 0;
    else if (nook_pidfd_send_signal(pidfd, SIGKILL) == -ESRCH)
        r = 0;
    else
        r = nook_pidfd_wait_exit(pidfd, 1000);
    if (r == 0)
        reap_if_ours(pidfd);
    return r;
}

int nook_helpers_stop_all(int dir_fd, int grace_ms, struct nook_error *err)
{
    int fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return nook_error_set_errno(err, errno, "open the state directory");
    DIR *d = fdopendir(fd);
    if (!d) {
        int saved = errno;
        close(fd);
        return nook_error_set_errno(err, saved, "read the state directory");
    }
    int result = 0;
    struct dirent *entry;
    while ((entry = readdir(d))) {
        const char *name = entry->d_name;
        if (strncmp(name, RECORD_PREFIX, strlen(RECORD_PREFIX)) != 0)
            continue;
        pid_t pid = 0;
        unsigned long long start_time = 0;
        if (read_record(dir_fd, name, &pid, &start_time) == 0) {
            int r = stop_one(pid, start_time, grace_ms);
            if (r < 0) {
                if (result == 0)
                    result = nook_error_set_errno(err, -r, "stop helper %s (pid %d)",
                                                  name + strlen(RECORD_PREFIX), (int)pid);
                continue;
            }
        }
        if (unlinkat(dir_fd, name, 0) < 0 && errno != ENOENT && result == 0)
            result = nook_error_set_errno(err, errno, "remove the record %s", name);
    }
    closedir(d);
    return result;
}
