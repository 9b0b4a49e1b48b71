/* test-capabilities.c: capability names and numbers, the kernel's last
 * capability, config.json's lists → masks (unknown names skipped), and the
 * raw calls, exercised in a child that owns a user namespace of its own. */
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/capabilities.h"
#include "lib/oci-features.h"
#include "lib/spec.h"
#include "tap.h"

#define BIT(n) (UINT64_C(1) << (n))

static void test_names(struct tap *t)
{
    CHECK(t, nook_cap_from_name("CAP_CHOWN") == 0, "CAP_CHOWN is 0");
    CHECK(t, nook_cap_from_name("CAP_KILL") == 5, "CAP_KILL is 5");
    CHECK(t, nook_cap_from_name("CAP_SYS_ADMIN") == 21, "CAP_SYS_ADMIN is 21");
    CHECK(t, nook_cap_from_name("CAP_AUDIT_READ") == 37, "CAP_AUDIT_READ is 37");
    CHECK(t, nook_cap_from_name("CAP_CHECKPOINT_RESTORE") == 40, "CAP_CHECKPOINT_RESTORE is 40");
    CHECK(t, nook_cap_from_name("cap_net_raw") == 13, "names are case-insensitive");
    CHECK(t, nook_cap_from_name("NET_RAW") == -ENOENT, "the CAP_ prefix is required");
    CHECK(t, nook_cap_from_name("CAP_BOGUS") == -ENOENT, "an unknown name is -ENOENT");
    CHECK(t, nook_cap_from_name("CAP_") == -ENOENT, "a bare prefix is -ENOENT");
    CHECK(t, nook_cap_from_name(NULL) == -ENOENT, "NULL is -ENOENT");

    CHECK_STR(t, nook_cap_name(0), "CAP_CHOWN", "0 is CAP_CHOWN");
    CHECK_STR(t, nook_cap_name(24), "CAP_SYS_RESOURCE", "24 is CAP_SYS_RESOURCE");
    CHECK_STR(t, nook_cap_name(NOOK_CAP_LAST_KNOWN), "CAP_CHECKPOINT_RESTORE",
              "the last known is CAP_CHECKPOINT_RESTORE");
    CHECK(t, nook_cap_name(NOOK_CAP_LAST_KNOWN + 1) == NULL, "past the last known has no name");
    CHECK(t, nook_cap_name(-1) == NULL, "-1 has no name");

    bool round_trip = true;
    for (int cap = 0; cap <= NOOK_CAP_LAST_KNOWN; cap++)
        round_trip = round_trip && nook_cap_name(cap) &&
                     nook_cap_from_name(nook_cap_name(cap)) == cap;
    CHECK(t, round_trip, "every number round-trips through its name");
}

static void test_last_cap(struct tap *t)
{
    int last = -1;
    struct nook_error err = { 0 };
    CHECK(t, nook_cap_last_cap(&last, &err) == 0, "nook_cap_last_cap succeeds");
    FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
    int want = -2;
    if (f) {
        if (fscanf(f, "%d", &want) != 1)
            want = -2;
        fclose(f);
    }
    if (!CHECK(t, last == want, "cap_last_cap matches /proc/sys/kernel/cap_last_cap"))
        printf("#   got %d, want %d\n", last, want);
    CHECK(t, last >= 37 && last < 64, "cap_last_cap is plausible");
}

struct skip_log {
    char text[512];
};

static void record_skip(void *data, const char *set, const char *name, bool known_name)
{
    struct skip_log *log = data;
    size_t used = strlen(log->text);
    snprintf(log->text + used, sizeof(log->text) - used, "%s:%s:%s;", set, name,
             known_name ? "known" : "unknown");
}

static struct nook_spec_process *parse_process(const char *json)
{
    struct nook_spec_process *p = NULL;
    struct nook_error err = { 0 };
    if (nook_spec_parse_process(json, strlen(json), "process.json", &p, &err) < 0) {
        printf("# parse failed: %s\n", err.message);
        return NULL;
    }
    return p;
}

