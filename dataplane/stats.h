/* Counters summed over the workers and the main lcore, as "name value"
 * lines; drop reasons as "drop_<reason> value". Until the control process
 * reads them from shared memory, this file is how tests and people see
 * them (aftr-dataplane --stats-file). */
#ifndef AFTR_STATS_H
#define AFTR_STATS_H

#include <stdio.h>

void stats_print(FILE *out);
/* Writes atomically (temporary file, then rename). */
int stats_write(const char *path);

#endif
