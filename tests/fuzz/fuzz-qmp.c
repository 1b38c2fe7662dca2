/*
 * What QEMU sends on the QMP socket (qmp.c, qemupt.c), without the
 * socket: the input arrives in the session's buffer in pieces (the
 * first byte sets their size, as recv() may cut anywhere), each whole
 * line is taken (qmp_take()), classified as the answer to command 1 or
 * not (qmp_answer(): events noted), and an answer is read as
 * query-pci's (qpt_find_in()); DEVICE_DELETED events noted are taken
 * (qmp_take_deleted()).  Checked: a slot and function in range, a
 * message on every error, the buffer's length kept within it.
 */
#include <errno.h>

#include "../../agent/qemupt.h"
#include "../../agent/qmp.h"
#include "../../agent/sysfs.h"
#include "fuzz.h"

FUZZ_FAKE_LOG
FUZZ_FAKE_LOG_DEV

/* 07:00.0 is an 82576 (8086:10c9); any other device has no ids. */
int sysfs_ids(const struct bdf *b, unsigned int *vendor,
	      unsigned int *device)
{
	if (b->bus != 7)
		return -ENOENT;
	*vendor = 0x8086;
	*device = 0x10c9;
	return 0;
}

static void message(struct qmp *q, yajl_val v)
{
	const struct bdf b[2] = { { 0, 7, 0, 0 }, { 0, 8, 0, 0 } };
	char msg[512] = "";
	unsigned int vdevfn;
	int rc;

	rc = qmp_answer(q, v, 1, "query-pci", msg, sizeof(msg));
	FUZZ_CHECK(rc == 0 || rc == 1 || ((rc == -EIO || rc == -EPROTO) &&
					  msg[0]));
	for (int i = 0; i < 2; i++) {
		vdevfn = 0x100;
		rc = qpt_find_in(v, i ? "pci-pt-08_00.0" : "pci-pt-07_00.0",
				 &b[i], &vdevfn);
		FUZZ_CHECK(rc == 0 || rc == 1 || rc == -EEXIST ||
			   rc == -EPROTO);
		FUZZ_CHECK(rc != 1 || vdevfn <= 0xff);
	}
	FUZZ_CHECK(q->ndeleted <= QMP_MAX_PENDING);
	qmp_take_deleted(q, "pci-pt-07_00.0");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct qmp q;
	size_t chunk, off = 1, n;
	char msg[512];
	yajl_val v;
	int rc;

	if (!size)
		return 0;
	memset(&q, 0, sizeof(q));
	q.fd = -1;
	q.domid = 5;
	chunk = (size_t)data[0] * 61 + 1;
	while (off < size) {
		n = size - off < chunk ? size - off : chunk;
		if (n > sizeof(q.buf) - 1 - q.len)
			n = sizeof(q.buf) - 1 - q.len;
		memcpy(q.buf + q.len, data + off, n);
		q.len += n;
		off += n;
		for (;;) {
			msg[0] = '\0';
			rc = qmp_take(&q, &v, msg, sizeof(msg));
			FUZZ_CHECK(q.len < sizeof(q.buf));
			if (rc == 1)
				break;
			if (rc < 0) {
				/* The session ends: qmp_recv() returns it. */
				FUZZ_CHECK((rc == -EPROTO || rc == -EMSGSIZE) &&
					   msg[0] && !v);
				if (rc == -EMSGSIZE)
					return 0;
				continue;
			}
			FUZZ_CHECK(v && YAJL_IS_OBJECT(v));
			message(&q, v);
			yajl_tree_free(v);
		}
	}
	return 0;
}
