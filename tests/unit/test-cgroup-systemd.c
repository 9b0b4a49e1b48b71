/* test-cgroup-systemd.c: the systemd cgroup manager's translations, checked
 * without a bus: the unit name from .linux.cgroupsPath, the limits as unit
 * properties, the org.systemd.property.* annotations, and how the bus
 * socket is looked for (no library is loaded when there is none). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "config.h"
#include "lib/cgroup-systemd.h"
#include "lib/spec.h"
#include "tap.h"

/* The property's value as nook_sd_value_format prints it, or "(absent)". */
static const char *prop_text(const struct nook_sd_props *props, const char *name)
{
    static char buf[512];
    const struct nook_sd_prop *p = nook_sd_props_find(props, name);
    if (!p)
        return "(absent)";
    nook_sd_value_format(&p->value, buf, sizeof(buf));
    return buf;
}

static bool contains(const char *haystack, const char *needle)
{
    return haystack && strstr(haystack, needle) != NULL;
}

/* ---- unit names ---- */

static void check_unit(struct tap *t, const char *path, const char *id, const char *want_unit,
                       const char *want_slice, const char *what)
{
    _cleanup_free_ char *unit = NULL, *slice = NULL;
    struct nook_error err = { 0 };
    int r = nook_sd_unit_name(path, id, &unit, &slice, &err);
    bool ok = r == 0 && unit && strcmp(unit, want_unit) == 0 &&
              ((!want_slice && !slice) || (want_slice && slice && strcmp(slice, want_slice) == 0));
    if (!CHECK(t, ok, what))
        printf("#   r=%d unit=%s slice=%s err=%s\n", r, str_or(unit, "(null)"),
               str_or(slice, "(null)"), err.message);
}

static void check_unit_error(struct tap *t, const char *path, const char *needle, const char *what)
{
    _cleanup_free_ char *unit = NULL, *slice = NULL;
    struct nook_error err = { 0 };
    int r = nook_sd_unit_name(path, "c1", &unit, &slice, &err);
    bool ok = r == -EINVAL && !unit && !slice && contains(err.message, needle) &&
              (path == NULL || contains(err.message, ".linux.cgroupsPath") ||
               contains(err.message, "container id"));
    if (!CHECK(t, ok, what))
        printf("#   r=%d message: %s\n#   want: %s\n", r, err.message, needle);
}

static void test_unit_names(struct tap *t)
{
    check_unit(t, NULL, "c1", "nook-c1.scope", NULL, "no cgroupsPath: nook-<id>.scope");
    check_unit(t, "", "web.1", "nook-web.1.scope", NULL, "an empty cgroupsPath: nook-<id>.scope");
    check_unit(t, "user.slice:nook:c1", "x", "nook-c1.scope", "user.slice",
               "slice:prefix:name gives prefix-name.scope in the slice");
    check_unit(t, ":libpod:abc", "x", "libpod-abc.scope", NULL,
               "an empty slice is the manager's default (none sent)");
    check_unit(t, "machine.slice::abc", "x", "abc.scope", "machine.slice",
               "an empty prefix gives name.scope");
    check_unit(t, "a-b.slice:p:n", "x", "p-n.scope", "a-b.slice", "a nested slice name");
    check_unit(t, "-.slice:p:n", "x", "p-n.scope", "-.slice", "the root slice");

    check_unit_error(t, "/sys/fs/cgroup/foo", "is not in the form \"slice:prefix:name\"",
                     "a cgroupfs path is refused, naming the form");
    check_unit_error(t, "a.slice:b", "slice:prefix:name", "two parts are refused");
    check_unit_error(t, "a.slice:b:c:d", "slice:prefix:name", "four parts are refused");
    check_unit_error(t, "user.slice:nook:", "the name after the second \":\" is empty",
                     "an empty name is refused");
    check_unit_error(t, "user.slice:nook:box.slice", "a container runs in a scope",
                     "a name that is a slice is refused");
    check_unit_error(t, "user:p:n", "ends in \".slice\"", "a slice without .slice is refused");
    check_unit_error(t, "user.slice/a.slice:p:n", "not given as a path",
                     "a slice given as a path is refused");
    check_unit_error(t, "a--b.slice:p:n", "no leading, trailing or double dash",
                     "a double dash in a slice is refused");
    check_unit_error(t, "user.slice:my prefix:n", "only letters, digits",
                     "a space in the prefix is refused");
    check_unit_error(t, "user.slice:p:n\x01", "\\x01", "a control byte is shown escaped");

    char long_id[300];
    memset(long_id, 'a', sizeof(long_id) - 1);
    long_id[sizeof(long_id) - 1] = '\0';
    _cleanup_free_ char *unit = NULL, *slice = NULL;
    struct nook_error err = { 0 };
    int r = nook_sd_unit_name(NULL, long_id, &unit, &slice, &err);
    CHECK(t, r == -EINVAL && contains(err.message, "too long for a systemd unit name"),
          "an id too long for a unit name is refused");
    long_id[255 - strlen("nook-.scope")] = '\0';
    char longest[320];
    snprintf(longest, sizeof(longest), "nook-%s.scope", long_id);
    check_unit(t, NULL, long_id, longest, NULL, "a unit name of exactly 255 characters is fine");
}

