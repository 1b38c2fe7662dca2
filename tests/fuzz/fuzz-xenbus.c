/*
 * Values read back from pciback and pcifront (xenbus_conn.c): every
 * line of the input as each of num_devs / a state (xbc_parse_int()),
 * dev-N / vdev-N (xbc_parse_bdf()), pciback's error node
 * (xbc_parse_error()) and a directory name under the backend
 * (xbc_parse_domid()).  Checked: a BDF in range, an errno a real one
 * can be, a domid below the reserved ones, a message that fits.
 */
#include <errno.h>
#include <limits.h>

#include "../../agent/xenbus_conn.h"
#include "fuzz.h"

FUZZ_FAKE_LOG
FUZZ_FAKE_LOG_DEV

static void one(const char *v)
{
	char msg[256], buf[BDF_STR_LEN];
	unsigned int domid;
	struct bdf b;
	int n, rc;

	n = xbc_parse_int(v, -1);
	FUZZ_CHECK(n == -1 || *v);
	if (xbc_parse_bdf(v, &b)) {
		FUZZ_CHECK(b.dom <= 0xffff && b.bus <= 0xff &&
			   b.dev <= 0x1f && b.func <= 7);
		FUZZ_CHECK(strlen(bdf_str(&b, buf)) == 12);
	}
	rc = xbc_parse_error(v, 5, msg, sizeof(msg));
	FUZZ_CHECK(rc < 0 && rc >= -4095 && msg[0]);
	if (xbc_parse_domid(v, &domid))
		FUZZ_CHECK(domid < 0x7ff0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_str(data, size), *line, *next;
	char msg[64];

	FUZZ_CHECK(xbc_parse_int(NULL, 7) == 7);
	FUZZ_CHECK(xbc_parse_error(NULL, 5, msg, sizeof(msg)) == -EIO);
	for (line = text;; line = next) {
		next = line + strcspn(line, "\n");
		if (*next)
			*next++ = '\0';
		one(line);
		if (!*next)
			break;
	}
	free(text);
	return 0;
}
