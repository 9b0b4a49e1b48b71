/* container-id.c: validation of container ids. */
#include <stdbool.h>
#include <string.h>

#include "container-id.h"

/* How much of a rejected id the error message repeats: enough to recognise
 * it, never a screenful. */
#define SHOWN_ID_MAX 64

static bool is_alnum_ascii(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool is_id_char(char c)
{
    return is_alnum_ascii(c) || c == '_' || c == '.' || c == '-';
}

/* Quote a rejected id for a one-line message: control bytes, quotes and
 * non-ASCII bytes become \xNN so a hostile id cannot forge output lines. */
static void quote_id(const char *id, char *out, size_t size)
{
    size_t n = 0;
    size_t shown = 0;
    for (const unsigned char *p = (const unsigned char *)id; *p; p++, shown++) {
        if (shown == SHOWN_ID_MAX) {
            if (n + 4 < size) {
                memcpy(out + n, "...", 3);
                n += 3;
            }
            break;
        }
        if (*p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\') {
            if (n + 1 >= size)
                break;
            out[n++] = (char)*p;
        } else {
            if (n + 4 >= size)
                break;
            n += (size_t)snprintf(out + n, size - n, "\\x%02x", *p);
        }
    }
    out[n] = '\0';
}

int nook_container_id_validate(const char *id, struct nook_error *err)
{
    const char *problem = NULL;
    size_t len = id ? strnlen(id, NOOK_CONTAINER_ID_MAX + 1) : 0;
    if (len == 0)
        return nook_error_set(err, EINVAL,
                              "invalid container id \"\": the id must not be empty; it starts with "
                              "a letter or digit, followed by letters, digits, \"_\", \".\" or \"-\"");
    if (len > NOOK_CONTAINER_ID_MAX)
        problem = "it is longer than 1024 bytes";
    else if (!is_alnum_ascii(id[0]))
        problem = "it must start with a letter or digit";
    else
        for (size_t i = 1; i < len; i++)
            if (!is_id_char(id[i])) {
                problem = "it may contain only letters, digits, \"_\", \".\" and \"-\"";
                break;
            }
    if (!problem)
        return 0;

    char shown[SHOWN_ID_MAX * 4 + 8];
    quote_id(id, shown, sizeof(shown));
    return nook_error_set(err, EINVAL,
                          "invalid container id \"%s\": %s (an id is a letter or digit, then "
                          "letters, digits, \"_\", \".\" or \"-\", at most %d bytes)",
                          shown, problem, NOOK_CONTAINER_ID_MAX);
}
