#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "simhost.h"

static const char usage[] =
"usage: simhost up --dir DIR [--inventory FILE] [--owner-pid PID]\n"
"                  [--no-peer] [--no-sysfs]\n"
"                  [--xenstored cxenstored|oxenstored|PATH]\n"
"                  [--no-trace]\n"
"       simhost down --dir DIR\n"
"       simhost xenstored start|stop|kill\n"
"       simhost domain create DOMID [--name NAME] [--no-pcifront]\n"
"                                   [--no-passthrough]\n"
"                                   [--hvm | --pvh] [--dm qemu-xen|qemu-trad]\n"
"                                   [--stubdom] [--no-ahci]\n"
"       simhost domain destroy DOMID [--keep-xenstore]\n"
"       simhost domain shutdown|crash DOMID\n"
"       simhost domain pause|unpause DOMID\n"
"       simhost domain set DOMID pcifront=1|0|hung\n"
"       simhost qmp DOMID release-delay MS|never-release|probe-delay MS|\n"
"                         never-probe|fail CMD [NTH]|die|status|\n"
"                         transcript|socket\n"
"       simhost fault sysfs PATH ERRNO [nth=N] [count=M] [delay_ms=D]\n"
"       simhost fault xen CALL ERRNO [COUNT]\n"
"       simhost fault clear\n"
"       simhost guest DOMID cfgwrite VBDF OFFSET SIZE VALUE\n"
"       simhost xs --domid N read|write|ls|rm|mkdir|getperms PATH [VALUE]\n"
"\n"
"domain, guest and fault take --dir DIR, or SIMHOST_DIR from DIR/env.\n"
"An HVM guest with qemu-xen in dom0 gets a QMP peer (simqmp) on\n"
"$XEN_RUN_DIR/qmp-libxl-DOMID, as libxl's /var/run/xen/qmp-libxl-DOMID.\n"
"up writes DIR/env; with --owner-pid the host goes down by itself\n"
"when that process exits, so a killed test leaves nothing behind.\n"
"--xenstored defaults to $XENPCI_XENSTORED, then cxenstored.\n";

void die(const char *fmt, ...)
{
	va_list ap;

	fputs("simhost: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

void warnx(const char *fmt, ...)
{
	va_list ap;

	fputs("simhost: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int host_init(struct host *h, const char *dir)
{
	char exe[PATH_MAX], *d;
	ssize_t n;

	memset(h, 0, sizeof(*h));
	if (!dir)
		dir = getenv("SIMHOST_DIR");
	if (!dir || !*dir)
		die("no host directory: give --dir DIR or set SIMHOST_DIR");
	if (!realpath(dir, h->dir))
		die("host directory %s: %s", dir, strerror(errno));
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		die("readlink /proc/self/exe: %s", strerror(errno));
	exe[n] = '\0';
	d = dirname(exe);
	snprintf(h->bindir, sizeof(h->bindir), "%s", d);
	snprintf(h->preload, sizeof(h->preload), "%s/../lib/libsimxen.so",
		 h->bindir);
	if (!realpath(h->preload, exe))
		die("simulated hypervisor %s: %s", h->preload,
		    strerror(errno));
	snprintf(h->preload, sizeof(h->preload), "%s", exe);
	return 0;
}

int host_path(const struct host *h, char *buf, size_t len,
	      const char *fmt, ...)
{
	va_list ap;
	int n, m;

	n = snprintf(buf, len, "%s/", h->dir);
	va_start(ap, fmt);
	m = vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
	if (m < 0 || (size_t)(n + m) >= len)
		die("path too long under %s", h->dir);
	return 0;
}

/* The environment every process of the host and its clients share. */
void host_setenv(const struct host *h)
{
	char p[700];

	host_path(h, p, sizeof(p), "xenstored");
	setenv("XENSTORED_RUNDIR", p, 1);
	setenv("XENSTORED_ROOTDIR", p, 1);
	host_path(h, p, sizeof(p), "xenstored/socket");
	setenv("XENSTORED_PATH", p, 1);
	host_path(h, p, sizeof(p), "xen");
	setenv("SIMXEN_DIR", p, 1);
	setenv("SIMHOST_DIR", h->dir, 1);
	host_path(h, p, sizeof(p), "%s", XEN_RUN_SUBDIR);
	setenv("XEN_RUN_DIR", p, 1);
	host_path(h, p, sizeof(p), "%s", XEN_LIB_SUBDIR);
	setenv("XEN_LIB_DIR", p, 1);
}

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (!strcmp(argv[1], "up"))
		return cmd_up(argc - 1, argv + 1);
	if (!strcmp(argv[1], "down"))
		return cmd_down(argc - 1, argv + 1);
	if (!strcmp(argv[1], "domain"))
		return cmd_domain(argc - 1, argv + 1);
	if (!strcmp(argv[1], "xenstored"))
		return cmd_xenstored(argc - 1, argv + 1);
	if (!strcmp(argv[1], "xs"))
		return cmd_xs(argc - 1, argv + 1);
	if (!strcmp(argv[1], "qmp"))
		return cmd_qmp(argc - 1, argv + 1);
	if (!strcmp(argv[1], "guest"))
		return cmd_guest(argc - 1, argv + 1);
	if (!strcmp(argv[1], "fault"))
		return cmd_fault(argc - 1, argv + 1);
	fprintf(stderr, "simhost: unknown command '%s'\n%s", argv[1], usage);
	return 2;
}
