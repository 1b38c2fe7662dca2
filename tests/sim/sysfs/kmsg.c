// SPDX-License-Identifier: GPL-2.0
/*
 * dev/kmsg: the kernel log as Linux's /dev/kmsg gives it
 * (kernel/printk/printk.c devkmsg_read(), devkmsg_llseek(),
 * devkmsg_poll()), for the messages the simulated kernel prints.
 *
 * One read() returns one record,
 *
 *	<level>,<seq>,<usec>,-;<text>\n[ <KEY>=<value>\n]...
 *
 * with the text's control characters escaped as \xNN (printk.c
 * escape-free bytes only: a message's inner newlines come out as
 * \x0a); a read past the last record is -EAGAIN (the reader opens
 * O_NONBLOCK, as a daemon does), a buffer too small for the record
 * -EINVAL.  The file's size is the end of the log, so lseek(SEEK_END)
 * lands after the last record as devkmsg_llseek() does; offsets are
 * bytes here where the kernel counts records, which no reader sees.
 * A reader's poll() is readable while a record lies past the position
 * of its last read; the handle is notified when one is added.
 * Callers hold the global lock (fuse_ops.c).
 */
#define FUSE_USE_VERSION 31

#include <errno.h>
#include <fuse.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "simsysfs.h"

struct kmsg_reader {
	off_t pos;			/* end of its last read */
	struct fuse_pollhandle *ph;	/* waiting for a record */
	struct kmsg_reader *next;
};

static struct strbuf log;		/* every record, back to back */
static unsigned long long seq;
static struct kmsg_reader *readers;

static void escape_text(struct strbuf *sb, const char *text)
{
	const unsigned char *p;

	for (p = (const unsigned char *)text; *p; p++) {
		if (*p < ' ' || *p >= 127 || *p == '\\')
			sb_printf(sb, "\\x%02x", *p);
		else
			sb_add(sb, p, 1);
	}
}

/*
 * dev_printk_emit() for a PCI device: "<driver> <BDF>: " before the
 * text (dev_driver_string(), dev_name()), SUBSYSTEM and DEVICE in the
 * record's dictionary (dev_printk_info()).  printk() drops the final
 * newline of the format.
 */
void kmsg_dev_printk(int level, const struct sim_dev *dev,
		     const char *fmt, ...)
{
	struct kmsg_reader *r;
	struct timespec ts;
	char *text = NULL;
	size_t n;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) < 0)
		abort();
	va_end(ap);
	n = strlen(text);
	if (n && text[n - 1] == '\n')
		text[n - 1] = '\0';
	clock_gettime(CLOCK_MONOTONIC, &ts);
	sb_printf(&log, "%d,%llu,%llu,-;", level, seq++,
		  (unsigned long long)ts.tv_sec * 1000000ULL +
		  (unsigned long long)ts.tv_nsec / 1000);
	sb_printf(&log, "%s %s: ", dev->driver ? dev->driver->name : "pci",
		  dev->name);
	escape_text(&log, text);
	sb_printf(&log, "\n SUBSYSTEM=pci\n DEVICE=+pci:%s\n", dev->name);
	free(text);
	for (r = readers; r; r = r->next) {
		if (!r->ph)
			continue;
		fuse_notify_poll(r->ph);
		fuse_pollhandle_destroy(r->ph);
		r->ph = NULL;
	}
}

off_t kmsg_size(void)
{
	return log.len;
}

struct kmsg_reader *kmsg_open(void)
{
	struct kmsg_reader *r = xcalloc(1, sizeof(*r));

	r->next = readers;
	readers = r;
	return r;
}

void kmsg_close(struct kmsg_reader *r)
{
	struct kmsg_reader **pp;

	for (pp = &readers; *pp; pp = &(*pp)->next) {
		if (*pp == r) {
			*pp = r->next;
			break;
		}
	}
	if (r->ph)
		fuse_pollhandle_destroy(r->ph);
	free(r);
}

/* devkmsg_read(): the one record that starts at (or holds) off. */
int kmsg_read(struct kmsg_reader *r, char *buf, size_t size, off_t off)
{
	const char *end;
	size_t len;

	if (off < 0)
		return -EINVAL;
	r->pos = off;
	if ((size_t)off >= log.len)
		return -EAGAIN;
	/* A record ends at the first newline not followed by a space. */
	end = log.buf + off;
	do {
		end = strchr(end, '\n');
		end++;
	} while (*end == ' ');
	len = end - (log.buf + off);
	if (len > size)
		return -EINVAL;
	memcpy(buf, log.buf + off, len);
	r->pos = off + len;
	return len;
}

/* devkmsg_poll() */
int kmsg_poll(struct kmsg_reader *r, struct fuse_pollhandle *ph,
	      unsigned int *revents)
{
	if ((size_t)r->pos < log.len) {
		*revents = POLLIN | POLLRDNORM;
		if (ph)
			fuse_pollhandle_destroy(ph);
		return 0;
	}
	*revents = 0;
	if (ph) {
		if (r->ph)
			fuse_pollhandle_destroy(r->ph);
		r->ph = ph;
	}
	return 0;
}

static int kmsg_show(struct node *n, struct strbuf *sb)
{
	(void)n;
	(void)sb;
	return -EINVAL;		/* never: fuse_ops.c reads through kmsg_read */
}

const struct attr devdir_attrs[] = {
	{ "kmsg", 0644, kmsg_show, NULL, NULL, false },
	{ NULL, 0, NULL, NULL, NULL, false },
};

bool attr_is_kmsg(const struct attr *a)
{
	return a == &devdir_attrs[0];
}
