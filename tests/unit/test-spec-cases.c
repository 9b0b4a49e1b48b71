/* test-spec-cases.c: the config.json parser's edge cases and the rest of its
 * API: absent versus zero, null, 64-bit limits, versions, loading from a
 * bundle, process.json and resources.json on their own, lookups. */
#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>

#include "lib/spec-default.h"
#include "test-spec-util.h"

#define MINIMAL_HEAD "{\"ociVersion\": \"1.2.0\", \"root\": {\"path\": \"rootfs\"}, "
#define MINIMAL_PROCESS "\"process\": {\"args\": [\"sh\"], \"cwd\": \"/\"}"

static void test_absent_null_zero(struct tap *t)
{
    struct nook_error err = { 0 };
    _cleanup_(nook_spec_freep) struct nook_spec *s = NULL;
    int r = parse_text(MINIMAL_HEAD "\"hostname\": null, \"process\": {\"args\": [\"sh\"], "
                       "\"cwd\": \"/\", \"oomScoreAdj\": null, \"env\": null, \"future\": {\"x\": 1}}}",
                       &s, &err);
    if (!CHECK(t, r == 0, "null members and unknown members are accepted")) {
        printf("# %s\n", err.message);
        return;
    }
    CHECK(t, s->hostname == NULL, "null hostname is absent");
    CHECK(t, !s->process->oom_score_adj.set, "null oomScoreAdj is absent");
    CHECK(t, s->process->env == NULL, "null env is absent");
    CHECK(t, s->linux_config == NULL, "no linux section: NULL");
    CHECK(t, s->hooks == NULL && s->n_mounts == 0 && s->annotations.count == 0,
          "absent hooks, mounts, annotations are empty");
    CHECK(t, s->process->capabilities == NULL, "absent capabilities: NULL");
    CHECK(t, !s->process->user.umask.set, "absent umask is not set");

    _cleanup_(nook_spec_freep) struct nook_spec *z = NULL;
    r = parse_text(MINIMAL_HEAD "\"process\": {\"args\": [\"sh\"], \"cwd\": \"/\", \"oomScoreAdj\": 0, "
                   "\"user\": {\"uid\": 0, \"gid\": 0, \"umask\": 0}}, "
                   "\"linux\": {\"resources\": {\"memory\": {\"limit\": 0}, \"pids\": {}}}}",
                   &z, &err);
    if (!CHECK(t, r == 0, "zero values parse")) {
        printf("# %s\n", err.message);
        return;
    }
    CHECK(t, z->process->oom_score_adj.set && z->process->oom_score_adj.value == 0,
          "oomScoreAdj 0 is set");
    CHECK(t, z->process->user.umask.set && z->process->user.umask.value == 0, "umask 0 is set");
    const struct nook_spec_memory *m = z->linux_config->resources->memory;
    CHECK(t, m->limit.set && m->limit.value == 0, "memory.limit 0 is set");
    CHECK(t, !m->swap.set && !m->reservation.set, "memory.swap absent is not set");
    CHECK(t, z->linux_config->resources->pids && !z->linux_config->resources->pids->limit.set,
          "pids without a limit: no limit");

    _cleanup_(nook_spec_freep) struct nook_spec *np = NULL;
    r = parse_text(MINIMAL_HEAD "\"mounts\": []}", &np, &err);
    CHECK(t, r == 0 && np->process == NULL && np->mounts == NULL,
          "a config without process parses (process is optional in config.json)");
}

