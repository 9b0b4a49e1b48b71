/* test-spec.c: the config.json parser against its fixture corpus: a config
 * that sets every field (checked field by field), the default and rootless
 * shapes runc writes, and every broken config in bad/ with the error it
 * must produce (bad/EXPECTED). */
#include <dirent.h>
#include <sched.h>
#include <sys/resource.h>

#include "test-spec-util.h"

#define CHECK_U(t, got, want, what)                                                               \
    do {                                                                                          \
        unsigned long long got_ = (unsigned long long)(got), want_ = (unsigned long long)(want); \
        if (!CHECK((t), got_ == want_, (what)))                                                  \
            printf("#   got:  %llu\n#   want: %llu\n", got_, want_);                             \
    } while (0)

#define CHECK_I(t, got, want, what)                                                               \
    do {                                                                                          \
        long long got_ = (long long)(got), want_ = (long long)(want);                            \
        if (!CHECK((t), got_ == want_, (what)))                                                  \
            printf("#   got:  %lld\n#   want: %lld\n", got_, want_);                             \
    } while (0)

static size_t strv_len(char **v)
{
    size_t n = 0;
    while (v && v[n])
        n++;
    return n;
}

static void check_top_and_mounts(struct tap *t, const struct nook_spec *s)
{
    CHECK_STR(t, s->oci_version, "1.2.0", "ociVersion");
    CHECK(t, s->root != NULL, "root present");
    CHECK_STR(t, s->root->path, "/var/lib/nook/rootfs", "root.path");
    CHECK(t, s->root->readonly, "root.readonly");
    CHECK_STR(t, s->hostname, "box", "hostname");
    CHECK_STR(t, s->domainname, "example.org", "domainname");

    CHECK_U(t, s->n_mounts, 2, "two mounts");
    const struct nook_spec_mount *m0 = &s->mounts[0], *m1 = &s->mounts[1];
    CHECK_STR(t, m0->destination, "/proc", "mounts[0].destination");
    CHECK_STR(t, m0->type, "proc", "mounts[0].type");
    CHECK_STR(t, m0->source, "proc", "mounts[0].source");
    CHECK(t, m0->options == NULL, "mounts[0].options absent is NULL");
    CHECK(t, m0->n_uid_mappings == 0 && m0->uid_mappings == NULL, "mounts[0] no uidMappings");
    CHECK_STR(t, m1->destination, "/data", "mounts[1].destination");
    CHECK_U(t, strv_len(m1->options), 3, "mounts[1].options count");
    CHECK_STR(t, m1->options[2], "idmap", "mounts[1].options[2]");
    CHECK_U(t, m1->n_uid_mappings, 1, "mounts[1].uidMappings count");
    CHECK_U(t, m1->uid_mappings[0].host_id, 100000, "mounts[1].uidMappings[0].hostID");
    CHECK_U(t, m1->uid_mappings[0].size, 65536, "mounts[1].uidMappings[0].size");
    CHECK_U(t, m1->n_gid_mappings, 1, "mounts[1].gidMappings count");
    CHECK_U(t, m1->gid_mappings[0].host_id, 200000, "mounts[1].gidMappings[0].hostID");
    CHECK_U(t, m1->gid_mappings[0].size, 1000, "mounts[1].gidMappings[0].size");

    CHECK_U(t, s->annotations.count, 3, "annotations count");
    CHECK_STR(t, s->annotations.items[0].key, "org.example.z", "annotations keep document order");
    CHECK_STR(t, s->annotations.items[1].key, "org.example.a", "annotations[1] key");
    CHECK_STR(t, nook_spec_map_get(&s->annotations, "org.example.a"), "first-letter",
              "annotation lookup");
    CHECK_STR(t, nook_spec_map_get(&s->annotations, "empty"), "", "empty annotation value");
    CHECK(t, nook_spec_map_get(&s->annotations, "missing") == NULL, "missing annotation is NULL");
}

