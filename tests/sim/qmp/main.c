/*
 * simqmp's process: the chardev socket server of
 *   -chardev socket,id=libxl-cmd,path=<run dir>/qmp-libxl-<domid>,
 *            server=on,wait=off
 * (chardev/char-socket.c: listen backlog 1, one client at a time:
 * tcp_chr_new_client() stops the listener until the client goes, so a
 * second client's connect() completes but it gets no greeting until
 * the first one has closed), the device model's xenstore state, a
 * control socket for simhost and the transcript.
 *
 *   simqmp --domid N --socket PATH --ctl PATH --transcript FILE
 *          --sysfs-root DIR --simxen-dir DIR [--release-ms MS]
 *          [--no-ahci] [--log FILE]
 */
#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <xenstore.h>

#include "qmp.h"

struct qmp_conf conf = { .ahci = true, .release_ms = 200, .probe_ms = 200 };

static const char *sock_path, *ctl_path, *transcript_path;
static int listen_fd = -1, client_fd = -1, ctl_fd = -1, tr_fd = -1;
static ev_io listen_w, client_w, client_out_w, ctl_w;
static unsigned int conn_no;
static char *outbuf;
static size_t outlen, outcap;

void plog(const char *fmt, ...)
{
	struct timespec ts;
	va_list ap;

	clock_gettime(CLOCK_REALTIME, &ts);
	fprintf(stderr, "%ld.%03ld simqmp[%u]: ", (long)ts.tv_sec,
		ts.tv_nsec / 1000000, conf.domid);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void tr_write(const char *s, size_t len)
{
	if (tr_fd >= 0 && write(tr_fd, s, len) != (ssize_t)len)
		plog("transcript: %s", strerror(errno));
}

/* A value QEMU never sent as such: quoted, as a JSON string. */
static void tr_string(const char *s, size_t len)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	const unsigned char *buf;
	size_t n;

	yajl_gen_string(g, (const unsigned char *)s, len);
	yajl_gen_get_buf(g, &buf, &n);
	tr_write((const char *)buf, n);
	yajl_gen_free(g);
}

/*
 * One line per message: {"conn": N, "dir": "in"|"out", "msg": VALUE},
 * "open"/"close" for a client's connection, "raw" (a string) for input
 * that is not JSON.
 */
void transcript(const char *dir, const char *json, size_t len)
{
	char head[96], err[64], *copy;
	yajl_val v = NULL;
	size_t i;

	snprintf(head, sizeof(head), "{\"conn\": %u, \"dir\": \"%s\"",
		 conn_no, dir);
	tr_write(head, strlen(head));
	if (!json) {
		tr_write("}\n", 2);
		return;
	}
	copy = strndup(json, len);
	if (copy)
		v = yajl_tree_parse(copy, err, sizeof(err));
	if (v) {
		for (i = 0; i < len; i++)
			if (copy[i] == '\r' || copy[i] == '\n')
				copy[i] = ' ';
		tr_write(", \"msg\": ", 9);
		tr_write(copy, len);
	} else {
		tr_write(", \"raw\": ", 9);
		tr_string(json, len);
	}
	tr_write("}\n", 2);
	yajl_tree_free(v);
	free(copy);
}

static void out_append(const char *s, size_t n)
{
	if (outlen + n > outcap) {
		while (outlen + n > outcap)
			outcap = outcap ? outcap * 2 : 4096;
		outbuf = realloc(outbuf, outcap);
		if (!outbuf)
			abort();
	}
	memcpy(outbuf + outlen, s, n);
	outlen += n;
}

static void flush_out(void)
{
	ssize_t n;

	while (outlen && client_fd >= 0) {
		n = write(client_fd, outbuf, outlen);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			outlen = 0;	/* the reader notices the close */
			return;
		}
		memmove(outbuf, outbuf + n, outlen - n);
		outlen -= n;
	}
	if (outlen && client_fd >= 0)
		ev_io_start(conf.loop, &client_out_w);
	else
		ev_io_stop(conf.loop, &client_out_w);
}

/*
 * qmp_send_response(): qobject_to_json() spacing (", " and ": "), then
 * "\n", which monitor_puts() sends as "\r\n".
 */
void qmp_send(yajl_gen g)
{
	const unsigned char *buf;
	bool in_str = false, esc = false;
	size_t len, i, start;
	char *text;

	yajl_gen_get_buf(g, &buf, &len);
	text = malloc(len * 2 + 3);
	if (!text)
		abort();
	for (i = 0, start = 0; i < len; i++) {
		char c = (char)buf[i];

		text[start++] = c;
		if (in_str) {
			if (esc)
				esc = false;
			else if (c == '\\')
				esc = true;
			else if (c == '"')
				in_str = false;
		} else if (c == '"') {
			in_str = true;
		} else if (c == ':' || c == ',') {
			text[start++] = ' ';
		}
	}
	transcript("out", text, start);
	text[start++] = '\r';
	text[start++] = '\n';
	if (client_fd >= 0) {
		out_append(text, start);
		flush_out();
	}
	free(text);
	yajl_gen_free(g);
}

