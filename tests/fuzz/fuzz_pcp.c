/* libFuzzer target: PCP requests (RFC 6887, lib/net/pcp.c) as the server
 * takes them from any host behind a B4. The input is one UDP payload,
 * copied to a buffer of its exact size so that AddressSanitizer stops a
 * read past its end. pcp_parse drops it only as section 8.3 says, or
 * answers with a result code; every response to it, of that code or any
 * other, is 24 to 1100 octets in words of 4, a version 2 response (which
 * a server reading it would drop), and an error response copies the
 * request after its header. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "pcp.h"

static const uint8_t ext[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 198, 51, 100, 1};

static void check_dropped(const uint8_t *buf, size_t size)
{
	FUZZ_ASSERT(size < 2 || (buf[1] & 0x80) || (buf[0] == PCP_VERSION && size < PCP_HDR_LEN),
	            "a request of %zu octets dropped", size);
}

static void check_response(const struct pcp_request *req, const uint8_t *buf, size_t size,
                           int result, const uint8_t *out, size_t n)
{
	struct pcp_request again;
	size_t copied = size < PCP_MAX_LEN ? size : PCP_MAX_LEN;

	FUZZ_ASSERT(n <= PCP_MAX_LEN && n % 4 == 0, "%s: a response of %zu octets",
	            pcp_result_name(result) ? pcp_result_name(result) : "?", n);
	if (n == 0) {
		FUZZ_ASSERT(result == PCP_SUCCESS && !req->parsed, "result %d: nothing to send",
		            result);
		return;
	}
	FUZZ_ASSERT(n >= PCP_HDR_LEN, "a response of %zu octets", n);
	FUZZ_ASSERT(out[0] == PCP_VERSION && out[1] == (0x80 | req->opcode) && out[2] == 0 &&
	                    out[3] == result,
	            "response header %02x %02x %02x %02x", out[0], out[1], out[2], out[3]);
	FUZZ_ASSERT(pcp_parse(out, n, &again) == PCP_DROP, "a response not dropped");
	if (result != PCP_SUCCESS) {
		FUZZ_ASSERT(n == (copied < PCP_HDR_LEN ? PCP_HDR_LEN : (copied + 3) / 4 * 4),
		            "an error response of %zu octets for %zu", n, size);
		if (copied > PCP_HDR_LEN)
			FUZZ_ASSERT(memcmp(out + PCP_HDR_LEN, buf + PCP_HDR_LEN,
			                   copied - PCP_HDR_LEN) == 0,
			            "an error response does not copy the request");
	} else if (req->has_opdata) {
		FUZZ_ASSERT(memcmp(out + PCP_HDR_LEN, req->nonce, sizeof(req->nonce)) == 0,
		            "the nonce is not echoed");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pcp_request req;
	uint8_t out[PCP_MAX_LEN];
	uint8_t *buf = malloc(size);
	int rc;

	if (buf == NULL && size > 0)
		return 0;
	if (size > 0)
		memcpy(buf, data, size);
	rc = pcp_parse(buf, size, &req);
	if (rc == PCP_DROP) {
		check_dropped(buf, size);
		free(buf);
		return 0;
	}
	FUZZ_ASSERT(pcp_result_name(rc) != NULL, "pcp_parse returned %d", rc);
	FUZZ_ASSERT(req.nfilters <= PCP_MAX_FILTERS, "%u filters", req.nfilters);
	FUZZ_ASSERT(req.parsed == (rc == PCP_SUCCESS || rc == PCP_EXCESSIVE_REMOTE_PEERS),
	            "parsed %d for %s", req.parsed, pcp_result_name(rc));
	/* Its own result code, then every other a server could answer with. */
	check_response(&req, buf, size, rc, out,
	               pcp_response(&req, rc, pcp_error_lifetime(rc), 1, ext, 1, out));
	for (int result = PCP_SUCCESS; result <= PCP_EXCESSIVE_REMOTE_PEERS; result++)
		check_response(&req, buf, size, result, out,
		               pcp_response(&req, result, 3600, 1, ext, 1, out));
	free(buf);
	return 0;
}
