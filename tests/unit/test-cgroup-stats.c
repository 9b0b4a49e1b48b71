/* test-cgroup-stats.c: the cgroup statistics behind `nook events`: the
 * parsers of cpu.stat, memory.stat, io.stat and the *.pressure files on
 * sample text, reading a whole (fake) cgroup directory, and the JSON lines
 * in runc's shape. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "lib/cgroup-stats.h"
#include "tap.h"

static const char cpu_stat[] = "usage_usec 1500\n"
                               "user_usec 1000\n"
                               "system_usec 500\n"
                               "core_sched.force_idle_usec 0\n"
                               "nr_periods 10\n"
                               "nr_throttled 2\n"
                               "throttled_usec 300\n"
                               "nr_bursts 0\n"
                               "burst_usec 0\n";

static const char memory_stat[] = "anon 4096\n"
                                  "file 8192\n"
                                  "kernel 12288\n"
                                  "pgfault 42\n";

static const char io_stat[] = "8:0 rbytes=1024 wbytes=2048 rios=3 wios=4 dbytes=0 dios=0\n"
                              "253:1 rbytes=0 wbytes=512 rios=0 wios=1 dbytes=0 dios=0\n";

static const char pressure[] = "some avg10=1.50 avg60=0.00 avg300=12.34 total=987\n"
                               "full avg10=0.10 avg60=10.00 avg300=0.00 total=5\n";

static void write_file(int dirfd, const char *name, const char *text)
{
    int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
        abort();
    close(fd);
}

static void test_parsers(struct tap *t)
{
    struct nook_cgroup_stats s = { 0 };
    struct nook_error err = { 0 };

    CHECK(t, nook_cgroup_stats_parse_cpu(cpu_stat, &s, &err) == 0, "cpu.stat parses");
    CHECK(t, s.cpu.total == 1500000 && s.cpu.user == 1000000 && s.cpu.kernel == 500000,
          "cpu.stat: microseconds become nanoseconds");
    CHECK(t, s.cpu.periods == 10 && s.cpu.throttled_periods == 2 && s.cpu.throttled_time == 300000,
          "cpu.stat: throttling");

    CHECK(t, nook_cgroup_stats_parse_memory_stat(memory_stat, &s, &err) == 0, "memory.stat parses");
    CHECK(t, s.memory.n_raw == 4 && strcmp(s.memory.raw[0].key, "anon") == 0 &&
             strcmp(s.memory.raw[3].key, "pgfault") == 0 && s.memory.raw[3].value == 42,
          "memory.stat: every key, sorted");
    CHECK(t, s.memory.cache == 8192, "memory.stat: cache is \"file\"");

    CHECK(t, nook_cgroup_stats_parse_io(io_stat, &s, &err) == 0, "io.stat parses");
    CHECK(t, s.blkio.service_bytes.count == 4 && s.blkio.serviced.count == 4,
          "io.stat: bytes and ios into two tables, other keys left out");
    CHECK(t, s.blkio.service_bytes.items[1].major == 8 &&
             strcmp(s.blkio.service_bytes.items[1].op, "Write") == 0 &&
             s.blkio.service_bytes.items[1].value == 2048,
          "io.stat: wbytes is Write");
    CHECK(t, s.blkio.serviced.items[2].major == 253 && s.blkio.serviced.items[2].minor == 1 &&
             strcmp(s.blkio.serviced.items[2].op, "Read") == 0,
          "io.stat: the second device");

    struct nook_psi psi;
    CHECK(t, nook_cgroup_stats_parse_psi(pressure, "cpu.pressure", &psi, &err) == 0,
          "a pressure file parses");
    CHECK_STR(t, psi.some.avg10, "1.5", "psi: trailing zeros dropped as Go prints a float");
    CHECK_STR(t, psi.some.avg60, "0", "psi: 0.00 is 0");
    CHECK_STR(t, psi.some.avg300, "12.34", "psi: two decimals kept");
    CHECK_STR(t, psi.full.avg60, "10", "psi: 10.00 is 10");
    CHECK(t, psi.some.total == 987 && psi.full.total == 5 && psi.present, "psi: totals");
    CHECK(t, nook_cgroup_stats_parse_psi("some avg10=0.00 avg60=0.00 avg300=0.00 total=1\n",
                                         "io.pressure", &psi, &err) == 0 &&
                 strcmp(psi.full.avg10, "0") == 0 && psi.full.total == 0,
          "psi: a kernel without the full line reads as zeros");

    CHECK(t, nook_cgroup_stats_parse_cpu("usage_usec\n", &s, &err) == -EINVAL, "cpu.stat: malformed");
    CHECK_STR(t, err.message, "cpu.stat: malformed line \"usage_usec\"", "the error names the file and line");
    CHECK(t, nook_cgroup_stats_parse_memory_stat("anon -1\n", &s, &err) == -EINVAL,
          "memory.stat: a negative value is malformed");
    CHECK(t, nook_cgroup_stats_parse_io("8:x rbytes=1\n", &s, &err) == -EINVAL,
          "io.stat: a bad device is malformed");
    CHECK(t, nook_cgroup_stats_parse_psi("some avg10=x avg60=0 avg300=0 total=0\n", "cpu.pressure",
                                         &psi, &err) == -EINVAL &&
                 strstr(err.message, "cpu.pressure: malformed line") == err.message,
          "psi: a bad number is malformed, named by file");
    nook_cgroup_stats_clear(&s);
    CHECK(t, s.memory.raw == NULL && s.memory.n_raw == 0, "clear empties the stats");

    uint64_t v = 0;
    CHECK(t, nook_cgroup_parse_limit("max\n", &v) == 0 && v == UINT64_MAX, "\"max\" is UINT64_MAX");
    CHECK(t, nook_cgroup_parse_limit("12345\n", &v) == 0 && v == 12345, "a number limit");
    CHECK(t, nook_cgroup_parse_limit("-1\n", &v) == -EINVAL, "a negative limit is refused");
    CHECK(t, nook_cgroup_parse_limit("99999999999999999999\n", &v) == -ERANGE, "an overflow is refused");
    const char events[] = "low 0\nhigh 0\nmax 3\noom 1\noom_kill 2\noom_group_kill 0\n";
    CHECK(t, nook_cgroup_keyed_value(events, "oom_kill", &v) == 0 && v == 2, "keyed: oom_kill");
    CHECK(t, nook_cgroup_keyed_value(events, "oom", &v) == 0 && v == 1, "keyed: a key that prefixes another");
    CHECK(t, nook_cgroup_keyed_value(events, "frozen", &v) == -ENOENT, "keyed: a missing key");
}

static void test_json(struct tap *t)
{
    struct nook_cgroup_stats s = { 0 };
    char *line = NULL;
    CHECK(t, nook_cgroup_stats_event_json("c1", &s, &line) == 0, "empty stats as JSON");
    CHECK_STR(t, line,
              "{\"type\":\"stats\",\"id\":\"c1\",\"data\":{"
              "\"cpu\":{\"usage\":{\"kernel\":0,\"user\":0},\"throttling\":{}},"
              "\"cpuset\":{\"cpu_exclusive\":0,\"mem_hardwall\":0,\"mem_exclusive\":0,"
              "\"memory_migrate\":0,\"memory_spread_page\":0,\"memory_spread_slab\":0,"
              "\"memory_pressure\":0,\"sched_load_balance\":0,\"sched_relax_domain_level\":0},"
              "\"memory\":{\"usage\":{\"limit\":0,\"failcnt\":0},\"swap\":{\"limit\":0,\"failcnt\":0},"
              "\"kernel\":{\"limit\":0,\"failcnt\":0},\"kernelTCP\":{\"limit\":0,\"failcnt\":0}},"
              "\"pids\":{},\"blkio\":{},\"hugetlb\":{},\"intel_rdt\":{},\"network_interfaces\":null}}\n",
              "zero figures are left out where runc's omitempty leaves them out");
    free(line);

    struct nook_error err = { 0 };
    nook_cgroup_stats_parse_cpu(cpu_stat, &s, &err);
    nook_cgroup_stats_parse_memory_stat("file 7\nanon 3\n", &s, &err);
    nook_cgroup_stats_parse_io("8:0 rbytes=5 wbytes=0\n", &s, &err);
    nook_cgroup_stats_parse_psi(pressure, "cpu.pressure", &s.cpu.psi, &err);
    s.memory.usage = (struct nook_memory_entry){ .limit = UINT64_MAX, .usage = 10, .max = 20 };
    s.pids.current = 2;
    CHECK(t, nook_cgroup_stats_event_json("a\"b", &s, &line) == 0, "full stats as JSON");
    CHECK(t, line && strstr(line, "\"id\":\"a\\\"b\""), "the id is escaped");
    CHECK(t, line && strstr(line, "\"usage\":{\"total\":1500000,\"kernel\":500000,\"user\":1000000}"),
          "cpu usage");
    CHECK(t, line && strstr(line, "\"throttling\":{\"periods\":10,\"throttledPeriods\":2,"
                                  "\"throttledTime\":300000}"),
          "cpu throttling with runc's names");
    CHECK(t, line && strstr(line, "\"psi\":{\"some\":{\"avg10\":1.5,\"avg60\":0,\"avg300\":12.34,"
                                  "\"total\":987},\"full\":{\"avg10\":0.1,\"avg60\":10,"
                                  "\"avg300\":0,\"total\":5}}"),
          "cpu psi");
    CHECK(t, line && strstr(line, "\"memory\":{\"cache\":7,\"usage\":{\"limit\":18446744073709551615,"
                                  "\"usage\":10,\"max\":20,\"failcnt\":0}"),
          "memory usage: an unlimited limit is the full uint64");
    CHECK(t, line && strstr(line, "\"raw\":{\"anon\":3,\"file\":7}"), "raw memory.stat, sorted");
    CHECK(t, line && strstr(line, "\"pids\":{\"current\":2}"), "pids without a limit");
    CHECK(t, line && strstr(line, "\"blkio\":{\"ioServiceBytesRecursive\":[{\"major\":8,\"op\":\"Read\","
                                  "\"value\":5},{\"major\":8,\"op\":\"Write\"}]}"),
          "blkio entries leave zero numbers out (minor 0, value 0), as runc's do");
    free(line);
    nook_cgroup_stats_clear(&s);

    CHECK(t, nook_cgroup_event_json("oom", "c1", &line) == 0, "an oom event");
    CHECK_STR(t, line, "{\"type\":\"oom\",\"id\":\"c1\"}\n", "an event without data");
    free(line);
}

static void test_read(struct tap *t)
{
    char template[] = "/tmp/nook-test-cgroup-XXXXXX";
    char *dir = mkdtemp(template);
    if (!dir)
        abort();
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    write_file(fd, "cpu.stat", cpu_stat);
    write_file(fd, "cgroup.procs", "10\n11\n");
    if (mkdirat(fd, "sub", 0755) < 0)
        abort();
    write_file(fd, "sub/cgroup.procs", "12\n");

    struct nook_cgroup_stats s = { 0 };
    struct nook_error err = { 0 };
    CHECK(t, nook_cgroup_stats_read(fd, &s, &err) == 0, "a cgroup without controllers reads");
    CHECK(t, s.cpu.user == 1000000, "its cpu.stat is read");
    CHECK(t, !s.memory.present && s.memory.n_raw == 0 && s.memory.usage.limit == 0,
          "no memory controller: no memory figures");
    CHECK(t, s.pids.current == 3 && s.pids.limit == 0,
          "no pids controller: the processes of the cgroup and below are counted");
    CHECK(t, !s.cpu.psi.present && s.blkio.service_bytes.count == 0, "absent files are no error");
    nook_cgroup_stats_clear(&s);

    write_file(fd, "memory.stat", memory_stat);
    write_file(fd, "memory.current", "4096\n");
    write_file(fd, "memory.max", "1048576\n");
    write_file(fd, "memory.peak", "8192\n");
    write_file(fd, "memory.events", "low 0\nhigh 0\nmax 4\noom 1\noom_kill 1\n");
    write_file(fd, "memory.swap.current", "100\n");
    write_file(fd, "memory.swap.max", "max\n");
    write_file(fd, "pids.current", "7\n");
    write_file(fd, "pids.max", "max\n");
    write_file(fd, "io.stat", io_stat);
    write_file(fd, "io.pressure", pressure);
    CHECK(t, nook_cgroup_stats_read(fd, &s, &err) == 0, "a cgroup with controllers reads");
    CHECK(t, s.memory.present && s.memory.usage.usage == 4096 && s.memory.usage.limit == 1048576 &&
             s.memory.usage.max == 8192 && s.memory.usage.failcnt == 4,
          "memory: current, max, peak and the count of max events");
    CHECK(t, s.memory.swap.usage == 4196 && s.memory.swap.limit == UINT64_MAX && s.memory.swap.max == 0,
          "swap counts memory too, as cgroup v1 did; unlimited stays unlimited");
    CHECK(t, s.pids.current == 7 && s.pids.limit == 0, "pids: \"max\" is reported as 0");
    CHECK(t, s.blkio.serviced.count == 4 && s.blkio.psi.present, "io.stat and io.pressure");
    nook_cgroup_stats_clear(&s);

    write_file(fd, "memory.swap.max", "1000\n");
    write_file(fd, "pids.max", "50\n");
    CHECK(t, nook_cgroup_stats_read(fd, &s, &err) == 0 && s.memory.swap.limit == 1049576 &&
             s.pids.limit == 50,
          "a swap limit adds the memory limit; a pids limit");
    nook_cgroup_stats_clear(&s);

    write_file(fd, "memory.max", "lots\n");
    CHECK(t, nook_cgroup_stats_read(fd, &s, &err) == -EINVAL, "a malformed file is an error");
    CHECK_STR(t, err.message, "memory.max: \"lots\" is not a number or \"max\"", "naming the file and value");
    CHECK(t, s.memory.raw == NULL, "nothing is left after an error");

    close(fd);
    char command[256];
    snprintf(command, sizeof(command), "rm -rf '%s'", dir);
    if (system(command) != 0)
        abort();
}

int main(void)
{
    struct tap t = { 0 };
    test_parsers(&t);
    test_json(&t);
    test_read(&t);
    return tap_done(&t);
}
