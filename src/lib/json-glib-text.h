/* json-glib-text.h: turn a json-glib tree into pretty text the way nook
 * prints JSON documents (`features`, `spec`): runc's indentation and a
 * trailing newline. Part of the json-glib module (nook-json.so); what
 * every command writes uses json-text.h instead. */
#pragma once

#include <json-glib/json-glib.h>

/* Pretty text of root, indented with `indent` copies of indent_char per
 * level, ending in "\n"; malloc'd, NULL when out of memory. */
char *nook_json_pretty_text(JsonNode *root, guint indent, gunichar indent_char);
