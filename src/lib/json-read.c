/* json-read.c: the strict JSON reader of json-read.h. A recursive descent
 * over the text, with the nesting depth bounded so that a hostile file
 * cannot exhaust the stack, and the tree built in place so that on any
 * error freeing the root frees whatever was already read. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "json-read.h"
#include "json-text.h"

struct reader {
    const unsigned char *text;
    size_t length;
    size_t pos;
    unsigned depth;
    unsigned max_depth;
    struct nook_error *err;
};

/* ---- errors ---- */

static void locate(const struct reader *rd, size_t offset, unsigned long *line,
                   unsigned long *column)
{
    *line = 1;
    *column = 1;
    for (size_t i = 0; i < offset && i < rd->length; i++) {
        unsigned char c = rd->text[i];
        if (c == '\n') {
            (*line)++;
            *column = 1;
        } else if ((c & 0xc0) != 0x80) {
            /* Continuation bytes belong to the character before them. */
            (*column)++;
        }
    }
}

static int fail_at(const struct reader *rd, size_t offset, const char *fmt, ...) _printf_(3, 4);

static int fail_at(const struct reader *rd, size_t offset, const char *fmt, ...)
{
    char message[NOOK_ERROR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    unsigned long line, column;
    locate(rd, offset, &line, &column);
    return nook_error_set(rd->err, EBADMSG, "line %lu, column %lu: %s", line, column, message);
}

static int out_of_memory(const struct reader *rd)
{
    return nook_error_set(rd->err, ENOMEM, "out of memory");
}

/* What stands at offset, for "expected X, found Y". */
static const char *describe(const struct reader *rd, size_t offset, char *buf, size_t size)
{
    if (offset >= rd->length)
        return "the end of the document";
    unsigned char c = rd->text[offset];
    if (c > 0x20 && c < 0x7f)
        snprintf(buf, size, "'%c'", c);
    else
        snprintf(buf, size, "byte 0x%02x", c);
    return buf;
}

static int fail_expected(const struct reader *rd, const char *expected)
{
    char found[32];
    return fail_at(rd, rd->pos, "expected %s, found %s", expected,
                   describe(rd, rd->pos, found, sizeof(found)));
}

/* ---- scanning ---- */

static void skip_space(struct reader *rd)
{
    while (rd->pos < rd->length) {
        unsigned char c = rd->text[rd->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            return;
        rd->pos++;
    }
}

static bool at(const struct reader *rd, char c)
{
    return rd->pos < rd->length && rd->text[rd->pos] == (unsigned char)c;
}

static int hex_digit(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The four hex digits after "\u" at rd->pos (which points at the 'u'). */
static int read_hex4(struct reader *rd, uint32_t *out)
{
    uint32_t v = 0;
    for (size_t i = 1; i <= 4; i++) {
        int d = rd->pos + i < rd->length ? hex_digit(rd->text[rd->pos + i]) : -1;
        if (d < 0)
            return fail_at(rd, rd->pos - 1, "\\u must be followed by four hex digits");
        v = (v << 4) | (uint32_t)d;
    }
    rd->pos += 5;
    *out = v;
    return 0;
}

static size_t encode_utf8(uint32_t c, char *out)
{
    if (c < 0x80) {
        out[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        out[0] = (char)(0xc0 | (c >> 6));
        out[1] = (char)(0x80 | (c & 0x3f));
        return 2;
    }
    if (c < 0x10000) {
        out[0] = (char)(0xe0 | (c >> 12));
        out[1] = (char)(0x80 | ((c >> 6) & 0x3f));
        out[2] = (char)(0x80 | (c & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | (c >> 18));
    out[1] = (char)(0x80 | ((c >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((c >> 6) & 0x3f));
    out[3] = (char)(0x80 | (c & 0x3f));
    return 4;
}

/* A \u escape, with rd->pos at the 'u'; a surrogate pair is two escapes. */
static int read_unicode_escape(struct reader *rd, char *out, size_t *written)
{
    size_t start = rd->pos - 1;
    uint32_t c;
    int r = read_hex4(rd, &c);
    if (r < 0)
        return r;
    if (c >= 0xdc00 && c <= 0xdfff)
        return fail_at(rd, start, "\\u%04X is a lone low surrogate", (unsigned)c);
    if (c >= 0xd800 && c <= 0xdbff) {
        if (rd->pos + 1 >= rd->length || rd->text[rd->pos] != '\\' ||
            rd->text[rd->pos + 1] != 'u')
            return fail_at(rd, start, "\\u%04X is a high surrogate without a low one after it",
                           (unsigned)c);
        rd->pos++;
        uint32_t low;
        r = read_hex4(rd, &low);
        if (r < 0)
            return r;
        if (low < 0xdc00 || low > 0xdfff)
            return fail_at(rd, start, "\\u%04X is a high surrogate without a low one after it",
                           (unsigned)c);
        c = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
    }
    *written = encode_utf8(c, out);
    return 0;
}

/* A string with rd->pos at its opening quote. */
static int read_string(struct reader *rd, char **out, size_t *out_length)
{
    size_t open = rd->pos;
    /* Escapes only ever shrink, so the raw length bounds the result. */
    size_t end = open + 1;
    while (end < rd->length && rd->text[end] != '"')
        end += rd->text[end] == '\\' ? 2 : 1;
    if (end >= rd->length)
        return fail_at(rd, open, "string is not terminated");

    char *buf = malloc(end - open);
    if (!buf)
        return out_of_memory(rd);
    *out = buf;  /* the caller's to free, even on an error below */
    size_t used = 0;
    rd->pos = open + 1;
    for (;;) {
        unsigned char c = rd->text[rd->pos];
        if (c == '"')
            break;
        if (c < 0x20)
            return fail_at(rd, rd->pos,
                           "control character 0x%02x in a string (write it as an escape)", c);
        if (c == '\\') {
            size_t escape = rd->pos;
            rd->pos++;
            unsigned char e = rd->text[rd->pos];
            char plain = 0;
            switch (e) {
            case '"': plain = '"'; break;
            case '\\': plain = '\\'; break;
            case '/': plain = '/'; break;
            case 'b': plain = '\b'; break;
            case 'f': plain = '\f'; break;
            case 'n': plain = '\n'; break;
            case 'r': plain = '\r'; break;
            case 't': plain = '\t'; break;
            case 'u': {
                size_t n = 0;
                int r = read_unicode_escape(rd, buf + used, &n);
                if (r < 0)
                    return r;
                used += n;
                continue;
            }
            default: {
                char found[32];
                return fail_at(rd, escape, "invalid escape: '\\' followed by %s",
                               describe(rd, rd->pos, found, sizeof(found)));
            }
            }
            buf[used++] = plain;
            rd->pos++;
            continue;
        }
        uint32_t decoded;
        size_t n = nook_utf8_decode((const char *)rd->text + rd->pos, end - rd->pos, &decoded);
        if (n == 0)
            return fail_at(rd, rd->pos, "invalid UTF-8 in a string");
        memcpy(buf + used, rd->text + rd->pos, n);
        used += n;
        rd->pos += n;
    }
    buf[used] = '\0';
    rd->pos++;
    *out_length = used;
    return 0;
}

static int read_integer(struct reader *rd, int64_t *out)
{
    size_t start = rd->pos;
    bool negative = at(rd, '-');
    if (negative)
        rd->pos++;
    if (rd->pos >= rd->length || rd->text[rd->pos] < '0' || rd->text[rd->pos] > '9')
        return fail_expected(rd, "a digit");
    uint64_t magnitude = 0;
    bool too_large = false;
    if (rd->text[rd->pos] == '0') {
        rd->pos++;
        if (rd->pos < rd->length && rd->text[rd->pos] >= '0' && rd->text[rd->pos] <= '9')
            return fail_at(rd, start, "a number must not start with 0");
    } else {
        while (rd->pos < rd->length && rd->text[rd->pos] >= '0' && rd->text[rd->pos] <= '9') {
            uint64_t digit = rd->text[rd->pos] - '0';
            if (magnitude > (UINT64_MAX - digit) / 10)
                too_large = true;
            else
                magnitude = magnitude * 10 + digit;
            rd->pos++;
        }
    }
    if (at(rd, '.') || at(rd, 'e') || at(rd, 'E'))
        return fail_at(rd, start, "only integers are supported, not fractions or exponents");
    uint64_t limit = negative ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    if (too_large || magnitude > limit)
        return fail_at(rd, start, "integer out of range (%s)",
                       negative ? "less than -9223372036854775808"
                                : "more than 9223372036854775807");
    /* -(2^63) has no positive counterpart: build it without overflowing. */
    *out = negative ? (int64_t)(0 - magnitude) : (int64_t)magnitude;
    return 0;
}

static int read_literal(struct reader *rd, const char *word)
{
    size_t n = strlen(word);
    if (rd->length - rd->pos < n || memcmp(rd->text + rd->pos, word, n) != 0)
        return fail_expected(rd, "a value");
    rd->pos += n;
    return 0;
}

/* ---- values ---- */

static void value_clear(struct nook_json_value *v)
{
    switch (v->type) {
    case NOOK_JSON_STRING:
        free(v->as.string.chars);
        break;
    case NOOK_JSON_ARRAY:
        for (size_t i = 0; i < v->as.array.count; i++)
            value_clear(&v->as.array.items[i]);
        free(v->as.array.items);
        break;
    case NOOK_JSON_OBJECT:
        for (size_t i = 0; i < v->as.object.count; i++) {
            free(v->as.object.members[i].name);
            value_clear(&v->as.object.members[i].value);
        }
        free(v->as.object.members);
        break;
    case NOOK_JSON_NULL:
    case NOOK_JSON_BOOL:
    case NOOK_JSON_INT:
        break;
    }
    v->type = NOOK_JSON_NULL;
}

/* Make room for one more element of size bytes in *items holding count. */
static int grow(const struct reader *rd, void **items, size_t count, size_t *capacity,
                size_t size)
{
    if (count < *capacity)
        return 0;
    size_t wanted = *capacity ? *capacity * 2 : 4;
    void *bigger = reallocarray(*items, wanted, size);
    if (!bigger)
        return out_of_memory(rd);
    *items = bigger;
    *capacity = wanted;
    return 0;
}

static int read_value(struct reader *rd, struct nook_json_value *v);

static int enter(struct reader *rd)
{
    if (rd->depth >= rd->max_depth)
        return fail_at(rd, rd->pos, "nested deeper than %u levels", rd->max_depth);
    rd->depth++;
    rd->pos++;
    return 0;
}

static int read_array(struct reader *rd, struct nook_json_value *v)
{
    v->type = NOOK_JSON_ARRAY;
    int r = enter(rd);
    if (r < 0)
        return r;
    skip_space(rd);
    if (at(rd, ']')) {
        rd->pos++;
        rd->depth--;
        return 0;
    }
    size_t capacity = 0;
    for (;;) {
        r = grow(rd, (void **)&v->as.array.items, v->as.array.count, &capacity,
                 sizeof(*v->as.array.items));
        if (r < 0)
            return r;
        struct nook_json_value *item = &v->as.array.items[v->as.array.count++];
        memset(item, 0, sizeof(*item));
        r = read_value(rd, item);
        if (r < 0)
            return r;
        skip_space(rd);
        if (at(rd, ']'))
            break;
        if (!at(rd, ','))
            return fail_expected(rd, "',' or ']'");
        rd->pos++;
    }
    rd->pos++;
    rd->depth--;
    return 0;
}

struct name_at {
    const char *name;
    size_t offset;
};

static int compare_names(const void *a, const void *b)
{
    const struct name_at *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    if (c != 0)
        return c;
    return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/* Sorting keeps this O(n log n) for an object with many members. */
static int check_unique(const struct reader *rd, const struct nook_json_value *v,
                        const size_t *offsets)
{
    size_t n = v->as.object.count;
    if (n < 2)
        return 0;
    _cleanup_free_ struct name_at *names = calloc(n, sizeof(*names));
    if (!names)
        return out_of_memory(rd);
    for (size_t i = 0; i < n; i++)
        names[i] = (struct name_at){ v->as.object.members[i].name, offsets[i] };
    qsort(names, n, sizeof(*names), compare_names);
    for (size_t i = 1; i < n; i++)
        if (strcmp(names[i - 1].name, names[i].name) == 0)
            return fail_at(rd, names[i].offset, "member \"%s\" appears twice", names[i].name);
    return 0;
}

static int read_object(struct reader *rd, struct nook_json_value *v)
{
    v->type = NOOK_JSON_OBJECT;
    int r = enter(rd);
    if (r < 0)
        return r;
    skip_space(rd);
    if (at(rd, '}')) {
        rd->pos++;
        rd->depth--;
        return 0;
    }
    size_t capacity = 0, offsets_capacity = 0;
    _cleanup_free_ size_t *offsets = NULL;
    for (;;) {
        skip_space(rd);
        if (!at(rd, '"'))
            return fail_expected(rd, "a member name in double quotes");
        r = grow(rd, (void **)&v->as.object.members, v->as.object.count, &capacity,
                 sizeof(*v->as.object.members));
        if (r >= 0)
            r = grow(rd, (void **)&offsets, v->as.object.count, &offsets_capacity,
                     sizeof(*offsets));
        if (r < 0)
            return r;
        offsets[v->as.object.count] = rd->pos;
        struct nook_json_member *m = &v->as.object.members[v->as.object.count++];
        memset(m, 0, sizeof(*m));
        size_t name_start = rd->pos, name_length = 0;
        r = read_string(rd, &m->name, &name_length);
        if (r < 0)
            return r;
        if (strlen(m->name) != name_length)
            return fail_at(rd, name_start, "a member name must not contain \\u0000");
        skip_space(rd);
        if (!at(rd, ':'))
            return fail_expected(rd, "':' after the member name");
        rd->pos++;
        r = read_value(rd, &m->value);
        if (r < 0)
            return r;
        skip_space(rd);
        if (at(rd, '}'))
            break;
        if (!at(rd, ','))
            return fail_expected(rd, "',' or '}'");
        rd->pos++;
    }
    r = check_unique(rd, v, offsets);
    if (r < 0)
        return r;
    rd->pos++;
    rd->depth--;
    return 0;
}

static int read_value(struct reader *rd, struct nook_json_value *v)
{
    skip_space(rd);
    if (rd->pos >= rd->length)
        return fail_expected(rd, "a value");
    int r;
    switch (rd->text[rd->pos]) {
    case '{':
        return read_object(rd, v);
    case '[':
        return read_array(rd, v);
    case '"':
        v->type = NOOK_JSON_STRING;
        return read_string(rd, &v->as.string.chars, &v->as.string.length);
    case 't':
    case 'f': {
        bool is_true = rd->text[rd->pos] == 't';
        r = read_literal(rd, is_true ? "true" : "false");
        if (r == 0) {
            v->type = NOOK_JSON_BOOL;
            v->as.boolean = is_true;
        }
        return r;
    }
    case 'n':
        return read_literal(rd, "null");
    default:
        if (rd->text[rd->pos] == '-' || (rd->text[rd->pos] >= '0' && rd->text[rd->pos] <= '9')) {
            v->type = NOOK_JSON_INT;
            return read_integer(rd, &v->as.integer);
        }
        return fail_expected(rd, "a value");
    }
}

/* ---- the public part ---- */

int nook_json_parse(const char *text, size_t length, const struct nook_json_limits *limits,
                    struct nook_json_value **out, struct nook_error *err)
{
    size_t max_size = limits && limits->max_size ? limits->max_size : NOOK_JSON_DEFAULT_MAX_SIZE;
    struct reader rd = {
        .text = (const unsigned char *)text,
        .length = length,
        .max_depth = limits && limits->max_depth ? limits->max_depth : NOOK_JSON_DEFAULT_MAX_DEPTH,
        .err = err,
    };
    if (length > max_size)
        return nook_error_set(err, EFBIG, "the document is %zu bytes, more than the %zu allowed",
                              length, max_size);
    if (length >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
        return fail_at(&rd, 0, "a byte order mark is not allowed");
    skip_space(&rd);
    if (rd.pos == length)
        return nook_error_set(err, EBADMSG, "the document is empty");

    _cleanup_(nook_json_freep) struct nook_json_value *root = calloc(1, sizeof(*root));
    if (!root)
        return out_of_memory(&rd);
    int r = read_value(&rd, root);
    if (r < 0)
        return r;
    skip_space(&rd);
    if (rd.pos < length) {
        char found[32];
        return fail_at(&rd, rd.pos, "%s after the end of the document",
                       describe(&rd, rd.pos, found, sizeof(found)));
    }
    *out = steal_pointer(&root);
    return 0;
}

void nook_json_free(struct nook_json_value *value)
{
    if (!value)
        return;
    value_clear(value);
    free(value);
}

const struct nook_json_value *nook_json_get(const struct nook_json_value *value,
                                            const char *name)
{
    if (!value || value->type != NOOK_JSON_OBJECT)
        return NULL;
    for (size_t i = 0; i < value->as.object.count; i++)
        if (strcmp(value->as.object.members[i].name, name) == 0)
            return &value->as.object.members[i].value;
    return NULL;
}

const char *nook_json_type_name(enum nook_json_type type)
{
    switch (type) {
    case NOOK_JSON_NULL:
        return "null";
    case NOOK_JSON_BOOL:
        return "a boolean";
    case NOOK_JSON_INT:
        return "an integer";
    case NOOK_JSON_STRING:
        return "a string";
    case NOOK_JSON_ARRAY:
        return "an array";
    case NOOK_JSON_OBJECT:
        return "an object";
    }
    return "unknown";
}
