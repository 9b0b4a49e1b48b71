/* test-seccomp.c: .linux.seccomp compiled by seccomp-filter.c and installed in a
 * forked child, which then tries the syscalls the profile names. */
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/seccomp-filter.h"
#include "lib/spec.h"
#include "config.h"
#include "tap.h"

static struct nook_spec *parse(const char *seccomp_json)
{
    char *text = NULL;
    if (asprintf(&text,
                 "{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"rootfs\"},"
                 "\"linux\":{\"seccomp\":%s}}",
                 seccomp_json) < 0)
        return NULL;
    struct nook_spec *spec = NULL;
    struct nook_error err = { 0 };
    if (nook_spec_parse(text, strlen(text), "config.json", &spec, &err) < 0)
        printf("# parse: %s\n", err.message);
    free(text);
    return spec;
}

/* Compile; returns the error message (static buffer) or NULL on success. */
static const char *compile(const char *json, struct nook_seccomp_program *program)
{
    static char message[sizeof(((struct nook_error *)0)->message)];
    struct nook_spec *spec = parse(json);
    if (!spec)
        return "parse failed";
    struct nook_error err = { 0 };
    int r = nook_seccomp_compile(spec->linux_config->seccomp, program, &err);
    nook_spec_free(spec);
    if (r == 0)
        return NULL;
    snprintf(message, sizeof(message), "%s", err.message);
    return message;
}

/* Install the program in a child, run probe there; the child's exit code
 * is what probe returns, or 100 + the signal that killed it. */
static int run_filtered(const struct nook_seccomp_program *program, int (*probe)(void))
{
    pid_t pid = fork();
    if (pid == 0) {
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
            _exit(90);
        int r = nook_seccomp_install(program);
        if (r < 0)
            _exit(91);
        /* The raw syscall: a sanitizer's _exit() needs syscalls the
         * profiles under test refuse. */
        syscall(SYS_exit_group, probe());
        _exit(92);
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) < 0)
        return -1;
    return WIFSIGNALED(status) ? 100 + WTERMSIG(status) : WEXITSTATUS(status);
}

static char scratch[64];

/* 0: mkdir and getpid as the profile should have them; else which failed. */
static int probe_mkdir_eperm(void)
{
    if (mkdir(scratch, 0700) == 0 || errno != EPERM)
        return 1;
    if (getpid() <= 0)
        return 2;
    return 0;
}

static int probe_mkdir_works(void)
{
    if (mkdir(scratch, 0700) < 0)
        return 1;
    rmdir(scratch);
    return 0;
}

/* personality(0xffffffff) only reads; 8 is PER_LINUX32's low bits. */
static int probe_personality_args(void)
{
    errno = 0;
    long query = syscall(SYS_personality, 0xffffffffUL);
    if (query < 0)
        return 1;
    if (syscall(SYS_personality, 0x0008UL) >= 0 || errno != ENOSYS)
        return 2;
    return 0;
}

static int probe_kill(void)
{
    (void)getppid();
    return 0;
}

