/*
 * PCI addresses in the two spellings the agent meets: the BDF
 * (0000:07:00.0, sysfs and pciback) and the key (0000-07-00-0, the
 * xenstore name libxl uses).  Parsing is strict: exactly 12 characters,
 * lowercase or uppercase hex, in range.
 */
#include <stdio.h>
#include <string.h>

#include "bdf.h"

const char *bdf_str(const struct bdf *b, char buf[BDF_STR_LEN])
{
	snprintf(buf, BDF_STR_LEN, XENPCI_BDF_FMT, b->dom, b->bus, b->dev,
		 b->func);
	return buf;
}

const char *bdf_key(const struct bdf *b, char buf[KEY_STR_LEN])
{
	snprintf(buf, KEY_STR_LEN, XENPCI_KEY_FMT, b->dom, b->bus, b->dev,
		 b->func);
	return buf;
}

static bool bdf_scan(const char *s, const char *fmt, struct bdf *b)
{
	unsigned int d, bu, de, f;
	int n = -1;

	if (sscanf(s, fmt, &d, &bu, &de, &f, &n) != 4 || n < 0 || s[n])
		return false;
	if (d > 0xffff || bu > 0xff || de > 0x1f || f > 7)
		return false;
	*b = (struct bdf){ d, bu, de, f };
	return true;
}

bool bdf_from_str(const char *s, struct bdf *b)
{
	return strlen(s) == 12 && bdf_scan(s, "%4x:%2x:%2x.%1x%n", b);
}

bool bdf_from_key(const char *s, struct bdf *b)
{
	return strlen(s) == 12 && bdf_scan(s, "%4x-%2x-%2x-%1x%n", b);
}

bool bdf_eq(const struct bdf *a, const struct bdf *b)
{
	return a->dom == b->dom && a->bus == b->bus && a->dev == b->dev &&
	       a->func == b->func;
}

const char *errno_name(int err)
{
	const char *n = strerrorname_np(err);

	return n ? n : "EIO";
}

int bdf_cmp(const struct bdf *a, const struct bdf *b)
{
	unsigned long ka = (unsigned long)a->dom << 16 | a->bus << 8 |
			   a->dev << 3 | a->func;
	unsigned long kb = (unsigned long)b->dom << 16 | b->bus << 8 |
			   b->dev << 3 | b->func;

	return ka < kb ? -1 : ka > kb;
}

bool bdf_from_slot_spec(const char *s, struct bdf *b, bool *all)
{
	char fn[3] = "";
	int n = 0;

	b->dom = 0;
	if (sscanf(s, "%x:%x:%x.%2[0-7*]%n", &b->dom, &b->bus, &b->dev, fn,
		   &n) != 4 || s[n]) {
		b->dom = 0;
		n = 0;
		if (sscanf(s, "%x:%x.%2[0-7*]%n", &b->bus, &b->dev, fn,
			   &n) != 3 || s[n])
			return false;
	}
	if (b->dom > 0xffff || b->bus > 0xff || b->dev > 0x1f ||
	    strlen(fn) != 1)
		return false;
	*all = fn[0] == '*';
	b->func = *all ? 0 : (unsigned int)(fn[0] - '0');
	return true;
}
