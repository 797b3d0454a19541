/* DPDK's runtime directory of a process; see app.h. */
#include <dirent.h>
#include <limits.h>
#include <rte_eal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "app.h"

void dp_eal_cleanup(void)
{
	char dir[PATH_MAX];
	DIR *d;
	struct dirent *e;

	snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	/* Only the files EAL puts there (config, fbarray_*, mp_socket): a
	 * directory that holds anything else is left as it is. */
	if (dir[0] == '\0' || (d = opendir(dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		char path[PATH_MAX + NAME_MAX + 2];

		if (strcmp(e->d_name, "config") != 0 && strcmp(e->d_name, "mp_socket") != 0 &&
		    strncmp(e->d_name, "fbarray_", 8) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}
