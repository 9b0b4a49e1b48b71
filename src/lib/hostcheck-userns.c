/* hostcheck-userns.c: the user namespace checks of `nook check`: the
 * kernel's switches (user.max_user_namespaces, Debian's
 * kernel.unprivileged_userns_clone, Ubuntu's AppArmor restriction) and a
 * real trial: unshare a user namespace and write its maps. */
#include <sched.h>
#include <string.h>

#include "hostcheck-internal.h"

#define MAX_USERNS "user.max_user_namespaces"
#define DEBIAN_CLONE "kernel.unprivileged_userns_clone"
#define APPARMOR_RESTRICT "kernel.apparmor_restrict_unprivileged_userns"

static const char userns_impact[] =
    "no rootless container can start: each gets a user namespace, and nook cannot create one";

/* The AppArmor label nook runs under ("unconfined", "nook (unconfined)"),
 * in buf; NULL when AppArmor says nothing. */
static const char *apparmor_label(char *buf, size_t size)
{
    static const char *const files[] = { "/proc/self/attr/apparmor/current", "/proc/self/attr/current" };
    for (size_t i = 0; i < N_ELEMENTS(files); i++) {
        _cleanup_free_ char *text = hostcheck_read_text(files[i]);
        if (!text || !*text)
            continue;
        text[strcspn(text, "\n")] = '\0';
        snprintf(buf, size, "%s", text);
        return buf;
    }
    return NULL;
}

static void fix_max_userns(struct nook_check_context *ctx, struct nook_check_result *r)
{
    hostcheck_fix(ctx, r, "sudo sysctl -w " MAX_USERNS "=15000");
    hostcheck_fix(ctx, r, "echo '" MAX_USERNS " = 15000' | sudo tee /etc/sysctl.d/90-nook-userns.conf");
}

static void fix_debian_clone(struct nook_check_context *ctx, struct nook_check_result *r)
{
    hostcheck_fix(ctx, r, "sudo sysctl -w " DEBIAN_CLONE "=1");
    hostcheck_fix(ctx, r, "echo '" DEBIAN_CLONE " = 1' | sudo tee /etc/sysctl.d/90-nook-userns.conf");
}

static void fix_apparmor(struct nook_check_context *ctx, struct nook_check_result *r)
{
    const char *exe = str_or(ctx->params->exe_path, "/usr/bin/nook");
    hostcheck_fix(ctx, r,
                  "printf 'abi <abi/4.0>,\\ninclude <tunables/global>\\nprofile nook %s flags=(unconfined) {\\n  userns,\\n}\\n' | sudo tee /etc/apparmor.d/nook",
                  exe);
    hostcheck_fix(ctx, r, "sudo apparmor_parser -r /etc/apparmor.d/nook");
    hostcheck_fix(ctx, r, "or, for every program: sudo sysctl -w " APPARMOR_RESTRICT "=0");
}