static void test_numbers(struct tap *t)
{
    struct nook_error err = { 0 };
    _cleanup_(nook_spec_freep) struct nook_spec *s = NULL;
    int r = parse_text(MINIMAL_HEAD "\"process\": {\"args\": [\"sh\"], \"cwd\": \"/\", \"rlimits\": ["
                       "{\"type\": \"RLIMIT_AS\", \"hard\": 18446744073709551615, \"soft\": 9223372036854775808},"
                       "{\"type\": \"RLIMIT_CPU\", \"hard\": -1, \"soft\": 0}]}, "
                       "\"linux\": {\"resources\": {\"memory\": {\"limit\": -1, \"swap\": 9223372036854775807},"
                       "\"cpu\": {\"quota\": -1, \"shares\": 18446744073709551615}}}}",
                       &s, &err);
    if (!CHECK(t, r == 0, "64-bit extremes parse")) {
        printf("# %s\n", err.message);
        return;
    }
    const struct nook_spec_rlimit *rl = s->process->rlimits;
    CHECK(t, rl[0].hard == UINT64_MAX, "uint64 max kept (RLIM_INFINITY)");
    CHECK(t, rl[0].soft == 9223372036854775808ull, "2^63 kept in a uint64 field");
    /* json-glib cannot tell -1 from 2^64-1; both mean "unlimited" here. */
    CHECK(t, rl[1].hard == UINT64_MAX, "-1 in a uint64 field reads as its maximum");
    const struct nook_spec_resources *res = s->linux_config->resources;
    CHECK(t, res->memory->limit.value == -1, "memory.limit -1 (unlimited)");
    CHECK(t, res->memory->swap.value == INT64_MAX, "memory.swap INT64_MAX");
    CHECK(t, res->cpu->quota.set && res->cpu->quota.value == -1, "cpu.quota -1");
    CHECK(t, res->cpu->shares.value == UINT64_MAX, "cpu.shares uint64 max");

    _cleanup_(nook_spec_freep) struct nook_spec *f = NULL;
    r = parse_text(MINIMAL_HEAD "\"process\": {\"args\": [\"sh\"], \"cwd\": \"/\", \"user\": {\"uid\": 1e3}}}",
                   &f, &err);
    CHECK(t, r == -EINVAL, "an exponent is not an integer");
    CHECK_ERR(t, &err, ".process.user.uid: must be an integer, not 1000", "exponent refused with the path");

    r = parse_text(MINIMAL_HEAD "\"process\": {\"args\": [\"sh\"], \"cwd\": \"/\", \"user\": {\"uid\": \"0\"}}}",
                   &f, &err);
    CHECK_ERR(t, &err, ".process.user.uid: must be an integer, not a string", "quoted number refused");
}

static void test_versions(struct tap *t)
{
    static const char *const good[] = { "1.0.0", "1.2.0", "1.0.2-dev", "1.1.0+dev", "1.0.0-rc5", "1.3" };
    static const char *const bad[] = { "0.9.0", "10.0.0", "1", "v1.0.0", "", "1.x" };
    char doc[256];
    for (size_t i = 0; i < N_ELEMENTS(good); i++) {
        struct nook_error err = { 0 };
        struct nook_spec *s = NULL;
        snprintf(doc, sizeof(doc), "{\"ociVersion\": \"%s\", \"root\": {\"path\": \"r\"}}", good[i]);
        char what[128];
        snprintf(what, sizeof(what), "ociVersion \"%s\" accepted", good[i]);
        CHECK(t, parse_text(doc, &s, &err) == 0, what);
        nook_spec_free(s);
    }
    for (size_t i = 0; i < N_ELEMENTS(bad); i++) {
        struct nook_error err = { 0 };
        struct nook_spec *s = NULL;
        snprintf(doc, sizeof(doc), "{\"ociVersion\": \"%s\", \"root\": {\"path\": \"r\"}}", bad[i]);
        char what[128];
        snprintf(what, sizeof(what), "ociVersion \"%s\" refused", bad[i]);
        CHECK(t, parse_text(doc, &s, &err) == -EINVAL && s == NULL, what);
        CHECK_ERR(t, &err, "config.json: .ociVersion: ", "version error names the field");
    }
}

