/* nook-slirp-writer.c: the tap writer thread (nook-slirp-writer.h). */
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "nook-slirp-ring.h"
#include "nook-slirp-writer.h"

/* Eight frames of 64 KiB: libslirp's bursts fit, and only what a
 * transfer reaches is ever resident. */
#define RING_SIZE (1u << 19)
/* A frame at least this long wakes the thread at once; shorter ones (the
 * acknowledgements of a transfer from the container) wait for the flush
 * at the end of the loop's round, one wake for them all. */
#define WAKE_AT 16384
/* The thread's stack: it calls write() and the log. */
#define STACK_SIZE (64u * 1024)

struct nook_slirp_writer {
    struct nook_slirp_ring ring;
    int tap_fd;
    const struct nook_slirp_log *log;
    uint64_t drops;
    pthread_t thread;
    sem_t running;      /* posted once the thread is in writer_main() */
};

bool nook_slirp_writer_useful(void)
{
    cpu_set_t cpus;
    if (sched_getaffinity(0, sizeof(cpus), &cpus) < 0)
        return false;
    return CPU_COUNT(&cpus) > 1;
}

static void *writer_main(void *opaque)
{
    struct nook_slirp_writer *writer = opaque;
    sem_post(&writer->running);
    const uint8_t *frame;
    size_t len;
    while ((frame = nook_slirp_ring_next(&writer->ring, &len))) {
        ssize_t n;
        do
            n = write(writer->tap_fd, frame, len);
        while (n < 0 && errno == EINTR);
        /* A full tap queue drops the frame, as a real link would; TCP
         * sends it again. */
        if (n < 0 && (writer->drops++ == 0 || writer->log->debug))
            nook_slirp_log(writer->log, "a frame to the container was dropped: %s", strerror(errno));
        nook_slirp_ring_done(&writer->ring);
    }
    return NULL;
}

int nook_slirp_writer_start(int tap_fd, const struct nook_slirp_log *log, struct nook_slirp_writer **out,
                            struct nook_error *err)
{
    struct nook_slirp_writer *writer = calloc(1, sizeof(*writer));
    if (!writer)
        return nook_error_set(err, ENOMEM, "the tap writer");
    writer->tap_fd = tap_fd;
    writer->log = log;
    int r = nook_slirp_ring_init(&writer->ring, RING_SIZE);
    if (r < 0) {
        free(writer);
        return nook_error_set_errno(err, -r, "the tap writer's ring of %u bytes", RING_SIZE);
    }
    sem_init(&writer->running, 0, 0);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, STACK_SIZE);
    /* The helper's signals are read from a signalfd by the loop: the
     * thread takes none of them (it starts with this mask), but SIGSYS,
     * so that a call outside the allow-list gets its log line (a blocked
     * SIGSYS would end the helper without one). */
    sigset_t all, old;
    sigfillset(&all);
    sigdelset(&all, SIGSYS);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    r = pthread_create(&writer->thread, &attr, writer_main, writer);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    pthread_attr_destroy(&attr);
    if (r != 0) {
        nook_slirp_ring_free(&writer->ring);
        free(writer);
        return nook_error_set_errno(err, r, "start the tap writer thread");
    }
    /* A new thread sets itself up (its restartable sequences, its robust
     * futex list, its signal mask) before it runs writer_main(): with
     * calls the seccomp filter does not allow, so before it. */
    while (sem_wait(&writer->running) < 0 && errno == EINTR)
        ;
    *out = writer;
    return 0;
}

bool nook_slirp_writer_queue(struct nook_slirp_writer *writer, const struct iovec *iov, int iovcnt)
{
    size_t len = 0;
    for (int i = 0; i < iovcnt; i++)
        len += iov[i].iov_len;
    uint8_t *at = nook_slirp_ring_reserve(&writer->ring, len);
    if (!at)
        return false;
    for (int i = 0; i < iovcnt; i++) {
        memcpy(at, iov[i].iov_base, iov[i].iov_len);
        at += iov[i].iov_len;
    }
    nook_slirp_ring_commit(&writer->ring, len, len >= WAKE_AT);
    return true;
}

void nook_slirp_writer_flush(struct nook_slirp_writer *writer)
{
    nook_slirp_ring_wake(&writer->ring);
}

void nook_slirp_writer_stop(struct nook_slirp_writer *writer)
{
    if (!writer)
        return;
    nook_slirp_ring_close(&writer->ring);
    pthread_join(writer->thread, NULL);
    nook_slirp_ring_free(&writer->ring);
    sem_destroy(&writer->running);
    free(writer);
}