int main(void)
{
#if !HAVE_SECCOMP
    printf("1..0 # SKIP nook is built without libseccomp\n");
    return 0;
#endif
    struct tap t = { 0 };
    snprintf(scratch, sizeof(scratch), "/tmp/nook-seccomp-test-%d", (int)getpid());

    struct nook_seccomp_program p = { 0 };
    const char *e = compile("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"mkdir\",\"mkdirat\"],"
                            "\"action\":\"SCMP_ACT_ERRNO\"}]}",
                            &p);
    CHECK(&t, e == NULL, "an ERRNO rule for mkdir compiles");
    CHECK(&t, p.length > 0 && !p.notify && p.flags == 0, "a program without flags or listener");
    CHECK(&t, run_filtered(&p, probe_mkdir_eperm) == 0, "mkdir fails with EPERM, getpid works");
    nook_seccomp_program_clear(&p);

    e = compile("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":38,\"syscalls\":[{\"names\":["
                "\"personality\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":4294967295,"
                "\"op\":\"SCMP_CMP_EQ\"},{\"index\":0,\"value\":0,\"op\":\"SCMP_CMP_EQ\"}]},{\"names\":["
                "\"exit_group\",\"exit\",\"getpid\"],\"action\":\"SCMP_ACT_ALLOW\"}]}",
                &p);
    CHECK(&t, e == NULL, "two conditions on one argument compile");
    CHECK(&t, run_filtered(&p, probe_personality_args) == 0,
          "either condition on one argument allows, others get defaultErrnoRet");
    nook_seccomp_program_clear(&p);

    e = compile("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"mkdir\",\"mkdirat\"],"
                "\"action\":\"SCMP_ACT_ALLOW\"},{\"names\":[\"no_such_syscall_at_all\"],\"action\":\"SCMP_ACT_ERRNO\"}]}",
                &p);
    CHECK(&t, e == NULL, "rules with the default action and unknown names are skipped");
    CHECK(&t, run_filtered(&p, probe_mkdir_works) == 0, "mkdir still works");
    nook_seccomp_program_clear(&p);

    e = compile("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"getppid\"],"
                "\"action\":\"SCMP_ACT_KILL_PROCESS\"}]}",
                &p);
    CHECK(&t, e == NULL && run_filtered(&p, probe_kill) == 100 + SIGSYS, "KILL_PROCESS kills with SIGSYS");
    nook_seccomp_program_clear(&p);

    e = compile("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"/run/agent.sock\",\"flags\":["
                "\"SECCOMP_FILTER_FLAG_LOG\"],\"syscalls\":[{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_NOTIFY\"}]}",
                &p);
    CHECK(&t, e == NULL && p.notify, "a NOTIFY rule asks for a listener");
    CHECK(&t, p.flags == (SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_NEW_LISTENER),
          "flags: LOG from the config, NEW_LISTENER for the notify rule");
    nook_seccomp_program_clear(&p);

    e = compile("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\","
                "\"SCMP_ARCH_X32\"],\"syscalls\":[{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_ERRNO\"}]}",
                &p);
    CHECK(&t, e == NULL && p.length > 0, "the three x86 architectures");
    nook_seccomp_program_clear(&p);

    e = compile("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_LOONGARCH64\"]}", &p);
    CHECK(&t, e && strstr(e, ".linux.seccomp.architectures[0]") && strstr(e, "SCMP_ARCH_LOONGARCH64"),
          "an architecture libseccomp 2.5 cannot build for is an error naming it");
    if (e)
        printf("# %s\n", e);
    nook_seccomp_program_clear(&p);

    /* libseccomp 2.5.4 never returns from this rule set: the bounded
     * compile stops it (seccomp-compile-bounded.c). */
    struct nook_spec *hang = parse("{\"defaultAction\":\"SCMP_ACT_LOG\",\"syscalls\":["
                                   "{\"names\":[\"read\"],\"action\":\"SCMP_ACT_TRACE\",\"errnoRet\":3,\"args\":["
                                   "{\"index\":1,\"value\":4294967295,\"op\":\"SCMP_CMP_GT\"},"
                                   "{\"index\":2,\"value\":0,\"op\":\"SCMP_CMP_EQ\"}]},"
                                   "{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":["
                                   "{\"index\":1,\"value\":4294967295,\"op\":\"SCMP_CMP_GT\"},"
                                   "{\"index\":4,\"value\":4294967295,\"op\":\"SCMP_CMP_MASKED_EQ\",\"valueTwo\":3}]}]}");
    struct nook_error err = { 0 };
    struct timespec before, after;
    clock_gettime(CLOCK_MONOTONIC, &before);
    int r = hang ? nook_seccomp_compile_within(hang->linux_config->seccomp, &p, 300, &err) : -EINVAL;
    clock_gettime(CLOCK_MONOTONIC, &after);
    long elapsed_ms = (after.tv_sec - before.tv_sec) * 1000 + (after.tv_nsec - before.tv_nsec) / 1000000;
    CHECK(&t, r == -ETIMEDOUT && strstr(err.message, ".linux.seccomp") && elapsed_ms < 3000,
          "a rule set libseccomp cannot finish is stopped after the limit with an error naming .linux.seccomp");
    printf("# %ld ms: %s\n", elapsed_ms, err.message);
    CHECK(&t, waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD, "the compiling child is reaped");
    nook_spec_free(hang);
    return tap_done(&t);
}
