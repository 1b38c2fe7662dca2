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
 * it hands to reqwatch.c, domains.c or xlwatch.c by token, and the signals.  It
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
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cfgfile.h"
#include "config.h"
#include "domains.h"
#include "hypervisor.h"
#include "kmsgwatch.h"
#include "log.h"
#include "main.h"
#include "ops.h"
#include "persist.h"
#include "policy.h"
#include "publish.h"
#include "request.h"
#include "script.h"
#include "savedcfg.h"
#include "service.h"
#include "statedir.h"
#include "sysfs.h"
#include "worker.h"
#include "xs.h"
#include "reqparse.h"
#include "reqwatch.h"
#include "xlwatch.h"

static ev_signal sig_term, sig_int, sig_hup;
static ev_io watch_io, hangup_io;
static bool stopping;
static int exit_code = AGENT_EXIT_OK;

static void usage(FILE *f)
{
	fprintf(f,
"Usage: " AGENT_NAME " [OPTION]...\n"
"Serve Xen PCI pass-through requests written to xenstore under\n"
XENPCI_ROOT_FMT "/" XENPCI_REQUESTS " (protocol v1; the domid is --domid).\n"
"\n"
"  --config FILE          configuration, xen-pci-agent.cfg(5) (default\n"
"                         " CFGFILE_DEFAULT ", if it exists);\n"
"                         options given here override it\n"
"  --sysfs-root DIR       sysfs to act on (default /sys)\n"
"  --proc-root DIR        proc the dom0 guard reads (default /proc)\n"
"  --dev-root DIR         DIR/kmsg is the kernel log read for pciback's\n"
"                         warnings (default /dev)\n"
"  --protect SPEC         never take [DDDD:]BB:DD.F (or .*) from dom0\n"
"                         without force=1; repeatable\n"
"  --reset-policy POLICY  best-effort (default): a device that cannot be\n"
"                         reset still goes to the next guest; strict: a\n"
"                         dirty device only goes back to its last guest\n"
"  --state-dir DIR        remembered drivers and the intent journal\n"
"                         (default /var/lib/xen-pci-agent)\n"
"  --run-dir DIR          where qemu-xen's QMP sockets are (qmp-libxl-N,\n"
"                         default " XENPCI_RUN_DIR_DEFAULT ")\n"
"  --xen-lib-dir DIR      libxl's XEN_LIB_DIR, where the guests' saved\n"
"                         configurations are (default /var/lib/xen)\n"
"  --domid N              the agent's own domain (default 0)\n"
"  --toolstack-domid N    the domain allowed to write requests (default 0)\n"
"  --foreground           do not daemonise; log to stderr\n"
"  --pidfile FILE         write the daemon's pid to FILE (init scripts)\n"
"  --log-level LEVEL      error, warning, info (default) or debug\n"
"  --script-dir DIR       the hotplug scripts: DIR/pci and what script=\n"
"                         names (default " SCRIPT_DIR_DEFAULT ")\n"
"  --script-timeout S     a script's time before SIGTERM (default 40)\n"
"  --script-grace S       then before SIGKILL (default 5)\n"
"  --help                 this text\n"
"\n"
"Under systemd (Type=notify) readiness is sent with sd_notify(3).\n"
"SIGHUP: read the configuration again; a bad one is refused and the\n"
"previous one kept.\n"
"SIGTERM or SIGINT: stop accepting requests, finish the running ones,\n"
"cancel the queued ones, write state=stopped and exit 0.\n"
"Without --foreground the command returns once the daemon serves (0) or\n"
"has failed to start (with the daemon's exit status).\n"
"Exit status:\n"
"  0 clean stop\n"
"  1 temporary failure, a retry may work: xenstore unreachable or lost,\n"
"    the state dir locked by another agent, out of resources.  When\n"
"    xenstored goes away the agent logs it and exits 1 at once; the next\n"
"    start undoes what was in flight, as after kill -9\n"
"  2 bad usage\n"
"  3 bad configuration, a retry will not help: an error in the\n"
"    configuration file, an unusable --state-dir or --pidfile\n", cfg.domid);
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
	if (stopping && request_idle() && domains_idle() && xlwatch_idle())
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
	xlwatch_shutdown();
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
	service_notify("STOPPING=1");
	stop(AGENT_EXIT_OK);
}

