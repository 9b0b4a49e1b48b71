/* test-overlay.c: what config.json asks of overlays, read into a plan
 * (overlay.h): the annotations and their errors, overlay mount options,
 * layer lists, fuse-overlayfs's arguments and the copy of an upper layer. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/overlay.h"
#include "lib/spec.h"
#include "tap.h"

static char tmp[] = "/tmp/nook-test-overlay.XXXXXX";

/* A spec with root.path "rootfs", annotations as KEY, VALUE pairs and,
 * when mount_options is not NULL, one overlay mount on /data. */
static struct nook_spec *make_spec(const char *const *annotations, const char *mount_options)
{
    char text[4096];
    int n = snprintf(text, sizeof(text), "{\"ociVersion\": \"1.2.0\", \"root\": {\"path\": \"rootfs\"}, "
                                         "\"process\": {\"args\": [\"sh\"], \"cwd\": \"/\"}, \"annotations\": {");
    for (size_t i = 0; annotations && annotations[i]; i += 2)
        n += snprintf(text + n, sizeof(text) - (size_t)n, "%s\"%s\": \"%s\"", i ? ", " : "", annotations[i],
                      annotations[i + 1]);
    n += snprintf(text + n, sizeof(text) - (size_t)n, "}");
    if (mount_options)
        n += snprintf(text + n, sizeof(text) - (size_t)n,
                      ", \"mounts\": [{\"destination\": \"/data\", \"type\": \"overlay\", \"source\": "
                      "\"overlay\", \"options\": [%s]}]",
                      mount_options);
    snprintf(text + n, sizeof(text) - (size_t)n, "}");
    struct nook_spec *spec = NULL;
    struct nook_error err = { 0 };
    if (nook_spec_parse(text, strlen(text), "config.json", &spec, &err) < 0) {
        printf("# spec: %s\n", err.message);
        return NULL;
    }
    return spec;
}

/* Plan for the annotations; returns the result, with err's message. */
static const char *fuse_env; /* $NOOK_FUSE_OVERLAYFS as the plans see it */

static int plan_for(const char *const *annotations, const char *mount_options, struct nook_overlay_plan **plan,
                    struct nook_error *err)
{
    struct nook_spec *spec = make_spec(annotations, mount_options);
    if (!spec)
        return -999;
    char rootfs[256];
    snprintf(rootfs, sizeof(rootfs), "%s/rootfs", tmp);
    nook_error_clear(err);
    int r = nook_overlay_plan_new(spec, tmp, rootfs, "/nonexistent", fuse_env, plan, err);
    nook_spec_free(spec);
    return r;
}

static bool contains(const char *s, const char *part)
{
    return s && strstr(s, part);
}

