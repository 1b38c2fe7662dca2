/*
 * A host device in qemu-xen through QMP, with libxl 4.17's commands
 * and arguments (libxl_pci.c pci_add_qmp_device_add(),
 * pci_add_qmp_query_pci_cb(), pci_remove_qmp_device_del()):
 *
 *   plug    device_add {driver: xen-pci-passthrough, id: pci-pt-BB_SS.F,
 *           hostaddr: DDDD:BB:SS.F, addr: "SS.F" when a virtual slot
 *           is asked for, permissive: true only when set (QEMU before
 *           XSA-131 does not know the property), multifunction: true
 *           for function 0 of a `*` slot (libxl omits it, and QEMU
 *           then refuses function 0 after the others)}, then query-pci:
 *           the
 *           device whose qdev_id is ours gives the guest's slot and
 *           function.
 *   unplug  device_del {id}, then QEMU's DEVICE_DELETED for that id,
 *           which it sends once the guest has ejected the device
 *           (libxl instead polls query-pci every second, up to 10 s).
 *
 * Each call is one QMP session (qmp.c): QEMU serves one client at a
 * time and xl needs the socket too.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "qemupt.h"
#include "qmp.h"
#include "sysfs.h"

void qpt_id(const struct bdf *b, char *buf, size_t len)
{
	snprintf(buf, len, XENPCI_QDEV_ID_FMT, b->bus, b->dev, b->func);
}

/* QEMU is not running for domid: no socket, or nobody listening. */
static bool no_qemu(int rc)
{
	return rc == -ENOENT || rc == -ECONNREFUSED;
}

static long long int_at(yajl_val v, const char *key)
{
	const char *p[] = { key, NULL };
	yajl_val n = yajl_tree_get(v, p, yajl_t_number);

	return n && YAJL_IS_INTEGER(n) ? YAJL_GET_INTEGER(n) : -1;
}

/*
 * Is QEMU's device `d` (query-pci's entry with our id) really host
 * device b?  libxl trusts the id alone, but xl or a person may have put
 * another host device under it, and a device_del of that id would take
 * their device away.  QEMU 7.2's query-pci does not say the host
 * address; its "id" (the host's vendor and device ids, which
 * xen-pci-passthrough shows the guest) must at least be b's.
 */
static bool same_ids(yajl_val d, const struct bdf *b)
{
	const char *vp[] = { "id", "vendor", NULL };
	const char *dp[] = { "id", "device", NULL };
	yajl_val v = yajl_tree_get(d, vp, yajl_t_number);
	yajl_val dv = yajl_tree_get(d, dp, yajl_t_number);
	unsigned int vendor, device;

	if (sysfs_ids(b, &vendor, &device) || !v || !dv ||
	    !YAJL_IS_INTEGER(v) || !YAJL_IS_INTEGER(dv))
		return true;	/* nothing to compare: libxl's answer */
	return YAJL_GET_INTEGER(v) == vendor && YAJL_GET_INTEGER(dv) == device;
}

/*
 * query-pci's answer: 1 and *vdevfn if qdev id `id` is in it (as b),
 * -EEXIST if it is another host device's.
 */
static int find_in(yajl_val ans, const char *id, const struct bdf *b,
		   unsigned int *vdevfn)
{
	const char *rp[] = { "return", NULL }, *dp[] = { "devices", NULL };
	const char *ip[] = { "qdev_id", NULL };
	yajl_val buses = yajl_tree_get(ans, rp, yajl_t_array), devs, d, q;
	size_t i, j;
	long long slot, fn;

	if (!buses)
		return -EPROTO;
	for (i = 0; i < YAJL_GET_ARRAY(buses)->len; i++) {
		devs = yajl_tree_get(YAJL_GET_ARRAY(buses)->values[i], dp,
				     yajl_t_array);
		if (!devs)
			return -EPROTO;
		for (j = 0; j < YAJL_GET_ARRAY(devs)->len; j++) {
			d = YAJL_GET_ARRAY(devs)->values[j];
			const char *qid;

			q = yajl_tree_get(d, ip, yajl_t_string);
			qid = q ? YAJL_GET_STRING(q) : NULL;
			if (!qid || strcmp(qid, id))
				continue;
			slot = int_at(d, "slot");
			fn = int_at(d, "function");
			if (slot < 0 || slot > 31 || fn < 0 || fn > 7)
				return -EPROTO;
			if (!same_ids(d, b))
				return -EEXIST;
			*vdevfn = (unsigned int)(slot << 3 | fn);
			return 1;
		}
	}
	return 0;
}

