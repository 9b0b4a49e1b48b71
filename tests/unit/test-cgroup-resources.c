/* test-cgroup-resources.c: the cgroup v2 side of .linux.resources
 * (lib/cgroup-resources*.c): the conversions from the runtime-spec's
 * cgroup v1 numbers (cpu shares to weight, memory+swap to swap, blkio
 * weight), io.max lines, cpuset syntax, validation and its messages,
 * unified keys, the settings cgroup v2 has no file for, the controllers a
 * config needs, and what the writer puts in each interface file (into a
 * directory of plain files that stands in for a cgroup). */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cgroup-internal.h"
#include "lib/spec.h"
#include "tap.h"

static struct nook_spec_resources *parse(const char *json)
{
    struct nook_spec_resources *res = NULL;
    struct nook_error err = { 0 };
    if (nook_spec_parse_resources(json, strlen(json), "resources.json", &res, &err) < 0) {
        printf("# parse failed: %s\n", err.message);
        return NULL;
    }
    return res;
}

/* The message validate gives for a resources object, or "" when valid. */
static const char *validate(const char *json)
{
    static struct nook_error err;
    memset(&err, 0, sizeof(err));
    struct nook_spec_resources *res = parse(json);
    if (!res)
        return "(parse failed)";
    int r = nook_cgroup_resources_validate(res, &err);
    nook_spec_resources_free(res);
    return r < 0 ? err.message : "";
}

static bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void test_conversions(struct tap *t)
{
    CHECK(t, nook_cgroup_cpu_weight(0) == 0, "cpu shares 0 (not set) stays 0");
    CHECK(t, nook_cgroup_cpu_weight(1) == 1, "cpu shares below the v1 minimum are weight 1");
    CHECK(t, nook_cgroup_cpu_weight(2) == 1, "cpu shares 2 (v1 minimum) is weight 1");
    CHECK(t, nook_cgroup_cpu_weight(1024) == 100, "cpu shares 1024 (v1 default) is weight 100 (v2 default)");
    CHECK(t, nook_cgroup_cpu_weight(262144) == 10000, "cpu shares 262144 (v1 maximum) is weight 10000");
    CHECK(t, nook_cgroup_cpu_weight(1000000) == 10000, "cpu shares above the maximum are weight 10000");
    CHECK(t, nook_cgroup_cpu_weight(512) == 59, "cpu shares 512 is weight 59 (runc's and crun's formula)");
    CHECK(t, nook_cgroup_cpu_weight(2048) == 174, "cpu shares 2048 is weight 174");
    CHECK(t, nook_cgroup_cpu_weight(100000) == 4340, "cpu shares 100000 is weight 4340");
    bool monotonic = true;
    for (uint64_t s = 2; s < 262144; s += 97)
        monotonic = monotonic && nook_cgroup_cpu_weight(s) <= nook_cgroup_cpu_weight(s + 97);
    CHECK(t, monotonic, "the cpu weight grows with the shares");

    CHECK(t, nook_cgroup_io_weight(0) == 0, "blkio weight 0 (not set) stays 0");
    CHECK(t, nook_cgroup_io_weight(10) == 1, "blkio weight 10 is io.weight 1");
    CHECK(t, nook_cgroup_io_weight(750) == 7475, "blkio weight 750 is io.weight 7475 (as runc)");
    CHECK(t, nook_cgroup_io_weight(1000) == 10000, "blkio weight 1000 is io.weight 10000");

    int64_t out = 12345;
    CHECK(t, nook_cgroup_swap_max(0, -1, &out) == 0 && out == -1,
          "memory unlimited and swap 0: swap unlimited too");
    CHECK(t, nook_cgroup_swap_max(-1, 1000, &out) == 0 && out == -1, "swap -1 stays unlimited");
    CHECK(t, nook_cgroup_swap_max(3000, 1000, &out) == 0 && out == 2000,
          "memory+swap 3000 with memory 1000 is swap 2000");
    CHECK(t, nook_cgroup_swap_max(1000, 1000, &out) == 0 && out == 0,
          "memory+swap equal to memory is no swap at all");
    CHECK(t, nook_cgroup_swap_max(5000, -1, &out) == 0 && out == 5000,
          "memory unlimited: swap taken as it is");
    CHECK(t, nook_cgroup_swap_max(5000, 0, &out) == -EDESTADDRREQ, "swap without a memory limit is refused");
    CHECK(t, nook_cgroup_swap_max(500, 1000, &out) == -ERANGE, "memory+swap below memory is refused");
}

