/* cgroup-systemd.h: the pieces of the systemd cgroup manager, shared by its
 * rooms and its unit test; not for use elsewhere (the manager's entry points
 * are in cgroup-internal.h).
 *
 *   cgroup-systemd-props.c  the unit name from .linux.cgroupsPath, and the
 *                           unit properties with the limits translated.
 *   cgroup-systemd-annotations.c
 *                           the org.systemd.property.* annotations read as
 *                           D-Bus values. These two are pure C, no library.
 *   cgroup-systemd-bus.c    libsystemd's sd-bus, loaded with dlopen() only
 *                           when a bus socket exists: connect, start and stop
 *                           units, wait for their jobs.
 *   cgroup-systemd.c        the manager itself (cgroup-internal.h).
 * `nook check` (hostcheck-cgroup.c) reads bus addresses as the bus does. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgroup-internal.h"

/* ---- unit properties (cgroup-systemd-props.c, -annotations.c) ---- */

/* A D-Bus value of the types unit properties use. `type` is its D-Bus
 * signature: "b", "y", "n", "q", "i", "u", "x", "t", "d", "s", "as" or
 * "ay". Integers of every width are kept in i64/u64 (by signedness). */
struct nook_sd_value {
    char type[3];
    union {
        bool b;
        int64_t i64;
        uint64_t u64;
        double d;
        char *s;
        char **strv;
        struct {
            uint8_t *data;
            size_t len;
        } bytes;
    };
};

struct nook_sd_prop {
    char *name;
    struct nook_sd_value value;
};

/* The properties of a unit, in the order they are sent. */
struct nook_sd_props {
    struct nook_sd_prop *items;
    size_t count;
};

void nook_sd_value_clear(struct nook_sd_value *value);
void nook_sd_props_clear(struct nook_sd_props *props);
static inline void nook_sd_props_clearp(struct nook_sd_props *props)
{
    nook_sd_props_clear(props);
}
const struct nook_sd_prop *nook_sd_props_find(const struct nook_sd_props *props,
                                              const char *name);

/* Add name = value, taking value's contents; a property of that name that is
 * already there is replaced. -ENOMEM. */
int nook_sd_props_set(struct nook_sd_props *props, const char *name, struct nook_sd_value *value);

static inline bool nook_sd_type_is_signed(char t)
{
    return t == 'n' || t == 'i' || t == 'x';
}

static inline bool nook_sd_type_is_integer(char t)
{
    return t == 'y' || t == 'n' || t == 'q' || t == 'i' || t == 'u' || t == 'x' || t == 't';
}

/* A user's string for a one-line message: control bytes, quotes and
 * non-ASCII bytes as \xNN, cut after NOOK_SD_QUOTE_MAX characters; `out`
 * of NOOK_SD_QUOTED_SIZE holds any. */
#define NOOK_SD_QUOTE_MAX 80
#define NOOK_SD_QUOTED_SIZE (NOOK_SD_QUOTE_MAX * 4 + 8)
void nook_sd_quote(const char *s, char *out, size_t size);

/* The value as text, for messages and tests: "t 1048576", "b true",
 * "s 'x'", "as ['a', 'b']", "ay 0x0f 0x01". */
void nook_sd_value_format(const struct nook_sd_value *value, char *buf, size_t size);

/* The unit for a container: with cgroups_path NULL or "", "nook-<id>.scope"
 * and *slice NULL (the manager's default slice); otherwise cgroups_path must
 * be runc's systemd form "slice:prefix:name", giving "prefix-name.scope"
 * ("name.scope" when prefix is empty) in `slice` (NULL when empty). A name
 * ending in ".slice" (a container as a slice) is refused, as is anything
 * systemd would not take as a unit name. Errors name .linux.cgroupsPath. */
int nook_sd_unit_name(const char *cgroups_path, const char *id, char **unit, char **slice,
                      struct nook_error *err);

