/* fuzz-state.c: libFuzzer target for the state.json reader
 * (nook_state_from_json and the JSON reader under it). state.json lives in
 * a directory other users may share with nook (--root), so its reader must
 * survive any bytes. */
#include <stddef.h>
#include <stdint.h>

#include "lib/state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct nook_state state;
    struct nook_error err = { 0 };
    if (nook_state_from_json((const char *)data, size, &state, &err) == 0)
        nook_state_clear(&state);
    return 0;
}
