/*
 * up and down.  Order of start: hypervisor state, xenstored (everything
 * else talks to it), the sysfs mount, the xenbus peers, then the guard.
 * Down runs in reverse and never stops half-way: every step is tried
 * even when an earlier one failed, so a mount or a process is never
 * left behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xenstore.h>

#include "simhost.h"

static void mkdir_p(const struct host *h, const char *sub)
{
	char p[700];

	host_path(h, p, sizeof(p), "%s", sub);
	if (mkdir(p, 0755) && errno != EEXIST)
		die("mkdir %s: %s", p, strerror(errno));
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");

	if (!f || fputs(text, f) < 0 || fclose(f))
		die("write %s: %s", path, strerror(errno));
}

static void make_hypervisor(const struct host *h)
{
	static const char *const dirs[] = {
		"xen", "xen/domains", "xen/pci", "xen/guests", "xenstored",
		"sysfs", "run", XEN_RUN_SUBDIR,
	};
	char p[700];
	size_t i;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		mkdir_p(h, dirs[i]);
	host_path(h, p, sizeof(p), "xen/virq");
	if (mkfifo(p, 0600) && errno != EEXIST)
		die("mkfifo %s: %s", p, strerror(errno));
	/* dom0's xenstore event channel, as /proc/xen/xsd_port shows it */
	host_path(h, p, sizeof(p), "xen/xsd_port");
	write_file(p, "1");
	host_path(h, p, sizeof(p), "xen/xsd_kva");
	write_file(p, "");
	if (truncate(p, getpagesize()))
		die("truncate %s: %s", p, strerror(errno));
	host_path(h, p, sizeof(p), "xen/faults");
	write_file(p, "");
}

static bool xenstored_ready(const struct host *h, void *arg)
{
	struct xs_handle *xs;
	char *v;
	unsigned int len;

	(void)h;
	(void)arg;
	xs = xs_open(0);
	if (!xs)
		return false;
	v = xs_read(xs, XBT_NULL, "/", &len);
	free(v);
	xs_close(xs);
	return v != NULL;
}

/*
 * xenstored traces every request to xenstored/trace (tests read it);
 * --no-trace leaves it out, for runs of hundreds of thousands of
 * requests (make bench SCALE=1), where it grows to hundreds of MB.
 */
static pid_t start_xenstored(const struct host *h, const char *bin,
			     bool trace_on)
{
	char trace[700], pre[PATH_MAX + 16];
	char *argv[] = { (char *)bin, "-N", "-T", trace, NULL };
	pid_t pid;

	host_path(h, trace, sizeof(trace), "xenstored/trace");
	if (!trace_on)
		argv[2] = NULL;
	snprintf(pre, sizeof(pre), "LD_PRELOAD=%s", h->preload);
	putenv(pre);
	pid = proc_spawn(h, "xenstored", argv);
	unsetenv("LD_PRELOAD");
	if (proc_wait_ready(h, "xenstored", pid, xenstored_ready, NULL))
		return -1;
	return pid;
}

/* What xen-init-dom0 writes for the initial domain. */
static int init_dom0(void)
{
	struct xs_handle *xs = xs_open(0);
	bool ok;

	if (!xs)
		return -1;
	ok = xs_write(xs, XBT_NULL, "/local/domain/0/name", "Domain-0", 8) &&
	     xs_write(xs, XBT_NULL, "/local/domain/0/domid", "0", 1);
	xs_close(xs);
	return ok ? 0 : -1;
}

static bool file_exists(const struct host *h, void *arg)
{
	char p[700];
	struct stat st;

	host_path(h, p, sizeof(p), "%s", (const char *)arg);
	return stat(p, &st) == 0;
}

static pid_t start_sysfs(const struct host *h, const char *inventory)
{
	char bin[700], mnt[700];
	char *argv[] = { bin, "--mount", mnt, "--foreground", NULL, NULL,
			 NULL };
	pid_t pid;

	snprintf(bin, sizeof(bin), "%s/simsysfs", h->bindir);
	host_path(h, mnt, sizeof(mnt), "sysfs");
	if (inventory) {
		argv[4] = "--inventory";
		argv[5] = (char *)inventory;
	}
	pid = proc_spawn(h, "simsysfs", argv);
	if (proc_wait_ready(h, "simsysfs", pid, file_exists,
			    "sysfs/sim/log"))
		return -1;
	return pid;
}

static pid_t start_peer(const struct host *h)
{
	char bin[700], sys[700], xen[700], ready[700];
	char *argv[] = { bin, "--sysfs-root", sys, "--simxen-dir", xen,
			 "--ready-file", ready, NULL };
	pid_t pid;

	snprintf(bin, sizeof(bin), "%s/simpeer", h->bindir);
	host_path(h, sys, sizeof(sys), "sysfs/sys");
	host_path(h, xen, sizeof(xen), "xen");
	host_path(h, ready, sizeof(ready), "run/simpeer.ready");
	unlink(ready);
	pid = proc_spawn(h, "simpeer", argv);
	if (proc_wait_ready(h, "simpeer", pid, file_exists,
			    "run/simpeer.ready"))
		return -1;
	return pid;
}

