/* list.c: `nook list`: the containers under the root, as runc's table
 * (aligned as Go's tabwriter aligns it), as runc's JSON, or as bare ids. */
#include <string.h>

#include "commands.h"
#include "report.h"
#include "lib/state-output.h"
#include "lib/state.h"

static const struct nook_option list_options[] = {
    { "format", 'f', NOOK_OPT_VALUE, "table|json", "output format (default: table)" },
    { "quiet", 'q', NOOK_OPT_BOOL, NULL, "print only the container ids" },
    { NULL, 0, NOOK_OPT_BOOL, NULL, NULL },
};

#define TABLE_COLUMNS 6
/* runc's tabwriter: minimum cell width 12, padding 3. */
#define TABLE_MIN_WIDTH 12
#define TABLE_PADDING 3

struct listed {
    struct nook_state state;
    enum nook_status status;
};

struct listing {
    struct listed *items;
    size_t n;
};

static void listing_clear(struct listing *l)
{
    for (size_t i = 0; i < l->n; i++)
        nook_state_clear(&l->items[i].state);
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

/* Read one container; its state and status go into item. */
static int read_container(const char *root, const char *id, struct listed *item,
                          struct nook_error *err)
{
    _cleanup_container_dir_ struct nook_container_dir *dir = NULL;
    int r = nook_container_dir_open(root, id, NOOK_LOCK_NONE, 0, &dir, err);
    if (r < 0)
        return r;
    r = nook_state_load(dir, &item->state, err);
    if (r < 0)
        return r;
    r = nook_container_status(dir, &item->state, &item->status, err);
    if (r < 0)
        nook_state_clear(&item->state);
    return r;
}

/* Containers that vanish while listing (a concurrent delete) are left out
 * quietly; others that cannot be read are named on stderr and left out, as
 * runc does, so one broken directory does not hide the rest. */
static int collect(const struct nook_globals *globals, const char *root, struct listing *l,
                   struct nook_error *err)
{
    _cleanup_strv_ char **ids = NULL;
    int r = nook_state_list_ids(root, &ids, err);
    if (r < 0)
        return r;
    size_t count = 0;
    while (ids[count])
        count++;
    l->items = calloc(count ? count : 1, sizeof(*l->items));
    if (!l->items)
        return nook_error_set(err, ENOMEM, "out of memory");
    for (size_t i = 0; i < count; i++) {
        struct nook_error item_err = { 0 };
        r = read_container(root, ids[i], &l->items[l->n], &item_err);
        if (r == 0)
            l->n++;
        else if (r != -ENOENT)
            nook_report(globals, NOOK_LEVEL_WARNING, "list: %s", item_err.message);
    }
    return 0;
}

struct table_row {
    char pid[16];
    const char *cells[TABLE_COLUMNS];
};

static int print_table(const struct listing *l, FILE *out, struct nook_error *err)
{
    const size_t rows = l->n + 1;
    _cleanup_free_ struct table_row *table = calloc(rows, sizeof(*table));
    if (!table)
        return nook_error_set(err, ENOMEM, "out of memory");
    const char *header[TABLE_COLUMNS] = { "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER" };
    memcpy(table[0].cells, header, sizeof(header));
    for (size_t i = 0; i < l->n; i++) {
        const struct listed *c = &l->items[i];
        struct table_row *row = &table[i + 1];
        snprintf(row->pid, sizeof(row->pid), "%d",
                 c->status == NOOK_STATUS_STOPPED ? 0 : (int)c->state.init_pid);
        const char *cells[TABLE_COLUMNS] = { c->state.id, row->pid, nook_status_name(c->status),
                                             c->state.bundle, c->state.created, c->state.owner };
        memcpy(row->cells, cells, sizeof(cells));
    }
    /* Every column but the last is as wide as its widest cell plus the
     * padding, and never narrower than the minimum. */
    size_t widths[TABLE_COLUMNS - 1];
    for (size_t c = 0; c < TABLE_COLUMNS - 1; c++) {
        widths[c] = TABLE_MIN_WIDTH;
        for (size_t r = 0; r < rows; r++) {
            size_t w = nook_text_width(table[r].cells[c]) + TABLE_PADDING;
            if (w > widths[c])
                widths[c] = w;
        }
    }
    for (size_t r = 0; r < rows; r++) {
        for (size_t c = 0; c < TABLE_COLUMNS - 1; c++) {
            const char *cell = table[r].cells[c];
            fprintf(out, "%s%*s", cell, (int)(widths[c] - nook_text_width(cell)), "");
        }
        fprintf(out, "%s\n", table[r].cells[TABLE_COLUMNS - 1]);
    }
    return 0;
}

static int print_json(const struct listing *l, FILE *out, struct nook_error *err)
{
    _cleanup_free_ struct nook_container_view *views =
        calloc(l->n ? l->n : 1, sizeof(*views));
    if (!views)
        return nook_error_set(err, ENOMEM, "out of memory");
    for (size_t i = 0; i < l->n; i++)
        views[i] = (struct nook_container_view){ &l->items[i].state, l->items[i].status };
    _cleanup_free_ char *json = NULL;
    int r = nook_runc_list_json(views, l->n, &json, err);
    if (r < 0)
        return r;
    fputs(json, out);
    return 0;
}

static int list_run(const struct nook_globals *globals, const struct nook_parsed *parsed)
{
    struct nook_error err = { 0 };
    const char *format = str_or(nook_parsed_value(parsed, "format"), "table");
    bool json = strcmp(format, "json") == 0;
    if (!json && strcmp(format, "table") != 0) {
        nook_error_set(&err, EINVAL, "list: unknown format \"%s\"; use table or json", format);
        nook_report_error(globals, &err);
        return 2;
    }
    _cleanup_free_ char *root = NULL;
    if (nook_state_root_default(globals->root, &root, &err) < 0)
        return nook_report_error(globals, &err);

    _cleanup_(listing_clear) struct listing listing = { 0 };
    if (collect(globals, root, &listing, &err) < 0)
        return nook_report_error(globals, &err);

    if (nook_parsed_bool(parsed, "quiet")) {
        for (size_t i = 0; i < listing.n; i++)
            printf("%s\n", listing.items[i].state.id);
    } else if (json) {
        if (print_json(&listing, stdout, &err) < 0)
            return nook_report_error(globals, &err);
    } else {
        if (print_table(&listing, stdout, &err) < 0)
            return nook_report_error(globals, &err);
    }
    if (fflush(stdout) == EOF || ferror(stdout)) {
        nook_error_set_errno(&err, errno ? errno : EIO, "list: write to standard output");
        return nook_report_error(globals, &err);
    }
    return 0;
}

const struct nook_command nook_cmd_list = {
    .name = "list",
    .args_usage = "",
    .summary = "list the containers in the state directory",
    .options = list_options,
    .min_args = 0,
    .max_args = 0,
    .run = list_run,
};
