/*
 * xen-pci-agent: serves PCI pass-through requests written to xenstore
 * (protocol v1, protocol/xenpci_protocol.h).
 *
 * Start-up order matters for crash safety: take the state dir lock,
 * undo what a previous run left half done (assignable_recover), publish
 * R and R/devices, and only then watch R/requests; the watch's first
 * event serves requests written while the agent was down.
 *
 * main.c owns the loop's sources: the xenstore watch pipe, whose events
 * it hands to reqwatch.c or domains.c by token, and the signals.  It
 * stops once request.c and domains.c, which it asks to shut down, say
 * through the callbacks it gave them that nothing is left in flight.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "domains.h"
#include "hypervisor.h"
#include "log.h"
#include "main.h"
#include "ops.h"
#include "publish.h"
#include "request.h"
#include "script.h"
#include "statedir.h"
#include "sysfs.h"
#include "worker.h"
#include "xs.h"
#include "reqwatch.h"

static ev_signal sig_term, sig_int;
static ev_io watch_io;
static bool stopping;
static int exit_code = AGENT_EXIT_OK;

static void usage(FILE *f)
{
	fprintf(f,
"Usage: " AGENT_NAME " [OPTION]...\n"
"Serve Xen PCI pass-through requests written to xenstore under\n"
XENPCI_ROOT_FMT "/" XENPCI_REQUESTS " (protocol v1; the domid is --domid).\n"
"\n"
"  --sysfs-root DIR       sysfs to act on (default /sys)\n"
"  --state-dir DIR        remembered drivers and the intent journal\n"
"                         (default /var/lib/xen-pci-agent)\n"
"  --run-dir DIR          where qemu-xen's QMP sockets are (qmp-libxl-N,\n"
"                         default " XENPCI_RUN_DIR_DEFAULT ")\n"
"  --domid N              the agent's own domain (default 0)\n"
"  --toolstack-domid N    the domain allowed to write requests (default 0)\n"
"  --foreground           do not daemonise; log to stderr\n"
"  --log-level LEVEL      error, warning, info (default) or debug\n"
"  --script-dir DIR       the hotplug scripts: DIR/pci and what script=\n"
"                         names (default " SCRIPT_DIR_DEFAULT ")\n"
"  --script-timeout S     a script's time before SIGTERM (default 40)\n"
"  --script-grace S       then before SIGKILL (default 5)\n"
"  --help                 this text\n"
"\n"
"SIGTERM or SIGINT: stop accepting requests, finish the running ones,\n"
"cancel the queued ones, write state=stopped and exit 0.\n"
"Without --foreground the command returns once the daemon serves (0) or\n"
"has failed to start (with the daemon's exit status).\n"
"Exit status:\n"
"  0 clean stop\n"
"  1 temporary failure, a retry may work: xenstore unreachable or lost,\n"
"    the state dir locked by another agent, out of resources\n"
"  2 bad usage\n"
"  3 bad configuration, a retry will not help: an unusable --state-dir\n", cfg.domid);
}

static bool parse_domid(const char *s, unsigned int *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || !*s || *end || v >= 0x7ff0)
		return false;
	*out = v;
	return true;
}

static bool absolute(const char *path, char *buf, size_t len)
{
	char cwd[PATH_MAX];
	int n;

	if (path[0] == '/')
		n = snprintf(buf, len, "%s", path);
	else if (getcwd(cwd, sizeof(cwd)))
		n = snprintf(buf, len, "%s/%s", cwd, path);
	else
		return false;
	return n > 0 && (size_t)n < len;
}

/*
 * The parent of a daemon exits only when the daemon serves (0) or has
 * given up (its exit status, sent as one byte), so that an init script
 * learns about a failed start, and of which kind, from the exit status.
 */
static int ready_fd = -1;

static int daemonise(void)
{
	int fds[2], null;
	char c;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC)) {
		perror(AGENT_NAME ": pipe");
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		perror(AGENT_NAME ": fork");
		return -1;
	}
	if (pid > 0) {
		close(fds[1]);
		/* EOF without a byte: the daemon died during start-up. */
		_exit(read(fds[0], &c, 1) == 1 ? (unsigned char)c :
		      AGENT_EXIT_TEMPORARY);
	}
	close(fds[0]);
	ready_fd = fds[1];
	if (setsid() < 0 || chdir("/"))
		return -1;
	null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		if (null > STDERR_FILENO)
			close(null);
	}
	return 0;
}

