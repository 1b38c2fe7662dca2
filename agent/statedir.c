/*
 * On-disk state (--state-dir, default /var/lib/xen-pci-agent):
 *
 *   drivers/<K>   the device's original driver, one line: the host path
 *                 libxl would store in /libxl/pci/<K>/driver_path
 *                 (/sys/bus/pci/drivers/igb).  Written when a device is
 *                 made assignable, removed when it is given back to that
 *                 driver.  It outlives a reboot, when xenstore is empty
 *                 again, so that `assignable-remove -r` still works.
 *   intent/<K>    the intent journal: one record per device that has an
 *                 operation in progress.
 *   lock          flock()ed while an agent runs: one agent per state dir.
 *
 * THE INTENT JOURNAL (crash safety)
 *
 * Before a device takes its first step towards a goal (device.c), the
 * agent writes intent/<K>: the goal, the goal a failure or a crash
 * returns it to, each with its guest, the device's original driver, the
 * boot it belongs to and the request that asked.  Records are written
 * to a temporary file in one write() and renamed into place, so a record
 * is either absent or complete.  They are not fsync'd: what they guard
 * against is the agent's death (kill -9, a crash), which leaves the page
 * cache as it was, and a record that outlives the host's is from an
 * earlier boot and discarded (below).  Five fsyncs of every add were
 * most of its time on disk (issue 10).  drivers/<K> must outlive a
 * reboot and is fsync'd, with its directory.  It is removed when
 * the drive has reached its goal, or when the device has been driven
 * back after a failure.  On the success and error paths that is before
 * the request's final status is written; when a request times out, its
 * ETIMEDOUT is written at once and the record goes only when the step
 * still running returns and the device has been driven back.
 *
 * Every step is idempotent and is chosen from what the device is now
 * (observed), not from how far a previous run got, so a record is
 * written once, not per step, and recovery needs no step counter: at
 * start-up each record's device is driven to the goal to return to (an
 * add back to its driver, a remove back to pciback, an attach out of
 * the guest; a detach is finished instead, since the guest may already
 * have let go).  If pciback refuses to take a device back, its original
 * driver is tried, so the device is never left bound to nothing while
 * its driver is forgotten: drivers/<K> is kept until a rebind succeeds.
 * The record is then removed.  Requests in xenstore that have no final
 * status are then served again from the start (they are idempotent:
 * assignable-add of a device already on pciback is `ok`), so a request
 * interrupted by kill -9 ends with a final status and the device ends in
 * the state the request asked for; if the requester has gone, the device
 * is simply back where it was.
 *
 * A record from another boot (boot_id differs) is discarded: a reboot
 * has reset sysfs, and the kernel has bound the device afresh.
 *
 * A crash between removing the record and writing the final status
 * leaves a request without a final status and no record: it is served
 * again and, being idempotent, answers `ok`.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "statedir.h"

static int lock_fd = -1;

static int mkdir_p(const char *path)
{
	char buf[PATH_MAX];
	char *s;

	if ((size_t)snprintf(buf, sizeof(buf), "%s", path) >= sizeof(buf))
		return -ENAMETOOLONG;
	for (s = buf + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(buf, 0700) && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	if (mkdir(buf, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

static int state_path(char *buf, size_t len, const char *sub,
		      const struct bdf *b)
{
	char key[KEY_STR_LEN];
	int n;

	if (b)
		n = snprintf(buf, len, "%s/%s/%s", cfg.state_dir, sub,
			     bdf_key(b, key));
	else
		n = snprintf(buf, len, "%s/%s", cfg.state_dir, sub);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int statedir_init(void)
{
	char p[PATH_MAX];
	int rc;

	rc = mkdir_p(cfg.state_dir);
	if (!rc) {
		state_path(p, sizeof(p), "drivers", NULL);
		rc = mkdir_p(p);
	}
	if (!rc) {
		state_path(p, sizeof(p), "intent", NULL);
		rc = mkdir_p(p);
	}
	if (rc) {
		log_err("state dir %s: %s", cfg.state_dir, strerror(-rc));
		return rc;
	}
	/* Read once now, before worker threads share the buffer. */
	current_boot_id();
	state_path(p, sizeof(p), "lock", NULL);
	lock_fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lock_fd < 0) {
		rc = -errno;
		log_err("state dir %s: open lock: %s", cfg.state_dir,
			strerror(errno));
		return rc;
	}
	if (flock(lock_fd, LOCK_EX | LOCK_NB)) {
		rc = -errno;
		log_err("state dir %s is locked: another agent is running",
			cfg.state_dir);
		return rc;
	}
	return 0;
}

static int fsync_dir_of(const char *path)
{
	char dir[PATH_MAX];
	char *s;
	int fd, rc = 0;

	snprintf(dir, sizeof(dir), "%s", path);
	s = strrchr(dir, '/');
	if (s)
		*s = '\0';
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd))
		rc = -errno;
	close(fd);
	return rc;
}

/* Replace `path` with `data` atomically; durably: also past a crash. */
static int write_atomic(const char *path, const char *data, bool durable)
{
	char tmp[PATH_MAX];
	size_t len = strlen(data);
	int fd, rc = 0;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	ssize_t n = write(fd, data, len);

	/* A short write sets no errno: say what happened, not a stale one. */
	if (n < 0 || (durable && fsync(fd)))
		rc = -errno;
	else if ((size_t)n != len)
		rc = -ENOSPC;
	if (close(fd) && !rc)
		rc = -errno;
	if (!rc && rename(tmp, path))
		rc = -errno;
	if (rc) {
		unlink(tmp);
		return rc;
	}
	return durable ? fsync_dir_of(path) : 0;
}

