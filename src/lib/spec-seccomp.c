/* spec-seccomp.c: .linux.seccomp: actions, architectures, filter flags, the
 * notify listener and the syscall rules with their argument matches. The
 * names are checked here; turning them into a filter is seccomp.c's job. */
#include <stdlib.h>
#include <string.h>

#include "spec-internal.h"

/* The architectures libseccomp (2.5, 2.6) can name. */
static const char *const arch_names[] = {
    "SCMP_ARCH_X86",        "SCMP_ARCH_X86_64",  "SCMP_ARCH_X32",      "SCMP_ARCH_ARM",
    "SCMP_ARCH_AARCH64",    "SCMP_ARCH_MIPS",    "SCMP_ARCH_MIPS64",   "SCMP_ARCH_MIPS64N32",
    "SCMP_ARCH_MIPSEL",     "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
    "SCMP_ARCH_PPC64",      "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390",     "SCMP_ARCH_S390X",
    "SCMP_ARCH_PARISC",     "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64", "SCMP_ARCH_LOONGARCH64",
    "SCMP_ARCH_M68K",       "SCMP_ARCH_SH",      "SCMP_ARCH_SHEB",     NULL,
};

/* The SECCOMP_FILTER_FLAG_* a config may ask for, with the kernel's bits. */
static const struct {
    const char *name;
    unsigned int bit;
} filter_flags[] = {
    { "SECCOMP_FILTER_FLAG_TSYNC", 1u << 0 },
    { "SECCOMP_FILTER_FLAG_LOG", 1u << 1 },
    { "SECCOMP_FILTER_FLAG_SPEC_ALLOW", 1u << 2 },
    { "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", 1u << 5 },
};

/* The seccomp(2) argument array has six slots. */
#define SECCOMP_ARGS_MAX 6

static int get_action(struct spec_ctx *ctx, JsonObject *obj, const char *key,
                      enum nook_seccomp_action *out)
{
    _cleanup_free_ char *name = NULL;
    int r = spec_need_string(ctx, obj, key, &name);
    if (r < 0)
        return r;
    int index = spec_lookup(spec_seccomp_action_names, name);
    if (index < 0)
        return spec_fail_at(ctx, key, "unknown seccomp action \"%s\" (expected SCMP_ACT_ALLOW, "
                            "SCMP_ACT_ERRNO, SCMP_ACT_KILL, ...)", name);
    *out = (enum nook_seccomp_action)index;
    return 0;
}

static bool takes_errno(enum nook_seccomp_action action)
{
    return action == NOOK_SECCOMP_ERRNO || action == NOOK_SECCOMP_TRACE;
}

static int check_errno_ret(struct spec_ctx *ctx, const char *key, const struct nook_opt_u32 *ret,
                           enum nook_seccomp_action action)
{
    if (ret->set && !takes_errno(action))
        return spec_fail_at(ctx, key, "only SCMP_ACT_ERRNO and SCMP_ACT_TRACE return an errno, "
                            "not %s", spec_seccomp_action_names[action]);
    return 0;
}

static int parse_arg(struct spec_ctx *ctx, JsonObject *obj, void *item)
{
    struct nook_spec_seccomp_arg *arg = item;
    uint32_t index = 0;
    _cleanup_free_ char *op = NULL;
    int r = spec_need_u32(ctx, obj, "index", &index);
    if (r >= 0 && index >= SECCOMP_ARGS_MAX)
        r = spec_fail_at(ctx, "index", "must be from 0 to %d, not %u", SECCOMP_ARGS_MAX - 1, index);
    arg->index = index;
    if (r >= 0)
        r = spec_need_u64(ctx, obj, "value", &arg->value);
    if (r >= 0)
        r = spec_get_u64(ctx, obj, "valueTwo", &arg->value_two);
    if (r >= 0)
        r = spec_need_string(ctx, obj, "op", &op);
    if (r < 0)
        return r;
    int k = spec_lookup(spec_seccomp_op_names, op);
    if (k < 0)
        return spec_fail_at(ctx, "op", "unknown seccomp operator \"%s\" (expected SCMP_CMP_EQ, "
                            "SCMP_CMP_NE, SCMP_CMP_MASKED_EQ, ...)", op);
    arg->op = (enum nook_seccomp_op)k;
    return 0;
}

