// SPDX-License-Identifier: GPL-2.0
/*
 * Small helpers: a growable buffer, and user-input parsers that copy the
 * kernel's exactly, because the agent under test sees their errnos.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simsysfs.h"

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	/* A simulator that cannot allocate has nothing sensible to do. */
	if (!p) {
		perror("simsysfs: calloc");
		abort();
	}
	return p;
}

char *xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);

	if (!p) {
		perror("simsysfs: strndup");
		abort();
	}
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

void sb_init(struct strbuf *sb)
{
	sb->buf = NULL;
	sb->len = 0;
	sb->cap = 0;
}

void sb_free(struct strbuf *sb)
{
	free(sb->buf);
	sb_init(sb);
}

static void sb_grow(struct strbuf *sb, size_t extra)
{
	size_t want = sb->len + extra + 1;
	char *p;

	if (want <= sb->cap)
		return;
	if (want < 2 * sb->cap)
		want = 2 * sb->cap;
	p = realloc(sb->buf, want);
	if (!p) {
		perror("simsysfs: realloc");
		abort();
	}
	sb->buf = p;
	sb->cap = want;
}

int sb_add(struct strbuf *sb, const void *data, size_t len)
{
	sb_grow(sb, len);
	memcpy(sb->buf + sb->len, data, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
	return 0;
}

int sb_printf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	sb_grow(sb, n);
	va_start(ap, fmt);
	vsnprintf(sb->buf + sb->len, n + 1, fmt, ap);
	va_end(ap);
	sb->len += n;
	return 0;
}

/*
 * lib/string.c sysfs_streq(): equal, or equal up to one trailing newline
 * on either side.  bus_find_device_by_name() compares BDFs with it.
 */
bool sysfs_streq(const char *s1, const char *s2)
{
	while (*s1 && *s1 == *s2) {
		s1++;
		s2++;
	}
	if (*s1 == *s2)
		return true;
	if (!*s1 && *s2 == '\n' && !s2[1])
		return true;
	if (*s1 == '\n' && !s1[1] && !*s2)
		return true;
	return false;
}

static unsigned int hexval(int c)
{
	if (isdigit(c))
		return c - '0';
	return tolower(c) - 'a' + 10;
}

/*
 * lib/kstrtox.c kstrtoul() -> _kstrtoull(): optional '+', base 0 means
 * auto (0x -> 16, 0 -> 8), at least one digit, a single trailing newline,
 * -EINVAL for anything else and -ERANGE on overflow.
 */
int kstrtoul(const char *s, unsigned int base, unsigned long *res)
{
	unsigned long long v = 0;
	const char *p;

	if (*s == '+')
		s++;
	if (base == 0) {
		if (s[0] == '0' && tolower(s[1]) == 'x' && isxdigit(s[2]))
			base = 16;
		else if (s[0] == '0')
			base = 8;
		else
			base = 10;
	}
	if (base == 16 && s[0] == '0' && tolower(s[1]) == 'x')
		s += 2;
	for (p = s; *p && isxdigit((unsigned char)*p); p++) {
		unsigned int d = hexval((unsigned char)*p);

		if (d >= base)
			break;
		if (v > (~0ULL - d) / base)
			return -ERANGE;
		v = v * base + d;
	}
	if (p == s)
		return -EINVAL;
	if (*p == '\n')
		p++;
	if (*p)
		return -EINVAL;
	*res = v;
	return 0;
}

/*
 * lib/kstrtox.c kstrtobool() (6.1): only the first one or two characters
 * count; y/Y/t/T/1 and "on" are true, n/N/f/F/0 and "off" false.
 */
int kstrtobool(const char *s, bool *res)
{
	switch (s[0]) {
	case 'y': case 'Y': case 't': case 'T': case '1':
		*res = true;
		return 0;
	case 'n': case 'N': case 'f': case 'F': case '0':
		*res = false;
		return 0;
	case 'o': case 'O':
		if (s[1] == 'n' || s[1] == 'N') {
			*res = true;
			return 0;
		}
		if (s[1] == 'f' || s[1] == 'F') {
			*res = false;
			return 0;
		}
		break;
	}
	return -EINVAL;
}

static const struct {
	int err;
	const char *name;
} errnames[] = {
	{ EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { EIO, "EIO" },
	{ ENXIO, "ENXIO" }, { E2BIG, "E2BIG" }, { EAGAIN, "EAGAIN" },
	{ ENOMEM, "ENOMEM" }, { EACCES, "EACCES" }, { EBUSY, "EBUSY" },
	{ EEXIST, "EEXIST" }, { ENODEV, "ENODEV" }, { EINVAL, "EINVAL" },
	{ ENOSPC, "ENOSPC" }, { ERANGE, "ERANGE" }, { ENOSYS, "ENOSYS" },
	{ ENOTTY, "ENOTTY" }, { ETIMEDOUT, "ETIMEDOUT" },
	{ EOPNOTSUPP, "EOPNOTSUPP" }, { EROFS, "EROFS" },
	{ EINTR, "EINTR" }, { EFAULT, "EFAULT" },
};

const char *errno_name(int err)
{
	static __thread char other[16];
	size_t i;

	if (!err)
		return "ok";
	for (i = 0; i < sizeof(errnames) / sizeof(errnames[0]); i++)
		if (errnames[i].err == err)
			return errnames[i].name;
	snprintf(other, sizeof(other), "E%d", err);
	return other;
}

int errno_from_name(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(errnames) / sizeof(errnames[0]); i++)
		if (!strcmp(errnames[i].name, name))
			return errnames[i].err;
	return -1;
}

/* Quote a written value for sim/log: one line, C escapes. */
void escape_value(struct strbuf *sb, const char *buf, size_t len)
{
	size_t i;

	sb_add(sb, "\"", 1);
	for (i = 0; i < len; i++) {
		unsigned char c = buf[i];

		if (c == '\n')
			sb_add(sb, "\\n", 2);
		else if (c == '\t')
			sb_add(sb, "\\t", 2);
		else if (c == '\\' || c == '"')
			sb_printf(sb, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			sb_printf(sb, "\\x%02x", c);
		else
			sb_add(sb, &buf[i], 1);
	}
	sb_add(sb, "\"", 1);
}