static void check_process(struct tap *t, const struct nook_spec_process *p)
{
    CHECK(t, p != NULL, "process present");
    CHECK(t, p->terminal, "process.terminal");
    CHECK(t, p->has_console_size, "consoleSize present");
    CHECK_U(t, p->console_height, 25, "consoleSize.height");
    CHECK_U(t, p->console_width, 80, "consoleSize.width");
    CHECK_U(t, p->user.uid, 1000, "user.uid");
    CHECK_U(t, p->user.gid, 1001, "user.gid");
    CHECK(t, p->user.umask.set, "user.umask set");
    CHECK_U(t, p->user.umask.value, 022, "user.umask");
    CHECK_U(t, p->user.n_additional_gids, 3, "additionalGids count");
    CHECK_U(t, p->user.additional_gids[2], 4294967295u, "additionalGids keep the full uint32 range");
    CHECK_STR(t, p->user.username, "alice", "user.username");
    CHECK_U(t, strv_len(p->args), 3, "args count");
    CHECK_STR(t, p->args[2], "echo hello", "args[2]");
    CHECK_STR(t, p->command_line, "cmd.exe /c echo", "commandLine");
    CHECK_U(t, strv_len(p->env), 3, "env count");
    CHECK_STR(t, p->env[1], "EMPTY=", "env entry with an empty value");
    CHECK_STR(t, p->cwd, "/home/alice", "cwd");

    const struct nook_spec_capabilities *c = p->capabilities;
    CHECK(t, c != NULL, "capabilities present");
    CHECK_U(t, strv_len(c->bounding), 2, "capabilities.bounding");
    CHECK_STR(t, c->effective[0], "CAP_KILL", "capabilities.effective");
    CHECK(t, c->inheritable != NULL && c->inheritable[0] == NULL,
          "capabilities.inheritable: [] is an empty vector, not NULL");
    CHECK_U(t, strv_len(c->permitted), 2, "capabilities.permitted");
    CHECK_STR(t, c->ambient[0], "CAP_NET_BIND_SERVICE", "capabilities.ambient");

    CHECK_U(t, p->n_rlimits, 2, "rlimits count");
    CHECK_STR(t, p->rlimits[0].type, "RLIMIT_NOFILE", "rlimits[0].type");
    CHECK_I(t, p->rlimits[0].resource, RLIMIT_NOFILE, "rlimits[0] resource number");
    CHECK_U(t, p->rlimits[0].hard, 4096, "rlimits[0].hard");
    CHECK_U(t, p->rlimits[0].soft, 1024, "rlimits[0].soft");
    CHECK_I(t, p->rlimits[1].resource, RLIMIT_CORE, "rlimits[1] resource number");
    CHECK_U(t, p->rlimits[1].hard, UINT64_MAX, "rlimit hard 18446744073709551615 kept");
    CHECK(t, p->no_new_privileges, "noNewPrivileges");
    CHECK_STR(t, p->apparmor_profile, "nook-default", "apparmorProfile");
    CHECK(t, p->oom_score_adj.set, "oomScoreAdj set");
    CHECK_I(t, p->oom_score_adj.value, -500, "oomScoreAdj");

    const struct nook_spec_scheduler *sc = p->scheduler;
    CHECK(t, sc != NULL, "scheduler present");
    CHECK_I(t, sc->policy, 6, "scheduler.policy is SCHED_DEADLINE's number");
    CHECK_I(t, sc->nice, -5, "scheduler.nice");
    CHECK_I(t, sc->priority, 0, "scheduler.priority");
    CHECK_U(t, sc->flags, 0x01 | 0x40, "scheduler.flags as SCHED_FLAG_* bits");
    CHECK_U(t, sc->runtime, 10000000, "scheduler.runtime");
    CHECK_U(t, sc->deadline, 30000000, "scheduler.deadline");
    CHECK_U(t, sc->period, 9223372036854775808ull, "scheduler.period above INT64_MAX");
    CHECK_STR(t, p->selinux_label, "system_u:system_r:container_t:s0", "selinuxLabel");
    CHECK(t, p->io_priority != NULL, "ioPriority present");
    CHECK_I(t, p->io_priority->class, 2, "ioPriority.class is IOPRIO_CLASS_BE");
    CHECK_I(t, p->io_priority->priority, 6, "ioPriority.priority");
    CHECK(t, p->exec_cpu_affinity != NULL, "execCPUAffinity present");
    CHECK_STR(t, p->exec_cpu_affinity->initial, "0-3,7", "execCPUAffinity.initial");
    CHECK_STR(t, p->exec_cpu_affinity->final, "5", "execCPUAffinity.final");
}

