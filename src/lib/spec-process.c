/* spec-process.c: .process (and a process.json on its own, for `exec
 * --process`): user, args, env, cwd, capabilities, rlimits, scheduler, I/O
 * priority, CPU affinity and the small fields around them. */
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "spec-internal.h"

static const struct {
    const char *name;
    int resource;
} rlimit_types[] = {
    { "RLIMIT_AS", RLIMIT_AS },           { "RLIMIT_CORE", RLIMIT_CORE },
    { "RLIMIT_CPU", RLIMIT_CPU },         { "RLIMIT_DATA", RLIMIT_DATA },
    { "RLIMIT_FSIZE", RLIMIT_FSIZE },     { "RLIMIT_LOCKS", RLIMIT_LOCKS },
    { "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK }, { "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE },
    { "RLIMIT_NICE", RLIMIT_NICE },       { "RLIMIT_NOFILE", RLIMIT_NOFILE },
    { "RLIMIT_NPROC", RLIMIT_NPROC },     { "RLIMIT_RSS", RLIMIT_RSS },
    { "RLIMIT_RTPRIO", RLIMIT_RTPRIO },   { "RLIMIT_RTTIME", RLIMIT_RTTIME },
    { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING }, { "RLIMIT_STACK", RLIMIT_STACK },
};

/* Indexed by the kernel's policy number (SCHED_ISO is reserved but named
 * by the spec; the kernel refuses it, so does the init core). */
static const char *const sched_policies[] = {
    "SCHED_OTHER", "SCHED_FIFO", "SCHED_RR", "SCHED_BATCH",
    "SCHED_ISO",   "SCHED_IDLE", "SCHED_DEADLINE", NULL,
};
#define SCHED_FIFO_VALUE 1
#define SCHED_RR_VALUE 2

/* Bit i is SCHED_FLAG_* = 1 << i. */
static const char *const sched_flags[] = {
    "SCHED_FLAG_RESET_ON_FORK",  "SCHED_FLAG_RECLAIM",     "SCHED_FLAG_DL_OVERRUN",
    "SCHED_FLAG_KEEP_POLICY",    "SCHED_FLAG_KEEP_PARAMS", "SCHED_FLAG_UTIL_CLAMP_MIN",
    "SCHED_FLAG_UTIL_CLAMP_MAX", NULL,
};

/* Indexed by the kernel's IOPRIO_CLASS_* minus one. */
static const char *const ioprio_classes[] = {
    "IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE", NULL,
};

static int parse_console_size(struct spec_ctx *ctx, JsonObject *obj, struct nook_spec_process *p)
{
    JsonObject *box;
    int r = spec_get_object(ctx, obj, "consoleSize", &box);
    if (r < 0 || !box)
        return r;
    size_t saved = spec_path_push_key(ctx, "consoleSize");
    r = spec_need_u32(ctx, box, "height", &p->console_height);
    if (r >= 0)
        r = spec_need_u32(ctx, box, "width", &p->console_width);
    spec_path_pop(ctx, saved);
    p->has_console_size = r >= 0;
    return r;
}

static int parse_user(struct spec_ctx *ctx, JsonObject *obj, struct nook_spec_user *user)
{
    struct nook_opt_u32 uid = { 0 }, gid = { 0 };
    int r = spec_get_u32(ctx, obj, "uid", &uid);
    if (r >= 0)
        r = spec_get_u32(ctx, obj, "gid", &gid);
    if (r >= 0)
        r = spec_get_u32(ctx, obj, "umask", &user->umask);
    if (r >= 0 && user->umask.set && user->umask.value > 0777)
        r = spec_fail_at(ctx, "umask", "must be at most 0777 (511), not %u", user->umask.value);
    if (r >= 0)
        r = spec_get_u32_array(ctx, obj, "additionalGids", &user->additional_gids,
                               &user->n_additional_gids);
    if (r >= 0)
        r = spec_get_string(ctx, obj, "username", &user->username);
    user->uid = uid.value;
    user->gid = gid.value;
    return r;
}

static int parse_args(struct spec_ctx *ctx, JsonObject *obj, struct nook_spec_process *p)
{
    JsonNode *node = spec_member(obj, "args");
    if (!node || !JSON_NODE_HOLDS_ARRAY(node) || json_array_get_length(json_node_get_array(node)) == 0)
        return spec_fail_at(ctx, "args", "must be a non-empty array of strings");
    int r = spec_get_strv(ctx, obj, "args", &p->args);
    if (r >= 0 && p->args[0][0] == '\0')
        r = spec_fail_at(ctx, "args", "the program (args[0]) must not be empty");
    return r;
}

