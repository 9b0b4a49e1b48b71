/* state-output.h: a container shown the way runc shows it, for `state`
 * (indented JSON) and `list -f json` (a one-line array): runc's field names
 * and order, and Go's encoding/json formatting, so that engines parsing
 * runc's output parse nook's unchanged. */
#pragma once

#include "state.h"

struct nook_container_view {
    const struct nook_state *state;
    enum nook_status status;
};

/* runc's `state` output: an indented object without a trailing newline.
 * pid is 0 when the container is stopped; annotations are left out when
 * there are none. */
int nook_runc_state_json(const struct nook_container_view *view, char **out,
                         struct nook_error *err);

/* runc's `list -f json` output: an array on one line and a newline, or
 * "null\n" when there are no containers (as Go encodes an empty list). */
int nook_runc_list_json(const struct nook_container_view *views, size_t n, char **out,
                        struct nook_error *err);

/* The width of s in a fixed-width terminal as Go's tabwriter counts it:
 * one per UTF-8 character. */
size_t nook_text_width(const char *s);
