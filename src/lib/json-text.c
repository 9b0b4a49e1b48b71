/* json-text.c: JSON strings and the small writer of json-text.h. */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "json-text.h"

size_t nook_utf8_decode(const char *text, size_t available, uint32_t *out)
{
    const unsigned char *s = (const unsigned char *)text;
    if (available == 0)
        return 0;
    uint32_t c;
    size_t len;
    uint32_t min;
    if (s[0] < 0x80) {
        *out = s[0];
        return 1;
    } else if ((s[0] & 0xe0) == 0xc0) {
        c = s[0] & 0x1f;
        len = 2;
        min = 0x80;
    } else if ((s[0] & 0xf0) == 0xe0) {
        c = s[0] & 0x0f;
        len = 3;
        min = 0x800;
    } else if ((s[0] & 0xf8) == 0xf0) {
        c = s[0] & 0x07;
        len = 4;
        min = 0x10000;
    } else {
        return 0;
    }
    if (len > available)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3f);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *out = c;
    return len;
}

void nook_json_write_string(FILE *out, const char *s, unsigned flags)
{
    static const char hex[] = "0123456789abcdef";
    const char *p = s ? s : "";
    size_t left = strlen(p);
    bool html = flags & NOOK_JSON_ESCAPE_HTML;
    fputc('"', out);
    while (left > 0) {
        uint32_t c;
        size_t len = nook_utf8_decode(p, left, &c);
        if (len == 0) {
            /* JSON text must be UTF-8: the byte is lost, as in Go. */
            fputs("\\ufffd", out);
            p++;
            left--;
            continue;
        }
        if (c == '"' || c == '\\') {
            fputc('\\', out);
            fputc((int)c, out);
        } else if (c == '\n') {
            fputs("\\n", out);
        } else if (c == '\r') {
            fputs("\\r", out);
        } else if (c == '\t') {
            fputs("\\t", out);
        } else if (c < 0x20 || (html && (c == '<' || c == '>' || c == '&'))) {
            fprintf(out, "\\u00%c%c", hex[c >> 4], hex[c & 0xf]);
        } else if (c == 0x2028 || c == 0x2029) {
            /* Valid JSON, but not valid JavaScript: Go escapes them. */
            fprintf(out, "\\u202%c", hex[c & 0xf]);
        } else {
            fwrite(p, 1, len, out);
        }
        p += len;
        left -= len;
    }
    fputc('"', out);
}

void nook_json_writer_init(struct nook_json_writer *w, FILE *out, unsigned indent, unsigned flags)
{
    *w = (struct nook_json_writer){ .out = out, .indent = indent, .flags = flags };
}

static void newline(struct nook_json_writer *w)
{
    if (w->indent == 0)
        return;
    fputc('\n', w->out);
    for (unsigned i = 0; i < w->depth * w->indent; i++)
        fputc(' ', w->out);
}

/* What goes before a value: nothing after a name or at the top; a comma
 * and a new line between array elements. */
static void before_value(struct nook_json_writer *w)
{
    if (w->after_name) {
        w->after_name = false;
        return;
    }
    if (w->depth == 0)
        return;
    if (w->in_object[w->depth - 1]) {
        w->misused = true;
        return;
    }
    if (w->has_items[w->depth - 1])
        fputc(',', w->out);
    w->has_items[w->depth - 1] = true;
    newline(w);
}

static void open_container(struct nook_json_writer *w, bool object)
{
    before_value(w);
    if (w->depth >= NOOK_JSON_WRITER_MAX_DEPTH) {
        w->misused = true;
        return;
    }
    fputc(object ? '{' : '[', w->out);
    w->in_object[w->depth] = object;
    w->has_items[w->depth] = false;
    w->depth++;
}

static void close_container(struct nook_json_writer *w, bool object)
{
    if (w->depth == 0 || w->in_object[w->depth - 1] != object || w->after_name) {
        w->misused = true;
        return;
    }
    w->depth--;
    if (w->has_items[w->depth])
        newline(w);
    fputc(object ? '}' : ']', w->out);
}

void nook_json_writer_begin_object(struct nook_json_writer *w)
{
    open_container(w, true);
}

void nook_json_writer_end_object(struct nook_json_writer *w)
{
    close_container(w, true);
}

void nook_json_writer_begin_array(struct nook_json_writer *w)
{
    open_container(w, false);
}

void nook_json_writer_end_array(struct nook_json_writer *w)
{
    close_container(w, false);
}

void nook_json_writer_name(struct nook_json_writer *w, const char *name)
{
    if (w->depth == 0 || !w->in_object[w->depth - 1] || w->after_name) {
        w->misused = true;
        return;
    }
    if (w->has_items[w->depth - 1])
        fputc(',', w->out);
    w->has_items[w->depth - 1] = true;
    newline(w);
    nook_json_write_string(w->out, name, w->flags);
    fputs(w->indent ? ": " : ":", w->out);
    w->after_name = true;
}

void nook_json_writer_string(struct nook_json_writer *w, const char *value)
{
    before_value(w);
    if (value)
        nook_json_write_string(w->out, value, w->flags);
    else
        fputs("null", w->out);
}

void nook_json_writer_int(struct nook_json_writer *w, int64_t value)
{
    before_value(w);
    fprintf(w->out, "%" PRId64, value);
}

void nook_json_writer_bool(struct nook_json_writer *w, bool value)
{
    before_value(w);
    fputs(value ? "true" : "false", w->out);
}

void nook_json_writer_null(struct nook_json_writer *w)
{
    before_value(w);
    fputs("null", w->out);
}

int nook_json_writer_finish(struct nook_json_writer *w)
{
    if (w->misused || w->depth != 0 || w->after_name)
        return -EINVAL;
    if (ferror(w->out))
        return -EIO;
    return 0;
}
