/* test-json-read.c: nook's own JSON reader (json-read.h) and writer
 * (json-text.h), and state.json written and read back with them. */
#include <stdlib.h>
#include <string.h>

#include "lib/json-read.h"
#include "lib/json-text.h"
#include "lib/state.h"
#include "tap.h"

/* Parse text (NUL-terminated) with the default limits. */
static int parse(const char *text, struct nook_json_value **out, struct nook_error *err)
{
    return nook_json_parse(text, strlen(text), NULL, out, err);
}

/* The error message of a document that must be refused, or "" if accepted. */
static const char *refusal(const char *text, int *code, struct nook_error *err)
{
    struct nook_json_value *v = NULL;
    nook_error_clear(err);
    *code = parse(text, &v, err);
    if (*code == 0) {
        nook_json_free(v);
        return "";
    }
    return err->message;
}

static void test_values(struct tap *t)
{
    struct nook_error err = { 0 };
    _cleanup_(nook_json_freep) struct nook_json_value *v = NULL;
    const char *doc = " {\"s\": \"text\", \"i\": -42, \"big\": 9223372036854775807,\n"
                      "  \"small\": -9223372036854775808, \"zero\": 0, \"t\": true, \"f\": false,\n"
                      "  \"n\": null, \"a\": [1, [], {}, \"x\"], \"o\": {\"k\": \"v\"}, \"e\": \"\"} \n";
    CHECK(t, parse(doc, &v, &err) == 0, "a document with every kind of value parses");
    if (!v)
        return;
    CHECK(t, v->type == NOOK_JSON_OBJECT && v->as.object.count == 11, "the root is an object of 11");
    CHECK_STR(t, v->as.object.members[0].name, "s", "members keep document order");
    const struct nook_json_value *s = nook_json_get(v, "s");
    CHECK(t, s && s->type == NOOK_JSON_STRING && s->as.string.length == 4, "a string");
    CHECK_STR(t, s ? s->as.string.chars : NULL, "text", "the string's text");
    const struct nook_json_value *i = nook_json_get(v, "i");
    CHECK(t, i && i->type == NOOK_JSON_INT && i->as.integer == -42, "a negative integer");
    i = nook_json_get(v, "big");
    CHECK(t, i && i->type == NOOK_JSON_INT && i->as.integer == INT64_MAX, "INT64_MAX");
    i = nook_json_get(v, "small");
    CHECK(t, i && i->type == NOOK_JSON_INT && i->as.integer == INT64_MIN, "INT64_MIN");
    i = nook_json_get(v, "zero");
    CHECK(t, i && i->type == NOOK_JSON_INT && i->as.integer == 0, "zero");
    const struct nook_json_value *b = nook_json_get(v, "t");
    CHECK(t, b && b->type == NOOK_JSON_BOOL && b->as.boolean, "true");
    b = nook_json_get(v, "f");
    CHECK(t, b && b->type == NOOK_JSON_BOOL && !b->as.boolean, "false");
    const struct nook_json_value *n = nook_json_get(v, "n");
    CHECK(t, n && n->type == NOOK_JSON_NULL, "null is a value, not an absent member");
    const struct nook_json_value *a = nook_json_get(v, "a");
    CHECK(t, a && a->type == NOOK_JSON_ARRAY && a->as.array.count == 4 &&
                 a->as.array.items[1].type == NOOK_JSON_ARRAY &&
                 a->as.array.items[1].as.array.count == 0 &&
                 a->as.array.items[2].type == NOOK_JSON_OBJECT &&
                 a->as.array.items[3].type == NOOK_JSON_STRING,
          "an array of mixed values, with empty ones");
    const struct nook_json_value *o = nook_json_get(v, "o");
    CHECK(t, o && nook_json_get(o, "k") && strcmp(nook_json_get(o, "k")->as.string.chars, "v") == 0,
          "a nested object");
    const struct nook_json_value *e = nook_json_get(v, "e");
    CHECK(t, e && e->type == NOOK_JSON_STRING && e->as.string.length == 0, "an empty string");
    CHECK(t, nook_json_get(v, "missing") == NULL, "a missing member is NULL");
    CHECK(t, nook_json_get(a, "s") == NULL, "get on an array is NULL");
    CHECK_STR(t, nook_json_type_name(NOOK_JSON_INT), "an integer", "type names for messages");

    struct nook_json_value *top = NULL;
    CHECK(t, parse("\"alone\"", &top, &err) == 0 && top && top->type == NOOK_JSON_STRING,
          "a scalar document");
    nook_json_free(top);
    top = NULL;
    CHECK(t, parse("[]", &top, &err) == 0 && top && top->type == NOOK_JSON_ARRAY, "an empty array");
    nook_json_free(top);
    top = NULL;
    CHECK(t, nook_json_parse("[1] trailing", 3, NULL, &top, &err) == 0,
          "only length bytes are read");
    nook_json_free(top);
}