/* ---- resources ---- */

static int from_resources(const struct nook_spec_resources *res, struct nook_sd_props *props,
                          struct nook_error *err)
{
    return nook_sd_props_from_resources(res, "config.json: .linux.resources", props, err);
}

static void test_memory(struct tap *t)
{
    struct nook_spec_memory mem = { 0 };
    struct nook_spec_resources res = { .memory = &mem };
    struct nook_error err = { 0 };
    struct nook_sd_props props = { 0 };

    mem.limit = (struct nook_opt_i64){ true, 67108864 };
    mem.reservation = (struct nook_opt_i64){ true, 33554432 };
    mem.swap = (struct nook_opt_i64){ true, 100663296 };
    CHECK(t, from_resources(&res, &props, &err) == 0, "memory translates");
    CHECK_STR(t, prop_text(&props, "MemoryMax"), "t 67108864", "limit is MemoryMax");
    CHECK_STR(t, prop_text(&props, "MemoryLow"), "t 33554432", "reservation is MemoryLow");
    CHECK_STR(t, prop_text(&props, "MemorySwapMax"), "t 33554432",
              "swap is memory+swap: MemorySwapMax is swap minus the limit");
    nook_sd_props_clear(&props);

    mem.limit.value = -1;
    mem.swap.value = 0;
    mem.reservation.set = false;
    CHECK(t, from_resources(&res, &props, &err) == 0, "unlimited memory translates");
    CHECK_STR(t, prop_text(&props, "MemoryMax"), "t 18446744073709551615",
              "limit -1 is infinity");
    CHECK_STR(t, prop_text(&props, "MemorySwapMax"), "t 18446744073709551615",
              "limit -1 with swap 0 makes swap unlimited too (runc)");
    nook_sd_props_clear(&props);

    mem.limit.set = false;
    mem.swap.value = 1048576;
    CHECK(t, from_resources(&res, &props, &err) < 0 &&
                 contains(err.message, ".linux.resources.memory.swap: a swap limit needs a memory limit"),
          "swap without a memory limit is an error naming .memory.swap");
    nook_sd_props_clear(&props);

    mem.limit = (struct nook_opt_i64){ true, 2097152 };
    CHECK(t, from_resources(&res, &props, &err) < 0 &&
                 contains(err.message, "is below the memory limit"),
          "swap below the limit is an error");
    nook_sd_props_clear(&props);

    mem.swap.set = false;
    mem.limit.value = -5;
    CHECK(t, from_resources(&res, &props, &err) < 0 &&
                 contains(err.message, ".memory.limit: -5 is not a size"),
          "a negative limit other than -1 is an error");
    nook_sd_props_clear(&props);
}