void hostcheck_userns_sysctl(struct nook_check_context *ctx, struct nook_check_result *r)
{
    r->required = !ctx->params->privileged;
    long long max = 0;
    _cleanup_free_ char *max_text = NULL;
    _cleanup_free_ char *max_file = NULL;
    int rm = hostcheck_sysctl(ctx, MAX_USERNS, &max, &max_text, &max_file);
    long long debian = 0;
    _cleanup_free_ char *debian_file = NULL;
    int rd = hostcheck_sysctl(ctx, DEBIAN_CLONE, &debian, NULL, &debian_file);

    char debian_part[160];
    if (rd == 0)
        snprintf(debian_part, sizeof(debian_part), DEBIAN_CLONE " = %lld", debian);
    else
        snprintf(debian_part, sizeof(debian_part), DEBIAN_CLONE " does not exist (only Debian's older kernels have it)");

    if (rm == -ENOENT) {
        hostcheck_status(r, NOOK_CHECK_FAIL);
        hostcheck_found(ctx, r, "%s/user/max_user_namespaces does not exist: this kernel has no user namespaces",
                        ctx->proc_sys);
        hostcheck_fix(ctx, r, "boot a kernel built with CONFIG_USER_NS=y (every distribution kernel is)");
        hostcheck_impact(ctx, r, "%s", userns_impact);
        return;
    }
    if (rm < 0 || (rd < 0 && rd != -ENOENT)) {
        hostcheck_status(r, NOOK_CHECK_WARN);
        hostcheck_found(ctx, r, "cannot read %s: %s", rm < 0 ? MAX_USERNS : DEBIAN_CLONE,
                        strerror(rm < 0 ? -rm : -rd));
        hostcheck_file(ctx, r, rm < 0 ? max_file : debian_file);
        hostcheck_fix(ctx, r, "sysctl %s", rm < 0 ? MAX_USERNS : DEBIAN_CLONE);
        hostcheck_impact(ctx, r, "unknown: see userns.trial for what really happens");
        return;
    }
    hostcheck_file(ctx, r, max_file);
    hostcheck_value(ctx, r, max_text);
    if (max <= 0) {
        hostcheck_status(r, NOOK_CHECK_FAIL);
        hostcheck_found(ctx, r, MAX_USERNS " = %lld: user namespaces are switched off; %s", max,
                        debian_part);
        fix_max_userns(ctx, r);
        if (rd == 0 && debian == 0)
            fix_debian_clone(ctx, r);
        hostcheck_impact(ctx, r, "%s", userns_impact);
        return;
    }
    if (rd == 0 && debian == 0) {
        char value[32];
        snprintf(value, sizeof(value), "%lld", debian);
        hostcheck_status(r, NOOK_CHECK_FAIL);
        hostcheck_file(ctx, r, debian_file);
        hostcheck_value(ctx, r, value);
        hostcheck_found(ctx, r, MAX_USERNS " = %lld; " DEBIAN_CLONE " = 0: only root may create user namespaces",
                        max);
        fix_debian_clone(ctx, r);
        hostcheck_impact(ctx, r, "%s", userns_impact);
        return;
    }
    hostcheck_status(r, NOOK_CHECK_OK);
    hostcheck_found(ctx, r, MAX_USERNS " = %lld; %s", max, debian_part);
}

void hostcheck_userns_apparmor(struct nook_check_context *ctx, struct nook_check_result *r)
{
    r->required = !ctx->params->privileged;
    long long restrict_value = 0;
    _cleanup_free_ char *file = NULL;
    _cleanup_free_ char *text = NULL;
    int rr = hostcheck_sysctl(ctx, APPARMOR_RESTRICT, &restrict_value, &text, &file);
    if (rr == -ENOENT) {
        hostcheck_status(r, NOOK_CHECK_OK);
        hostcheck_found(ctx, r, APPARMOR_RESTRICT " does not exist: AppArmor does not restrict user namespaces here");
        return;
    }
    hostcheck_file(ctx, r, file);
    hostcheck_value(ctx, r, text);
    if (rr < 0) {
        hostcheck_status(r, NOOK_CHECK_WARN);
        hostcheck_found(ctx, r, "cannot read " APPARMOR_RESTRICT ": %s", strerror(-rr));
        hostcheck_fix(ctx, r, "sysctl " APPARMOR_RESTRICT);
        hostcheck_impact(ctx, r, "unknown: see userns.trial for what really happens");
        return;
    }
    if (restrict_value == 0) {
        hostcheck_status(r, NOOK_CHECK_OK);
        hostcheck_found(ctx, r, APPARMOR_RESTRICT " = 0: no restriction");
        return;
    }
    char label_buf[256];
    const char *label = apparmor_label(label_buf, sizeof(label_buf));
    if (label && strcmp(label, "unconfined") != 0) {
        /* A profile of its own may grant `userns`; the trial tells. */
        hostcheck_status(r, NOOK_CHECK_OK);
        hostcheck_found(ctx, r,
                        APPARMOR_RESTRICT " = %lld, and nook runs under the AppArmor profile \"%s\" (whether it allows user namespaces: see userns.trial)",
                        restrict_value, label);
        return;
    }
    hostcheck_status(r, NOOK_CHECK_FAIL);
    hostcheck_found(ctx, r,
                    APPARMOR_RESTRICT " = %lld and nook has no AppArmor profile: its user namespaces get no capabilities",
                    restrict_value);
    fix_apparmor(ctx, r);
    hostcheck_impact(ctx, r,
                     "no rootless container can start: nook cannot write the id maps of, or mount anything in, the user namespace it creates");
}

