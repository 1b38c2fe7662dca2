/*
 * The connection to xenstore and to one agent: open, close, error
 * messages, the agent's liveness.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xenpci_internal.h"

void xenpci_set_err(struct xenpci_client *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->errmsg, sizeof(c->errmsg), fmt, ap);
	va_end(ap);
}

int xenpci_path(const struct xenpci_client *c, char *buf, size_t len,
		const char *fmt, ...)
{
	size_t n = strlen(c->root);
	va_list ap;
	int m;

	if (n + 2 > len)
		return -ENAMETOOLONG;
	memcpy(buf, c->root, n);
	buf[n++] = '/';
	va_start(ap, fmt);
	m = vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
	if (m < 0 || (size_t)m >= len - n)
		return -ENAMETOOLONG;
	return 0;
}

struct xenpci_client *xenpci_client_open(unsigned int agent_domid)
{
	struct xenpci_client *c = calloc(1, sizeof(*c));
	int saved;

	if (!c)
		return NULL;
	c->agent_domid = agent_domid;
	snprintf(c->root, sizeof(c->root), XENPCI_ROOT_FMT, agent_domid);
	c->xs = xs_open(0);
	if (!c->xs) {
		saved = errno ? errno : ECONNREFUSED;
		free(c);
		errno = saved;
		return NULL;
	}
	return c;
}

void xenpci_client_close(struct xenpci_client *c)
{
	if (!c)
		return;
	if (c->xw)
		xs_close(c->xw);
	xs_close(c->xs);
	free(c);
}

const char *xenpci_client_root(const struct xenpci_client *c)
{
	return c->root;
}

struct xs_handle *xenpci_client_xs(struct xenpci_client *c)
{
	return c->xs;
}

const char *xenpci_client_errmsg(const struct xenpci_client *c)
{
	return c->errmsg;
}

int xenpci_agent_running(struct xenpci_client *c, char **state)
{
	char path[XENPCI_PATH_MAX];
	unsigned int len;
	char *val;
	int running;

	if (state)
		*state = NULL;
	if (xenpci_path(c, path, sizeof(path), XENPCI_STATE))
		return -ENAMETOOLONG;
	val = xs_read(c->xs, XBT_NULL, path, &len);
	if (!val) {
		if (errno == ENOENT)
			return 0;
		xenpci_set_err(c, "read %s: %s", path, strerror(errno));
		return -errno;
	}
	running = strcmp(val, XENPCI_STATE_RUNNING) == 0;
	if (state)
		*state = val;
	else
		free(val);
	return running;
}