static void test_pids_cpu_io(struct tap *t)
{
    struct nook_spec_pids pids = { .limit = { true, 10 } };
    struct nook_spec_cpu cpu = { 0 };
    struct nook_spec_block_io bio = { .weight = { true, 500 } };
    struct nook_spec_resources res = { .pids = &pids, .cpu = &cpu, .block_io = &bio };
    struct nook_error err = { 0 };
    struct nook_sd_props props = { 0 };
    char want[64];

    cpu.shares = (struct nook_opt_u64){ true, 1024 };
    cpu.quota = (struct nook_opt_i64){ true, 50000 };
    cpu.period = (struct nook_opt_u64){ true, 100000 };
    cpu.cpus = "0-3,9";
    cpu.mems = "0";
    CHECK(t, from_resources(&res, &props, &err) == 0, "pids, cpu and blockIO translate");
    CHECK_STR(t, prop_text(&props, "TasksMax"), "t 10", "pids.limit is TasksMax");
    snprintf(want, sizeof(want), "t %llu", (unsigned long long)nook_cgroup_cpu_weight(1024));
    CHECK_STR(t, prop_text(&props, "CPUWeight"), want,
              "shares become CPUWeight by the cgroupfs writer's conversion");
    CHECK_STR(t, prop_text(&props, "CPUWeight"), "t 100", "the default 1024 shares are weight 100");
    CHECK_STR(t, prop_text(&props, "CPUQuotaPerSecUSec"), "t 500000",
              "quota/period is CPUQuotaPerSecUSec");
    CHECK_STR(t, prop_text(&props, "CPUQuotaPeriodUSec"), "t 100000",
              "period is CPUQuotaPeriodUSec");
    CHECK_STR(t, prop_text(&props, "AllowedCPUs"), "ay 0x0f 0x02",
              "cpus is AllowedCPUs as a little-endian bitmask");
    CHECK_STR(t, prop_text(&props, "AllowedMemoryNodes"), "ay 0x01", "mems is AllowedMemoryNodes");
    snprintf(want, sizeof(want), "t %llu", (unsigned long long)nook_cgroup_io_weight(500));
    CHECK_STR(t, prop_text(&props, "IOWeight"), want, "blockIO.weight is IOWeight, converted");
    CHECK_STR(t, prop_text(&props, "Delegate"), "(absent)",
              "resources alone add no unit settings");
    nook_sd_props_clear(&props);

    pids.limit.value = -1;
    cpu.quota.value = 12345; /* 123450 us per second: up to the next 10 ms */
    cpu.cpus = NULL;
    cpu.mems = "";
    CHECK(t, from_resources(&res, &props, &err) == 0, "a second set translates");
    CHECK_STR(t, prop_text(&props, "TasksMax"), "t 18446744073709551615", "pids -1 is infinity");
    CHECK_STR(t, prop_text(&props, "CPUQuotaPerSecUSec"), "t 130000",
              "a quota is rounded up to systemd's 1% steps");
    CHECK_STR(t, prop_text(&props, "AllowedMemoryNodes"), "(absent)",
              "an empty mems list inherits (no property)");
    nook_sd_props_clear(&props);

    cpu.quota.value = -1;
    cpu.period.set = false;
    CHECK(t, from_resources(&res, &props, &err) == 0, "an unlimited quota translates");
    CHECK_STR(t, prop_text(&props, "CPUQuotaPerSecUSec"), "t 18446744073709551615",
              "quota -1 is infinity");
    CHECK_STR(t, prop_text(&props, "CPUQuotaPeriodUSec"), "(absent)",
              "no period given, none sent");
    nook_sd_props_clear(&props);

    cpu.cpus = "1-";
    CHECK(t, from_resources(&res, &props, &err) < 0 &&
                 contains(err.message, "config.json: .linux.resources.cpu.cpus: \"1-\" is not a list"),
          "a bad cpu list is an error naming .cpu.cpus");
    nook_sd_props_clear(&props);
}

