/* cgroup-systemd-annotations.c: the org.systemd.property.NAME annotations
 * of config.json as unit properties: runc's convention, with the value in
 * GVariant's text format, of which nook reads the subset that unit
 * properties use (see nook_sd_parse_value in cgroup-systemd.h). Anything
 * else is refused with the annotation's name, before anything starts. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup-systemd.h"
#include "spec.h"

#define ANNOTATION_PREFIX "org.systemd.property."
#define USEC_PER_SEC UINT64_C(1000000)

static const char *skip_blanks(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\n')
        p++;
    return p;
}

/* A quoted string at *p ('...' or "..."); *p moves past it. Backslash
 * escapes: \n \t \\ \' \" and any other character as itself. */
static int parse_quoted(const char **p, char **out, const char **why)
{
    char q = **p;
    const char *s = *p + 1;
    _cleanup_free_ char *buf = malloc(strlen(s) + 1);
    if (!buf)
        return -ENOMEM;
    size_t n = 0;
    for (; *s && *s != q; s++) {
        if (*s == '\\') {
            s++;
            if (!*s)
                break;
            buf[n++] = *s == 'n' ? '\n' : *s == 't' ? '\t' : *s;
        } else {
            buf[n++] = *s;
        }
    }
    if (*s != q) {
        *why = "the string has no closing quote";
        return -EINVAL;
    }
    buf[n] = '\0';
    *p = s + 1;
    *out = steal_pointer(&buf);
    return 0;
}

static const struct {
    const char *word;
    char type;
    int64_t min;
    uint64_t max;
} integer_types[] = {
    { "byte", 'y', 0, UINT8_MAX },         { "int16", 'n', INT16_MIN, INT16_MAX },
    { "uint16", 'q', 0, UINT16_MAX },      { "int32", 'i', INT32_MIN, INT32_MAX },
    { "uint32", 'u', 0, UINT32_MAX },      { "int64", 'x', INT64_MIN, INT64_MAX },
    { "uint64", 't', 0, UINT64_MAX },
};

/* An integer of the type at integer_types[k], the whole rest of text. */
static int parse_integer(const char *text, size_t k, struct nook_sd_value *out, const char **why)
{
    text = skip_blanks(text);
    size_t len = strlen(text);
    while (len > 0 && (text[len - 1] == ' ' || text[len - 1] == '\t' || text[len - 1] == '\n'))
        len--;
    char *end = NULL;
    errno = 0;
    if (len == 0) {
        *why = "a number is missing after the type";
        return -EINVAL;
    }
    out->type[0] = integer_types[k].type;
    out->type[1] = '\0';
    if (nook_sd_type_is_signed(integer_types[k].type)) {
        long long v = strtoll(text, &end, 0);
        if (errno || (size_t)(end - text) != len) {
            *why = "it is not an integer";
            return -EINVAL;
        }
        if (v < integer_types[k].min || (v > 0 && (uint64_t)v > integer_types[k].max)) {
            *why = "the number is out of the type's range";
            return -ERANGE;
        }
        out->i64 = v;
    } else {
        if (text[0] == '-') {
            *why = "an unsigned type cannot be negative";
            return -ERANGE;
        }
        unsigned long long v = strtoull(text, &end, 0);
        if (errno || (size_t)(end - text) != len) {
            *why = errno == ERANGE ? "the number is out of the type's range"
                                   : "it is not an integer";
            return -EINVAL;
        }
        if (v > integer_types[k].max) {
            *why = "the number is out of the type's range";
            return -ERANGE;
        }
        out->u64 = v;
    }
    return 0;
}

static int parse_double(const char *text, struct nook_sd_value *out, const char **why)
{
    text = skip_blanks(text);
    char *end = NULL;
    errno = 0;
    double d = strtod(text, &end);
    if (errno || end == text || *skip_blanks(end) || !isfinite(d)) {
        *why = "it is not a finite number";
        return -EINVAL;
    }
    strcpy(out->type, "d");
    out->d = d;
    return 0;
}

