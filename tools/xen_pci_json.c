/*
 * Just enough JSON output for --json: strings escaped per RFC 8259.
 */
#include <stdio.h>

#include "xen_pci.h"

void xp_json_str(FILE *f, const char *s)
{
	const unsigned char *p;

	if (!s) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	for (p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		default:
			if (*p < 0x20)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

void xp_json_key(FILE *f, bool *first, const char *key)
{
	if (!*first)
		fputc(',', f);
	*first = false;
	xp_json_str(f, key);
	fputc(':', f);
}

void xp_json_kv(FILE *f, bool *first, const char *key, const char *val)
{
	xp_json_key(f, first, key);
	xp_json_str(f, val);
}
