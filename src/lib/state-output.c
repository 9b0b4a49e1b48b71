/* state-output.c: runc-shaped JSON for `state` and `list -f json`, written
 * by hand because the exact bytes matter: Go's escaping (including its HTML
 * escapes), its field order, its indentation, its RFC 3339 times. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "state-output.h"

/* Decode one UTF-8 character as Go's utf8.DecodeRuneInString does: returns
 * its length, or 0 for an invalid sequence (overlong, surrogate, too large,
 * truncated). */
static size_t utf8_decode(const unsigned char *s, uint32_t *out)
{
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

size_t nook_text_width(const char *s)
{
    size_t width = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p & 0xc0) != 0x80)
            width++;
    return width;
}

static void write_string(FILE *out, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    fputc('"', out);
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    while (*p) {
        uint32_t c;
        size_t len = utf8_decode(p, &c);
        if (len == 0) {
            fputs("\\ufffd", out);
            p++;
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
        } else if (c < 0x20 || c == '<' || c == '>' || c == '&') {
            fprintf(out, "\\u00%c%c", hex[c >> 4], hex[c & 0xf]);
        } else if (c == 0x2028 || c == 0x2029) {
            fprintf(out, "\\u202%c", hex[c & 0xf]);
        } else {
            fwrite(p, 1, len, out);
        }
        p += len;
    }
    fputc('"', out);
}

/* Member separators and indentation for Go's Marshal (compact) and
 * MarshalIndent(v, "", "  "). */
struct layout {
    bool indent;
    int depth;
};

static void newline(FILE *out, const struct layout *l)
{
    if (!l->indent)
        return;
    fputc('\n', out);
    for (int i = 0; i < l->depth; i++)
        fputs("  ", out);
}

static void member_name(FILE *out, const struct layout *l, bool first, const char *name)
{
    if (!first)
        fputc(',', out);
    newline(out, l);
    write_string(out, name);
    fputs(l->indent ? ": " : ":", out);
}

static void write_container(FILE *out, struct layout *l, const struct nook_container_view *view)
{
    const struct nook_state *s = view->state;
    /* runc reports no pid for a stopped container. */
    int pid = view->status == NOOK_STATUS_STOPPED ? 0 : (int)s->init_pid;

    fputc('{', out);
    l->depth++;
    member_name(out, l, true, "ociVersion");
    write_string(out, s->oci_version);
    member_name(out, l, false, "id");
    write_string(out, s->id);
    member_name(out, l, false, "pid");
    fprintf(out, "%d", pid);
    member_name(out, l, false, "status");
    write_string(out, nook_status_name(view->status));
    member_name(out, l, false, "bundle");
    write_string(out, s->bundle);
    member_name(out, l, false, "rootfs");
    write_string(out, s->rootfs);
    member_name(out, l, false, "created");
    write_string(out, s->created);
    /* runc's struct has annotations (omitempty) before owner. */
    if (s->n_annotations > 0) {
        member_name(out, l, false, "annotations");
        fputc('{', out);
        l->depth++;
        for (size_t i = 0; i < s->n_annotations; i++) {
            member_name(out, l, i == 0, s->annotations[i].key);
            write_string(out, s->annotations[i].value);
        }
        l->depth--;
        newline(out, l);
        fputc('}', out);
    }
    member_name(out, l, false, "owner");
    write_string(out, s->owner);
    l->depth--;
    newline(out, l);
    fputc('}', out);
}

static int finish(FILE *out, char **buf, char **result, struct nook_error *err)
{
    bool failed = ferror(out) != 0;
    if (fclose(out) != 0 || failed || !*buf) {
        free(*buf);
        *buf = NULL;
        return nook_error_set(err, ENOMEM, "out of memory");
    }
    *result = steal_pointer(buf);
    return 0;
}

int nook_runc_state_json(const struct nook_container_view *view, char **out,
                         struct nook_error *err)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    if (!f)
        return nook_error_set(err, ENOMEM, "out of memory");
    struct layout l = { .indent = true, .depth = 0 };
    write_container(f, &l, view);
    return finish(f, &buf, out, err);
}

int nook_runc_list_json(const struct nook_container_view *views, size_t n, char **out,
                        struct nook_error *err)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    if (!f)
        return nook_error_set(err, ENOMEM, "out of memory");
    struct layout l = { .indent = false, .depth = 0 };
    if (n == 0) {
        fputs("null", f);
    } else {
        fputc('[', f);
        for (size_t i = 0; i < n; i++) {
            if (i > 0)
                fputc(',', f);
            write_container(f, &l, &views[i]);
        }
        fputc(']', f);
    }
    fputc('\n', f);
    return finish(f, &buf, out, err);
}