static void test_unified(struct tap *t)
{
    struct nook_spec_kv kv[] = {
        { "memory.high", "max" },   { "pids.max", "20" },          { "cpu.max", "max 50000" },
        { "cpu.weight", "300" },    { "io.max", "8:0 rbps=1024" }, { "hugetlb.2MB.max", "0" },
        { "cpuset.cpus", "2" },     { "io.weight", "default 50" },
    };
    struct nook_spec_pids pids = { .limit = { true, 10 } };
    struct nook_spec_resources res = { .pids = &pids,
                                       .unified = { .items = kv, .count = N_ELEMENTS(kv) } };
    struct nook_error err = { 0 };
    struct nook_sd_props props = { 0 };
    CHECK(t, from_resources(&res, &props, &err) == 0, "unified keys translate");
    CHECK_STR(t, prop_text(&props, "MemoryHigh"), "t 18446744073709551615",
              "memory.high max is MemoryHigh infinity");
    CHECK_STR(t, prop_text(&props, "TasksMax"), "t 20", "pids.max, after pids.limit, wins");
    CHECK_STR(t, prop_text(&props, "CPUQuotaPerSecUSec"), "t 18446744073709551615",
              "cpu.max max is an unlimited quota");
    CHECK_STR(t, prop_text(&props, "CPUQuotaPeriodUSec"), "t 50000", "cpu.max's period");
    CHECK_STR(t, prop_text(&props, "CPUWeight"), "t 300", "cpu.weight is CPUWeight as it is");
    CHECK_STR(t, prop_text(&props, "AllowedCPUs"), "ay 0x04", "cpuset.cpus is AllowedCPUs");
    CHECK_STR(t, prop_text(&props, "IOWeight"), "t 50", "io.weight \"default N\" is IOWeight");
    CHECK(t, props.count == 7, "io.max and hugetlb have no property (the writer does them)");
    nook_sd_props_clear(&props);

    struct nook_spec_kv bad[] = { { "cpu.weight", "heavy" } };
    struct nook_spec_resources bad_res = { .unified = { .items = bad, .count = 1 } };
    CHECK(t, from_resources(&bad_res, &props, &err) < 0 &&
                 contains(err.message, ".linux.resources.unified[\"cpu.weight\"]: \"heavy\""),
          "a bad unified value names its key");
    nook_sd_props_clear(&props);

    struct nook_spec_kv bad_max[] = { { "memory.max", "lots" } };
    bad_res.unified.items = bad_max;
    CHECK(t, from_resources(&bad_res, &props, &err) < 0 &&
                 contains(err.message, "is neither \"max\" nor a number"),
          "memory.max must be max or a number");
    nook_sd_props_clear(&props);
}

/* ---- annotation values ---- */

static void check_value(struct tap *t, const char *text, const char *want, const char *what)
{
    struct nook_sd_value v;
    const char *why = NULL;
    char buf[256] = "";
    int r = nook_sd_parse_value(text, &v, &why);
    if (r == 0) {
        nook_sd_value_format(&v, buf, sizeof(buf));
        nook_sd_value_clear(&v);
    }
    if (!CHECK(t, r == 0 && strcmp(buf, want) == 0, what))
        printf("#   r=%d got \"%s\" want \"%s\" why=%s\n", r, buf, want, str_or(why, "-"));
}

static void check_bad_value(struct tap *t, const char *text, const char *needle, const char *what)
{
    struct nook_sd_value v;
    const char *why = NULL;
    int r = nook_sd_parse_value(text, &v, &why);
    if (r == 0)
        nook_sd_value_clear(&v);
    if (!CHECK(t, r < 0 && contains(why, needle), what))
        printf("#   r=%d why=%s want=%s\n", r, str_or(why, "-"), needle);
}