static void check_hooks(struct tap *t, const struct nook_spec_hooks *h)
{
    CHECK(t, h != NULL, "hooks present");
    CHECK_U(t, h->prestart.count, 1, "hooks.prestart");
    CHECK_STR(t, h->prestart.items[0].path, "/usr/bin/old-hook", "prestart[0].path");
    CHECK(t, !h->prestart.items[0].timeout.set, "prestart[0].timeout absent");
    CHECK_U(t, h->create_runtime.count, 2, "hooks.createRuntime");
    const struct nook_spec_hook *cr = &h->create_runtime.items[0];
    CHECK_STR(t, cr->args[1], "--up", "createRuntime[0].args");
    CHECK_STR(t, cr->env[0], "A=1", "createRuntime[0].env");
    CHECK(t, cr->timeout.set && cr->timeout.value == 5, "createRuntime[0].timeout");
    CHECK_U(t, h->create_container.count, 1, "hooks.createContainer");
    CHECK_U(t, h->start_container.count, 1, "hooks.startContainer");
    CHECK_I(t, h->start_container.items[0].timeout.value, 1, "startContainer[0].timeout");
    CHECK_U(t, h->poststart.count, 1, "hooks.poststart");
    CHECK_U(t, h->poststop.count, 1, "hooks.poststop");
    CHECK_STR(t, h->poststop.items[0].path, "/bin/cleanup", "poststop[0].path");
}

