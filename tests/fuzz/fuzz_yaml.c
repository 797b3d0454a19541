/* libFuzzer target: the YAML configuration loader (lib/config/config_yaml.c,
 * config_dec.c, config_check.c). Whatever the input, no crash, no leak, no
 * undefined behaviour; and a configuration it accepts must come back the
 * same through the model's two encodings: JSON (the API's, the tables
 * file's) and YAML (aftrctl config show), each loaded again. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "config.h"
#include "config_json.h"
#include "config_yaml.h"
#include "diag.h"
#include "fuzz.h"

/* cfg as JSON, loaded again from that JSON, as JSON again: the same. */
static void json_roundtrip(const struct aftr_config *cfg)
{
	json_t *a = cfg_to_json(cfg), *b;
	struct aftr_config back;
	struct diag d;
	struct jdec j;

	FUZZ_ASSERT(a != NULL, "cfg_to_json failed");
	FUZZ_ASSERT(cfg_init(&back) == 0, "cfg_init failed");
	diag_init(&d, NULL);
	jdec_init(&j, &d);
	FUZZ_ASSERT(cfg_from_json(&back, a, &j) == 0 && d.errors == 0,
	            "its own JSON does not load again");
	b = cfg_to_json(&back);
	FUZZ_ASSERT(b != NULL && json_equal(a, b), "JSON round trip changed it");
	json_decref(a);
	json_decref(b);
	diag_free(&d);
	cfg_free(&back);
}

/* cfg written as YAML (every knob) loads again to the same JSON. */
static void yaml_roundtrip(const struct aftr_config *cfg)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	struct aftr_config back;
	struct diag d;
	json_t *a, *b;

	FUZZ_ASSERT(f != NULL, "open_memstream failed");
	FUZZ_ASSERT(cfg_write_yaml(cfg, false, NULL, f) == 0, "cfg_write_yaml failed");
	fclose(f);
	diag_init(&d, "written");
	FUZZ_ASSERT(cfg_load_yaml_buf(text, len, &back, &d) == 0, "its own YAML does not load");
	a = cfg_to_json(cfg);
	b = cfg_to_json(&back);
	FUZZ_ASSERT(a && b && json_equal(a, b), "YAML round trip changed it");
	json_decref(a);
	json_decref(b);
	diag_free(&d);
	cfg_free(&back);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct aftr_config cfg;
	struct diag d;

	diag_init(&d, "fuzz.yaml");
	if (cfg_load_yaml_buf((const char *)data, size, &cfg, &d) == 0) {
		json_roundtrip(&cfg);
		yaml_roundtrip(&cfg);
	} else {
		FUZZ_ASSERT(d.errors > 0, "refused with no error said");
	}
	diag_free(&d);
	cfg_free(&cfg);
	return 0;
}
