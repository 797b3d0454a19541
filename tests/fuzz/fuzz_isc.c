/* libFuzzer target: the ISC aftr.conf importer and its command lines
 * (lib/isc/): a whole file, then each of its lines run one by one against
 * a configuration as `aftrctl isc LINE` runs them. No crash, no leak, no
 * undefined behaviour; a refusal says why; an imported configuration
 * validates again after its lines changed it or not. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "diag.h"
#include "fuzz.h"
#include "isc_import.h"

/* Each line of the input (at most 64) run against cfg. */
static void run_lines(struct aftr_config *cfg, const uint8_t *data, size_t size)
{
	char line[ISC_LINE_MAX + 2];
	size_t at = 0;

	for (int n = 0; n < 64 && at < size; n++) {
		const uint8_t *nl = memchr(data + at, '\n', size - at);
		size_t len = (nl ? (size_t)(nl - data) : size) - at;
		struct diag d;

		if (len > ISC_LINE_MAX)
			len = ISC_LINE_MAX;
		memcpy(line, data + at, len);
		line[len] = '\0';
		at += len + 1;
		diag_init(&d, NULL);
		if (isc_apply_line(cfg, line, &d) < 0)
			FUZZ_ASSERT(d.errors > 0, "line refused with no error said: %s", line);
		diag_free(&d);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct aftr_config cfg;
	struct diag d;

	diag_init(&d, "aftr.conf");
	if (isc_import_buf((const char *)data, size, &cfg, &d) == 0) {
		struct diag v;

		diag_init(&v, NULL);
		FUZZ_ASSERT(cfg_validate(&cfg, &v) == 0, "imported, yet does not validate");
		diag_free(&v);
	} else {
		FUZZ_ASSERT(d.errors > 0, "refused with no error said");
	}
	diag_free(&d);
	/* The lines against the import (or, refused, the defaults). */
	run_lines(&cfg, data, size);
	cfg_free(&cfg);
	return 0;
}
