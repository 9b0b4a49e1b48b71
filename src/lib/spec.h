/* spec.h: config.json as typed C structs (OCI runtime-spec 1.2, plus the
 * linux fields later versions added), and the parser that builds them.
 *
 * The parser checks everything that can be checked from the document alone
 * (types, required fields, enumerations, ranges, absolute paths) and names
 * the JSON path of whatever is wrong:
 *     config.json: .linux.namespaces[2].type: unknown namespace type "foo"
 * What needs the host (does the rootfs exist, is a capability known to this
 * kernel, is a controller delegated) is for the rooms that use the spec.
 *
 * Conventions of the model:
 *   - strings are malloc'd char *, NULL when absent;
 *   - string lists are malloc'd NULL-terminated char **, NULL when absent
 *     and an empty vector ({ NULL }) when given as [];
 *   - lists of objects are a pointer plus a count (0 and NULL when absent);
 *   - optional numbers and booleans are nook_opt_* values whose .set says
 *     whether the field was there, so "absent" and 0 never mix;
 *   - enumerations the kernel knows (scheduler policy, ioprio class,
 *     memory policy mode, seccomp flags) carry the kernel's own values;
 *   - JSON null counts as absent, unknown members are ignored. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct nook_opt_bool {
    bool set;
    bool value;
};

struct nook_opt_int {
    bool set;
    int value;
};

struct nook_opt_u16 {
    bool set;
    uint16_t value;
};

struct nook_opt_u32 {
    bool set;
    uint32_t value;
};

struct nook_opt_i64 {
    bool set;
    int64_t value;
};

struct nook_opt_u64 {
    bool set;
    uint64_t value;
};

/* A JSON object of strings, in document order. */
struct nook_spec_kv {
    char *key;
    char *value;
};

struct nook_spec_map {
    struct nook_spec_kv *items;
    size_t count;
};

/* .linux.uidMappings[], .linux.gidMappings[], .mounts[].uidMappings[] */
struct nook_spec_id_mapping {
    uint32_t container_id;
    uint32_t host_id;
    uint32_t size;
};

/* --- root, mounts, hooks ------------------------------------------------ */

struct nook_spec_root {
    char *path;                 /* required; relative to the bundle or absolute */
    bool readonly;
};

struct nook_spec_mount {
    char *destination;          /* required, absolute */
    char *type;
    char *source;
    char **options;
    struct nook_spec_id_mapping *uid_mappings;
    size_t n_uid_mappings;
    struct nook_spec_id_mapping *gid_mappings;
    size_t n_gid_mappings;
};

struct nook_spec_hook {
    char *path;                 /* required, absolute */
    char **args;
    char **env;
    struct nook_opt_int timeout; /* seconds, > 0 when set */
};

struct nook_spec_hook_list {
    struct nook_spec_hook *items;
    size_t count;
};

struct nook_spec_hooks {
    struct nook_spec_hook_list prestart;
    struct nook_spec_hook_list create_runtime;
    struct nook_spec_hook_list create_container;
    struct nook_spec_hook_list start_container;
    struct nook_spec_hook_list poststart;
    struct nook_spec_hook_list poststop;
};

/* --- process ------------------------------------------------------------- */

struct nook_spec_user {
    uint32_t uid;
    uint32_t gid;
    struct nook_opt_u32 umask;
    uint32_t *additional_gids;
    size_t n_additional_gids;
    char *username;             /* Windows only; kept, unused on Linux */
};

struct nook_spec_capabilities {
    char **bounding;            /* "CAP_..." names, as written */
    char **effective;
    char **inheritable;
    char **permitted;
    char **ambient;
};

struct nook_spec_rlimit {
    char *type;                 /* "RLIMIT_NOFILE" */
    int resource;               /* RLIMIT_NOFILE, for setrlimit() */
    uint64_t hard;              /* 18446744073709551615 is RLIM_INFINITY */
    uint64_t soft;
};

/* Kernel values of sched_setattr(2): SCHED_OTHER 0 ... SCHED_DEADLINE 6. */
struct nook_spec_scheduler {
    int policy;
    int32_t nice;
    int32_t priority;
    uint64_t flags;             /* SCHED_FLAG_* bits */
    uint64_t runtime;           /* nanoseconds, SCHED_DEADLINE */
    uint64_t deadline;
    uint64_t period;
};

