/* See unit.h. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "unit.h"

static int failures;

static bool report(bool cond, const char *fmt, va_list ap)
{
	printf("%s - ", cond ? "ok" : "not ok");
	vprintf(fmt, ap);
	putchar('\n');
	if (!cond)
		failures++;
	fflush(stdout);
	return cond;
}

bool unit_check(bool cond, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(cond, fmt, ap);
	va_end(ap);
	return cond;
}

bool unit_is(const char *got, const char *want, const char *fmt, ...)
{
	bool same = got && want ? !strcmp(got, want) : got == want;
	va_list ap;

	va_start(ap, fmt);
	report(same, fmt, ap);
	va_end(ap);
	if (!same)
		printf("#   got:  '%s'\n#   want: '%s'\n", got ? got : "(null)",
		       want ? want : "(null)");
	return same;
}

bool unit_is_int(long got, long want, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(got == want, fmt, ap);
	va_end(ap);
	if (got != want)
		printf("#   got:  %ld\n#   want: %ld\n", got, want);
	return got == want;
}

int unit_done(void)
{
	return failures ? 1 : 0;
}