static void check_linux(struct tap *t, const struct nook_spec *s)
{
    const struct nook_spec_linux *lx = s->linux_config;
    CHECK(t, lx != NULL, "linux present");
    CHECK_U(t, lx->n_namespaces, 8, "all eight namespace types");
    CHECK_I(t, lx->namespaces[7].type, NOOK_NS_TIME, "namespaces[7] is time");
    const struct nook_spec_namespace *net = nook_spec_find_namespace(s, NOOK_NS_NETWORK);
    CHECK(t, net != NULL, "network namespace found");
    CHECK_STR(t, net ? net->path : NULL, "/run/netns/blue", "namespace path");
    CHECK(t, nook_spec_find_namespace(s, NOOK_NS_PID)->path == NULL, "pid namespace has no path");
    CHECK_U(t, lx->n_uid_mappings, 2, "uidMappings count");
    CHECK_U(t, lx->uid_mappings[1].container_id, 1, "uidMappings[1].containerID");
    CHECK_U(t, lx->uid_mappings[1].host_id, 100000, "uidMappings[1].hostID");
    CHECK_U(t, lx->uid_mappings[1].size, 65536, "uidMappings[1].size");
    CHECK_U(t, lx->n_gid_mappings, 1, "gidMappings count");

    CHECK_U(t, lx->n_time_offsets, 2, "timeOffsets count");
    CHECK_STR(t, lx->time_offsets[0].clock, "monotonic", "timeOffsets[0] clock");
    CHECK_I(t, lx->time_offsets[0].secs.value, -86400, "timeOffsets monotonic secs");
    CHECK_U(t, lx->time_offsets[0].nanosecs.value, 500, "timeOffsets monotonic nanosecs");
    CHECK_I(t, lx->time_offsets[1].secs.value, 1000000000000ll, "timeOffsets boottime secs (64-bit)");
    CHECK(t, !lx->time_offsets[1].nanosecs.set, "timeOffsets boottime nanosecs absent");

    CHECK_U(t, lx->n_devices, 3, "devices count");
    const struct nook_spec_device *d0 = &lx->devices[0];
    CHECK(t, d0->type == 'c', "devices[0].type");
    CHECK_STR(t, d0->path, "/dev/fuse", "devices[0].path");
    CHECK_I(t, d0->major, 10, "devices[0].major");
    CHECK_I(t, d0->minor, 229, "devices[0].minor");
    CHECK(t, d0->file_mode.set && d0->file_mode.value == 438, "devices[0].fileMode");
    CHECK(t, d0->uid.set && d0->uid.value == 0, "devices[0].uid 0 is set, not absent");
    CHECK(t, d0->gid.set, "devices[0].gid set");
    CHECK(t, !lx->devices[1].file_mode.set && !lx->devices[1].uid.set, "devices[1] optional fields absent");
    CHECK(t, lx->devices[2].type == 'p', "devices[2] is a fifo without numbers");
    CHECK_STR(t, lx->cgroups_path, "/nook/box", "cgroupsPath");
    CHECK_STR(t, lx->rootfs_propagation, "rslave", "rootfsPropagation");
    CHECK_U(t, strv_len(lx->masked_paths), 2, "maskedPaths");
    CHECK_STR(t, lx->readonly_paths[0], "/proc/sys", "readonlyPaths");
    CHECK_STR(t, lx->mount_label, "system_u:object_r:container_file_t:s0:c1,c2", "mountLabel");
    CHECK_U(t, lx->sysctl.count, 2, "sysctl count");
    CHECK_STR(t, nook_spec_map_get(&lx->sysctl, "kernel.shm_rmid_forced"), "1", "sysctl value");
    CHECK(t, lx->personality && lx->personality->domain == NOOK_PERSONALITY_LINUX32,
          "personality.domain");
    CHECK(t, lx->personality->flags && !lx->personality->flags[0], "personality.flags empty");
    CHECK(t, lx->intel_rdt == NULL, "no intelRdt");
    const struct nook_spec_memory_policy *mp = lx->memory_policy;
    CHECK(t, mp != NULL, "memoryPolicy present");
    CHECK_I(t, mp->mode, 3, "memoryPolicy.mode is MPOL_INTERLEAVE's number");
    CHECK_STR(t, mp->nodes, "0-1,3", "memoryPolicy.nodes");
    CHECK_U(t, mp->flags, 1u << 15, "memoryPolicy.flags MPOL_F_STATIC_NODES");
    CHECK_U(t, lx->n_net_devices, 2, "netDevices count");
    CHECK_STR(t, lx->net_devices[0].host_name, "eth1", "netDevices[0] host name");
    CHECK_STR(t, lx->net_devices[0].name, "ctr1", "netDevices[0] name");
    CHECK(t, lx->net_devices[1].name == NULL, "netDevices[1] keeps its name");
}

