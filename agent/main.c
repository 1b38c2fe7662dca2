/*
 * xen-pci-agent: serves PCI pass-through requests written to xenstore
 * (protocol v1, protocol/xenpci_protocol.h).
 *
 * Start-up order matters for crash safety: take the state dir lock,
 * undo what a previous run left half done (assignable_recover), publish
 * R and R/devices, and only then watch R/requests; the watch's first
 * event serves requests written while the agent was down.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"

bool agent_stopping;

static ev_signal sig_term, sig_int;
int agent_exit_code;

static void usage(FILE *f)
{
	fprintf(f,
"Usage: " AGENT_NAME " [OPTION]...\n"
"Serve Xen PCI pass-through requests written to xenstore under\n"
"/local/domain/<domid>/pci-agent/requests (protocol v1).\n"
"\n"
"  --sysfs-root DIR       sysfs to act on (default /sys)\n"
"  --state-dir DIR        remembered drivers and the intent journal\n"
"                         (default /var/lib/xen-pci-agent)\n"
"  --domid N              the agent's own domain (default 0)\n"
"  --toolstack-domid N    the domain allowed to write requests (default 0)\n"
"  --foreground           do not daemonise; log to stderr\n"
"  --log-level LEVEL      error, warning, info (default) or debug\n"
"  --help                 this text\n"
"\n"
"SIGTERM or SIGINT: stop accepting requests, finish the running ones,\n"
"cancel the queued ones, write state=stopped and exit 0.\n"
"Without --foreground the command returns once the daemon serves (0) or\n"
"has failed to start (1).\n"
"Exit status: 0 clean stop, 1 start-up failure or lost xenstore,\n"
"2 bad usage.\n");
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
 * given up (1), so that an init script learns about a failed start
 * (another agent running, no xenstore) from the exit status.
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
		_exit(read(fds[0], &c, 1) == 1 ? 0 : 1);
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

static void daemon_ready(void)
{
	if (ready_fd < 0)
		return;
	if (write(ready_fd, "", 1) != 1)
		log_warn("cannot tell the parent process we are ready: %s",
			 strerror(errno));
	close(ready_fd);
	ready_fd = -1;
}

void agent_maybe_exit(void)
{
	if (!agent_stopping || !request_all_final())
		return;
	ev_break(loop, EVBREAK_ALL);
}

static void signal_cb(struct ev_loop *l, ev_signal *w, int revents)
{
	(void)l;
	(void)revents;
	if (agent_stopping)
		return;
	log_info("signal %s: stopping; finishing running requests",
		 strsignal(w->signum));
	agent_stopping = true;
	request_shutdown();
	agent_maybe_exit();
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "sysfs-root", required_argument, NULL, 's' },
		{ "state-dir", required_argument, NULL, 'S' },
		{ "domid", required_argument, NULL, 'd' },
		{ "toolstack-domid", required_argument, NULL, 't' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int level = LOG_INFO, c;

	while ((c = getopt_long(argc, argv, "fh", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			cfg.sysfs_root = optarg;
			break;
		case 'S':
			cfg.state_dir = optarg;
			break;
		case 'd':
			if (!parse_domid(optarg, &cfg.domid)) {
				fprintf(stderr, AGENT_NAME ": invalid --domid "
					"'%s'\n", optarg);
				return 2;
			}
			break;
		case 't':
			if (!parse_domid(optarg, &cfg.toolstack_domid)) {
				fprintf(stderr, AGENT_NAME ": invalid "
					"--toolstack-domid '%s'\n", optarg);
				return 2;
			}
			break;
		case 'f':
			cfg.foreground = true;
			break;
		case 'l':
			level = log_level_from_str(optarg);
			if (level < 0) {
				fprintf(stderr, AGENT_NAME ": invalid "
					"--log-level '%s'\n", optarg);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, AGENT_NAME ": unexpected argument '%s'\n",
			argv[optind]);
		usage(stderr);
		return 2;
	}

	/* daemon() changes to "/": relative paths must not change meaning. */
	if (!cfg.foreground) {
		static char sysfs_abs[PATH_MAX], state_abs[PATH_MAX];

		if (!absolute(cfg.sysfs_root, sysfs_abs, sizeof(sysfs_abs)) ||
		    !absolute(cfg.state_dir, state_abs, sizeof(state_abs))) {
			fprintf(stderr, AGENT_NAME ": path too long\n");
			return 2;
		}
		cfg.sysfs_root = sysfs_abs;
		cfg.state_dir = state_abs;
	}
	/* Daemonise before any thread or xenstore connection exists. */
	if (!cfg.foreground && daemonise())
		return 1;
	log_init(cfg.foreground, level);
	sysfs_init();
	if (statedir_init())
		return 1;
	loop = ev_default_loop(EVFLAG_AUTO);
	if (!loop) {
		log_err("cannot initialise libev");
		return 1;
	}
	if (xs_connect())
		return 1;
	hv_open();

	/* Undo what a killed predecessor left half done, before serving. */
	assignable_recover();
	assignable_restore_libxl();

	if (xs_publish_start()) {
		xs_disconnect();
		return 1;
	}
	devices_publish();
	worker_init();

	ev_signal_init(&sig_term, signal_cb, SIGTERM);
	ev_signal_start(loop, &sig_term);
	ev_signal_init(&sig_int, signal_cb, SIGINT);
	ev_signal_start(loop, &sig_int);
	signal(SIGPIPE, SIG_IGN);

	if (xs_watch_requests() || xs_publish_running()) {
		xs_publish_stopped();
		xs_disconnect();
		return 1;
	}
	log_info("serving %s (sysfs %s, state %s, toolstack domain %u)",
		 agent_root, cfg.sysfs_root, cfg.state_dir,
		 cfg.toolstack_domid);
	daemon_ready();

	ev_run(loop, 0);

	xs_stop_watching();
	xs_publish_stopped();
	log_info("stopped");
	if (worker_busy()) {
		/*
		 * A timed-out sysfs write is still stuck on a worker thread:
		 * its request has its final status and its device has an
		 * intent record, which the next start undoes.  Leave without
		 * freeing what that thread still uses.
		 */
		log_warn("%d operation(s) still stuck in sysfs; the next "
			 "start will undo them", worker_busy());
		_exit(agent_exit_code);
	}
	request_free_all();
	xs_disconnect();
	hv_close();
	ev_loop_destroy(loop);
	return agent_exit_code;
}