static void test_annotations(struct tap *t)
{
    struct nook_error err = { 0 };
    struct nook_overlay_plan *plan = NULL;

    CHECK(t, plan_for(NULL, NULL, &plan, &err) == 0 && !plan, "no annotation, no overlay mount: no plan");
    const char *off[] = { "nook.rootfs.overlay", "false", NULL };
    CHECK(t, plan_for(off, NULL, &plan, &err) == 0 && !plan, "\"false\": no plan");

    const char *on[] = { "nook.rootfs.overlay", "true", NULL };
    CHECK(t, plan_for(on, NULL, &plan, &err) == 0 && plan && plan->root, "\"true\": an overlay root");
    if (plan) {
        CHECK(t, plan->choice == NOOK_OVERLAY_CHOICE_AUTO, "the driver is auto by default");
        CHECK(t, plan->root_layers.lower && contains(plan->root_layers.lower[0], "/rootfs") &&
                     !plan->root_layers.lower[1],
              "root.path is the one lower layer");
        if (access("/usr/bin/fuse-overlayfs", X_OK) == 0)
            CHECK(t, plan->fuse_program && strcmp(plan->fuse_program, "/usr/bin/fuse-overlayfs") == 0,
                  "fuse-overlayfs is found after $PATH in /usr/bin");
        else
            CHECK(t, !plan->fuse_program && contains(plan->fuse_missing, "apt-get install fuse-overlayfs"),
                  "fuse-overlayfs is not installed: the plan says how to install it");
        nook_overlay_plan_free(plan);
        plan = NULL;
    }

    const char *lower[] = { "nook.rootfs.overlay", "true", "nook.rootfs.lower", "mid:bottom", NULL };
    CHECK(t, plan_for(lower, NULL, &plan, &err) == 0 && plan, "nook.rootfs.lower with two layers");
    if (plan) {
        char **l = plan->root_layers.lower;
        CHECK(t, l[0] && contains(l[0], "/rootfs") && l[1] && contains(l[1], "/mid") && l[2] &&
                     contains(l[2], "/bottom") && !l[3],
              "root.path, then the lower layers in order, relative to the bundle");
        nook_overlay_plan_free(plan);
        plan = NULL;
    }

    const char *fuse[] = { "nook.rootfs.overlay", "true", "nook.overlay.driver", "fuse", NULL };
    CHECK(t, plan_for(fuse, NULL, &plan, &err) == 0 && plan && plan->choice == NOOK_OVERLAY_CHOICE_FUSE,
          "nook.overlay.driver \"fuse\"");
    nook_overlay_plan_free(plan);
    plan = NULL;

    fuse_env = "/nonexistent/fuse-overlayfs";
    CHECK(t, plan_for(fuse, NULL, &plan, &err) < 0 && !plan &&
                 contains(err.message, "\"fuse\", but fuse-overlayfs is not installed: \"/nonexistent/fuse-overlayfs\" (from NOOK_FUSE_OVERLAYFS)"),
          "NOOK_FUSE_OVERLAYFS names a program that is not there: fuse alone cannot work");
    CHECK(t, plan_for(on, NULL, &plan, &err) == 0 && plan && !plan->fuse_program && plan->fuse_missing,
          "... while auto goes on, and says why if the kernel refuses");
    nook_overlay_plan_free(plan);
    plan = NULL;
    fuse_env = NULL;

    static const struct {
        const char *annotations[7];
        const char *expect;
        const char *what;
    } bad[] = {
        { { "nook.rootfs.overlay", "yes" }, "\"yes\": must be \"true\" or \"false\"", "a bad overlay value" },
        { { "nook.rootfs.overlay", "true", "nook.overlay.driver", "best" },
          ".annotations[\"nook.overlay.driver\"]: \"best\": must be", "a bad driver" },
        { { "nook.rootfs.overlya", "true" }, ".annotations[\"nook.rootfs.overlya\"]: unknown annotation",
          "an unknown nook.rootfs key is named" },
        { { "nook.overlay.drivers", "fuse" }, ".annotations[\"nook.overlay.drivers\"]: unknown annotation",
          "an unknown nook.overlay key is named" },
        { { "nook.rootfs.overlay.driver", "kernel" }, "nook sets this one itself",
          "the driver nook records is not an input" },
        { { "nook.rootfs.lower", "mid" }, ".annotations[\"nook.rootfs.lower\"]: needs \"nook.rootfs.overlay\"",
          "lower layers without an overlay" },
        { { "nook.rootfs.overlay", "true", "nook.rootfs.lower", "mid:missing" },
          ".annotations[\"nook.rootfs.lower\"]: lower layer \"/tmp/", "a missing lower layer" },
        { { "nook.rootfs.overlay", "true", "nook.rootfs.lower", "missing" },
          "/missing\": No such file or directory", "... is named, with why" },
        { { "nook.rootfs.overlay", "true", "nook.rootfs.lower", "mid::bottom" }, "an empty layer",
          "an empty lower layer" },
        { { "nook.rootfs.overlay", "true", "nook.rootfs.lower", "file" }, "is not a directory",
          "a lower layer that is a file" },
        { { "nook.rootfs.overlay", "true", "nook.rootfs.lower", "mid:bottom:./mid" }, "/mid\" is a layer twice",
          "a lower layer twice" },
        { { "nook.rootfs.overlay", "true", "nook.rootfs.lower", "rootfs" },
          "/rootfs\" is a layer twice (root.path is the top one)", "root.path again as a lower layer" },
        { { "nook.rootfs.overlay", "true", "nook.rootfs.keep-upper", "mid" },
          "exists and is not an empty directory", "keep-upper on a directory that holds something" },
        { { "nook.rootfs.overlay", "true", "nook.rootfs.keep-upper", "nowhere/kept" },
          "that would hold", "keep-upper in a directory that does not exist" },
    };
    for (size_t i = 0; i < N_ELEMENTS(bad); i++) {
        int r = plan_for(bad[i].annotations, NULL, &plan, &err);
        if (!CHECK(t, r < 0 && !plan && contains(err.message, bad[i].expect) && !strchr(err.message, '\n'),
                   bad[i].what))
            printf("#   got %d: %s\n", r, err.message);
    }

    const char *keep[] = { "nook.rootfs.overlay", "true", "nook.rootfs.keep-upper", "empty", NULL };
    CHECK(t, plan_for(keep, NULL, &plan, &err) == 0 && plan && contains(plan->keep_upper, "/empty"),
          "keep-upper on an empty directory, made absolute");
    nook_overlay_plan_free(plan);
    plan = NULL;
}