static void test_syntax(struct tap *t)
{
    char line[64];
    CHECK(t, nook_cgroup_io_max_line(8, 0, "rbps", 1048576, line, sizeof(line)) == 0, "io.max line fits");
    CHECK_STR(t, line, "8:0 rbps=1048576", "io.max read bytes line");
    nook_cgroup_io_max_line(259, 3, "wiops", 0, line, sizeof(line));
    CHECK_STR(t, line, "259:3 wiops=max", "a rate of 0 (v1: no limit) is max");
    CHECK(t, nook_cgroup_io_max_line(8, 0, "rbps", 1048576, line, 8) == -ENOBUFS,
          "io.max line too long for the buffer");

    const char *good[] = { "0", "0-3", "0-3,7", "1,3,5-9", "0-0" };
    const char *bad[] = { "", "0-", "-1", "3-1", "1,,2", "a", " 1", "1 ", "0-3,", "1-2-3" };
    bool all = true;
    for (size_t i = 0; i < N_ELEMENTS(good); i++)
        all = all && nook_cgroup_is_cpu_list(good[i]);
    CHECK(t, all, "cpu lists: single, range, mixed");
    all = true;
    for (size_t i = 0; i < N_ELEMENTS(bad); i++) {
        if (nook_cgroup_is_cpu_list(bad[i])) {
            printf("# accepted \"%s\"\n", bad[i]);
            all = false;
        }
    }
    CHECK(t, all, "not cpu lists: empty, open range, descending, empty item, letters, spaces");
}

static void test_validate(struct tap *t)
{
    CHECK_STR(t, validate("{\"memory\": {\"limit\": 67108864, \"swap\": 134217728}, \"pids\": {\"limit\": 10},"
                          " \"cpu\": {\"shares\": 512, \"quota\": 50000, \"period\": 100000, \"cpus\": \"0-1\", \"mems\": \"0\"},"
                          " \"unified\": {\"memory.high\": \"max\", \"cgroup.max.depth\": \"3\"}}"),
              "", "a full valid resources object passes");
    CHECK_STR(t, validate("{\"cpu\": {\"cpus\": \"0-\"}}"),
              "config.json: .linux.resources.cpu.cpus: \"0-\" is not a cpu list (like \"0-3,7\")",
              "a bad cpu list names its JSON path");
    CHECK(t, starts_with(validate("{\"cpu\": {\"mems\": \"x\"}}"), "config.json: .linux.resources.cpu.mems: \"x\""),
          "a bad memory node list names its JSON path");
    CHECK(t, starts_with(validate("{\"cpu\": {\"period\": 500}}"), "config.json: .linux.resources.cpu.period: 500 is out of range"),
          "a cpu period below 1 ms");
    CHECK(t, starts_with(validate("{\"cpu\": {\"quota\": 10}}"), "config.json: .linux.resources.cpu.quota: 10 is too small"),
          "a cpu quota below 1 ms");
    CHECK(t, starts_with(validate("{\"cpu\": {\"idle\": 2}}"), "config.json: .linux.resources.cpu.idle:"),
          "cpu idle other than 0 or 1");
    CHECK(t, starts_with(validate("{\"memory\": {\"swap\": 1000}}"),
                         "config.json: .linux.resources.memory.swap: a swap limit needs a memory limit"),
          "swap without a memory limit");
    CHECK(t, starts_with(validate("{\"memory\": {\"limit\": 2000, \"swap\": 1000}}"),
                         "config.json: .linux.resources.memory.swap: 1000 is below .memory.limit 2000"),
          "memory+swap below memory");
    CHECK(t, starts_with(validate("{\"blockIO\": {\"weight\": 5}}"),
                         "config.json: .linux.resources.blockIO.weight: 5 is out of range"),
          "a block I/O weight below 10");
    CHECK(t, starts_with(validate("{\"blockIO\": {\"throttleReadBpsDevice\": [{\"major\": -1, \"minor\": 0, \"rate\": 1}]}}"),
                         "config.json: .linux.resources.blockIO.throttleReadBpsDevice[0]: device -1:0"),
          "a throttle with a negative device number");
    CHECK(t, starts_with(validate("{\"unified\": {\"../memory.max\": \"1\"}}"),
                         "config.json: .linux.resources.unified: \"../memory.max\" is not a cgroup interface file name"),
          "a unified key climbing out with ..");
    CHECK(t, starts_with(validate("{\"unified\": {\"sub/memory.max\": \"1\"}}"),
                         "config.json: .linux.resources.unified: \"sub/memory.max\""),
          "a unified key with a slash");
    CHECK(t, starts_with(validate("{\"unified\": {\"nomem\": \"1\"}}"), "config.json: .linux.resources.unified: \"nomem\""),
          "a unified key without a controller prefix");
    CHECK(t, starts_with(validate("{\"unified\": {\"foo.max\": \"1\"}}"),
                         "config.json: .linux.resources.unified[\"foo.max\"]: \"foo\" is not a cgroup v2 controller"),
          "a unified key naming no controller");
    CHECK(t, starts_with(validate("{\"unified\": {\"cgroup.procs\": \"1\"}}"),
                         "config.json: .linux.resources.unified[\"cgroup.procs\"]: is not a setting"),
          "a unified key that would move processes");

    struct nook_spec_resources *res = parse("{\"cpu\": {\"cpus\": \"0-\"}}");
    struct nook_error err = { 0 };
    nook_cgroup_resources_validate_at(res, "resources", &err);
    CHECK(t, starts_with(err.message, "resources.cpu.cpus: "), "validate_at names update's input instead");
    nook_spec_resources_free(res);
}

