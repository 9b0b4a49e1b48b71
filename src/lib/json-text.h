/* json-text.h: turn a json-glib tree into pretty text the way nook prints
 * JSON documents (runc's indentation, a trailing newline). */
#pragma once

#include <json-glib/json-glib.h>

/* Pretty text of root, indented with `indent` copies of indent_char per
 * level, ending in "\n"; malloc'd, NULL when out of memory. */
char *nook_json_pretty_text(JsonNode *root, guint indent, gunichar indent_char);