static void test_sets_from_spec(struct tap *t)
{
    _cleanup_(nook_spec_process_freep) struct nook_spec_process *p = parse_process(
        "{\"args\": [\"sh\"], \"cwd\": \"/\", \"capabilities\": {"
        "\"bounding\": [\"CAP_KILL\", \"CAP_BOGUS\", \"CAP_CHOWN\", \"CAP_BPF\"],"
        "\"effective\": [\"CAP_KILL\"],"
        "\"permitted\": [\"CAP_KILL\", \"CAP_NET_RAW\"],"
        "\"inheritable\": [\"cap_net_raw\"],"
        "\"ambient\": [\"CAP_NET_RAW\", \"CAP_NOPE\"]}}");
    if (!CHECK(t, p != NULL, "a process with capabilities parses"))
        return;

    struct nook_cap_sets sets;
    struct skip_log log = { .text = "" };
    /* A kernel that stops before CAP_BPF (39). */
    nook_cap_sets_from_spec(p->capabilities, 38, &sets, record_skip, &log);
    CHECK(t, sets.bounding == (BIT(5) | BIT(0)), "bounding has CAP_KILL and CAP_CHOWN only");
    CHECK(t, sets.effective == BIT(5), "effective is CAP_KILL");
    CHECK(t, sets.permitted == (BIT(5) | BIT(13)), "permitted is CAP_KILL and CAP_NET_RAW");
    CHECK(t, sets.inheritable == BIT(13), "inheritable is CAP_NET_RAW (lower case accepted)");
    CHECK(t, sets.ambient == BIT(13), "ambient is CAP_NET_RAW");
    CHECK_STR(t, log.text,
              "bounding:CAP_BOGUS:unknown;bounding:CAP_BPF:known;ambient:CAP_NOPE:unknown;",
              "unknown names and those past the kernel's last are reported");

    struct skip_log again = { .text = "" };
    nook_cap_sets_from_spec(p->capabilities, 40, &sets, record_skip, &again);
    CHECK(t, sets.bounding == (BIT(5) | BIT(0) | BIT(39)), "CAP_BPF is kept when the kernel knows it");
    CHECK_STR(t, again.text, "bounding:CAP_BOGUS:unknown;ambient:CAP_NOPE:unknown;",
              "then only unknown names are reported");

    nook_cap_sets_from_spec(NULL, 40, &sets, NULL, NULL);
    CHECK(t, sets.bounding == 0 && sets.effective == 0 && sets.permitted == 0 &&
                 sets.inheritable == 0 && sets.ambient == 0,
          "no capabilities object gives empty sets");
}

static void test_format(struct tap *t)
{
    char buf[256];
    CHECK_STR(t, nook_cap_format(0, buf, sizeof(buf)), "none", "an empty mask is \"none\"");
    CHECK_STR(t, nook_cap_format(BIT(0) | BIT(5), buf, sizeof(buf)), "CAP_CHOWN, CAP_KILL",
              "a mask lists names in order");
    CHECK_STR(t, nook_cap_format(BIT(50), buf, sizeof(buf)), "capability 50",
              "an unnamed bit is numbered");
    char small[12];
    nook_cap_format(BIT(0) | BIT(5), small, sizeof(small));
    CHECK(t, strlen(small) < sizeof(small), "a short buffer is truncated, NUL-terminated");
}

static void test_features(struct tap *t)
{
    const char *const *names = nook_capabilities_features.lists[NOOK_FEATURE_CAPABILITIES];
    size_t count = 0;
    while (names && names[count])
        count++;
    CHECK(t, count == NOOK_CAP_LAST_KNOWN + 1, "the features part lists every known capability");
    CHECK(t, names && strcmp(names[count - 1], "CAP_CHECKPOINT_RESTORE") == 0,
          "the features list ends with CAP_CHECKPOINT_RESTORE");
}

static uint64_t status_mask(const char *status, const char *field)
{
    const char *line = strstr(status, field);
    if (!line)
        return UINT64_MAX;
    return strtoull(line + strlen(field), NULL, 16);
}

static void read_status(char *buf, size_t size)
{
    buf[0] = '\0';
    int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    ssize_t n = read(fd, buf, size - 1);
    buf[n > 0 ? n : 0] = '\0';
    close(fd);
}

static void test_get_current(struct tap *t)
{
    int last = 40;
    struct nook_error err = { 0 };
    (void)nook_cap_last_cap(&last, &err);
    struct nook_cap_sets sets;
    CHECK(t, nook_cap_get_current(last, &sets, &err) == 0, "nook_cap_get_current succeeds");
    char status[8192];
    read_status(status, sizeof(status));
    CHECK(t, sets.effective == status_mask(status, "CapEff:"), "effective matches CapEff");
    CHECK(t, sets.permitted == status_mask(status, "CapPrm:"), "permitted matches CapPrm");
    CHECK(t, sets.inheritable == status_mask(status, "CapInh:"), "inheritable matches CapInh");
    CHECK(t, sets.bounding == status_mask(status, "CapBnd:"), "bounding matches CapBnd");
    CHECK(t, sets.ambient == status_mask(status, "CapAmb:"), "ambient matches CapAmb");
}