static void test_escapes(struct tap *t)
{
    struct nook_error err = { 0 };
    _cleanup_(nook_json_freep) struct nook_json_value *v = NULL;
    const char *doc = "[\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t\", \"\\u0041\\u00e9\\u20ac\","
                      " \"\\ud83d\\ude00\", \"a\\u0000b\", \"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"]";
    CHECK(t, parse(doc, &v, &err) == 0, "every escape parses");
    if (!v || v->type != NOOK_JSON_ARRAY || v->as.array.count != 5)
        return;
    const struct nook_json_value *items = v->as.array.items;
    CHECK_STR(t, items[0].as.string.chars, "\" \\ / \b \f \n \r \t", "the short escapes");
    CHECK_STR(t, items[1].as.string.chars, "A\xc3\xa9\xe2\x82\xac", "\\u escapes become UTF-8");
    CHECK_STR(t, items[2].as.string.chars, "\xf0\x9f\x98\x80", "a surrogate pair is one character");
    CHECK(t, items[3].as.string.length == 3 && memcmp(items[3].as.string.chars, "a\0b", 3) == 0,
          "\\u0000 is kept, and the length shows it");
    CHECK_STR(t, items[4].as.string.chars, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80",
              "raw UTF-8 is kept as it is");
}

struct bad_case {
    const char *text;
    int code;
    const char *message;  /* a part of the error that must be there */
};

static void test_refusals(struct tap *t)
{
    static const struct bad_case cases[] = {
        { "", -EBADMSG, "the document is empty" },
        { "  \n ", -EBADMSG, "the document is empty" },
        { "{", -EBADMSG, "line 1, column 2: expected a member name in double quotes, found the end" },
        { "{\"a\" 1}", -EBADMSG, "line 1, column 6: expected ':' after the member name, found '1'" },
        { "{\"a\": 1,}", -EBADMSG, "column 9: expected a member name in double quotes, found '}'" },
        { "[1,]", -EBADMSG, "line 1, column 4: expected a value, found ']'" },
        { "[1 2]", -EBADMSG, "line 1, column 4: expected ',' or ']', found '2'" },
        { "{\"a\": 1\n \"b\": 2}", -EBADMSG, "line 2, column 2: expected ',' or '}', found '\"'" },
        { "{\"a\": 1, \"a\": 2}", -EBADMSG, "line 1, column 10: member \"a\" appears twice" },
        { "[\"\xc3\xa9\", nul]", -EBADMSG, "line 1, column 7: expected a value, found 'n'" },
        { "tru", -EBADMSG, "expected a value, found 't'" },
        { "truex", -EBADMSG, "line 1, column 5: 'x' after the end of the document" },
        { "{} {}", -EBADMSG, "'{' after the end of the document" },
        { "1.5", -EBADMSG, "only integers are supported" },
        { "1e3", -EBADMSG, "only integers are supported" },
        { "01", -EBADMSG, "must not start with 0" },
        { "-", -EBADMSG, "expected a digit" },
        { "+1", -EBADMSG, "expected a value, found '+'" },
        { "9223372036854775808", -EBADMSG, "integer out of range" },
        { "-9223372036854775809", -EBADMSG, "integer out of range" },
        { "99999999999999999999999", -EBADMSG, "integer out of range" },
        { "\"open", -EBADMSG, "line 1, column 1: string is not terminated" },
        { "\"a\\\"", -EBADMSG, "string is not terminated" },
        { "\"tab\there\"", -EBADMSG, "control character 0x09" },
        { "\"\\x\"", -EBADMSG, "invalid escape: '\\' followed by 'x'" },
        { "\"\\u12\"", -EBADMSG, "\\u must be followed by four hex digits" },
        { "\"\\ud83d\"", -EBADMSG, "\\uD83D is a high surrogate without a low one" },
        { "\"\\ud83d\\u0041\"", -EBADMSG, "high surrogate without a low one" },
        { "\"\\ude00\"", -EBADMSG, "\\uDE00 is a lone low surrogate" },
        { "\"\xff\"", -EBADMSG, "invalid UTF-8" },
        { "\"\xc0\xaf\"", -EBADMSG, "invalid UTF-8" },
        { "\"\xed\xa0\x80\"", -EBADMSG, "invalid UTF-8" },
        { "\"\xe2\x82\"", -EBADMSG, "invalid UTF-8" },
        { "{\"a\\u0000b\": 1}", -EBADMSG, "must not contain \\u0000" },
        { "\xef\xbb\xbf{}", -EBADMSG, "byte order mark" },
        { "@", -EBADMSG, "expected a value, found '@'" },
        { "\x01", -EBADMSG, "found byte 0x01" },
    };
    struct nook_error err = { 0 };
    for (size_t i = 0; i < N_ELEMENTS(cases); i++) {
        int code = 0;
        const char *message = refusal(cases[i].text, &code, &err);
        char what[160];
        snprintf(what, sizeof(what), "refused (case %zu): %s", i, cases[i].message);
        if (!CHECK(t, code == cases[i].code && strstr(message, cases[i].message) != NULL, what))
            printf("#   code %d, message: %s\n", code, message);
    }
}

