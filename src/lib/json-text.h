/* json-text.h: writing JSON without json-glib, for everything nook writes
 * on every command (state.json, `state`, `list -f json`, JSON log lines):
 * a string escaper, a small writer that places the commas and the
 * indentation, and the UTF-8 decoding that the writer and json-read.c
 * share. (Pretty text of a json-glib tree is json-glib-text.h's.)
 *
 * The layout is Go's encoding/json, which engines that parse runc's output
 * expect: compact, or indented with "key": value and "{}" for an empty
 * object. Strings are always valid JSON: invalid UTF-8 becomes \ufffd and
 * U+2028/U+2029 are escaped, as Go does. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Also escape <, > and & (as \u003c, \u003e, \u0026), as Go's
 * json.Marshal does by default. */
#define NOOK_JSON_ESCAPE_HTML 0x1u

/* Decode one UTF-8 character of at most available bytes: its length, or 0
 * for an invalid sequence (overlong, a surrogate, above U+10FFFF, or cut
 * short), as Go's utf8.DecodeRuneInString judges it. */
size_t nook_utf8_decode(const char *s, size_t available, uint32_t *out);

/* s as a quoted JSON string. */
void nook_json_write_string(FILE *out, const char *s, unsigned flags);

/* Deeper than this is a misuse reported by nook_json_writer_finish(). */
#define NOOK_JSON_WRITER_MAX_DEPTH 16

struct nook_json_writer {
    FILE *out;
    unsigned indent;  /* spaces per level; 0: compact, on one line */
    unsigned flags;   /* NOOK_JSON_ESCAPE_* */
    unsigned depth;
    bool in_object[NOOK_JSON_WRITER_MAX_DEPTH];
    bool has_items[NOOK_JSON_WRITER_MAX_DEPTH];
    bool after_name;
    bool misused;
};

void nook_json_writer_init(struct nook_json_writer *w, FILE *out, unsigned indent,
                           unsigned flags);
void nook_json_writer_begin_object(struct nook_json_writer *w);
void nook_json_writer_end_object(struct nook_json_writer *w);
void nook_json_writer_begin_array(struct nook_json_writer *w);
void nook_json_writer_end_array(struct nook_json_writer *w);
/* The name of the next member of the open object. */
void nook_json_writer_name(struct nook_json_writer *w, const char *name);
/* NULL writes null. */
void nook_json_writer_string(struct nook_json_writer *w, const char *value);
void nook_json_writer_int(struct nook_json_writer *w, int64_t value);
void nook_json_writer_bool(struct nook_json_writer *w, bool value);
void nook_json_writer_null(struct nook_json_writer *w);

/* 0 when a whole, balanced document was written; -EINVAL for a misuse (a
 * value without a name inside an object, a name outside one, unbalanced
 * or too deep nesting); -EIO when the stream reported an error. Writes no
 * trailing newline. */
int nook_json_writer_finish(struct nook_json_writer *w);
