/* update.c: `nook update`: its flags (runc's set) and its entry point. */
#include "commands.h"

static const struct nook_option update_options[] = {
    { "resources", 'r', NOOK_OPT_VALUE, "FILE", "read the new resources as JSON from FILE (\"-\" for stdin)" },
    { "blkio-weight", 0, NOOK_OPT_VALUE, "N", "block IO weight (10-1000)" },
    { "cpu-period", 0, NOOK_OPT_VALUE, "USEC", "CPU CFS period" },
    { "cpu-quota", 0, NOOK_OPT_VALUE, "USEC", "CPU CFS quota" },
    { "cpu-share", 0, NOOK_OPT_VALUE, "N", "CPU shares (relative weight)" },
    { "cpu-rt-period", 0, NOOK_OPT_VALUE, "USEC", "CPU realtime period" },
    { "cpu-rt-runtime", 0, NOOK_OPT_VALUE, "USEC", "CPU realtime runtime" },
    { "cpuset-cpus", 0, NOOK_OPT_VALUE, "LIST", "CPUs the container may use (0-3, 0,1)" },
    { "cpuset-mems", 0, NOOK_OPT_VALUE, "LIST", "memory nodes the container may use" },
    { "kernel-memory", 0, NOOK_OPT_VALUE, "BYTES", "kernel memory limit (ignored on cgroup v2)" },
    { "kernel-memory-tcp", 0, NOOK_OPT_VALUE, "BYTES", "kernel TCP buffer limit (ignored on cgroup v2)" },
    { "memory", 0, NOOK_OPT_VALUE, "BYTES", "memory limit" },
    { "memory-reservation", 0, NOOK_OPT_VALUE, "BYTES", "memory soft limit" },
    { "memory-swap", 0, NOOK_OPT_VALUE, "BYTES", "memory plus swap limit" },
    { "pids-limit", 0, NOOK_OPT_VALUE, "N", "maximum number of processes" },
    { "l3-cache-schema", 0, NOOK_OPT_VALUE, "SCHEMA", "Intel RDT L3 cache schema" },
    { "mem-bw-schema", 0, NOOK_OPT_VALUE, "SCHEMA", "Intel RDT memory bandwidth schema" },
    { NULL, 0, NOOK_OPT_BOOL, NULL, NULL },
};

const struct nook_command nook_cmd_update = {
    .name = "update",
    .args_usage = "<container-id>",
    .summary = "change the resource limits of a running container",
    .options = update_options,
    .min_args = 1,
    .max_args = 1,
    .run = nook_cmd_not_available,
};
