/* test-hostcheck.c: the pure parts of `nook check` (src/lib/hostcheck.h)
 * against fixture files in tests/fixtures/hostcheck: subid files with
 * overlapping and malformed lines, sysctl trees, the PATH search, the
 * privilege of newuidmap from its mode bits and file capabilities, the
 * runtime directory's mode, /proc masks in mountinfo, install commands
 * per distribution; and whole checks run on those fixtures. */
#include <fcntl.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/hostcheck.h"
#include "lib/idmap.h"
#include "tap.h"

static const char *fixtures;

static char *fixture(const char *name)
{
    char *path = NULL;
    if (asprintf(&path, "%s/hostcheck/%s", fixtures, name) < 0)
        exit(99);
    return path;
}

static char *make_temp_dir(void)
{
    char *path = strdup("/tmp/nook-test-hostcheck-XXXXXX");
    if (!path || !mkdtemp(path)) {
        perror("mkdtemp");
        exit(99);
    }
    return path;
}

static void write_file(const char *dir, const char *name, const char *text, mode_t mode)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) || fchmod(fd, mode) < 0) {
        perror(path);
        exit(99);
    }
    close(fd);
}

static bool contains(const char *text, const char *part)
{
    return text && strstr(text, part) != NULL;
}

#define CHECK_CONTAINS(t, text, part, what)                                                       \
    do {                                                                                          \
        const char *text_ = (text);                                                               \
        if (!CHECK((t), contains(text_, (part)), (what)))                                         \
            printf("#   text: \"%s\"\n#   missing: \"%s\"\n", text_ ? text_ : "(null)", (part)); \
    } while (0)

static void test_subid_files(struct tap *t)
{
    _cleanup_free_ char *subuid = fixture("subuid");
    struct nook_subid_entry *entries = NULL;
    size_t n = 0, invalid = 0;
    CHECK(t, nook_subid_file_read(subuid, &entries, &n, &invalid) == 0, "subid file: read");
    CHECK(t, n == 5, "subid file: the five well-formed lines, the comment skipped");
    CHECK(t, invalid == 2, "subid file: two malformed lines counted");
    CHECK(t, n >= 4 && strcmp(entries[3].owner, "1003") == 0 && entries[3].start == 300000 &&
                 entries[3].count == 65536,
          "subid file: a numeric owner's entry");
    CHECK(t, n >= 4 && nook_subid_entry_is_for(&entries[3], "frank", 1003),
          "subid file: an entry names its user by uid");
    CHECK(t, n >= 1 && !nook_subid_entry_is_for(&entries[0], "bob", 1000), "subid file: another user's entry");

    _cleanup_free_ char *text = NULL;
    CHECK(t, nook_check_subid_overlaps(entries, n, "alice", 1000, &text) == 0, "overlaps: alice");
    CHECK_STR(t, text, "bob's 150000-215535", "overlaps: alice's range meets bob's");
    free(steal_pointer(&text));
    nook_check_subid_overlaps(entries, n, "bob", 1001, &text);
    CHECK_STR(t, text, "alice's 100000-165535", "overlaps: and bob's meets alice's");
    free(steal_pointer(&text));
    nook_check_subid_overlaps(entries, n, "carol", 1002, &text);
    CHECK(t, text == NULL, "overlaps: carol overlaps nobody");
    nook_check_subid_overlaps(entries, n, "frank", 1003, &text);
    CHECK_STR(t, text, "eve's 320000-320009", "overlaps: a user named by uid in the file");
    free(steal_pointer(&text));
    nook_check_subid_overlaps(entries, n, "zed", 1009, &text);
    CHECK(t, text == NULL, "overlaps: a user without ranges overlaps nobody");
    nook_subid_entries_free(entries, n);

    entries = NULL;
    CHECK(t, nook_subid_file_read("/nonexistent/subuid", &entries, &n, NULL) == 0 && n == 0,
          "subid file: a missing file has no entries");

    struct nook_idmap_owner owner = { .uid = 1002, .gid = 1002, .name = "carol" };
    struct nook_subid_range *ranges = NULL;
    size_t count = 0;
    CHECK(t, nook_subid_ranges(true, subuid, &owner, &ranges, &count, NULL) == 0 && count == 1 &&
                 ranges[0].start == 400000 && ranges[0].count == 1000,
          "ranges: the user's ranges from the given file");
    free(ranges);
    struct nook_idmap map = { 0 };
    struct nook_subid_range big[] = { { 100000, 60000 }, { 300000, 60000 } };
    CHECK(t, nook_idmap_add_subordinate(&map, 1000, big, 2) == 0 && map.count == 3 &&
                 map.ranges[2].container_id == 60001 && map.ranges[2].size == 65536 - 60000,
          "ranges: the container map stops at 65536 subordinate ids");
    free(map.ranges);
}