static void test_settings(struct tap *t)
{
    struct nook_spec_resources *res =
        parse("{\"memory\": {\"limit\": 1000, \"swappiness\": 10, \"kernel\": 5},"
              " \"pids\": {\"limit\": 10}, \"cpu\": {\"cpus\": \"0\", \"shares\": 100, \"realtimeRuntime\": 5},"
              " \"blockIO\": {\"leafWeight\": 100}, \"network\": {\"classID\": 1},"
              " \"devices\": [{\"allow\": false, \"access\": \"rwm\"}],"
              " \"unified\": {\"io.max\": \"8:0 rbps=1\", \"cgroup.max.depth\": \"2\", \"memory.high\": \"5000\"}}");
    const char *needed[16];
    size_t n = nook_cgroup_controllers_needed(res, needed, N_ELEMENTS(needed));
    char joined[256] = "";
    for (size_t i = 0; i < n; i++)
        snprintf(joined + strlen(joined), sizeof(joined) - strlen(joined), "%s%s", i ? " " : "", needed[i]);
    CHECK_STR(t, joined, "memory cpu cpuset pids io", "controllers needed, each once, from fields and unified keys");
    CHECK(t, needed[n] == NULL, "the controller list is NULL-terminated");

    struct nook_error err = { 0 };
    char *warning = NULL;
    int r = nook_cgroup_resources_not_v2(res, "config.json: .linux.resources", false, &warning, &err);
    CHECK(t, r == -ENOTSUP && starts_with(err.message,
                                          "config.json: .linux.resources.memory.kernel: cannot be applied: cgroup v2 has no such setting"),
          "a cgroup v1 setting is refused by its JSON path");
    CHECK(t, strstr(err.message, "nook.cgroup.optional") != NULL, "the refusal says how to go without it");
    r = nook_cgroup_resources_not_v2(res, "config.json: .linux.resources", true, &warning, &err);
    CHECK(t, r == 0 && warning, "optional: a warning instead");
    CHECK_STR(t, warning,
              "config.json: .linux.resources.memory.kernel, .memory.swappiness, .cpu.realtimeRuntime, .blockIO.leafWeight, .network: not applied: cgroup v2 has no such setting",
              "the one warning names every cgroup v1 setting");
    free(warning);

    char *paths = NULL;
    n = (size_t)nook_cgroup_resources_paths(res, "X", NOOK_CGROUP_KIND(NOOK_CGROUP_LIMIT), "memory", &paths);
    CHECK_STR(t, paths, "X.memory.limit, .unified[\"memory.high\"]", "the limits of one controller, by path");
    free(paths);
    nook_cgroup_resources_paths(res, "X", NOOK_CGROUP_KIND(NOOK_CGROUP_CORE), NULL, &paths);
    CHECK_STR(t, paths, "X.unified[\"cgroup.max.depth\"]", "core unified keys need no controller");
    free(paths);
    nook_spec_resources_free(res);

    res = parse("{\"devices\": [{\"allow\": false, \"access\": \"rwm\"}],"
                " \"memory\": {\"limit\": -1, \"useHierarchy\": true},"
                " \"pids\": {\"limit\": 0}, \"cpu\": {\"shares\": 0}}");
    n = nook_cgroup_controllers_needed(res, needed, N_ELEMENTS(needed));
    r = nook_cgroup_resources_paths(res, "X", NOOK_CGROUP_KIND(NOOK_CGROUP_LIMIT) | NOOK_CGROUP_KIND(NOOK_CGROUP_NOT_V2),
                                    NULL, &paths);
    CHECK(t, n == 0 && r == 0 && paths == NULL,
          "the device list, unlimited and unset values and useHierarchy true ask for nothing");
    nook_spec_resources_free(res);

    /* What `ctr run` passes by default: no controller needed for it. */
    res = parse("{\"cpu\": {\"shares\": 1024}}");
    n = nook_cgroup_controllers_needed(res, needed, N_ELEMENTS(needed));
    CHECK(t, n == 0, "cpu shares 1024 (the default weight) needs no cpu controller");
    nook_spec_resources_free(res);
    res = parse("{\"cpu\": {\"shares\": 512}}");
    n = nook_cgroup_controllers_needed(res, needed, N_ELEMENTS(needed));
    CHECK(t, n == 1 && strcmp(needed[0], "cpu") == 0, "cpu shares other than 1024 need the cpu controller");
    nook_spec_resources_free(res);
}

