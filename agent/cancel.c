/*
 * See cancel.h.  The eventfd is never read: once written it stays
 * readable, which is what every later poll() must see too.
 */
#include <errno.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "cancel.h"

int cancel_init(struct cancel *c)
{
	atomic_init(&c->flag, 0);
	c->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	return c->fd < 0 ? -errno : 0;
}

void cancel_destroy(struct cancel *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

void cancel_set(struct cancel *c)
{
	uint64_t one = 1;

	if (atomic_exchange(&c->flag, 1))
		return;
	/* A full counter is still readable: a failed write is harmless. */
	if (c->fd >= 0 && write(c->fd, &one, sizeof(one)) < 0)
		return;
}

bool cancel_is_set(const struct cancel *c)
{
	return c && atomic_load(&((struct cancel *)c)->flag);
}

int cancel_fd(const struct cancel *c)
{
	return c ? c->fd : -1;
}