static void test_cross_checks(struct tap *t)
{
    struct nook_error err = { 0 };
    struct nook_spec *s = NULL;
    CHECK(t, parse_text(MINIMAL_HEAD "\"hostname\": \"x\", \"linux\": {\"namespaces\": [{\"type\": \"uts\", "
                        "\"path\": \"/proc/1/ns/uts\"}]}}", &s, &err) == 0,
          "hostname with a joined UTS namespace is accepted");
    nook_spec_free(s);
    CHECK(t, parse_text(MINIMAL_HEAD "\"hostname\": \"\"}", &s, &err) == 0,
          "an empty hostname needs no UTS namespace");
    nook_spec_free(s);
    CHECK(t, parse_text(MINIMAL_HEAD "\"domainname\": \"d\"}", &s, &err) == -EINVAL,
          "domainname without UTS namespace refused");
    CHECK_ERR(t, &err, "config.json: .domainname: setting a domain name needs a private UTS namespace",
              "domainname error");

    CHECK(t, parse_text(MINIMAL_HEAD "\"linux\": {\"memoryPolicy\": {\"mode\": \"MPOL_LOCAL\"}}}", &s, &err) == 0,
          "MPOL_LOCAL without nodes accepted");
    nook_spec_free(s);
    CHECK(t, parse_text(MINIMAL_HEAD "\"linux\": {\"memoryPolicy\": {\"mode\": \"MPOL_DEFAULT\", \"nodes\": \"0\"}}}",
                        &s, &err) == -EINVAL, "MPOL_DEFAULT with nodes refused");
    CHECK_ERR(t, &err, ".linux.memoryPolicy.nodes: must be empty for MPOL_DEFAULT", "default-with-nodes error");
    CHECK(t, parse_text(MINIMAL_HEAD "\"linux\": {\"memoryPolicy\": {\"mode\": \"MPOL_BIND\", \"nodes\": \"0\", "
                        "\"flags\": [\"MPOL_F_STATIC_NODES\", \"MPOL_F_RELATIVE_NODES\"]}}}", &s, &err) == -EINVAL,
          "static and relative nodes together refused");
    CHECK_ERR(t, &err, ".linux.memoryPolicy.flags: MPOL_F_STATIC_NODES and MPOL_F_RELATIVE_NODES exclude",
              "exclusive flags error");

    CHECK(t, parse_text(MINIMAL_HEAD "\"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_NOTIFY\", "
                        "\"listenerPath\": \"/run/a.sock\"}}}", &s, &err) == -EINVAL,
          "SCMP_ACT_NOTIFY as default refused");
    CHECK_ERR(t, &err, ".linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action",
              "notify default error");
    CHECK(t, parse_text(MINIMAL_HEAD "\"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", "
                        "\"listenerPath\": \"\"}}}", &s, &err) == 0 && s->linux_config->seccomp->listener_path == NULL,
          "an empty listenerPath is absent");
    nook_spec_free(s);
    CHECK(t, parse_text(MINIMAL_HEAD "\"hostname\": \"a\", \"hostname\": \"b\", \"linux\": {\"namespaces\": "
                        "[{\"type\": \"uts\"}]}}", &s, &err) == 0 && s && strcmp(s->hostname, "b") == 0,
          "a repeated member: the last one wins (as in Go)");
    nook_spec_free(s);
}

static void test_document_edges(struct tap *t)
{
    struct nook_error err = { 0 };
    struct nook_spec *s = NULL;

    /* Only len bytes count: the text need not be NUL-terminated. */
    const char *doc = "{\"ociVersion\": \"1.2.0\", \"root\": {\"path\": \"r\"}}GARBAGE";
    size_t len = strlen(doc) - strlen("GARBAGE");
    CHECK(t, nook_spec_parse(doc, len, "config.json", &s, &err) == 0, "parse honours len");
    nook_spec_free(s);
    s = NULL;

    CHECK(t, nook_spec_parse("{}", 2, "x.json", &s, NULL) == -EINVAL && s == NULL,
          "a NULL error pointer is allowed");
    CHECK(t, nook_spec_parse("{}", 2, NULL, &s, &err) == -EINVAL, "source defaults");
    CHECK_ERR(t, &err, "config.json: .ociVersion: is required", "default source is config.json");
    CHECK(t, nook_spec_parse("   \n", 4, "mine.json", &s, &err) == -EINVAL, "whitespace only refused");
    CHECK_ERR(t, &err, "mine.json: empty document", "whitespace-only document error names the source");

    /* A key far longer than the path buffer still gives a terminated message. */
    char big[4096];
    int n = snprintf(big, sizeof(big), MINIMAL_HEAD "\"annotations\": {\"");
    memset(big + n, 'k', 2000);
    snprintf(big + n + 2000, sizeof(big) - (size_t)n - 2000, "\": 1}}");
    CHECK(t, parse_text(big, &s, &err) == -EINVAL, "long annotation key with a bad value refused");
    CHECK_ERR(t, &err, "config.json: .annotations[\"kkkk", "long path is truncated, not lost");
    CHECK(t, strlen(err.message) < sizeof(err.message), "message stays terminated");

    CHECK(t, parse_text(MINIMAL_HEAD "\"process\": {\"args\": [\"\"], \"cwd\": \"/\"}}", &s, &err) == -EINVAL,
          "an empty program refused");
    CHECK_ERR(t, &err, ".process.args: the program (args[0]) must not be empty", "empty program error");
    CHECK(t, parse_text(MINIMAL_HEAD "\"process\": {\"args\": [\"sh\"], \"cwd\": \"/\", \"env\": [\"=x\"]}}",
                        &s, &err) == -EINVAL, "env entry without a name refused");
    CHECK_ERR(t, &err, ".process.env[0]: \"=x\" is not of the form NAME=value", "nameless env error");
    CHECK(t, parse_text(MINIMAL_HEAD "\"root\": {\"path\": \"\"}}", &s, &err) == -EINVAL,
          "empty root.path refused");
    CHECK_ERR(t, &err, ".root.path: must not be empty", "empty root.path error");
}

