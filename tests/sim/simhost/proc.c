/*
 * The host's processes.  Each runs in its own session so that a signal
 * aimed at the test's process group does not kill the host half-way;
 * teardown is always explicit, from `down` or from the owner guard.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "simhost.h"

int proc_write_pid(const struct host *h, const char *name, pid_t pid)
{
	char path[700];
	FILE *f;

	host_path(h, path, sizeof(path), "run/%s.pid", name);
	f = fopen(path, "we");
	if (!f)
		die("write %s: %s", path, strerror(errno));
	fprintf(f, "%ld\n", (long)pid);
	return fclose(f);
}

pid_t proc_read_pid(const struct host *h, const char *name)
{
	char path[700];
	long pid = 0;
	FILE *f;

	host_path(h, path, sizeof(path), "run/%s.pid", name);
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (fscanf(f, "%ld", &pid) != 1)
		pid = 0;
	fclose(f);
	return (pid_t)pid;
}

pid_t proc_spawn(const struct host *h, const char *name, char *const argv[])
{
	return proc_spawn_prep(h, name, argv, NULL);
}

/* prep runs in the child, just before exec; it exits on failure. */
pid_t proc_spawn_prep(const struct host *h, const char *name,
		      char *const argv[], void (*prep)(const struct host *))
{
	char log[700];
	pid_t pid;
	int fd;

	host_path(h, log, sizeof(log), "run/%s.log", name);
	pid = fork();
	if (pid < 0)
		die("fork for %s: %s", name, strerror(errno));
	if (pid > 0) {
		proc_write_pid(h, name, pid);
		return pid;
	}
	setsid();
	fd = open("/dev/null", O_RDONLY);
	if (fd >= 0)
		dup2(fd, 0);
	fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
	if (fd >= 0) {
		dup2(fd, 1);
		dup2(fd, 2);
	}
	if (prep)
		prep(h);
	execv(argv[0], argv);
	fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void show_log(const struct host *h, const char *name)
{
	char path[700], line[512];
	FILE *f;

	host_path(h, path, sizeof(path), "run/%s.log", name);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		fprintf(stderr, "  %s: %s", name, line);
	fclose(f);
}

/*
 * Start-up is the one place that waits by retrying: a daemon has no way
 * to tell a process that is not its parent that it is ready, short of
 * the condition itself becoming true.  Bounded; a dead child fails at
 * once with its log.
 */
int proc_wait_ready(const struct host *h, const char *name, pid_t pid,
		    bool (*ready)(const struct host *, void *), void *arg)
{
	int i, status;

	for (i = 0; i < 2000; i++) {
		if (ready(h, arg))
			return 0;
		if (waitpid(pid, &status, WNOHANG) == pid) {
			warnx("%s exited during start-up (status %d)", name,
			      status);
			show_log(h, name);
			return -1;
		}
		sleep_ms(10);
	}
	warnx("%s not ready after 20 s", name);
	show_log(h, name);
	return -1;
}

static bool alive(pid_t pid)
{
	int status;

	/* Reap it if it is our child, so kill(0) does not see a zombie. */
	waitpid(pid, &status, WNOHANG);
	return kill(pid, 0) == 0;
}

/* SIGTERM, then SIGKILL after 5 s.  Returns 0 once the process is gone. */
int proc_stop(const struct host *h, const char *name)
{
	char path[700];
	pid_t pid = proc_read_pid(h, name);
	int i;

	if (pid <= 0)
		return 0;
	if (kill(pid, SIGTERM) && errno == ESRCH)
		goto gone;
	for (i = 0; i < 500 && alive(pid); i++)
		sleep_ms(10);
	if (alive(pid)) {
		warnx("%s (pid %ld) ignored SIGTERM, killing it", name,
		      (long)pid);
		kill(pid, SIGKILL);
		for (i = 0; i < 500 && alive(pid); i++)
			sleep_ms(10);
	}
	if (alive(pid)) {
		warnx("%s (pid %ld) does not die", name, (long)pid);
		return -1;
	}
gone:
	host_path(h, path, sizeof(path), "run/%s.pid", name);
	unlink(path);
	return 0;
}