static void test_sysctl_and_ranges(struct tap *t)
{
    _cleanup_free_ char *open_tree = fixture("sysctl-open");
    char *value = NULL, *file = NULL;
    CHECK(t, nook_check_sysctl_read(open_tree, "user.max_user_namespaces", &value, &file) == 0,
          "sysctl: read from a tree");
    CHECK_STR(t, value, "15000", "sysctl: the newline is gone");
    CHECK(t, contains(file, "sysctl-open/user/max_user_namespaces"), "sysctl: dots are directories");
    free(value);
    free(file);
    CHECK(t, nook_check_sysctl_read(open_tree, "kernel.unprivileged_userns_clone", &value, NULL) == -ENOENT,
          "sysctl: a sysctl the kernel lacks is -ENOENT");

    bool covers = true;
    CHECK(t, nook_check_ping_range_covers("1\t0", 1000, &covers) == 0 && !covers,
          "ping range: \"1 0\" covers nobody");
    CHECK(t, nook_check_ping_range_covers("0 2147483647", 1000, &covers) == 0 && covers,
          "ping range: the whole range covers every gid");
    CHECK(t, nook_check_ping_range_covers("100\t200\n", 150, &covers) == 0 && covers,
          "ping range: a gid inside");
    CHECK(t, nook_check_ping_range_covers("100 200", 201, &covers) == 0 && !covers,
          "ping range: a gid above");
    CHECK(t, nook_check_ping_range_covers("100", 1, &covers) == -EINVAL, "ping range: one number is refused");
    CHECK(t, nook_check_ping_range_covers("a b", 1, &covers) == -EINVAL, "ping range: words are refused");
}

static void test_path_search(struct tap *t)
{
    _cleanup_free_ char *dir = make_temp_dir();
    _cleanup_free_ char *sub = NULL;
    if (asprintf(&sub, "%s/bin", dir) < 0 || mkdir(sub, 0755) < 0)
        exit(99);
    write_file(dir, "tool", "#!/bin/sh\n", 0755);
    write_file(dir, "plain", "text\n", 0644);
    write_file(sub, "tool", "#!/bin/sh\n", 0755);
    _cleanup_free_ char *expected = NULL;
    if (asprintf(&expected, "%s/tool", dir) < 0)
        exit(99);
    _cleanup_free_ char *path = NULL;
    if (asprintf(&path, "relative:%s:%s", dir, sub) < 0)
        exit(99);
    char *found = nook_find_in_path("tool", path);
    CHECK_STR(t, found, expected, "PATH: the first directory that has it, relative entries skipped");
    free(found);
    found = nook_find_in_path("plain", path);
    CHECK(t, found == NULL, "PATH: a file that is not executable is not found");
    found = nook_find_in_path("bin", dir);
    CHECK(t, found == NULL, "PATH: a directory is not a program");
    CHECK(t, nook_find_in_path("tool", NULL) == NULL && nook_find_in_path("tool", "") == NULL,
          "PATH: unset or empty finds nothing");
    found = nook_find_program("sh", "/nonexistent");
    CHECK(t, found && strcmp(found, "/usr/bin/sh") * strcmp(found, "/bin/sh") == 0,
          "PATH: nook_find_program falls back to the system directories");
    free(found);

    unlink(expected);
    char other[4096];
    snprintf(other, sizeof(other), "%s/tool", sub);
    unlink(other);
    snprintf(other, sizeof(other), "%s/plain", dir);
    unlink(other);
    rmdir(sub);
    rmdir(dir);
}

