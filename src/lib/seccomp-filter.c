/* seccomp-filter.c: compile .linux.seccomp into a BPF program with libseccomp
 * (host side, before the clone) and install it (container side). */
#include <ctype.h>
#include <errno.h>
#include <linux/seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "config.h"
#include "oci-features.h"
#include "seccomp-filter.h"
#include "spec.h"
#include "util.h"

#if HAVE_SECCOMP
#include <seccomp.h>
#endif

#ifndef SECCOMP_FILTER_FLAG_NEW_LISTENER
#define SECCOMP_FILTER_FLAG_NEW_LISTENER (1UL << 3)
#endif
#ifndef SECCOMP_FILTER_FLAG_TSYNC_ESRCH
#define SECCOMP_FILTER_FLAG_TSYNC_ESRCH (1UL << 4)
#endif

const char *const nook_seccomp_feature_actions[] = {
    "SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS",
    "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY", "SCMP_ACT_TRACE",
    "SCMP_ACT_TRAP", NULL,
};

const char *const nook_seccomp_feature_operators[] = {
    "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_LE",
    "SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE", NULL,
};

const char *const nook_seccomp_feature_flags[] = {
    "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_TSYNC",
    "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", NULL,
};

#if HAVE_SECCOMP
/* The architectures libseccomp 2.5 can build filters for, by their OCI
 * names; libseccomp's own name is the rest, lower-cased ("x86_64"). */
static const char *const feature_archs[] = {
    "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM", "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64",
    "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32",
    "SCMP_ARCH_PARISC", "SCMP_ARCH_PARISC64", "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64",
    "SCMP_ARCH_PPC64LE", "SCMP_ARCH_RISCV64", "SCMP_ARCH_S390", "SCMP_ARCH_S390X",
    "SCMP_ARCH_X32", "SCMP_ARCH_X86", "SCMP_ARCH_X86_64", NULL,
};
#endif

/* The kernel's bit for a flag name of nook_seccomp_feature_flags. */
static unsigned long flag_bit(const char *name)
{
    if (strcmp(name, "SECCOMP_FILTER_FLAG_TSYNC") == 0)
        return SECCOMP_FILTER_FLAG_TSYNC;
    if (strcmp(name, "SECCOMP_FILTER_FLAG_LOG") == 0)
        return SECCOMP_FILTER_FLAG_LOG;
    if (strcmp(name, "SECCOMP_FILTER_FLAG_SPEC_ALLOW") == 0)
        return SECCOMP_FILTER_FLAG_SPEC_ALLOW;
    /* SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, which the kernel takes only
     * together with a listener. */
    return (1UL << 5) | SECCOMP_FILTER_FLAG_NEW_LISTENER;
}

/* supportedFlags: those this kernel takes. A filter-less call tells: a
 * known flag fails on the NULL program (EFAULT), an unknown one first
 * (EINVAL). */
static bool flag_supported(enum nook_feature_list list, const char *name)
{
    if (list != NOOK_FEATURE_SECCOMP_SUPPORTED_FLAGS)
        return true;
    long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flag_bit(name), NULL);
    return r < 0 && errno == EFAULT;
}

const struct nook_features_part nook_seccomp_features = {
    .name = "seccomp",
#if HAVE_SECCOMP
    .lists[NOOK_FEATURE_SECCOMP_ACTIONS] = nook_seccomp_feature_actions,
    .lists[NOOK_FEATURE_SECCOMP_OPERATORS] = nook_seccomp_feature_operators,
    .lists[NOOK_FEATURE_SECCOMP_ARCHS] = feature_archs,
    .lists[NOOK_FEATURE_SECCOMP_KNOWN_FLAGS] = nook_seccomp_feature_flags,
    .lists[NOOK_FEATURE_SECCOMP_SUPPORTED_FLAGS] = nook_seccomp_feature_flags,
    .flags[NOOK_FEATURE_SECCOMP] = true,
#endif
    .supported = flag_supported,
};

void nook_seccomp_program_clear(struct nook_seccomp_program *program)
{
    free(program->filter);
    memset(program, 0, sizeof(*program));
}

int nook_seccomp_install(const struct nook_seccomp_program *program)
{
    struct sock_fprog prog = { .len = program->length, .filter = program->filter };
    long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, program->flags, &prog);
    if (r < 0)
        return -errno;
    return program->notify ? (int)r : 0;
}

#if HAVE_SECCOMP

static void release_filter(scmp_filter_ctx *ctx)
{
    if (*ctx)
        seccomp_release(*ctx);
}

