/* cgroup-devices.c: .linux.resources.devices, the device allow-list, as a
 * cgroup v2 device program (BPF_PROG_TYPE_CGROUP_DEVICE) attached to the
 * container's cgroup. cgroup v2 has no devices file: before every open and
 * mknod of a device node the kernel runs the device programs of the
 * task's cgroup v2 cgroup and its ancestors, whatever v1 hierarchies a
 * hybrid host also mounts. nook writes the program's instructions itself.
 *
 * What the program decides: the rules are taken in the listed order, a
 * later one overriding an earlier one for each access it names (cgroup
 * v1's devices.allow / devices.deny written in turn), starting from "deny
 * everything"; then, as runc and crun do, the devices the runtime-spec
 * requires in every container (null, zero, full, random, urandom, tty,
 * console, ptmx, the pty slaves) and mknod of any node stay allowed: an
 * engine's list starts with "deny all" and counts on them.
 *
 * create attaches it once the container's init is ready, before anything
 * of the container's own runs (container-create.c).
 *
 * Loading a device program needs CAP_SYS_ADMIN over the host: only a
 * privileged runtime applies the list. Rootless nook has no device nodes
 * of its own to guard (it binds the host's, whose permissions still hold),
 * and ignores the list, as runc and crun do. */
#include <fcntl.h>
#include <linux/bpf.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup-internal.h"
#include "spec.h"

#define CONFIG_WHERE "config.json: .linux.resources.devices"

/* The registers the program keeps its input in. */
enum {
    REG_RESULT = BPF_REG_0,
    REG_CTX = BPF_REG_1,
    REG_TYPE = BPF_REG_2,      /* BPF_DEVCG_DEV_CHAR or BPF_DEVCG_DEV_BLOCK */
    REG_ACCESS = BPF_REG_3,    /* the accesses asked for and not yet granted */
    REG_MAJOR = BPF_REG_4,
    REG_MINOR = BPF_REG_5,
};

/* Always allowed after the configured rules (see the top of the file). */
static const struct nook_spec_device_rule default_rules[] = {
    { .allow = true, .type = 'c', .access = (char *)"m" },
    { .allow = true, .type = 'b', .access = (char *)"m" },
    { .allow = true, .type = 'c', .major = { true, 1 }, .minor = { true, 3 }, .access = (char *)"rwm" },
    { .allow = true, .type = 'c', .major = { true, 1 }, .minor = { true, 5 }, .access = (char *)"rwm" },
    { .allow = true, .type = 'c', .major = { true, 1 }, .minor = { true, 7 }, .access = (char *)"rwm" },
    { .allow = true, .type = 'c', .major = { true, 1 }, .minor = { true, 8 }, .access = (char *)"rwm" },
    { .allow = true, .type = 'c', .major = { true, 1 }, .minor = { true, 9 }, .access = (char *)"rwm" },
    { .allow = true, .type = 'c', .major = { true, 5 }, .minor = { true, 0 }, .access = (char *)"rwm" },
    { .allow = true, .type = 'c', .major = { true, 5 }, .minor = { true, 1 }, .access = (char *)"rwm" },
    { .allow = true, .type = 'c', .major = { true, 5 }, .minor = { true, 2 }, .access = (char *)"rwm" },
    { .allow = true, .type = 'c', .major = { true, 136 }, .access = (char *)"rwm" },
};

/* Where a jump goes before its offset is known. */
enum jump_target { TO_NEXT_RULE, TO_DENY, TO_ALLOW };

struct program {
    struct bpf_insn *insns;
    size_t count;
    size_t capacity;           /* sized for the rules by the caller */
    struct pending {
        size_t at;
        enum jump_target target;
    } *jumps;
    size_t n_jumps;
};

static struct bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
    return (struct bpf_insn){ .code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm };
}

static void emit(struct program *p, struct bpf_insn i)
{
    if (p->count < p->capacity)
        p->insns[p->count++] = i;
}

/* A conditional jump (BPF_JMP | op | BPF_K) whose offset is set later. */
static void emit_jump(struct program *p, uint8_t op, uint8_t reg, int32_t imm, enum jump_target target)
{
    p->jumps[p->n_jumps++] = (struct pending){ p->count, target };
    emit(p, insn(BPF_JMP | op | BPF_K, reg, 0, 0, imm));
}