static void test_limits(struct tap *t)
{
    struct nook_error err = { 0 };
    struct nook_json_value *v = NULL;
    const struct nook_json_limits small = { .max_size = 8, .max_depth = 2 };
    CHECK(t, nook_json_parse("[[1]]", 5, &small, &v, &err) == 0, "depth 2 within a limit of 2");
    nook_json_free(v);
    v = NULL;
    CHECK(t, nook_json_parse("[[[1]]]", 7, &small, &v, &err) == -EBADMSG && !v,
          "depth 3 beyond a limit of 2 is refused");
    CHECK(t, strstr(err.message, "line 1, column 3: nested deeper than 2 levels") != NULL,
          "the depth error says where and what the limit is");
    CHECK(t, nook_json_parse("[1, 2, 3, 4]", 12, &small, &v, &err) == -EFBIG,
          "a document over the size limit is refused");
    CHECK(t, strstr(err.message, "12 bytes, more than the 8 allowed") != NULL,
          "the size error names both sizes");

    /* The default depth protects the stack from a hostile file. */
    size_t depth = 100000;
    char *deep = malloc(depth * 2);
    if (!deep)
        return;
    memset(deep, '[', depth);
    memset(deep + depth, ']', depth);
    CHECK(t, nook_json_parse(deep, depth * 2, NULL, &v, &err) == -EBADMSG && !v,
          "100000 nested arrays are refused at the default depth");
    CHECK(t, strstr(err.message, "nested deeper than 32 levels") != NULL, "the default depth is 32");
    free(deep);

    /* Many members: duplicates are still found, and quickly. */
    size_t n = 20000;
    char *wide = malloc(n * 24 + 16);
    if (!wide)
        return;
    size_t used = (size_t)sprintf(wide, "{");
    for (size_t i = 0; i < n; i++)
        used += (size_t)sprintf(wide + used, "%s\"m%zu\": %zu", i ? ", " : "", i, i);
    strcpy(wide + used, "}");
    CHECK(t, nook_json_parse(wide, used + 1, NULL, &v, &err) == 0 && v &&
                 v->as.object.count == n,
          "an object of 20000 members parses");
    nook_json_free(v);
    v = NULL;
    used += (size_t)sprintf(wide + used, ", \"m7\": 1}");
    CHECK(t, nook_json_parse(wide, used, NULL, &v, &err) == -EBADMSG &&
                 strstr(err.message, "member \"m7\" appears twice") != NULL,
          "a duplicate among 20000 members is found");
    free(wide);
}

