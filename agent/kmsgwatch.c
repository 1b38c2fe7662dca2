/*
 * The kernel log, read as it grows, never polled: /dev/kmsg opened
 * non-blocking under --dev-root, one libev io watcher, each read() one
 * record (kernel/printk/printk.c devkmsg_read()).  It is opened at its
 * end (lseek SEEK_END, devkmsg_llseek()): what the kernel said before
 * the agent started was about guests the agent did not see, and a
 * restarted agent keeps its hints in the state dir.
 *
 * A warning from pciback that a guest's driver wrote a read-only
 * configuration space field (hint.c) is recorded as a hint on the
 * device, naming the guest that has the device now (libxl's record,
 * else the reset record's holder), and the device is published again.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "hint.h"
#include "kmsgwatch.h"
#include "libxl_pci.h"
#include "log.h"
#include "policy.h"
#include "publish.h"

/* printk.c: a record is at most CONSOLE_EXT_LOG_MAX (8 KiB). */
#define KMSG_RECORD_MAX	8192

static ev_io kmsg_io;
static int kmsg_fd = -1;

static long holder_of(const struct bdf *b)
{
	long domid = libxl_pci_domid(XBT_NULL, b);
	struct reset_rec r;

	if (domid >= 0)
		return domid;
	policy_reset_get(b, &r);
	return r.state == RESET_IN_USE ? r.domid : -1;
}

static void handle_record(const char *rec, size_t len)
{
	struct ro_write w;
	long domid;
	int rc;

	if (!hint_parse_kmsg(rec, len, &w))
		return;
	domid = holder_of(&w.bdf);
	log_dev(LOG_WARNING, &w.bdf, "domain %ld wrote read-only config "
		"space at 0x%x (size %u), pciback dropped it: the device may "
		"need permissive=1", domid, w.offset, w.size);
	rc = hint_record(&w, domid);
	if (rc)
		log_dev(LOG_WARNING, &w.bdf, "record its hint in %s/hints: %s",
			cfg.state_dir, strerror(-rc));
	publish_devices(&w.bdf, 1);
}

static void stop_reading(const char *why, int err)
{
	log_warn("kernel log %s/kmsg: %s: %s; no permissive hints from now",
		 cfg.dev_root, why, strerror(err));
	kmsgwatch_shutdown();
}

static void kmsg_cb(struct ev_loop *l, ev_io *w, int revents)
{
	static char rec[KMSG_RECORD_MAX];
	ssize_t n;

	(void)l;
	(void)w;
	(void)revents;
	for (;;) {
		n = read(kmsg_fd, rec, sizeof(rec) - 1);
		if (n > 0) {
			rec[n] = '\0';
			handle_record(rec, n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		/* Records overwritten before we read them: go on. */
		if (n < 0 && errno == EPIPE)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		stop_reading("read", n ? errno : EIO);
		return;
	}
}

void kmsgwatch_init(void)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/kmsg", cfg.dev_root);
	kmsg_fd = open(p, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kmsg_fd < 0) {
		log_warn("kernel log %s: %s; no permissive hints", p,
			 strerror(errno));
		return;
	}
	if (lseek(kmsg_fd, 0, SEEK_END) < 0) {
		stop_reading("seek to its end", errno);
		return;
	}
	ev_io_init(&kmsg_io, kmsg_cb, kmsg_fd, EV_READ);
	ev_io_start(loop, &kmsg_io);
}

void kmsgwatch_shutdown(void)
{
	if (kmsg_fd < 0)
		return;
	ev_io_stop(loop, &kmsg_io);
	close(kmsg_fd);
	kmsg_fd = -1;
}