static int check_env(struct spec_ctx *ctx, char **env)
{
    for (size_t i = 0; env && env[i]; i++) {
        const char *eq = strchr(env[i], '=');
        if (!eq || eq == env[i]) {
            size_t saved = spec_path_push_key(ctx, "env");
            spec_path_push_index(ctx, i);
            int r = spec_fail(ctx, "\"%s\" is not of the form NAME=value", env[i]);
            spec_path_pop(ctx, saved);
            return r;
        }
    }
    return 0;
}

static int parse_cwd(struct spec_ctx *ctx, JsonObject *obj, struct nook_spec_process *p)
{
    int r = spec_need_string(ctx, obj, "cwd", &p->cwd);
    if (r >= 0 && !spec_is_absolute(p->cwd))
        r = spec_fail_at(ctx, "cwd", "must be an absolute path, not \"%s\"", p->cwd);
    return r;
}

static int parse_capabilities(struct spec_ctx *ctx, JsonObject *obj, struct nook_spec_process *p)
{
    JsonObject *caps_obj;
    int r = spec_get_object(ctx, obj, "capabilities", &caps_obj);
    if (r < 0 || !caps_obj)
        return r;
    struct nook_spec_capabilities *caps = spec_new(ctx, sizeof(*caps), &p->capabilities);
    if (!caps)
        return -ENOMEM;
    size_t saved = spec_path_push_key(ctx, "capabilities");
    r = spec_get_strv(ctx, caps_obj, "bounding", &caps->bounding);
    if (r >= 0)
        r = spec_get_strv(ctx, caps_obj, "effective", &caps->effective);
    if (r >= 0)
        r = spec_get_strv(ctx, caps_obj, "inheritable", &caps->inheritable);
    if (r >= 0)
        r = spec_get_strv(ctx, caps_obj, "permitted", &caps->permitted);
    if (r >= 0)
        r = spec_get_strv(ctx, caps_obj, "ambient", &caps->ambient);
    spec_path_pop(ctx, saved);
    return r;
}

static int parse_rlimit(struct spec_ctx *ctx, JsonObject *obj, void *item)
{
    struct nook_spec_rlimit *rl = item;
    int r = spec_need_string(ctx, obj, "type", &rl->type);
    if (r < 0)
        return r;
    size_t i = 0;
    while (i < N_ELEMENTS(rlimit_types) && strcmp(rlimit_types[i].name, rl->type) != 0)
        i++;
    if (i == N_ELEMENTS(rlimit_types))
        return spec_fail_at(ctx, "type", "unknown rlimit type \"%s\" (expected RLIMIT_NOFILE, "
                            "RLIMIT_NPROC, ... as in getrlimit(2))", rl->type);
    rl->resource = rlimit_types[i].resource;

    r = spec_need_u64(ctx, obj, "hard", &rl->hard);
    if (r >= 0)
        r = spec_need_u64(ctx, obj, "soft", &rl->soft);
    if (r >= 0 && rl->soft > rl->hard)
        r = spec_fail_at(ctx, "soft", "%llu is above the hard limit %llu",
                         (unsigned long long)rl->soft, (unsigned long long)rl->hard);
    return r;
}

static int parse_rlimits(struct spec_ctx *ctx, JsonObject *obj, struct nook_spec_process *p)
{
    int r = spec_get_object_array(ctx, obj, "rlimits", sizeof(*p->rlimits), (void **)&p->rlimits,
                                  &p->n_rlimits, parse_rlimit);
    if (r < 0)
        return r;
    for (size_t i = 1; i < p->n_rlimits; i++)
        for (size_t j = 0; j < i; j++)
            if (p->rlimits[i].resource == p->rlimits[j].resource) {
                size_t saved = spec_path_push_key(ctx, "rlimits");
                spec_path_push_index(ctx, i);
                r = spec_fail_at(ctx, "type", "duplicate rlimit type \"%s\" (also at [%zu])",
                                 p->rlimits[i].type, j);
                spec_path_pop(ctx, saved);
                return r;
            }
    return 0;
}

static int parse_scheduler_fields(struct spec_ctx *ctx, JsonObject *obj,
                                  struct nook_spec_scheduler *s)
{
    _cleanup_free_ char *policy = NULL;
    _cleanup_strv_ char **flags = NULL;
    struct nook_opt_int nice = { 0 }, priority = { 0 };
    struct nook_opt_u64 runtime = { 0 }, deadline = { 0 }, period = { 0 };

