/* state-output.c: runc-shaped JSON for `state` and `list -f json`. The
 * exact bytes matter, so it is written field by field with json-text.h's
 * writer, which follows Go's encoding/json: its escaping (HTML escapes
 * included), runc's field order, Go's indentation, RFC 3339 times. */
#include <stdio.h>
#include <string.h>

#include "json-text.h"
#include "state-output.h"

size_t nook_text_width(const char *s)
{
    size_t width = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p & 0xc0) != 0x80)
            width++;
    return width;
}

static void write_container(struct nook_json_writer *w, const struct nook_container_view *view)
{
    const struct nook_state *s = view->state;
    /* runc reports no pid for a stopped container. */
    int pid = view->status == NOOK_STATUS_STOPPED ? 0 : (int)s->init_pid;

    nook_json_writer_begin_object(w);
    nook_json_writer_name(w, "ociVersion");
    nook_json_writer_string(w, str_or(s->oci_version, ""));
    nook_json_writer_name(w, "id");
    nook_json_writer_string(w, str_or(s->id, ""));
    nook_json_writer_name(w, "pid");
    nook_json_writer_int(w, pid);
    nook_json_writer_name(w, "status");
    nook_json_writer_string(w, nook_status_name(view->status));
    nook_json_writer_name(w, "bundle");
    nook_json_writer_string(w, str_or(s->bundle, ""));
    nook_json_writer_name(w, "rootfs");
    nook_json_writer_string(w, str_or(s->rootfs, ""));
    nook_json_writer_name(w, "created");
    nook_json_writer_string(w, str_or(s->created, ""));
    /* runc's struct has annotations (omitempty) before owner. */
    if (s->n_annotations > 0) {
        nook_json_writer_name(w, "annotations");
        nook_json_writer_begin_object(w);
        for (size_t i = 0; i < s->n_annotations; i++) {
            nook_json_writer_name(w, s->annotations[i].key);
            nook_json_writer_string(w, s->annotations[i].value);
        }
        nook_json_writer_end_object(w);
    }
    nook_json_writer_name(w, "owner");
    nook_json_writer_string(w, str_or(s->owner, ""));
    nook_json_writer_end_object(w);
}

static int finish(FILE *out, struct nook_json_writer *w, char **buf, char **result,
                  struct nook_error *err)
{
    bool failed = nook_json_writer_finish(w) < 0 || ferror(out) != 0;
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
    struct nook_json_writer w;
    nook_json_writer_init(&w, f, 2, NOOK_JSON_ESCAPE_HTML);
    write_container(&w, view);
    return finish(f, &w, &buf, out, err);
}

int nook_runc_list_json(const struct nook_container_view *views, size_t n, char **out,
                        struct nook_error *err)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    if (!f)
        return nook_error_set(err, ENOMEM, "out of memory");
    struct nook_json_writer w;
    nook_json_writer_init(&w, f, 0, NOOK_JSON_ESCAPE_HTML);
    if (n == 0) {
        nook_json_writer_null(&w);
    } else {
        nook_json_writer_begin_array(&w);
        for (size_t i = 0; i < n; i++)
            write_container(&w, &views[i]);
        nook_json_writer_end_array(&w);
    }
    fputc('\n', f);
    return finish(f, &w, &buf, out, err);
}
