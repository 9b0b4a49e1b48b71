/* nook-slirp-writer.h: the helper's second thread, which writes the
 * frames libslirp sends towards the container to the tap.
 *
 * The kernel runs the container's receive (its TCP stack, the wakeup of
 * the reader, the acknowledgement) inside each write to the tap: at MTU
 * 65520 about 40% of the helper's time. With the writes in a thread of
 * their own, on another CPU, libslirp reads and segments the next data
 * meanwhile. The loop copies each frame into a ring (nook-slirp-ring.h)
 * and goes on; the thread takes them out in order.
 *
 * Started before the helper confines itself: the seccomp filter is then
 * put on both threads at once (nook-slirp-confine.h), and the allow-list
 * needs no call that makes threads. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/uio.h>

#include "lib/error.h"
#include "nook-slirp-log.h"

struct nook_slirp_writer;

/* Whether a writer thread can help: false on a single CPU, where it would
 * only add a copy and the switches between the threads. */
bool nook_slirp_writer_useful(void);

/* Start the thread, writing to tap_fd (which it does not own). */
int nook_slirp_writer_start(int tap_fd, const struct nook_slirp_log *log, struct nook_slirp_writer **out,
                            struct nook_error *err);

/* Queue one frame, given in pieces (the virtio header first), waiting
 * while the ring is full. false: too long for the ring; nothing queued. A
 * small frame may wait in the ring until nook_slirp_writer_flush(). */
bool nook_slirp_writer_queue(struct nook_slirp_writer *writer, const struct iovec *iov, int iovcnt);

/* Have the thread write what is queued. */
void nook_slirp_writer_flush(struct nook_slirp_writer *writer);

/* Write what is queued, end the thread and free it. NULL is fine. */
void nook_slirp_writer_stop(struct nook_slirp_writer *writer);
