/* tap.h: a tiny TAP producer for nook's C unit tests (meson runs them with
 * protocol 'tap'). Each CHECK is one TAP test point. */
#pragma once

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

struct tap {
    int count;
    int failed;
};

static inline bool tap_check(struct tap *t, bool ok, const char *what, const char *file, int line)
{
    t->count++;
    if (!ok)
        t->failed++;
    printf("%sok %d - %s\n", ok ? "" : "not ", t->count, what);
    if (!ok)
        printf("# failed at %s:%d\n", file, line);
    fflush(stdout);
    return ok;
}

#define CHECK(t, cond, what) tap_check((t), (cond), (what), __FILE__, __LINE__)
#define CHECK_STR(t, got, want, what)                                                             \
    do {                                                                                          \
        const char *got_ = (got), *want_ = (want);                                                \
        if (!CHECK((t), got_ && want_ && strcmp(got_, want_) == 0, (what)))                      \
            printf("#   got:  \"%s\"\n#   want: \"%s\"\n", got_ ? got_ : "(null)", want_);       \
    } while (0)

/* Print the plan at the end and turn the result into an exit code. */
static inline int tap_done(struct tap *t)
{
    printf("1..%d\n", t->count);
    return t->failed ? 1 : 0;
}
