/* test-helper-procs.c: recording, querying and stopping the processes a
 * container keeps beside it (helper-procs.h), on real child processes. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/helper-procs.h"
#include "tap.h"

/* A sleeper the way a container's helper is for `nook delete`: not the
 * caller's child. A watcher child forks it and reports how it ended; the
 * sleeper's pid comes back once it has set its SIGTERM disposition (a
 * SIGTERM sent before that would kill the "stubborn" one too, on a loaded
 * machine). */
struct watched {
    pid_t pid;          /* the sleeper */
    pid_t watcher;
    int status_fd;      /* the watcher writes the sleeper's wait status here */
};

static struct watched spawn_watched_sleeper(bool ignore_term)
{
    struct watched w = { -1, -1, -1 };
    int report[2];
    if (pipe(report) < 0)
        return w;
    w.watcher = fork();
    if (w.watcher == 0) {
        close(report[0]);
        int ready[2];
        if (pipe(ready) < 0)
            _exit(1);
        pid_t pid = fork();
        if (pid == 0) {
            close(ready[0]);
            if (ignore_term)
                signal(SIGTERM, SIG_IGN);
            close(ready[1]);
            for (;;)
                pause();
        }
        close(ready[1]);
        char byte;
        while (read(ready[0], &byte, 1) < 0 && errno == EINTR)
            ;
        if (write(report[1], &pid, sizeof(pid)) != sizeof(pid))
            _exit(1);
        int status = 0;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
        if (write(report[1], &status, sizeof(status)) != sizeof(status))
            _exit(1);
        _exit(0);
    }
    close(report[1]);
    w.status_fd = report[0];
    if (read(w.status_fd, &w.pid, sizeof(w.pid)) != sizeof(w.pid))
        w.pid = -1;
    return w;
}

static bool watched_ended_by_signal(struct watched *w, int sig)
{
    int status = 0;
    bool got = read(w->status_fd, &status, sizeof(status)) == sizeof(status);
    close(w->status_fd);
    waitpid(w->watcher, NULL, 0);
    return got && WIFSIGNALED(status) && WTERMSIG(status) == sig;
}

/* A helper the caller itself started (`nook run`'s network helper). */
static pid_t spawn_child_sleeper(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        for (;;)
            pause();
    }
    return pid;
}

int main(void)
{
    struct tap t = { 0 };
    char dir[] = "/tmp/nook-test-helper-procs.XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    int dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct nook_error err = { 0 };

    CHECK(&t, nook_helper_running(dir_fd, "slirp", NULL) == -ENOENT, "no record: -ENOENT");
    CHECK(&t, nook_helper_record(dir_fd, "bad/name", getpid(), &err) == -EINVAL, "a name with / is refused");

    struct watched gentle = spawn_watched_sleeper(false);
    struct watched stubborn = spawn_watched_sleeper(true);
    CHECK(&t, nook_helper_record(dir_fd, "slirp", gentle.pid, &err) == 0, "record a helper");
    CHECK(&t, nook_helper_record(dir_fd, "fuse-overlayfs", stubborn.pid, &err) == 0, "record a second helper");
    pid_t found = 0;
    CHECK(&t, nook_helper_running(dir_fd, "slirp", &found) == 1 && found == gentle.pid, "a live helper is running");

    /* A record whose start time does not match is a recycled pid: not ours. */
    int fd = openat(dir_fd, "helper.recycled", O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    dprintf(fd, "%d 1\n", (int)getpid());
    close(fd);
    CHECK(&t, nook_helper_running(dir_fd, "recycled", NULL) == 0, "a pid with another start time is not running");

    CHECK(&t, nook_helpers_stop_all(dir_fd, 200, &err) == 0, "stop all helpers");
    CHECK(&t, watched_ended_by_signal(&gentle, SIGTERM), "the helper that obeys SIGTERM got SIGTERM");
    CHECK(&t, watched_ended_by_signal(&stubborn, SIGKILL), "the helper that ignores SIGTERM got SIGKILL");
    CHECK(&t, kill(getpid(), 0) == 0, "the recycled pid (this test) was never signalled");
    struct stat st;
    CHECK(&t, fstatat(dir_fd, "helper.slirp", &st, 0) < 0 && fstatat(dir_fd, "helper.fuse-overlayfs", &st, 0) < 0 &&
                  fstatat(dir_fd, "helper.recycled", &st, 0) < 0,
          "every record is gone");

    /* The caller's own child is reaped, not left a zombie. */
    pid_t child = spawn_child_sleeper();
    CHECK(&t, nook_helper_record(dir_fd, "slirp", child, &err) == 0, "record a helper that is the caller's child");
    CHECK(&t, nook_helpers_stop_all(dir_fd, 200, &err) == 0, "stop it");
    errno = 0;
    CHECK(&t, waitpid(child, NULL, WNOHANG) < 0 && errno == ECHILD, "the caller's child helper was reaped");

    pid_t exited = spawn_child_sleeper();
    CHECK(&t, nook_helper_record(dir_fd, "slirp", exited, &err) == 0, "record a helper that will die");
    kill(exited, SIGKILL);
    waitpid(exited, NULL, 0);
    CHECK(&t, nook_helper_running(dir_fd, "slirp", NULL) == 0, "a dead helper is recorded but not running");
    CHECK(&t, nook_helper_forget(dir_fd, "slirp", &err) == 0 && nook_helper_running(dir_fd, "slirp", NULL) == -ENOENT,
          "forget removes the record");

    close(dir_fd);
    rmdir(dir);
    return tap_done(&t);
}