static void check_resources(struct tap *t, const struct nook_spec_resources *r)
{
    CHECK(t, r != NULL, "resources present");
    CHECK_U(t, r->n_devices, 3, "resources.devices count");
    CHECK(t, !r->devices[0].allow && r->devices[0].type == 'a', "devices[0]: deny all, type a by default");
    CHECK(t, !r->devices[0].major.set && !r->devices[0].minor.set, "devices[0] numbers absent");
    CHECK_STR(t, r->devices[0].access, "rwm", "devices[0].access");
    CHECK(t, r->devices[1].allow && r->devices[1].type == 'c', "devices[1] allow c");
    CHECK(t, r->devices[1].major.set && r->devices[1].major.value == 10, "devices[1].major");
    CHECK(t, r->devices[2].major.set && !r->devices[2].minor.set, "devices[2] minor absent");

    const struct nook_spec_memory *m = r->memory;
    CHECK(t, m != NULL, "memory present");
    CHECK_I(t, m->limit.value, INT64_MAX, "memory.limit keeps 64 bits");
    CHECK_I(t, m->reservation.value, 268435456, "memory.reservation");
    CHECK(t, m->swap.set && m->swap.value == -1, "memory.swap -1 (unlimited)");
    CHECK(t, m->kernel.set && m->kernel.value == -1, "memory.kernel");
    CHECK(t, m->kernel_tcp.set && m->kernel_tcp.value == 0, "memory.kernelTCP 0 is set");
    CHECK(t, m->swappiness.set && m->swappiness.value == 0, "memory.swappiness 0 is set");
    CHECK(t, m->disable_oom_killer.set && !m->disable_oom_killer.value, "memory.disableOOMKiller false is set");
    CHECK(t, m->use_hierarchy.set && m->use_hierarchy.value, "memory.useHierarchy");
    CHECK(t, m->check_before_update.set && m->check_before_update.value, "memory.checkBeforeUpdate");

    const struct nook_spec_cpu *c = r->cpu;
    CHECK(t, c != NULL, "cpu present");
    CHECK_U(t, c->shares.value, 1024, "cpu.shares");
    CHECK_I(t, c->quota.value, 100000, "cpu.quota");
    CHECK_U(t, c->burst.value, 50000, "cpu.burst");
    CHECK_U(t, c->period.value, 200000, "cpu.period");
    CHECK_I(t, c->realtime_runtime.value, 950000, "cpu.realtimeRuntime");
    CHECK_U(t, c->realtime_period.value, 1000000, "cpu.realtimePeriod");
    CHECK_STR(t, c->cpus, "2-3", "cpu.cpus");
    CHECK_STR(t, c->mems, "0-7", "cpu.mems");
    CHECK(t, c->idle.set && c->idle.value == 1, "cpu.idle");
    CHECK(t, r->pids && r->pids->limit.set && r->pids->limit.value == 32771, "pids.limit");

    const struct nook_spec_block_io *b = r->block_io;
    CHECK(t, b != NULL, "blockIO present");
    CHECK_U(t, b->weight.value, 10, "blockIO.weight");
    CHECK_U(t, b->leaf_weight.value, 20, "blockIO.leafWeight");
    CHECK_U(t, b->n_weight_devices, 2, "weightDevice count");
    CHECK_U(t, b->weight_devices[0].leaf_weight.value, 300, "weightDevice[0].leafWeight");
    CHECK(t, b->weight_devices[1].weight.value == 65535 && !b->weight_devices[1].leaf_weight.set,
          "weightDevice[1]: weight 65535, no leafWeight");
    CHECK_U(t, b->throttle_read_bps.items[0].rate, 600, "throttleReadBpsDevice rate");
    CHECK_U(t, b->throttle_write_bps.items[0].rate, UINT64_MAX, "throttleWriteBpsDevice full uint64");
    CHECK_I(t, b->throttle_read_iops.items[0].minor, 2, "throttleReadIOPSDevice minor");
    CHECK_U(t, b->throttle_write_iops.items[0].rate, 301, "throttleWriteIOPSDevice rate");

    CHECK_U(t, r->n_hugepage_limits, 2, "hugepageLimits count");
    CHECK_STR(t, r->hugepage_limits[1].page_size, "64KB", "hugepageLimits[1].pageSize");
    CHECK_U(t, r->hugepage_limits[0].limit, 209715200, "hugepageLimits[0].limit");
    CHECK(t, r->network && r->network->class_id.value == 1048577, "network.classID");
    CHECK_U(t, r->network->n_priorities, 2, "network.priorities count");
    CHECK_STR(t, r->network->priorities[1].name, "eth1", "network.priorities[1].name");
    CHECK_U(t, r->network->priorities[1].priority, 1000, "network.priorities[1].priority");
    CHECK_U(t, r->n_rdma, 2, "rdma count");
    CHECK_STR(t, r->rdma[1].device, "mlx4_0", "rdma device name");
    CHECK(t, !r->rdma[1].hca_handles.set && r->rdma[1].hca_objects.value == 1000, "rdma[1] values");
    CHECK_U(t, r->unified.count, 2, "unified count");
    CHECK_STR(t, nook_spec_map_get(&r->unified, "memory.high"), "1073741824", "unified value");
}