static void test_helper_privilege(struct tap *t)
{
    CHECK(t, nook_check_helper_privilege(S_IFREG | 04755, 0, false, NULL, 0, CAP_SETUID) == NOOK_HELPER_SETUID_ROOT,
          "helper: setuid root");
    CHECK(t, nook_check_helper_privilege(S_IFREG | 04755, 0, true, NULL, 0, CAP_SETUID) == NOOK_HELPER_NONE,
          "helper: setuid on a nosuid mount does not count");
    CHECK(t, nook_check_helper_privilege(S_IFREG | 04755, 1000, false, NULL, 0, CAP_SETUID) == NOOK_HELPER_NONE,
          "helper: setuid to a user is not root");
    CHECK(t, nook_check_helper_privilege(S_IFREG | 0755, 0, false, NULL, 0, CAP_SETUID) == NOOK_HELPER_NONE,
          "helper: mode 0755 without capabilities");

    /* vfs_cap_data revision 2, effective, permitted = CAP_SETUID. */
    unsigned char caps[20] = { 0 };
    uint32_t magic = VFS_CAP_REVISION_2 | VFS_CAP_FLAGS_EFFECTIVE;
    uint32_t permitted = 1u << CAP_SETUID;
    for (int i = 0; i < 4; i++) {
        caps[i] = (unsigned char)(magic >> (8 * i));
        caps[4 + i] = (unsigned char)(permitted >> (8 * i));
    }
    CHECK(t, nook_check_helper_privilege(S_IFREG | 0755, 0, false, caps, sizeof(caps), CAP_SETUID) == NOOK_HELPER_FILE_CAPS,
          "helper: cap_setuid+ep");
    CHECK(t, nook_check_helper_privilege(S_IFREG | 0755, 0, false, caps, sizeof(caps), CAP_SETGID) == NOOK_HELPER_NONE,
          "helper: cap_setuid is not cap_setgid");
    CHECK(t, nook_check_helper_privilege(S_IFREG | 0755, 0, false, caps, 8, CAP_SETUID) == NOOK_HELPER_NONE,
          "helper: a truncated capability xattr");
    caps[3] = (unsigned char)(VFS_CAP_REVISION_2 >> 24);
    caps[0] = 0;
    CHECK(t, nook_check_helper_privilege(S_IFREG | 0755, 0, false, caps, sizeof(caps), CAP_SETUID) == NOOK_HELPER_NONE,
          "helper: cap_setuid+p without the effective bit");
}

static void test_runtime_dir_mode(struct tap *t)
{
    bool fatal = true;
    char *p = nook_check_runtime_dir_problem(S_IFDIR | 0700, 1000, 1000, &fatal);
    CHECK(t, p == NULL && !fatal, "runtime dir: 0700 and ours is fine");
    p = nook_check_runtime_dir_problem(S_IFDIR | 0755, 1000, 1000, &fatal);
    CHECK(t, contains(p, "mode 0755, not 0700") && !fatal, "runtime dir: 0755 is a warning");
    free(p);
    p = nook_check_runtime_dir_problem(S_IFDIR | 0700, 0, 1000, &fatal);
    CHECK(t, contains(p, "belongs to uid 0, not to you (uid 1000)") && fatal, "runtime dir: someone else's");
    free(p);
    p = nook_check_runtime_dir_problem(S_IFREG | 0700, 1000, 1000, &fatal);
    CHECK(t, contains(p, "not a directory") && fatal, "runtime dir: a file");
    free(p);
    p = nook_check_runtime_dir_problem(S_IFDIR | 0500, 1000, 1000, &fatal);
    CHECK(t, contains(p, "not writable by you (mode 0500)") && fatal, "runtime dir: read-only");
    free(p);
}

static char *read_fixture(const char *name)
{
    _cleanup_free_ char *path = fixture(name);
    FILE *f = fopen(path, "re");
    if (!f)
        exit(99);
    char *text = calloc(1, 65536);
    if (!text || fread(text, 1, 65535, f) == 0)
        exit(99);
    fclose(f);
    return text;
}