static void write_state(void)
{
	struct xs_handle *xs = xs_open(0);
	char path[128];

	if (!xs) {
		plog("xenstore: %s", strerror(errno));
		return;
	}
	/* xen_hvm_change_state_handler() -> xenstore_record_dm_state() */
	snprintf(path, sizeof(path), "/local/domain/0/device-model/%u/state",
		 conf.domid);
	if (!xs_write(xs, XBT_NULL, path, "running", 7))
		plog("write %s: %s", path, strerror(errno));
	xs_close(xs);
}

static void client_close(void)
{
	ev_io_stop(conf.loop, &client_w);
	ev_io_stop(conf.loop, &client_out_w);
	close(client_fd);
	client_fd = -1;
	outlen = 0;
	transcript("close", NULL, 0);
	monitor_closed();
	plog("client %u gone", conn_no);
	/* tcp_chr_disconnect(): listen again (the next client may wait) */
	ev_io_start(conf.loop, &listen_w);
}

static void client_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	char buf[4096];
	ssize_t n;

	(void)loop;
	(void)w;
	(void)revents;
	n = read(client_fd, buf, sizeof(buf));
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		client_close();
		return;
	}
	monitor_input(buf, (size_t)n);
}

static void client_out_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	(void)w;
	(void)revents;
	flush_out();
}

static void listen_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	int fd;

	(void)revents;
	fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	ev_io_stop(loop, w);
	client_fd = fd;
	conn_no++;
	plog("client %u connected", conn_no);
	transcript("open", NULL, 0);
	ev_io_init(&client_w, client_cb, fd, EV_READ);
	ev_io_init(&client_out_w, client_out_cb, fd, EV_WRITE);
	ev_io_start(loop, &client_w);
	/* monitor_qmp_event(CHR_EVENT_OPENED): the greeting */
	monitor_open();
}

static int unix_listen(const char *path, int backlog)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	/* unix_listen_saddr(): a stale socket file is replaced */
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(fd, backlog)) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static void ctl_reply(int fd, const char *s)
{
	size_t len = strlen(s);

	while (len) {
		ssize_t n = write(fd, s, len);

		if (n <= 0)
			return;
		s += n;
		len -= (size_t)n;
	}
}

/*
 * One command a connection, answered "ok\n..." or "error: ...\n":
 *   release-delay MS   the guest ejects MS ms after device_del
 *   never-release      the guest never ejects (no DEVICE_DELETED)
 *   probe-delay MS     the guest programs a new device's BARs and
 *                      INTERRUPT_LINE MS ms after device_add
 *   never-probe        ... never (query-pci: address -1, irq 0)
 *   fail CMD [NTH]     the NTH next device_add or device_del fails as
 *                      QEMU's can (monitor.c: fail_due())
 *   die                QEMU crashes: the socket closes, nothing is
 *                      cleaned up (the socket file stays)
 *   status             settings and passed-through devices
 */
static void ctl_command(int fd, char *cmd)
{
	char out[8192];
	char *end;
	long ms;

	cmd[strcspn(cmd, "\r\n")] = '\0';
	plog("control: %s", cmd);
	if (!strncmp(cmd, "release-delay ", 14)) {
		ms = strtol(cmd + 14, &end, 10);
		if (end == cmd + 14 || *end || ms < 0 || ms > 3600000) {
			ctl_reply(fd, "error: release-delay takes 0..3600000 "
				  "(ms)\n");
			return;
		}
		conf.release_ms = ms;
		bus_release_all_pending();
		ctl_reply(fd, "ok\n");
	} else if (!strncmp(cmd, "probe-delay ", 12)) {
		ms = strtol(cmd + 12, &end, 10);
		if (end == cmd + 12 || *end || ms < 0 || ms > 3600000) {
			ctl_reply(fd, "error: probe-delay takes 0..3600000 "
				  "(ms)\n");
			return;
		}
		conf.probe_ms = ms;
		bus_probe_all_pending();
		ctl_reply(fd, "ok\n");
	} else if (!strncmp(cmd, "fail ", 5)) {
		char c[16];
		long nth = 1;

		if (sscanf(cmd + 5, "%15s %ld", c, &nth) < 1 || nth < 0 ||
		    (strcmp(c, "device_add") && strcmp(c, "device_del"))) {
			ctl_reply(fd, "error: fail takes device_add|device_del "
				  "[NTH]\n");
			return;
		}
		snprintf(conf.fail_cmd, sizeof(conf.fail_cmd), "%s", c);
		conf.fail_nth = nth;
		ctl_reply(fd, "ok\n");
	} else if (!strcmp(cmd, "never-probe")) {
		conf.probe_ms = -1;
		ctl_reply(fd, "ok\n");
	} else if (!strcmp(cmd, "never-release")) {
		conf.release_ms = -1;
		ctl_reply(fd, "ok\n");
	} else if (!strcmp(cmd, "status")) {
		ctl_reply(fd, "ok\n");
		bus_status(out, sizeof(out));
		ctl_reply(fd, out);
	} else if (!strcmp(cmd, "die")) {
		ctl_reply(fd, "ok\n");
		plog("dying as a crashed QEMU would");
		_exit(1);
	} else {
		ctl_reply(fd, "error: unknown command (release-delay MS, "
			  "never-release, probe-delay MS, never-probe, fail "
			  "CMD [NTH], die, status)\n");
	}
}