/* The limits of resources as unit properties, appended to props: MemoryMax,
 * MemoryLow, MemorySwapMax, TasksMax, CPUWeight, CPUQuotaPerSecUSec,
 * CPUQuotaPeriodUSec, AllowedCPUs, AllowedMemoryNodes, IOWeight, and the
 * unified keys systemd has a property for. What has no property (io
 * throttles, hugetlb, rdma, other unified keys) is left to the cgroup
 * writer, which nook runs on the container's sub-cgroup as well. Errors
 * name the JSON path below `where` ("config.json: .linux.resources" for
 * create, "resources" for update's, as its other errors say). */
int nook_sd_props_from_resources(const struct nook_spec_resources *resources, const char *where,
                                 struct nook_sd_props *props, struct nook_error *err);

/* Every "org.systemd.property.NAME" annotation as property NAME, replacing
 * one nook set itself. runc's conventions: NAME is ASCII letters only (at
 * least 3); a NAME ending in a lowercase letter + "Sec" is sent as ...USec
 * with the number scaled to microseconds; PIDs and Delegate are nook's and
 * refused. Errors name the annotation. */
int nook_sd_props_from_annotations(const struct nook_spec_map *annotations,
                                   struct nook_sd_props *props, struct nook_error *err);

/* Parse an annotation's value: the subset of GVariant text nook accepts:
 *   true, false                          b
 *   'text' or "text" (\ escapes)         s
 *   ['a', 'b'], @as []                   as
 *   byte|int16|uint16|int32|uint32|int64|uint64 N   y n q i u x t
 *   double X, or a number with a "." or exponent     d
 *   a bare integer N                     i (GVariant's default, as in runc)
 *   @T V with T one of b y n q i u x t d s: V read as that type
 * -EINVAL with *why saying what is wrong. */
int nook_sd_parse_value(const char *text, struct nook_sd_value *out, const char **why);

/* Every property of the transient unit of a container: Description, Slice
 * (when given), Delegate=yes, the accounting switches, DefaultDependencies=
 * no, the limits, then the annotations. Everything is checked here, before
 * anything is started. */
int nook_sd_unit_props(const struct nook_cgroup_request *request, const char *slice,
                       struct nook_sd_props *props, struct nook_error *err);

/* ---- the bus (cgroup-systemd-bus.c) ---- */

struct nook_sd_bus;

/* The path of the first unix:path= address in a D-Bus address list
 * ("unix:path=/run/user/1000/bus,guid=...;tcp:..."), unescaped (%XX); NULL
 * when there is none (or out of memory). */
char *nook_sd_bus_address_path(const char *address);

/* Where the bus socket is for the caller (privileged: the system bus), as a
 * path, in *where ("$XDG_RUNTIME_DIR/bus" expanded, say); true when it is
 * there as a socket. *where is NULL when there is nothing to look at (no
 * $DBUS_SESSION_BUS_ADDRESS and no $XDG_RUNTIME_DIR). No library is loaded. */
bool nook_sd_bus_socket_present(bool privileged, char **where);

/* Load libsystemd, connect, and check that systemd's manager answers on
 * the bus. Errors say which bus, what is missing and what to do. */
int nook_sd_bus_open(bool privileged, struct nook_sd_bus **out, struct nook_error *err);
void nook_sd_bus_close(struct nook_sd_bus *bus);
static inline void nook_sd_bus_closep(struct nook_sd_bus **bus)
{
    if (*bus)
        nook_sd_bus_close(*bus);
}

/* StartTransientUnit(unit, "fail", props + PIDs=[pid]) and wait for its job;
 * a result other than "done" is an error naming the unit and the result.
 * *started says whether the manager took the unit (then it is ours to stop,
 * even on error; a refusal such as UnitExists leaves someone else's unit). */
int nook_sd_bus_start_unit(struct nook_sd_bus *bus, const char *unit,
                           const struct nook_sd_props *props, pid_t pid, bool *started,
                           struct nook_error *err);

/* KillUnit(all, SIGKILL), StopUnit(replace), wait for the job, and forget a
 * failed state (ResetFailedUnit) so the name can be used again. 0 when the
 * unit is not loaded. */
int nook_sd_bus_stop_unit(struct nook_sd_bus *bus, const char *unit, struct nook_error *err);

/* SetUnitProperties(unit, runtime, props). */
int nook_sd_bus_set_properties(struct nook_sd_bus *bus, const char *unit,
                               const struct nook_sd_props *props, struct nook_error *err);
