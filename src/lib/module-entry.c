/* module-entry.c: the one symbol nook-json.so exports, the table through
 * which the nook executable calls the parser and the other json-glib rooms
 * built into the module (json-module.h). Everything else in the module is
 * hidden by its version script (nook-json.map). */
#include "json-module.h"
#include "spec-default.h"

static void module_build_id(char *buf, size_t size)
{
    nook_json_module_build_id(buf, size);
}

__attribute__((visibility("default"))) const struct nook_json_module *nook_json_module_entry(void);

const struct nook_json_module *nook_json_module_entry(void)
{
    static const struct nook_json_module module = {
        .abi = NOOK_JSON_MODULE_ABI,
        .build_id = module_build_id,
        .spec_parse = nook_spec_parse,
        .spec_load = nook_spec_load,
        .spec_parse_process = nook_spec_parse_process,
        .spec_load_process = nook_spec_load_process,
        .spec_parse_resources = nook_spec_parse_resources,
        .features_text = nook_features_text,
        .spec_default_text = nook_spec_default_text,
        .spec_default_write = nook_spec_default_write,
        .spec_default_write_opts = nook_spec_default_write_opts,
    };
    return &module;
}
