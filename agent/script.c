/*
 * The hotplug script runner: the site's script for a phase of a
 * device's life, in xl devd's conventions (libxl_device.c
 * device_hotplug(), libxl_linux.c get_hotplug_env(),
 * xen-hotplug-common.sh): the phase as $1, XENBUS_* and the device in
 * the environment, stdin /dev/null, stdout and stderr into the agent's
 * log line by line, tagged with the device; a timeout (40 s, libxl's)
 * then SIGTERM, and SIGKILL after a grace period.
 *
 * Who waits for what.  A phase belongs to a step of a drive, which runs
 * on the request's worker thread (worker.c) as straight-line code; the
 * script itself is a libev child of the loop.  The worker hands the
 * loop a `struct run` (ev_async), the loop forks it and watches it
 * with ev_child, ev_io on both pipes and ev_timer, and when it is over
 * wakes the worker through the run's eventfd.  So the loop never waits
 * on a script, several run at once (one per request), and other
 * requests go on meanwhile.  The fork has to happen on the loop:
 * libev's SIGCHLD handler reaps every child with waitpid(-1) and drops
 * the status of one it has no ev_child for, so a child forked and
 * waited for on a worker thread would lose its exit status.
 *
 * No child is left behind.  Each script leads a process group of its
 * own; the group is killed when the script exits (what it started in
 * the background goes with it), on timeout and when the agent stops.
 * PR_SET_PDEATHSIG kills the script itself when the agent dies (the
 * loop thread forked it, and the loop thread lives as long as the
 * process); what the script had started is found by the next agent of
 * the same state dir, which looks for XEN_PCI_AGENT_SCRIPT in every
 * process's environment at start-up and kills and reports those left
 * by an earlier agent (script_reap_orphans()).
 *
 * A flood of output costs the loop one read of 64 KiB per wake-up and
 * at most MAX_LINES log lines per run; the rest is read and counted so
 * that the script never blocks on a full pipe.
 */
#include <dirent.h>
#include <stdarg.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "script.h"
#include "xs.h"

#define ENV_MARK	"XEN_PCI_AGENT_SCRIPT"
#define MAX_LINES	200	/* logged per run; the rest is counted */
#define LINE_MAX_LEN	1024	/* longer lines are cut */
#define MAX_ENV		24

static const char *const phase_names[SP_NPHASES] = {
	[SP_PREPARE] = "prepare", [SP_ADD] = "add", [SP_REMOVE] = "remove",
	[SP_REATTACH] = "reattach", [SP_CLEANUP] = "cleanup",
};

static struct {
	char dir[PATH_MAX];	/* realpath of --script-dir, "" if none */
	const char *given;	/* as given, for messages */
	unsigned int timeout_s, grace_s;
	bool loop_ready, explicit;
	int dir_err;
} sc = {
	.given = SCRIPT_DIR_DEFAULT,
	.timeout_s = SCRIPT_TIMEOUT_DEFAULT,
	.grace_s = SCRIPT_GRACE_DEFAULT,
};

/* The request's choice, for every phase its thread runs. */
static __thread char thread_script[PATH_MAX];
static __thread bool thread_chosen, thread_undo;

struct stream {
	int fd;
	ev_io io;
	char line[LINE_MAX_LEN + 1];
	size_t len;
	bool cut;		/* the rest of an over-long line is skipped */
	bool is_err;
	struct run *owner;
};

struct run {
	/* Built by the worker. */
	char path[PATH_MAX];
	char *argv[3];
	char *envp[MAX_ENV + 1];
	char envbuf[MAX_ENV][PATH_MAX + 64];
	char tag[96];		/* "pci prepare" */
	struct bdf bdf;
	int done_fd;		/* eventfd: the loop is done with the run */
	atomic_int stop;	/* the worker asks: the request is cancelled */
	/* The loop's, until done_fd fires; then the worker's. */
	pid_t pid;
	ev_child child;
	ev_timer timer;
	struct stream out, err;
	unsigned int lines;
	unsigned long dropped;
	char last_err[512];
	bool exited, timed_out, cancelled, term_sent;
	int status, spawn_err;
	struct run *next, *prev;
};