/* ioprio_set(2): class IOPRIO_CLASS_RT 1, BE 2, IDLE 3; priority 0..7. */
struct nook_spec_io_priority {
    int class;
    int priority;
};

/* CPU lists ("0-3,7"), syntax checked. */
struct nook_spec_cpu_affinity {
    char *initial;
    char *final;
};

struct nook_spec_process {
    bool terminal;
    bool has_console_size;
    uint32_t console_height;
    uint32_t console_width;
    struct nook_spec_user user;
    char **args;                /* non-empty */
    char *command_line;         /* Windows only; kept, unused on Linux */
    char **env;                 /* each "NAME=value" */
    char *cwd;                  /* absolute */
    struct nook_spec_capabilities *capabilities;
    struct nook_spec_rlimit *rlimits;
    size_t n_rlimits;
    bool no_new_privileges;
    char *apparmor_profile;
    struct nook_opt_int oom_score_adj;  /* -1000..1000 */
    struct nook_spec_scheduler *scheduler;
    char *selinux_label;
    struct nook_spec_io_priority *io_priority;
    struct nook_spec_cpu_affinity *exec_cpu_affinity;
};

/* --- linux --------------------------------------------------------------- */

enum nook_ns_type {
    NOOK_NS_PID,
    NOOK_NS_NETWORK,
    NOOK_NS_MOUNT,
    NOOK_NS_IPC,
    NOOK_NS_UTS,
    NOOK_NS_USER,
    NOOK_NS_CGROUP,
    NOOK_NS_TIME,
    NOOK_NS_COUNT,
};

struct nook_spec_namespace {
    enum nook_ns_type type;
    char *path;                 /* absolute; NULL: create a new one */
};

struct nook_spec_time_offset {
    char *clock;                /* "monotonic" or "boottime" */
    struct nook_opt_i64 secs;
    struct nook_opt_u32 nanosecs; /* < 1000000000 */
};

struct nook_spec_device {
    char type;                  /* 'c', 'b', 'u' or 'p' */
    char *path;                 /* absolute */
    int64_t major;              /* required unless type is 'p' */
    int64_t minor;
    struct nook_opt_u32 file_mode;
    struct nook_opt_u32 uid;
    struct nook_opt_u32 gid;
};

/* .linux.resources.devices[]: the device cgroup allow-list. */
struct nook_spec_device_rule {
    bool allow;
    char type;                  /* 'a', 'c' or 'b'; 'a' when absent */
    struct nook_opt_i64 major;  /* absent: all */
    struct nook_opt_i64 minor;
    char *access;               /* letters of "rwm"; NULL when absent */
};

struct nook_spec_memory {
    struct nook_opt_i64 limit;  /* bytes, -1 unlimited */
    struct nook_opt_i64 reservation;
    struct nook_opt_i64 swap;
    struct nook_opt_i64 kernel;
    struct nook_opt_i64 kernel_tcp;
    struct nook_opt_u64 swappiness; /* 0..100 */
    struct nook_opt_bool disable_oom_killer;
    struct nook_opt_bool use_hierarchy;
    struct nook_opt_bool check_before_update;
};

struct nook_spec_cpu {
    struct nook_opt_u64 shares;
    struct nook_opt_i64 quota;
    struct nook_opt_u64 burst;
    struct nook_opt_u64 period;
    struct nook_opt_i64 realtime_runtime;
    struct nook_opt_u64 realtime_period;
    char *cpus;
    char *mems;
    struct nook_opt_i64 idle;
};

struct nook_spec_pids {
    struct nook_opt_i64 limit;  /* <= 0: no limit */
};

struct nook_spec_weight_device {
    int64_t major;
    int64_t minor;
    struct nook_opt_u16 weight;
    struct nook_opt_u16 leaf_weight;
};

struct nook_spec_throttle_device {
    int64_t major;
    int64_t minor;
    uint64_t rate;
};

struct nook_spec_throttle_list {
    struct nook_spec_throttle_device *items;
    size_t count;
};

