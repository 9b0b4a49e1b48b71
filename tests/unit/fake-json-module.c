/* fake-json-module.c: a module that has nook-json.so's entry point but
 * belongs to another build, for test-json-module.c's refusal case; a test
 * fixture, never installed. */
#include "lib/json-module.h"

static void other_build_id(char *buf, size_t size)
{
    snprintf(buf, size, "nook 0.0.0 (elsewhere)");
}

__attribute__((visibility("default"))) const struct nook_json_module *nook_json_module_entry(void);

const struct nook_json_module *nook_json_module_entry(void)
{
    static const struct nook_json_module module = {
        .abi = NOOK_JSON_MODULE_ABI,
        .build_id = other_build_id,
    };
    return &module;
}
