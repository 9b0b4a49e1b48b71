/* error.c: building and prefixing struct nook_error messages. */
#include <stdio.h>
#include <string.h>

#include "error.h"

_printf_(4, 0) static int error_vset(struct nook_error *err, int errnum, bool append_errno,
                                      const char *fmt, va_list ap)
{
    if (errnum <= 0)
        errnum = EIO;
    if (!err)
        return -errnum;
    err->errnum = errnum;
    int n = vsnprintf(err->message, sizeof(err->message), fmt, ap);
    if (append_errno && n >= 0 && (size_t)n < sizeof(err->message))
        snprintf(err->message + n, sizeof(err->message) - (size_t)n, ": %s", strerror(errnum));
    return -errnum;
}

int nook_error_set(struct nook_error *err, int errnum, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = error_vset(err, errnum, false, fmt, ap);
    va_end(ap);
    return r;
}

int nook_error_set_errno(struct nook_error *err, int errnum, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = error_vset(err, errnum, true, fmt, ap);
    va_end(ap);
    return r;
}

int nook_error_prefix(struct nook_error *err, const char *fmt, ...)
{
    if (!err)
        return -EIO;
    char prefix[NOOK_ERROR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof(prefix), fmt, ap);
    va_end(ap);
    /* Build "<prefix>: <old message>" in place, truncating at the end. */
    size_t plen = strnlen(prefix, sizeof(err->message) - 3);
    size_t olen = strnlen(err->message, sizeof(err->message));
    if (plen + 2 + olen >= sizeof(err->message))
        olen = sizeof(err->message) - 1 - plen - 2;
    memmove(err->message + plen + 2, err->message, olen);
    memcpy(err->message, prefix, plen);
    memcpy(err->message + plen, ": ", 2);
    err->message[plen + 2 + olen] = '\0';
    if (err->errnum <= 0)
        err->errnum = EIO;
    return -err->errnum;
}

void nook_error_clear(struct nook_error *err)
{
    if (!err)
        return;
    err->errnum = 0;
    err->message[0] = '\0';
}

bool nook_error_is_set(const struct nook_error *err)
{
    return err && err->errnum != 0;
}