struct nook_spec_block_io {
    struct nook_opt_u16 weight;
    struct nook_opt_u16 leaf_weight;
    struct nook_spec_weight_device *weight_devices;
    size_t n_weight_devices;
    struct nook_spec_throttle_list throttle_read_bps;
    struct nook_spec_throttle_list throttle_write_bps;
    struct nook_spec_throttle_list throttle_read_iops;
    struct nook_spec_throttle_list throttle_write_iops;
};

struct nook_spec_hugepage_limit {
    char *page_size;            /* "2MB" */
    uint64_t limit;
};

struct nook_spec_net_priority {
    char *name;
    uint32_t priority;
};

struct nook_spec_network {
    struct nook_opt_u32 class_id;
    struct nook_spec_net_priority *priorities;
    size_t n_priorities;
};

struct nook_spec_rdma {
    char *device;               /* the member name */
    struct nook_opt_u32 hca_handles;
    struct nook_opt_u32 hca_objects;
};

struct nook_spec_resources {
    struct nook_spec_device_rule *devices;
    size_t n_devices;
    struct nook_spec_memory *memory;
    struct nook_spec_cpu *cpu;
    struct nook_spec_pids *pids;
    struct nook_spec_block_io *block_io;
    struct nook_spec_hugepage_limit *hugepage_limits;
    size_t n_hugepage_limits;
    struct nook_spec_network *network;
    struct nook_spec_rdma *rdma;
    size_t n_rdma;
    struct nook_spec_map unified;
};

enum nook_seccomp_action {
    NOOK_SECCOMP_KILL,
    NOOK_SECCOMP_KILL_PROCESS,
    NOOK_SECCOMP_KILL_THREAD,
    NOOK_SECCOMP_TRAP,
    NOOK_SECCOMP_ERRNO,
    NOOK_SECCOMP_TRACE,
    NOOK_SECCOMP_ALLOW,
    NOOK_SECCOMP_LOG,
    NOOK_SECCOMP_NOTIFY,
};

enum nook_seccomp_op {
    NOOK_SECCOMP_CMP_NE,
    NOOK_SECCOMP_CMP_LT,
    NOOK_SECCOMP_CMP_LE,
    NOOK_SECCOMP_CMP_EQ,
    NOOK_SECCOMP_CMP_GE,
    NOOK_SECCOMP_CMP_GT,
    NOOK_SECCOMP_CMP_MASKED_EQ,
};

struct nook_spec_seccomp_arg {
    unsigned int index;         /* 0..5 */
    uint64_t value;
    struct nook_opt_u64 value_two;
    enum nook_seccomp_op op;
};

struct nook_spec_syscall {
    char **names;               /* non-empty */
    enum nook_seccomp_action action;
    struct nook_opt_u32 errno_ret; /* only with ERRNO or TRACE */
    struct nook_spec_seccomp_arg *args;
    size_t n_args;
};

struct nook_spec_seccomp {
    enum nook_seccomp_action default_action;
    struct nook_opt_u32 default_errno_ret;
    char **architectures;       /* "SCMP_ARCH_X86_64", checked against libseccomp's list */
    char **flags;               /* "SECCOMP_FILTER_FLAG_LOG", as written */
    unsigned int flag_bits;     /* the same, as SECCOMP_FILTER_FLAG_* bits */
    char *listener_path;
    char *listener_metadata;    /* only with listener_path */
    struct nook_spec_syscall *syscalls;
    size_t n_syscalls;
};

enum nook_personality_domain {
    NOOK_PERSONALITY_LINUX,
    NOOK_PERSONALITY_LINUX32,
};

struct nook_spec_personality {
    enum nook_personality_domain domain;
    char **flags;               /* none are defined: always NULL or empty */
};

struct nook_spec_intel_rdt {
    char *clos_id;
    char *l3_cache_schema;
    char *mem_bw_schema;
    char *schemata;
    bool enable_cmt;
    bool enable_mbm;
};

/* set_mempolicy(2): mode MPOL_DEFAULT 0 ... MPOL_WEIGHTED_INTERLEAVE 6,
 * flags MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES | MPOL_F_NUMA_BALANCING. */