static void check_seccomp(struct tap *t, const struct nook_spec_seccomp *sec)
{
    CHECK(t, sec != NULL, "seccomp present");
    CHECK_I(t, sec->default_action, NOOK_SECCOMP_ERRNO, "seccomp.defaultAction");
    CHECK(t, sec->default_errno_ret.set && sec->default_errno_ret.value == 38, "seccomp.defaultErrnoRet");
    CHECK_U(t, strv_len(sec->architectures), 3, "seccomp.architectures");
    CHECK_U(t, sec->flag_bits, 2 | 4, "seccomp.flags as SECCOMP_FILTER_FLAG_* bits");
    CHECK_STR(t, sec->flags[0], "SECCOMP_FILTER_FLAG_LOG", "seccomp.flags names kept");
    CHECK_STR(t, sec->listener_path, "/run/agent.sock", "seccomp.listenerPath");
    CHECK_STR(t, sec->listener_metadata, "MKNOD=/dev/null", "seccomp.listenerMetadata");
    CHECK_U(t, sec->n_syscalls, 6, "seccomp.syscalls count");
    CHECK_U(t, strv_len(sec->syscalls[0].names), 3, "syscalls[0].names");
    CHECK_I(t, sec->syscalls[0].action, NOOK_SECCOMP_ALLOW, "syscalls[0].action");
    CHECK(t, !sec->syscalls[0].errno_ret.set && sec->syscalls[0].n_args == 0, "syscalls[0] no errno, no args");
    const struct nook_spec_seccomp_arg *a1 = &sec->syscalls[1].args[0];
    CHECK_U(t, a1->value, 4294967295u, "syscalls[1].args[0].value");
    CHECK_I(t, a1->op, NOOK_SECCOMP_CMP_EQ, "syscalls[1].args[0].op");
    CHECK(t, !a1->value_two.set, "syscalls[1].args[0].valueTwo absent");
    const struct nook_spec_seccomp_arg *a2 = &sec->syscalls[2].args[0];
    CHECK_U(t, a2->index, 5, "syscalls[2].args[0].index");
    CHECK(t, a2->value_two.set && a2->value_two.value == 0, "valueTwo 0 is set, not absent");
    CHECK_I(t, a2->op, NOOK_SECCOMP_CMP_MASKED_EQ, "syscalls[2].args[0].op");
    CHECK(t, sec->syscalls[3].errno_ret.set && sec->syscalls[3].errno_ret.value == 1, "syscalls[3].errnoRet");
    CHECK_I(t, sec->syscalls[4].action, NOOK_SECCOMP_NOTIFY, "syscalls[4].action");
    CHECK_I(t, sec->syscalls[5].action, NOOK_SECCOMP_KILL_PROCESS, "syscalls[5].action");
}

static void test_full(struct tap *t)
{
    size_t len;
    char *text = read_fixture("good/full.json", &len);
    struct nook_error err = { 0 };
    _cleanup_(nook_spec_freep) struct nook_spec *s = NULL;
    int r = text ? nook_spec_parse(text, len, "config.json", &s, &err) : -EIO;
    free(text);
    if (!CHECK(t, r == 0 && s, "good/full.json parses")) {
        printf("# %s\n", err.message);
        return;
    }
    check_top_and_mounts(t, s);
    check_process(t, s->process);
    check_hooks(t, s->hooks);
    check_linux(t, s);
    check_resources(t, s->linux_config->resources);
    check_seccomp(t, s->linux_config->seccomp);
}