static int write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return -errno;
    size_t len = strlen(text);
    ssize_t w = write(fd, text, len);
    close(fd);
    return w == (ssize_t)len ? 0 : -EIO;
}

static void test_load(struct tap *t)
{
    char dir[] = "/tmp/nook-test-spec-XXXXXX";
    if (!CHECK(t, mkdtemp(dir) != NULL, "temporary bundle created"))
        return;
    char path[256], sub[256];
    snprintf(path, sizeof(path), "%s/config.json", dir);
    struct nook_error err = { 0 };
    struct nook_spec *s = NULL;

    CHECK(t, nook_spec_load(dir, &s, &err) == -ENOENT && s == NULL, "missing config.json refused");
    CHECK_ERR(t, &err, "config.json not found in bundle \"", "missing config.json named");
    CHECK(t, strstr(err.message, dir) != NULL, "missing config.json: the bundle is named");

    snprintf(sub, sizeof(sub), "%s/nope", dir);
    CHECK(t, nook_spec_load(sub, &s, &err) == -ENOENT, "missing bundle refused");
    CHECK_ERR(t, &err, "/nope\" does not exist", "missing bundle named");

    CHECK(t, write_file(path, MINIMAL_HEAD MINIMAL_PROCESS "}") == 0, "config.json written");
    CHECK(t, nook_spec_load(dir, &s, &err) == 0 && s && strcmp(s->process->cwd, "/") == 0,
          "config.json loaded from the bundle");
    nook_spec_free(s);
    s = NULL;

    CHECK(t, nook_spec_load(path, &s, &err) == -ENOTDIR, "a file as bundle refused");
    CHECK_ERR(t, &err, "is not a directory", "file-as-bundle explained");

    CHECK(t, write_file(path, "{\n  \"ociVersion\": \"1.2.0\",\n  \"root\": {\"path\": tru}\n}\n") == 0,
          "broken config.json written");
    CHECK(t, nook_spec_load(dir, &s, &err) == -EINVAL, "broken config.json refused");
    CHECK_ERR(t, &err, "config.json: line 3, column 22: unexpected identifier \"tru\"",
              "syntax error with line and column from load");
    unlink(path);

    CHECK(t, mkdir(path, 0755) == 0, "config.json as a directory");
    CHECK(t, nook_spec_load(dir, &s, &err) < 0, "a directory config.json refused");
    CHECK_ERR(t, &err, "is not a regular file", "directory config.json explained");
    rmdir(path);
    rmdir(dir);
}