static void test_values(struct tap *t)
{
    check_value(t, "true", "b true", "true is a boolean");
    check_value(t, " false ", "b false", "false, with blanks");
    check_value(t, "'inactive-or-failed'", "s 'inactive-or-failed'", "a single-quoted string");
    check_value(t, "\"it\\'s\"", "s 'it's'", "a double-quoted string with an escape");
    check_value(t, "uint64 123456789", "t 123456789", "uint64");
    check_value(t, "uint64 18446744073709551615", "t 18446744073709551615", "uint64's maximum");
    check_value(t, "int64 -5", "x -5", "int64");
    check_value(t, "uint32 7", "u 7", "uint32");
    check_value(t, "int32 -7", "i -7", "int32");
    check_value(t, "uint16 65535", "q 65535", "uint16");
    check_value(t, "int16 -3", "n -3", "int16");
    check_value(t, "byte 255", "y 255", "byte");
    check_value(t, "byte 0x10", "y 16", "hex numbers");
    check_value(t, "9", "i 9", "a bare integer is int32, as in GVariant");
    check_value(t, "1.5", "d 1.5", "a bare fraction is a double");
    check_value(t, "double 2", "d 2", "double");
    check_value(t, "['a', \"b\"]", "as ['a', 'b']", "an array of strings");
    check_value(t, "[]", "as []", "an empty array is an array of strings");
    check_value(t, "@as []", "as []", "@as []");
    check_value(t, "@t 5", "t 5", "@t");
    check_value(t, "@b true", "b true", "@b");
    check_value(t, "@s 'x'", "s 'x'", "@s");

    check_bad_value(t, "", "empty", "an empty value");
    check_bad_value(t, "yes", "not a value nook reads", "a word that is no value");
    check_bad_value(t, "uint64 -1", "cannot be negative", "a negative unsigned");
    check_bad_value(t, "int16 70000", "out of the type's range", "int16 out of range");
    check_bad_value(t, "byte 256", "out of the type's range", "byte out of range");
    check_bad_value(t, "uint64 12abc", "not an integer", "trailing garbage after a number");
    check_bad_value(t, "uint64", "not a value", "a type without a number");
    check_bad_value(t, "'open", "no closing quote", "an unterminated string");
    check_bad_value(t, "'a' 'b'", "text after the closing quote", "two strings");
    check_bad_value(t, "[1, 2]", "quoted strings only", "an array of numbers");
    check_bad_value(t, "['a' 'b']", "separated by", "an array without commas");
    check_bad_value(t, "@b 1", "@b takes true or false", "@b with a number");
    check_bad_value(t, "@v 1", "@T takes one of", "@ with an unknown type");
    check_bad_value(t, "99999999999", "out of the type's range", "a bare integer past int32");
    check_bad_value(t, "double nan", "finite", "NaN");
}

/* ---- annotations ---- */

static void test_annotations(struct tap *t)
{
    struct nook_spec_kv kv[] = {
        { "org.systemd.property.TimeoutStopUSec", "uint64 123456789" },
        { "org.systemd.property.CollectMode", "'inactive-or-failed'" },
        { "org.systemd.property.RuntimeMaxSec", "5" },
        { "org.systemd.property.KillSignal", "9" },
        { "org.systemd.property.Description", "'mine'" },
        { "org.systemd.property.RestartSec", "double 1.5" },
        { "io.kubernetes.pod", "not ours" },
    };
    struct nook_spec_map map = { .items = kv, .count = N_ELEMENTS(kv) };
    struct nook_sd_props props = { 0 };
    struct nook_error err = { 0 };
    struct nook_sd_value nooks = { .type = "s", .s = strdup("nook container c1") };
    CHECK(t, nook_sd_props_set(&props, "Description", &nooks) == 0, "a property is already there");
    CHECK(t, nook_sd_props_from_annotations(&map, &props, &err) == 0, "annotations translate");
    CHECK_STR(t, prop_text(&props, "TimeoutStopUSec"), "t 123456789", "USec as given");
    CHECK_STR(t, prop_text(&props, "CollectMode"), "s 'inactive-or-failed'", "a string");
    CHECK_STR(t, prop_text(&props, "RuntimeMaxUSec"), "t 5000000",
              "...Sec becomes ...USec in microseconds (runc)");
    CHECK_STR(t, prop_text(&props, "RuntimeMaxSec"), "(absent)", "and ...Sec itself is not sent");
    CHECK_STR(t, prop_text(&props, "RestartUSec"), "t 1500000", "a fraction of a second");
    CHECK_STR(t, prop_text(&props, "KillSignal"), "i 9", "a bare integer is int32");
    CHECK_STR(t, prop_text(&props, "Description"), "s 'mine'", "an annotation replaces nook's");
    CHECK(t, props.count == 6, "other annotations are not properties; none is sent twice");
    nook_sd_props_clear(&props);

    static const struct {
        const char *key, *value, *needle, *what;
    } bad[] = {
        { "org.systemd.property.Foo1", "true", "is not a systemd property name",
          "a digit in the name" },
        { "org.systemd.property.Ab", "true", "at least 3", "a name too short" },
        { "org.systemd.property.PIDs", "@au []", "nook sets PIDs itself", "PIDs is nook's" },
        { "org.systemd.property.Delegate", "false", "nook sets Delegate itself",
          "Delegate is nook's" },
        { "org.systemd.property.MemoryMax", "uint64 -1",
          ".annotations[\"org.systemd.property.MemoryMax\"]: \"uint64 -1\": an unsigned type cannot be negative",
          "a bad value names the annotation and the value" },
        { "org.systemd.property.TimeoutStopSec", "'soon'", "takes a number of seconds",
          "...Sec with a string" },
        { "org.systemd.property.TimeoutStopSec", "-1", "cannot be negative",
          "...Sec with a negative number" },
    };
    for (size_t i = 0; i < N_ELEMENTS(bad); i++) {
        struct nook_spec_kv one = { (char *)bad[i].key, (char *)bad[i].value };
        struct nook_spec_map m = { .items = &one, .count = 1 };
        nook_error_clear(&err);
        int r = nook_sd_props_from_annotations(&m, &props, &err);
        if (!CHECK(t, r == -EINVAL && contains(err.message, bad[i].needle) &&
                          contains(err.message, "config.json: .annotations["),
                   bad[i].what))
            printf("#   r=%d message: %s\n", r, err.message);
        nook_sd_props_clear(&props);
    }
}