static void ctl_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	char buf[256];
	size_t len = 0;
	int fd, flags;

	(void)loop;
	(void)w;
	(void)revents;
	fd = accept4(ctl_fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return;
	flags = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
	/* simhost writes one line and waits: a short blocking read */
	while (len < sizeof(buf) - 1) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);

		if (n <= 0)
			break;
		len += (size_t)n;
		if (memchr(buf, '\n', len))
			break;
	}
	buf[len] = '\0';
	ctl_command(fd, buf);
	close(fd);
}

static void sig_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	(void)w;
	(void)revents;
	ev_break(loop, EVBREAK_ALL);
}

static void usage(void)
{
	fprintf(stderr, "usage: simqmp --domid N --socket PATH --ctl PATH "
		"--transcript FILE --sysfs-root DIR --simxen-dir DIR "
		"[--release-ms MS] [--no-ahci] [--ready-file PATH]\n");
	exit(2);
}

static void parse_args(int argc, char **argv, const char **ready)
{
	static const struct option opts[] = {
		{ "domid", required_argument, NULL, 'd' },
		{ "socket", required_argument, NULL, 's' },
		{ "ctl", required_argument, NULL, 'c' },
		{ "transcript", required_argument, NULL, 't' },
		{ "sysfs-root", required_argument, NULL, 'y' },
		{ "simxen-dir", required_argument, NULL, 'x' },
		{ "release-ms", required_argument, NULL, 'r' },
		{ "no-ahci", no_argument, NULL, 'a' },
		{ "ready-file", required_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': conf.domid = (unsigned int)atoi(optarg); break;
		case 's': sock_path = optarg; break;
		case 'c': ctl_path = optarg; break;
		case 't': transcript_path = optarg; break;
		case 'y': conf.sysfs_root = optarg; break;
		case 'x': conf.simxen_dir = optarg; break;
		case 'r': conf.release_ms = atol(optarg); break;
		case 'a': conf.ahci = false; break;
		case 'R': *ready = optarg; break;
		default: usage();
		}
	}
	if (!conf.domid || !sock_path || !ctl_path || !transcript_path ||
	    !conf.sysfs_root || !conf.simxen_dir)
		usage();
}

static void write_ready(const char *path)
{
	FILE *f;

	if (!path)
		return;
	f = fopen(path, "we");
	if (f) {
		fprintf(f, "%ld\n", (long)getpid());
		fclose(f);
	}
}

int main(int argc, char **argv)
{
	ev_signal sterm, sint, shup;
	const char *ready = NULL;

	parse_args(argc, argv, &ready);
	signal(SIGPIPE, SIG_IGN);
	conf.loop = ev_default_loop(EVFLAG_AUTO);
	tr_fd = open(transcript_path, O_WRONLY | O_CREAT | O_APPEND |
		     O_CLOEXEC, 0644);
	if (tr_fd < 0)
		plog("transcript %s: %s", transcript_path, strerror(errno));
	bus_init();
	listen_fd = unix_listen(sock_path, 1);
	ctl_fd = unix_listen(ctl_path, 8);
	if (listen_fd < 0 || ctl_fd < 0) {
		plog("listen on %s: %s", listen_fd < 0 ? sock_path : ctl_path,
		     strerror(errno));
		return 1;
	}
	ev_io_init(&listen_w, listen_cb, listen_fd, EV_READ);
	ev_io_start(conf.loop, &listen_w);
	ev_io_init(&ctl_w, ctl_cb, ctl_fd, EV_READ);
	ev_io_start(conf.loop, &ctl_w);
	ev_signal_init(&sterm, sig_cb, SIGTERM);
	ev_signal_start(conf.loop, &sterm);
	ev_signal_init(&sint, sig_cb, SIGINT);
	ev_signal_start(conf.loop, &sint);
	/* libxl__destroy_device_model() -> kill_device_model(): SIGHUP */
	ev_signal_init(&shup, sig_cb, SIGHUP);
	ev_signal_start(conf.loop, &shup);
	write_state();
	write_ready(ready);
	plog("listening on %s", sock_path);
	ev_run(conf.loop, 0);
	plog("exiting");
	/* qemu_chr_cleanup() -> socket_listen_cleanup(): unlinked */
	if (client_fd >= 0)
		client_close();
	ev_io_stop(conf.loop, &listen_w);
	ev_io_stop(conf.loop, &ctl_w);
	ev_signal_stop(conf.loop, &sterm);
	ev_signal_stop(conf.loop, &sint);
	ev_signal_stop(conf.loop, &shup);
	close(listen_fd);
	close(ctl_fd);
	unlink(sock_path);
	unlink(ctl_path);
	bus_fini();
	monitor_closed();
	free(outbuf);
	if (tr_fd >= 0)
		close(tr_fd);
	ev_loop_destroy(conf.loop);
	return 0;
}
