/*
 * qmp.c and qemupt.c against a scripted QEMU on a unix socket in a
 * temporary run dir: for each case a thread accepts one client, checks
 * each line the agent sends against what it expects, and answers with
 * the lines QEMU would (QEMU 7.2 monitor/qmp.c framing: one JSON object
 * and "\r\n" per message, events at any point).  The client side is the
 * real code; only QEMU is played.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "../../agent/cancel.h"
#include "../../agent/config.h"
#include "../../agent/log.h"
#include "../../agent/qemupt.h"
#include "../../agent/qmp.h"
#include "unit.h"

#define GREETING "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, " \
		 "\"minor\": 2, \"major\": 7}, \"package\": \"\"}, " \
		 "\"capabilities\": [\"oob\"]}}\r\n"
#define CAPS_IN	 "{\"execute\":\"qmp_capabilities\",\"id\":1}"
#define CAPS_OUT "{\"return\": {}, \"id\": 1}\r\n"

/*
 * A script: ">" lines are sent, "<" lines must be what the client
 * sends next (exactly), "!" closes the connection, "~" waits for the
 * client to go away without answering.
 */
struct script {
	const char *const *lines;
	int listen_fd;
	int mismatches;
	char got[1024];
};

static char run_dir[64];

static int read_line(int fd, char *buf, size_t len)
{
	size_t n = 0;
	char c;

	while (n < len - 1) {
		ssize_t r = read(fd, &c, 1);

		if (r <= 0)
			return -1;
		if (c == '\n')
			break;
		if (c != '\r')
			buf[n++] = c;
	}
	buf[n] = '\0';
	return 0;
}

static void *qemu(void *arg)
{
	struct script *s = arg;
	int fd = accept(s->listen_fd, NULL, NULL);
	char buf[1024];

	if (fd < 0)
		return NULL;
	for (const char *const *l = s->lines; *l; l++) {
		if (**l == '>') {
			if (write(fd, *l + 1, strlen(*l + 1)) < 0)
				break;
		} else if (**l == '<') {
			if (read_line(fd, buf, sizeof(buf)) ||
			    strcmp(buf, *l + 1)) {
				s->mismatches++;
				snprintf(s->got, sizeof(s->got), "%s", buf);
				break;
			}
		} else if (**l == '~') {
			while (read(fd, buf, sizeof(buf)) > 0)
				;
		} else if (**l == '!') {
			break;
		}
	}
	close(fd);
	return NULL;
}

static int listen_on(unsigned int domid)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/qmp-libxl-%u", run_dir,
		 domid);
	unlink(sa.sun_path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(fd, 1)) {
		perror("listen");
		exit(2);
	}
	return fd;
}

static pthread_t play(struct script *s, unsigned int domid)
{
	pthread_t t;

	s->listen_fd = listen_on(domid);
	s->mismatches = 0;
	pthread_create(&t, NULL, qemu, s);
	return t;
}

static void finish(struct script *s, pthread_t t, const char *what)
{
	pthread_join(t, NULL);
	close(s->listen_fd);
	CHECK(!s->mismatches, "%s: the agent sent what libxl sends%s%s", what,
	      s->mismatches ? "; got: " : "", s->mismatches ? s->got : "");
}

static const struct bdf dev = { .dom = 0, .bus = 7, .dev = 0, .func = 0 };
static const struct qpt_wait wait2s = { .timeout_ms = 2000 };

static void test_plug(void)
{
	static const char *const lines[] = {
		">" GREETING, "<" CAPS_IN, ">" CAPS_OUT,
		"<{\"execute\":\"device_add\",\"arguments\":{\"driver\":"
		"\"xen-pci-passthrough\",\"id\":\"pci-pt-07_00.0\","
		"\"hostaddr\":\"0000:07:00.0\",\"addr\":\"5.0\","
		"\"permissive\":true},\"id\":2}",
		/* An event before the answer is not the answer. */
		">{\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, "
		"\"event\": \"RESUME\"}\r\n",
		">{\"return\": {}, \"id\": 2}\r\n",
		"<{\"execute\":\"query-pci\",\"id\":3}",
		">{\"return\": [{\"bus\": 0, \"devices\": [{\"bus\": 0, "
		"\"slot\": 0, \"function\": 0, \"qdev_id\": \"\"}, {\"bus\": 0, "
		"\"slot\": 5, \"function\": 0, \"qdev_id\": "
		"\"pci-pt-07_00.0\"}]}]}\r\n",
		"~",
		NULL,
	};
	struct script s = { .lines = lines };
	pthread_t t = play(&s, 9);
	unsigned int got = 0;
	char msg[512] = "";
	int rc;

	static const struct qpt_wait w = { .timeout_ms = 300 };

	/* query-pci's answer lacks the id: it must not be taken. */
	static const struct qpt_dev qd = { .vdevfn = 5 << 3,
					   .permissive = true };

	rc = qpt_plug(9, &dev, &qd, &w, &got, msg, sizeof(msg));
	finish(&s, t, "plug");
	IS_INT(rc, -ETIMEDOUT, "plug: an answer without our id is never "
	       "taken for ours (%s)", msg);
}

