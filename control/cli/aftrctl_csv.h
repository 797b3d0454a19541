/* aftrctl's CSV bulk files of lw4o6 bindings (aftrctl_csv.c). */
#ifndef AFTR_AFTRCTL_CSV_H
#define AFTR_AFTRCTL_CSV_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* Reads path into a JSON array of softwire objects and, for each, its
 * line in the file; -1 after printing the first bad row (file:line). */
int csv_softwires(const char *path, json_t **arr, uint32_t **lines);
/* Prints an API error about the array, naming the file's line when the
 * error names an index ("[12].psid"). */
void csv_report(const char *path, const uint32_t *lines, size_t n, long status, const json_t *j);

#endif