static void test_mountinfo_and_distros(struct tap *t)
{
    _cleanup_free_ char *host = read_fixture("mountinfo-host");
    char **masks = NULL;
    CHECK(t, nook_check_proc_overmounts(host, &masks) == 0 && masks && masks[0] == NULL,
          "mountinfo: a host's binfmt_misc below /proc is no mask, /processes is not /proc");
    strv_free(masks);
    _cleanup_free_ char *container = read_fixture("mountinfo-container");
    CHECK(t, nook_check_proc_overmounts(container, &masks) == 0, "mountinfo: a container's");
    size_t n = 0;
    while (masks && masks[n])
        n++;
    CHECK(t, n == 5, "mountinfo: each mask once (/proc/kcore is listed twice)");
    CHECK(t, n == 5 && strcmp(masks[0], "/proc/acpi") == 0 && strcmp(masks[3], "/proc/sys") == 0,
          "mountinfo: in order");
    CHECK(t, n == 5 && strcmp(masks[4], "/proc/scsi x") == 0, "mountinfo: octal escapes undone");
    strv_free(masks);

    struct nook_check_packages pkg = { .debian = "uidmap", .fedora = "shadow-utils" };
    const char *cases[][2] = {
        { "os-release-ubuntu", "sudo apt-get install uidmap" },
        { "os-release-fedora", "sudo dnf install shadow-utils" },
        { "os-release-rocky", "sudo dnf install shadow-utils" },
    };
    for (size_t i = 0; i < N_ELEMENTS(cases); i++) {
        _cleanup_free_ char *text = read_fixture(cases[i][0]);
        _cleanup_free_ char *command = nook_check_install_command(text, &pkg);
        CHECK_STR(t, command, cases[i][1], cases[i][0]);
    }
    _cleanup_free_ char *unknown = read_fixture("os-release-unknown");
    _cleanup_free_ char *command = nook_check_install_command(unknown, &pkg);
    CHECK_CONTAINS(t, command, "`sudo apt-get install uidmap`", "an unknown distribution gets the names per family");
    free(steal_pointer(&command));
    command = nook_check_install_command(NULL, &pkg);
    CHECK_CONTAINS(t, command, "`sudo dnf install shadow-utils`", "no os-release at all");
}

/* Run one check on fixture parameters. */
static void run_check(struct tap *t, const struct nook_check_params *params, const char *id,
                      struct nook_check_result *r)
{
    struct nook_check_context *ctx = NULL;
    if (nook_check_context_new(params, &ctx) < 0)
        exit(99);
    char what[128];
    snprintf(what, sizeof(what), "%s runs", id);
    CHECK(t, nook_check_run(ctx, id, r) == 0 && r->id && strcmp(r->id, id) == 0, what);
    nook_check_context_free(ctx);
}

