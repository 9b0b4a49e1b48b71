/* features.c: `nook features`: print the runtime-spec features document
 * (what this build of nook implements) as JSON. */
#include <string.h>

#include "commands.h"
#include "lib/json-module.h"
#include "lib/oci-features.h"
#include "report.h"

static int features_run(const struct nook_globals *globals, const struct nook_parsed *parsed)
{
    struct nook_error err = { 0 };
    /* The document needs the json-glib module; say so if it cannot load. */
    if (nook_json_module_check(&err) < 0) {
        nook_error_prefix(&err, "features");
        return nook_report_error(globals, &err);
    }
    _cleanup_free_ char *text = nook_features_text(nook_features_parts());
    if (!text) {
        nook_error_set(&err, ENOMEM, "features: out of memory");
        return nook_report_error(globals, &err);
    }
    if (fputs(text, stdout) == EOF || fflush(stdout) == EOF) {
        nook_error_set_errno(&err, errno, "features: write to standard output");
        return nook_report_error(globals, &err);
    }
    return 0;
}

const struct nook_command nook_cmd_features = {
    .name = "features",
    .args_usage = "",
    .summary = "print the features this runtime supports as JSON",
    .options = NULL,
    .min_args = 0,
    .max_args = 0,
    .run = features_run,
};
