/* fuzz-seccomp.c: libFuzzer target for the seccomp translation: a config
 * that parses and has .linux.seccomp is compiled to a BPF program through
 * libseccomp, as create does before the clone: in a child process with a
 * time limit (nook_seccomp_compile_within; 2 s here, under run.sh's 10 s
 * -timeout), since libseccomp never returns for some rule sets. */
#include <stddef.h>
#include <stdint.h>

#include "lib/seccomp-filter.h"
#include "lib/spec.h"
#include "lib/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    _cleanup_(nook_spec_freep) struct nook_spec *spec = NULL;
    struct nook_error err = { 0 };
    if (nook_spec_parse((const char *)data, size, "config.json", &spec, &err) < 0)
        return 0;
    if (!spec->linux_config || !spec->linux_config->seccomp)
        return 0;
    struct nook_seccomp_program program = { 0 };
    if (nook_seccomp_compile_within(spec->linux_config->seccomp, &program, 2000, &err) == 0)
        nook_seccomp_program_clear(&program);
    return 0;
}
