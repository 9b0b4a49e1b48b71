/* test-cgroup-devices.c: the device allow-list's cgroup program
 * (lib/cgroup-devices.c). The instructions nook writes are run here by a
 * small interpreter of the few BPF instructions the program uses, on every
 * kind of access, so the decisions are checked without privilege: the
 * listed order (the last rule naming an access decides it), deny by
 * default, each access bit on its own, wildcards, the devices that stay
 * allowed. As root, the kernel's verifier must also accept the programs. */
#include <errno.h>
#include <linux/bpf.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/cgroup-internal.h"
#include "lib/spec.h"
#include "tap.h"

enum { R = BPF_DEVCG_ACC_READ, W = BPF_DEVCG_ACC_WRITE, M = BPF_DEVCG_ACC_MKNOD };
enum { CHR = BPF_DEVCG_DEV_CHAR, BLK = BPF_DEVCG_DEV_BLOCK };

/* Run the program on one access; -1 when it does something this
 * interpreter does not know (which the test counts as a failure). */
static int run(const struct bpf_insn *insns, size_t count, uint32_t type, uint32_t access, uint32_t major,
               uint32_t minor)
{
    struct bpf_cgroup_dev_ctx ctx = { .access_type = (access << 16) | type, .major = major, .minor = minor };
    uint64_t reg[11] = { 0 };
    for (size_t pc = 0; pc < count; pc++) {
        const struct bpf_insn *i = &insns[pc];
        uint64_t *dst = &reg[i->dst_reg];
        uint64_t imm = (uint64_t)(int64_t)i->imm;
        switch (i->code) {
        case BPF_LDX | BPF_W | BPF_MEM: {
            uint32_t v;
            if (i->src_reg != BPF_REG_1 || i->off < 0 || (size_t)i->off + 4 > sizeof(ctx))
                return -1;
            memcpy(&v, (const char *)&ctx + i->off, sizeof(v));
            *dst = v;
            break;
        }
        case BPF_ALU | BPF_MOV | BPF_X:
            *dst = (uint32_t)reg[i->src_reg];
            break;
        case BPF_ALU | BPF_AND | BPF_K:
            *dst = (uint32_t)(*dst & (uint32_t)i->imm);
            break;
        case BPF_ALU | BPF_RSH | BPF_K:
            *dst = (uint32_t)*dst >> i->imm;
            break;
        case BPF_ALU64 | BPF_MOV | BPF_K:
            *dst = imm;
            break;
        case BPF_JMP | BPF_JNE | BPF_K:
            if (*dst != imm)
                pc += (size_t)(int64_t)i->off;
            break;
        case BPF_JMP | BPF_JEQ | BPF_K:
            if (*dst == imm)
                pc += (size_t)(int64_t)i->off;
            break;
        case BPF_JMP | BPF_JSET | BPF_K:
            if (*dst & imm)
                pc += (size_t)(int64_t)i->off;
            break;
        case BPF_JMP | BPF_EXIT:
            return (int)reg[BPF_REG_0];
        default:
            return -1;
        }
    }
    return -1;
}

struct program {
    struct bpf_insn *insns;
    size_t count;
};

/* The program for a list of rules given as JSON ("[...]"). */
static struct program build(const char *devices_json)
{
    struct program p = { 0 };
    char json[2048];
    snprintf(json, sizeof(json), "{\"devices\": %s}", devices_json);
    struct nook_spec_resources *res = NULL;
    struct nook_error err = { 0 };
    if (nook_spec_parse_resources(json, strlen(json), "resources.json", &res, &err) < 0) {
        printf("# parse failed: %s\n", err.message);
        return p;
    }
    if (nook_cgroup_device_program(res->devices, res->n_devices, &p.insns, &p.count, &err) < 0)
        printf("# build failed: %s\n", err.message);
    nook_spec_resources_free(res);
    return p;
}

/* 1 allowed, 0 denied, -1 the interpreter failed. */
static int decide(const struct program *p, uint32_t type, uint32_t access, uint32_t major, uint32_t minor)
{
    return p->insns ? run(p->insns, p->count, type, access, major, minor) : -1;
}