/* Point the pending jumps to target, from start on, at instruction to. */
static void resolve(struct program *p, size_t start, enum jump_target target, size_t to)
{
    for (size_t i = start; i < p->n_jumps; i++)
        if (p->jumps[i].target == target)
            p->insns[p->jumps[i].at].off = (int16_t)(to - p->jumps[i].at - 1);
}

static uint32_t access_bits(const char *access)
{
    if (!access)
        return BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE;
    uint32_t bits = 0;
    for (const char *c = access; *c; c++)
        bits |= *c == 'r' ? BPF_DEVCG_ACC_READ : *c == 'w' ? BPF_DEVCG_ACC_WRITE : BPF_DEVCG_ACC_MKNOD;
    return bits;
}

/* One rule: skip it unless the device matches; an allow grants its
 * accesses (and allows once nothing asked for is left), a deny refuses
 * when it names one of the accesses still asked for. Rules are emitted
 * last first, so the last rule naming an access decides it. */
static void emit_rule(struct program *p, const struct nook_spec_device_rule *rule)
{
    size_t first_jump = p->n_jumps;
    if (rule->type != 'a')
        emit_jump(p, BPF_JNE, REG_TYPE, rule->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR,
                  TO_NEXT_RULE);
    if (rule->major.set && rule->major.value >= 0)
        emit_jump(p, BPF_JNE, REG_MAJOR, (int32_t)rule->major.value, TO_NEXT_RULE);
    if (rule->minor.set && rule->minor.value >= 0)
        emit_jump(p, BPF_JNE, REG_MINOR, (int32_t)rule->minor.value, TO_NEXT_RULE);
    uint32_t bits = access_bits(rule->access);
    if (rule->allow) {
        emit(p, insn(BPF_ALU | BPF_AND | BPF_K, REG_ACCESS, 0, 0, (int32_t)~bits));
        emit_jump(p, BPF_JEQ, REG_ACCESS, 0, TO_ALLOW);
    } else {
        emit_jump(p, BPF_JSET, REG_ACCESS, (int32_t)bits, TO_DENY);
    }
    resolve(p, first_jump, TO_NEXT_RULE, p->count);
}

static int check_rule(const struct nook_spec_device_rule *rule, size_t index, struct nook_error *err)
{
    /* A negative number is a wildcard, as in runc. */
    const int64_t limit = INT32_MAX;
    if (rule->major.set && rule->major.value > limit)
        return nook_error_set(err, ERANGE, CONFIG_WHERE "[%zu].major: %lld is not a device major number",
                              index, (long long)rule->major.value);
    if (rule->minor.set && rule->minor.value > limit)
        return nook_error_set(err, ERANGE, CONFIG_WHERE "[%zu].minor: %lld is not a device minor number",
                              index, (long long)rule->minor.value);
    return 0;
}