static void test_checks_on_fixtures(struct tap *t)
{
    _cleanup_free_ char *closed = fixture("sysctl-closed");
    _cleanup_free_ char *open_tree = fixture("sysctl-open");
    _cleanup_free_ char *apparmor_off = fixture("sysctl-apparmor-off");
    _cleanup_free_ char *subuid = fixture("subuid");
    _cleanup_free_ char *subgid = fixture("subgid");
    _cleanup_free_ char *ubuntu = fixture("os-release-ubuntu");
    struct nook_check_params p = {
        .uid = 1000, .gid = 1000, .user = "alice", .proc_sys = closed, .subuid_file = subuid,
        .subgid_file = subgid, .os_release = ubuntu, .path = "/usr/bin:/bin",
    };
    struct nook_check_result r;

    run_check(t, &p, "userns.sysctl", &r);
    CHECK(t, r.status == NOOK_CHECK_FAIL && r.required, "userns.sysctl: max_user_namespaces 0 fails, required");
    CHECK_CONTAINS(t, r.fix, "sudo sysctl -w user.max_user_namespaces=15000", "userns.sysctl: the fix");
    CHECK_CONTAINS(t, r.fix, "sudo sysctl -w kernel.unprivileged_userns_clone=1", "userns.sysctl: Debian's switch too");
    CHECK_STR(t, r.value, "0", "userns.sysctl: the value");
    CHECK(t, r.impact && contains(r.impact, "no rootless container can start"), "userns.sysctl: the impact");
    nook_check_result_clear(&r);

    p.proc_sys = apparmor_off;
    run_check(t, &p, "userns.sysctl", &r);
    CHECK(t, r.status == NOOK_CHECK_FAIL, "userns.sysctl: unprivileged_userns_clone 0 fails");
    CHECK_CONTAINS(t, r.found, "kernel.unprivileged_userns_clone = 0", "userns.sysctl: says which switch");
    nook_check_result_clear(&r);
    run_check(t, &p, "userns.apparmor", &r);
    CHECK(t, r.status == NOOK_CHECK_OK && !r.fix, "userns.apparmor: restriction 0 is ok, no fix");
    nook_check_result_clear(&r);

    p.proc_sys = open_tree;
    run_check(t, &p, "userns.sysctl", &r);
    CHECK(t, r.status == NOOK_CHECK_OK && !r.fix && !r.impact, "userns.sysctl: open is ok, without fix or impact");
    CHECK_CONTAINS(t, r.found, "user.max_user_namespaces = 15000", "userns.sysctl: found says the value");
    nook_check_result_clear(&r);
    run_check(t, &p, "userns.apparmor", &r);
    CHECK(t, r.status == NOOK_CHECK_OK, "userns.apparmor: no such sysctl is ok");
    nook_check_result_clear(&r);
    run_check(t, &p, "net.ping", &r);
    CHECK(t, r.status == NOOK_CHECK_OK && !r.required, "net.ping: the whole range is ok");
    nook_check_result_clear(&r);
    run_check(t, &p, "net.low-ports", &r);
    CHECK(t, r.status == NOOK_CHECK_OK, "net.low-ports: 0 is ok");
    nook_check_result_clear(&r);

    p.proc_sys = closed;
    run_check(t, &p, "net.ping", &r);
    CHECK(t, r.status == NOOK_CHECK_WARN && !r.required, "net.ping: \"1 0\" is a warning");
    CHECK_CONTAINS(t, r.fix, "sudo sysctl -w net.ipv4.ping_group_range=\"0 2147483647\"", "net.ping: the fix");
    CHECK_STR(t, r.value, "1 0", "net.ping: the value");
    nook_check_result_clear(&r);
    run_check(t, &p, "net.low-ports", &r);
    CHECK(t, r.status == NOOK_CHECK_WARN, "net.low-ports: 1024 is a warning");
    CHECK_CONTAINS(t, r.found, "host ports below 1024 cannot be forwarded", "net.low-ports: what it means");
    CHECK_CONTAINS(t, r.fix, "sudo sysctl -w net.ipv4.ip_unprivileged_port_start=", "net.low-ports: the fix");
    nook_check_result_clear(&r);
    p.privileged = true;
    run_check(t, &p, "userns.sysctl", &r);
    CHECK(t, r.status == NOOK_CHECK_FAIL && !r.required, "userns.sysctl: as root it is reported, not required");
    nook_check_result_clear(&r);
    run_check(t, &p, "net.low-ports", &r);
    CHECK(t, r.status == NOOK_CHECK_OK, "net.low-ports: root binds any port");
    nook_check_result_clear(&r);
    p.privileged = false;

    /* Subordinate ids. */
    run_check(t, &p, "subid.uid", &r);
    CHECK(t, r.status == NOOK_CHECK_WARN && !r.required, "subid.uid: an overlap is a warning");
    CHECK_CONTAINS(t, r.found, "overlapping bob's 150000-215535", "subid.uid: names the other user's range");
    CHECK_CONTAINS(t, r.found, "2 malformed lines", "subid.uid: malformed lines are mentioned");
    CHECK_CONTAINS(t, r.fix, "sudo usermod --del-subuids 100000-165535 --add-subuids 665536-731071 alice",
                   "subid.uid: the fix moves alice above every range");
    nook_check_result_clear(&r);
    run_check(t, &p, "subid.gid", &r);
    CHECK(t, r.status == NOOK_CHECK_OK, "subid.gid: alice's gids overlap nobody");
    CHECK_CONTAINS(t, r.found, "100000-165535 (65536 gids)", "subid.gid: found lists the range");
    nook_check_result_clear(&r);

    p.user = "zed";
    p.uid = 1009;
    run_check(t, &p, "subid.uid", &r);
    CHECK(t, r.status == NOOK_CHECK_WARN, "subid.uid: no range is a warning (nook falls back)");
    CHECK_CONTAINS(t, r.found, "no subordinate uids for zed", "subid.uid: says so");
    CHECK_STR(t, r.fix, "sudo usermod --add-subuids 665536-731071 --add-subgids 665536-731071 zed",
              "subid.uid: one command adds both ranges");
    CHECK_CONTAINS(t, r.impact, "single mapping", "subid.uid: the impact");
    nook_check_result_clear(&r);
    p.privileged = true;
    run_check(t, &p, "subid.uid", &r);
    CHECK(t, r.status == NOOK_CHECK_OK && contains(r.found, "as root that is fine"),
          "subid.uid: root needs no ranges");
    nook_check_result_clear(&r);
    p.privileged = false;

    p.user = "carol";
    p.uid = 1002;
    run_check(t, &p, "subid.uid", &r);
    CHECK(t, r.status == NOOK_CHECK_WARN && contains(r.found, "only 1000 uids"), "subid.uid: too few ids");
    CHECK_STR(t, r.fix, "sudo usermod --add-subuids 665536-731071 carol", "subid.uid: adds a full range");
    nook_check_result_clear(&r);

    /* newuidmap on PATH without its privilege, and ranges to use it. */
    _cleanup_free_ char *bin = make_temp_dir();
    write_file(bin, "newuidmap", "#!/bin/sh\nexit 1\n", 0755);
    write_file(bin, "newgidmap", "#!/bin/sh\nexit 1\n", 0755);
    p.user = "alice";
    p.uid = 1000;
    p.path = bin;
    run_check(t, &p, "newuidmap.setuid", &r);
    CHECK(t, r.status == NOOK_CHECK_FAIL && r.required, "newuidmap.setuid: a helper without privilege fails");
    CHECK_CONTAINS(t, r.found, "neither setuid root (mode 0755", "newuidmap.setuid: says why");
    char fix[8192];
    snprintf(fix, sizeof(fix), "sudo chmod u+s %s/newuidmap   (or: sudo setcap cap_setuid+ep %s/newuidmap)", bin, bin);
    CHECK_CONTAINS(t, r.fix, fix, "newuidmap.setuid: chmod u+s or setcap, for newuidmap");
    snprintf(fix, sizeof(fix), "sudo setcap cap_setgid+ep %s/newgidmap", bin);
    CHECK_CONTAINS(t, r.fix, fix, "newuidmap.setuid: and cap_setgid for newgidmap");
    nook_check_result_clear(&r);
    p.user = "zed";
    p.uid = 1009;
    run_check(t, &p, "newuidmap.setuid", &r);
    CHECK(t, r.status == NOOK_CHECK_WARN, "newuidmap.setuid: without ranges the same is only a warning");
    nook_check_result_clear(&r);
    char path[4096];
    snprintf(path, sizeof(path), "%s/newuidmap", bin);
    unlink(path);
    snprintf(path, sizeof(path), "%s/newgidmap", bin);
    unlink(path);
    rmdir(bin);

    /* The runtime directory. */
    p.path = "/usr/bin:/bin";
    p.uid = geteuid();
    p.runtime_dir = NULL;
    run_check(t, &p, "runtime-dir", &r);
    CHECK(t, r.status == NOOK_CHECK_FAIL && r.required, "runtime-dir: unset fails, required");
    CHECK_CONTAINS(t, r.found, "XDG_RUNTIME_DIR is not set", "runtime-dir: says so");
    CHECK_CONTAINS(t, r.fix, "nook --root DIR", "runtime-dir: --root is a way out");
    nook_check_result_clear(&r);
    _cleanup_free_ char *runtime = make_temp_dir();
    chmod(runtime, 0755);
    /* As root, the directory is given to another uid: root's own state
     * would be in /run/nook whatever the directory. */
    if (geteuid() == 0) {
        p.uid = 4242;
        if (chown(runtime, 4242, 4242) < 0)
            exit(99);
    }
    p.runtime_dir = runtime;
    run_check(t, &p, "runtime-dir", &r);
    CHECK(t, r.status == NOOK_CHECK_WARN, "runtime-dir: mode 0755 is a warning");
    snprintf(fix, sizeof(fix), "chmod 0700 %s", runtime);
    CHECK_STR(t, r.fix, fix, "runtime-dir: the chmod");
    nook_check_result_clear(&r);
    chmod(runtime, 0700);
    run_check(t, &p, "runtime-dir", &r);
    CHECK(t, r.status == NOOK_CHECK_OK, "runtime-dir: mode 0700 is ok");
    snprintf(fix, sizeof(fix), "state in %s/nook", runtime);
    CHECK_CONTAINS(t, r.found, fix, "runtime-dir: found names the state directory");
    nook_check_result_clear(&r);
    p.runtime_dir = "relative/dir";
    run_check(t, &p, "runtime-dir", &r);
    CHECK(t, r.status == NOOK_CHECK_FAIL && contains(r.found, "not an absolute path"), "runtime-dir: relative fails");
    nook_check_result_clear(&r);
    p.privileged = true;
    p.runtime_dir = NULL;
    run_check(t, &p, "runtime-dir", &r);
    CHECK(t, r.status == NOOK_CHECK_OK && !r.required && contains(r.found, "/run/nook"),
          "runtime-dir: root keeps its state in /run/nook");
    nook_check_result_clear(&r);
    rmdir(runtime);

    /* /dev/fuse and /dev/net/tun under a directory of files. */
    p.privileged = false;
    _cleanup_free_ char *dev = make_temp_dir();
    p.dev_dir = dev;
    run_check(t, &p, "fuse.device", &r);
    CHECK(t, r.status == NOOK_CHECK_WARN && r.errnum == ENOENT, "fuse.device: missing is a warning with ENOENT");
    CHECK_CONTAINS(t, r.fix, "sudo modprobe fuse", "fuse.device: the fix loads the module");
    nook_check_result_clear(&r);
    write_file(dev, "fuse", "", 0666);
    run_check(t, &p, "fuse.device", &r);
    CHECK(t, r.status == NOOK_CHECK_WARN && contains(r.found, "not a character device"),
          "fuse.device: a plain file is not the device");
    nook_check_result_clear(&r);
    run_check(t, &p, "net.tun", &r);
    CHECK(t, r.status == NOOK_CHECK_WARN && contains(r.fix, "sudo modprobe tun"), "net.tun: missing");
    nook_check_result_clear(&r);
    snprintf(path, sizeof(path), "%s/fuse", dev);
    unlink(path);
    rmdir(dev);
}