/* As root, whether the kernel loads the program (verifier included). 1
 * loaded, 0 refused (the reason printed), -1 not tried (no privilege). */
static int kernel_loads(const struct program *p)
{
    union bpf_attr attr;
    memset(&attr, 0, sizeof(attr));
    static char log[65536];
    log[0] = '\0';
    attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
    attr.insns = (uint64_t)(uintptr_t)p->insns;
    attr.insn_cnt = (uint32_t)p->count;
    attr.license = (uint64_t)(uintptr_t)"Apache-2.0";
    attr.log_buf = (uint64_t)(uintptr_t)log;
    attr.log_size = sizeof(log);
    attr.log_level = 1;
    int fd = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
    if (fd >= 0) {
        close(fd);
        return 1;
    }
    if (errno == EPERM || errno == EACCES || errno == ENOSYS)
        return -1;
    printf("# the kernel refused the program: %s\n# %s\n", strerror(errno), log);
    return 0;
}

static void test_defaults(struct tap *t)
{
    struct program p = build("[]");
    CHECK(t, decide(&p, CHR, R | W, 1, 3) == 1, "no rules: /dev/null stays readable and writable");
    CHECK(t, decide(&p, CHR, R, 1, 5) == 1 && decide(&p, CHR, R, 1, 9) == 1 && decide(&p, CHR, R | W, 5, 2) == 1 &&
                 decide(&p, CHR, R | W, 136, 7) == 1 && decide(&p, CHR, R | W, 5, 0) == 1,
          "no rules: zero, urandom, ptmx, the pty slaves and tty stay allowed");
    CHECK(t, decide(&p, CHR, R, 240, 0) == 0 && decide(&p, BLK, R, 8, 0) == 0,
          "no rules: any other device is denied");
    CHECK(t, decide(&p, CHR, M, 240, 0) == 1 && decide(&p, BLK, M, 8, 0) == 1,
          "mknod of any node stays allowed (opening it is another matter)");
    CHECK(t, decide(&p, CHR, R | M, 240, 0) == 0, "mknod does not let a read through");
    free(p.insns);
}

static void test_order(struct tap *t)
{
    struct program p = build("[{\"allow\": false, \"access\": \"rwm\"},"
                             " {\"allow\": true, \"type\": \"c\", \"major\": 240, \"access\": \"rw\"},"
                             " {\"allow\": false, \"type\": \"c\", \"major\": 240, \"minor\": 1, \"access\": \"w\"}]");
    CHECK(t, decide(&p, CHR, R | W, 240, 0) == 1, "deny all, allow c 240:* rw, deny c 240:1 w: 240:0 rw allowed");
    CHECK(t, decide(&p, CHR, R, 240, 1) == 1, "... 240:1 read allowed");
    CHECK(t, decide(&p, CHR, W, 240, 1) == 0 && decide(&p, CHR, R | W, 240, 1) == 0,
          "... 240:1 write denied, alone or with a read");
    CHECK(t, decide(&p, BLK, R, 240, 0) == 0, "... the block device of the same numbers denied");
    CHECK(t, decide(&p, CHR, R, 241, 0) == 0, "... another major denied");
    free(p.insns);

    p = build("[{\"allow\": false, \"access\": \"rwm\"},"
              " {\"allow\": false, \"type\": \"c\", \"major\": 240, \"minor\": 1, \"access\": \"w\"},"
              " {\"allow\": true, \"type\": \"c\", \"major\": 240, \"access\": \"rw\"}]");
    CHECK(t, decide(&p, CHR, R | W, 240, 1) == 1, "the same rules, the deny before the allow: 240:1 rw allowed");
    free(p.insns);

    p = build("[{\"allow\": true, \"type\": \"c\", \"major\": 240, \"minor\": 1, \"access\": \"rw\"},"
              " {\"allow\": false, \"access\": \"rwm\"}]");
    CHECK(t, decide(&p, CHR, R, 240, 1) == 0, "an allow before a deny of all is undone by it");
    free(p.insns);

    p = build("[{\"allow\": true, \"access\": \"rwm\"}, {\"allow\": false, \"access\": \"rwm\"},"
              " {\"allow\": true, \"type\": \"c\", \"major\": 1, \"minor\": 3, \"access\": \"rw\"}]");
    CHECK(t, decide(&p, CHR, R, 240, 0) == 0 && decide(&p, BLK, R | W, 8, 0) == 0,
          "allow all, deny all, allow null: everything else denied");
    free(p.insns);
}