    int r = spec_need_string(ctx, obj, "policy", &policy);
    if (r < 0)
        return r;
    s->policy = spec_lookup(sched_policies, policy);
    if (s->policy < 0)
        return spec_fail_at(ctx, "policy", "unknown scheduler policy \"%s\" (expected SCHED_OTHER, "
                            "SCHED_FIFO, SCHED_RR, SCHED_BATCH, SCHED_ISO, SCHED_IDLE or "
                            "SCHED_DEADLINE)", policy);

    r = spec_get_int32(ctx, obj, "nice", &nice);
    if (r >= 0 && (nice.value < -20 || nice.value > 19))
        r = spec_fail_at(ctx, "nice", "must be from -20 to 19, not %d", nice.value);
    if (r >= 0)
        r = spec_get_int32(ctx, obj, "priority", &priority);
    if (r < 0)
        return r;
    bool realtime = s->policy == SCHED_FIFO_VALUE || s->policy == SCHED_RR_VALUE;
    if (realtime && (priority.value < 1 || priority.value > 99))
        return spec_fail_at(ctx, "priority", "must be from 1 to 99 for %s, not %d", policy,
                            priority.value);
    if (!realtime && priority.value != 0)
        return spec_fail_at(ctx, "priority", "must be 0 for %s (only SCHED_FIFO and SCHED_RR "
                            "have priorities)", policy);
    s->nice = nice.value;
    s->priority = priority.value;

    r = spec_get_strv(ctx, obj, "flags", &flags);
    for (size_t i = 0; r >= 0 && flags && flags[i]; i++) {
        int bit = spec_lookup(sched_flags, flags[i]);
        if (bit < 0) {
            size_t saved = spec_path_push_key(ctx, "flags");
            spec_path_push_index(ctx, i);
            r = spec_fail(ctx, "unknown scheduler flag \"%s\"", flags[i]);
            spec_path_pop(ctx, saved);
        } else {
            s->flags |= 1ull << bit;
        }
    }
    if (r >= 0)
        r = spec_get_u64(ctx, obj, "runtime", &runtime);
    if (r >= 0)
        r = spec_get_u64(ctx, obj, "deadline", &deadline);
    if (r >= 0)
        r = spec_get_u64(ctx, obj, "period", &period);
    s->runtime = runtime.value;
    s->deadline = deadline.value;
    s->period = period.value;
    return r;
}

static int parse_scheduler(struct spec_ctx *ctx, JsonObject *obj, struct nook_spec_process *p)
{
    JsonObject *sched_obj;
    int r = spec_get_object(ctx, obj, "scheduler", &sched_obj);
    if (r < 0 || !sched_obj)
        return r;
    struct nook_spec_scheduler *s = spec_new(ctx, sizeof(*s), &p->scheduler);
    if (!s)
        return -ENOMEM;
    size_t saved = spec_path_push_key(ctx, "scheduler");
    r = parse_scheduler_fields(ctx, sched_obj, s);
    spec_path_pop(ctx, saved);
    return r;
}

static int parse_io_priority(struct spec_ctx *ctx, JsonObject *obj, struct nook_spec_process *p)
{
    JsonObject *io_obj;
    int r = spec_get_object(ctx, obj, "ioPriority", &io_obj);
    if (r < 0 || !io_obj)
        return r;
    struct nook_spec_io_priority *io = spec_new(ctx, sizeof(*io), &p->io_priority);
    if (!io)
        return -ENOMEM;

    size_t saved = spec_path_push_key(ctx, "ioPriority");
    _cleanup_free_ char *class = NULL;
    struct nook_opt_int priority = { 0 };
    r = spec_need_string(ctx, io_obj, "class", &class);
    if (r >= 0) {
        int index = spec_lookup(ioprio_classes, class);
        if (index < 0)
            r = spec_fail_at(ctx, "class", "unknown I/O priority class \"%s\" (expected "
                             "IOPRIO_CLASS_RT, IOPRIO_CLASS_BE or IOPRIO_CLASS_IDLE)", class);
        io->class = index + 1;
    }
    if (r >= 0)
        r = spec_require(ctx, io_obj, "priority");
    if (r >= 0)
        r = spec_get_int32(ctx, io_obj, "priority", &priority);
    if (r >= 0 && (priority.value < 0 || priority.value > 7))
        r = spec_fail_at(ctx, "priority", "must be from 0 (highest) to 7 (lowest), not %d",
                         priority.value);
    io->priority = priority.value;
    spec_path_pop(ctx, saved);
    return r;
}

