/*
 * qmpc: a small QMP client for the tests (socat is not in the
 * dependencies).  Connects, prints the greeting, then runs its items in
 * order, printing every line received (without the "\r\n"; a line that
 * does not end in "\r\n" makes the exit status 3):
 *
 *   JSON        send it and a newline, print lines up to its response
 *               (an object with "return" or "error", and the same "id"
 *               when it has a string or number id)
 *   wait:EVENT  print lines up to an event named EVENT
 *   hold:PATH   keep the connection, read nothing, until PATH exists
 *   raw:TEXT    send TEXT as it is (no newline), wait for nothing
 *   touch:PATH  create PATH (tells a test how far the client got)
 *   eof         print lines until the server closes ("EOF" then)
 *
 *   qmpc [-t SECONDS] [-c FILE] [-G] SOCKET ITEM...
 *   -t  bound on each wait (default 30); exit 2 when it runs out
 *   -c  create FILE once connect() has returned
 *   -G  do not wait for the greeting first
 * Exit 1: cannot connect or the server closed during a wait.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

static int fd = -1;
static int timeout_s = 30;
static char buf[1 << 16];
static size_t blen;
static bool bad_crlf;

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* One line, "\r\n" removed; 0 on success, 1 EOF, 2 timeout. */
static int read_line(char *line, size_t len)
{
	long long deadline = now_ms() + timeout_s * 1000LL;
	char *nl;

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long long left;
		ssize_t n;

		nl = memchr(buf, '\n', blen);
		if (nl) {
			size_t l = (size_t)(nl - buf);

			if (l == 0 || buf[l - 1] != '\r')
				bad_crlf = true;
			else
				l--;
			if (l >= len)
				l = len - 1;
			memcpy(line, buf, l);
			line[l] = '\0';
			blen -= (size_t)(nl + 1 - buf);
			memmove(buf, nl + 1, blen);
			return 0;
		}
		left = deadline - now_ms();
		if (left <= 0)
			return 2;
		if (poll(&p, 1, (int)left) <= 0)
			continue;
		n = read(fd, buf + blen, sizeof(buf) - blen);
		if (n <= 0)
			return 1;
		blen += (size_t)n;
	}
}

static yajl_val member(yajl_val v, const char *k)
{
	const char *path[] = { k, NULL };

	return yajl_tree_get(v, path, yajl_t_any);
}

/* Print lines until one satisfies want(); returns read_line's code. */
static int read_until(bool (*want)(yajl_val, const char *), const char *arg)
{
	char line[1 << 16], err[128];

	for (;;) {
		yajl_val v;
		bool done;
		int rc = read_line(line, sizeof(line));

		if (rc)
			return rc;
		printf("%s\n", line);
		fflush(stdout);
		v = yajl_tree_parse(line, err, sizeof(err));
		done = v && want(v, arg);
		yajl_tree_free(v);
		if (done)
			return 0;
	}
}

/* arg: the request's id as "s:TEXT" or "n:NUMBER", or NULL */
static bool is_response(yajl_val v, const char *arg)
{
	yajl_val id;

	if (!member(v, "return") && !member(v, "error"))
		return false;
	if (!arg)
		return true;
	id = member(v, "id");
	if (YAJL_IS_STRING(id))
		return arg[0] == 's' && !strcmp(arg + 2, id->u.string);
	if (YAJL_IS_NUMBER(id))
		return arg[0] == 'n' && !strcmp(arg + 2, id->u.number.r);
	return false;
}

static void request_id(const char *it, char *buf, size_t len, char **out)
{
	char err[128];
	yajl_val v = yajl_tree_parse(it, err, sizeof(err)), id;

	*out = NULL;
	id = v ? member(v, "id") : NULL;
	if (YAJL_IS_STRING(id)) {
		snprintf(buf, len, "s:%s", id->u.string);
		*out = buf;
	} else if (YAJL_IS_NUMBER(id)) {
		snprintf(buf, len, "n:%s", id->u.number.r);
		*out = buf;
	}
	yajl_tree_free(v);
}

static bool is_event(yajl_val v, const char *name)
{
	yajl_val e = member(v, "event");

	return YAJL_IS_STRING(e) && !strcmp(e->u.string, name);
}

static bool is_greeting(yajl_val v, const char *arg)
{
	(void)arg;
	return member(v, "QMP") != NULL;
}

static int send_all(const char *s, size_t len)
{
	while (len) {
		ssize_t n = write(fd, s, len);

		if (n <= 0)
			return -1;
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

static int hold(const char *path)
{
	long long deadline = now_ms() + timeout_s * 1000LL;
	struct timespec ts = { 0, 20000000L };
	struct stat st;

	while (stat(path, &st)) {
		if (now_ms() > deadline)
			return 2;
		nanosleep(&ts, NULL);
	}
	return 0;
}

static int item(const char *it)
{
	int rc;

	if (!strncmp(it, "wait:", 5))
		return read_until(is_event, it + 5);
	if (!strncmp(it, "hold:", 5))
		return hold(it + 5);
	if (!strncmp(it, "touch:", 6)) {
		int t = open(it + 6, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

		if (t < 0)
			return 1;
		close(t);
		return 0;
	}
	if (!strncmp(it, "raw:", 4))
		return send_all(it + 4, strlen(it + 4)) ? 1 : 0;
	if (!strcmp(it, "eof")) {
		char line[1 << 16];

		while ((rc = read_line(line, sizeof(line))) == 0)
			printf("%s\n", line);
		if (rc == 1) {
			printf("EOF\n");
			return 0;
		}
		return rc;
	}
	if (send_all(it, strlen(it)) || send_all("\n", 1))
		return 1;
	{
		char idbuf[512], *id;

		request_id(it, idbuf, sizeof(idbuf), &id);
		return read_until(is_response, id);
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *cfile = NULL;
	bool greeting = true;
	int c, i, rc = 0;

	while ((c = getopt(argc, argv, "+t:c:G")) != -1) {
		switch (c) {
		case 't': timeout_s = atoi(optarg); break;
		case 'c': cfile = optarg; break;
		case 'G': greeting = false; break;
		default: return 64;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: qmpc [-t S] [-c FILE] [-G] SOCKET "
			"ITEM...\n");
		return 64;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", argv[optind]);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		fprintf(stderr, "qmpc: connect %s: %s\n", argv[optind],
			strerror(errno));
		return 1;
	}
	if (cfile)
		close(open(cfile, O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
	if (greeting)
		rc = read_until(is_greeting, NULL);
	for (i = optind + 1; !rc && i < argc; i++)
		rc = item(argv[i]);
	if (rc == 2)
		fprintf(stderr, "qmpc: timed out after %d s\n", timeout_s);
	else if (rc == 1)
		fprintf(stderr, "qmpc: connection closed\n");
	close(fd);
	if (!rc && bad_crlf) {
		fprintf(stderr, "qmpc: a line did not end in \\r\\n\n");
		rc = 3;
	}
	return rc;
}
