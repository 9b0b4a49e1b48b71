/* spec-model.c: the spec model without JSON (see spec-model.h): freeing
 * each section, lookups, and the names of namespaces and seccomp actions
 * and operators. Built into the runtime and into the json-glib module. */
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "spec-model.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/* ---- names ---- */

const char *const spec_ns_names[] = {
    "pid", "network", "mount", "ipc", "uts", "user", "cgroup", "time", NULL,
};

static const int ns_flags[] = {
    CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWNS,     CLONE_NEWIPC,
    CLONE_NEWUTS, CLONE_NEWUSER, CLONE_NEWCGROUP, CLONE_NEWTIME,
};

const char *nook_ns_type_name(enum nook_ns_type type)
{
    return (unsigned)type < NOOK_NS_COUNT ? spec_ns_names[type] : "unknown";
}

int nook_ns_clone_flag(enum nook_ns_type type)
{
    return (unsigned)type < NOOK_NS_COUNT ? ns_flags[type] : 0;
}

const char *const spec_seccomp_action_names[] = {
    "SCMP_ACT_KILL",  "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
    "SCMP_ACT_TRAP",  "SCMP_ACT_ERRNO",        "SCMP_ACT_TRACE",
    "SCMP_ACT_ALLOW", "SCMP_ACT_LOG",          "SCMP_ACT_NOTIFY",
    NULL,
};

const char *const spec_seccomp_op_names[] = {
    "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ",
    "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ", NULL,
};

const char *nook_seccomp_action_name(enum nook_seccomp_action action)
{
    return (unsigned)action <= NOOK_SECCOMP_NOTIFY ? spec_seccomp_action_names[action]
                                                   : "unknown";
}

const char *nook_seccomp_op_name(enum nook_seccomp_op op)
{
    return (unsigned)op <= NOOK_SECCOMP_CMP_MASKED_EQ ? spec_seccomp_op_names[op] : "unknown";
}

/* ---- lookups ---- */

const char *nook_spec_map_get(const struct nook_spec_map *map, const char *key)
{
    for (size_t i = 0; i < map->count; i++)
        if (strcmp(map->items[i].key, key) == 0)
            return map->items[i].value;
    return NULL;
}

const struct nook_spec_namespace *nook_spec_find_namespace(const struct nook_spec *spec,
                                                           enum nook_ns_type type)
{
    const struct nook_spec_linux *lx = spec->linux_config;
    if (!lx)
        return NULL;
    for (size_t i = 0; i < lx->n_namespaces; i++)
        if (lx->namespaces[i].type == type)
            return &lx->namespaces[i];
    return NULL;
}

/* ---- freeing ---- */

void spec_map_clear(struct nook_spec_map *map)
{
    for (size_t i = 0; i < map->count; i++) {
        free(map->items[i].key);
        free(map->items[i].value);
    }
    free(map->items);
    map->items = NULL;
    map->count = 0;
}

void spec_mount_clear(struct nook_spec_mount *mount)
{
    free(mount->destination);
    free(mount->type);
    free(mount->source);
    strv_free(mount->options);
    free(mount->uid_mappings);
    free(mount->gid_mappings);
}

static void list_clear(struct nook_spec_hook_list *list)
{
    for (size_t i = 0; i < list->count; i++) {
        free(list->items[i].path);
        strv_free(list->items[i].args);
        strv_free(list->items[i].env);
    }
    free(list->items);
}

void spec_hooks_free(struct nook_spec_hooks *hooks)
{
    if (!hooks)
        return;
    list_clear(&hooks->prestart);
    list_clear(&hooks->create_runtime);
    list_clear(&hooks->create_container);
    list_clear(&hooks->start_container);
    list_clear(&hooks->poststart);
    list_clear(&hooks->poststop);
    free(hooks);
}

void nook_spec_process_free(struct nook_spec_process *p)
{
    if (!p)
        return;
    free(p->user.additional_gids);
    free(p->user.username);
    strv_free(p->args);
    free(p->command_line);
    strv_free(p->env);
    free(p->cwd);
    if (p->capabilities) {
        strv_free(p->capabilities->bounding);
        strv_free(p->capabilities->effective);
        strv_free(p->capabilities->inheritable);
        strv_free(p->capabilities->permitted);
        strv_free(p->capabilities->ambient);
        free(p->capabilities);
    }
    for (size_t i = 0; i < p->n_rlimits; i++)
        free(p->rlimits[i].type);
    free(p->rlimits);
    free(p->apparmor_profile);
    free(p->scheduler);
    free(p->selinux_label);
    free(p->io_priority);
    if (p->exec_cpu_affinity) {
        free(p->exec_cpu_affinity->initial);
        free(p->exec_cpu_affinity->final);
        free(p->exec_cpu_affinity);
    }
    free(p);
}

