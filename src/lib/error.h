/* error.h: the error value that carries errno plus a context message from
 * the library up to the one place (src/cmd/report.c) that prints it.
 *
 * Convention: a function that can fail returns 0 or a negative errno and,
 * when the caller needs words, fills a `struct nook_error *` (which may be
 * NULL when the caller does not care). Context is added on the way up with
 * nook_error_prefix(): "mount `proc` on `/proc`: Operation not permitted". */
#pragma once

#include <stdarg.h>
#include <stdbool.h>

#include "util.h"

#define NOOK_ERROR_MAX 1024

struct nook_error {
    int errnum;                 /* positive errno, 0 when unset */
    char message[NOOK_ERROR_MAX];
};

/* Set the error from scratch; returns -errnum so callers can
 * `return nook_error_set(err, EINVAL, "...")`. errnum must be > 0. */
int nook_error_set(struct nook_error *err, int errnum, const char *fmt, ...) _printf_(3, 4);

/* Like nook_error_set(), and appends ": <strerror(errnum)>". */
int nook_error_set_errno(struct nook_error *err, int errnum, const char *fmt, ...) _printf_(3, 4);

/* Prepend "<context>: " to an existing message; returns -errnum. */
int nook_error_prefix(struct nook_error *err, const char *fmt, ...) _printf_(2, 3);

/* Forget a previous error (for paths that recover from one). */
void nook_error_clear(struct nook_error *err);

bool nook_error_is_set(const struct nook_error *err);