static int query(struct qmp *q, const struct bdf *b, unsigned int *vdevfn,
		 char *msg, size_t len)
{
	char id[32];
	yajl_val ans;
	int rc = qmp_exec(q, "query-pci", NULL, &ans, msg, len);

	if (rc)
		return rc;
	qpt_id(b, id, sizeof(id));
	rc = find_in(ans, id, b, vdevfn);
	yajl_tree_free(ans);
	if (rc == -EPROTO)
		snprintf(msg, len, "QMP of domain %u: query-pci: an answer "
			 "not in QEMU's shape", q->domid);
	if (rc == -EEXIST)
		snprintf(msg, len, "QMP of domain %u: QEMU's device %s is not "
			 "this host device (other vendor or device ids): "
			 "someone else put it there", q->domid, id);
	return rc;
}

int qpt_find(unsigned int domid, const struct bdf *b,
	     const struct qpt_wait *w, unsigned int *vdevfn, char *msg,
	     size_t len)
{
	struct qmp q;
	int rc = qmp_open(&q, domid, w->timeout_ms, w->cancel, msg, len);

	if (no_qemu(rc)) {
		log_dev(LOG_DEBUG, b, "%s: not in a device model", msg);
		return 0;
	}
	if (rc)
		return rc;
	rc = query(&q, b, vdevfn, msg, len);
	qmp_close(&q);
	return rc;
}

int qpt_plug(unsigned int domid, const struct bdf *b,
	     const struct qpt_dev *qd, const struct qpt_wait *w,
	     unsigned int *got_vdevfn, char *msg, size_t len)
{
	unsigned int vdevfn = qd->vdevfn;
	char args[256], addr[32] = "", id[32];
	struct qmp q;
	yajl_val ans;
	int rc;

	qpt_id(b, id, sizeof(id));
	if (vdevfn)
		snprintf(addr, sizeof(addr), ",\"addr\":\"%x.%x\"",
			 vdevfn >> 3, vdevfn & 7);
	snprintf(args, sizeof(args), "{\"driver\":\"xen-pci-passthrough\","
		 "\"id\":\"%s\",\"hostaddr\":\"" XENPCI_BDF_FMT "\"%s%s%s}",
		 id, b->dom, b->bus, b->dev, b->func, addr,
		 qd->permissive ? ",\"permissive\":true" : "",
		 qd->multifunction ? ",\"multifunction\":true" : "");
	rc = qmp_open(&q, domid, w->timeout_ms, w->cancel, msg, len);
	if (rc)
		return rc;
	rc = qmp_exec(&q, "device_add", args, &ans, msg, len);
	yajl_tree_free(ans);
	if (!rc) {
		rc = query(&q, b, got_vdevfn, msg, len);
		if (!rc) {
			snprintf(msg, len, "QMP of domain %u: device %s was "
				 "added but query-pci does not show it",
				 domid, id);
			rc = -EIO;
		}
	}
	qmp_close(&q);
	return rc < 0 ? rc : 0;
}

/* Within the request's grace (request.c GUEST_GRACE). */
#define UNPLUG_AFTER_MS	1000

/* QEMU's answer to device_del of an id it does not have. */
static bool not_found(const char *msg)
{
	return strstr(msg, "not found") != NULL;
}

int qpt_unplug(unsigned int domid, const struct bdf *b,
	       const struct qpt_wait *w, char *msg, size_t len)
{
	char args[64], id[32];
	unsigned int vdevfn;
	struct qmp q;
	yajl_val ans;
	int rc;

	qpt_id(b, id, sizeof(id));
	snprintf(args, sizeof(args), "{\"id\":\"%s\"}", id);
	/* Time left after the wait to look and to say so. */
	rc = qmp_open(&q, domid, w->timeout_ms + UNPLUG_AFTER_MS, w->cancel,
		      msg, len);
	if (no_qemu(rc)) {
		log_dev(LOG_WARNING, b, "%s: no device model left to remove "
			"it from", msg);
		return 0;
	}
	if (rc)
		return rc;
	rc = qmp_exec(&q, "device_del", args, &ans, msg, len);
	yajl_tree_free(ans);
	if (rc == -EIO && not_found(msg)) {
		log_dev(LOG_INFO, b, "%s: already gone from domain %u's "
			"device model", id, domid);
		rc = 0;
		goto out;
	}
	/* An earlier detach asked already (qdev_unplug()): wait again. */
	if (rc == -EIO && strstr(msg, "already in the process of unplug")) {
		log_dev(LOG_INFO, b, "%s: waiting for the guest again", msg);
		rc = 0;
	}
	if (!rc)
		rc = qmp_wait_deleted(&q, id, w->timeout_ms, msg, len);
	/* DEVICE_DELETED may have gone to a client before us (xl). */
	if (rc == -ETIMEDOUT && query(&q, b, &vdevfn, msg, len) == 0)
		rc = 0;
	else if (rc == -ETIMEDOUT)
		snprintf(msg, len, "QMP of domain %u: the guest did not release "
			 "%s in time (no DEVICE_DELETED)", domid, id);
out:
	qmp_close(&q);
	return rc;
}
