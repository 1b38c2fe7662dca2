/*
 * libFuzzer harness: a request as the agent reads it from R/requests,
 * through reqparse() (agent/reqparse.c: IDs, fields, ops, specs through
 * libxlutil's xlu_pci_parse_spec_string and the agent's own checks) and
 * the real log.c (every message escaped), as reqwatch.c hands it over.
 *
 * Input: NUL-separated tokens; the first is the request ID, each other
 * one "name=value" (a token without '=' is a field that vanished: its
 * value is NULL, as reqio.c gives it).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../agent/log.h"
#include "../../agent/reqparse.h"
#include "../../agent/sysfs.h"

#define MAX_TOKENS	(XENPCI_REQ_FIELDS_MAX + 8)

/* 07:00.* has functions 0 and 1 (the wildcard's sysfs lookup). */
int sysfs_functions(const struct bdf *slot, struct bdf *out,
		    unsigned int max, unsigned int *n)
{
	*n = 0;
	if (slot->bus != 7 || max < 2)
		return 0;
	for (unsigned int f = 0; f < 2; f++)
		out[(*n)++] = (struct bdf){ slot->dom, slot->bus, slot->dev,
					    f };
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *names[MAX_TOKENS], *vals[MAX_TOKENS], *buf, *s, *e;
	static bool init;
	struct req_params p;
	unsigned int n = 0;

	if (!init) {
		/* Into the log's escaping too (run with -close_fd_mask=2). */
		log_init(true, LOG_DEBUG);
		init = true;
	}
	buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	s = buf + strlen(buf) + 1;	/* after the ID */
	while (s < buf + size + 1 && n < MAX_TOKENS) {
		names[n] = s;
		e = strchr(s, '=');
		s += strlen(s) + 1;
		if (e) {
			*e = '\0';
			vals[n] = e + 1;
		} else {
			vals[n] = NULL;
		}
		n++;
	}
	if (!reqparse(buf, names, vals, n, &p)) {
		struct spec *sp;
		struct bdf b = { 0, 7, 0, 0 };

		/* name= specs, resolved as reqio.c would. */
		while ((sp = reqparse_unresolved(&p)))
			if (reqparse_resolve(&p, sp, &b))
				break;
	}
	reqparse_free(&p);
	free(buf);
	return 0;
}