static int parse_cpu_affinity(struct spec_ctx *ctx, JsonObject *obj, struct nook_spec_process *p)
{
    JsonObject *aff_obj;
    int r = spec_get_object(ctx, obj, "execCPUAffinity", &aff_obj);
    if (r < 0 || !aff_obj)
        return r;
    struct nook_spec_cpu_affinity *aff = spec_new(ctx, sizeof(*aff), &p->exec_cpu_affinity);
    if (!aff)
        return -ENOMEM;
    size_t saved = spec_path_push_key(ctx, "execCPUAffinity");
    r = spec_get_string(ctx, aff_obj, "initial", &aff->initial);
    if (r >= 0 && aff->initial && !spec_is_cpu_list(aff->initial))
        r = spec_fail_at(ctx, "initial", "\"%s\" is not a CPU list like \"0-3,7\"", aff->initial);
    if (r >= 0)
        r = spec_get_string(ctx, aff_obj, "final", &aff->final);
    if (r >= 0 && aff->final && !spec_is_cpu_list(aff->final))
        r = spec_fail_at(ctx, "final", "\"%s\" is not a CPU list like \"0-3,7\"", aff->final);
    spec_path_pop(ctx, saved);
    return r;
}

int spec_parse_process(struct spec_ctx *ctx, JsonObject *obj, struct nook_spec_process *p)
{
    JsonObject *user_obj;
    int r = spec_get_bool(ctx, obj, "terminal", &p->terminal);
    if (r >= 0)
        r = parse_console_size(ctx, obj, p);
    if (r >= 0)
        r = spec_get_object(ctx, obj, "user", &user_obj);
    if (r >= 0 && user_obj) {
        size_t saved = spec_path_push_key(ctx, "user");
        r = parse_user(ctx, user_obj, &p->user);
        spec_path_pop(ctx, saved);
    }
    if (r >= 0)
        r = parse_args(ctx, obj, p);
    if (r >= 0)
        r = spec_get_string(ctx, obj, "commandLine", &p->command_line);
    if (r >= 0)
        r = spec_get_strv(ctx, obj, "env", &p->env);
    if (r >= 0)
        r = check_env(ctx, p->env);
    if (r >= 0)
        r = parse_cwd(ctx, obj, p);
    if (r >= 0)
        r = parse_capabilities(ctx, obj, p);
    if (r >= 0)
        r = parse_rlimits(ctx, obj, p);
    if (r >= 0)
        r = spec_get_bool(ctx, obj, "noNewPrivileges", &p->no_new_privileges);
    if (r >= 0)
        r = spec_get_string(ctx, obj, "apparmorProfile", &p->apparmor_profile);
    if (r >= 0)
        r = spec_get_int32(ctx, obj, "oomScoreAdj", &p->oom_score_adj);
    if (r >= 0 && p->oom_score_adj.set &&
        (p->oom_score_adj.value < -1000 || p->oom_score_adj.value > 1000))
        r = spec_fail_at(ctx, "oomScoreAdj", "must be from -1000 to 1000, not %d",
                         p->oom_score_adj.value);
    if (r >= 0)
        r = parse_scheduler(ctx, obj, p);
    if (r >= 0)
        r = spec_get_string(ctx, obj, "selinuxLabel", &p->selinux_label);
    if (r >= 0)
        r = parse_io_priority(ctx, obj, p);
    if (r >= 0)
        r = parse_cpu_affinity(ctx, obj, p);
    return r;
}

int nook_spec_parse_process(const char *text, size_t len, const char *source,
                            struct nook_spec_process **out, struct nook_error *err)
{
    struct spec_ctx ctx = { .source = source ? source : "process.json", .err = err };
    g_autoptr(JsonParser) parser = NULL;
    JsonObject *top = NULL;
    int r = spec_parse_document(&ctx, text, len, &parser, &top);
    if (r < 0)
        return r;
    _cleanup_(nook_spec_process_freep) struct nook_spec_process *p = calloc(1, sizeof(*p));
    if (!p)
        return spec_oom(&ctx);
    r = spec_parse_process(&ctx, top, p);
    if (r < 0)
        return r;
    *out = steal_pointer(&p);
    return 0;
}