static void write_env(const struct host *h)
{
	char p[700];
	FILE *f;

	host_path(h, p, sizeof(p), "env");
	f = fopen(p, "we");
	if (!f)
		die("write %s: %s", p, strerror(errno));
	fprintf(f, "SIMHOST_DIR='%s'\n", h->dir);
	fprintf(f, "XENSTORED_PATH='%s/xenstored/socket'\n", h->dir);
	fprintf(f, "XENSTORED_RUNDIR='%s/xenstored'\n", h->dir);
	fprintf(f, "SIMXEN_DIR='%s/xen'\n", h->dir);
	fprintf(f, "SIMXEN_PRELOAD='%s'\n", h->preload);
	fprintf(f, "SYSFS_ROOT='%s/sysfs/sys'\n", h->dir);
	fprintf(f, "SIMSYSFS_CTL='%s/sysfs/sim'\n", h->dir);
	fprintf(f, "XEN_RUN_DIR='%s/%s'\n", h->dir, XEN_RUN_SUBDIR);
	fprintf(f, "export SIMHOST_DIR XENSTORED_PATH XENSTORED_RUNDIR "
		   "SIMXEN_DIR SIMXEN_PRELOAD SYSFS_ROOT SIMSYSFS_CTL "
		   "XEN_RUN_DIR\n");
	if (fclose(f))
		die("write %s: %s", p, strerror(errno));
}

/*
 * The guard outlives `up` and takes the host down when its owner (the
 * test) exits, however it exits.  pidfd: no polling, no pid reuse race.
 */
static void start_guard(const struct host *h, pid_t owner)
{
	struct pollfd pfd;
	pid_t pid;
	int fd;

	fd = (int)syscall(SYS_pidfd_open, owner, 0);
	if (fd < 0)
		die("watch owner pid %ld: %s", (long)owner, strerror(errno));
	pid = fork();
	if (pid < 0)
		die("fork guard: %s", strerror(errno));
	if (pid > 0) {
		close(fd);
		proc_write_pid(h, "guard", pid);
		return;
	}
	setsid();
	signal(SIGTERM, SIG_DFL);
	for (int i = 0; i < 3; i++)
		if (i != fd) {
			int n = open("/dev/null", O_RDWR);

			dup2(n, i);
			if (n > 2)
				close(n);
		}
	pfd.fd = fd;
	pfd.events = POLLIN;
	while (poll(&pfd, 1, -1) < 0 && errno == EINTR)
		;
	host_down(h, true);
	_exit(0);
}

int cmd_up(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "inventory", required_argument, NULL, 'i' },
		{ "owner-pid", required_argument, NULL, 'o' },
		{ "no-peer", no_argument, NULL, 'n' },
		{ "no-sysfs", no_argument, NULL, 's' },
		{ "xenstored", required_argument, NULL, 'x' },
		{ "no-trace", no_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = NULL, *inventory = NULL, *xsbin = XENSTORED_BIN;
	char invabs[700];
	bool peer = true, sysfs = true, trace_on = true;
	long owner = 0;
	struct host h;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': dir = optarg; break;
		case 'i': inventory = optarg; break;
		case 'o': owner = strtol(optarg, NULL, 10); break;
		case 'n': peer = false; break;
		case 's': sysfs = false; break;
		case 'x': xsbin = optarg; break;
		case 't': trace_on = false; break;
		default: return 2;
		}
	}
	if (!dir)
		die("up: --dir DIR is required");
	if (mkdir(dir, 0755) && errno != EEXIST)
		die("mkdir %s: %s", dir, strerror(errno));
	if (inventory && !realpath(inventory, invabs))
		die("inventory %s: %s", inventory, strerror(errno));
	host_init(&h, dir);
	if (proc_read_pid(&h, "xenstored") > 0)
		die("a host is already up in %s (simhost down first)", h.dir);
	make_hypervisor(&h);
	host_setenv(&h);
	if (owner > 0)
		start_guard(&h, (pid_t)owner);
	if (start_xenstored(&h, xsbin, trace_on) < 0 || init_dom0())
		goto fail;
	if (sysfs && start_sysfs(&h, inventory ? invabs : NULL) < 0)
		goto fail;
	if (peer && start_peer(&h) < 0)
		goto fail;
	write_env(&h);
	return 0;
fail:
	warnx("up failed; taking down what was started");
	host_down(&h, false);
	return 1;
}

static int unmount_sysfs(const struct host *h)
{
	char mnt[700], line[1024];
	bool mounted = false;
	FILE *f;

	host_path(h, mnt, sizeof(mnt), "sysfs");
	f = fopen("/proc/self/mounts", "re");
	if (f) {
		while (fgets(line, sizeof(line), f)) {
			char *p = strchr(line, ' ');

			if (p && !strncmp(p + 1, mnt, strlen(mnt)) &&
			    p[1 + strlen(mnt)] == ' ')
				mounted = true;
		}
		fclose(f);
	}
	if (!mounted)
		return 0;
	if (umount2(mnt, 0) == 0)
		return 0;
	/* Busy (a test still has a file open): detach it lazily. */
	if (umount2(mnt, MNT_DETACH) == 0)
		return 0;
	warnx("unmount %s: %s", mnt, strerror(errno));
	return -1;
}

int host_down(const struct host *h, bool from_guard)
{
	char env[700];
	int rc = 0;

	/* First, so nobody takes a half-stopped host for a running one. */
	host_path(h, env, sizeof(env), "env");
	unlink(env);
	if (!from_guard)
		rc |= proc_stop(h, "guard");
	rc |= qmp_stop_all(h);
	rc |= proc_stop(h, "simpeer");
	rc |= unmount_sysfs(h);
	rc |= proc_stop(h, "simsysfs");
	rc |= proc_stop(h, "xenstored");
	return rc ? 1 : 0;
}

int cmd_down(int argc, char **argv)
{
	const char *dir = NULL;
	struct host h;

	if (argc == 3 && !strcmp(argv[1], "--dir"))
		dir = argv[2];
	else if (argc != 1)
		die("usage: simhost down --dir DIR");
	host_init(&h, dir);
	return host_down(&h, false);
}