/* In a child that owns a fresh user namespace (and so every capability in
 * it, as root or not): change the sets, then report /proc/self/status. */
static void test_apply(struct tap *t)
{
    int fds[2];
    if (!CHECK(t, pipe2(fds, O_CLOEXEC) == 0, "pipe for the child"))
        return;
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        FILE *out = fdopen(fds[1], "w");
        struct nook_error err = { 0 };
        int last = 40;
        if (unshare(CLONE_NEWUSER) < 0) {
            fprintf(out, "ERR unshare: %s\n", strerror(errno));
            _exit(1);
        }
        if (nook_cap_last_cap(&last, &err) < 0 ||
            nook_cap_drop_bounding(BIT(5) | BIT(8) | BIT(13), last, &err) < 0 ||
            nook_cap_clear_ambient(&err) < 0) {
            fprintf(out, "ERR %s\n", err.message);
            _exit(1);
        }
        struct nook_cap_sets sets = {
            .effective = BIT(5),
            .permitted = BIT(5) | BIT(13),
            .inheritable = BIT(13),
        };
        if (nook_cap_set(&sets, &err) < 0 || nook_cap_raise_ambient(13, &err) < 0) {
            fprintf(out, "ERR %s\n", err.message);
            _exit(1);
        }
        /* CAP_KILL is not inheritable: the kernel refuses it as ambient. */
        struct nook_error refused = { 0 };
        int r = nook_cap_raise_ambient(5, &refused);
        fprintf(out, "refused %d %s\n", r, refused.message);
        /* Growing permitted back is refused too. */
        struct nook_cap_sets more = sets;
        more.permitted |= BIT(21);
        struct nook_error grow = { 0 };
        fprintf(out, "grow %d %s\n", nook_cap_set(&more, &grow), grow.message);
        struct nook_cap_sets now;
        if (nook_cap_get_current(last, &now, &err) < 0) {
            fprintf(out, "ERR %s\n", err.message);
            _exit(1);
        }
        fprintf(out, "now %" PRIx64 " %" PRIx64 " %" PRIx64 " %" PRIx64 " %" PRIx64 "\n",
                now.bounding, now.effective, now.permitted, now.inheritable, now.ambient);
        char status[8192];
        read_status(status, sizeof(status));
        fputs(status, out);
        fclose(out);
        _exit(0);
    }
    close(fds[1]);
    char report[16384];
    size_t used = 0;
    ssize_t n;
    while ((n = read(fds[0], report + used, sizeof(report) - 1 - used)) > 0)
        used += (size_t)n;
    report[used] = '\0';
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (!CHECK(t, WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child applied capabilities"))
        printf("# child said: %s\n", report);
    CHECK(t, status_mask(report, "CapBnd:") == (BIT(5) | BIT(8) | BIT(13)),
          "the bounding set kept CAP_KILL, CAP_SETPCAP, CAP_NET_RAW");
    CHECK(t, status_mask(report, "CapEff:") == BIT(5), "CapEff is CAP_KILL");
    CHECK(t, status_mask(report, "CapPrm:") == (BIT(5) | BIT(13)), "CapPrm is CAP_KILL, CAP_NET_RAW");
    CHECK(t, status_mask(report, "CapInh:") == BIT(13), "CapInh is CAP_NET_RAW");
    CHECK(t, status_mask(report, "CapAmb:") == BIT(13), "CapAmb is CAP_NET_RAW");
    CHECK(t, strstr(report, "refused -1 raise CAP_KILL into the ambient set: Operation not permitted"),
          "raising a non-inheritable capability to ambient fails with a named error");
    CHECK(t, strstr(report, "grow -1 capset: Operation not permitted") != NULL,
          "capset cannot grow the permitted set");
    char want_now[128];
    snprintf(want_now, sizeof(want_now), "now %" PRIx64 " %" PRIx64 " %" PRIx64 " %" PRIx64 " %" PRIx64,
             BIT(5) | BIT(8) | BIT(13), BIT(5), BIT(5) | BIT(13), BIT(13), BIT(13));
    CHECK(t, strstr(report, want_now) != NULL, "nook_cap_get_current reads the new sets back");
}

int main(void)
{
    struct tap t = { 0 };
    test_names(&t);
    test_last_cap(&t);
    test_sets_from_spec(&t);
    test_format(&t);
    test_features(&t);
    test_get_current(&t);
    test_apply(&t);
    return tap_done(&t);
}