static void watch_cb(struct ev_loop *l, ev_io *w, int revents)
{
	char **ev;
	int err;

	(void)l;
	(void)w;
	(void)revents;
	request_hold(true);
	while ((ev = xs_next_watch())) {
		if (!strcmp(ev[XS_WATCH_TOKEN], XS_TOKEN_REQUESTS))
			reqwatch_event(ev[XS_WATCH_PATH]);
		else if (!strcmp(ev[XS_WATCH_TOKEN], XS_TOKEN_DOMAINS))
			domains_changed();
		else if (!strcmp(ev[XS_WATCH_TOKEN], XS_TOKEN_BACKENDS))
			xlwatch_event(ev[XS_WATCH_PATH]);
		free(ev);
	}
	err = errno;
	request_hold(false);
	if (err == EAGAIN)
		return;
	/* The connection is gone: nothing more can be served. */
	log_err("xenstore watch: %s; stopping", strerror(err));
	ev_io_stop(loop, &watch_io);
	stop(AGENT_EXIT_TEMPORARY);
}

/* The options given on the command line, which the file cannot change. */
enum { SET_STATE_DIR = 1, SET_TOOLSTACK = 2, SET_LOG_LEVEL = 4,
       SET_SCRIPT_TIMEOUT = 8, SET_RESET_POLICY = 16 };
static unsigned int cmdline_set;
static const char *config_path;
static bool config_required;
static struct cfgfile cur_file = { .toolstack_domid = -1, .log_level = -1 };
static int log_level;

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

/*
 * xenstored's death.  libxenstore's reader thread sees the socket's EOF
 * but only closes its fd: the watch pipe main.c waits on stays silent,
 * so an idle agent would never know.  A second connection that never
 * sends anything becomes readable (EOF) when the kernel closes the
 * peer, whichever xenstored it was (C or OCaml) and however it died; no
 * polling, no pid to know.  Through /dev/xen/xenbus (xenstored in a
 * stub domain) there is no socket and no such news.
 */
static int hangup_fd = -1;

static void hangup_cb(struct ev_loop *l, ev_io *w, int revents)
{
	char c;
	ssize_t n;

	(void)l;
	(void)revents;
	n = recv(w->fd, &c, 1, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	log_err("xenstore lost: xenstored closed %s (%s); exiting with "
		"status %d, the next start undoes what was in flight",
		xs_daemon_socket(), n < 0 ? strerror(errno) : "end of file",
		AGENT_EXIT_TEMPORARY);
	/* Nothing can be answered or published any more: go at once. */
	_exit(AGENT_EXIT_TEMPORARY);
}

static void watch_xenstored(void)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	const char *path = xs_daemon_socket();

	if (!path || strlen(path) >= sizeof(addr.sun_path))
		goto none;
	strcpy(addr.sun_path, path);
	hangup_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (hangup_fd < 0)
		goto none;
	if (connect(hangup_fd, (struct sockaddr *)&addr, sizeof(addr))) {
		close(hangup_fd);
		hangup_fd = -1;
		goto none;
	}
	ev_io_init(&hangup_io, hangup_cb, hangup_fd, EV_READ);
	ev_io_start(loop, &hangup_io);
	return;
none:
	log_warn("xenstored's socket %s: %s: its death will not be noticed "
		 "until a request fails", path ?: "(none)", strerror(errno));
}

