/* fd-pass.h: one message on a UNIX socket carrying file descriptors
 * (SCM_RIGHTS): nook handing the network helper its container's init,
 * the helper's tap child handing back the tap. Interrupted calls are
 * retried; what is received is close-on-exec; a send never raises
 * SIGPIPE. */
#pragma once

#include <stddef.h>
#include <sys/types.h>

/* The most fds one message carries here. */
#define NOOK_FD_PASS_MAX 4

/* Send len bytes of data (len > 0) with n_fds of fds (at most
 * NOOK_FD_PASS_MAX): the bytes sent, or -errno. */
ssize_t nook_fd_pass_send(int sock, const void *data, size_t len, const int *fds, size_t n_fds);

/* Receive up to len bytes with up to max_fds fds (at most
 * NOOK_FD_PASS_MAX) into fds: the bytes received (0: the peer closed), or
 * -errno. *n_fds is the number of fds that came, which the caller owns. */
ssize_t nook_fd_pass_recv(int sock, void *data, size_t len, int *fds, size_t max_fds, size_t *n_fds);
