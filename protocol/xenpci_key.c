/*
 * Device keys, BDF strings and request IDs: pure string work, no
 * xenstore.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>

#include "xenpci_client.h"

/* Parse 1..max_digits hex digits at *sp, value <= limit; advance *sp. */
static int parse_hex(const char **sp, unsigned int max_digits,
		     unsigned int limit, unsigned int *out)
{
	const char *s = *sp;
	unsigned int v = 0, n = 0;

	while (n < max_digits) {
		char ch = s[n];
		unsigned int d;

		if (ch >= '0' && ch <= '9')
			d = ch - '0';
		else if (ch >= 'a' && ch <= 'f')
			d = ch - 'a' + 10;
		else if (ch >= 'A' && ch <= 'F')
			d = ch - 'A' + 10;
		else
			break;
		v = v * 16 + d;
		n++;
	}
	if (n == 0 || v > limit)
		return -EINVAL;
	*sp = s + n;
	*out = v;
	return 0;
}

/*
 * "[DDDD]<sep1>BB<sep1>SS<sep2>F": with_domain says whether the domain
 * part is there.
 */
static int parse_bdf_parts(const char *s, char sep1, char sep2,
			   bool with_domain, struct xenpci_bdf *bdf)
{
	struct xenpci_bdf b = { 0 };

	if (with_domain &&
	    (parse_hex(&s, 4, 0xffff, &b.domain) || *s++ != sep1))
		return -EINVAL;
	if (parse_hex(&s, 2, 0xff, &b.bus) || *s++ != sep1)
		return -EINVAL;
	if (parse_hex(&s, 2, 0x1f, &b.dev) || *s++ != sep2)
		return -EINVAL;
	if (parse_hex(&s, 1, 7, &b.func) || *s != '\0')
		return -EINVAL;
	*bdf = b;
	return 0;
}

int xenpci_bdf_parse(const char *s, struct xenpci_bdf *bdf)
{
	const char *colon;

	if (!s || !bdf)
		return -EINVAL;
	colon = strchr(s, ':');
	/* As libxlutil: two colons -> domain given, one -> domain 0. */
	return parse_bdf_parts(s, ':', '.', colon && strchr(colon + 1, ':'),
			       bdf);
}

int xenpci_key_parse(const char *key, struct xenpci_bdf *bdf)
{
	if (!key || !bdf)
		return -EINVAL;
	return parse_bdf_parts(key, '-', '-', true, bdf);
}

char *xenpci_bdf_key(const struct xenpci_bdf *bdf, char key[XENPCI_KEY_LEN])
{
	snprintf(key, XENPCI_KEY_LEN, XENPCI_KEY_FMT, bdf->domain & 0xffff,
		 bdf->bus & 0xff, bdf->dev & 0x1f, bdf->func & 7);
	return key;
}

char *xenpci_bdf_str(const struct xenpci_bdf *bdf, char str[XENPCI_BDF_LEN])
{
	snprintf(str, XENPCI_BDF_LEN, XENPCI_BDF_FMT, bdf->domain & 0xffff,
		 bdf->bus & 0xff, bdf->dev & 0x1f, bdf->func & 7);
	return str;
}

int xenpci_key_from_bdf(const char *s, char key[XENPCI_KEY_LEN])
{
	struct xenpci_bdf bdf;
	int rc = xenpci_bdf_parse(s, &bdf);

	if (rc)
		return rc;
	xenpci_bdf_key(&bdf, key);
	return 0;
}

bool xenpci_request_id_valid(const char *id)
{
	size_t n;

	if (!id)
		return false;
	n = strlen(id);
	if (n < 1 || n > XENPCI_REQ_ID_MAX)
		return false;
	return strspn(id, "abcdefghijklmnopqrstuvwxyz"
			  "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			  "0123456789_-") == n;
}

int xenpci_request_id_generate(const char *prefix, char id[XENPCI_REQ_ID_LEN])
{
	static unsigned int counter;
	struct timespec ts;
	uint32_t rnd;
	int n;

	if (!prefix)
		prefix = "req";
	if (strlen(prefix) > 16 || !xenpci_request_id_valid(prefix))
		return -EINVAL;
	if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) != sizeof(rnd)) {
		/* No entropy yet: the time and the counter still differ. */
		rnd = (uint32_t)random();
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	/* <= 16 + 1 + 10 + 1 + 16 + 1 + 8 + 1 + 8 = 62 characters */
	n = snprintf(id, XENPCI_REQ_ID_LEN, "%s-%ld-%llx-%x-%08x", prefix,
		     (long)getpid(),
		     (unsigned long long)ts.tv_sec * 1000000000ULL +
			     (unsigned long long)ts.tv_nsec,
		     __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED), rnd);
	if (n < 0 || n >= XENPCI_REQ_ID_LEN)
		return -EINVAL;
	return 0;
}