/* ---- the writer, against a directory standing in for a cgroup ---- */

static const char *const fake_files[] = {
    "memory.max", "memory.swap.max", "memory.low", "memory.high", "pids.max", "cpu.weight",
    "cpu.max", "cpu.max.burst", "cpu.idle", "cpuset.cpus", "cpuset.mems", "io.weight",
    "io.max", "hugetlb.2MB.max", "rdma.max", "cgroup.max.depth",
};

static int make_fake_cgroup(char *dir, const char *controllers)
{
    if (!mkdtemp(dir))
        return -1;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    for (size_t i = 0; i < N_ELEMENTS(fake_files); i++) {
        int f = openat(fd, fake_files[i], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        close(f);
    }
    int f = openat(fd, "cgroup.controllers", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    (void)!write(f, controllers, strlen(controllers));
    close(f);
    return fd;
}

static const char *file_text(int dirfd, const char *name)
{
    static char buf[512];
    buf[0] = '\0';
    int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return "(missing)";
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    buf[n > 0 ? n : 0] = '\0';
    return buf;
}

static void remove_fake_cgroup(const char *dir, int fd)
{
    for (size_t i = 0; i < N_ELEMENTS(fake_files); i++)
        unlinkat(fd, fake_files[i], 0);
    unlinkat(fd, "cgroup.controllers", 0);
    close(fd);
    rmdir(dir);
}

static void test_writer(struct tap *t)
{
    char dir[] = "/tmp/nook-test-cgroup-XXXXXX";
    int fd = make_fake_cgroup(dir, "cpuset cpu io memory hugetlb pids rdma\n");
    CHECK(t, fd >= 0, "a directory stands in for a cgroup");
    struct nook_spec_resources *res =
        parse("{\"memory\": {\"limit\": 67108864, \"swap\": 100663296, \"reservation\": 1048576},"
              " \"pids\": {\"limit\": -1},"
              " \"cpu\": {\"shares\": 1024, \"quota\": 50000, \"period\": 100000, \"burst\": 1000, \"idle\": 1,"
              "         \"cpus\": \"0-1\", \"mems\": \"0\"},"
              " \"blockIO\": {\"weight\": 750, \"throttleReadBpsDevice\": [{\"major\": 8, \"minor\": 0, \"rate\": 1048576}],"
              "             \"throttleWriteIOPSDevice\": [{\"major\": 8, \"minor\": 16, \"rate\": 100}]},"
              " \"hugepageLimits\": [{\"pageSize\": \"2MB\", \"limit\": 4194304}],"
              " \"rdma\": {\"mlx5_1\": {\"hcaHandles\": 3, \"hcaObjects\": 1000}},"
              " \"unified\": {\"memory.high\": \"50000000\", \"cgroup.max.depth\": \"4\"}}");
    struct nook_error err = { 0 };
    int r = nook_cgroup_write_resources(fd, res, &err);
    CHECK(t, r == 0, "every setting is written");
    if (r < 0)
        printf("# %s\n", err.message);
    CHECK_STR(t, file_text(fd, "memory.max"), "67108864", "memory.limit -> memory.max");
    CHECK_STR(t, file_text(fd, "memory.swap.max"), "33554432", "memory.swap minus the limit -> memory.swap.max");
    CHECK_STR(t, file_text(fd, "memory.low"), "1048576", "memory.reservation -> memory.low");
    CHECK_STR(t, file_text(fd, "pids.max"), "max", "pids.limit -1 -> pids.max max");
    CHECK_STR(t, file_text(fd, "cpu.weight"), "100", "cpu.shares 1024 -> cpu.weight 100");
    CHECK_STR(t, file_text(fd, "cpu.max"), "50000 100000", "quota and period -> cpu.max");
    CHECK_STR(t, file_text(fd, "cpu.max.burst"), "1000", "cpu.burst -> cpu.max.burst");
    CHECK_STR(t, file_text(fd, "cpu.idle"), "1", "cpu.idle");
    CHECK_STR(t, file_text(fd, "cpuset.cpus"), "0-1", "cpu.cpus -> cpuset.cpus");
    CHECK_STR(t, file_text(fd, "cpuset.mems"), "0", "cpu.mems -> cpuset.mems");
    CHECK_STR(t, file_text(fd, "io.weight"), "7475", "blockIO.weight -> io.weight, converted (no BFQ)");
    CHECK_STR(t, file_text(fd, "io.max"), "8:0 rbps=10485768:16 wiops=100",
              "throttles -> io.max, one write per device");
    CHECK_STR(t, file_text(fd, "hugetlb.2MB.max"), "4194304", "hugepageLimits -> hugetlb.<size>.max");
    CHECK_STR(t, file_text(fd, "rdma.max"), "mlx5_1 hca_handle=3 hca_object=1000", "rdma -> rdma.max");
    CHECK_STR(t, file_text(fd, "memory.high"), "50000000", "unified keys written as given");
    CHECK_STR(t, file_text(fd, "cgroup.max.depth"), "4", "unified core keys written as given");
    nook_spec_resources_free(res);
    remove_fake_cgroup(dir, fd);

    /* Without the memory controller its limits are skipped: enabling
     * controllers (which comes first) has refused or warned about them. */
    char dir2[] = "/tmp/nook-test-cgroup-XXXXXX";
    fd = make_fake_cgroup(dir2, "pids\n");
    res = parse("{\"memory\": {\"limit\": 1000}, \"pids\": {\"limit\": 7}, \"unified\": {\"memory.high\": \"5\"},"
                " \"cpu\": {\"quota\": 20000}}");
    r = nook_cgroup_write_resources(fd, res, &err);
    CHECK(t, r == 0, "a cgroup without some controllers takes the rest");
    CHECK_STR(t, file_text(fd, "memory.max"), "", "no memory controller: memory.max untouched");
    CHECK_STR(t, file_text(fd, "memory.high"), "", "no memory controller: unified memory.* untouched");
    CHECK_STR(t, file_text(fd, "cpu.max"), "", "no cpu controller: cpu.max untouched");
    CHECK_STR(t, file_text(fd, "pids.max"), "7", "the pids controller is there: pids.max written");
    nook_spec_resources_free(res);
    remove_fake_cgroup(dir2, fd);

    /* A quota alone keeps the period the kernel has; a write error names
     * the JSON path. */
    char dir3[] = "/tmp/nook-test-cgroup-XXXXXX";
    fd = make_fake_cgroup(dir3, "cpu memory\n");
    res = parse("{\"cpu\": {\"quota\": 20000}}");
    nook_cgroup_write_resources(fd, res, &err);
    CHECK_STR(t, file_text(fd, "cpu.max"), "20000", "a quota alone: the period stays the kernel's");
    nook_spec_resources_free(res);
    unlinkat(fd, "memory.max", 0);
    res = parse("{\"memory\": {\"limit\": 1000}}");
    r = nook_cgroup_write_resources_at(fd, res, "resources", &err);
    CHECK(t, r == -ENOENT && starts_with(err.message, "resources.memory.limit: open memory.max"),
          "a write error names the setting's path");
    nook_spec_resources_free(res);
    remove_fake_cgroup(dir3, fd);
}

int main(void)
{
    struct tap t = { 0 };
    test_conversions(&t);
    test_syntax(&t);
    test_validate(&t);
    test_settings(&t);
    test_writer(&t);
    return tap_done(&t);
}