/* Tells the parent the daemon's status: AGENT_EXIT_OK once it serves. */
static int daemon_status(int code)
{
	unsigned char c = code;

	if (ready_fd < 0)
		return code;
	if (write(ready_fd, &c, 1) != 1)
		log_warn("cannot tell the parent process our status: %s",
			 strerror(errno));
	close(ready_fd);
	ready_fd = -1;
	return code;
}

/* request.c's and domains.c's idle callback. */
static void maybe_exit(void)
{
	if (stopping && request_idle() && domains_idle())
		ev_break(loop, EVBREAK_ALL);
}

static void stop(int code)
{
	/* xenstore lost while stopping still makes the stop a failure. */
	if (code != AGENT_EXIT_OK)
		exit_code = code;
	if (stopping)
		return;
	stopping = true;
	domains_shutdown();
	request_shutdown();
	maybe_exit();
}

static void signal_cb(struct ev_loop *l, ev_signal *w, int revents)
{
	(void)l;
	(void)revents;
	if (stopping)
		return;
	log_info("signal %s: stopping; finishing running requests",
		 strsignal(w->signum));
	stop(AGENT_EXIT_OK);
}

static void watch_cb(struct ev_loop *l, ev_io *w, int revents)
{
	char **ev;

	(void)l;
	(void)w;
	(void)revents;
	while ((ev = xs_next_watch())) {
		if (!strcmp(ev[XS_WATCH_TOKEN], XS_TOKEN_REQUESTS))
			reqwatch_event(ev[XS_WATCH_PATH]);
		else if (!strcmp(ev[XS_WATCH_TOKEN], XS_TOKEN_DOMAINS))
			domains_changed();
		free(ev);
	}
	if (errno == EAGAIN)
		return;
	/* The connection is gone: nothing more can be served. */
	log_err("xenstore watch: %s; stopping", strerror(errno));
	ev_io_stop(loop, &watch_io);
	stop(AGENT_EXIT_TEMPORARY);
}

static const char *script_dir;
static unsigned int script_timeout = SCRIPT_TIMEOUT_DEFAULT;
static unsigned int script_grace = SCRIPT_GRACE_DEFAULT;

static bool parse_seconds(const char *s, unsigned int *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || !*s || *end || !v || v > 3600)
		return false;
	*out = v;
	return true;
}

/* Options into cfg: -1 to go on, else the exit status. */
static int parse_options(int argc, char **argv, int *level)
{
	static const struct option opts[] = {
		{ "sysfs-root", required_argument, NULL, 's' },
		{ "state-dir", required_argument, NULL, 'S' },
		{ "run-dir", required_argument, NULL, 'r' },
		{ "domid", required_argument, NULL, 'd' },
		{ "toolstack-domid", required_argument, NULL, 't' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "script-dir", required_argument, NULL, 'D' },
		{ "script-timeout", required_argument, NULL, 'T' },
		{ "script-grace", required_argument, NULL, 'G' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "fh", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			cfg.sysfs_root = optarg;
			break;
		case 'S':
			cfg.state_dir = optarg;
			break;
		case 'r':
			cfg.run_dir = optarg;
			break;
		case 'd':
		case 't':
			if (!parse_domid(optarg, c == 'd' ? &cfg.domid :
					 &cfg.toolstack_domid)) {
				fprintf(stderr, AGENT_NAME ": invalid %s '%s'\n",
					c == 'd' ? "--domid" :
					"--toolstack-domid", optarg);
				return AGENT_EXIT_USAGE;
			}
			break;
		case 'f':
			cfg.foreground = true;
			break;
		case 'l':
			*level = log_level_from_str(optarg);
			if (*level < 0) {
				fprintf(stderr, AGENT_NAME ": invalid "
					"--log-level '%s'\n", optarg);
				return AGENT_EXIT_USAGE;
			}
			break;
		case 'D':
			script_dir = optarg;
			break;
		case 'T':
		case 'G':
			if (!parse_seconds(optarg, c == 'T' ? &script_timeout :
					   &script_grace)) {
				fprintf(stderr, AGENT_NAME ": invalid %s '%s': "
					"1 to 3600 seconds\n", c == 'T' ?
					"--script-timeout" : "--script-grace",
					optarg);
				return AGENT_EXIT_USAGE;
			}
			break;
		case 'h':
			usage(stdout);
			return AGENT_EXIT_OK;
		default:
			usage(stderr);
			return AGENT_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, AGENT_NAME ": unexpected argument '%s'\n",
			argv[optind]);
		usage(stderr);
		return AGENT_EXIT_USAGE;
	}
	return -1;
}

