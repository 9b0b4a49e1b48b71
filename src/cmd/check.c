/* check.c: `nook check [--json] [--quiet] [ID...]`: run the host checks
 * (src/lib/hostcheck.h) for the caller, with the parameters taken from
 * the real environment, and print them. Exit 0 when no required check
 * fails, 1 when one does, 2 for a usage error.
 *
 * As root the checks still run, for root: those about rootless setup say
 * what they mean for root and are not required (the header says so). */
#include <limits.h>
#include <pwd.h>
#include <string.h>

#include "check-output.h"
#include "commands.h"
#include "report.h"

static const struct nook_option check_options[] = {
    { "json", 0, NOOK_OPT_BOOL, NULL, "print the results as one JSON document" },
    { "quiet", 'q', NOOK_OPT_BOOL, NULL, "print only the checks that are not ok" },
    { NULL, 0, NOOK_OPT_BOOL, NULL, NULL },
};

struct results {
    struct nook_check_result *items;
    size_t count;
};

static void results_clear(struct results *results)
{
    for (size_t i = 0; i < results->count; i++)
        nook_check_result_clear(&results->items[i]);
    free(results->items);
    results->items = NULL;
    results->count = 0;
}

/* Every selector must pick at least one check: a typo is a usage error,
 * not an empty report. */
static int check_selectors(const struct nook_globals *globals, int argc, char **argv)
{
    size_t n = 0;
    const struct nook_check_info *list = nook_check_list(&n);
    for (int a = 0; a < argc; a++) {
        bool any = false;
        for (size_t i = 0; i < n && !any; i++)
            any = nook_check_selects(argv[a], list[i].id);
        if (any)
            continue;
        if (argv[a][0] == '-') {
            /* Flags end at the first argument, as in every nook command. */
            nook_report(globals, NOOK_LEVEL_ERROR,
                        "check: flag \"%s\" after a check id; give the flags first: nook check %s ID...",
                        argv[a], argv[a]);
            return -EINVAL;
        }
        char ids[1024] = "";
        size_t used = 0;
        for (size_t i = 0; i < n && used < sizeof(ids); i++)
            used += (size_t)snprintf(ids + used, sizeof(ids) - used, "%s%s", i ? " " : "", list[i].id);
        nook_report(globals, NOOK_LEVEL_ERROR, "check: unknown check \"%s\"; the checks are: %s",
                    argv[a], ids);
        return -EINVAL;
    }
    return 0;
}

static bool selected(int argc, char **argv, const char *id)
{
    if (argc == 0)
        return true;
    for (int a = 0; a < argc; a++)
        if (nook_check_selects(argv[a], id))
            return true;
    return false;
}

static bool want_color(void)
{
    const char *no_color = getenv("NO_COLOR");
    const char *term = getenv("TERM");
    return isatty(STDOUT_FILENO) && !(no_color && *no_color) && !(term && strcmp(term, "dumb") == 0);
}

static int check_run(const struct nook_globals *globals, const struct nook_parsed *parsed)
{
    if (check_selectors(globals, parsed->argc, parsed->argv) < 0)
        return 2;

    /* The caller, as create sees it (lifecycle.c): --rootless true makes
     * root check what a rootless caller needs. */
    bool rootless = globals->rootless == NOOK_ROOTLESS_TRUE ||
                    (globals->rootless == NOOK_ROOTLESS_AUTO && geteuid() != 0);
    uid_t uid = geteuid();
    char pw_buf[4096];
    struct passwd pw, *found = NULL;
    if (getpwuid_r(uid, &pw, pw_buf, sizeof(pw_buf), &found) != 0)
        found = NULL;
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    exe[n > 0 ? n : 0] = '\0';
    struct nook_check_params params = {
        .uid = uid,
        .gid = getegid(),
        .user = found ? found->pw_name : NULL,
        .privileged = !rootless,
        .runtime_dir = getenv("XDG_RUNTIME_DIR"),
        .bus_address = getenv("DBUS_SESSION_BUS_ADDRESS"),
        .path = getenv("PATH"),
        .exe_path = n > 0 ? exe : NULL,
    };

    struct nook_error err = { 0 };
    _cleanup_(nook_check_context_freep) struct nook_check_context *ctx = NULL;
    if (nook_check_context_new(&params, &ctx) < 0) {
        nook_error_set(&err, ENOMEM, "check: out of memory");
        return nook_report_error(globals, &err);
    }
    size_t total = 0;
    const struct nook_check_info *list = nook_check_list(&total);
    _cleanup_(results_clear) struct results results = { 0 };
    results.items = calloc(total, sizeof(*results.items));
    if (!results.items) {
        nook_error_set(&err, ENOMEM, "check: out of memory");
        return nook_report_error(globals, &err);
    }
    bool ok = true;
    for (size_t i = 0; i < total; i++) {
        if (!selected(parsed->argc, parsed->argv, list[i].id))
            continue;
        struct nook_check_result *r = &results.items[results.count];
        int rc = nook_check_run(ctx, list[i].id, r);
        if (rc < 0) {
            nook_error_set_errno(&err, -rc, "check %s", list[i].id);
            return nook_report_error(globals, &err);
        }
        results.count++;
        if (r->required && r->status == NOOK_CHECK_FAIL)
            ok = false;
    }

    struct check_report report = {
        .params = &params, .results = results.items, .count = results.count, .ok = ok,
    };
    bool quiet = nook_parsed_bool(parsed, "quiet");
    int rc = 0;
    if (nook_parsed_bool(parsed, "json"))
        rc = check_print_json(stdout, &report, quiet);
    else
        check_print_table(stdout, &report, quiet, want_color());
    if (rc < 0 || ferror(stdout) || fflush(stdout) == EOF) {
        nook_error_set_errno(&err, errno ? errno : EIO, "check: write to standard output");
        return nook_report_error(globals, &err);
    }
    return ok ? 0 : 1;
}

const struct nook_command nook_cmd_check = {
    .name = "check",
    .args_usage = "[ID...]",
    .summary = "check whether this host can run rootless containers and say how to fix it",
    .options = check_options,
    .min_args = 0,
    .max_args = -1,
    .run = check_run,
};