static void test_mount_options(struct tap *t)
{
    struct nook_error err = { 0 };
    struct nook_overlay_plan *plan = NULL;
    CHECK(t, plan_for(NULL, "\"lowerdir=mid:bottom\", \"upperdir=up\", \"workdir=work\", \"nosuid\", \"index=off\"",
                      &plan, &err) == 0 && plan && !plan->root,
          "an overlay mount alone makes a plan without an overlay root");
    if (plan) {
        struct nook_overlay_layers *l = plan->n_mounts == 1 ? plan->mounts[0] : NULL;
        CHECK(t, l && contains(l->lower[0], "/mid") && contains(l->lower[1], "/bottom") && !l->lower[2],
              "lowerdir is split and made absolute");
        CHECK(t, l && contains(l->upper, "/up") && contains(l->work, "/work"), "upperdir and workdir");
        CHECK(t, l && l->fs_options && strcmp(l->fs_options[0], "index=off") == 0 && !l->fs_options[1],
              "overlayfs's own options are kept, generic ones (nosuid) are not");
        nook_overlay_plan_free(plan);
        plan = NULL;
    }
    CHECK(t, plan_for(NULL, "\"lowerdir=mid:bottom\"", &plan, &err) == 0 && plan && !plan->mounts[0]->upper,
          "a read-only overlay mount (lowerdir only)");
    nook_overlay_plan_free(plan);
    plan = NULL;

    static const struct {
        const char *options;
        const char *expect;
    } bad[] = {
        { "\"upperdir=up\", \"workdir=work\"", ".mounts[0]: overlay on \"/data\": lowerdir is missing" },
        { "\"lowerdir=mid\", \"upperdir=up\"", "upperdir and workdir go together" },
        { "\"lowerdir=mid\"", "without upperdir (a read-only overlay) lowerdir needs at least two layers" },
        { "\"lowerdir=mid:nothere\"", "lowerdir \"" },
        { "\"lowerdir=mid\", \"lowerdir=bottom\"", "lowerdir is given twice" },
    };
    for (size_t i = 0; i < N_ELEMENTS(bad); i++) {
        int r = plan_for(NULL, bad[i].options, &plan, &err);
        char what[256];
        snprintf(what, sizeof(what), "overlay mount options [%s] are refused", bad[i].options);
        if (!CHECK(t, r < 0 && !plan && contains(err.message, bad[i].expect), what))
            printf("#   got %d: %s\n", r, err.message);
    }
}

static void test_layers(struct tap *t)
{
    struct nook_error err = { 0 };
    char **layers = NULL;
    CHECK(t, nook_overlay_split_layers("/a:/b\\:c:/d\\\\e", &layers, &err) == 0 && layers &&
                 strcmp(layers[0], "/a") == 0 && strcmp(layers[1], "/b:c") == 0 &&
                 strcmp(layers[2], "/d\\e") == 0 && !layers[3],
          "split at unescaped colons, escapes undone");
    char *joined = layers ? nook_overlay_join_layers(layers) : NULL;
    CHECK_STR(t, joined, "/a:/b\\:c:/d\\\\e", "join escapes \":\" and \"\\\" again");
    free(joined);
    strv_free(layers);
    CHECK(t, nook_overlay_split_layers("/a:", &layers, &err) < 0 && contains(err.message, "empty layer"),
          "a trailing colon is an empty layer");

    struct nook_idmap map = { 0 };
    CHECK(t, nook_overlay_parse_idmap("         0       1001          1\n         1     100000      65536\n", &map) == 0 &&
                 map.count == 2 && map.ranges[1].container_id == 1 && map.ranges[1].host_id == 100000 &&
                 map.ranges[1].size == 65536,
          "/proc/PID/uid_map's text");
    free(map.ranges);
}

