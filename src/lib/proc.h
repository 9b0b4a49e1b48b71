/* proc.h: facts about a host process read from /proc/PID/stat, and pidfds
 * that pin one process so that a recycled pid is never signalled. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"

struct nook_proc_stat {
    char state;                   /* field 3: R, S, D, Z, X, T, ... */
    unsigned long long start_time; /* field 22: clock ticks after boot */
};

/* Read /proc/PID/stat. Returns -ESRCH when there is no such process, or
 * another negative errno when it cannot be read. */
int nook_proc_read_stat(pid_t pid, struct nook_proc_stat *out);

/* True when pid names a live process (not a zombie) that started at
 * start_time, i.e. the very process that was recorded, not a successor that
 * reuses its pid. */
bool nook_proc_is_alive(pid_t pid, unsigned long long start_time);

/* Open a pidfd for pid and check, after opening it, that the process it pins
 * is alive and started at start_time. Returns -ESRCH when the process is gone,
 * a zombie, or a different process; -ENOSYS when the kernel has no pidfds. */
int nook_proc_open_pidfd(pid_t pid, unsigned long long start_time, int *out_fd);

/* Send sig to the process behind pidfd; -ESRCH when it has exited. */
int nook_pidfd_send_signal(int pidfd, int sig);

/* Wait up to timeout_ms (-1: forever) until the process behind pidfd has
 * exited. Returns 0 once it has, -ETIMEDOUT otherwise. */
int nook_pidfd_wait_exit(int pidfd, int timeout_ms);

/* A child that hung up during setup without a word: reap it (*pid becomes
 * 0 when it was reaped) and fill err with "<what> (status N)" or
 * "<what> (signal N)"; returns -ECHILD. */
int nook_proc_reap_silent_child(pid_t *pid, const char *what, struct nook_error *err);
