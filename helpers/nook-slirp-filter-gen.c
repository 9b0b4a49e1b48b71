/* nook-slirp-filter-gen.c: a build-time program: compile the helper's
 * seccomp allow-list (nook-slirp-filter.c) with libseccomp, default
 * action SCMP_ACT_TRAP, for the architecture it runs on, and write the
 * BPF program as a C header (nook-slirp-filter-bpf.h) that
 * nook-slirp-confine.c loads.
 *
 *   nook-slirp-filter-gen OUTPUT.h */
#include <errno.h>
#include <linux/filter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nook-slirp-filter.h"

static int fail(const char *what, int errnum)
{
    fprintf(stderr, "nook-slirp-filter-gen: %s: %s\n", what, strerror(errnum));
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: nook-slirp-filter-gen OUTPUT.h\n");
        return 2;
    }
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_TRAP);
    if (!ctx)
        return fail("seccomp_init", ENOMEM);
    int r = nook_slirp_filter_rules(ctx);
    if (r < 0)
        return fail("add the rules", -r);
    FILE *bpf = tmpfile();
    if (!bpf)
        return fail("tmpfile", errno);
    r = seccomp_export_bpf(ctx, fileno(bpf));
    if (r < 0)
        return fail("seccomp_export_bpf", -r);
    seccomp_release(ctx);
    rewind(bpf);
    FILE *out = fopen(argv[1], "w");
    if (!out)
        return fail(argv[1], errno);
    fprintf(out, "/* nook-slirp-filter-bpf.h: written by nook-slirp-filter-gen at build time\n"
                 " * from nook-slirp-filter.c; do not edit. */\n"
                 "#pragma once\n\n#include <linux/filter.h>\n\n"
                 "static const struct sock_filter nook_slirp_filter_bpf[] = {\n");
    struct sock_filter insn;
    size_t count = 0;
    while (fread(&insn, sizeof(insn), 1, bpf) == 1) {
        fprintf(out, "    { 0x%04x, %u, %u, 0x%08x },\n", insn.code, insn.jt, insn.jf, insn.k);
        count++;
    }
    fprintf(out, "};\n");
    if (count == 0 || count > BPF_MAXINSNS || fclose(out) != 0)
        return fail(argv[1], count == 0 ? EPROTO : errno);
    fclose(bpf);
    return 0;
}
