/* The software B4's counters; see counters.h. */
#include "counters.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const counter_names[CTR__COUNT] = {
#define B4_CTR_NAME(name, help) [CTR_##name] = #name,
        B4_COUNTERS(B4_CTR_NAME)
#undef B4_CTR_NAME
};

int counters_print(FILE *f, const struct b4_counters *c)
{
	for (int i = 0; i < CTR__COUNT; i++)
		fprintf(f, "%s %" PRIu64 "\n", counter_names[i], c->v[i]);
	return fflush(f) == 0 && !ferror(f) ? 0 : -EIO;
}

int counters_write_file(const char *path, const struct b4_counters *c)
{
	char tmp[PATH_MAX];
	FILE *f;
	int fd, ret;

	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* mkostemp() makes it 0600; counters are not secret and monitoring may run as a user. */
	if (fchmod(fd, 0644) < 0 || (f = fdopen(fd, "w")) == NULL) {
		ret = -errno;
		close(fd);
		goto fail;
	}
	ret = counters_print(f, c);
	if (fclose(f) != 0 && ret == 0)
		ret = -errno;
	if (ret == 0 && rename(tmp, path) < 0)
		ret = -errno;
	if (ret == 0)
		return 0;
fail:
	unlink(tmp);
	return ret;
}