/* libseccomp's action for ours; errno_ret applies to ERRNO and TRACE. */
static uint32_t scmp_action(enum nook_seccomp_action action, const struct nook_opt_u32 *errno_ret)
{
    uint16_t code = errno_ret->set ? (uint16_t)errno_ret->value : EPERM;
    switch (action) {
    case NOOK_SECCOMP_KILL:
    case NOOK_SECCOMP_KILL_THREAD:
        return SCMP_ACT_KILL_THREAD;
    case NOOK_SECCOMP_KILL_PROCESS:
        return SCMP_ACT_KILL_PROCESS;
    case NOOK_SECCOMP_TRAP:
        return SCMP_ACT_TRAP;
    case NOOK_SECCOMP_ERRNO:
        return SCMP_ACT_ERRNO(code);
    case NOOK_SECCOMP_TRACE:
        return SCMP_ACT_TRACE(code);
    case NOOK_SECCOMP_LOG:
        return SCMP_ACT_LOG;
    case NOOK_SECCOMP_NOTIFY:
        return SCMP_ACT_NOTIFY;
    case NOOK_SECCOMP_ALLOW:
        break;
    }
    return SCMP_ACT_ALLOW;
}

static enum scmp_compare scmp_op(enum nook_seccomp_op op)
{
    switch (op) {
    case NOOK_SECCOMP_CMP_NE:
        return SCMP_CMP_NE;
    case NOOK_SECCOMP_CMP_LT:
        return SCMP_CMP_LT;
    case NOOK_SECCOMP_CMP_LE:
        return SCMP_CMP_LE;
    case NOOK_SECCOMP_CMP_GE:
        return SCMP_CMP_GE;
    case NOOK_SECCOMP_CMP_GT:
        return SCMP_CMP_GT;
    case NOOK_SECCOMP_CMP_MASKED_EQ:
        return SCMP_CMP_MASKED_EQ;
    case NOOK_SECCOMP_CMP_EQ:
        break;
    }
    return SCMP_CMP_EQ;
}

static int add_architectures(scmp_filter_ctx ctx, char *const *archs, struct nook_error *err)
{
    for (size_t i = 0; archs && archs[i]; i++) {
        char name[32] = "";
        for (size_t k = 0; feature_archs[k]; k++)
            if (strcmp(feature_archs[k], archs[i]) == 0)
                for (size_t c = 0; c + 1 < sizeof(name) && archs[i][10 + c]; c++)
                    name[c] = (char)tolower((unsigned char)archs[i][10 + c]);
        uint32_t token = name[0] ? seccomp_arch_resolve_name(name) : 0;
        if (!token)
            return nook_error_set(err, EINVAL,
                                  "config.json: .linux.seccomp.architectures[%zu]: \"%s\" is not known to this libseccomp",
                                  i, archs[i]);
        int r = seccomp_arch_add(ctx, token);
        if (r < 0 && r != -EEXIST)
            return nook_error_set_errno(err, -r, "config.json: .linux.seccomp.architectures[%zu]: add \"%s\"",
                                        i, archs[i]);
    }
    return 0;
}

/* Whether two conditions of a rule test the same argument: then runc (and
 * so every profile written for it) means "any of them", which libseccomp
 * can only say with one rule per condition. */
static bool repeats_an_argument(const struct nook_spec_syscall *call)
{
    unsigned int seen = 0;
    for (size_t i = 0; i < call->n_args; i++) {
        unsigned int bit = 1u << call->args[i].index;
        if (seen & bit)
            return true;
        seen |= bit;
    }
    return false;
}

static struct scmp_arg_cmp condition(const struct nook_spec_seccomp_arg *arg)
{
    struct scmp_arg_cmp c = {
        .arg = arg->index,
        .op = scmp_op(arg->op),
        .datum_a = arg->value,
        .datum_b = arg->value_two.set ? arg->value_two.value : 0,
    };
    return c;
}