struct nook_spec_memory_policy {
    int mode;
    char *nodes;                /* node list ("0-1,3"); NULL for default/local */
    unsigned int flags;
};

/* .linux.netDevices: host interface → its name inside the container. */
struct nook_spec_net_device {
    char *host_name;
    char *name;                 /* NULL: keep the host name */
};

struct nook_spec_linux {
    struct nook_spec_namespace *namespaces;
    size_t n_namespaces;
    struct nook_spec_id_mapping *uid_mappings;
    size_t n_uid_mappings;
    struct nook_spec_id_mapping *gid_mappings;
    size_t n_gid_mappings;
    struct nook_spec_time_offset *time_offsets;
    size_t n_time_offsets;
    struct nook_spec_device *devices;
    size_t n_devices;
    char *cgroups_path;
    struct nook_spec_resources *resources;
    char *rootfs_propagation;   /* shared, slave, private, unbindable, or r* */
    char **masked_paths;        /* absolute */
    char **readonly_paths;      /* absolute */
    char *mount_label;
    struct nook_spec_map sysctl;
    struct nook_spec_seccomp *seccomp;
    struct nook_spec_personality *personality;
    struct nook_spec_intel_rdt *intel_rdt; /* parsing refuses it; see spec.c */
    struct nook_spec_memory_policy *memory_policy;
    struct nook_spec_net_device *net_devices;
    size_t n_net_devices;
};

/* --- the whole document ---------------------------------------------------- */

struct nook_spec {
    char *oci_version;          /* major 1 */
    struct nook_spec_root *root;
    struct nook_spec_mount *mounts;
    size_t n_mounts;
    struct nook_spec_process *process; /* NULL when absent */
    char *hostname;
    char *domainname;
    struct nook_spec_hooks *hooks;
    struct nook_spec_map annotations;
    struct nook_spec_linux *linux_config; /* NULL when absent */
};

/* Parse a config.json document of len bytes. source names it in errors
 * ("config.json"). On success *out owns a new spec (nook_spec_free()). */
int nook_spec_parse(const char *text, size_t len, const char *source, struct nook_spec **out,
                    struct nook_error *err);

/* Read and parse BUNDLE/config.json; a missing file or bundle says so. */
int nook_spec_load(const char *bundle_dir, struct nook_spec **out, struct nook_error *err);

void nook_spec_free(struct nook_spec *spec);

static inline void nook_spec_freep(struct nook_spec **spec)
{
    nook_spec_free(*spec);
}

/* A process object alone, as `exec --process FILE` takes it: paths in
 * errors start at the document (".args"). */
int nook_spec_parse_process(const char *text, size_t len, const char *source,
                            struct nook_spec_process **out, struct nook_error *err);
/* Read and parse a process.json file (`exec --process FILE`); errors name
 * the file. */
int nook_spec_load_process(const char *path, struct nook_spec_process **out,
                           struct nook_error *err);
void nook_spec_process_free(struct nook_spec_process *process);

static inline void nook_spec_process_freep(struct nook_spec_process **process)
{
    nook_spec_process_free(*process);
}

/* A resources object alone, as `update --resources FILE` takes it. */
int nook_spec_parse_resources(const char *text, size_t len, const char *source,
                              struct nook_spec_resources **out, struct nook_error *err);
void nook_spec_resources_free(struct nook_spec_resources *resources);

static inline void nook_spec_resources_freep(struct nook_spec_resources **resources)
{
    nook_spec_resources_free(*resources);
}

/* Lookups. */
const char *nook_spec_map_get(const struct nook_spec_map *map, const char *key);
const struct nook_spec_namespace *nook_spec_find_namespace(const struct nook_spec *spec,
                                                           enum nook_ns_type type);

/* "pid", "network", ... and the CLONE_NEW* flag of a namespace type. */
const char *nook_ns_type_name(enum nook_ns_type type);
int nook_ns_clone_flag(enum nook_ns_type type);

/* "SCMP_ACT_ERRNO", "SCMP_CMP_EQ": the spellings config.json uses. */
const char *nook_seccomp_action_name(enum nook_seccomp_action action);
const char *nook_seccomp_op_name(enum nook_seccomp_op op);