int nook_cgroup_device_program(const struct nook_spec_device_rule *rules, size_t n_rules,
                               struct bpf_insn **out, size_t *count, struct nook_error *err)
{
    for (size_t i = 0; i < n_rules; i++) {
        int r = check_rule(&rules[i], i, err);
        if (r < 0)
            return r;
    }
    size_t n_all = n_rules + N_ELEMENTS(default_rules);
    /* At most 5 instructions, 4 of them jumps, a rule; 10 around them. */
    struct program p = { .capacity = 5 * n_all + 10 };
    p.insns = calloc(p.capacity, sizeof(*p.insns));
    p.jumps = calloc(4 * n_all, sizeof(*p.jumps));
    if (!p.insns || !p.jumps) {
        free(p.insns);
        free(p.jumps);
        return nook_error_set(err, ENOMEM, "out of memory");
    }
    /* struct bpf_cgroup_dev_ctx: access_type is (access << 16) | type. */
    emit(&p, insn(BPF_LDX | BPF_W | BPF_MEM, REG_TYPE, REG_CTX,
                  offsetof(struct bpf_cgroup_dev_ctx, access_type), 0));
    emit(&p, insn(BPF_ALU | BPF_MOV | BPF_X, REG_ACCESS, REG_TYPE, 0, 0));
    emit(&p, insn(BPF_ALU | BPF_AND | BPF_K, REG_TYPE, 0, 0, 0xffff));
    emit(&p, insn(BPF_ALU | BPF_RSH | BPF_K, REG_ACCESS, 0, 0, 16));
    emit(&p, insn(BPF_LDX | BPF_W | BPF_MEM, REG_MAJOR, REG_CTX, offsetof(struct bpf_cgroup_dev_ctx, major), 0));
    emit(&p, insn(BPF_LDX | BPF_W | BPF_MEM, REG_MINOR, REG_CTX, offsetof(struct bpf_cgroup_dev_ctx, minor), 0));
    for (size_t i = N_ELEMENTS(default_rules); i-- > 0;)
        emit_rule(&p, &default_rules[i]);
    for (size_t i = n_rules; i-- > 0;)
        emit_rule(&p, &rules[i]);
    /* Nothing granted everything asked for: deny. */
    resolve(&p, 0, TO_DENY, p.count);
    emit(&p, insn(BPF_ALU64 | BPF_MOV | BPF_K, REG_RESULT, 0, 0, 0));
    emit(&p, insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
    resolve(&p, 0, TO_ALLOW, p.count);
    emit(&p, insn(BPF_ALU64 | BPF_MOV | BPF_K, REG_RESULT, 0, 0, 1));
    emit(&p, insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
    free(p.jumps);
    *out = p.insns;
    *count = p.count;
    return 0;
}

static int bpf_call(int cmd, union bpf_attr *attr)
{
    return (int)syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

static int load_program(const struct bpf_insn *insns, size_t count, int *out_fd, struct nook_error *err)
{
    union bpf_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
    attr.insns = (uint64_t)(uintptr_t)insns;
    attr.insn_cnt = (uint32_t)count;
    attr.license = (uint64_t)(uintptr_t)"Apache-2.0";
    int fd = bpf_call(BPF_PROG_LOAD, &attr);
    if (fd >= 0) {
        *out_fd = fd;
        return 0;
    }
    int saved = errno;
    if (saved == EPERM || saved == EACCES)
        return nook_error_set(err, saved, CONFIG_WHERE ": loading a device cgroup program: %s "
                              "(it needs CAP_SYS_ADMIN over the host)", strerror(saved));
    /* Load again for the verifier's reason, which only a failure needs. */
    char log[4096] = "";
    attr.log_buf = (uint64_t)(uintptr_t)log;
    attr.log_size = sizeof(log);
    attr.log_level = 1;
    fd = bpf_call(BPF_PROG_LOAD, &attr);
    if (fd >= 0)
        close(fd);
    size_t len = strnlen(log, sizeof(log) - 1);
    log[len] = '\0';
    while (len > 0 && log[len - 1] == '\n')
        log[--len] = '\0';
    const char *reason = strrchr(log, '\n');
    reason = reason ? reason + 1 : log;
    return nook_error_set(err, saved, CONFIG_WHERE ": loading the device cgroup program: %s%s%s",
                          strerror(saved), reason[0] ? ": " : "", reason);
}

int nook_cgroup_apply_devices(const struct nook_cgroup *cgroup,
                              const struct nook_spec_resources *resources, bool privileged,
                              struct nook_error *err)
{
    if (!privileged || !resources || resources->n_devices == 0)
        return 0;
    _cleanup_free_ struct bpf_insn *insns = NULL;
    size_t count = 0;
    int r = nook_cgroup_device_program(resources->devices, resources->n_devices, &insns, &count, err);
    if (r < 0)
        return r;
    _cleanup_close_ int dirfd = -1;
    r = nook_cgroup_open(cgroup, NULL, &dirfd, err);
    if (r < 0)
        return r;
    _cleanup_close_ int prog_fd = -1;
    r = load_program(insns, count, &prog_fd, err);
    if (r < 0)
        return r;
    union bpf_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.target_fd = (uint32_t)dirfd;
    attr.attach_bpf_fd = (uint32_t)prog_fd;
    attr.attach_type = BPF_CGROUP_DEVICE;
    /* Beside programs of the cgroups above (systemd's, an engine's): the
     * kernel allows an access only when every one of them does. */
    attr.attach_flags = BPF_F_ALLOW_MULTI;
    if (bpf_call(BPF_PROG_ATTACH, &attr) < 0)
        return nook_error_set_errno(err, errno, CONFIG_WHERE ": attach the device cgroup program");
    /* The attachment holds the program until the cgroup goes. */
    return 0;
}
