/*
 * Pid file and systemd readiness.  sd_notify() comes from libsystemd
 * rather than our own code: it knows every form $NOTIFY_SOCKET takes
 * (abstract namespace, vsock) and is already on every Debian system.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "log.h"
#include "service.h"

static char pidfile[PATH_MAX];
static pid_t pidfile_pid;

int service_pidfile_write(const char *path)
{
	char buf[24];
	int fd, n, err = 0;

	if (!path)
		return 0;
	if (snprintf(pidfile, sizeof(pidfile), "%s", path) >=
	    (int)sizeof(pidfile)) {
		log_err("pid file %s: name too long", path);
		return -ENAMETOOLONG;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		err = -errno;
		log_err("pid file %s: %s", path, strerror(errno));
		return err;
	}
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (write(fd, buf, n) != n) {
		err = errno ? -errno : -EIO;
		log_err("pid file %s: write: %s", path, strerror(-err));
	}
	if (close(fd) && !err)
		err = -errno;
	if (!err)
		pidfile_pid = getpid();
	return err;
}

void service_pidfile_remove(void)
{
	/* A forked child exiting must not remove its parent's file. */
	if (!pidfile_pid || pidfile_pid != getpid())
		return;
	if (unlink(pidfile) && errno != ENOENT)
		log_warn("pid file %s: %s", pidfile, strerror(errno));
	pidfile_pid = 0;
}

void service_notify(const char *state)
{
	int rc = sd_notify(0, state);

	if (rc < 0)
		log_warn("sd_notify: %s", strerror(-rc));
}