static void test_process_and_resources(struct tap *t)
{
    struct nook_error err = { 0 };
    _cleanup_(nook_spec_process_freep) struct nook_spec_process *p = NULL;
    const char *proc = "{\"args\": [\"ls\", \"-l\"], \"cwd\": \"/tmp\", \"env\": [\"A=b\"], "
                       "\"terminal\": true, \"user\": {\"uid\": 5}}";
    CHECK(t, nook_spec_parse_process(proc, strlen(proc), "process.json", &p, &err) == 0,
          "process.json parses");
    CHECK(t, p && p->terminal && p->user.uid == 5 && strcmp(p->args[1], "-l") == 0,
          "process.json fields");

    struct nook_spec_process *bad = NULL;
    CHECK(t, nook_spec_parse_process("{\"cwd\": \"/\"}", 12, NULL, &bad, &err) == -EINVAL && !bad,
          "process.json without args refused");
    CHECK_ERR(t, &err, "process.json: .args: must be a non-empty array of strings",
              "process.json paths start at the document");

    _cleanup_(nook_spec_resources_freep) struct nook_spec_resources *r = NULL;
    const char *res = "{\"memory\": {\"limit\": 1048576}, \"pids\": {\"limit\": 10}, "
                      "\"unified\": {\"cpu.weight\": \"50\"}}";
    CHECK(t, nook_spec_parse_resources(res, strlen(res), "resources.json", &r, &err) == 0,
          "resources.json parses");
    CHECK(t, r && r->memory->limit.value == 1048576 && r->pids->limit.value == 10,
          "resources.json values");
    CHECK_STR(t, r ? nook_spec_map_get(&r->unified, "cpu.weight") : NULL, "50", "resources.json unified");

    struct nook_spec_resources *bad_res = NULL;
    const char *res_bad = "{\"cpu\": {\"shares\": \"many\"}}";
    CHECK(t, nook_spec_parse_resources(res_bad, strlen(res_bad), NULL, &bad_res, &err) == -EINVAL,
          "bad resources.json refused");
    CHECK_ERR(t, &err, "resources.json: .cpu.shares: must be an integer, not a string",
              "resources.json error path");
}

/* What `nook spec` writes must be what nook then accepts. */
static void test_default_spec_accepted(struct tap *t)
{
    for (int rootless = 0; rootless <= 1; rootless++) {
        struct nook_error err = { 0 };
        _cleanup_free_ char *text = nook_spec_default_text(rootless);
        _cleanup_(nook_spec_freep) struct nook_spec *s = NULL;
        int r = text ? nook_spec_parse(text, strlen(text), "config.json", &s, &err) : -ENOMEM;
        if (!CHECK(t, r == 0 && s && s->process, rootless ? "the rootless default spec parses"
                                                          : "the default spec parses"))
            printf("# %s\n", err.message);
    }
}

static void test_names(struct tap *t)
{
    CHECK_STR(t, nook_ns_type_name(NOOK_NS_NETWORK), "network", "namespace name");
    CHECK_STR(t, nook_ns_type_name(NOOK_NS_TIME), "time", "time namespace name");
    CHECK(t, nook_ns_clone_flag(NOOK_NS_USER) == CLONE_NEWUSER, "user namespace clone flag");
    CHECK(t, nook_ns_clone_flag(NOOK_NS_MOUNT) == CLONE_NEWNS, "mount namespace clone flag");
    CHECK(t, nook_ns_clone_flag(NOOK_NS_TIME) == 0x80, "time namespace clone flag");
    CHECK_STR(t, nook_seccomp_action_name(NOOK_SECCOMP_KILL_THREAD), "SCMP_ACT_KILL_THREAD",
              "seccomp action name");
    CHECK_STR(t, nook_seccomp_op_name(NOOK_SECCOMP_CMP_MASKED_EQ), "SCMP_CMP_MASKED_EQ",
              "seccomp op name");
    CHECK_STR(t, nook_seccomp_action_name((enum nook_seccomp_action)99), "unknown",
              "out-of-range action");
}

int main(void)
{
    struct tap t = { 0 };
    test_absent_null_zero(&t);
    test_numbers(&t);
    test_versions(&t);
    test_cross_checks(&t);
    test_document_edges(&t);
    test_load(&t);
    test_process_and_resources(&t);
    test_default_spec_accepted(&t);
    test_names(&t);
    return tap_done(&t);
}
