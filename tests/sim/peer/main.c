/*
 * simpeer: plays Linux xen-pciback (in the backend domain) and
 * xen-pcifront (in every simulated guest) against a real xenstored,
 * so that a PCI hotplug agent can be tested without a Xen host.
 *
 * usage: simpeer --sysfs-root DIR --simxen-dir DIR [--backend-domid N]
 *                [--ready-file PATH] [--log FILE] [--vpci-bridge-check]
 *
 * xenstored is found through the environment (XENSTORED_PATH), as
 * xs_open() does.  SIGTERM or SIGINT: exit 0.
 */
#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "peer.h"

struct peer_conf conf;
static FILE *logf;
static bool lost_xenstore;
static char *simlog_path;
static char *simhotplug_path;

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

static void vplog(const char *fmt, va_list ap)
{
	struct timeval tv;
	struct tm tm;
	char ts[32];

	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%H:%M:%S", &tm);
	fprintf(logf, "%s.%03ld simpeer: ", ts, (long)tv.tv_usec / 1000);
	vfprintf(logf, fmt, ap);
	fputc('\n', logf);
	fflush(logf);
}

void plog(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vplog(fmt, ap);
	va_end(ap);
}

/*
 * What the real pciback does to a device (resets) is not visible in
 * xenstore; record it in the simulated host's log so tests can see it.
 */
void sim_event(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int fd, n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	plog("sim/log: %s", line);
	line[n++] = '\n';
	fd = open(simlog_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, line, n) != n)
		plog("cannot append to %s: %s", simlog_path, strerror(errno));
	if (fd >= 0)
		close(fd);
}

/*
 * Tell the simulated sysfs (simsysfs's sim/hotplug) that a guest took
 * or let go of a pciback device: "assign BDF DOMID" / "release BDF";
 * it records the owner and, on release, does pciback's reset.  A
 * plain-directory sysfs has no such file: nothing to tell.
 */
void sim_hotplug(const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int fd, n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	fd = open(simhotplug_path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOENT)
			plog("cannot open %s: %s", simhotplug_path,
			     strerror(errno));
		return;
	}
	if (write(fd, line, n) != n)
		plog("sim/hotplug \"%s\": %s", line, strerror(errno));
	close(fd);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: simpeer --sysfs-root DIR --simxen-dir DIR "
		"[--backend-domid N]\n"
		"               [--ready-file PATH] [--log FILE] "
		"[--vpci-bridge-check]\n");
	exit(2);
}

struct args {
	const char *ready;
	const char *log;
};

static void parse_args(int argc, char **argv, struct args *a)
{
	static const struct option opts[] = {
		{ "sysfs-root", required_argument, NULL, 's' },
		{ "simxen-dir", required_argument, NULL, 'x' },
		{ "backend-domid", required_argument, NULL, 'b' },
		{ "ready-file", required_argument, NULL, 'r' },
		{ "log", required_argument, NULL, 'l' },
		{ "vpci-bridge-check", no_argument, NULL, 'B' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	long v;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			conf.sysfs_root = optarg;
			break;
		case 'x':
			conf.simxen_dir = optarg;
			break;
		case 'b':
			v = strtol(optarg, &end, 10);
			if (*end || v < 0 || v > 0x7fef)
				usage();
			conf.be_domid = v;
			break;
		case 'r':
			a->ready = optarg;
			break;
		case 'l':
			a->log = optarg;
			break;
		case 'B':
			conf.vpci_bridge_check = true;
			break;
		default:
			usage();
		}
	}
	if (optind != argc || !conf.sysfs_root || !conf.simxen_dir)
		usage();
}

/*
 * xs_fileno() is readable while events are queued.  libxenstore's
 * reader thread does not report a lost xenstored here: a dead daemon
 * looks like silence (a real kernel would not exit either).
 */
static void xs_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	int err;

	(void)w;
	(void)revents;
	err = xsu_drain();
	if (err) {
		plog("xs_check_watch: %s; exiting", strerror(-err));
		lost_xenstore = true;
		ev_break(loop, EVBREAK_ALL);
	}
}

static void sig_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	(void)revents;
	plog("signal %d: exiting", w->signum);
	ev_break(loop, EVBREAK_ALL);
}

static int write_ready(const char *path)
{
	char *tmp = xasprintf("%s.tmp", path);
	FILE *f;
	int ret = -1;

	if (!tmp)
		return -1;
	f = fopen(tmp, "we");
	if (!f)
		goto out;
	fprintf(f, "%ld\n", (long)getpid());
	if (fclose(f) == 0 && rename(tmp, path) == 0)
		ret = 0;
out:
	if (ret)
		plog("cannot write ready file %s: %s", path, strerror(errno));
	free(tmp);
	return ret;
}

static int open_log(const char *path)
{
	logf = stderr;
	if (!path)
		return 0;
	logf = fopen(path, "ae");
	if (!logf) {
		logf = stderr;
		plog("cannot open log %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct args a = { NULL, NULL };
	ev_signal sterm, sint;
	ev_io xsw;
	int ret = 1;

	parse_args(argc, argv, &a);
	if (open_log(a.log))
		return 1;
	simlog_path = xasprintf("%s/../sim/log", conf.sysfs_root);
	simhotplug_path = xasprintf("%s/../sim/hotplug", conf.sysfs_root);
	conf.loop = EV_DEFAULT;
	/*
	 * No XS_UNWATCH_FILTER: in 4.17 its filter frees a dropped event
	 * but not its body (xs_unwatch, tools/libs/store/xs.c), a leak.
	 * Tokens are never reused, so xsu_drain() drops stale events.
	 */
	conf.xs = xs_open(0);
	if (!simlog_path || !simhotplug_path || !conf.loop || !conf.xs) {
		plog("cannot connect to xenstored: %s", strerror(errno));
		goto out;
	}
	ev_io_init(&xsw, xs_cb, xs_fileno(conf.xs), EV_READ);
	ev_io_start(conf.loop, &xsw);
	ev_signal_init(&sterm, sig_cb, SIGTERM);
	ev_signal_start(conf.loop, &sterm);
	ev_signal_init(&sint, sig_cb, SIGINT);
	ev_signal_start(conf.loop, &sint);

	if (pciback_start() || pcifront_start())
		goto stop;
	if (a.ready && write_ready(a.ready))
		goto stop;
	plog("ready: backend domain %u", conf.be_domid);
	ev_run(conf.loop, 0);
	ret = lost_xenstore ? 1 : 0;
stop:
	pcifront_stop();
	pciback_stop();
	xsu_free_watches();
	pcistub_free_all();
	ev_io_stop(conf.loop, &xsw);
	ev_signal_stop(conf.loop, &sterm);
	ev_signal_stop(conf.loop, &sint);
out:
	if (conf.xs)
		xs_close(conf.xs);
	if (conf.loop)
		ev_loop_destroy(conf.loop);
	free(simlog_path);
	free(simhotplug_path);
	if (logf != stderr)
		fclose(logf);
	return ret;
}
