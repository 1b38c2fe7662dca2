/*
 * `simhost xs --domid N OP PATH [VALUE]`: talk to xenstored as guest N,
 * through that guest's shared ring page and the real wire protocol
 * (xen/io/xs_wire.h), so tests can check what an unprivileged domain
 * may read and write.  The guest's event channel notification is a
 * record on the hypervisor's event FIFO naming the domain (poke_domain):
 * cxenstored scans every ring on each pass of its loop once woken,
 * oxenstored serves only the domain whose port is pending (xenstored.ml
 * main loop, Domain.incr_io_credit).
 */
#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <xen/io/xs_wire.h>

#include "simhost.h"

static const struct {
	const char *name;
	enum xsd_sockmsg_type type;
} ops[] = {
	{ "read", XS_READ }, { "write", XS_WRITE }, { "ls", XS_DIRECTORY },
	{ "rm", XS_RM }, { "mkdir", XS_MKDIR }, { "getperms", XS_GET_PERMS },
};

static unsigned int ring_domid;

static void notify(const struct host *h)
{
	poke_domain(h, ring_domid);
}

static void nap(void)
{
	struct timespec ts = { 0, 1000000L };

	nanosleep(&ts, NULL);
}

static void ring_put(const struct host *h,
		     struct xenstore_domain_interface *intf, const char *buf,
		     size_t len)
{
	int spins = 0;

	while (len) {
		XENSTORE_RING_IDX prod = intf->req_prod;
		size_t room;

		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		room = XENSTORE_RING_SIZE - (size_t)(prod - intf->req_cons);
		if (!room) {
			notify(h);
			nap();
			if (++spins > 10000)
				die("xs: xenstored does not drain the ring");
			continue;
		}
		if (room > len)
			room = len;
		/* Up to the end of the ring; the rest on the next pass. */
		if (room > XENSTORE_RING_SIZE - (size_t)MASK_XENSTORE_IDX(prod))
			room = XENSTORE_RING_SIZE - MASK_XENSTORE_IDX(prod);
		memcpy(intf->req + MASK_XENSTORE_IDX(prod), buf, room);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		intf->req_prod = prod + room;
		buf += room;
		len -= room;
	}
	notify(h);
}

static void ring_get(const struct host *h,
		     struct xenstore_domain_interface *intf, char *buf,
		     size_t len)
{
	int spins = 0;

	while (len) {
		XENSTORE_RING_IDX cons = intf->rsp_cons;
		size_t avail, room;

		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		avail = intf->rsp_prod - cons;
		if (!avail) {
			if (++spins % 100 == 0)
				notify(h);
			if (spins > 10000)
				die("xs: no answer from xenstored in 10 s");
			nap();
			continue;
		}
		if (avail > len)
			avail = len;
		room = XENSTORE_RING_SIZE - MASK_XENSTORE_IDX(cons);
		if (avail > room)
			avail = room;
		memcpy(buf, intf->rsp + MASK_XENSTORE_IDX(cons), avail);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		intf->rsp_cons = cons + avail;
		buf += avail;
		len -= avail;
	}
}

static int print_reply(const struct xsd_sockmsg *m, char *body)
{
	uint32_t i;

	if (m->type == XS_ERROR) {
		printf("%.*s\n", (int)m->len, body);
		return 1;
	}
	if (m->type == XS_READ)
		printf("%.*s\n", (int)m->len, body);
	else if (m->type != XS_WRITE && m->type != XS_RM &&
		 m->type != XS_MKDIR) {
		/* Listings and perms: NUL-terminated strings, one a line. */
		for (i = 0; i < m->len; i++)
			if (body[i] == '\0')
				body[i] = '\n';
		printf("%.*s", (int)m->len, body);
	}
	return 0;
}

static int transact(const struct host *h, unsigned int domid,
		    enum xsd_sockmsg_type type, const char *path,
		    const char *value)
{
	struct xenstore_domain_interface *intf;
	struct xsd_sockmsg m = { .type = type, .req_id = 0x5157 };
	char ring[700], body[XENSTORE_PAYLOAD_MAX + 1];
	size_t plen = strlen(path) + 1, vlen = value ? strlen(value) : 0;
	int fd, rc;

	if (plen + vlen > XENSTORE_PAYLOAD_MAX)
		die("xs: request too long");
	ring_domid = domid;
	host_path(h, ring, sizeof(ring), "xen/rings/%u", domid);
	fd = open(ring, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		die("xs: no ring for domain %u (%s): is it introduced?", domid,
		    strerror(errno));
	intf = mmap(NULL, getpagesize(), PROT_READ | PROT_WRITE, MAP_SHARED,
		    fd, 0);
	close(fd);
	if (intf == MAP_FAILED)
		die("xs: map %s: %s", ring, strerror(errno));
	m.len = (uint32_t)(plen + (type == XS_WRITE ? vlen : 0));
	ring_put(h, intf, (const char *)&m, sizeof(m));
	ring_put(h, intf, path, plen);
	if (type == XS_WRITE)
		ring_put(h, intf, value, vlen);
	for (;;) {
		ring_get(h, intf, (char *)&m, sizeof(m));
		if (m.len > XENSTORE_PAYLOAD_MAX)
			die("xs: bad reply length %u", m.len);
		ring_get(h, intf, body, m.len);
		body[m.len] = '\0';
		if (m.type != XS_WATCH_EVENT)
			break;
	}
	rc = print_reply(&m, body);
	munmap(intf, getpagesize());
	return rc;
}

int cmd_xs(int argc, char **argv)
{
	const char *dir = NULL;
	unsigned int domid = 0;
	bool have_dom = false;
	struct host h;
	size_t k;
	int i;

	for (i = 1; i + 1 < argc && argv[i][0] == '-'; i += 2) {
		if (!strcmp(argv[i], "--dir"))
			dir = argv[i + 1];
		else if (!strcmp(argv[i], "--domid")) {
			domid = (unsigned int)strtoul(argv[i + 1], NULL, 10);
			have_dom = true;
		} else
			die("xs: unknown option %s", argv[i]);
	}
	if (!have_dom || argc - i < 2)
		die("usage: simhost xs --domid N read|write|ls|rm|mkdir|"
		    "getperms PATH [VALUE]");
	host_init(&h, dir);
	for (k = 0; k < sizeof(ops) / sizeof(ops[0]); k++)
		if (!strcmp(argv[i], ops[k].name))
			break;
	if (k == sizeof(ops) / sizeof(ops[0]))
		die("xs: unknown operation '%s'", argv[i]);
	if (ops[k].type == XS_WRITE && argc - i < 3)
		die("xs: write needs a value");
	return transact(&h, domid, ops[k].type, argv[i + 1],
			ops[k].type == XS_WRITE ? argv[i + 2] : NULL);
}
