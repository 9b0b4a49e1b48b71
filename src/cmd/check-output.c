/* check-output.c: the table and the JSON document of `nook check`
 * (check-output.h). The JSON goes through nook's own writer, so `check`
 * never loads json-glib. */
#include <string.h>

#include "check-output.h"
#include "lib/json-text.h"

#define COLOR_RED "\033[31m"
#define COLOR_GREEN "\033[32m"
#define COLOR_YELLOW "\033[33m"
#define COLOR_BOLD "\033[1m"
#define COLOR_RESET "\033[0m"

/* Where the text after the id starts: the longest id and two spaces. */
static int id_width(const struct check_report *report)
{
    size_t width = 0;
    for (size_t i = 0; i < report->count; i++)
        if (strlen(report->results[i].id) > width)
            width = strlen(report->results[i].id);
    return (int)width;
}

static const char *status_color(enum nook_check_status status)
{
    switch (status) {
    case NOOK_CHECK_OK:
        return COLOR_GREEN;
    case NOOK_CHECK_WARN:
        return COLOR_YELLOW;
    case NOOK_CHECK_FAIL:
        return COLOR_BOLD COLOR_RED;
    }
    return "";
}

/* Print text's lines, the first after `label`, the others under it. */
static void print_indented(FILE *out, int indent, const char *label, const char *text)
{
    const char *line = text;
    bool first = true;
    while (line) {
        const char *end = strchr(line, '\n');
        int len = end ? (int)(end - line) : (int)strlen(line);
        fprintf(out, "%*s%s%.*s\n", indent, "", first ? label : "", len, line);
        if (first) {
            indent += (int)strlen(label);
            first = false;
        }
        line = end ? end + 1 : NULL;
    }
}

static void print_header(FILE *out, const struct check_report *report)
{
    const struct nook_check_params *p = report->params;
    if (p->privileged) {
        fprintf(out,
                "nook check as root (uid %u): root's containers need no user namespace, subordinate ids, newuidmap,\n"
                "XDG_RUNTIME_DIR or user bus; those checks describe root's own account and are not required.\n"
                "Run `nook check` as the user who runs rootless containers to check that user.\n\n",
                (unsigned)p->uid);
        return;
    }
    fprintf(out, "nook check for %s (uid %u, gid %u): can rootless containers run here?\n\n",
            str_or(p->user, "(no name)"), (unsigned)p->uid, (unsigned)p->gid);
}

static void print_summary(FILE *out, const struct check_report *report)
{
    size_t ok = 0, warn = 0, fail = 0, required_failing = 0;
    for (size_t i = 0; i < report->count; i++) {
        const struct nook_check_result *r = &report->results[i];
        ok += r->status == NOOK_CHECK_OK;
        warn += r->status == NOOK_CHECK_WARN;
        fail += r->status == NOOK_CHECK_FAIL;
        required_failing += r->status == NOOK_CHECK_FAIL && r->required;
    }
    const char *who = report->params->privileged ? "root's containers" : "rootless containers";
    fprintf(out, "\n%zu ok, %zu warn, %zu fail: ", ok, warn, fail);
    if (report->ok) {
        fprintf(out, "%s can run here%s\n", who,
                warn || fail ? " (what warn and fail lines limit is said under them)" : "");
        return;
    }
    fprintf(out, "%s cannot run here until %s fixed:", who,
            required_failing == 1 ? "this is" : "these are");
    for (size_t i = 0; i < report->count; i++) {
        const struct nook_check_result *r = &report->results[i];
        if (r->status == NOOK_CHECK_FAIL && r->required)
            fprintf(out, " %s", r->id);
    }
    fputc('\n', out);
}

void check_print_table(FILE *out, const struct check_report *report, bool quiet, bool color)
{
    int width = id_width(report);
    if (!quiet)
        print_header(out, report);
    for (size_t i = 0; i < report->count; i++) {
        const struct nook_check_result *r = &report->results[i];
        if (quiet && r->status == NOOK_CHECK_OK)
            continue;
        const char *name = nook_check_status_name(r->status);
        if (color)
            fprintf(out, "%s%-4s%s", status_color(r->status), name, COLOR_RESET);
        else
            fprintf(out, "%-4s", name);
        fprintf(out, "  %-*s  %s%s\n", width, r->id, str_or(r->found, ""),
                r->status == NOOK_CHECK_FAIL && r->required ? " [required]" : "");
        int indent = 4 + 2 + width + 2;
        if (r->fix)
            print_indented(out, indent, "fix: ", r->fix);
        if (r->impact)
            print_indented(out, indent, "until then: ", r->impact);
    }
    if (!quiet)
        print_summary(out, report);
}

/* The fix's lines as a JSON array. */
static void write_lines(struct nook_json_writer *w, const char *text)
{
    nook_json_writer_begin_array(w);
    for (const char *line = text; line && *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        char *copy = strndup(line, len);
        /* Out of memory: the line is left out rather than the document. */
        if (copy)
            nook_json_writer_string(w, copy);
        free(copy);
        line = end ? end + 1 : NULL;
    }
    nook_json_writer_end_array(w);
}

int check_print_json(FILE *out, const struct check_report *report, bool quiet)
{
    const struct nook_check_params *p = report->params;
    struct nook_json_writer w;
    nook_json_writer_init(&w, out, 2, 0);
    nook_json_writer_begin_object(&w);
    nook_json_writer_name(&w, "ok");
    nook_json_writer_bool(&w, report->ok);
    nook_json_writer_name(&w, "privileged");
    nook_json_writer_bool(&w, p->privileged);
    nook_json_writer_name(&w, "user");
    nook_json_writer_string(&w, p->user);
    nook_json_writer_name(&w, "uid");
    nook_json_writer_int(&w, p->uid);
    nook_json_writer_name(&w, "gid");
    nook_json_writer_int(&w, p->gid);
    nook_json_writer_name(&w, "results");
    nook_json_writer_begin_array(&w);
    for (size_t i = 0; i < report->count; i++) {
        const struct nook_check_result *r = &report->results[i];
        if (quiet && r->status == NOOK_CHECK_OK)
            continue;
        char errno_buf[32];
        const char *errno_name = NULL;
        if (r->errnum > 0) {
            errno_name = strerrorname_np(r->errnum);
            if (!errno_name) {
                snprintf(errno_buf, sizeof(errno_buf), "errno %d", r->errnum);
                errno_name = errno_buf;
            }
        }
        nook_json_writer_begin_object(&w);
        nook_json_writer_name(&w, "id");
        nook_json_writer_string(&w, r->id);
        nook_json_writer_name(&w, "status");
        nook_json_writer_string(&w, nook_check_status_name(r->status));
        nook_json_writer_name(&w, "required");
        nook_json_writer_bool(&w, r->required);
        nook_json_writer_name(&w, "found");
        nook_json_writer_string(&w, r->found);
        nook_json_writer_name(&w, "file");
        nook_json_writer_string(&w, r->file);
        nook_json_writer_name(&w, "value");
        nook_json_writer_string(&w, r->value);
        nook_json_writer_name(&w, "errno");
        nook_json_writer_string(&w, errno_name);
        nook_json_writer_name(&w, "fix");
        write_lines(&w, r->fix);
        nook_json_writer_name(&w, "impact");
        nook_json_writer_string(&w, r->impact);
        nook_json_writer_end_object(&w);
    }
    nook_json_writer_end_array(&w);
    nook_json_writer_end_object(&w);
    int rc = nook_json_writer_finish(&w);
    fputc('\n', out);
    return rc < 0 ? -EIO : 0;
}