/* ---- the whole unit ---- */

static void test_unit_props(struct tap *t)
{
    struct nook_spec_pids pids = { .limit = { true, 10 } };
    struct nook_spec_resources res = { .pids = &pids };
    struct nook_spec_kv kv[] = { { "org.systemd.property.CollectMode", "'inactive-or-failed'" } };
    struct nook_spec_map map = { .items = kv, .count = 1 };
    struct nook_cgroup_request request = {
        .manager = NOOK_CGROUP_MANAGER_SYSTEMD, .id = "c1", .resources = &res,
        .annotations = &map,
    };
    struct nook_sd_props props = { 0 };
    struct nook_error err = { 0 };
    CHECK(t, nook_sd_unit_props(&request, "user.slice", &props, &err) == 0,
          "the unit's properties are built");
    CHECK_STR(t, prop_text(&props, "Description"), "s 'nook container c1'", "Description");
    CHECK_STR(t, prop_text(&props, "Slice"), "s 'user.slice'", "Slice");
    CHECK_STR(t, prop_text(&props, "Delegate"), "b true", "Delegate=yes");
    CHECK_STR(t, prop_text(&props, "DefaultDependencies"), "b false", "no default dependencies");
    CHECK_STR(t, prop_text(&props, "TasksAccounting"), "b true", "accounting on");
    CHECK_STR(t, prop_text(&props, "TasksMax"), "t 10", "the limits");
    CHECK_STR(t, prop_text(&props, "CollectMode"), "s 'inactive-or-failed'", "the annotations");
    CHECK_STR(t, prop_text(&props, "PIDs"), "(absent)", "PIDs are added when the unit starts");
    nook_sd_props_clear(&props);

    CHECK(t, nook_sd_unit_props(&request, NULL, &props, &err) == 0 &&
                 !nook_sd_props_find(&props, "Slice"),
          "no slice: no Slice property");
    nook_sd_props_clear(&props);
}

/* ---- the bus socket ---- */

static int make_socket(const char *path)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
        return -1;
    return fd;
}