static void test_access_bits(struct tap *t)
{
    struct program p = build("[{\"allow\": false, \"access\": \"rwm\"},"
                             " {\"allow\": true, \"type\": \"c\", \"major\": 240, \"minor\": 0, \"access\": \"r\"},"
                             " {\"allow\": true, \"type\": \"c\", \"major\": 240, \"minor\": 0, \"access\": \"w\"}]");
    CHECK(t, decide(&p, CHR, R | W, 240, 0) == 1, "read and write granted by two rules: rw allowed");
    free(p.insns);

    p = build("[{\"allow\": true, \"access\": \"rwm\"},"
              " {\"allow\": false, \"type\": \"b\", \"access\": \"w\"}]");
    CHECK(t, decide(&p, BLK, R, 8, 0) == 1 && decide(&p, BLK, W, 8, 0) == 0 && decide(&p, CHR, W, 240, 0) == 1,
          "allow all, deny block writes: block reads and char writes allowed, block writes denied");
    free(p.insns);

    p = build("[{\"allow\": true, \"type\": \"c\", \"major\": 240}]");
    CHECK(t, decide(&p, CHR, R | W, 240, 5) == 1, "an allow without access grants rwm");
    free(p.insns);

    p = build("[{\"allow\": true, \"type\": \"c\", \"major\": -1, \"minor\": -1, \"access\": \"r\"}]");
    CHECK(t, decide(&p, CHR, R, 240, 5) == 1 && decide(&p, CHR, W, 240, 5) == 0,
          "-1 as major and minor is a wildcard");
    free(p.insns);
}

static void test_required_devices_win(struct tap *t)
{
    struct program p = build("[{\"allow\": false, \"access\": \"rwm\"},"
                             " {\"allow\": false, \"type\": \"c\", \"major\": 1, \"minor\": 5, \"access\": \"rwm\"}]");
    CHECK(t, decide(&p, CHR, R, 1, 5) == 1, "the devices every container needs stay allowed, even denied by name");
    free(p.insns);
}

static void test_errors(struct tap *t)
{
    struct nook_spec_device_rule rules[] = {
        { .allow = true, .type = 'c', .major = { true, 1 } },
        { .allow = true, .type = 'c', .major = { true, 1 }, .minor = { true, 1LL << 40 } },
    };
    struct bpf_insn *insns = NULL;
    size_t count = 0;
    struct nook_error err = { 0 };
    CHECK(t, nook_cgroup_device_program(rules, 2, &insns, &count, &err) == -ERANGE && !insns,
          "a minor no device can have is refused");
    CHECK(t, strstr(err.message, ".linux.resources.devices[1].minor") != NULL, "the error names the rule");
}

static void test_kernel(struct tap *t)
{
    const char *lists[] = {
        "[]",
        "[{\"allow\": false, \"access\": \"rwm\"}, {\"allow\": true, \"type\": \"c\", \"major\": 240, \"access\": \"rw\"},"
        " {\"allow\": false, \"type\": \"b\", \"major\": 8, \"minor\": 0, \"access\": \"w\"}, {\"allow\": true, \"access\": \"m\"}]",
    };
    int loaded = 0, tried = 0;
    for (size_t i = 0; i < N_ELEMENTS(lists); i++) {
        struct program p = build(lists[i]);
        int r = p.insns ? kernel_loads(&p) : 0;
        if (r >= 0)
            tried++;
        if (r == 1)
            loaded++;
        free(p.insns);
    }
    if (tried == 0) {
        printf("ok %d - the kernel loads the programs # SKIP no privilege to load a cgroup program\n", ++t->count);
        return;
    }
    CHECK(t, loaded == tried, "the kernel loads the programs");
}

int main(void)
{
    struct tap t = { 0 };
    test_defaults(&t);
    test_order(&t);
    test_access_bits(&t);
    test_required_devices_win(&t);
    test_errors(&t);
    test_kernel(&t);
    return tap_done(&t);
}