static void test_plug_ok(void)
{
	static const char *const lines[] = {
		">" GREETING, "<" CAPS_IN, ">" CAPS_OUT,
		"<{\"execute\":\"device_add\",\"arguments\":{\"driver\":"
		"\"xen-pci-passthrough\",\"id\":\"pci-pt-07_00.0\","
		"\"hostaddr\":\"0000:07:00.0\"},\"id\":2}",
		">{\"return\": {}, \"id\": 2}\r\n",
		"<{\"execute\":\"query-pci\",\"id\":3}",
		">{\"return\": [{\"bus\": 0, \"devices\": [{\"bus\": 0, "
		"\"slot\": 4, \"function\": 0, \"qdev_id\": "
		"\"pci-pt-07_00.0\"}]}], \"id\": 3}\r\n",
		NULL,
	};
	struct script s = { .lines = lines };
	pthread_t t = play(&s, 9);
	unsigned int got = 0;
	char msg[512] = "";
	int rc;

	static const struct qpt_dev qd = { 0 };

	rc = qpt_plug(9, &dev, &qd, &wait2s, &got, msg, sizeof(msg));
	finish(&s, t, "plug without vslot or permissive");
	IS_INT(rc, 0, "plug: ok (%s)", msg);
	IS_INT(got, 4 << 3, "plug: query-pci's slot 4 function 0 is the "
	       "guest address");
}

static void test_plug_refused(void)
{
	static const char *const lines[] = {
		">" GREETING, "<" CAPS_IN, ">" CAPS_OUT,
		"<{\"execute\":\"device_add\",\"arguments\":{\"driver\":"
		"\"xen-pci-passthrough\",\"id\":\"pci-pt-07_00.0\","
		"\"hostaddr\":\"0000:07:00.0\",\"addr\":\"3.0\"},\"id\":2}",
		">{\"id\": 2, \"error\": {\"class\": \"GenericError\", "
		"\"desc\": \"PCI: slot 3 function 0 not available for "
		"xen-pci-passthrough, in use by xen-platform\"}}\r\n",
		"~",
		NULL,
	};
	struct script s = { .lines = lines };
	pthread_t t = play(&s, 9);
	unsigned int got = 0;
	char msg[512] = "";
	int rc;

	static const struct qpt_dev qd = { .vdevfn = 3 << 3 };

	rc = qpt_plug(9, &dev, &qd, &wait2s, &got, msg, sizeof(msg));
	finish(&s, t, "plug into a slot in use");
	IS_INT(rc, -EIO, "plug refused: EIO");
	CHECK(strstr(msg, "in use by xen-platform") &&
	      strstr(msg, "GenericError"), "plug refused: QEMU's words and "
	      "class in the message (%s)", msg);
}

static void test_unplug(void)
{
	static const char *const lines[] = {
		">" GREETING, "<" CAPS_IN, ">" CAPS_OUT,
		"<{\"execute\":\"device_del\",\"arguments\":{\"id\":"
		"\"pci-pt-07_00.0\"},\"id\":2}",
		">{\"return\": {}, \"id\": 2}\r\n",
		">{\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, "
		"\"event\": \"DEVICE_DELETED\", \"data\": {\"path\": "
		"\"/machine/peripheral/pci-pt-07_00.1\", \"device\": "
		"\"pci-pt-07_00.1\"}}\r\n",
		">{\"timestamp\": {\"seconds\": 1, \"microseconds\": 3}, "
		"\"event\": \"DEVICE_DELETED\", \"data\": {\"path\": "
		"\"/machine/peripheral/pci-pt-07_00.0\", \"device\": "
		"\"pci-pt-07_00.0\"}}\r\n",
		"~",
		NULL,
	};
	struct script s = { .lines = lines };
	pthread_t t = play(&s, 9);
	char msg[512] = "";
	int rc;

	rc = qpt_unplug(9, &dev, &wait2s, msg, sizeof(msg));
	finish(&s, t, "unplug");
	IS_INT(rc, 0, "unplug: DEVICE_DELETED of our id ends it, another "
	       "id's does not (%s)", msg);
}