/* daemon() changes to "/": relative paths must not change meaning. */
static int absolute_paths(void)
{
	static char sysfs_abs[PATH_MAX], state_abs[PATH_MAX], run_abs[PATH_MAX];

	if (!absolute(cfg.sysfs_root, sysfs_abs, sizeof(sysfs_abs)) ||
	    !absolute(cfg.state_dir, state_abs, sizeof(state_abs)) ||
	    !absolute(cfg.run_dir, run_abs, sizeof(run_abs))) {
		fprintf(stderr, AGENT_NAME ": path too long\n");
		return -1;
	}
	cfg.sysfs_root = sysfs_abs;
	cfg.state_dir = state_abs;
	cfg.run_dir = run_abs;
	return 0;
}

/* Up to serving: -1, or the exit status of a failed start. */
static int start(void)
{
	int rc;

	sysfs_init();
	rc = statedir_init();
	if (rc)
		/* Held by another agent: that one may stop, a retry work. */
		return rc == -EWOULDBLOCK ? AGENT_EXIT_TEMPORARY :
					    AGENT_EXIT_CONFIG;
	/* The state dir is ours: what our predecessor's scripts left. */
	script_reap_orphans();
	loop = ev_default_loop(EVFLAG_AUTO);
	if (!loop) {
		log_err("cannot initialise libev");
		return AGENT_EXIT_TEMPORARY;
	}
	if (xs_connect())
		return AGENT_EXIT_TEMPORARY;
	hv_open();

	/* Undo what a killed predecessor left half done, before serving. */
	assignable_recover();
	assignable_restore_libxl();

	if (xs_publish_start())
		goto fail;
	/* No worker runs yet: the loop thread may publish itself. */
	publish_all();
	worker_init();
	script_init();
	request_init(maybe_exit);
	reqwatch_init(xs_requests_path());
	domains_init(maybe_exit);
	return -1;
fail:
	xs_disconnect();
	return AGENT_EXIT_TEMPORARY;
}

static int serve(void)
{
	ev_signal_init(&sig_term, signal_cb, SIGTERM);
	ev_signal_start(loop, &sig_term);
	ev_signal_init(&sig_int, signal_cb, SIGINT);
	ev_signal_start(loop, &sig_int);
	signal(SIGPIPE, SIG_IGN);

	if (xs_watch_requests() || xs_publish_running()) {
		xs_publish_stopped();
		xs_disconnect();
		return AGENT_EXIT_TEMPORARY;
	}
	ev_io_init(&watch_io, watch_cb, xs_watch_fd(), EV_READ);
	ev_io_start(loop, &watch_io);
	log_info("serving %s (sysfs %s, state %s, toolstack domain %u)",
		 agent_root, cfg.sysfs_root, cfg.state_dir,
		 cfg.toolstack_domid);
	daemon_status(AGENT_EXIT_OK);

	ev_run(loop, 0);

	script_stop_all();
	ev_io_stop(loop, &watch_io);
	xs_stop_watching();
	xs_publish_stopped();
	log_info("stopped");
	return exit_code;
}

int main(int argc, char **argv)
{
	int level = LOG_INFO, rc;

	rc = parse_options(argc, argv, &level);
	if (rc >= 0)
		return rc;
	if (!cfg.foreground && absolute_paths())
		return AGENT_EXIT_USAGE;
	/* Resolved now: daemonise() changes to "/". */
	script_configure(script_dir, script_timeout, script_grace);
	/* Daemonise before any thread or xenstore connection exists. */
	if (!cfg.foreground && daemonise())
		return daemon_status(AGENT_EXIT_TEMPORARY);
	log_init(cfg.foreground, level);
	rc = start();
	if (rc >= 0)
		return daemon_status(rc);
	rc = serve();
	if (worker_busy()) {
		/*
		 * A timed-out sysfs write is still stuck on a worker thread:
		 * its request has its final status and its device has an
		 * intent record, which the next start undoes.  Leave without
		 * freeing what that thread still uses.
		 */
		log_warn("%d operation(s) still stuck in sysfs; the next "
			 "start will undo them", worker_busy());
		_exit(rc);
	}
	request_free_all();
	xs_disconnect();
	hv_close();
	ev_loop_destroy(loop);
	return daemon_status(rc);
}
