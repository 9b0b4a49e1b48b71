/* nook-slirp-ring.c: the two-thread frame ring (nook-slirp-ring.h).
 *
 * head and tail count bytes ever put in and given back; their difference
 * is what the ring holds. A frame is an 8-byte header (its length and
 * whether it is padding) and its bytes, rounded up to 8. One that would
 * not fit before the end of the buffer is put at its start, behind a
 * padding frame that fills the end, so the longest frame is half the
 * buffer.
 *
 * Sleeping and waking follow one rule on both sides, so that no wake is
 * lost: the side about to sleep sets its flag, then looks again at what
 * it waits for; the other side first publishes (head or tail), then looks
 * at the flag. Both are sequentially consistent, so at least one of them
 * sees the other's store. */
#include <errno.h>
#include <linux/futex.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "nook-slirp-ring.h"

#define FRAME_HDR 8
#define PADDING 1u

struct frame_hdr {
    uint32_t len;
    uint32_t flags;
};

static size_t round8(size_t n)
{
    return (n + 7) & ~(size_t)7;
}

static void futex_wait(_Atomic uint32_t *word, uint32_t value)
{
    (void)syscall(SYS_futex, (uint32_t *)word, FUTEX_WAIT_PRIVATE, value, NULL, NULL, 0);
}

static void futex_wake(_Atomic uint32_t *word)
{
    (void)syscall(SYS_futex, (uint32_t *)word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

/* Wake the side that sleeps on word, if it does. */
static void wake(_Atomic uint32_t *word)
{
    if (atomic_load(word)) {
        atomic_store(word, 0);
        futex_wake(word);
    }
}

int nook_slirp_ring_init(struct nook_slirp_ring *ring, size_t size)
{
    if (size < 4096 || (size & (size - 1)) != 0)
        return -EINVAL;
    *ring = (struct nook_slirp_ring){ .size = size };
    /* Pages the frames never reach are never made. */
    void *buf = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (buf == MAP_FAILED)
        return -errno;
    ring->buf = buf;
    return 0;
}

void nook_slirp_ring_free(struct nook_slirp_ring *ring)
{
    if (ring->buf)
        munmap(ring->buf, ring->size);
    ring->buf = NULL;
}

size_t nook_slirp_ring_max_frame(const struct nook_slirp_ring *ring)
{
    return ring->size / 2 - FRAME_HDR;
}

uint8_t *nook_slirp_ring_reserve(struct nook_slirp_ring *ring, size_t len)
{
    if (len > nook_slirp_ring_max_frame(ring))
        return NULL;
    size_t need = FRAME_HDR + round8(len);
    size_t head = atomic_load_explicit(&ring->head, memory_order_relaxed); /* ours alone */
    size_t offset = head & (ring->size - 1);
    size_t padding = ring->size - offset < need ? ring->size - offset : 0;
    for (;;) {
        size_t tail = atomic_load_explicit(&ring->tail, memory_order_acquire);
        if (head + padding + need - tail <= ring->size)
            break;
        /* Frames held back from the consumer would never make room. */
        nook_slirp_ring_wake(ring);
        atomic_store(&ring->producer_sleeping, 1);
        if (atomic_load(&ring->tail) == tail)
            futex_wait(&ring->producer_sleeping, 1);
        atomic_store(&ring->producer_sleeping, 0);
    }
    if (padding) {
        /* Published with the frame that follows it. */
        struct frame_hdr pad = { .len = (uint32_t)(padding - FRAME_HDR), .flags = PADDING };
        memcpy(ring->buf + offset, &pad, sizeof(pad));
    }
    ring->reserved_at = head + padding;
    return ring->buf + (ring->reserved_at & (ring->size - 1)) + FRAME_HDR;
}

void nook_slirp_ring_commit(struct nook_slirp_ring *ring, size_t len, bool wake_now)
{
    struct frame_hdr hdr = { .len = (uint32_t)len };
    memcpy(ring->buf + (ring->reserved_at & (ring->size - 1)), &hdr, sizeof(hdr));
    atomic_store(&ring->head, ring->reserved_at + FRAME_HDR + round8(len));
    if (wake_now)
        wake(&ring->consumer_sleeping);
}

void nook_slirp_ring_wake(struct nook_slirp_ring *ring)
{
    /* A consumer that sleeps with nothing to take needs no wake. */
    if (atomic_load(&ring->consumer_sleeping) && atomic_load(&ring->head) != atomic_load(&ring->tail))
        wake(&ring->consumer_sleeping);
}

void nook_slirp_ring_close(struct nook_slirp_ring *ring)
{
    atomic_store(&ring->closed, 1);
    wake(&ring->consumer_sleeping);
}

const uint8_t *nook_slirp_ring_next(struct nook_slirp_ring *ring, size_t *len)
{
    size_t pos = atomic_load_explicit(&ring->tail, memory_order_relaxed); /* ours alone */
    for (;;) {
        /* closed first: a frame committed before the close is then seen. */
        bool closed = atomic_load(&ring->closed);
        size_t head = atomic_load_explicit(&ring->head, memory_order_acquire);
        if (pos != head) {
            struct frame_hdr hdr;
            memcpy(&hdr, ring->buf + (pos & (ring->size - 1)), sizeof(hdr));
            if (hdr.flags & PADDING) {
                pos += FRAME_HDR + hdr.len;
                continue;
            }
            *len = hdr.len;
            ring->next = pos + FRAME_HDR + round8(hdr.len);
            return ring->buf + (pos & (ring->size - 1)) + FRAME_HDR;
        }
        if (closed)
            return NULL;
        atomic_store(&ring->consumer_sleeping, 1);
        if (atomic_load(&ring->head) == pos && !atomic_load(&ring->closed))
            futex_wait(&ring->consumer_sleeping, 1);
        atomic_store(&ring->consumer_sleeping, 0);
    }
}

void nook_slirp_ring_done(struct nook_slirp_ring *ring)
{
    atomic_store(&ring->tail, ring->next);
    wake(&ring->producer_sleeping);
}