static ev_async kick;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct run *pending;	/* under lock: to be started */
static struct run *active;	/* the loop's: started, not yet done */

const char *script_phase_name(enum script_phase ph)
{
	return ph < SP_NPHASES ? phase_names[ph] : "?";
}

int script_configure(const char *dir, unsigned int timeout_s,
		     unsigned int grace_s)
{
	sc.given = dir ? dir : SCRIPT_DIR_DEFAULT;
	sc.timeout_s = timeout_s;
	sc.grace_s = grace_s;
	sc.explicit = dir != NULL;
	/* A missing directory only means no script runs (script_init). */
	if (!realpath(sc.given, sc.dir)) {
		sc.dir_err = errno;
		sc.dir[0] = '\0';
	}
	return 0;
}

/* -------------------------------------------------- which script */

/* name, a file in the script directory (no symlink out of it). */
static int resolve(const char *name, char *path, size_t plen, char *msg,
		   size_t len)
{
	char want[PATH_MAX + 64];
	struct stat st;
	size_t dl = strlen(sc.dir);

	if (!name[0] || strchr(name, '/') || name[0] == '.') {
		snprintf(msg, len, "invalid script '%.64s': the name of a file "
			 "in the script directory %s", name, sc.given);
		return -EINVAL;
	}
	if (!sc.dir[0]) {
		snprintf(msg, len, "script '%.64s': the script directory %s "
			 "does not exist", name, sc.given);
		return -ENOENT;
	}
	snprintf(want, sizeof(want), "%s/%s", sc.dir, name);
	if (!realpath(want, path) || strlen(path) >= plen) {
		snprintf(msg, len, "script '%.64s': %s in %s", name,
			 strerror(errno), sc.given);
		return errno == ENOENT ? -ENOENT : -EINVAL;
	}
	if (strncmp(path, sc.dir, dl) || path[dl] != '/' ||
	    strchr(path + dl + 1, '/')) {
		snprintf(msg, len, "script '%.64s' leads out of the script "
			 "directory %s (to %s): refused", name, sc.given, path);
		return -EINVAL;
	}
	if (stat(path, &st) || !S_ISREG(st.st_mode) || access(path, X_OK)) {
		snprintf(msg, len, "script '%.64s' in %s is not an executable "
			 "file", name, sc.given);
		return -EACCES;
	}
	return 0;
}

int script_select(const char *name, char *msg, size_t len)
{
	char path[PATH_MAX];
	int rc;

	thread_chosen = true;
	thread_script[0] = '\0';
	if (name && name[0]) {
		rc = resolve(name, path, sizeof(path), msg, len);
		if (rc)
			return rc;
		snprintf(thread_script, sizeof(thread_script), "%s", path);
		return 0;
	}
	/* The default is optional: without it, phases run nothing. */
	if (sc.dir[0] && !resolve(SCRIPT_DEFAULT, path, sizeof(path), msg,
				  len))
		snprintf(thread_script, sizeof(thread_script), "%s", path);
	return 0;
}

void script_undo(bool on)
{
	thread_undo = on;
}

bool script_undoing(void)
{
	return thread_undo;
}

static void ensure_chosen(void)
{
	char msg[256];

	if (!thread_chosen)
		script_select(NULL, msg, sizeof(msg));
}

bool script_active(void)
{
	ensure_chosen();
	return thread_script[0];
}

/* ------------------------------------------------------ the loop */

static void finish(struct run *r);

static void log_line(struct run *r, struct stream *s)
{
	s->line[s->len] = '\0';
	if (s->is_err && s->len)
		snprintf(r->last_err, sizeof(r->last_err), "%.511s",
			 s->line);
	if (r->lines < MAX_LINES)
		log_dev(LOG_INFO, &r->bdf, "%s%s: %s", r->tag,
			s->is_err ? " (stderr)" : "", s->line);
	else
		r->dropped++;
	r->lines++;
	s->len = 0;
}

