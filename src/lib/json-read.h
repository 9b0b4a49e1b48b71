/* json-read.h: a small, strict JSON reader for nook's own small files
 * (state.json and the like), so that the commands that never look at a
 * config.json do not have to load json-glib.
 *
 * It reads the whole document into a tree. What it accepts is RFC 8259
 * minus what nook's files never hold: numbers must be integers that fit in
 * an int64_t (a fraction or an exponent is refused, not rounded), duplicate
 * member names are refused (json-glib would keep the last one silently),
 * and so are a byte order mark, invalid UTF-8 and lone surrogates.
 * Every error says where: "line 3, column 14: expected ',' or '}'". */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* Defaults for struct nook_json_limits fields left 0. */
#define NOOK_JSON_DEFAULT_MAX_SIZE (1u << 20)
#define NOOK_JSON_DEFAULT_MAX_DEPTH 32u

enum nook_json_type {
    NOOK_JSON_NULL,
    NOOK_JSON_BOOL,
    NOOK_JSON_INT,
    NOOK_JSON_STRING,
    NOOK_JSON_ARRAY,
    NOOK_JSON_OBJECT,
};

struct nook_json_member;

struct nook_json_value {
    enum nook_json_type type;
    union {
        bool boolean;
        int64_t integer;
        /* NUL-terminated, and length counts the bytes before that NUL: a
         * "\u0000" escape puts a NUL inside, which length reveals. */
        struct {
            char *chars;
            size_t length;
        } string;
        struct {
            struct nook_json_value *items;
            size_t count;
        } array;
        /* In document order; names are unique and contain no NUL. */
        struct {
            struct nook_json_member *members;
            size_t count;
        } object;
    } as;
};

struct nook_json_member {
    char *name;
    struct nook_json_value value;
};

/* 0 in a field means its default. max_depth counts nested arrays and
 * objects: a flat object is depth 1. */
struct nook_json_limits {
    size_t max_size;
    unsigned max_depth;
};

/* Parse a document of length bytes (it need not be NUL-terminated). limits
 * may be NULL for the defaults. On success *out owns the tree
 * (nook_json_free()). Errors: -EBADMSG for a malformed document or one
 * nested too deeply, -EFBIG for one larger than max_size, -ENOMEM; the
 * message gives the line and column (1-based; columns count characters). */
int nook_json_parse(const char *text, size_t length, const struct nook_json_limits *limits,
                    struct nook_json_value **out, struct nook_error *err);

void nook_json_free(struct nook_json_value *value);

static inline void nook_json_freep(struct nook_json_value **value)
{
    nook_json_free(*value);
}

/* The member called name of an object; NULL when value is not an object
 * or has no such member. */
const struct nook_json_value *nook_json_get(const struct nook_json_value *value,
                                            const char *name);

/* "null", "a boolean", "an integer", "a string", "an array", "an object":
 * for messages such as "must be a string, not an integer". */
const char *nook_json_type_name(enum nook_json_type type);