void nook_spec_resources_free(struct nook_spec_resources *res)
{
    if (!res)
        return;
    for (size_t i = 0; i < res->n_devices; i++)
        free(res->devices[i].access);
    free(res->devices);
    free(res->memory);
    if (res->cpu) {
        free(res->cpu->cpus);
        free(res->cpu->mems);
    }
    free(res->cpu);
    free(res->pids);
    if (res->block_io) {
        free(res->block_io->weight_devices);
        free(res->block_io->throttle_read_bps.items);
        free(res->block_io->throttle_write_bps.items);
        free(res->block_io->throttle_read_iops.items);
        free(res->block_io->throttle_write_iops.items);
    }
    free(res->block_io);
    for (size_t i = 0; i < res->n_hugepage_limits; i++)
        free(res->hugepage_limits[i].page_size);
    free(res->hugepage_limits);
    if (res->network) {
        for (size_t i = 0; i < res->network->n_priorities; i++)
            free(res->network->priorities[i].name);
        free(res->network->priorities);
    }
    free(res->network);
    for (size_t i = 0; i < res->n_rdma; i++)
        free(res->rdma[i].device);
    free(res->rdma);
    spec_map_clear(&res->unified);
    free(res);
}

void spec_seccomp_free(struct nook_spec_seccomp *sec)
{
    if (!sec)
        return;
    strv_free(sec->architectures);
    strv_free(sec->flags);
    free(sec->listener_path);
    free(sec->listener_metadata);
    for (size_t i = 0; i < sec->n_syscalls; i++) {
        strv_free(sec->syscalls[i].names);
        free(sec->syscalls[i].args);
    }
    free(sec->syscalls);
    free(sec);
}

void spec_linux_free(struct nook_spec_linux *lx)
{
    if (!lx)
        return;
    for (size_t i = 0; i < lx->n_namespaces; i++)
        free(lx->namespaces[i].path);
    free(lx->namespaces);
    free(lx->uid_mappings);
    free(lx->gid_mappings);
    for (size_t i = 0; i < lx->n_time_offsets; i++)
        free(lx->time_offsets[i].clock);
    free(lx->time_offsets);
    for (size_t i = 0; i < lx->n_devices; i++)
        free(lx->devices[i].path);
    free(lx->devices);
    free(lx->cgroups_path);
    nook_spec_resources_free(lx->resources);
    free(lx->rootfs_propagation);
    strv_free(lx->masked_paths);
    strv_free(lx->readonly_paths);
    free(lx->mount_label);
    spec_map_clear(&lx->sysctl);
    spec_seccomp_free(lx->seccomp);
    if (lx->personality)
        strv_free(lx->personality->flags);
    free(lx->personality);
    if (lx->intel_rdt) {
        free(lx->intel_rdt->clos_id);
        free(lx->intel_rdt->l3_cache_schema);
        free(lx->intel_rdt->mem_bw_schema);
        free(lx->intel_rdt->schemata);
    }
    free(lx->intel_rdt);
    if (lx->memory_policy)
        free(lx->memory_policy->nodes);
    free(lx->memory_policy);
    for (size_t i = 0; i < lx->n_net_devices; i++) {
        free(lx->net_devices[i].host_name);
        free(lx->net_devices[i].name);
    }
    free(lx->net_devices);
    free(lx);
}

void nook_spec_free(struct nook_spec *spec)
{
    if (!spec)
        return;
    free(spec->oci_version);
    if (spec->root)
        free(spec->root->path);
    free(spec->root);
    for (size_t i = 0; i < spec->n_mounts; i++)
        spec_mount_clear(&spec->mounts[i]);
    free(spec->mounts);
    nook_spec_process_free(spec->process);
    free(spec->hostname);
    free(spec->domainname);
    spec_hooks_free(spec->hooks);
    spec_map_clear(&spec->annotations);
    spec_linux_free(spec->linux_config);
    free(spec);
}