struct userns_trial {
    uid_t uid;
    gid_t gid;
};

static void userns_trial_child(void *data, struct hostcheck_trial *out)
{
    const struct userns_trial *t = data;
    if (hostcheck_enter_userns(t->uid, t->gid, 0, out) < 0)
        return;
    snprintf(out->step, sizeof(out->step),
             "created a user namespace and wrote its maps (uid_map \"0 %u 1\", gid_map \"0 %u 1\")",
             (unsigned)t->uid, (unsigned)t->gid);
}

void hostcheck_userns_trial(struct nook_check_context *ctx, struct nook_check_result *r)
{
    r->required = !ctx->params->privileged;
    struct userns_trial t = { ctx->params->uid, ctx->params->gid };
    struct hostcheck_trial trial;
    int rc = hostcheck_run_trial(userns_trial_child, &t, 10000, &trial);
    if (rc < 0) {
        hostcheck_status(r, NOOK_CHECK_WARN);
        hostcheck_found(ctx, r, "the trial could not be started: %s", strerror(-rc));
        hostcheck_fix(ctx, r, "nook check userns.trial   (again, once the system has resources to fork)");
        hostcheck_impact(ctx, r, "unknown");
        return;
    }
    if (trial.errnum == 0) {
        hostcheck_status(r, NOOK_CHECK_OK);
        hostcheck_found(ctx, r, "%s", trial.step);
        return;
    }
    char name_buf[32];
    r->errnum = trial.errnum;
    hostcheck_status(r, NOOK_CHECK_FAIL);
    hostcheck_found(ctx, r, "%s: %s (%s)", trial.step, strerror(trial.errnum),
                    hostcheck_errno_name(trial.errnum, name_buf, sizeof(name_buf)));
    const char *map_file = strstr(trial.step, "/proc/self/");
    if (map_file)
        hostcheck_file(ctx, r, map_file);
    hostcheck_impact(ctx, r, "%s", userns_impact);

    /* The fix follows from what the kernel's switches say. */
    long long v = 0;
    if (hostcheck_sysctl(ctx, MAX_USERNS, &v, NULL, NULL) == 0 && v <= 0) {
        fix_max_userns(ctx, r);
        return;
    }
    if (hostcheck_sysctl(ctx, DEBIAN_CLONE, &v, NULL, NULL) == 0 && v == 0) {
        fix_debian_clone(ctx, r);
        return;
    }
    if (hostcheck_sysctl(ctx, APPARMOR_RESTRICT, &v, NULL, NULL) == 0 && v != 0) {
        fix_apparmor(ctx, r);
        return;
    }
    if (trial.errnum == EPERM && strstr(trial.step, "uid_map")) {
        /* Linux 5.12 and later map uid 0 only for a creator with CAP_SETFCAP. */
        hostcheck_fix(ctx, r,
                      "inside a container: mapping uid 0 needs CAP_SETFCAP; start the container with --cap-add SETFCAP (or \"CAP_SETFCAP\" in its process.capabilities)");
    }
    switch (trial.errnum) {
    case ENOSPC:
        hostcheck_fix(ctx, r, "too many user namespaces exist: sudo sysctl -w " MAX_USERNS "=%lld",
                      v > 0 ? v * 2 : 15000LL);
        break;
    case EUSERS:
        hostcheck_fix(ctx, r, "run nook fewer user namespaces deep (the kernel allows 32 levels)");
        break;
    default:
        hostcheck_fix(ctx, r,
                      "inside a container: start it with user namespaces allowed (podman or docker run --security-opt seccomp=unconfined --security-opt apparmor=unconfined)");
        hostcheck_fix(ctx, r, "elsewhere: see whether an LSM (SELinux, AppArmor) or a seccomp filter denies unshare(CLONE_NEWUSER) to nook");
        break;
    }
}