static void take(struct run *r, struct stream *s, const char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (buf[i] == '\n') {
			if (!s->cut)
				log_line(r, s);
			s->cut = false;
			s->len = 0;
		} else if (s->cut) {
			continue;
		} else if (s->len == LINE_MAX_LEN) {
			log_line(r, s);
			s->cut = true;
		} else {
			/* A log line is text: no NUL, no escape sequence. */
			s->line[s->len++] = (unsigned char)buf[i] < ' ' &&
					    buf[i] != '\t' ? '?' : buf[i];
		}
	}
}

static void close_stream(struct run *r, struct stream *s)
{
	if (s->fd < 0)
		return;
	ev_io_stop(loop, &s->io);
	close(s->fd);
	s->fd = -1;
	if (s->len)
		log_line(r, s);
}

/* One read; false at EOF or error (the stream is closed). */
static bool read_once(struct run *r, struct stream *s)
{
	char buf[65536];
	ssize_t n = read(s->fd, buf, sizeof(buf));

	if (n > 0) {
		take(r, s, buf, (size_t)n);
		return true;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return false;
	close_stream(r, s);
	return false;
}

static void stream_cb(struct ev_loop *l, ev_io *w, int revents)
{
	struct stream *s = w->data;

	(void)l;
	(void)revents;
	read_once(s->owner, s);
}

static void kill_group(struct run *r, int sig)
{
	if (r->pid > 0)
		kill(-r->pid, sig);
}

static void timer_cb(struct ev_loop *l, ev_timer *w, int revents)
{
	struct run *r = w->data;

	(void)l;
	(void)revents;
	if (r->term_sent) {
		log_dev(LOG_WARNING, &r->bdf, "%s: still running %u s after "
			"SIGTERM: SIGKILL", r->tag, sc.grace_s);
		kill_group(r, SIGKILL);
		return;
	}
	if (!r->cancelled) {
		r->timed_out = true;
		log_dev(LOG_ERR, &r->bdf, "%s: timed out after %u s: SIGTERM",
			r->tag, sc.timeout_s);
	}
	r->term_sent = true;
	kill_group(r, SIGTERM);
	ev_timer_stop(loop, &r->timer);
	ev_timer_set(&r->timer, sc.grace_s, 0.);
	ev_timer_start(loop, &r->timer);
}

static void child_cb(struct ev_loop *l, ev_child *w, int revents)
{
	struct run *r = w->data;

	(void)l;
	(void)revents;
	ev_child_stop(loop, w);
	r->status = w->rstatus;
	r->exited = true;
	/* What it started in the background goes with it. */
	if (r->pid > 0 && !kill(-r->pid, SIGKILL))
		log_dev(LOG_WARNING, &r->bdf, "%s: killed what it left running "
			"in its process group", r->tag);
	/* What it wrote before it exited; bounded, should a detached
	 * process keep writing. */
	for (int i = 0; i < 16 && r->out.fd >= 0 && read_once(r, &r->out);
	     i++)
		;
	for (int i = 0; i < 16 && r->err.fd >= 0 && read_once(r, &r->err);
	     i++)
		;
	close_stream(r, &r->out);
	close_stream(r, &r->err);
	finish(r);
}

static void finish(struct run *r)
{
	uint64_t one = 1;

	ev_timer_stop(loop, &r->timer);
	if (r->prev)
		r->prev->next = r->next;
	else if (active == r)
		active = r->next;
	if (r->next)
		r->next->prev = r->prev;
	if (r->dropped)
		log_dev(LOG_WARNING, &r->bdf, "%s: %lu more lines of output "
			"not logged", r->tag, r->dropped);
	if (write(r->done_fd, &one, sizeof(one)) < 0)
		log_dev(LOG_ERR, &r->bdf, "%s: wake its request: %s", r->tag,
			strerror(errno));
}

/* In the child: only async-signal-safe calls until execve. */
static void child_exec(struct run *r, pid_t parent, int out, int err)
{
	sigset_t none;
	int null;

	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	null = open("/dev/null", O_RDONLY);
	if (null < 0 || dup2(null, STDIN_FILENO) < 0 ||
	    dup2(out, STDOUT_FILENO) < 0 || dup2(err, STDERR_FILENO) < 0)
		_exit(127);
	/* The agent's handlers and its SIGPIPE ignore are not the
	 * script's; every signal is blocked until here (spawn()). */
	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execve(r->path, r->argv, r->envp);
	_exit(126);
}

static int pipe_nb(int p[2])
{
	if (pipe2(p, O_CLOEXEC))
		return -errno;
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	return 0;
}

static void stream_start(struct run *r, struct stream *s, int fd,
			 bool is_err)
{
	s->owner = r;
	s->fd = fd;
	s->is_err = is_err;
	s->io.data = s;
	ev_io_init(&s->io, stream_cb, fd, EV_READ);
	ev_io_start(loop, &s->io);
}

/* Fork and exec r; its pipes' read ends in r->out and r->err. */
static int fork_script(struct run *r)
{
	int out[2] = { -1, -1 }, err[2] = { -1, -1 };
	pid_t parent = getpid();
	int rc;

	r->out.fd = r->err.fd = -1;
	rc = pipe_nb(out);
	if (!rc)
		rc = pipe_nb(err);
	if (!rc) {
		sigset_t all, old;

		/* No handler of the agent's may run in the child. */
		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &old);
		r->pid = fork();
		if (r->pid == 0)
			child_exec(r, parent, out[1], err[1]);
		if (r->pid < 0)
			rc = -errno;
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	if (out[1] >= 0)
		close(out[1]);
	if (err[1] >= 0)
		close(err[1]);
	if (rc) {
		if (out[0] >= 0)
			close(out[0]);
		if (err[0] >= 0)
			close(err[0]);
		r->spawn_err = -rc;
		r->pid = 0;
		return rc;
	}
	/* Both sides, so that a kill never races the child's setpgid. */
	setpgid(r->pid, r->pid);
	log_dev(LOG_DEBUG, &r->bdf, "%s: pid %d", r->tag, (int)r->pid);
	r->out = (struct stream){ .fd = out[0], .owner = r };
	r->err = (struct stream){ .fd = err[0], .owner = r, .is_err = true };
	return 0;
}

static void spawn(struct run *r)
{
	if (fork_script(r)) {
		finish(r);
		return;
	}
	r->child.data = r;
	ev_child_init(&r->child, child_cb, r->pid, 0);
	ev_child_start(loop, &r->child);
	stream_start(r, &r->out, r->out.fd, false);
	stream_start(r, &r->err, r->err.fd, true);
	r->timer.data = r;
	ev_timer_init(&r->timer, timer_cb, sc.timeout_s, 0.);
	ev_timer_start(loop, &r->timer);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/*
 * Before the loop runs (start-up recovery, on the main thread): the
 * same run, waited for here with poll() on its pipes and a pidfd.
 * libev's SIGCHLD handler only takes note until ev_run, and then finds
 * nothing left to reap.
 */
static void run_direct(struct run *r)
{
	long long deadline;
	int pfd, st;

	if (fork_script(r))
		return;
	pfd = (int)syscall(SYS_pidfd_open, r->pid, 0);
	deadline = now_ms() + sc.timeout_s * 1000LL;
	while (pfd >= 0) {
		struct pollfd p[3] = { { .fd = pfd, .events = POLLIN },
				       { .fd = r->out.fd, .events = POLLIN },
				       { .fd = r->err.fd, .events = POLLIN } };
		long long left = deadline - now_ms();

		if (left <= 0) {
			if (r->term_sent) {
				kill_group(r, SIGKILL);
				deadline = LLONG_MAX;
				continue;
			}
			r->timed_out = r->term_sent = true;
			log_dev(LOG_ERR, &r->bdf, "%s: timed out after %u s: "
				"SIGTERM", r->tag, sc.timeout_s);
			kill_group(r, SIGTERM);
			deadline = now_ms() + sc.grace_s * 1000LL;
			continue;
		}
		if (poll(p, 3, left > INT_MAX ? INT_MAX : (int)left) < 0 &&
		    errno != EINTR)
			break;
		if (p[1].revents)
			read_once(r, &r->out);
		if (p[2].revents)
			read_once(r, &r->err);
		if (p[0].revents)
			break;
	}
	if (pfd >= 0)
		close(pfd);
	while (waitpid(r->pid, &st, 0) < 0 && errno == EINTR)
		;
	r->status = st;
	r->exited = true;
	kill_group(r, SIGKILL);
	for (int i = 0; i < 16 && r->out.fd >= 0 && read_once(r, &r->out);
	     i++)
		;
	for (int i = 0; i < 16 && r->err.fd >= 0 && read_once(r, &r->err);
	     i++)
		;
	close_stream(r, &r->out);
	close_stream(r, &r->err);
	if (r->dropped)
		log_dev(LOG_WARNING, &r->bdf, "%s: %lu more lines of output "
			"not logged", r->tag, r->dropped);
}

/* A request's cancel, passed on by its worker. */
static void stop_cancelled(void)
{
	for (struct run *r = active; r; r = r->next) {
		if (!atomic_load(&r->stop) || r->term_sent || r->exited)
			continue;
		r->cancelled = true;
		log_dev(LOG_WARNING, &r->bdf, "%s: the request was cancelled: "
			"SIGTERM", r->tag);
		ev_timer_stop(loop, &r->timer);
		r->term_sent = false;
		timer_cb(loop, &r->timer, 0);
	}
}

static void kick_cb(struct ev_loop *l, ev_async *w, int revents)
{
	struct run *list, *r;

	(void)l;
	(void)w;
	(void)revents;
	pthread_mutex_lock(&lock);
	list = pending;
	pending = NULL;
	pthread_mutex_unlock(&lock);
	while ((r = list)) {
		list = r->next;
		r->prev = NULL;
		r->next = active;
		if (active)
			active->prev = r;
		active = r;
		spawn(r);
	}
	stop_cancelled();
}

int script_init(void)
{
	ev_async_init(&kick, kick_cb);
	ev_async_start(loop, &kick);
	ev_unref(loop);
	sc.loop_ready = true;
	if (sc.dir[0])
		log_info("hotplug scripts in %s (timeout %u s, then %u s to "
			 "SIGKILL)", sc.dir, sc.timeout_s, sc.grace_s);
	else if (sc.explicit)
		log_warn("--script-dir %s: %s: no hotplug script will run",
			 sc.given, strerror(sc.dir_err));
	return 0;
}

void script_stop_all(void)
{
	for (struct run *r = active; r; r = r->next) {
		log_dev(LOG_WARNING, &r->bdf, "%s: still running as the agent "
			"stops: killed", r->tag);
		kill_group(r, SIGKILL);
	}
}

/* ---------------------------------------------------- the worker */

static void env_add(struct run *r, unsigned int *n, const char *k,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void env_add(struct run *r, unsigned int *n, const char *k,
		    const char *fmt, ...)
{
	size_t l;
	va_list ap;

	if (*n >= MAX_ENV)
		return;
	l = (size_t)snprintf(r->envbuf[*n], sizeof(r->envbuf[0]), "%s=", k);
	va_start(ap, fmt);
	vsnprintf(r->envbuf[*n] + l, sizeof(r->envbuf[0]) - l, fmt, ap);
	va_end(ap);
	r->envp[*n] = r->envbuf[*n];
	(*n)++;
}

/* Kept from the agent's: where the tools are and how to reach xenstore. */
static void env_keep(struct run *r, unsigned int *n)
{
	static const char *const keep[] = {
		"PATH", "XENSTORED_PATH", "XENSTORED_ROOTDIR", "HOME", "TZ",
		"XENPCI_IP",
	};
	const char *v;

	for (size_t i = 0; i < sizeof(keep) / sizeof(*keep); i++)
		if ((v = getenv(keep[i])))
			env_add(r, n, keep[i], "%s", v);
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

static void build(struct run *r, enum script_phase ph,
		  const struct script_dev *sd)
{
	char bdf[BDF_STR_LEN], path[160], *name = NULL;
	unsigned int n = 0;

	r->bdf = *sd->bdf;
	bdf_str(sd->bdf, bdf);
	snprintf(r->tag, sizeof(r->tag), "%.64s %s", base_name(r->path),
		 script_phase_name(ph));
	r->argv[0] = r->path;
	r->argv[1] = (char *)script_phase_name(ph);
	r->argv[2] = NULL;
	env_keep(r, &n);
	env_add(r, &n, "LANG", "C");
	env_add(r, &n, "script", "%s", r->path);
	env_add(r, &n, "XENBUS_TYPE", "pci");
	env_add(r, &n, "BDF", "%s", bdf);
	env_add(r, &n, "SYSFS_PATH", "%s/bus/pci/devices/%s", cfg.sysfs_root,
		bdf);
	env_add(r, &n, "ORIG_DRIVER", "%s", sd->orig_driver ?
		base_name(sd->orig_driver) : "");
	env_add(r, &n, "REQUEST", "%s", sd->req ? sd->req : "");
	env_add(r, &n, "XEN_PCI_AGENT_DOMID", "%u", cfg.domid);
	env_add(r, &n, ENV_MARK, "%s:%d", cfg.state_dir, (int)getpid());
	if (sd->domid >= 0) {
		env_add(r, &n, "DOMID", "%ld", sd->domid);
		snprintf(path, sizeof(path), XENPCI_DOMAIN_NAME_FMT,
			 (unsigned int)sd->domid);
		name = xs_read_str(XBT_NULL, path);
		env_add(r, &n, "DOMAIN_NAME", "%s", name ? name : "");
		free(name);
		env_add(r, &n, "XENBUS_PATH", XENPCI_BE_FMT, cfg.domid,
			(unsigned int)sd->domid);
		snprintf(path, sizeof(path), XENPCI_BE_FMT, cfg.domid, 0u);
		/* ".../backend/pci/0/0" cut back to ".../backend". */
		*strstr(path, "/pci/") = '\0';
		env_add(r, &n, "XENBUS_BASE_PATH", "%s", path);
	}
	r->envp[n] = NULL;
}

/* What the run's end means for the request. */
static int verdict(struct run *r, char *msg, size_t len)
{
	const char *why = r->last_err[0] ? r->last_err : NULL;
	int st = r->status;

	if (r->spawn_err) {
		snprintf(msg, len, "hotplug script %s: cannot run: %s", r->tag,
			 strerror(r->spawn_err));
		return -r->spawn_err;
	}
	if (r->cancelled) {
		snprintf(msg, len, "hotplug script %s: stopped, the request "
			 "timed out or was cancelled", r->tag);
		return -ETIMEDOUT;
	}
	if (r->timed_out) {
		snprintf(msg, len, "hotplug script %s timed out after %u s%s",
			 r->tag, sc.timeout_s, WIFSIGNALED(st) &&
			 WTERMSIG(st) == SIGKILL ? " (killed with SIGKILL)" :
			 "");
		return -ETIMEDOUT;
	}
	if (WIFEXITED(st) && !WEXITSTATUS(st))
		return 0;
	if (WIFEXITED(st) && why)
		snprintf(msg, len, "%s", why);
	else if (WIFEXITED(st))
		snprintf(msg, len, "hotplug script %s failed with exit status "
			 "%d", r->tag, WEXITSTATUS(st));
	else
		snprintf(msg, len, "hotplug script %s was killed by signal %d "
			 "(%s)%s%s", r->tag, WTERMSIG(st),
			 strsignal(WTERMSIG(st)), why ? ": " : "",
			 why ? why : "");
	return -EPERM;
}

static void wait_done(struct run *r, const struct cancel *cancel)
{
	struct pollfd p[2] = { { .fd = r->done_fd, .events = POLLIN },
			       { .fd = cancel_fd(cancel), .events = POLLIN } };
	uint64_t v;

	/* Until the loop lets go of r: only then may the caller free it. */
	for (;;) {
		if (poll(p, p[1].fd >= 0 ? 2 : 1, -1) < 0)
			continue;
		if (p[0].revents & POLLIN)
			break;
		if (p[1].fd >= 0 && (p[1].revents & POLLIN)) {
			/* Once: the loop stops it, then done_fd fires. */
			atomic_store(&r->stop, 1);
			ev_async_send(loop, &kick);
			p[1].fd = -1;
		}
	}
	if (read(r->done_fd, &v, sizeof(v)) < 0)
		v = 0;
}

int script_run(enum script_phase ph, const struct script_dev *sd,
	       const struct cancel *cancel, char *msg, size_t len)
{
	struct run *r;
	int rc;

	msg[0] = '\0';
	ensure_chosen();
	if (!thread_script[0])
		return 0;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	snprintf(r->path, sizeof(r->path), "%s", thread_script);
	build(r, ph, sd);
	r->done_fd = eventfd(0, EFD_CLOEXEC);
	if (r->done_fd < 0) {
		rc = -errno;
		free(r);
		return rc;
	}
	atomic_init(&r->stop, 0);
	log_dev(LOG_INFO, sd->bdf, "running hotplug script %s%s", r->tag,
		thread_undo ? " (undoing)" : "");
	if (sc.loop_ready) {
		pthread_mutex_lock(&lock);
		r->next = pending;
		pending = r;
		pthread_mutex_unlock(&lock);
		ev_async_send(loop, &kick);
		wait_done(r, thread_undo ? NULL : cancel);
	} else {
		run_direct(r);
	}
	rc = verdict(r, msg, len);
	log_dev(rc ? LOG_ERR : LOG_INFO, sd->bdf, "hotplug script %s: %s",
		r->tag, rc ? msg : "ok");
	close(r->done_fd);
	free(r);
	return rc;
}

void script_hotplug_status(unsigned int domid, const char *err)
{
	char be[128], p[160];

	snprintf(be, sizeof(be), XENPCI_BE_FMT, cfg.domid, domid);
	if (!xs_exists(XBT_NULL, be))
		return;
	snprintf(p, sizeof(p), "%s/" XENPCI_BEKEY_HOTPLUG_ERROR, be);
	if (err)
		xs_write_str(XBT_NULL, p, err);
	else
		xs_remove(XBT_NULL, p);
	snprintf(p, sizeof(p), "%s/" XENPCI_BEKEY_HOTPLUG_STATUS, be);
	xs_write_str(XBT_NULL, p, err ? "error" : "connected");
}

/* ------------------------------------------------------- orphans */

/* The value of ENV_MARK in pid's environment, or false. */
static bool env_mark(const char *pid, char *val, size_t len)
{
	char path[64], buf[32768];
	size_t ml = strlen(ENV_MARK "=");
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%.20s/environ", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	for (char *e = buf; e < buf + n; e += strlen(e) + 1)
		if (!strncmp(e, ENV_MARK "=", ml)) {
			snprintf(val, len, "%s", e + ml);
			return true;
		}
	return false;
}

static void comm_of(const char *pid, char *buf, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%.20s/comm", pid);
	buf[0] = '\0';
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, len - 1);
	close(fd);
	buf[n > 0 ? n - 1 : 0] = '\0';
}

void script_reap_orphans(void)
{
	char mine[PATH_MAX + 16], val[PATH_MAX + 16], comm[64];
	size_t ml;
	struct dirent *e;
	unsigned int n = 0;
	DIR *d;

	/* Ours: the same state dir, which only one agent holds at once. */
	ml = (size_t)snprintf(mine, sizeof(mine), "%s:", cfg.state_dir);
	d = opendir("/proc");
	if (!d)
		return;
	while ((e = readdir(d))) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9' ||
		    !env_mark(e->d_name, val, sizeof(val)) ||
		    strncmp(val, mine, ml) ||
		    atoi(val + ml) == (int)getpid())
			continue;
		comm_of(e->d_name, comm, sizeof(comm));
		if (kill(atoi(e->d_name), SIGKILL))
			continue;
		n++;
		log_warn("orphan of a hotplug script of an earlier agent (pid "
			 "%s): process %s (%s) killed", val + ml, e->d_name,
			 comm);
	}
	closedir(d);
	if (n)
		log_warn("killed %u process%s left by hotplug scripts of an "
			 "earlier agent", n, n == 1 ? "" : "es");
}
