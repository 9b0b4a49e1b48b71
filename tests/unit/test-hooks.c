/* test-hooks.c: running one point's hooks (lib/hooks.c) — the state on
 * stdin, args and env, the first failure stops the list (but not after
 * the start), timeouts — and reading socket activation's variables
 * (lib/notify.c). Hooks are /bin/sh scripts given inline. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/hooks.h"
#include "lib/notify.h"
#include "tap.h"

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "re");
    if (!f)
        return NULL;
    static char buf[4096];
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

/* A spec with the given shell scripts as the point's hooks. */
static void one_point(struct nook_spec *spec, struct nook_spec_hooks *hooks,
                      struct nook_spec_hook *items, size_t n, enum nook_hook_point point)
{
    memset(hooks, 0, sizeof(*hooks));
    struct nook_spec_hook_list list = { .items = items, .count = n };
    if (point == NOOK_HOOK_CREATE_RUNTIME)
        hooks->create_runtime = list;
    else
        hooks->poststop = list;
    spec->hooks = hooks;
}

int main(void)
{
    struct tap t = { 0 };
    char dir[] = "/tmp/nook-test-hooks.XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    char out[256], script[512];
    snprintf(out, sizeof(out), "%s/out", dir);

    struct nook_spec spec = { 0 };
    struct nook_spec_hooks hooks;
    CHECK(&t, nook_hooks_for(&spec, NOOK_HOOK_PRESTART) == NULL, "no hooks: nothing to run");
    struct nook_error err = { 0 };
    CHECK(&t, nook_hooks_run(&spec, NOOK_HOOK_PRESTART, "{}", NULL, &err) == 0, "no hooks: success");

    /* stdin, args, env and the working directory */
    snprintf(script, sizeof(script), "echo \"$0 $1 $HOOKVAR $(pwd) $(cat)\" > %s", out);
    char *args[] = { "sh", "-c", script, "name", "one", NULL };
    char *env[] = { "HOOKVAR=yes", NULL };
    struct nook_spec_hook ok_hook = { .path = "/bin/sh", .args = args, .env = env };
    one_point(&spec, &hooks, &ok_hook, 1, NOOK_HOOK_CREATE_RUNTIME);
    CHECK(&t, nook_hooks_run(&spec, NOOK_HOOK_CREATE_RUNTIME, "{\"id\":\"c\"}", dir, &err) == 0,
          "a hook that exits 0 succeeds");
    char want[512];
    snprintf(want, sizeof(want), "name one yes %s {\"id\":\"c\"}\n", dir);
    CHECK_STR(&t, read_file(out), want, "the hook gets args, env, cwd and the state on stdin");

    /* a failure stops the list before the start, with the output */
    char *fail_args[] = { "sh", "-c", "echo broken >&2; exit 4", NULL };
    snprintf(script, sizeof(script), "echo ran > %s", out);
    char *mark_args[] = { "sh", "-c", script, NULL };
    struct nook_spec_hook two[] = {
        { .path = "/bin/sh", .args = fail_args },
        { .path = "/bin/sh", .args = mark_args },
    };
    unlink(out);
    one_point(&spec, &hooks, two, 2, NOOK_HOOK_CREATE_RUNTIME);
    nook_error_clear(&err);
    CHECK(&t, nook_hooks_run(&spec, NOOK_HOOK_CREATE_RUNTIME, "{}", NULL, &err) < 0,
          "a hook that exits 4 fails");
    CHECK_STR(&t, err.message,
              "createRuntime hook \"/bin/sh\" (.hooks.createRuntime[0]) exited with status 4: broken",
              "the error names the hook and carries its output");
    CHECK(&t, access(out, F_OK) < 0, "the hooks after a failing one do not run");

    /* ...but not after the start */
    one_point(&spec, &hooks, two, 2, NOOK_HOOK_POSTSTOP);
    nook_error_clear(&err);
    CHECK(&t, nook_hooks_run(&spec, NOOK_HOOK_POSTSTOP, "{}", NULL, &err) < 0,
          "a failing poststop hook is reported");
    CHECK(&t, access(out, F_OK) == 0, "the poststop hooks after a failing one still run");

    /* timeout */
    char *slow_args[] = { "sh", "-c", "sleep 20", NULL };
    struct nook_spec_hook slow = { .path = "/bin/sh", .args = slow_args, .timeout = { .set = true, .value = 1 } };
    one_point(&spec, &hooks, &slow, 1, NOOK_HOOK_CREATE_RUNTIME);
    nook_error_clear(&err);
    time_t start = time(NULL);
    CHECK(&t, nook_hooks_run(&spec, NOOK_HOOK_CREATE_RUNTIME, "{}", NULL, &err) == -ETIMEDOUT,
          "a hook past its timeout fails with ETIMEDOUT");
    CHECK(&t, time(NULL) - start < 5, "it is killed at its timeout");
    CHECK(&t, strstr(err.message, "timed out after 1 seconds") != NULL, "the error says it timed out");

    /* a hook that cannot be executed */
    struct nook_spec_hook missing = { .path = "/nonexistent/hook" };
    one_point(&spec, &hooks, &missing, 1, NOOK_HOOK_CREATE_RUNTIME);
    nook_error_clear(&err);
    CHECK(&t, nook_hooks_run(&spec, NOOK_HOOK_CREATE_RUNTIME, "{}", NULL, &err) < 0,
          "a missing hook fails");
    CHECK(&t, strstr(err.message, "status 127: exec: No such file or directory") != NULL,
          "the error says why it could not run");

    /* socket activation's variables */
    CHECK(&t, nook_listen_fds_parse("2", "42", 42) == 2, "LISTEN_FDS for this pid");
    CHECK(&t, nook_listen_fds_parse("2", "41", 42) == 0, "LISTEN_FDS for another pid is ignored");
    CHECK(&t, nook_listen_fds_parse(NULL, "42", 42) == 0, "no LISTEN_FDS");
    CHECK(&t, nook_listen_fds_parse("2", NULL, 42) == 0, "no LISTEN_PID");
    CHECK(&t, nook_listen_fds_parse("x", "42", 42) == 0, "malformed LISTEN_FDS");
    CHECK(&t, nook_listen_fds_parse("-1", "42", 42) == 0, "negative LISTEN_FDS");

    unlink(out);
    rmdir(dir);
    return tap_done(&t);
}
