/*
 * The device model of an HVM guest with qemu-xen in dom0: simqmp, one a
 * guest, started at `domain create --hvm` the way libxl__spawn_local_dm()
 * starts QEMU (and waits for its device-model state "running"), killed
 * at `domain destroy` and `down`, its sockets removed as
 * libxl__qmp_cleanup() does.
 *
 *   XEN_RUN_DIR=DIR/var-run-xen    libxl's /var/run/xen
 *     qmp-libxl-<domid>             the QMP socket
 *   DIR/run/qmp-<domid>.pid, .log   the peer's pid and log
 *   DIR/run/qmp-<domid>.ctl         its control socket (simhost qmp)
 *   DIR/run/qmp-<domid>.transcript  every QMP message, one a line
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <xenstore.h>

#include "simhost.h"

static void qmp_paths(const struct host *h, unsigned int domid, char *sock,
		      char *ctl, char *tr, size_t len)
{
	host_path(h, sock, len, "%s/qmp-libxl-%u", XEN_RUN_SUBDIR, domid);
	host_path(h, ctl, len, "run/qmp-%u.ctl", domid);
	host_path(h, tr, len, "run/qmp-%u.transcript", domid);
}

static bool ready(const struct host *h, void *arg)
{
	struct stat st;
	char p[700];

	host_path(h, p, sizeof(p), "run/qmp-%u.ready", *(unsigned int *)arg);
	return stat(p, &st) == 0;
}

/* libxl__spawn_record_pid(): image/device-model-pid */
static void record_pid(unsigned int domid, pid_t pid)
{
	struct xs_handle *xs = xs_open(0);
	char p[128], v[32];

	if (!xs)
		die("connect to xenstored: %s", strerror(errno));
	snprintf(p, sizeof(p), "/local/domain/%u/image/device-model-pid",
		 domid);
	snprintf(v, sizeof(v), "%ld", (long)pid);
	if (!xs_write(xs, XBT_NULL, p, v, strlen(v)))
		die("write %s: %s", p, strerror(errno));
	xs_close(xs);
}

int qmp_start(const struct host *h, unsigned int domid, bool ahci)
{
	char bin[700], sock[700], ctl[700], tr[700], sys[700], xen[700];
	char rdy[700], dom[16], name[32], vlog[760], vlogopt[780];
	char pre[PATH_MAX + 16];
	char *argv[32];
	int n = 0;
	pid_t pid;

	snprintf(bin, sizeof(bin), "%s/simqmp", h->bindir);
	qmp_paths(h, domid, sock, ctl, tr, sizeof(sock));
	host_path(h, sys, sizeof(sys), "sysfs/sys");
	host_path(h, xen, sizeof(xen), "xen");
	host_path(h, rdy, sizeof(rdy), "run/qmp-%u.ready", domid);
	host_path(h, vlog, sizeof(vlog), "run/qmp-%u.valgrind", domid);
	unlink(rdy);
	snprintf(dom, sizeof(dom), "%u", domid);
	snprintf(name, sizeof(name), "qmp-%u", domid);
	if (getenv("SIMQMP_VALGRIND") && !strcmp(getenv("SIMQMP_VALGRIND"),
						  "1")) {
		snprintf(vlogopt, sizeof(vlogopt), "--log-file=%s", vlog);
		argv[n++] = "/usr/bin/valgrind";
		argv[n++] = "-q";
		argv[n++] = "--leak-check=full";
		argv[n++] = "--show-leak-kinds=definite,indirect";
		argv[n++] = "--errors-for-leak-kinds=definite,indirect";
		argv[n++] = "--error-exitcode=99";
		argv[n++] = vlogopt;
	}
	argv[n++] = bin;
	argv[n++] = "--domid";
	argv[n++] = dom;
	argv[n++] = "--socket";
	argv[n++] = sock;
	argv[n++] = "--ctl";
	argv[n++] = ctl;
	argv[n++] = "--transcript";
	argv[n++] = tr;
	argv[n++] = "--sysfs-root";
	argv[n++] = sys;
	argv[n++] = "--simxen-dir";
	argv[n++] = xen;
	argv[n++] = "--ready-file";
	argv[n++] = rdy;
	if (!ahci)
		argv[n++] = "--no-ahci";
	argv[n] = NULL;
	/* QEMU's xc_* calls (the pirq mapping) reach the simulated Xen */
	snprintf(pre, sizeof(pre), "LD_PRELOAD=%s", h->preload);
	putenv(pre);
	pid = proc_spawn(h, name, argv);
	unsetenv("LD_PRELOAD");
	if (proc_wait_ready(h, name, pid, ready, &domid))
		return -1;
	record_pid(domid, pid);
	return 0;
}

/*
 * libxl__destroy_device_model() kills QEMU, libxl__qmp_cleanup()
 * removes its sockets (also those of a QEMU that died by itself).
 */
int qmp_stop(const struct host *h, unsigned int domid)
{
	char sock[700], ctl[700], tr[700], name[32];
	int rc;

	snprintf(name, sizeof(name), "qmp-%u", domid);
	rc = proc_stop(h, name);
	qmp_paths(h, domid, sock, ctl, tr, sizeof(sock));
	unlink(sock);
	unlink(ctl);
	host_path(h, sock, sizeof(sock), "run/qmp-%u.ready", domid);
	unlink(sock);
	return rc;
}