static int remove_file(const char *path, bool durable)
{
	if (unlink(path))
		return errno == ENOENT ? 0 : -errno;
	return durable ? fsync_dir_of(path) : 0;
}

const char *current_boot_id(void)
{
	static char id[40];
	FILE *fp;

	if (id[0])
		return id;
	fp = fopen("/proc/sys/kernel/random/boot_id", "r");
	if (!fp || !fgets(id, sizeof(id), fp))
		snprintf(id, sizeof(id), "unknown");
	if (fp)
		fclose(fp);
	id[strcspn(id, "\n")] = '\0';
	return id;
}

int intent_write(const struct intent *in)
{
	char p[PATH_MAX], buf[PATH_MAX + 512], bdf[BDF_STR_LEN];
	int rc;

	state_path(p, sizeof(p), "intent", &in->bdf);
	snprintf(buf, sizeof(buf),
		 "bdf=%s\ngoal=%s\ngoal_domid=%ld\nreturn=%s\n"
		 "return_domid=%ld\nrequest=%s\norig_driver=%s\n"
		 "wrote_xs_path=%d\nboot_id=%s\n",
		 bdf_str(&in->bdf, bdf), in->goal, in->goal_domid, in->ret,
		 in->ret_domid, in->request, in->orig_driver,
		 in->wrote_xs_path, in->boot_id);
	rc = write_atomic(p, buf, false);
	if (rc)
		log_dev(LOG_ERR, &in->bdf, "write intent record %s: %s", p,
			strerror(-rc));
	return rc;
}

static void intent_field(struct intent *in, const char *k, const char *v)
{
	if (!strcmp(k, "goal"))
		snprintf(in->goal, sizeof(in->goal), "%s", v);
	else if (!strcmp(k, "goal_domid"))
		in->goal_domid = strtol(v, NULL, 10);
	else if (!strcmp(k, "return"))
		snprintf(in->ret, sizeof(in->ret), "%s", v);
	else if (!strcmp(k, "return_domid"))
		in->ret_domid = strtol(v, NULL, 10);
	else if (!strcmp(k, "request"))
		snprintf(in->request, sizeof(in->request), "%s", v);
	else if (!strcmp(k, "orig_driver"))
		snprintf(in->orig_driver, sizeof(in->orig_driver), "%s", v);
	else if (!strcmp(k, "wrote_xs_path"))
		in->wrote_xs_path = atoi(v);
	else if (!strcmp(k, "boot_id"))
		snprintf(in->boot_id, sizeof(in->boot_id), "%s", v);
}

int intent_read(const struct bdf *b, struct intent *in)
{
	char p[PATH_MAX], line[PATH_MAX + 64];
	FILE *fp;

	state_path(p, sizeof(p), "intent", b);
	fp = fopen(p, "r");
	if (!fp)
		return -errno;
	memset(in, 0, sizeof(*in));
	in->bdf = *b;
	in->goal_domid = in->ret_domid = -1;
	while (fgets(line, sizeof(line), fp)) {
		char *v = strchr(line, '=');

		line[strcspn(line, "\n")] = '\0';
		if (!v)
			continue;
		*v++ = '\0';
		intent_field(in, line, v);
	}
	fclose(fp);
	/* write_atomic() makes a torn record impossible; be safe anyway. */
	return in->goal[0] && in->ret[0] ? 0 : -EBADMSG;
}

int intent_clear(const struct bdf *b)
{
	char p[PATH_MAX];
	int rc;

	state_path(p, sizeof(p), "intent", b);
	rc = remove_file(p, false);
	if (rc)
		log_dev(LOG_ERR, b, "remove intent record %s: %s", p,
			strerror(-rc));
	return rc;
}

int intent_list(struct bdf **out, unsigned int *n)
{
	char p[PATH_MAX];
	struct bdf *v = NULL, *nv, b;
	unsigned int cnt = 0;
	struct dirent *de;
	DIR *d;

	state_path(p, sizeof(p), "intent", NULL);
	d = opendir(p);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (!bdf_from_key(de->d_name, &b))
			continue;
		nv = realloc(v, (cnt + 1) * sizeof(*v));
		if (!nv) {
			free(v);
			closedir(d);
			return -ENOMEM;
		}
		v = nv;
		v[cnt++] = b;
	}
	closedir(d);
	*out = v;
	*n = cnt;
	return 0;
}

int driver_remember(const struct bdf *b, const char *host_path)
{
	char p[PATH_MAX], buf[PATH_MAX + 2];
	int rc;

	state_path(p, sizeof(p), "drivers", b);
	snprintf(buf, sizeof(buf), "%s\n", host_path);
	rc = write_atomic(p, buf, true);
	if (rc)
		log_dev(LOG_ERR, b, "remember driver in %s: %s", p,
			strerror(-rc));
	return rc;
}

int driver_recall(const struct bdf *b, char *host_path, size_t len)
{
	char p[PATH_MAX];
	FILE *fp;

	host_path[0] = '\0';
	state_path(p, sizeof(p), "drivers", b);
	fp = fopen(p, "r");
	if (!fp)
		return -errno;
	if (!fgets(host_path, len, fp))
		host_path[0] = '\0';
	fclose(fp);
	host_path[strcspn(host_path, "\n")] = '\0';
	return host_path[0] ? 0 : -ENOENT;
}

int driver_forget(const struct bdf *b)
{
	char p[PATH_MAX];

	state_path(p, sizeof(p), "drivers", b);
	return remove_file(p, true);
}
