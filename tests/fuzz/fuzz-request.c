/*
 * A request as a requester writes it (R/requests/<ID>/<field>), through
 * reqparse(): the first line is the ID, every other line a field
 * "name=value" ("name" alone: a field whose value could not be read,
 * NULL).  Specs go through libxlutil and the agent's own checks
 * (spec.c); a name= spec is resolved to a device or to none, as
 * reqio.c does from libxl's records.  Checked: a refusal has an errno
 * and a message, an acceptance names each device once, in range.
 */
#include <errno.h>

#include "../../agent/reqparse.h"
#include "../../agent/sysfs.h"
#include "fuzz.h"

#define MAX_FIELDS	128

FUZZ_FAKE_LOG

/* A '*' slot on bus 7 has functions 0 and 1 (the seed's NIC). */
int sysfs_functions(const struct bdf *slot, struct bdf *out,
		    unsigned int max, unsigned int *n)
{
	*n = 0;
	if (slot->bus != 7)
		return slot->bus == 8 ? -EIO : 0;
	for (unsigned int f = 0; f < 2 && f < max; f++)
		out[(*n)++] = (struct bdf){ slot->dom, slot->bus, slot->dev,
					    f };
	return 0;
}

static void check_devs(const struct req_params *p)
{
	FUZZ_CHECK(p->ndevs <= REQ_MAX_DEVS);
	for (unsigned int i = 0; i < p->ndevs; i++) {
		const struct bdf *b = &p->devs[i];

		FUZZ_CHECK(b->dom <= 0xffff && b->bus <= 0xff &&
			   b->dev <= 0x1f && b->func <= 7);
		for (unsigned int j = 0; j < i; j++)
			FUZZ_CHECK(!bdf_eq(b, &p->devs[j]));
	}
}

/* reqio.c's part: every name= spec looked up in libxl's records. */
static int resolve(struct req_params *p)
{
	struct spec *sp;
	int rc = 0;

	while (!rc && (sp = reqparse_unresolved(p))) {
		/* A name starting with 'x' names no device. */
		struct bdf b = { 0, 9, strlen(sp->name) & 0x1f, 0 };

		rc = reqparse_resolve(p, sp, sp->name[0] == 'x' ? NULL : &b);
	}
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct req_params p;
	char *names[MAX_FIELDS], *vals[MAX_FIELDS];
	char *text = fuzz_str(data, size), *line, *next, *id;
	struct qres res[REQ_MAX_DEVS + 1];
	unsigned int n = 0;
	int rc;

	id = text;
	next = id + strcspn(id, "\n");
	for (line = *next ? next + 1 : next, *next = '\0';
	     *line && n < MAX_FIELDS; line = next) {
		next = line + strcspn(line, "\n");
		if (*next)
			*next++ = '\0';
		names[n] = line;
		vals[n] = strchr(line, '=');
		if (vals[n])
			*vals[n]++ = '\0';
		n++;
	}
	rc = reqparse(id, names, vals, n, &p);
	if (!rc)
		rc = resolve(&p);
	FUZZ_CHECK(memchr(p.msg, '\0', sizeof(p.msg)));
	FUZZ_CHECK(memchr(p.desc, '\0', sizeof(p.desc)));
	if (rc) {
		FUZZ_CHECK(rc > 0 && p.err == rc && p.msg[0]);
	} else {
		FUZZ_CHECK(!p.err && !p.unresolved);
		FUZZ_CHECK(p.op == REQ_LIST || p.ndevs > 0);
		FUZZ_CHECK(p.timeout >= 1 && p.timeout <= 86400);
		FUZZ_CHECK(!p.has_domid || p.domid < 0x7ff0);
		check_devs(&p);
		FUZZ_CHECK(reqparse_resources(&p, res) <= REQ_MAX_DEVS + 1);
	}
	reqparse_free(&p);
	free(text);
	return 0;
}
