/* json-glib-text.c: pretty JSON text from a json-glib tree (see
 * json-glib-text.h). */
#include <string.h>

#include "json-glib-text.h"

char *nook_json_pretty_text(JsonNode *root, guint indent, gunichar indent_char)
{
    g_autoptr(JsonGenerator) gen = json_generator_new();
    json_generator_set_root(gen, root);
    json_generator_set_pretty(gen, TRUE);
    json_generator_set_indent(gen, indent);
    json_generator_set_indent_char(gen, indent_char);
    gsize length = 0;
    g_autofree gchar *data = json_generator_to_data(gen, &length);

    char *text = malloc(length + 2);
    if (!text)
        return NULL;
    memcpy(text, data, length);
    text[length] = '\n';
    text[length + 1] = '\0';
    return text;
}