static void test_list_and_selectors(struct tap *t)
{
    size_t n = 0;
    const struct nook_check_info *list = nook_check_list(&n);
    static const char *const ids[] = {
        "userns.sysctl", "userns.apparmor", "userns.trial", "subid.uid", "subid.gid",
        "newuidmap.setuid", "cgroup.v2", "cgroup.delegation", "cgroup.controllers",
        "systemd.user-bus", "runtime-dir", "fuse.device", "overlay.kernel",
        "fuse-overlayfs.binary", "net.tun", "net.slirp", "net.ping", "net.low-ports", "nested.proc",
    };
    size_t missing = 0;
    for (size_t i = 0; i < N_ELEMENTS(ids); i++) {
        bool found = false;
        for (size_t k = 0; k < n; k++)
            found = found || strcmp(list[k].id, ids[i]) == 0;
        if (!found) {
            printf("# missing check %s\n", ids[i]);
            missing++;
        }
    }
    CHECK(t, missing == 0 && n == N_ELEMENTS(ids), "every check the issue names, and no other");
    CHECK(t, nook_check_selects("cgroup", "cgroup.v2") && nook_check_selects("cgroup.v2", "cgroup.v2"),
          "selectors: an area and an id");
    CHECK(t, !nook_check_selects("cgroups", "cgroup.v2") && !nook_check_selects("cgroup.v", "cgroup.v2"),
          "selectors: no partial words");
    CHECK(t, nook_check_selects("runtime-dir", "runtime-dir"), "selectors: an id without a dot");
    struct nook_check_params p = { .uid = 1000 };
    struct nook_check_context *ctx = NULL;
    struct nook_check_result r;
    CHECK(t, nook_check_context_new(&p, &ctx) == 0 && nook_check_run(ctx, "no.such", &r) == -ENOENT,
          "an unknown id is -ENOENT");
    nook_check_context_free(ctx);
    CHECK_STR(t, nook_check_status_name(NOOK_CHECK_WARN), "warn", "status names");
}

int main(void)
{
    struct tap t = { 0 };
    fixtures = getenv("NOOK_FIXTURES");
    if (!fixtures) {
        printf("Bail out! NOOK_FIXTURES is not set (run through meson test)\n");
        return 1;
    }
    test_subid_files(&t);
    test_sysctl_and_ranges(&t);
    test_path_search(&t);
    test_helper_privilege(&t);
    test_runtime_dir_mode(&t);
    test_mountinfo_and_distros(&t);
    test_checks_on_fixtures(&t);
    test_list_and_selectors(&t);
    return tap_done(&t);
}
