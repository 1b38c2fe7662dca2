/*
 * Permissive hints (hint.h).
 *
 * Linux's xen-pciback (conf_space.c xen_pcibk_config_write()) drops a
 * guest's write to a configuration space field it does not emulate
 * unless the device or the module is permissive, and says so once per
 * device bound to pciback (dev_data->warned_on_write), with dev_warn():
 * "pciback BDF: Driver tried to write ..." (the driver is "pciback",
 * pci_stub.c), and since Linux 5.x's dev_fmt also "xen-pciback: "
 * before the text.  The guest never hears of it; its device misbehaves.
 * Nobody reads dmesg first, so the agent puts the kernel's words next
 * to the device, with the fix.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "hint.h"
#include "log.h"

#define RO_WRITE_TEXT	"Driver tried to write to a read-only " \
			"configuration space field at offset "

/* "pciback" or "xen-pciback", then the device, as dev_printk() puts it. */
static bool parse_prefix(const char *text, struct bdf *b)
{
	char drv[16], dev[16];
	size_t n;

	if (sscanf(text, "%15s %15s", drv, dev) != 2)
		return false;
	if (strcmp(drv, "pciback") && strcmp(drv, "xen-pciback"))
		return false;
	n = strlen(dev);
	if (!n || dev[n - 1] != ':')
		return false;
	dev[n - 1] = '\0';
	return bdf_from_str(dev, b);
}

bool hint_parse_kmsg(const char *rec, size_t len, struct ro_write *w)
{
	char text[512];
	const char *p, *semi, *sp;
	unsigned int off, size;

	snprintf(text, sizeof(text), "%.*s", (int)len, rec);
	text[strcspn(text, "\n")] = '\0';
	/* The /dev/kmsg header "prio,seq,usec,flags;" has no space. */
	semi = strchr(text, ';');
	sp = strchr(text, ' ');
	p = semi && (!sp || semi < sp) ? semi + 1 : text;
	if (!parse_prefix(p, &w->bdf))
		return false;
	p = strstr(p, RO_WRITE_TEXT);
	if (!p || sscanf(p + strlen(RO_WRITE_TEXT), "0x%x, size %u", &off,
			 &size) != 2)
		return false;
	w->offset = off;
	w->size = size;
	return true;
}

static void hint_path(const struct bdf *b, char *buf, size_t len)
{
	char key[KEY_STR_LEN];

	snprintf(buf, len, "%s/hints/%s", cfg.state_dir, bdf_key(b, key));
}

int hint_record(const struct ro_write *w, long domid)
{
	char p[4096], tmp[4112], dir[4096], when[32], guest[40];
	time_t now = time(NULL);
	struct tm tm;
	FILE *f;
	int rc = 0;

	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (domid >= 0)
		snprintf(guest, sizeof(guest), "domain %ld", domid);
	else
		snprintf(guest, sizeof(guest), "%s", "its guest");
	snprintf(dir, sizeof(dir), "%s/hints", cfg.state_dir);
	if (mkdir(dir, 0700) && errno != EEXIST)
		return -errno;
	hint_path(&w->bdf, p, sizeof(p));
	snprintf(tmp, sizeof(tmp), "%s.tmp", p);
	f = fopen(tmp, "we");
	if (!f)
		return -errno;
	fprintf(f, "%s %s wrote read-only config space at 0x%x (size %u), "
		"pciback dropped it: the device may need permissive=1 "
		"(attach with permissive=1, or write 1 to pciback's "
		"permissive)\n", when, guest, w->offset, w->size);
	if (fclose(f) || rename(tmp, p))
		rc = -errno;
	return rc;
}

void hint_get(const struct bdf *b, char *buf, size_t len)
{
	char p[4096];
	FILE *f;

	buf[0] = '\0';
	hint_path(b, p, sizeof(p));
	f = fopen(p, "re");
	if (!f)
		return;
	if (!fgets(buf, len, f))
		buf[0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

void hint_clear(const struct bdf *b)
{
	char p[4096];

	hint_path(b, p, sizeof(p));
	if (unlink(p) && errno != ENOENT)
		log_dev(LOG_WARNING, b, "remove its hint %s: %s", p,
			strerror(errno));
}