static int add_rule(scmp_filter_ctx ctx, const struct nook_spec_syscall *call, size_t index,
                    uint32_t default_action, struct nook_error *err)
{
    uint32_t action = scmp_action(call->action, &call->errno_ret);
    if (action == default_action)
        return 0;
    struct scmp_arg_cmp conds[6];
    size_t n = call->n_args < N_ELEMENTS(conds) ? call->n_args : N_ELEMENTS(conds);
    for (size_t i = 0; i < n; i++)
        conds[i] = condition(&call->args[i]);
    bool one_per_condition = repeats_an_argument(call);

    for (size_t k = 0; call->names[k]; k++) {
        int nr = seccomp_syscall_resolve_name(call->names[k]);
        if (nr == __NR_SCMP_ERROR)
            continue;
        int r = 0;
        if (n == 0)
            r = seccomp_rule_add(ctx, action, nr, 0);
        else if (!one_per_condition)
            r = seccomp_rule_add_array(ctx, action, nr, (unsigned int)n, conds);
        for (size_t i = 0; one_per_condition && r == 0 && i < n; i++)
            r = seccomp_rule_add_array(ctx, action, nr, 1, &conds[i]);
        if (r < 0)
            return nook_error_set_errno(err, -r, "config.json: .linux.seccomp.syscalls[%zu]: rule for \"%s\"",
                                        index, call->names[k]);
    }
    return 0;
}

/* libseccomp writes the program to an fd; a memfd keeps it off disk. */
static int export_program(scmp_filter_ctx ctx, struct nook_seccomp_program *out, struct nook_error *err)
{
    _cleanup_close_ int fd = memfd_create("nook-seccomp", MFD_CLOEXEC);
    if (fd < 0)
        return nook_error_set_errno(err, errno, "seccomp: memfd_create");
    int r = seccomp_export_bpf(ctx, fd);
    if (r < 0)
        return nook_error_set_errno(err, -r, "seccomp: export the filter");
    struct stat st;
    if (fstat(fd, &st) < 0)
        return nook_error_set_errno(err, errno, "seccomp: stat the filter");
    size_t size = (size_t)st.st_size;
    if (size == 0 || size % sizeof(struct sock_filter) != 0 ||
        size / sizeof(struct sock_filter) > BPF_MAXINSNS)
        return nook_error_set(err, E2BIG, "seccomp: the filter has %zu bytes, not a program of at most %d instructions",
                              size, BPF_MAXINSNS);
    _cleanup_free_ struct sock_filter *filter = malloc(size);
    if (!filter)
        return nook_error_set(err, ENOMEM, "out of memory");
    ssize_t got = pread(fd, filter, size, 0);
    if (got < 0 || (size_t)got != size)
        return nook_error_set_errno(err, got < 0 ? errno : EIO, "seccomp: read the filter back");
    out->filter = steal_pointer(&filter);
    out->length = (unsigned short)(size / sizeof(struct sock_filter));
    return 0;
}

int nook_seccomp_compile_here(const struct nook_spec_seccomp *spec, struct nook_seccomp_program *out,
                              struct nook_error *err)
{
    memset(out, 0, sizeof(*out));
    uint32_t default_action = scmp_action(spec->default_action, &spec->default_errno_ret);
    _cleanup_(release_filter) scmp_filter_ctx ctx = seccomp_init(default_action);
    if (!ctx)
        return nook_error_set(err, EINVAL, "config.json: .linux.seccomp.defaultAction: libseccomp refused %s",
                              nook_seccomp_action_name(spec->default_action));
    /* nook sets no_new_privs itself when process.noNewPrivileges asks; the
     * filter must not imply it. */
    int r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
    if (r == 0)
        r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
    if (r < 0)
        return nook_error_set_errno(err, -r, "seccomp: set filter attributes");
    r = add_architectures(ctx, spec->architectures, err);
    for (size_t i = 0; r == 0 && i < spec->n_syscalls; i++)
        r = add_rule(ctx, &spec->syscalls[i], i, default_action, err);
    if (r < 0)
        return r;
    r = export_program(ctx, out, err);
    if (r < 0)
        return r;
    out->flags = spec->flag_bits;
    for (size_t i = 0; i < spec->n_syscalls; i++)
        if (spec->syscalls[i].action == NOOK_SECCOMP_NOTIFY)
            out->notify = true;
    if (out->notify) {
        out->flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
        /* The kernel takes TSYNC with a listener only when told to report
         * a thread that cannot sync as ESRCH rather than by its tid. */
        if (out->flags & SECCOMP_FILTER_FLAG_TSYNC)
            out->flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
    }
    return 0;
}

#else /* !HAVE_SECCOMP */

int nook_seccomp_compile_here(const struct nook_spec_seccomp *spec, struct nook_seccomp_program *out,
                              struct nook_error *err)
{
    (void)spec;
    memset(out, 0, sizeof(*out));
    return nook_error_set(err, ENOTSUP,
                          "config.json: .linux.seccomp: this nook was built without libseccomp (-Dseccomp=disabled); remove .linux.seccomp or rebuild with it");
}

#endif
