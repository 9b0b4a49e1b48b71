/* fuzz-config.c: libFuzzer target for the config.json parser and validator
 * (nook_spec_parse). Any input must end in a spec or an error, never in a
 * crash, a leak or undefined behaviour. */
#include <stddef.h>
#include <stdint.h>

#include "lib/spec.h"
#include "lib/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    _cleanup_(nook_spec_freep) struct nook_spec *spec = NULL;
    struct nook_error err = { 0 };
    (void)nook_spec_parse((const char *)data, size, "config.json", &spec, &err);
    return 0;
}
