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
#include <sched.h>
#include <sys/mount.h>
#include <sys/resource.h>
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
		"sysfs", "run", XEN_RUN_SUBDIR, XEN_LIB_SUBDIR,
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
static pid_t start_cxenstored(const struct host *h, const char *bin,
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

static void prep_die(const char *what, const char *path)
{
	fprintf(stderr, "oxenstored: %s %s: %s\n", what, path,
		strerror(errno));
	_exit(127);
}

/*
 * oxenstored has its socket and pid file compiled in (/var/run/
 * xenstored/socket, tools/ocaml/xenstored/define.ml xs_daemon_socket;
 * /var/run/xen/xenstored.pid) and, at start, sets RLIMIT_NOFILE to
 * /proc/sys/fs/nr_open (poll.ml, select_stubs.c stub_set_fd_limit()),
 * which needs CAP_SYS_RESOURCE when the hard limit is lower; dom0's
 * root has it, a test container may not (EPERM).  In a mount namespace
 * of its own, /run is the host's xenstored/run, so every host has its
 * own socket; and where the limit cannot be raised, nr_open reads the
 * hard limit, which is then what setrlimit() asks for.
 */
static void oxenstored_prep(const struct host *h)
{
	char run[700], lim[700];
	struct rlimit rl;
	long nr_open = 0;
	FILE *f;

	if (unshare(CLONE_NEWNS))
		prep_die("unshare", "mount namespace");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		prep_die("make private", "/");
	host_path(h, run, sizeof(run), "xenstored/run");
	if (mount(run, "/run", NULL, MS_BIND, NULL))
		prep_die("bind over /run:", run);
	f = fopen("/proc/sys/fs/nr_open", "re");
	if (!f || fscanf(f, "%ld", &nr_open) != 1)
		prep_die("read", "/proc/sys/fs/nr_open");
	fclose(f);
	if (getrlimit(RLIMIT_NOFILE, &rl))
		prep_die("getrlimit", "RLIMIT_NOFILE");
	rl.rlim_cur = rl.rlim_max;
	if ((rlim_t)nr_open <= rl.rlim_max)
		return;
	rl.rlim_cur = rl.rlim_max = (rlim_t)nr_open;
	if (setrlimit(RLIMIT_NOFILE, &rl) == 0)
		return;
	getrlimit(RLIMIT_NOFILE, &rl);
	host_path(h, lim, sizeof(lim), "xenstored/nr_open");
	f = fopen(lim, "we");
	if (!f || fprintf(f, "%lu\n", (unsigned long)rl.rlim_max) < 0 ||
	    fclose(f))
		prep_die("write", lim);
	if (mount(lim, "/proc/sys/fs/nr_open", NULL, MS_BIND, NULL))
		prep_die("bind over /proc/sys/fs/nr_open:", lim);
}

/*
 * Debian's configuration (quotas, merge, perms) with this host's paths
 * after it: a later key wins (config.ml).  The access log is the trace;
 * it logs reads and transactions too, and never rotates.
 */
static void write_oxenstored_conf(const struct host *h, const char *conf,
				  bool trace_on)
{
	char line[1024], p[700];
	FILE *in, *out;

	out = fopen(conf, "we");
	if (!out)
		die("write %s: %s", conf, strerror(errno));
	in = fopen("/etc/xen/oxenstored.conf", "re");
	if (in) {
		while (fgets(line, sizeof(line), in))
			fputs(line, out);
		fclose(in);
	}
	fprintf(out, "\n# simhost\n");
	host_path(h, p, sizeof(p), "xenstored/oxenstored.pid");
	fprintf(out, "pid-file = %s\n", p);
	host_path(h, p, sizeof(p), "xen/xsd_kva");
	fprintf(out, "xenstored-kva = %s\n", p);
	host_path(h, p, sizeof(p), "xen/xsd_port");
	fprintf(out, "xenstored-port = %s\n", p);
	host_path(h, p, sizeof(p), "xenstored/log");
	fprintf(out, "xenstored-log-file = %s\n", p);
	fprintf(out, "xenstored-log-level = info\n");
	host_path(h, p, sizeof(p), "xenstored/trace");
	fprintf(out, "access-log-file = %s\n", trace_on ? p : "/dev/null");
	fprintf(out, "access-log-nb-files = %d\n", trace_on ? 1 : 0);
	fprintf(out, "access-log-nb-lines = 1000000000\n");
	fprintf(out, "access-log-nb-chars = 4096\n");
	fprintf(out, "access-log-read-ops = true\n");
	fprintf(out, "access-log-transactions-ops = true\n");
	fprintf(out, "access-log-special-ops = true\n");
	if (fclose(out))
		die("write %s: %s", conf, strerror(errno));
}

static pid_t start_oxenstored(const struct host *h, const char *bin,
			      bool trace_on)
{
	char conf[700], sock[700], pre[PATH_MAX + 16];
	char *argv[] = { (char *)bin, "--no-fork", "--config-file", conf,
			 NULL };
	pid_t pid;

	mkdir_p(h, "xenstored/run");
	host_path(h, conf, sizeof(conf), "xenstored/oxenstored.conf");
	write_oxenstored_conf(h, conf, trace_on);
	/* Clients find it where they find cxenstored's (XENSTORED_PATH). */
	host_path(h, sock, sizeof(sock), "xenstored/socket");
	unlink(sock);
	if (symlink("run/xenstored/socket", sock))
		die("symlink %s: %s", sock, strerror(errno));
	snprintf(pre, sizeof(pre), "LD_PRELOAD=%s", h->preload);
	putenv(pre);
	pid = proc_spawn_prep(h, "xenstored", argv, oxenstored_prep);
	unsetenv("LD_PRELOAD");
	if (proc_wait_ready(h, "xenstored", pid, xenstored_ready, NULL))
		return -1;
	return pid;
}

/*
 * --xenstored cxenstored|oxenstored|PATH; without it $XENPCI_XENSTORED,
 * then cxenstored.  A PATH whose name ends in "oxenstored" is started
 * the way oxenstored needs.
 */
static pid_t start_xenstored(const struct host *h, const char *choice,
			     bool trace_on)
{
	const char *base;
	char p[700];

	if (!choice || !*choice)
		choice = getenv("XENPCI_XENSTORED");
	/* `simhost xenstored start` starts the same one again. */
	host_path(h, p, sizeof(p), "xenstored/choice");
	write_file(p, choice && *choice ? choice : "cxenstored");
	if (!choice || !*choice || !strcmp(choice, "cxenstored"))
		choice = CXENSTORED_BIN;
	else if (!strcmp(choice, "oxenstored"))
		choice = OXENSTORED_BIN;
	else if (!strchr(choice, '/'))
		die("--xenstored %s: not cxenstored, oxenstored or a path",
		    choice);
	base = strrchr(choice, '/') + 1;
	if (strlen(base) >= 10 && !strcmp(base + strlen(base) - 10,
					   "oxenstored"))
		return start_oxenstored(h, choice, trace_on);
	return start_cxenstored(h, choice, trace_on);
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
	fprintf(f, "XEN_LIB_DIR='%s/%s'\n", h->dir, XEN_LIB_SUBDIR);
	fprintf(f, "export SIMHOST_DIR XENSTORED_PATH XENSTORED_RUNDIR "
		   "SIMXEN_DIR SIMXEN_PRELOAD SYSFS_ROOT SIMSYSFS_CTL "
		   "XEN_RUN_DIR XEN_LIB_DIR\n");
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
	const char *dir = NULL, *inventory = NULL, *xsbin = NULL;
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

/*
 * `simhost xenstored start|stop|kill`: xenstored's death and a new one
 * under a running host (tests of what its clients do then).  The new one
 * starts empty, as a restarted xenstored without live update does, with
 * only what xen-init-dom0 writes.
 */
int cmd_xenstored(int argc, char **argv)
{
	char p[700], choice[PATH_MAX] = "";
	const char *dir = NULL;
	struct host h;
	pid_t pid;
	FILE *f;

	if (argc == 4 && !strcmp(argv[2], "--dir"))
		dir = argv[3];
	else if (argc != 2)
		die("usage: simhost xenstored start|stop|kill [--dir DIR]");
	host_init(&h, dir);
	host_setenv(&h);
	pid = proc_read_pid(&h, "xenstored");
	if (!strcmp(argv[1], "stop"))
		return proc_stop(&h, "xenstored") ? 1 : 0;
	if (!strcmp(argv[1], "kill")) {
		if (pid <= 0 || kill(pid, SIGKILL))
			die("xenstored kill: no xenstored running");
		host_path(&h, p, sizeof(p), "run/xenstored.pid");
		unlink(p);
		return 0;
	}
	if (strcmp(argv[1], "start"))
		die("xenstored: start, stop or kill, not '%s'", argv[1]);
	if (pid > 0 && kill(pid, 0) == 0)
		die("xenstored start: pid %ld is running", (long)pid);
	host_path(&h, p, sizeof(p), "xenstored/choice");
	f = fopen(p, "re");
	if (f) {
		if (!fgets(choice, sizeof(choice), f))
			choice[0] = '\0';
		fclose(f);
	}
	if (start_xenstored(&h, choice, true) < 0 || init_dom0())
		return 1;
	return 0;
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
