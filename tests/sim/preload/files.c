/*
 * xenstored finds its ring page and event channel through
 * /proc/xen/xsd_kva and /proc/xen/xsd_port (tools/xenstore/
 * xenstored_posix.c xenbus_map(), xenbus_evtchn()).  Without a
 * hypervisor those do not exist: redirect them into $SIMXEN_DIR.
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "simxen.h"

static const char *redirect(const char *path, char *buf, size_t len)
{
	if (!path)
		return path;
	if (!strcmp(path, "/proc/xen/xsd_kva") &&
	    !sim_path(buf, len, "xsd_kva"))
		return buf;
	if (!strcmp(path, "/proc/xen/xsd_port") &&
	    !sim_path(buf, len, "xsd_port"))
		return buf;
	return path;
}

#define OPEN_WRAPPER(fn)						\
int fn(const char *path, int flags, ...)				\
{									\
	static int (*real)(const char *, int, ...);			\
	char buf[512];							\
	mode_t mode = 0;						\
	va_list ap;							\
									\
	if (!real)							\
		real = (int (*)(const char *, int, ...))		\
			dlsym(RTLD_NEXT, #fn);				\
	if (flags & (O_CREAT | O_TMPFILE)) {				\
		va_start(ap, flags);					\
		mode = va_arg(ap, mode_t);				\
		va_end(ap);						\
	}								\
	return real(redirect(path, buf, sizeof(buf)), flags, mode);	\
}

OPEN_WRAPPER(open)
OPEN_WRAPPER(open64)