static int parse_string_array(const char *text, struct nook_sd_value *out, const char **why)
{
    const char *p = skip_blanks(text + 1); /* past '[' */
    size_t count = 0;
    _cleanup_strv_ char **strv = calloc(1, sizeof(char *));
    if (!strv)
        return -ENOMEM;
    if (*p == ']')
        goto close;
    for (;;) {
        if (*p != '\'' && *p != '"') {
            *why = "an array holds quoted strings only: ['a', 'b']";
            return -EINVAL;
        }
        char *item = NULL;
        int r = parse_quoted(&p, &item, why);
        if (r < 0)
            return r;
        char **grown = realloc(strv, (count + 2) * sizeof(char *));
        if (!grown) {
            free(item);
            return -ENOMEM;
        }
        strv = grown;
        strv[count++] = item;
        strv[count] = NULL;
        p = skip_blanks(p);
        if (*p == ',') {
            p = skip_blanks(p + 1);
            continue;
        }
        if (*p == ']')
            break;
        *why = "array items are separated by \",\" and the array ends with \"]\"";
        return -EINVAL;
    }
close:
    if (*skip_blanks(p + 1)) {
        *why = "there is text after the closing \"]\"";
        return -EINVAL;
    }
    strcpy(out->type, "as");
    out->strv = steal_pointer(&strv);
    return 0;
}

static bool starts_with_word(const char *text, const char *word, const char **rest)
{
    size_t len = strlen(word);
    if (strncmp(text, word, len) != 0 || (text[len] != ' ' && text[len] != '\t'))
        return false;
    *rest = text + len;
    return true;
}

static int parse_typed(char type, const char *rest, struct nook_sd_value *out, const char **why);

int nook_sd_parse_value(const char *text, struct nook_sd_value *out, const char **why)
{
    memset(out, 0, sizeof(*out));
    *why = NULL;
    const char *p = skip_blanks(text);
    size_t len = strlen(p);
    while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t' || p[len - 1] == '\n'))
        len--;
    if (len == 0) {
        *why = "the value is empty";
        return -EINVAL;
    }
    if ((len == 4 && strncmp(p, "true", 4) == 0) || (len == 5 && strncmp(p, "false", 5) == 0)) {
        strcpy(out->type, "b");
        out->b = p[0] == 't';
        return 0;
    }
    if (*p == '\'' || *p == '"') {
        const char *q = p;
        char *s = NULL;
        int r = parse_quoted(&q, &s, why);
        if (r < 0)
            return r;
        if (*skip_blanks(q)) {
            free(s);
            *why = "there is text after the closing quote";
            return -EINVAL;
        }
        strcpy(out->type, "s");
        out->s = s;
        return 0;
    }
    if (*p == '[')
        return parse_string_array(p, out, why);
    const char *rest = NULL;
    if (starts_with_word(p, "@as", &rest)) {
        rest = skip_blanks(rest);
        if (*rest != '[') {
            *why = "@as is followed by an array: @as []";
            return -EINVAL;
        }
        return parse_string_array(rest, out, why);
    }
    if (p[0] == '@' && p[1] && (p[2] == ' ' || p[2] == '\t'))
        return parse_typed(p[1], p + 2, out, why);
    for (size_t k = 0; k < N_ELEMENTS(integer_types); k++)
        if (starts_with_word(p, integer_types[k].word, &rest))
            return parse_integer(rest, k, out, why);
    if (starts_with_word(p, "double", &rest))
        return parse_double(rest, out, why);
    if (isdigit((unsigned char)*p) || *p == '-' || *p == '+') {
        /* GVariant reads a bare number as int32, or as a double when it
         * has a fraction or an exponent. */
        if (strpbrk(p, ".eE") && !strpbrk(p, "xX"))
            return parse_double(p, out, why);
        for (size_t k = 0; k < N_ELEMENTS(integer_types); k++)
            if (integer_types[k].type == 'i')
                return parse_integer(p, k, out, why);
    }
    *why = "it is not a value nook reads: true, false, 'text', ['a', 'b'], uint64 N (or byte, "
           "int16, uint16, int32, uint32, int64), double X, a bare integer (int32), or @T V";
    return -EINVAL;
}

static int parse_typed(char type, const char *rest, struct nook_sd_value *out, const char **why)
{
    for (size_t k = 0; k < N_ELEMENTS(integer_types); k++)
        if (integer_types[k].type == type)
            return parse_integer(rest, k, out, why);
    if (type == 'd')
        return parse_double(rest, out, why);
    if (type == 'b' || type == 's') {
        int r = nook_sd_parse_value(rest, out, why);
        if (r < 0)
            return r;
        if (out->type[0] != type || out->type[1]) {
            nook_sd_value_clear(out);
            *why = type == 'b' ? "@b takes true or false" : "@s takes a quoted string";
            return -EINVAL;
        }
        return 0;
    }
    *why = "@T takes one of the types b y n q i u x t d s (and @as [])";
    return -EINVAL;
}

