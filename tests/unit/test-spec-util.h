/* test-spec-util.h: helpers the config.json unit tests share: reading a
 * fixture from $NOOK_FIXTURES and parsing an inline document. */
#pragma once

#include <stdlib.h>
#include <string.h>

#include "lib/spec.h"
#include "tap.h"

/* The whole file, NUL-terminated; NULL (and a TAP comment) on failure. */
static inline char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "re");
    if (!f) {
        printf("# cannot open %s\n", path);
        return NULL;
    }
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0)
            break;
        if (n + 1 == cap) {
            char *bigger = realloc(buf, cap * 2);
            if (!bigger) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf)
        buf[n] = '\0';
    *len = n;
    return buf;
}

static inline char *fixture_path(const char *relative)
{
    const char *root = getenv("NOOK_FIXTURES");
    char *path = NULL;
    if (asprintf(&path, "%s/configs/%s", root ? root : "tests/fixtures", relative) < 0)
        return NULL;
    return path;
}

static inline char *read_fixture(const char *relative, size_t *len)
{
    char *path = fixture_path(relative);
    char *text = path ? read_file(path, len) : NULL;
    free(path);
    return text;
}

/* Parse an inline document. */
static inline int parse_text(const char *text, struct nook_spec **spec, struct nook_error *err)
{
    *spec = NULL;
    nook_error_clear(err);
    return nook_spec_parse(text, strlen(text), "config.json", spec, err);
}

#define CHECK_ERR(t, err, want, what)                                                             \
    do {                                                                                          \
        if (!CHECK((t), strstr((err)->message, (want)) != NULL, (what)))                         \
            printf("#   got:  \"%s\"\n#   want: \"...%s...\"\n", (err)->message, (want));        \
    } while (0)