/* Options into cfg: -1 to go on, else the exit status. */
static int parse_options(int argc, char **argv, int *level)
{
	static const struct option opts[] = {
		{ "sysfs-root", required_argument, NULL, 's' },
		{ "proc-root", required_argument, NULL, 'P' },
		{ "dev-root", required_argument, NULL, 'K' },
		{ "protect", required_argument, NULL, 'p' },
		{ "reset-policy", required_argument, NULL, 'R' },
		{ "state-dir", required_argument, NULL, 'S' },
		{ "run-dir", required_argument, NULL, 'r' },
		{ "xen-lib-dir", required_argument, NULL, 'X' },
		{ "domid", required_argument, NULL, 'd' },
		{ "toolstack-domid", required_argument, NULL, 't' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "pidfile", required_argument, NULL, 'i' },
		{ "config", required_argument, NULL, 'c' },
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
		case 'c':
			config_path = optarg;
			config_required = true;
			break;
		case 'S':
			cfg.state_dir = optarg;
			cmdline_set |= SET_STATE_DIR;
			break;
		case 'P':
			cfg.proc_root = optarg;
			break;
		case 'K':
			cfg.dev_root = optarg;
			break;
		case 'R': {
			enum reset_policy rp;

			if (policy_reset_parse(optarg, &rp)) {
				fprintf(stderr, AGENT_NAME ": invalid "
					"--reset-policy '%s': strict or "
					"best-effort\n", optarg);
				return AGENT_EXIT_USAGE;
			}
			cfg.reset_strict = rp == RESET_POLICY_STRICT;
			cmdline_set |= SET_RESET_POLICY;
			break;
		}
		case 'p':
			if (policy_protect(optarg)) {
				fprintf(stderr, AGENT_NAME ": invalid --protect "
					"'%s': [DDDD:]BB:DD.F or [DDDD:]BB:DD.*"
					"\n", optarg);
				return AGENT_EXIT_USAGE;
			}
			break;
		case 'r':
			cfg.run_dir = optarg;
			break;
		case 'X':
			cfg.xen_lib_dir = optarg;
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
			if (c == 't')
				cmdline_set |= SET_TOOLSTACK;
			break;
		case 'f':
			cfg.foreground = true;
			break;
		case 'i':
			cfg.pidfile = optarg;
			break;
		case 'l':
			*level = log_level_from_str(optarg);
			if (*level < 0) {
				fprintf(stderr, AGENT_NAME ": invalid "
					"--log-level '%s'\n", optarg);
				return AGENT_EXIT_USAGE;
			}
			cmdline_set |= SET_LOG_LEVEL;
			break;
		case 'D':
			script_dir = optarg;
			break;
		case 'T':
		case 'G':
			if (c == 'T')
				cmdline_set |= SET_SCRIPT_TIMEOUT;
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
	static char pid_abs[PATH_MAX], lib_abs[PATH_MAX];
	static char proc_abs[PATH_MAX], dev_abs[PATH_MAX];

	if (!absolute(cfg.sysfs_root, sysfs_abs, sizeof(sysfs_abs)) ||
	    !absolute(cfg.proc_root, proc_abs, sizeof(proc_abs)) ||
	    !absolute(cfg.dev_root, dev_abs, sizeof(dev_abs)) ||
	    !absolute(cfg.state_dir, state_abs, sizeof(state_abs)) ||
	    !absolute(cfg.run_dir, run_abs, sizeof(run_abs)) ||
	    !absolute(cfg.xen_lib_dir, lib_abs, sizeof(lib_abs)) ||
	    (cfg.pidfile &&
	     !absolute(cfg.pidfile, pid_abs, sizeof(pid_abs)))) {
		fprintf(stderr, AGENT_NAME ": path too long\n");
		return -1;
	}
	cfg.sysfs_root = sysfs_abs;
	cfg.proc_root = proc_abs;
	cfg.dev_root = dev_abs;
	cfg.state_dir = state_abs;
	cfg.run_dir = run_abs;
	cfg.xen_lib_dir = lib_abs;
	if (cfg.pidfile)
		cfg.pidfile = pid_abs;
	return 0;
}

/*
 * Reads the configuration file into nf: 0, 1 when there is none to
 * read (the default path, absent), -1 on an error, logged.
 */
static int config_read(struct cfgfile *nf)
{
	char err[512];

	if (!config_path) {
		config_path = CFGFILE_DEFAULT;
		config_required = false;
	}
	if (!config_required && access(config_path, F_OK) && errno == ENOENT)
		return 1;
	if (cfgfile_read(config_path, nf, err, sizeof(err))) {
		log_err("configuration: %s", err);
		return -1;
	}
	return 0;
}

/* What the file may set and the command line did not. */
static void config_apply(const struct cfgfile *f, bool at_start)
{
	if (!(cmdline_set & SET_LOG_LEVEL))
		log_level = f->log_level >= 0 ? f->log_level : LOG_INFO;
	reqparse_default_timeout = f->request_timeout > 0 ?
		f->request_timeout : XENPCI_REQ_TIMEOUT_DEFAULT;
	if (!at_start)
		return;
	if (f->state_dir && !(cmdline_set & SET_STATE_DIR))
		cfg.state_dir = f->state_dir;
	if (f->toolstack_domid >= 0 && !(cmdline_set & SET_TOOLSTACK))
		cfg.toolstack_domid = f->toolstack_domid;
	/* script_configure() takes them once, in main(). */
	if (f->script_dir && !script_dir)
		script_dir = f->script_dir;
	if (f->script_timeout > 0 && !(cmdline_set & SET_SCRIPT_TIMEOUT))
		script_timeout = f->script_timeout;
	/*
	 * Workers read both without a lock: set once, before any runs.
	 * --protect adds to the file's list.
	 */
	if (f->reset_policy && !(cmdline_set & SET_RESET_POLICY))
		cfg.reset_strict = f->reset_policy == CFGFILE_RESET_STRICT;
	for (unsigned int i = 0; i < f->n_protect; i++)
		if (policy_protect(f->protect[i]))
			log_err("%s: protect: '%s': more than the agent "
				"holds; not protected", config_path,
				f->protect[i]);
}

/* Start-up: -1 to go on, or the exit status. */
static int config_load(void)
{
	int rc = config_read(&cur_file);

	if (rc < 0)
		return AGENT_EXIT_CONFIG;
	/* persistent=1 edits it; no file, no persistence. */
	if (!rc)
		cfg.config_file = config_path;
	config_apply(&cur_file, true);
	return -1;
}

static bool str_differs(const char *a, const char *b)
{
	return (a || b) && (!a || !b || strcmp(a, b));
}

/* SIGHUP: the new file replaces the old one only if it reads well. */
static void config_reload(void)
{
	struct cfgfile nf = { .toolstack_domid = -1, .log_level = -1 };
	int rc;

	service_notify("RELOADING=1");
	rc = config_read(&nf);
	if (rc < 0) {
		log_err("SIGHUP: %s refused; keeping the previous "
			"configuration", config_path);
		goto out;
	}
	if (str_differs(nf.state_dir, cur_file.state_dir) ||
	    nf.toolstack_domid != cur_file.toolstack_domid ||
	    str_differs(nf.script_dir, cur_file.script_dir) ||
	    nf.script_timeout != cur_file.script_timeout ||
	    nf.reset_policy != cur_file.reset_policy ||
	    nf.n_protect != cur_file.n_protect)
		log_warn("SIGHUP: state_dir, toolstack_domid, script_dir, "
			 "script_timeout, protect and reset_policy take "
			 "effect at the next start; "
			 "serving with %s and %u until then", cfg.state_dir,
			 cfg.toolstack_domid);
	config_apply(&nf, false);
	log_init(cfg.foreground, log_level);
	log_info("SIGHUP: %s read again: %u persistent assignment(s)",
		 config_path, nf.n_assignable);
	persist_apply(nf.assignable, nf.n_assignable);
	/*
	 * cfg.state_dir and the script dir may point into the old file's
	 * strings, which serve until the next start: keep those.
	 */
	{
		char *keep_state = cur_file.state_dir;
		char *keep_script = cur_file.script_dir;

		cur_file.state_dir = cur_file.script_dir = NULL;
		cfgfile_free(&cur_file);
		cur_file = nf;
		free(cur_file.state_dir);
		free(cur_file.script_dir);
		cur_file.state_dir = keep_state;
		cur_file.script_dir = keep_script;
	}
out:
	service_notify("READY=1");
}

static void sighup_cb(struct ev_loop *l, ev_signal *w, int revents)
{
	(void)l;
	(void)w;
	(void)revents;
	if (!stopping)
		config_reload();
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
	/* After the lock, so that a refused second agent keeps its hands
	 * off the first one's pid file. */
	if (service_pidfile_write(cfg.pidfile))
		return AGENT_EXIT_CONFIG;
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
	xlwatch_init(maybe_exit);
	kmsgwatch_init();
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
	ev_signal_init(&sig_hup, sighup_cb, SIGHUP);
	ev_signal_start(loop, &sig_hup);
	signal(SIGPIPE, SIG_IGN);

	if (xs_watch_requests() || xs_publish_running()) {
		xs_publish_stopped();
		xs_disconnect();
		return AGENT_EXIT_TEMPORARY;
	}
	ev_io_init(&watch_io, watch_cb, xs_watch_fd(), EV_READ);
	ev_io_start(loop, &watch_io);
	watch_xenstored();
	log_info("serving %s (sysfs %s, state %s, toolstack domain %u)",
		 agent_root, cfg.sysfs_root, cfg.state_dir,
		 cfg.toolstack_domid);
	daemon_status(AGENT_EXIT_OK);
	service_notify("READY=1\nSTATUS=serving requests");
	/* Watched already: the requests are served like any other. */
	if (cur_file.n_assignable)
		log_info("%u persistent assignment(s) from %s",
			 cur_file.n_assignable, config_path);
	persist_apply(cur_file.assignable, cur_file.n_assignable);

	ev_run(loop, 0);

	script_stop_all();
	kmsgwatch_shutdown();
	ev_io_stop(loop, &watch_io);
	if (hangup_fd >= 0) {
		ev_io_stop(loop, &hangup_io);
		close(hangup_fd);
	}
	xs_stop_watching();
	xs_publish_stopped();
	log_info("stopped");
	return exit_code;
}

int main(int argc, char **argv)
{
	int rc;
	static char config_abs[PATH_MAX];

	/* A reload that comes before serve() watches SIGHUP must not kill
	 * us; ev_signal replaces this, so scripts run later get SIG_DFL. */
	signal(SIGHUP, SIG_IGN);
	log_level = LOG_INFO;
	rc = parse_options(argc, argv, &log_level);
	if (rc >= 0)
		return rc;
	/* Errors before daemonising reach the terminal; log_msg before
	 * log_init() writes to stderr. */
	log_init(true, log_level);
	rc = config_load();
	if (rc >= 0)
		return rc;
	if (config_path && config_path[0] != '/') {
		if (!absolute(config_path, config_abs, sizeof(config_abs)))
			return AGENT_EXIT_USAGE;
		config_path = config_abs;
		if (cfg.config_file)
			cfg.config_file = config_abs;
	}
	if (!cfg.foreground && absolute_paths())
		return AGENT_EXIT_USAGE;
	/* Resolved now: daemonise() changes to "/". */
	script_configure(script_dir, script_timeout, script_grace);
	/* Daemonise before any thread or xenstore connection exists. */
	if (!cfg.foreground && daemonise())
		return daemon_status(AGENT_EXIT_TEMPORARY);
	log_init(cfg.foreground, log_level);
	rc = start();
	if (rc >= 0) {
		service_pidfile_remove();
		return daemon_status(rc);
	}
	rc = serve();
	service_pidfile_remove();
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
	savedcfg_close();
	hv_close();
	ev_loop_destroy(loop);
	return daemon_status(rc);
}