/* The writer's text for one fixed document, compact or indented. */
static char *written(unsigned indent, unsigned flags)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    if (!f)
        return NULL;
    struct nook_json_writer w;
    nook_json_writer_init(&w, f, indent, flags);
    nook_json_writer_begin_object(&w);
    nook_json_writer_name(&w, "s");
    nook_json_writer_string(&w, "<a & b>\n\"\x01\xff\xe2\x80\xa8");
    nook_json_writer_name(&w, "n");
    nook_json_writer_int(&w, -7);
    nook_json_writer_name(&w, "a");
    nook_json_writer_begin_array(&w);
    nook_json_writer_bool(&w, true);
    nook_json_writer_null(&w);
    nook_json_writer_string(&w, NULL);
    nook_json_writer_end_array(&w);
    nook_json_writer_name(&w, "e");
    nook_json_writer_begin_object(&w);
    nook_json_writer_end_object(&w);
    nook_json_writer_end_object(&w);
    int r = nook_json_writer_finish(&w);
    fclose(f);
    if (r < 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

static void test_writer(struct tap *t)
{
    _cleanup_free_ char *compact = written(0, NOOK_JSON_ESCAPE_HTML);
    CHECK_STR(t, compact,
              "{\"s\":\"\\u003ca \\u0026 b\\u003e\\n\\\"\\u0001\\ufffd\\u2028\",\"n\":-7,"
              "\"a\":[true,null,null],\"e\":{}}",
              "compact, with Go's escapes (HTML, invalid UTF-8, U+2028)");
    _cleanup_free_ char *pretty = written(2, 0);
    CHECK_STR(t, pretty,
              "{\n  \"s\": \"<a & b>\\n\\\"\\u0001\\ufffd\\u2028\",\n  \"n\": -7,\n  \"a\": [\n"
              "    true,\n    null,\n    null\n  ],\n  \"e\": {}\n}",
              "indented as Go's MarshalIndent, no HTML escapes without the flag");

    /* Whatever the writer writes, the reader reads back. */
    struct nook_error err = { 0 };
    _cleanup_(nook_json_freep) struct nook_json_value *v = NULL;
    CHECK(t, pretty && parse(pretty, &v, &err) == 0, "the reader reads the writer's output");
    const struct nook_json_value *s = nook_json_get(v, "s");
    CHECK_STR(t, s ? s->as.string.chars : NULL, "<a & b>\n\"\x01\xef\xbf\xbd\xe2\x80\xa8",
              "the string comes back (the invalid byte as U+FFFD)");

    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    struct nook_json_writer w;
    nook_json_writer_init(&w, f, 0, 0);
    nook_json_writer_begin_object(&w);
    nook_json_writer_int(&w, 1);
    nook_json_writer_end_object(&w);
    CHECK(t, nook_json_writer_finish(&w) == -EINVAL, "a value without a name in an object is a misuse");
    nook_json_writer_init(&w, f, 0, 0);
    nook_json_writer_begin_array(&w);
    CHECK(t, nook_json_writer_finish(&w) == -EINVAL, "an unclosed array is a misuse");
    nook_json_writer_init(&w, f, 0, 0);
    for (int i = 0; i <= NOOK_JSON_WRITER_MAX_DEPTH; i++)
        nook_json_writer_begin_array(&w);
    for (int i = 0; i <= NOOK_JSON_WRITER_MAX_DEPTH; i++)
        nook_json_writer_end_array(&w);
    CHECK(t, nook_json_writer_finish(&w) == -EINVAL, "nesting beyond the writer's depth is a misuse");
    fclose(f);
    free(buf);
}

static void test_state_round_trip(struct tap *t)
{
    struct nook_error err = { 0 };
    struct nook_state s = {
        .version = NOOK_STATE_VERSION,
        .id = "c-1",
        .oci_version = "1.2.0",
        .creating = false,
        .creator_pid = 0,
        .creator_start_time = 0,
        .init_pid = 4242,
        .init_start_time = 18446744073709551ull,
        .bundle = "/b/\"quoted\" \\ \xc3\xa9",
        .rootfs = "/b/rootfs",
        .created = "2024-01-02T03:04:05.5Z",
        .owner = "alice",
        .cgroup_manager = "systemd",
        .cgroup_path = "/user.slice/nook-c-1.scope",
        .cgroup_unit = "nook-c-1.scope",
    };
    struct nook_annotation annotations[] = {
        { "a.first", "line\nbreak\ttab" },
        { "z.last", "<html> & \xe2\x82\xac" },
    };
    s.annotations = annotations;
    s.n_annotations = N_ELEMENTS(annotations);

    _cleanup_free_ char *text = NULL;
    CHECK(t, nook_state_to_json(&s, &text, &err) == 0, "state to JSON");
    CHECK(t, text && text[strlen(text) - 1] == '\n', "state.json ends in a newline");
    CHECK(t, text && strstr(text, "  \"cgroup_unit\": \"nook-c-1.scope\",\n") != NULL &&
                 strstr(text, "  \"init_start_time\": 18446744073709551,\n") != NULL &&
                 strstr(text, "  \"creating\": false,\n") != NULL,
          "fields keep their names and types");

    _cleanup_(nook_state_clear) struct nook_state back = { 0 };
    CHECK(t, text && nook_state_from_json(text, strlen(text), &back, &err) == 0,
          "state from its own JSON");
    CHECK(t, back.version == NOOK_STATE_VERSION && back.init_pid == 4242 &&
                 back.init_start_time == s.init_start_time && !back.creating,
          "numbers and booleans round trip");
    CHECK_STR(t, back.bundle, s.bundle, "quotes, backslashes and UTF-8 round trip");
    CHECK_STR(t, back.cgroup_manager, "systemd", "cgroup_manager round trip");
    CHECK_STR(t, back.cgroup_path, s.cgroup_path, "cgroup_path round trip");
    CHECK_STR(t, back.cgroup_unit, s.cgroup_unit, "cgroup_unit round trip");
    CHECK(t, back.n_annotations == 2, "annotations round trip");
    if (back.n_annotations == 2) {
        CHECK_STR(t, back.annotations[0].value, "line\nbreak\ttab", "control characters round trip");
        CHECK_STR(t, back.annotations[1].value, annotations[1].value, "HTML characters round trip");
    }

    /* The optional cgroup fields: left out when unset, and null reads as unset. */
    s.cgroup_manager = s.cgroup_path = s.cgroup_unit = NULL;
    free(text);
    text = NULL;
    CHECK(t, nook_state_to_json(&s, &text, &err) == 0 && !strstr(text, "cgroup"),
          "unset cgroup fields are left out");
    nook_state_clear(&back);
    CHECK(t, nook_state_from_json(text, strlen(text), &back, &err) == 0 && !back.cgroup_manager &&
                 !back.cgroup_path && !back.cgroup_unit,
          "absent cgroup fields read as unset");

    /* A file as json-glib wrote it (nook 0.1: " : " separators) still reads. */
    const char *old = "{\n  \"version\" : 1,\n  \"id\" : \"old\",\n  \"oci_version\" : \"1.2.0\",\n"
                      "  \"creating\" : true,\n  \"creator_pid\" : 10,\n"
                      "  \"creator_start_time\" : 20,\n  \"init_pid\" : 0,\n"
                      "  \"init_start_time\" : 0,\n  \"bundle\" : \"/b\",\n  \"rootfs\" : \"/b/r\",\n"
                      "  \"created\" : \"2024-01-01T00:00:00Z\",\n  \"owner\" : \"bob\",\n"
                      "  \"cgroup_path\" : null,\n  \"annotations\" : {\n    \"k\" : \"v\"\n  }\n}\n";
    nook_state_clear(&back);
    CHECK(t, nook_state_from_json(old, strlen(old), &back, &err) == 0 && back.creating &&
                 back.creator_pid == 10 && back.n_annotations == 1 && !back.cgroup_path,
          "a state.json written by the json-glib version reads");

    static const struct bad_case bad[] = {
        { "[]", -EBADMSG, "not a JSON object but an array" },
        { "{\"version\": \"1\"}", -EBADMSG, "field \"version\" is not an integer" },
        { "{\"version\": 0}", -EBADMSG, "field \"version\" is out of range: 0" },
        { "{\"version\": 1, \"id\": 5}", -EBADMSG, "field \"id\" is not a string" },
        { "{\"version\": 1, \"id\": \"a\\u0000b\"}", -EBADMSG, "field \"id\" contains a NUL" },
        { "{\"version\": 1 \"id\": 5}", -EBADMSG, "not valid JSON: line 1, column 15" },
        { "{\"version\": 1.0}", -EBADMSG, "only integers are supported" },
        { "{\"version\": 2}", -EPROTONOSUPPORT, "written by a newer nook" },
    };
    for (size_t i = 0; i < N_ELEMENTS(bad); i++) {
        nook_state_clear(&back);
        nook_error_clear(&err);
        int code = nook_state_from_json(bad[i].text, strlen(bad[i].text), &back, &err);
        char what[160];
        snprintf(what, sizeof(what), "bad state.json refused: %s", bad[i].message);
        if (!CHECK(t, code == bad[i].code && strstr(err.message, bad[i].message) != NULL, what))
            printf("#   code %d, message: %s\n", code, err.message);
    }
    CHECK(t, back.id == NULL && back.n_annotations == 0, "a refused state leaves nothing allocated");
}

int main(void)
{
    struct tap t = { 0 };
    test_values(&t);
    test_escapes(&t);
    test_refusals(&t);
    test_limits(&t);
    test_writer(&t);
    test_state_round_trip(&t);
    return tap_done(&t);
}
