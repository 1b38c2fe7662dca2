/*
 * The state dir's files as the agent reads them back at start-up
 * (statedir.c): an intent record's text through intent_parse(), and the
 * first line as a file name under intent/ (bdf_from_key(),
 * intent_list()) and as a BDF (bdf_from_str()).  Checked: every field
 * fits its buffer, and a name or BDF accepted is in range and prints
 * back to 12 characters.
 */
#include <errno.h>

#include "../../agent/statedir.h"
#include "fuzz.h"

FUZZ_FAKE_LOG
FUZZ_FAKE_LOG_DEV

static void check_bdf(const struct bdf *b)
{
	char buf[BDF_STR_LEN];

	FUZZ_CHECK(b->dom <= 0xffff && b->bus <= 0xff && b->dev <= 0x1f &&
		   b->func <= 7);
	FUZZ_CHECK(strlen(bdf_str(b, buf)) == 12);
	FUZZ_CHECK(strlen(bdf_key(b, buf)) == 12);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_str(data, size);
	char first[64];
	struct bdf b = { 0, 7, 0, 0 }, k;
	static struct intent in;
	int rc;

	snprintf(first, sizeof(first), "%.*s", (int)strcspn(text, "\n"),
		 text);
	if (bdf_from_key(first, &k))
		check_bdf(&k);
	if (bdf_from_str(first, &k))
		check_bdf(&k);
	rc = intent_parse(text, &b, &in);
	FUZZ_CHECK(rc == 0 || rc == -EBADMSG);
	FUZZ_CHECK(bdf_eq(&in.bdf, &b));
	FUZZ_CHECK(memchr(in.goal, '\0', sizeof(in.goal)));
	FUZZ_CHECK(memchr(in.ret, '\0', sizeof(in.ret)));
	FUZZ_CHECK(memchr(in.request, '\0', sizeof(in.request)));
	FUZZ_CHECK(memchr(in.orig_driver, '\0', sizeof(in.orig_driver)));
	FUZZ_CHECK(memchr(in.boot_id, '\0', sizeof(in.boot_id)));
	FUZZ_CHECK(!rc == (in.goal[0] && in.ret[0]));
	free(text);
	return 0;
}
