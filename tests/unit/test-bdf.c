/* BDF and key parsing (agent/bdf.c). */
#include <stdio.h>

#include "../../agent/bdf.h"
#include "unit.h"

static void parses(const char *s, bool key, unsigned int d, unsigned int b,
		   unsigned int v, unsigned int f)
{
	struct bdf x = { 9, 9, 9, 9 };
	bool ok = key ? bdf_from_key(s, &x) : bdf_from_str(s, &x);

	CHECK(ok && x.dom == d && x.bus == b && x.dev == v && x.func == f,
	      "'%s' is %04x:%02x:%02x.%x", s, d, b, v, f);
}

static void refused(const char *s, bool key)
{
	struct bdf x;

	CHECK(!(key ? bdf_from_key(s, &x) : bdf_from_str(s, &x)),
	      "'%s' is refused as a %s", s, key ? "key" : "BDF");
}

int main(void)
{
	struct bdf a = { 0, 7, 0, 1 }, b = { 0, 7, 1, 0 };
	char buf[BDF_STR_LEN], key[KEY_STR_LEN];

	parses("0000:07:00.0", false, 0, 7, 0, 0);
	parses("0001:ff:1f.7", false, 1, 0xff, 0x1f, 7);
	parses("0000:0A:1F.3", false, 0, 0xa, 0x1f, 3);
	parses("0000-07-00-1", true, 0, 7, 0, 1);
	refused("07:00.0", false);
	refused("0000:07:00.8", false);
	refused("0000:07:20.0", false);
	refused("0000:07:00.0 ", false);
	refused("0000:07:00:0", false);
	refused("0000-07-00-0", false);
	refused("0000:07:00.0", true);
	refused("", false);
	IS(bdf_str(&a, buf), "0000:07:00.1", "bdf_str");
	IS(bdf_key(&a, key), "0000-07-00-1", "bdf_key");
	CHECK(bdf_eq(&a, &a) && !bdf_eq(&a, &b), "bdf_eq");
	CHECK(bdf_cmp(&a, &b) < 0 && bdf_cmp(&b, &a) > 0 &&
	      !bdf_cmp(&a, &a), "bdf_cmp orders by slot, then function");
	IS(errno_name(19), "ENODEV", "errno_name(ENODEV)");
	IS(errno_name(99999), "EIO", "errno_name of no errno");
	return unit_done();
}
