/* Model -> YAML text, through the JSON form and libyaml's emitter (which
 * does the quoting). A string that the loader would read back as another
 * type ("123", "true", "null") is written double-quoted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "config_json.h"
#include "config_yaml.h"

static int emit(yaml_emitter_t *e, yaml_event_t *ev)
{
	return yaml_emitter_emit(e, ev) ? 0 : -1;
}

static int emit_scalar(yaml_emitter_t *e, const char *text, bool quote)
{
	yaml_event_t ev;

	yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)text, (int)strlen(text), 1, 1,
	                             quote ? YAML_DOUBLE_QUOTED_SCALAR_STYLE
	                                   : YAML_PLAIN_SCALAR_STYLE);
	return emit(e, &ev);
}

/* Would the loader read this plain text as another type than a string? */
static bool looks_typed(const char *s)
{
	return !cfg_yaml_plain_is_string(s);
}

static int emit_node(yaml_emitter_t *e, const json_t *v);

static int emit_array(yaml_emitter_t *e, const json_t *v)
{
	yaml_event_t ev;
	size_t i;
	json_t *it;

	/* Short lists of scalars read best inline; lists of mappings as blocks. */
	yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
	                                     json_array_size(v) == 0 ? YAML_FLOW_SEQUENCE_STYLE
	                                                             : YAML_BLOCK_SEQUENCE_STYLE);
	if (emit(e, &ev) < 0)
		return -1;
	json_array_foreach(v, i, it) {
		if (emit_node(e, it) < 0)
			return -1;
	}
	yaml_sequence_end_event_initialize(&ev);
	return emit(e, &ev);
}

static int emit_object(yaml_emitter_t *e, const json_t *v)
{
	yaml_event_t ev;
	const char *key;
	json_t *it;

	yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
	                                    json_object_size(v) == 0 ? YAML_FLOW_MAPPING_STYLE
	                                                             : YAML_BLOCK_MAPPING_STYLE);
	if (emit(e, &ev) < 0)
		return -1;
	json_object_foreach((json_t *)v, key, it) {
		if (emit_scalar(e, key, looks_typed(key)) < 0 || emit_node(e, it) < 0)
			return -1;
	}
	yaml_mapping_end_event_initialize(&ev);
	return emit(e, &ev);
}

/* The shortest of %.15g..%.17g that reads back to the same double (17
 * digits always do), so 0.98 stays 0.98. */
static void format_real(double x, char *buf, size_t len)
{
	for (int digits = 15; digits <= 17; digits++) {
		snprintf(buf, len, "%.*g", digits, x);
		if (strtod(buf, NULL) == x)
			break;
	}
	if (!strpbrk(buf, ".eEn")) /* keep it a float for the reader: "1" -> "1.0" */
		snprintf(buf + strlen(buf), len - strlen(buf), ".0");
}

static int emit_node(yaml_emitter_t *e, const json_t *v)
{
	char buf[64];

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return emit_object(e, v);
	case JSON_ARRAY:
		return emit_array(e, v);
	case JSON_STRING:
		return emit_scalar(e, json_string_value(v), looks_typed(json_string_value(v)));
	case JSON_INTEGER:
		snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return emit_scalar(e, buf, false);
	case JSON_REAL:
		format_real(json_real_value(v), buf, sizeof(buf));
		return emit_scalar(e, buf, false);
	case JSON_TRUE:
		return emit_scalar(e, "true", false);
	case JSON_FALSE:
		return emit_scalar(e, "false", false);
	default:
		return emit_scalar(e, "null", false);
	}
}

static int write_handler(void *data, unsigned char *buffer, size_t size)
{
	return fwrite(buffer, 1, size, data) == size;
}

static int emit_document(yaml_emitter_t *e, const json_t *root)
{
	yaml_event_t ev;

	yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
	if (emit(e, &ev) < 0)
		return -1;
	yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
	if (emit(e, &ev) < 0 || emit_node(e, root) < 0)
		return -1;
	yaml_document_end_event_initialize(&ev, 1);
	if (emit(e, &ev) < 0)
		return -1;
	yaml_stream_end_event_initialize(&ev);
	return emit(e, &ev);
}

static void write_header(const char *header, FILE *out)
{
	const char *line = header;

	while (line && *line) {
		const char *nl = strchr(line, '\n');
		int len = nl ? (int)(nl - line) : (int)strlen(line);

		fprintf(out, "#%s%.*s\n", len ? " " : "", len, line);
		line = nl ? nl + 1 : NULL;
	}
}

int cfg_write_yaml(const struct aftr_config *cfg, bool sparse, const char *header, FILE *out)
{
	json_t *root = sparse ? cfg_to_json_sparse(cfg) : cfg_to_json(cfg);
	yaml_emitter_t e;
	int rc;

	if (root == NULL)
		return -1;
	write_header(header, out);
	yaml_emitter_initialize(&e);
	yaml_emitter_set_output(&e, write_handler, out);
	yaml_emitter_set_unicode(&e, 1);
	yaml_emitter_set_width(&e, 100);
	rc = emit_document(&e, root);
	yaml_emitter_delete(&e);
	json_decref(root);
	return rc < 0 || ferror(out) ? -1 : 0;
}
