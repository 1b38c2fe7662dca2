// SPDX-License-Identifier: GPL-2.0
/*
 * sim/log and sim/fault.
 *
 * sim/log holds one line per write into sys/, in the order the writes
 * completed:
 *
 *	<seq> write <path> "<value>" <ok|ENAME> [injected] [delay_ms=D]
 *
 * followed by the side effects that write caused (bind, unbind, reset,
 * slot-add, remove, ...), each with its own sequence number, so a test
 * can assert an exact sequence of sysfs operations.  Other simulator
 * processes append "<seq> note <text>" lines by writing to sim/log.
 *
 * sim/fault holds pending faults: "PATH ERRNO [nth=N] [count=M]
 * [delay_ms=D]".  Callers hold the global lock (fuse_ops.c).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simsysfs.h"

struct fault {
	char path[256];
	int err;		/* 0: delay only */
	unsigned long skip;	/* writes to let through first (nth - 1) */
	unsigned long count;	/* times left to fire, 0 = forever */
	unsigned long delay_ms;
};

static struct strbuf log_text;
static struct strbuf pending;	/* side effects of the write under way */
static unsigned long log_seq;
static struct fault *faults;
static size_t nfaults;

static void log_vline(struct strbuf *sb, const char *fmt, va_list ap)
{
	char *text = NULL;

	if (vasprintf(&text, fmt, ap) < 0)
		abort();
	sb_printf(sb, "%s\n", text);
	free(text);
}

/* A line of its own, numbered now. */
void sim_log(const char *fmt, ...)
{
	va_list ap;

	sb_printf(&log_text, "%lu ", ++log_seq);
	va_start(ap, fmt);
	log_vline(&log_text, fmt, ap);
	va_end(ap);
}

/* A side effect: numbered when the write that caused it is logged. */
void sim_log_defer(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vline(&pending, fmt, ap);
	va_end(ap);
}

void sim_log_flush(void)
{
	char *line = pending.buf;
	char *nl;

	while (line && *line) {
		nl = strchr(line, '\n');
		*nl = '\0';
		sim_log("%s", line);
		line = nl + 1;
	}
	sb_free(&pending);
}

void sim_log_write(const char *path, const char *buf, size_t len, int err,
		   bool injected, unsigned int delay_ms)
{
	struct strbuf sb;

	sb_init(&sb);
	sb_printf(&sb, "write %s ", path);
	escape_value(&sb, buf, len);
	sb_printf(&sb, " %s", errno_name(err));
	if (injected)
		sb_printf(&sb, " injected");
	if (delay_ms)
		sb_printf(&sb, " delay_ms=%u", delay_ms);
	sim_log("%s", sb.buf);
	sb_free(&sb);
	sim_log_flush();
}

void sim_log_discard(void)
{
	sb_free(&pending);
}

void sim_log_show(struct strbuf *sb)
{
	if (log_text.len)
		sb_add(sb, log_text.buf, log_text.len);
}

/* "bus/pci/devices/<BDF>/x" and "devices/pciD:B/<BDF>/x" are one file. */
static void canonical_path(char *out, size_t size, const char *in)
{
	const char *p;

	while (*in == '/')
		in++;
	if (!strncmp(in, "sys/", 4))
		in += 4;
	if (!strncmp(in, "devices/pci", 11)) {
		p = strchr(in + 11, '/');
		if (p) {
			snprintf(out, size, "bus/pci/devices%s", p);
			return;
		}
	}
	snprintf(out, size, "%s", in);
}

static int fault_parse_opt(struct fault *f, const char *tok)
{
	unsigned long v;
	const char *eq = strchr(tok, '=');

	if (!eq || kstrtoul(eq + 1, 10, &v))
		return -EINVAL;
	if (!strncmp(tok, "nth=", 4) && v >= 1)
		f->skip = v - 1;
	else if (!strncmp(tok, "count=", 6))
		f->count = v;
	else if (!strncmp(tok, "delay_ms=", 9) && v <= 600000)
		f->delay_ms = v;
	else
		return -EINVAL;
	return 0;
}

static int fault_parse(struct fault *f, char *line)
{
	char *save = NULL;
	char *path = strtok_r(line, " \t\n", &save);
	char *ename = strtok_r(NULL, " \t\n", &save);
	char *tok;

	if (!path || !ename || strlen(path) >= sizeof(f->path))
		return -EINVAL;
	memset(f, 0, sizeof(*f));
	f->count = 1;
	canonical_path(f->path, sizeof(f->path), path);
	if (!strcmp(ename, "OK") || !strcmp(ename, "0"))
		f->err = 0;
	else if ((f->err = errno_from_name(ename)) < 0)
		return -EINVAL;
	while ((tok = strtok_r(NULL, " \t\n", &save)))
		if (fault_parse_opt(f, tok))
			return -EINVAL;
	/* A fault that neither fails nor delays would be a silent no-op. */
	if (!f->err && !f->delay_ms)
		return -EINVAL;
	return 0;
}

/* Writing sim/fault: one fault per line, or "clear". */
int sim_fault_add(const char *text)
{
	char *copy = xstrdup(text);
	char *save = NULL;
	char *line;
	struct fault f;
	int err = 0;

	for (line = strtok_r(copy, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strcmp(line, "clear")) {
			free(faults);
			faults = NULL;
			nfaults = 0;
			continue;
		}
		err = fault_parse(&f, line);
		if (err)
			break;
		faults = realloc(faults, (nfaults + 1) * sizeof(*faults));
		if (!faults)
			abort();
		faults[nfaults++] = f;
	}
	free(copy);
	return err;
}

void sim_fault_show(struct strbuf *sb)
{
	size_t i;

	for (i = 0; i < nfaults; i++)
		sb_printf(sb, "%s %s nth=%lu count=%lu delay_ms=%lu\n",
			  faults[i].path,
			  faults[i].err ? errno_name(faults[i].err) : "OK",
			  faults[i].skip + 1, faults[i].count,
			  faults[i].delay_ms);
}

static void fault_drop(size_t i)
{
	memmove(&faults[i], &faults[i + 1],
		(nfaults - i - 1) * sizeof(*faults));
	nfaults--;
}

/*
 * Called for every write into sys/: the first due fault for this path
 * fires; faults not yet due count this write.
 */
void sim_fault_check(const char *path, int *err, unsigned int *delay_ms)
{
	char canon[256];
	bool fired = false;
	size_t i = 0;

	*err = 0;
	*delay_ms = 0;
	canonical_path(canon, sizeof(canon), path);
	while (i < nfaults) {
		struct fault *f = &faults[i];

		if (strcmp(f->path, canon)) {
			i++;
			continue;
		}
		if (f->skip) {
			f->skip--;
			i++;
			continue;
		}
		if (fired) {
			i++;
			continue;
		}
		fired = true;
		*err = f->err;
		*delay_ms = f->delay_ms;
		if (f->count && --f->count == 0) {
			fault_drop(i);
			continue;
		}
		i++;
	}
}

void sim_log_free(void)
{
	sb_free(&log_text);
	sb_free(&pending);
	free(faults);
	faults = NULL;
	nfaults = 0;
}
