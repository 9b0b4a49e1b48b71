/* report.h: the one place where nook prints errors, warnings and debug
 * messages: to stderr for people, and to --log in text or json for engines. */
#pragma once

#include "globals.h"

enum nook_level {
    NOOK_LEVEL_DEBUG,
    NOOK_LEVEL_INFO,
    NOOK_LEVEL_WARNING,
    NOOK_LEVEL_ERROR,
};

/* Print a message at a level. Debug messages are dropped unless --debug. */
void nook_report(const struct nook_globals *globals, enum nook_level level, const char *fmt, ...)
    _printf_(3, 4);

/* Print err as "nook: <message>" and log it; returns exit code 1. */
int nook_report_error(const struct nook_globals *globals, const struct nook_error *err);
