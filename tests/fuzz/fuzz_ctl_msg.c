/* libFuzzer target: the messages of the shared-memory rings as the
 * control process reads them (lib/shm/ctl_msg.c) and turns them into
 * records (lib/export/: ISC's trace line, RFC 5424 syslog, RFC 8158
 * IPFIX, the event log's index keys). The input is a run of 64-byte
 * messages, as another process may have written anything. A message
 * ctl_msg_check refuses is never formatted (dpctl drops it); one it takes
 * formats without a crash, its syslog line printable, its IPFIX messages
 * within their size. */
#include <stdint.h>
#include <string.h>

#include "ctl_msg.h"
#include "evfmt.h"
#include "evlog.h"
#include "fuzz.h"

static void one(const struct ctl_msg *m, struct evfmt_ipfix *x)
{
	struct evfmt_syslog s = {
	        .facility = 16, .enterprise = 32473, .hostname = "aftr", .procid = "1"};
	char buf[1024];
	struct evlog_key k;
	int n;

	if (ctl_msg_check(m) < 0)
		return;
	FUZZ_ASSERT(ctl_msg_format(m, buf, sizeof(buf)) == buf && memchr(buf, '\0', sizeof(buf)),
	            "ctl_msg_format");
	n = evfmt_syslog(&s, m, buf, sizeof(buf));
	FUZZ_ASSERT(n < (int)sizeof(buf), "syslog message of %d bytes", n);
	for (int i = 0; i < n; i++)
		FUZZ_ASSERT(buf[i] != '\0' && buf[i] != '\n', "syslog byte %d is %d", i, buf[i]);
	if (evfmt_ipfix_record(x, m) == 0) {
		FUZZ_ASSERT(evfmt_ipfix_finish(x, 0, 0, 1) <= EVFMT_IPFIX_MAX, "IPFIX too long");
		evfmt_ipfix_begin(x);
		FUZZ_ASSERT(evfmt_ipfix_record(x, m) == 1,
		            "a record does not fit an empty message");
	}
	(void)evlog_key_of(m, 0, &k);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct evfmt_ipfix x;

	evfmt_ipfix_begin(&x);
	FUZZ_ASSERT(evfmt_ipfix_templates(&x) == 0, "templates");
	for (size_t off = 0; off + CTL_MSG_SIZE <= size; off += CTL_MSG_SIZE) {
		struct ctl_msg m;

		memcpy(&m, data + off, sizeof(m));
		one(&m, &x);
	}
	FUZZ_ASSERT(evfmt_ipfix_finish(&x, 0, 0, 1) <= EVFMT_IPFIX_MAX, "IPFIX too long");
	return 0;
}