static void test_fuse_argv(struct tap *t)
{
    struct nook_error err = { 0 };
    char *lower[] = { "/l1", "/l2", NULL };
    struct nook_overlay_layers layers = { .lower = lower, .upper = "/st/up", .work = "/st/work" };
    char **argv = NULL;
    CHECK(t, nook_overlay_fuse_argv("/usr/bin/fuse-overlayfs", &layers, NULL, 3, &argv, &err) == 0, "argv");
    if (argv) {
        CHECK_STR(t, argv[1], "-f", "in the foreground: nook tracks the process");
        CHECK_STR(t, argv[3], "lowerdir=/l1:/l2,upperdir=/st/up,workdir=/st/work", "the layers");
        CHECK_STR(t, argv[4], "/dev/fd/3", "the FUSE connection the init mounted");
        CHECK(t, !argv[5], "nothing more");
        strv_free(argv);
    }
    struct nook_id_range uids[] = { { 0, 100000, 65536 } }, gids[] = { { 0, 200000, 10 }, { 10, 300000, 5 } };
    struct nook_idmaps maps = { .uid = { uids, 1 }, .gid = { gids, 2 } };
    CHECK(t, nook_overlay_fuse_argv("/f", &layers, &maps, 3, &argv, &err) == 0 && argv &&
                 contains(argv[3], ",uidmapping=100000:0:65536,gidmapping=200000:0:10:300000:10:5"),
          "as root: host ids turn into the container's");
    strv_free(argv);
    char *comma[] = { "/a,b", NULL };
    layers.lower = comma;
    CHECK(t, nook_overlay_fuse_argv("/f", &layers, NULL, 3, &argv, &err) < 0 && contains(err.message, "\"/a,b\""),
          "a layer with a comma is refused, named");
    layers.lower = lower;
    layers.upper = layers.work = NULL;
    CHECK(t, nook_overlay_fuse_argv("/f", &layers, NULL, 3, &argv, &err) < 0 && contains(err.message, "read-only"),
          "no read-only overlay with fuse-overlayfs");
}

static void test_copy(struct tap *t)
{
    char src[512], dst[512];
    snprintf(src, sizeof(src), "%s/src", tmp);
    snprintf(dst, sizeof(dst), "%s/copy", tmp);
    char path[600];
    mkdir(src, 0751);
    snprintf(path, sizeof(path), "%s/dir", src);
    mkdir(path, 0700);
    snprintf(path, sizeof(path), "%s/dir/file", src);
    int fd = open(path, O_WRONLY | O_CREAT, 0640);
    (void)!write(fd, "data\n", 5);
    close(fd);
    snprintf(path, sizeof(path), "%s/link", src);
    (void)!symlink("dir/file", path);
    snprintf(path, sizeof(path), "%s/fifo", src);
    mkfifo(path, 0600);
    int src_fd = open(src, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct nook_error err = { 0 };
    CHECK(t, nook_overlay_copy_tree(src_fd, dst, &err) == 0, "copy a tree");
    close(src_fd);
    struct stat st;
    char buf[16] = "";
    snprintf(path, sizeof(path), "%s/dir/file", dst);
    fd = open(path, O_RDONLY);
    CHECK(t, fd >= 0 && read(fd, buf, sizeof(buf)) == 5 && strcmp(buf, "data\n") == 0, "the file's data");
    if (fd >= 0)
        close(fd);
    CHECK(t, stat(path, &st) == 0 && (st.st_mode & 07777) == 0640, "the file's mode");
    snprintf(path, sizeof(path), "%s/dir", dst);
    CHECK(t, stat(path, &st) == 0 && (st.st_mode & 07777) == 0700, "the directory's mode");
    CHECK(t, stat(dst, &st) == 0 && (st.st_mode & 07777) == 0751, "the top takes the source's mode");
    snprintf(path, sizeof(path), "%s/link", dst);
    char target[64] = "";
    CHECK(t, readlink(path, target, sizeof(target) - 1) > 0 && strcmp(target, "dir/file") == 0, "the symlink");
    snprintf(path, sizeof(path), "%s/fifo", dst);
    CHECK(t, lstat(path, &st) == 0 && S_ISFIFO(st.st_mode), "the fifo");
}

/* A file tree the plans can point at. */
static void make_tree(void)
{
    const char *dirs[] = { "rootfs", "mid", "bottom", "up", "work", "empty" };
    char path[512];
    for (size_t i = 0; i < N_ELEMENTS(dirs); i++) {
        snprintf(path, sizeof(path), "%s/%s", tmp, dirs[i]);
        mkdir(path, 0755);
    }
    snprintf(path, sizeof(path), "%s/mid/x", tmp);
    close(open(path, O_WRONLY | O_CREAT, 0644));
    snprintf(path, sizeof(path), "%s/file", tmp);
    close(open(path, O_WRONLY | O_CREAT, 0644));
}

int main(void)
{
    struct tap t = { 0 };
    if (!mkdtemp(tmp))
        return 1;
    make_tree();
    test_annotations(&t);
    test_mount_options(&t);
    test_layers(&t);
    test_fuse_argv(&t);
    test_copy(&t);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
    (void)!system(cmd);
    return tap_done(&t);
}
