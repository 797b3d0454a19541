/* BIRD's control socket; see bird.h. */
#include "bird.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Appends one reply line's text to out; returns its code when it is the
 * last line of the answer ("DDDD text"), -1 when more follow, -2 when it
 * is not a line of BIRD's. */
static int take_line(const char *line, char *out, size_t len)
{
	size_t n = strlen(out);
	bool coded = strlen(line) >= 5 && line[0] >= '0' && line[0] <= '9' && line[1] >= '0' &&
	             line[1] <= '9' && line[2] >= '0' && line[2] <= '9' && line[3] >= '0' &&
	             line[3] <= '9' && (line[4] == ' ' || line[4] == '-');
	const char *t = coded ? line + 5 : line[0] == ' ' ? line + 1 : NULL;

	if (t == NULL)
		return -2;
	if (n + 2 < len)
		snprintf(out + n, len - n, "%s%s", n ? "; " : "", t);
	if (coded && line[4] == ' ')
		return (line[0] - '0') * 1000 + (line[1] - '0') * 100 + (line[2] - '0') * 10 +
		       (line[3] - '0');
	return -1;
}

/* Reads lines until one ends the answer after the greeting (skip > 0: that
 * many answers to pass over first). The code, or -errno. */
static int read_answer(int fd, long long deadline, int skip, char *text, size_t len)
{
	char buf[4096], line[1024];
	size_t ln = 0;

	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		long long left = deadline - now_ms();
		ssize_t n;

		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			return -ETIMEDOUT;
		if ((n = read(fd, buf, sizeof(buf))) <= 0)
			return n == 0 ? -EPROTO : -errno;
		for (ssize_t i = 0; i < n; i++) {
			int code;

			if (buf[i] != '\n') {
				if (ln + 1 < sizeof(line))
					line[ln++] = buf[i];
				continue;
			}
			line[ln] = '\0';
			ln = 0;
			code = take_line(line, text, len);
			if (code == -2)
				return -EPROTO;
			if (code >= 0 && skip-- == 0)
				return code;
			if (code >= 0)
				text[0] = '\0'; /* the greeting's text is not the answer's */
		}
	}
}

int bird_command(const char *path, const char *cmd, unsigned int timeout_ms, char *text, size_t len)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	long long deadline = now_ms() + timeout_ms;
	char line[512];
	int fd, rc;

	if (len)
		text[0] = '\0';
	if (strlen(path) >= sizeof(a.sun_path) || strchr(cmd, '\n') ||
	    snprintf(line, sizeof(line), "%s\n", cmd) >= (int)sizeof(line))
		return -EINVAL;
	memcpy(a.sun_path, path, strlen(path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	/* "0001 BIRD x.y ready." first, then the command's answer. */
	rc = write(fd, line, strlen(line)) == (ssize_t)strlen(line) ? 0 : -EIO;
	if (rc == 0)
		rc = read_answer(fd, deadline, 1, text, len);
	close(fd);
	return rc;
}
