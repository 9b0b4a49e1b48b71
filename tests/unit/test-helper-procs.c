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

/* Returns once the child has set its SIGTERM disposition: a SIGTERM sent
 * before that would kill the "stubborn" one too, on a loaded machine. */
static pid_t spawn_sleeper(bool ignore_term)
{
    int ready[2];
    if (pipe(ready) < 0)
        return -1;
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
    close(ready[0]);
    return pid;
}

static bool reaped_by_signal(pid_t pid, int sig)
{
    int status = 0;
    return waitpid(pid, &status, 0) == pid && WIFSIGNALED(status) && WTERMSIG(status) == sig;
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

    pid_t gentle = spawn_sleeper(false);
    pid_t stubborn = spawn_sleeper(true);
    CHECK(&t, nook_helper_record(dir_fd, "slirp", gentle, &err) == 0, "record a helper");
    CHECK(&t, nook_helper_record(dir_fd, "fuse-overlayfs", stubborn, &err) == 0, "record a second helper");
    pid_t found = 0;
    CHECK(&t, nook_helper_running(dir_fd, "slirp", &found) == 1 && found == gentle, "a live helper is running");

    /* A record whose start time does not match is a recycled pid: not ours. */
    int fd = openat(dir_fd, "helper.recycled", O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    dprintf(fd, "%d 1\n", (int)getpid());
    close(fd);
    CHECK(&t, nook_helper_running(dir_fd, "recycled", NULL) == 0, "a pid with another start time is not running");

    CHECK(&t, nook_helpers_stop_all(dir_fd, 200, &err) == 0, "stop all helpers");
    CHECK(&t, reaped_by_signal(gentle, SIGTERM), "the helper that obeys SIGTERM got SIGTERM");
    CHECK(&t, reaped_by_signal(stubborn, SIGKILL), "the helper that ignores SIGTERM got SIGKILL");
    CHECK(&t, kill(getpid(), 0) == 0, "the recycled pid (this test) was never signalled");
    struct stat st;
    CHECK(&t, fstatat(dir_fd, "helper.slirp", &st, 0) < 0 && fstatat(dir_fd, "helper.fuse-overlayfs", &st, 0) < 0 &&
                  fstatat(dir_fd, "helper.recycled", &st, 0) < 0,
          "every record is gone");

    pid_t exited = spawn_sleeper(false);
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