static void test_runc_shapes(struct tap *t)
{
    size_t len;
    struct nook_error err = { 0 };
    char *text = read_fixture("good/runc-default.json", &len);
    _cleanup_(nook_spec_freep) struct nook_spec *d = NULL;
    int r = text ? nook_spec_parse(text, len, "config.json", &d, &err) : -EIO;
    free(text);
    if (CHECK(t, r == 0, "runc's default spec parses")) {
        CHECK_STR(t, d->root->path, "rootfs", "default: relative root.path kept");
        CHECK_STR(t, d->process->args[0], "sh", "default: args");
        CHECK_U(t, d->n_mounts, 7, "default: seven mounts");
        CHECK_STR(t, d->mounts[6].destination, "/sys/fs/cgroup", "default: cgroup mount last");
        CHECK_U(t, d->linux_config->n_namespaces, 6, "default: six namespaces");
        CHECK(t, nook_spec_find_namespace(d, NOOK_NS_USER) == NULL, "default: no user namespace");
        CHECK_U(t, d->linux_config->resources->n_devices, 1, "default: one device rule");
        CHECK_U(t, strv_len(d->linux_config->masked_paths), 10, "default: masked paths");
    } else {
        printf("# %s\n", err.message);
    }

    text = read_fixture("good/runc-rootless.json", &len);
    _cleanup_(nook_spec_freep) struct nook_spec *rl = NULL;
    r = text ? nook_spec_parse(text, len, "config.json", &rl, &err) : -EIO;
    free(text);
    if (CHECK(t, r == 0, "runc's rootless spec parses")) {
        CHECK(t, nook_spec_find_namespace(rl, NOOK_NS_USER) != NULL, "rootless: user namespace");
        CHECK(t, nook_spec_find_namespace(rl, NOOK_NS_NETWORK) == NULL, "rootless: no network namespace");
        CHECK_U(t, rl->linux_config->n_uid_mappings, 1, "rootless: one uid mapping");
        CHECK(t, rl->linux_config->resources == NULL, "rootless: no resources");
        CHECK_STR(t, rl->mounts[5].type, "none", "rootless: /sys is a bind mount");
        CHECK_STR(t, rl->mounts[5].options[0], "rbind", "rootless: /sys rbind");
    } else {
        printf("# %s\n", err.message);
    }
}

/* Every file in bad/ must be listed in EXPECTED and fail with its message. */
static void test_bad_corpus(struct tap *t)
{
    size_t len;
    char *expected = read_fixture("bad/EXPECTED", &len);
    if (!CHECK(t, expected != NULL, "bad/EXPECTED readable"))
        return;

    int cases = 0;
    char *save = NULL;
    for (char *line = strtok_r(expected, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (line[0] == '#' || line[0] == '\0')
            continue;
        char *tab = strchr(line, '\t');
        if (!CHECK(t, tab != NULL, "EXPECTED line has a tab")) {
            printf("# line: %s\n", line);
            continue;
        }
        *tab = '\0';
        const char *file = line, *want = tab + 1;
        char rel[512];
        snprintf(rel, sizeof(rel), "bad/%s", file);
        size_t n;
        char *text = read_fixture(rel, &n);
        struct nook_error err = { 0 };
        struct nook_spec *s = (struct nook_spec *)(uintptr_t)1;   /* must stay untouched */
        int r = text ? nook_spec_parse(text, n, "config.json", &s, &err) : 0;
        free(text);
        char what[600];
        snprintf(what, sizeof(what), "%s is refused", file);
        CHECK(t, r == -EINVAL && s == (struct nook_spec *)(uintptr_t)1, what);
        snprintf(what, sizeof(what), "%s: error names the problem", file);
        CHECK_ERR(t, &err, want, what);
        snprintf(what, sizeof(what), "%s: error is one line", file);
        CHECK(t, strchr(err.message, '\n') == NULL, what);
        cases++;
    }
    CHECK(t, cases >= 30, "at least 30 broken configs");

    /* No orphans: a file without an expectation tests nothing. */
    char *dir_path = fixture_path("bad");
    DIR *dir = dir_path ? opendir(dir_path) : NULL;
    int files = 0;
    for (struct dirent *e; dir && (e = readdir(dir));) {
        size_t l = strlen(e->d_name);
        if (l > 5 && strcmp(e->d_name + l - 5, ".json") == 0)
            files++;
    }
    if (dir)
        closedir(dir);
    free(dir_path);
    CHECK_I(t, files, cases, "every bad/*.json is listed in EXPECTED");
    free(expected);
}

int main(void)
{
    struct tap t = { 0 };
    test_full(&t);
    test_runc_shapes(&t);
    test_bad_corpus(&t);
    return tap_done(&t);
}
