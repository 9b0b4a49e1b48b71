/* test-slirp-ring.c: the frame ring between nook-slirp's loop and its tap
 * writer thread (helpers/nook-slirp-ring.h): frames come out whole and in
 * order, across the end of the buffer, and a producer and a consumer
 * thread that both sleep and wake each other lose no frame and no wake
 * (a lost wake hangs the test until meson's timeout fails it). */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "nook-slirp-ring.h"
#include "tap.h"

/* Frame n's length (at most max) and its bytes, so the consumer can
 * check each. */
static size_t frame_len(uint32_t n, size_t max)
{
    uint32_t x = n * 2654435761u;
    if (n % 97 == 0)
        return max - (x % 64);                   /* now and then the longest */
    if (n % 5 == 0)
        return 1 + x % (max < 60000 ? max : 60000); /* segments */
    return 1 + x % 100;                          /* acknowledgements */
}

static uint8_t frame_byte(uint32_t n, size_t i)
{
    return (uint8_t)(n * 31 + i * 7);
}

static void fill(uint8_t *at, uint32_t n, size_t len)
{
    for (size_t i = 0; i < len; i++)
        at[i] = frame_byte(n, i);
}

static bool matches(const uint8_t *at, uint32_t n, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (at[i] != frame_byte(n, i))
            return false;
    }
    return true;
}

#define FRAMES 60000

struct consumer {
    struct nook_slirp_ring *ring;
    uint32_t taken;
    uint32_t bad;      /* the first frame that was wrong + 1, 0: none */
};

static void *consume(void *opaque)
{
    struct consumer *c = opaque;
    size_t max = nook_slirp_ring_max_frame(c->ring);
    const uint8_t *frame;
    size_t len;
    while ((frame = nook_slirp_ring_next(c->ring, &len))) {
        if (!c->bad && (len != frame_len(c->taken, max) || !matches(frame, c->taken, len)))
            c->bad = c->taken + 1;
        c->taken++;
        nook_slirp_ring_done(c->ring);
    }
    return NULL;
}

int main(void)
{
    struct tap t = { 0 };
    struct nook_slirp_ring ring;

    CHECK(&t, nook_slirp_ring_init(&ring, 5000) == -EINVAL, "a size that is not a power of two is refused");
    CHECK(&t, nook_slirp_ring_init(&ring, 2048) == -EINVAL, "a size under 4096 is refused");

    if (!CHECK(&t, nook_slirp_ring_init(&ring, 4096) == 0, "a ring of 4096 bytes"))
        return tap_done(&t);
    size_t max = nook_slirp_ring_max_frame(&ring);
    CHECK(&t, max == 2048 - 8, "its longest frame is half of it, less a header");
    CHECK(&t, nook_slirp_ring_reserve(&ring, max + 1) == NULL, "a longer frame is refused");

    /* One thread, taking the frames out after one or two went in (of up
     * to a quarter of the ring: they always fit, and it never waits): the
     * frames go round the buffer many times, with padding at its end. */
    size_t quarter = 1024;
    bool in_order = true;
    uint32_t put = 0, taken = 0;
    for (int round = 0; round < 500; round++) {
        for (int k = 0; k < 1 + round % 2; k++, put++) {
            size_t len = frame_len(put, quarter);
            uint8_t *at = nook_slirp_ring_reserve(&ring, len);
            if (!at) {
                in_order = false;
                break;
            }
            fill(at, put, len);
            nook_slirp_ring_commit(&ring, len, false);
        }
        while (taken < put) {
            size_t len = 0;
            const uint8_t *frame = nook_slirp_ring_next(&ring, &len);
            if (!frame || len != frame_len(taken, quarter) || !matches(frame, taken, len))
                in_order = false;
            nook_slirp_ring_done(&ring);
            taken++;
        }
    }
    CHECK(&t, in_order && taken == put, "frames come out whole and in order across the buffer's end");

    uint8_t *at = nook_slirp_ring_reserve(&ring, 10);
    fill(at, 7, 10);
    nook_slirp_ring_commit(&ring, 10, true);
    nook_slirp_ring_close(&ring);
    size_t len = 0;
    const uint8_t *frame = nook_slirp_ring_next(&ring, &len);
    CHECK(&t, frame && len == 10 && matches(frame, 7, 10), "a frame put in before the close still comes out");
    nook_slirp_ring_done(&ring);
    CHECK(&t, nook_slirp_ring_next(&ring, &len) == NULL, "then the closed ring gives NULL");
    nook_slirp_ring_free(&ring);

    /* Two threads: a small ring, so that the producer often waits for
     * room and the consumer for frames; small frames are committed
     * without a wake, as the loop does, and woken for every 50th. */
    if (!CHECK(&t, nook_slirp_ring_init(&ring, 1 << 17) == 0, "a ring of 128 KiB"))
        return tap_done(&t);
    max = nook_slirp_ring_max_frame(&ring);
    struct consumer c = { .ring = &ring };
    pthread_t thread;
    if (!CHECK(&t, pthread_create(&thread, NULL, consume, &c) == 0, "a consumer thread"))
        return tap_done(&t);
    for (uint32_t n = 0; n < FRAMES; n++) {
        size_t flen = frame_len(n, max);
        uint8_t *p = nook_slirp_ring_reserve(&ring, flen);
        fill(p, n, flen);
        nook_slirp_ring_commit(&ring, flen, flen >= 16384);
        if (n % 50 == 0)
            nook_slirp_ring_wake(&ring);
    }
    nook_slirp_ring_close(&ring);
    pthread_join(thread, NULL);
    if (!CHECK(&t, c.taken == FRAMES && c.bad == 0, "between two threads every frame arrives whole and in order"))
        printf("#   taken %u of %u, first bad frame %u\n", c.taken, FRAMES, c.bad ? c.bad - 1 : 0);
    nook_slirp_ring_free(&ring);
    return tap_done(&t);
}