static void test_unplug_hung(void)
{
	static const char *const lines[] = {
		">" GREETING, "<" CAPS_IN, ">" CAPS_OUT,
		"<{\"execute\":\"device_del\",\"arguments\":{\"id\":"
		"\"pci-pt-07_00.0\"},\"id\":2}",
		">{\"return\": {}, \"id\": 2}\r\n",
		"<{\"execute\":\"query-pci\",\"id\":3}",
		">{\"return\": [{\"bus\": 0, \"devices\": [{\"bus\": 0, "
		"\"slot\": 4, \"function\": 0, \"qdev_id\": "
		"\"pci-pt-07_00.0\"}]}], \"id\": 3}\r\n",
		"~",
		NULL,
	};
	static const struct qpt_wait w = { .timeout_ms = 300 };
	struct script s = { .lines = lines };
	pthread_t t = play(&s, 9);
	char msg[512] = "";
	int rc;

	rc = qpt_unplug(9, &dev, &w, msg, sizeof(msg));
	finish(&s, t, "unplug of a device the guest keeps");
	IS_INT(rc, -ETIMEDOUT, "unplug: a guest that keeps it is ETIMEDOUT");
	CHECK(strstr(msg, "did not release") != NULL, "unplug: the message "
	      "says the guest did not release it (%s)", msg);
}

static void test_unplug_gone(void)
{
	static const char *const lines[] = {
		">" GREETING, "<" CAPS_IN, ">" CAPS_OUT,
		"<{\"execute\":\"device_del\",\"arguments\":{\"id\":"
		"\"pci-pt-07_00.0\"},\"id\":2}",
		">{\"id\": 2, \"error\": {\"class\": \"DeviceNotFound\", "
		"\"desc\": \"Device 'pci-pt-07_00.0' not found\"}}\r\n",
		"~",
		NULL,
	};
	struct script s = { .lines = lines };
	pthread_t t = play(&s, 9);
	char msg[512] = "";
	int rc;

	rc = qpt_unplug(9, &dev, &wait2s, msg, sizeof(msg));
	finish(&s, t, "unplug of a device QEMU does not have");
	IS_INT(rc, 0, "unplug: a device QEMU no longer has is unplugged");
}

static void test_qemu_dies(void)
{
	static const char *const lines[] = {
		">" GREETING, "<" CAPS_IN, ">" CAPS_OUT,
		"<{\"execute\":\"device_add\",\"arguments\":{\"driver\":"
		"\"xen-pci-passthrough\",\"id\":\"pci-pt-07_00.0\","
		"\"hostaddr\":\"0000:07:00.0\"},\"id\":2}",
		"!",
		NULL,
	};
	struct script s = { .lines = lines };
	pthread_t t = play(&s, 9);
	unsigned int got;
	char msg[512] = "";
	int rc;

	static const struct qpt_dev qd = { 0 };

	rc = qpt_plug(9, &dev, &qd, &wait2s, &got, msg, sizeof(msg));
	finish(&s, t, "QEMU dies during device_add");
	IS_INT(rc, -EPIPE, "QEMU that dies mid-command: EPIPE (%s)", msg);
}

static void test_no_qemu(void)
{
	unsigned int got = 0;
	char msg[512] = "", path[160];
	int rc;

	snprintf(path, sizeof(path), "%s/qmp-libxl-8", run_dir);
	unlink(path);
	static const struct qpt_dev qd = { 0 };

	rc = qpt_plug(8, &dev, &qd, &wait2s, &got, msg, sizeof(msg));
	IS_INT(rc, -ENOENT, "no QMP socket: ENOENT");
	CHECK(strstr(msg, "qmp-libxl-8") != NULL, "no QMP socket: the "
	      "message names it (%s)", msg);
	rc = qpt_find(8, &dev, &wait2s, &got, msg, sizeof(msg));
	IS_INT(rc, 0, "no QEMU: the device is in no guest bus");
}

static void test_cancel(void)
{
	static const char *const lines[] = { "~", NULL };	/* no greeting */
	struct qpt_wait w = { .timeout_ms = 20000 };
	struct script s = { .lines = lines };
	struct cancel c;
	pthread_t t;
	unsigned int got;
	char msg[512] = "";
	int rc;

	cancel_init(&c);
	w.cancel = &c;
	cancel_set(&c);
	t = play(&s, 9);
	rc = qpt_find(9, &dev, &w, &got, msg, sizeof(msg));
	finish(&s, t, "cancelled while QEMU is silent");
	IS_INT(rc, -ECANCELED, "a cancelled request stops waiting on QEMU "
	       "(%s)", msg);
	cancel_destroy(&c);
}

int main(void)
{
	snprintf(run_dir, sizeof(run_dir), "/tmp/test-qmp.%d", (int)getpid());
	if (mkdir(run_dir, 0700) && errno != EEXIST)
		return 2;
	cfg.run_dir = run_dir;
	log_init(true, getenv("QMP_DEBUG") ? 7 : 2);
	test_plug_ok();
	test_plug();
	test_plug_refused();
	test_unplug();
	test_unplug_hung();
	test_unplug_gone();
	test_qemu_dies();
	test_no_qemu();
	test_cancel();
	snprintf(run_dir + strlen(run_dir), sizeof(run_dir) - strlen(run_dir),
		 "/qmp-libxl-9");
	unlink(run_dir);
	*strrchr(run_dir, '/') = '\0';
	rmdir(run_dir);
	return unit_done();
}
