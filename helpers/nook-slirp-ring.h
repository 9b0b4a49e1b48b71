/* nook-slirp-ring.h: a ring of frames between exactly two threads, one
 * that puts frames in (the producer) and one that takes them out in the
 * same order (the consumer). The helper's loop is the producer and its
 * tap writer (nook-slirp-writer.h) the consumer.
 *
 * Each frame is stored whole and contiguous, so the consumer hands it to
 * one write(). Neither side takes a lock: a side that must wait (the
 * producer for room, the consumer for a frame) sleeps on a futex, and the
 * other side wakes it only when it sleeps. The producer may hold back
 * that wake for small frames (nook_slirp_ring_commit()) until it has put
 * in all it has at hand (nook_slirp_ring_wake()): one wake for many
 * acknowledgements. */
#pragma once

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nook_slirp_ring {
    uint8_t *buf;
    size_t size;                        /* a power of two */
    _Atomic size_t head;                /* bytes ever put in (by the producer) */
    _Atomic size_t tail;                /* bytes ever given back (by the consumer) */
    _Atomic uint32_t consumer_sleeping; /* futex words: 1 while that side sleeps */
    _Atomic uint32_t producer_sleeping;
    _Atomic uint32_t closed;
    size_t reserved_at;                 /* producer's: where the reserved frame goes */
    size_t next;                        /* consumer's: the end of the frame it holds */
};

/* size: a power of two of at least 4096 bytes. -errno. */
int nook_slirp_ring_init(struct nook_slirp_ring *ring, size_t size);
void nook_slirp_ring_free(struct nook_slirp_ring *ring);

/* The longest frame the ring takes. */
size_t nook_slirp_ring_max_frame(const struct nook_slirp_ring *ring);

/* Producer: room for a frame of len bytes, waiting while the ring is too
 * full; NULL when len is over nook_slirp_ring_max_frame(). Write the
 * frame there, then commit it. */
uint8_t *nook_slirp_ring_reserve(struct nook_slirp_ring *ring, size_t len);
/* Producer: the reserved frame is in. wake: wake the consumer now if it
 * sleeps; otherwise nook_slirp_ring_wake() does later. */
void nook_slirp_ring_commit(struct nook_slirp_ring *ring, size_t len, bool wake);
/* Producer: wake the consumer if it sleeps and frames wait. */
void nook_slirp_ring_wake(struct nook_slirp_ring *ring);
/* Producer: no more frames; the consumer takes what is left, then gets
 * NULL. */
void nook_slirp_ring_close(struct nook_slirp_ring *ring);

/* Consumer: the oldest frame, waiting for one; NULL once the ring is
 * closed and empty. The frame stays valid until nook_slirp_ring_done(). */
const uint8_t *nook_slirp_ring_next(struct nook_slirp_ring *ring, size_t *len);
/* Consumer: finished with the frame nook_slirp_ring_next() gave. */
void nook_slirp_ring_done(struct nook_slirp_ring *ring);
