/*
 * Event channels for xenstored.  The only event that matters without
 * guests running real rings is VIRQ_DOM_EXC, which makes xenstored run
 * check_domains() (tools/xenstore/xenstored_domain.c handle_event()).
 * It is raised by writing a byte to the $SIMXEN_DIR/virq FIFO; the
 * handle's fd is that FIFO, so xenstored's poll() wakes up exactly as
 * it would on /dev/xen/evtchn.  A guest's notification is the record
 * "d<domid>\n" on the same FIFO; pending() answers with the local port
 * bound to that domain, which oxenstored needs (it serves a domain's
 * ring only when its port fires); cxenstored scans every ring anyway.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <xenevtchn.h>

#include "simxen.h"

#define SIM_MAX_BOUND 256

struct xenevtchn_handle {
	int fd;
	evtchn_port_t virq_port;
	evtchn_port_t next_port;
	struct {
		uint32_t domid;
		evtchn_port_t port;
	} bound[SIM_MAX_BOUND];
	unsigned int nbound;
};

static xenevtchn_handle *open_handle(void)
{
	xenevtchn_handle *h;
	char path[512];

	if (sim_path(path, sizeof(path), "virq"))
		return NULL;
	h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	/* O_RDWR: the FIFO never reports EOF when a writer goes away. */
	h->fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (h->fd < 0) {
		free(h);
		return NULL;
	}
	h->next_port = 10;
	return h;
}

xenevtchn_handle *xenevtchn_open(struct xentoollog_logger *logger,
				 unsigned int flags)
{
	(void)logger;
	(void)flags;
	return open_handle();
}

xenevtchn_handle *xenevtchn_fdopen(struct xentoollog_logger *logger,
				   int fd, unsigned int flags)
{
	(void)logger;
	(void)fd;
	(void)flags;
	return open_handle();
}

int xenevtchn_close(xenevtchn_handle *xce)
{
	if (!xce)
		return 0;
	close(xce->fd);
	free(xce);
	return 0;
}

int xenevtchn_fd(xenevtchn_handle *xce)
{
	return xce->fd;
}

int xenevtchn_notify(xenevtchn_handle *xce, evtchn_port_t port)
{
	(void)xce;
	(void)port;
	return 0;
}

xenevtchn_port_or_error_t xenevtchn_bind_virq(xenevtchn_handle *xce,
					      unsigned int virq)
{
	(void)virq;
	xce->virq_port = xce->next_port++;
	return xce->virq_port;
}

xenevtchn_port_or_error_t
xenevtchn_bind_interdomain(xenevtchn_handle *xce, uint32_t domid,
			   evtchn_port_t remote_port)
{
	evtchn_port_t port = xce->next_port++;
	unsigned int i;

	(void)remote_port;
	for (i = 0; i < xce->nbound; i++)
		if (xce->bound[i].domid == domid)
			break;
	if (i == SIM_MAX_BOUND) {
		errno = ENOSPC;
		return -1;
	}
	if (i == xce->nbound)
		xce->nbound++;
	xce->bound[i].domid = domid;
	xce->bound[i].port = port;
	return port;
}

xenevtchn_port_or_error_t
xenevtchn_bind_unbound_port(xenevtchn_handle *xce, uint32_t domid)
{
	(void)domid;
	return xce->next_port++;
}

int xenevtchn_unbind(xenevtchn_handle *xce, evtchn_port_t port)
{
	unsigned int i;

	for (i = 0; i < xce->nbound; i++)
		if (xce->bound[i].port == port) {
			xce->bound[i] = xce->bound[--xce->nbound];
			break;
		}
	return 0;
}

/* The rest of a "d<domid>\n" record: that domain's port. */
static evtchn_port_t domain_port(xenevtchn_handle *xce)
{
	unsigned long domid = 0;
	unsigned int i;
	char c;

	while (read(xce->fd, &c, 1) == 1 && c != '\n')
		if (c >= '0' && c <= '9')
			domid = domid * 10 + (unsigned long)(c - '0');
	for (i = 0; i < xce->nbound; i++)
		if (xce->bound[i].domid == domid)
			return xce->bound[i].port;
	return xce->virq_port;
}

xenevtchn_port_or_error_t xenevtchn_pending(xenevtchn_handle *xce)
{
	char c;
	ssize_t n = read(xce->fd, &c, 1);

	if (n == 1)
		return c == 'd' ? domain_port(xce) : xce->virq_port;
	if (n == 0)
		errno = EAGAIN;
	return -1;
}

int xenevtchn_unmask(xenevtchn_handle *xce, evtchn_port_t port)
{
	(void)xce;
	(void)port;
	return 0;
}