static int parse_syscall(struct spec_ctx *ctx, JsonObject *obj, void *item)
{
    struct nook_spec_syscall *sc = item;
    JsonNode *names = spec_member(obj, "names");
    if (!names || !JSON_NODE_HOLDS_ARRAY(names) ||
        json_array_get_length(json_node_get_array(names)) == 0)
        return spec_fail_at(ctx, "names", "must be a non-empty array of syscall names");
    int r = spec_get_strv(ctx, obj, "names", &sc->names);
    for (size_t i = 0; r >= 0 && sc->names[i]; i++)
        if (sc->names[i][0] == '\0') {
            size_t saved = spec_path_push_key(ctx, "names");
            spec_path_push_index(ctx, i);
            r = spec_fail(ctx, "must not be empty");
            spec_path_pop(ctx, saved);
        }
    if (r >= 0)
        r = get_action(ctx, obj, "action", &sc->action);
    if (r >= 0)
        r = spec_get_u32(ctx, obj, "errnoRet", &sc->errno_ret);
    if (r >= 0)
        r = check_errno_ret(ctx, "errnoRet", &sc->errno_ret, sc->action);
    if (r >= 0)
        r = spec_get_object_array(ctx, obj, "args", sizeof(*sc->args), (void **)&sc->args,
                                  &sc->n_args, parse_arg);
    return r;
}

static int check_names(struct spec_ctx *ctx, const char *key, char **values,
                       const char *const *known, const char *what)
{
    for (size_t i = 0; values && values[i]; i++)
        if (spec_lookup(known, values[i]) < 0) {
            size_t saved = spec_path_push_key(ctx, key);
            spec_path_push_index(ctx, i);
            int r = spec_fail(ctx, "unknown %s \"%s\"", what, values[i]);
            spec_path_pop(ctx, saved);
            return r;
        }
    return 0;
}

static int parse_flags(struct spec_ctx *ctx, JsonObject *obj, struct nook_spec_seccomp *sec)
{
    int r = spec_get_strv(ctx, obj, "flags", &sec->flags);
    for (size_t i = 0; r >= 0 && sec->flags && sec->flags[i]; i++) {
        size_t k = 0;
        while (k < N_ELEMENTS(filter_flags) && strcmp(filter_flags[k].name, sec->flags[i]) != 0)
            k++;
        if (k == N_ELEMENTS(filter_flags)) {
            size_t saved = spec_path_push_key(ctx, "flags");
            spec_path_push_index(ctx, i);
            r = spec_fail(ctx, "unknown seccomp flag \"%s\" (expected SECCOMP_FILTER_FLAG_TSYNC, "
                          "_LOG, _SPEC_ALLOW or _WAIT_KILLABLE_RECV)", sec->flags[i]);
            spec_path_pop(ctx, saved);
        } else {
            sec->flag_bits |= filter_flags[k].bit;
        }
    }
    return r;
}

/* SCMP_ACT_NOTIFY hands syscalls to an agent; without a listener to hand
 * the notify fd to, the container would hang on its first such call. */
static int check_notify(struct spec_ctx *ctx, const struct nook_spec_seccomp *sec)
{
    if (sec->default_action == NOOK_SECCOMP_NOTIFY)
        return spec_fail_at(ctx, "defaultAction", "SCMP_ACT_NOTIFY cannot be the default action");
    for (size_t i = 0; i < sec->n_syscalls; i++)
        if (sec->syscalls[i].action == NOOK_SECCOMP_NOTIFY && !sec->listener_path) {
            size_t saved = spec_path_push_key(ctx, "syscalls");
            spec_path_push_index(ctx, i);
            int r = spec_fail_at(ctx, "action", "SCMP_ACT_NOTIFY needs .linux.seccomp.listenerPath");
            spec_path_pop(ctx, saved);
            return r;
        }
    return 0;
}

int spec_parse_seccomp(struct spec_ctx *ctx, JsonObject *obj, struct nook_spec_seccomp *sec)
{
    int r = get_action(ctx, obj, "defaultAction", &sec->default_action);
    if (r >= 0)
        r = spec_get_u32(ctx, obj, "defaultErrnoRet", &sec->default_errno_ret);
    if (r >= 0)
        r = check_errno_ret(ctx, "defaultErrnoRet", &sec->default_errno_ret, sec->default_action);
    if (r >= 0)
        r = spec_get_strv(ctx, obj, "architectures", &sec->architectures);
    if (r >= 0)
        r = check_names(ctx, "architectures", sec->architectures, arch_names,
                        "seccomp architecture");
    if (r >= 0)
        r = parse_flags(ctx, obj, sec);
    if (r >= 0)
        r = spec_get_string(ctx, obj, "listenerPath", &sec->listener_path);
    if (r >= 0 && sec->listener_path && !sec->listener_path[0]) {
        free(sec->listener_path);
        sec->listener_path = NULL;
    }
    if (r >= 0)
        r = spec_check_absolute(ctx, "listenerPath", sec->listener_path);
    if (r >= 0)
        r = spec_get_string(ctx, obj, "listenerMetadata", &sec->listener_metadata);
    if (r >= 0 && sec->listener_metadata && sec->listener_metadata[0] && !sec->listener_path)
        r = spec_fail_at(ctx, "listenerMetadata", "is only allowed with listenerPath");
    if (r >= 0)
        r = spec_get_object_array(ctx, obj, "syscalls", sizeof(*sec->syscalls),
                                  (void **)&sec->syscalls, &sec->n_syscalls, parse_syscall);
    if (r >= 0)
        r = check_notify(ctx, sec);
    return r;
}