static void test_socket(struct tap *t)
{
    char dir[] = "/tmp/test-cgroup-systemd.XXXXXX";
    if (!mkdtemp(dir)) {
        CHECK(t, false, "mkdtemp");
        return;
    }
    char bus[256], other[256], escaped[300];
    snprintf(bus, sizeof(bus), "%s/bus", dir);
    snprintf(other, sizeof(other), "%s/my-bus", dir);
    _cleanup_close_ int fd1 = make_socket(bus);
    _cleanup_close_ int fd2 = make_socket(other);
    CHECK(t, fd1 >= 0 && fd2 >= 0, "test sockets made");

    char *where = NULL;
    unsetenv("DBUS_SESSION_BUS_ADDRESS");
    unsetenv("XDG_RUNTIME_DIR");
    CHECK(t, !nook_sd_bus_socket_present(false, &where) && where == NULL,
          "no address and no runtime dir: nothing to look at");
    free(where);

    setenv("XDG_RUNTIME_DIR", dir, 1);
    CHECK(t, nook_sd_bus_socket_present(false, &where) && contains(where, "/bus"),
          "$XDG_RUNTIME_DIR/bus is the user bus");
    free(where);

    snprintf(escaped, sizeof(escaped), "unix:path=%s/my%%2dbus,guid=0123", dir);
    setenv("DBUS_SESSION_BUS_ADDRESS", escaped, 1);
    CHECK(t, nook_sd_bus_socket_present(false, &where) && where && strcmp(where, other) == 0,
          "$DBUS_SESSION_BUS_ADDRESS wins, its path unescaped");
    free(where);

    setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus", 1);
    CHECK(t, !nook_sd_bus_socket_present(false, &where) && contains(where, "/nonexistent/bus"),
          "a missing socket is absent, and where says where it was looked for");
    free(where);

    setenv("DBUS_SESSION_BUS_ADDRESS", "tcp:host=localhost;unix:path=/nonexistent/bus", 1);
    CHECK(t, !nook_sd_bus_socket_present(false, &where) && contains(where, "/nonexistent/bus"),
          "the unix:path= address of a list is the one looked at");
    free(where);

    setenv("DBUS_SESSION_BUS_ADDRESS", "unix:abstract=/tmp/dbus-x", 1);
    CHECK(t, nook_sd_bus_socket_present(false, &where),
          "an abstract address can only be tried: present");
    free(where);

    /* No socket: no bus, no library, an error that says what to do. */
    setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus", 1);
    CHECK(t, !nook_cgroup_systemd_available(false), "not available without a socket");
    struct nook_sd_bus *b = NULL;
    struct nook_error err = { 0 };
    int r = nook_sd_bus_open(false, &b, &err);
#if HAVE_SYSTEMD
    CHECK(t, r < 0 && !b && contains(err.message, "no bus socket at /nonexistent/bus") &&
                 contains(err.message, "loginctl enable-linger") &&
                 contains(err.message, "--cgroup-manager cgroupfs"),
          "opening says there is no socket, where, and the fixes");
#else
    CHECK(t, r < 0 && !b && contains(err.message, "-Dsystemd=disabled"),
          "opening says nook was built without systemd");
#endif

    /* A socket nobody answers on: connecting fails with the bus named. */
    snprintf(escaped, sizeof(escaped), "unix:path=%s", bus);
    setenv("DBUS_SESSION_BUS_ADDRESS", escaped, 1);
    nook_error_clear(&err);
    r = nook_sd_bus_open(false, &b, &err);
#if HAVE_SYSTEMD
    if (!CHECK(t, r < 0 && !b && contains(err.message, "user bus"),
               "a socket without a bus daemon is an error naming the user bus"))
        printf("#   r=%d message: %s\n", r, err.message);
#else
    CHECK(t, r < 0 && !b && contains(err.message, "-Dsystemd=disabled"),
          "with a socket too, nook built without systemd says so");
#endif

    unlink(bus);
    unlink(other);
    rmdir(dir);
    unsetenv("DBUS_SESSION_BUS_ADDRESS");
}

int main(void)
{
    struct tap t = { 0 };
    test_unit_names(&t);
    test_memory(&t);
    test_pids_cpu_io(&t);
    test_unified(&t);
    test_values(&t);
    test_annotations(&t);
    test_unit_props(&t);
    test_socket(&t);
    return tap_done(&t);
}
