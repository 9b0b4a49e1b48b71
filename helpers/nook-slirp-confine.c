/* nook-slirp-confine.c: drop root, set no_new_privs and load the helper's
 * seccomp allow-list (nook-slirp-confine.h).
 *
 * The default action is SCMP_ACT_TRAP, and the SIGSYS handler ends the
 * process after a log line: a call outside the list means either a path
 * of libslirp the list forgot, which the tests should see loudly rather
 * than as a network that half works (EPERM would be swallowed by
 * libslirp's error paths), or a compromised helper, which must not be
 * left running to probe what else it can do. Ending is safe: the
 * container only loses its network, and nook reports the helper gone.
 * The trap instead of SCMP_ACT_KILL_PROCESS only buys the log line that
 * names the call.
 *
 * Two groups are refused with an error instead: opening and stat'ing
 * files (libslirp would read /etc/resolv.conf for DNS to fd00::3 it
 * handled itself, glibc its time zone once): they fail cleanly and must
 * not end the network.
 *
 * The list itself is in nook-slirp-filter.c, compiled to BPF at build
 * time (nook-slirp-filter-gen.c): the helper loads the program as is. */
#include <grp.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "nook-slirp-confine.h"
#include "nook-slirp-log.h"

#define NOBODY 65534

int nook_slirp_drop_root(bool *dropped, struct nook_error *err)
{
    *dropped = false;
    if (geteuid() != 0)
        return 0;
    if (setgroups(0, NULL) < 0)
        return nook_error_set_errno(err, errno, "drop the supplementary groups");
    if (setresgid(NOBODY, NOBODY, NOBODY) < 0)
        return nook_error_set_errno(err, errno, "change to gid %d", NOBODY);
    if (setresuid(NOBODY, NOBODY, NOBODY) < 0)
        return nook_error_set_errno(err, errno, "change to uid %d", NOBODY);
    uid_t r, e, s;
    if (getresuid(&r, &e, &s) < 0 || r != NOBODY || e != NOBODY || s != NOBODY)
        return nook_error_set(err, EPERM, "uid %d did not stick", NOBODY);
    *dropped = true;
    return 0;
}

/* The one piece of global state: a signal handler takes no argument, and
 * it must know where the log goes. Set once, before the filter. */
static int sigsys_log_fd = -1;

static size_t append(char *buf, size_t at, size_t size, const char *s)
{
    while (*s && at + 1 < size)
        buf[at++] = *s++;
    return at;
}

static void on_sigsys(int sig, siginfo_t *info, void *context)
{
    char line[160], number[16], stamp[40];
    struct timespec now = { 0 };
    clock_gettime(CLOCK_REALTIME, &now);
    nook_slirp_format_time((int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000, stamp, sizeof(stamp));
    int nr = info->si_syscall;
    size_t k = sizeof(number) - 1;
    number[k] = '\0';
    do {
        number[--k] = (char)('0' + nr % 10);
        nr /= 10;
    } while (nr > 0 && k > 0);
    size_t at = append(line, 0, sizeof(line), stamp);
    at = append(line, at, sizeof(line), " nook-slirp: system call ");
    at = append(line, at, sizeof(line), number + k);
    at = append(line, at, sizeof(line), " is outside the helper's seccomp allow-list; exiting\n");
    if (sigsys_log_fd >= 0)
        (void)!write(sigsys_log_fd, line, at);
    _exit(128 + SIGSYS);
}

/* The compiled allow-list: nook-slirp-filter-gen writes it at build time
 * from nook-slirp-filter.c's rules. */
#include "nook-slirp-filter-bpf.h"

int nook_slirp_filter_build(nook_slirp_filter *filter, struct nook_error *err)
{
    static const struct sock_fprog program = {
        .len = N_ELEMENTS(nook_slirp_filter_bpf),
        .filter = (struct sock_filter *)nook_slirp_filter_bpf,
    };
    *filter = (void *)&program;
    return 0;
}

void nook_slirp_filter_free(nook_slirp_filter *filter)
{
    *filter = NULL;
}

int nook_slirp_confine(nook_slirp_filter filter, int log_fd, struct nook_error *err)
{
    const struct sock_fprog *program = filter;
    if (!program)
        return nook_error_set(err, EINVAL, "internal error: no seccomp filter to load");
    sigsys_log_fd = log_fd;
    struct sigaction sa = { .sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO };
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGSYS, &sa, NULL) < 0)
        return nook_error_set_errno(err, errno, "install the SIGSYS handler");
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        return nook_error_set_errno(err, errno, "set no_new_privs");
    /* TSYNC: on every thread of the helper (the tap writer's too), and
     * no_new_privs with it. */
    long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, program);
    if (r < 0)
        return nook_error_set_errno(err, errno, "load the helper's seccomp filter");
    if (r > 0)
        return nook_error_set(err, EPERM, "load the helper's seccomp filter: thread %ld cannot take it", r);
    return 0;
}
