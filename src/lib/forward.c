/* forward.c: signal forwarding and reaping for `run` (see forward.h). */
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>

#include "forward.h"
#include "proc.h"
#include "terminal.h"

static void forwarded_set(sigset_t *set)
{
    sigfillset(set);
    /* Faults are the process's own business, and these cannot be caught. */
    static const int keep[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGKILL, SIGSTOP };
    for (size_t i = 0; i < N_ELEMENTS(keep); i++)
        sigdelset(set, keep[i]);
}

int nook_forward_block(sigset_t *old_mask, struct nook_error *err)
{
    sigset_t set;
    forwarded_set(&set);
    if (sigprocmask(SIG_BLOCK, &set, old_mask) < 0)
        return nook_error_set_errno(err, errno, "block signals");
    return 0;
}

static int exit_code_of(int status)
{
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return 255;
}

/* Reap every child that has exited; true when the init was one of them. */
static bool reap(pid_t init, int *exit_code)
{
    bool done = false;
    for (;;) {
        int status;
        pid_t pid = waitpid(-1, &status, WNOHANG);
        if (pid <= 0)
            return done;
        if (pid == init) {
            *exit_code = exit_code_of(status);
            done = true;
        }
    }
}

int nook_forward_wait(const struct nook_created *created, int *exit_code, struct nook_error *err)
{
    sigset_t set;
    forwarded_set(&set);
    _cleanup_close_ int sfd = signalfd(-1, &set, SFD_CLOEXEC);
    if (sfd < 0)
        return nook_error_set_errno(err, errno, "signalfd");
    /* A terminal is relayed between signals; stdin's settings are put
     * back however this returns. */
    _cleanup_(nook_terminal_relay_end) struct nook_terminal_relay relay = NOOK_TERMINAL_RELAY_INIT;
    if (created->console_fd >= 0) {
        int r = nook_terminal_relay_begin(&relay, created->console_fd, err);
        if (r < 0)
            return r;
    }
    /* The init may have exited before the signalfd existed. */
    if (reap(created->pid, exit_code)) {
        nook_terminal_relay_drain(&relay);
        return 0;
    }
    for (;;) {
        int r = nook_terminal_relay_pump(&relay, sfd, err);
        if (r < 0)
            return r;
        struct signalfd_siginfo info;
        ssize_t n = read(sfd, &info, sizeof(info));
        if (n < 0 && errno == EINTR)
            continue;
        if (n != (ssize_t)sizeof(info))
            return nook_error_set_errno(err, n < 0 ? errno : EIO, "read signalfd");
        if (info.ssi_signo == SIGCHLD) {
            if (reap(created->pid, exit_code)) {
                nook_terminal_relay_drain(&relay);
                return 0;
            }
            continue;
        }
        /* The caller's terminal changed size: the pty follows it. */
        if (info.ssi_signo == SIGWINCH && relay.master >= 0) {
            (void)nook_terminal_copy_size(relay.in, relay.master);
            continue;
        }
        (void)nook_pidfd_send_signal(created->pidfd, (int)info.ssi_signo);
    }
}
