/* test-json-module.c: finding and loading nook-json.so (json-module.c):
 * the candidate paths, the refusals (missing, not a library, writable by
 * others, not nook's, another build) and a real call through the module.
 * Linked like the nook executable: with the loader, without json-glib. */
#include <dlfcn.h>
#include <fcntl.h>
#include <gnu/libc-version.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "lib/json-module.h"
#include "tap.h"

static void test_candidates(struct tap *t)
{
    struct nook_error err = { 0 };
    _cleanup_strv_ char **list = NULL;
    CHECK(t, nook_json_module_candidates(&list, &err) == 0 && list && list[0], "candidates");
    if (!list || !list[0])
        return;
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    exe[n > 0 ? n : 0] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash)
        strcpy(slash + 1, "nook-json.so");
    CHECK_STR(t, list[0], exe, "first: beside the executable");
    size_t count = 0;
    while (list[count])
        count++;
    CHECK(t, count >= 2 && count <= 3, "two or three places in all");
    for (size_t i = 0; i < count; i++) {
        char what[80];
        snprintf(what, sizeof(what), "candidate %zu is absolute and clean", i);
        CHECK(t, list[i][0] == '/' && !strstr(list[i], "/../") && !strstr(list[i], "//"), what);
    }
    const char *last = list[count - 1];
    CHECK(t, strlen(last) > 18 && strcmp(last + strlen(last) - 18, "/nook/nook-json.so") == 0,
          "last: the installed module directory");
}

/* nook_json_module_open() in a child: the dynamic linker knows a module
 * loaded through /proc/self/fd/N by that name, so one process can load only
 * one module file that way (nook only ever loads one); each foreign
 * library gets a process of its own. Returns the result, *message the error. */
static int open_in_child(const char *const *candidates, char *message, size_t size)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) < 0)
        return -errno;
    pid_t pid = fork();
    if (pid < 0)
        return -errno;
    if (pid == 0) {
        struct nook_error err = { 0 };
        const struct nook_json_module *m = NULL;
        int r = nook_json_module_open(candidates, &m, &err);
        if (write(fds[1], err.message, strlen(err.message)) < 0)
            _exit(255);
        _exit(-r);
    }
    close(fds[1]);
    ssize_t n = read(fds[0], message, size - 1);
    message[n > 0 ? n : 0] = '\0';
    close(fds[0]);
    int status = 0;
    if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
        return -ECHILD;
    return -WEXITSTATUS(status);
}

static void test_refusals(struct tap *t, const char *dir, const char *fake_module)
{
    struct nook_error err = { 0 };
    const struct nook_json_module *m = NULL;
    char missing_a[512], missing_b[512], garbage[512];
    snprintf(missing_a, sizeof(missing_a), "%s/a/nook-json.so", dir);
    snprintf(missing_b, sizeof(missing_b), "%s/b/nook-json.so", dir);
    snprintf(garbage, sizeof(garbage), "%s/garbage.so", dir);

    const char *none[] = { missing_a, missing_b, NULL };
    CHECK(t, nook_json_module_open(none, &m, &err) == -ENOENT && !m, "no module anywhere: ENOENT");
    CHECK(t, strstr(err.message, missing_a) && strstr(err.message, missing_b) &&
                 strstr(err.message, "reinstall nook"),
          "the error names every path tried");

    int fd = open(garbage, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    CHECK(t, fd >= 0 && write(fd, "not an ELF file\n", 16) == 16, "write a garbage module");
    close(fd);
    const char *bad[] = { garbage, missing_a, NULL };
    CHECK(t, nook_json_module_open(bad, &m, &err) == -ELIBBAD && !m,
          "a broken module is an error, not a reason to look further");
    CHECK(t, strstr(err.message, garbage) && !strstr(err.message, "/proc/self/fd"),
          "the error names the module by its path");

    chmod(garbage, 0646);
    CHECK(t, nook_json_module_open(bad, &m, &err) == -EPERM &&
                 strstr(err.message, "writable by anyone"),
          "a module anyone can write is not loaded");

    Dl_info info = { 0 };
    /* Not fopen: a sanitizer replaces it with its own, in the executable. */
    CHECK(t, dladdr((void *)gnu_get_libc_version, &info) != 0 && info.dli_fname, "find the C library");
    char message[NOOK_ERROR_MAX];
    const char *foreign[] = { info.dli_fname, NULL };
    CHECK(t, open_in_child(foreign, message, sizeof(message)) == -ELIBBAD &&
                 strstr(message, "is not nook's JSON module"),
          "another library is refused");

    const char *other[] = { fake_module, NULL };
    CHECK(t, open_in_child(other, message, sizeof(message)) == -ELIBBAD &&
                 strstr(message, "belongs to another build of nook") && strstr(message, "elsewhere"),
          "a module of another build is refused, naming both builds");
}

static void test_real_module(struct tap *t, const char *real_module)
{
    struct nook_error err = { 0 };
    const struct nook_json_module *m = NULL;
    const char *real[] = { real_module, NULL };
    CHECK(t, nook_json_module_open(real, &m, &err) == 0 && m, "the built module loads");
    if (!m) {
        printf("# %s\n", err.message);
        return;
    }
    const char *doc = "{\"ociVersion\": \"1.2.0\", \"root\": {\"path\": \"rootfs\"},"
                      " \"process\": {\"args\": [\"sh\"], \"cwd\": \"/\"}}";
    struct nook_spec *spec = NULL;
    CHECK(t, m->spec_parse(doc, strlen(doc), "config.json", &spec, &err) == 0 && spec &&
                 strcmp(spec->process->args[0], "sh") == 0,
          "config.json parses through the module");
    nook_spec_free(spec);  /* the runtime's free, on the module's allocation */
    CHECK(t, m->spec_parse("{}", 2, "config.json", &spec, &err) == -EINVAL &&
                 strstr(err.message, "config.json: .ociVersion"),
          "errors come back through the module");
    const struct nook_json_module *again = NULL;
    CHECK(t, nook_json_module_open(real, &again, &err) == 0 && again == m,
          "loading twice finds the same module");
    _cleanup_free_ char *text = m->spec_default_text(true);
    CHECK(t, text && strstr(text, "\"ociVersion\""), "the default spec through the module");
}

int main(void)
{
    struct tap t = { 0 };
    const char *real_module = getenv("NOOK_JSON_MODULE");
    const char *fake_module = getenv("NOOK_FAKE_JSON_MODULE");
    char dir[] = "/tmp/nook-test-json-module.XXXXXX";
    if (!real_module || !fake_module || !mkdtemp(dir)) {
        printf("Bail out! NOOK_JSON_MODULE and NOOK_FAKE_JSON_MODULE must be set\n");
        return 1;
    }
    test_candidates(&t);
    test_refusals(&t, dir, fake_module);
    test_real_module(&t, real_module);
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    CHECK(&t, system(cmd) == 0, "clean up");
    return tap_done(&t);
}