/* Every peer of the host, at `down`. */
int qmp_stop_all(const struct host *h)
{
	char dir[700];
	struct dirent *de;
	unsigned int domid;
	int rc = 0;
	DIR *d;

	host_path(h, dir, sizeof(dir), "run");
	d = opendir(dir);
	if (!d)
		return 0;
	while ((de = readdir(d)))
		if (sscanf(de->d_name, "qmp-%u.pid", &domid) == 1 &&
		    strstr(de->d_name, ".pid"))
			rc |= qmp_stop(h, domid);
	closedir(d);
	return rc;
}

static int ctl_send(const char *ctl, const char *cmd, char *out, size_t len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t got = 0;
	int fd;

	if (strlen(ctl) >= sizeof(sa.sun_path))
		die("qmp: %s: path too long for a socket", ctl);
	memcpy(sa.sun_path, ctl, strlen(ctl) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
		die("qmp: control socket %s: %s (is the guest HVM with "
		    "qemu-xen, and its QEMU alive?)", ctl, strerror(errno));
	if (write(fd, cmd, strlen(cmd)) != (ssize_t)strlen(cmd) ||
	    write(fd, "\n", 1) != 1)
		die("qmp: write %s: %s", ctl, strerror(errno));
	while (got < len - 1) {
		ssize_t n = read(fd, out + got, len - 1 - got);

		if (n <= 0)
			break;
		got += (size_t)n;
	}
	out[got] = '\0';
	close(fd);
	return strncmp(out, "ok\n", 3) ? -1 : 0;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* `die` returns once the process is gone (bounded, 20 s). */
static int wait_gone(const struct host *h, unsigned int domid)
{
	char name[32], path[700];
	pid_t pid;
	int i;

	snprintf(name, sizeof(name), "qmp-%u", domid);
	pid = proc_read_pid(h, name);
	for (i = 0; pid > 0 && i < 2000; i++) {
		if (kill(pid, 0) && errno == ESRCH)
			break;
		sleep_ms(10);
	}
	if (pid > 0 && kill(pid, 0) == 0)
		die("qmp: QEMU of domain %u (pid %ld) does not die", domid,
		    (long)pid);
	host_path(h, path, sizeof(path), "run/%s.pid", name);
	unlink(path);
	return 0;
}

static int cat_file(const char *path)
{
	char buf[8192];
	size_t n;
	FILE *f = fopen(path, "re");

	if (!f)
		die("qmp: %s: %s", path, strerror(errno));
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, stdout);
	fclose(f);
	return 0;
}

/*
 * simhost qmp DOMID release-delay MS | never-release | probe-delay MS |
 *                   never-probe | die | status | transcript | socket
 */
int cmd_qmp(int argc, char **argv)
{
	char sock[700], ctl[700], tr[700], cmd[128], out[8192];
	const char *dir = NULL;
	unsigned int domid;
	struct host h;
	int i = 1;

	if (argc >= 3 && !strcmp(argv[1], "--dir")) {
		dir = argv[2];
		i = 3;
	}
	if (argc - i < 2)
		die("usage: simhost qmp DOMID release-delay MS|never-release|"
		    "probe-delay MS|never-probe|fail CMD [NTH]|die|status|"
		    "transcript|socket");
	host_init(&h, dir);
	domid = (unsigned int)strtoul(argv[i], NULL, 10);
	qmp_paths(&h, domid, sock, ctl, tr, sizeof(sock));
	if (!strcmp(argv[i + 1], "transcript"))
		return cat_file(tr);
	if (!strcmp(argv[i + 1], "socket")) {
		printf("%s\n", sock);
		return 0;
	}
	if (!strcmp(argv[i + 1], "release-delay")) {
		if (argc - i < 3)
			die("usage: simhost qmp DOMID release-delay MS");
		snprintf(cmd, sizeof(cmd), "release-delay %s", argv[i + 2]);
	} else if (!strcmp(argv[i + 1], "probe-delay")) {
		if (argc - i < 3)
			die("usage: simhost qmp DOMID probe-delay MS");
		snprintf(cmd, sizeof(cmd), "probe-delay %s", argv[i + 2]);
	} else if (!strcmp(argv[i + 1], "fail")) {
		if (argc - i < 3)
			die("usage: simhost qmp DOMID fail device_add|"
			    "device_del [NTH]");
		snprintf(cmd, sizeof(cmd), "fail %.40s %.20s", argv[i + 2],
			 argc - i >= 4 ? argv[i + 3] : "1");
	} else if (!strcmp(argv[i + 1], "never-release") ||
		   !strcmp(argv[i + 1], "never-probe") ||
		   !strcmp(argv[i + 1], "die") ||
		   !strcmp(argv[i + 1], "status")) {
		snprintf(cmd, sizeof(cmd), "%s", argv[i + 1]);
	} else {
		die("qmp: unknown command '%s'", argv[i + 1]);
	}
	if (ctl_send(ctl, cmd, out, sizeof(out))) {
		fprintf(stderr, "simhost: qmp: %s", out);
		return 1;
	}
	fputs(out + 3, stdout);
	if (!strcmp(cmd, "die"))
		return wait_gone(&h, domid);
	return 0;
}
