/*
 * xctest: one libxenctrl device call from the command line, so that a
 * test can ask the simulated hypervisor (or a real one) what the agent
 * asks it, and see the errno:
 *
 *   xctest test-assign DOMID SBDF      xc_test_assign_device()
 *   xctest assign DOMID SBDF [FLAG]    xc_assign_device()
 *
 * DOMID is a number or io / invalid (DOMID_IO, DOMID_INVALID); SBDF is
 * DDDD:BB:DD.F.  Prints "0" or the errno's name; exit 0 either way, 2
 * on bad usage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xenctrl.h>

static int parse_domid(const char *s, uint32_t *d)
{
	char *end;

	if (!strcmp(s, "io"))
		*d = DOMID_IO;
	else if (!strcmp(s, "invalid"))
		*d = DOMID_INVALID;
	else {
		*d = strtoul(s, &end, 0);
		return *end ? -1 : 0;
	}
	return 0;
}

static const char *ename(int e)
{
	switch (e) {
	case 0: return "0";
	case ESRCH: return "ESRCH";
	case EINVAL: return "EINVAL";
	case EBUSY: return "EBUSY";
	case EPERM: return "EPERM";
	case ENODEV: return "ENODEV";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case ENOSYS: return "ENOSYS";
	default: return strerror(e);
	}
}

int main(int argc, char **argv)
{
	unsigned int d, b, s, f;
	uint32_t domid, flag = 0;
	xc_interface *xch;
	int rc;

	if (argc < 4 || parse_domid(argv[2], &domid) ||
	    sscanf(argv[3], "%x:%x:%x.%x", &d, &b, &s, &f) != 4) {
		fprintf(stderr, "usage: xctest test-assign|assign DOMID SBDF "
			"[FLAG]\n");
		return 2;
	}
	if (argc > 4)
		flag = strtoul(argv[4], NULL, 0);
	xch = xc_interface_open(NULL, NULL, 0);
	if (!xch) {
		perror("xc_interface_open");
		return 1;
	}
	if (!strcmp(argv[1], "test-assign"))
		rc = xc_test_assign_device(xch, domid,
					   d << 16 | b << 8 | s << 3 | f);
	else if (!strcmp(argv[1], "assign"))
		rc = xc_assign_device(xch, domid,
				      d << 16 | b << 8 | s << 3 | f, flag);
	else
		return 2;
	printf("%s\n", ename(rc ? errno : 0));
	xc_interface_close(xch);
	return 0;
}