/* ---- the annotations ---- */

static bool valid_property_name(const char *name)
{
    size_t len = strlen(name);
    if (len < 3)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!isascii((unsigned char)name[i]) || !isalpha((unsigned char)name[i]))
            return false;
    return true;
}

/* runc's convenience: systemd documents TimeoutStopSec= but its D-Bus
 * property is TimeoutStopUSec; "...[a-z]Sec" is sent as "...USec" with the
 * number in microseconds. */
static int sec_to_usec(const char *name, char **new_name, struct nook_sd_value *value,
                       const char **why)
{
    size_t len = strlen(name);
    *new_name = NULL;
    if (len < 4 || strcmp(name + len - 3, "Sec") != 0 || !islower((unsigned char)name[len - 4]))
        return 0;
    uint64_t usec;
    char t = value->type[0];
    if (value->type[1] == '\0' && nook_sd_type_is_integer(t)) {
        if (nook_sd_type_is_signed(t) && value->i64 < 0) {
            *why = "a time cannot be negative";
            return -EINVAL;
        }
        uint64_t sec = nook_sd_type_is_signed(t) ? (uint64_t)value->i64 : value->u64;
        if (sec > UINT64_MAX / USEC_PER_SEC) {
            *why = "the time is too large";
            return -ERANGE;
        }
        usec = sec * USEC_PER_SEC;
    } else if (t == 'd') {
        double d = value->d * (double)USEC_PER_SEC;
        if (d < 0 || d >= 18446744073709551615.0) {
            *why = d < 0 ? "a time cannot be negative" : "the time is too large";
            return -ERANGE;
        }
        usec = (uint64_t)d;
    } else {
        *why = "a ...Sec property takes a number of seconds";
        return -EINVAL;
    }
    if (asprintf(new_name, "%.*sUSec", (int)(len - 3), name) < 0)
        return -ENOMEM;
    nook_sd_value_clear(value);
    strcpy(value->type, "t");
    value->u64 = usec;
    return 0;
}

int nook_sd_props_from_annotations(const struct nook_spec_map *annotations,
                                   struct nook_sd_props *props, struct nook_error *err)
{
    if (!annotations)
        return 0;
    size_t plen = strlen(ANNOTATION_PREFIX);
    char shown[NOOK_SD_QUOTED_SIZE], shown_value[NOOK_SD_QUOTED_SIZE];
    for (size_t i = 0; i < annotations->count; i++) {
        const struct nook_spec_kv *kv = &annotations->items[i];
        if (strncmp(kv->key, ANNOTATION_PREFIX, plen) != 0)
            continue;
        const char *name = kv->key + plen;
        nook_sd_quote(kv->key, shown, sizeof(shown));
        if (!valid_property_name(name))
            return nook_error_set(err, EINVAL,
                                  "config.json: .annotations[\"%s\"]: what follows \""
                                  ANNOTATION_PREFIX "\" is not a systemd property name "
                                  "(ASCII letters only, at least 3)",
                                  shown);
        if (strcmp(name, "PIDs") == 0 || strcmp(name, "Delegate") == 0)
            return nook_error_set(err, EINVAL,
                                  "config.json: .annotations[\"%s\"]: nook sets %s itself (the "
                                  "container's init, and delegation so that it can make the "
                                  "container's cgroup inside the unit)",
                                  shown, name);
        struct nook_sd_value value;
        const char *why = NULL;
        int r = nook_sd_parse_value(kv->value, &value, &why);
        if (r == -ENOMEM)
            return nook_error_set(err, ENOMEM, "out of memory");
        nook_sd_quote(kv->value, shown_value, sizeof(shown_value));
        if (r < 0)
            return nook_error_set(err, EINVAL, "config.json: .annotations[\"%s\"]: \"%s\": %s",
                                  shown, shown_value, why);
        _cleanup_free_ char *usec_name = NULL;
        r = sec_to_usec(name, &usec_name, &value, &why);
        if (r < 0) {
            nook_sd_value_clear(&value);
            if (r == -ENOMEM)
                return nook_error_set(err, ENOMEM, "out of memory");
            return nook_error_set(err, EINVAL, "config.json: .annotations[\"%s\"]: \"%s\": %s",
                                  shown, shown_value, why);
        }
        const char *prop = usec_name ? usec_name : name;
        r = nook_sd_props_set(props, prop, &value);
        nook_sd_value_clear(&value);
        if (r < 0)
            return nook_error_set(err, ENOMEM, "out of memory");
    }
    return 0;
}
