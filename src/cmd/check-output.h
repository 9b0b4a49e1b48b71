/* check-output.h: how `nook check` prints its results: a table for
 * people (one line per check, the fix and the impact indented below a
 * check that is not ok) or one JSON document for CI. */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "lib/hostcheck.h"

struct check_report {
    const struct nook_check_params *params;
    const struct nook_check_result *results;
    size_t count;
    bool ok;                    /* no required check fails */
};

/* The table; quiet prints only the checks that are not ok (and nothing
 * else); color adds ANSI colours to the status words. */
void check_print_table(FILE *out, const struct check_report *report, bool quiet, bool color);

/* The JSON document: {"ok", "privileged", "user", "uid", "gid",
 * "results": [{"id", "status", "required", "found", "file", "value",
 * "errno", "fix": [...], "impact"}]}; quiet leaves ok results out.
 * 0, or -EIO when the stream failed. */
int check_print_json(FILE *out, const struct check_report *report, bool quiet);
