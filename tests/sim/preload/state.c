/*
 * File-backed hypervisor state shared by every preloaded process.
 * Nothing here caches: another process may have created or destroyed
 * a domain since the last call, as on a real host.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/time.h>
#include <unistd.h>

#include "simxen.h"

static const struct {
	const char *name;
	int err;
} errnames[] = {
	{ "EPERM", EPERM }, { "ENOENT", ENOENT }, { "EIO", EIO },
	{ "E2BIG", E2BIG }, { "EAGAIN", EAGAIN }, { "ENOMEM", ENOMEM },
	{ "EACCES", EACCES }, { "EBUSY", EBUSY }, { "EEXIST", EEXIST },
	{ "ENODEV", ENODEV }, { "EINVAL", EINVAL }, { "ENOSPC", ENOSPC },
	{ "ENOSYS", ENOSYS }, { "EOPNOTSUPP", EOPNOTSUPP },
	{ "ETIMEDOUT", ETIMEDOUT }, { "ESRCH", ESRCH }, { "EXDEV", EXDEV },
};

int sim_errno_from_name(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(errnames) / sizeof(errnames[0]); i++)
		if (!strcmp(errnames[i].name, name))
			return errnames[i].err;
	return 0;
}

const char *sim_errno_name(int err)
{
	size_t i;

	for (i = 0; i < sizeof(errnames) / sizeof(errnames[0]); i++)
		if (errnames[i].err == err)
			return errnames[i].name;
	return "E?";
}

const char *sim_dir(void)
{
	const char *d = getenv("SIMXEN_DIR");

	return d && *d ? d : NULL;
}

int sim_path(char *buf, size_t len, const char *fmt, ...)
{
	const char *dir = sim_dir();
	va_list ap;
	int n, m;

	if (!dir) {
		errno = ENOENT;
		return -1;
	}
	n = snprintf(buf, len, "%s/", dir);
	if (n < 0 || (size_t)n >= len)
		goto toolong;
	va_start(ap, fmt);
	m = vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
	if (m < 0 || (size_t)(n + m) >= len)
		goto toolong;
	return 0;
toolong:
	errno = ENAMETOOLONG;
	return -1;
}

static const char *const statenames[] = {
	[SIM_DOM_RUNNING] = "running",
	[SIM_DOM_PAUSED] = "paused",
	[SIM_DOM_SHUTDOWN] = "shutdown",
	[SIM_DOM_CRASHED] = "crashed",
	[SIM_DOM_DYING] = "dying",
};

enum sim_domstate sim_domain_state(uint32_t domid)
{
	char path[512], line[128];
	enum sim_domstate st = SIM_DOM_NONE;
	FILE *f;
	size_t i;

	if (sim_path(path, sizeof(path), "domains/%u", domid))
		return domid == 0 ? SIM_DOM_RUNNING : SIM_DOM_NONE;
	f = fopen(path, "re");
	if (!f)
		return domid == 0 ? SIM_DOM_RUNNING : SIM_DOM_NONE;
	st = SIM_DOM_RUNNING;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "state=", 6))
			continue;
		line[strcspn(line, "\n")] = '\0';
		for (i = 1; i < sizeof(statenames) / sizeof(statenames[0]); i++)
			if (!strcmp(line + 6, statenames[i]))
				st = (enum sim_domstate)i;
	}
	fclose(f);
	return st;
}

/*
 * libxl sets XEN_DOMCTL_CDF_iommu only when passthrough is not disabled
 * (libxl_create.c), and defaults it to disabled for a guest with no
 * pci= (libxl__domain_config_setdefault()); is_iommu_enabled(d) is
 * that flag, so such a guest has no IOMMU context.  A file without the
 * line (an older simhost) means enabled, as does dom0's and dom_io's
 * absent file.
 */
bool sim_domain_passthrough(uint32_t domid)
{
	char path[512], line[128];
	bool pt = true;
	FILE *f;

	if (sim_path(path, sizeof(path), "domains/%u", domid))
		return true;
	f = fopen(path, "re");
	if (!f)
		return true;
	while (fgets(line, sizeof(line), f))
		if (!strcmp(line, "passthrough=0\n") ||
		    !strcmp(line, "passthrough=0"))
			pt = false;
	fclose(f);
	return pt;
}

bool sim_domain_hvm(uint32_t domid)
{
	char path[512], line[128];
	bool hvm = false;
	FILE *f;

	if (domid == 0 || sim_path(path, sizeof(path), "domains/%u", domid))
		return false;
	f = fopen(path, "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (!strcmp(line, "type=hvm\n") || !strcmp(line, "type=pvh\n"))
			hvm = true;
	fclose(f);
	return hvm;
}

bool sim_domain_uuid(uint32_t domid, uint8_t handle[16])
{
	char path[512], line[128];
	unsigned int b[16];
	bool found = false;
	FILE *f;

	memset(handle, 0, 16);
	if (domid == 0 || sim_path(path, sizeof(path), "domains/%u", domid))
		return false;
	f = fopen(path, "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "uuid=%2x%2x%2x%2x-%2x%2x-%2x%2x-%2x%2x-"
			       "%2x%2x%2x%2x%2x%2x", &b[0], &b[1], &b[2],
			       &b[3], &b[4], &b[5], &b[6], &b[7], &b[8], &b[9],
			       &b[10], &b[11], &b[12], &b[13], &b[14],
			       &b[15]) == 16;
	fclose(f);
	for (int i = 0; found && i < 16; i++)
		handle[i] = (uint8_t)b[i];
	return found;
}

long sim_next_domain(uint32_t first)
{
	char path[512];
	struct dirent *de;
	long best = -1;
	DIR *d;

	if (first == 0)
		return 0;	/* dom0 always exists */
	if (sim_path(path, sizeof(path), "domains"))
		return -1;
	d = opendir(path);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		char *end;
		unsigned long id = strtoul(de->d_name, &end, 10);

		if (*end || end == de->d_name || id < first)
			continue;
		if (best < 0 || (long)id < best)
			best = (long)id;
	}
	closedir(d);
	return best;
}

/*
 * Faults are consumed under an exclusive lock on the file so that two
 * processes never both take the same one.
 */
int sim_fault(const char *call)
{
	char path[512], line[256], out[8192];
	size_t outlen = 0;
	int err = 0, fd;
	FILE *f;

	if (sim_path(path, sizeof(path), "faults"))
		return 0;
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return 0;
	flock(fd, LOCK_EX);
	f = fdopen(dup(fd), "r");
	if (!f)
		goto out;
	while (fgets(line, sizeof(line), f)) {
		char name[128], ename[32];
		int count = 1, n;

		n = sscanf(line, "%127s %31s %d", name, ename, &count);
		if (!err && n >= 2 && !strcmp(name, call)) {
			err = sim_errno_from_name(ename);
			if (--count <= 0)
				continue;
			snprintf(line, sizeof(line), "%s %s %d\n", name,
				 ename, count);
		}
		if (outlen + strlen(line) < sizeof(out)) {
			memcpy(out + outlen, line, strlen(line));
			outlen += strlen(line);
		}
	}
	fclose(f);
	if (err && ftruncate(fd, 0) == 0)
		(void)!pwrite(fd, out, outlen, 0);
out:
	flock(fd, LOCK_UN);
	close(fd);
	return err;
}

void sim_log(const char *fmt, ...)
{
	char path[512], buf[1024];
	va_list ap;
	int fd, n;

	if (sim_path(path, sizeof(path), "hypercalls.log"))
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	/* O_APPEND makes each line one atomic write among processes. */
	(void)!write(fd, buf, n);
	close(fd);
}
