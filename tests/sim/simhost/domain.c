/*
 * Guest domains, created and destroyed the way libxl does it
 * (tools/libs/light/libxl_create.c libxl__domain_make(),
 * libxl_domain.c libxl__destroy_domid()), minus the devices: PCI
 * cleanup is the agent's business, and a destroyed guest may leave a
 * stale backend behind exactly as libxl can.
 *
 * A guest has passthrough enabled unless created with --no-passthrough:
 * libxl enables it for a guest with pci= or passthrough="enabled" and
 * only then asks Xen for an IOMMU context (XEN_DOMCTL_CDF_iommu);
 * without one, Xen refuses to assign it any device.  The flag is the
 * "passthrough=" line of the domain file, where libsimxen.so reads it
 * in every process.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xenstore.h>

#include "simhost.h"

static struct xs_handle *xs_connect(void)
{
	struct xs_handle *xs = xs_open(0);

	if (!xs)
		die("connect to xenstored: %s", strerror(errno));
	return xs;
}

static void dom_file(const struct host *h, unsigned int domid, char *buf,
		     size_t len)
{
	host_path(h, buf, len, "xen/domains/%u", domid);
}

static void write_domfile(const struct host *h, unsigned int domid,
			  const char *state, const char *name,
			  const char *pcifront, bool passthrough)
{
	char path[700], tmp[720];
	FILE *f;

	dom_file(h, domid, path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "we");
	if (!f)
		die("write %s: %s", tmp, strerror(errno));
	fprintf(f, "state=%s\nname=%s\npcifront=%s\npassthrough=%d\n", state,
		name, pcifront, passthrough);
	if (fclose(f) || rename(tmp, path))
		die("write %s: %s", path, strerror(errno));
}

static void copy(char *dst, size_t len, const char *src)
{
	size_t n = strlen(src);

	if (n >= len)
		n = len - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/*
 * Tell the xenbus peers that a guest's hypervisor state changed: pause,
 * unpause and pcifront= fire no xenstore event on a real host, where
 * the guest simply runs or not.  The simulated guests live in simpeer,
 * which watches this node instead of polling the domain files.
 */
#define SIMHOST_DOMAINS_NODE "/tool/simhost/domains"

static void notify_domains(unsigned int domid, const char *what)
{
	struct xs_handle *xs = xs_open(0);
	char v[64];

	if (!xs)
		return;
	snprintf(v, sizeof(v), "%u %s", domid, what);
	xs_write(xs, XBT_NULL, SIMHOST_DOMAINS_NODE, v, strlen(v));
	xs_close(xs);
}

static int read_domfile(const struct host *h, unsigned int domid,
			char *name, size_t nlen, char *pf, size_t plen,
			bool *passthrough)
{
	char path[700], line[256];
	FILE *f;

	dom_file(h, domid, path, sizeof(path));
	f = fopen(path, "re");
	if (!f)
		return -1;
	snprintf(name, nlen, "domain%u", domid);
	snprintf(pf, plen, "1");
	*passthrough = true;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, "name=", 5))
			copy(name, nlen, line + 5);
		else if (!strncmp(line, "pcifront=", 9))
			copy(pf, plen, line + 9);
		else if (!strcmp(line, "passthrough=0"))
			*passthrough = false;
	}
	fclose(f);
	return 0;
}

int poke_virq(const struct host *h)
{
	char path[700];
	int fd, rc;

	host_path(h, path, sizeof(path), "xen/virq");
	fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -1;
	rc = write(fd, "v", 1) == 1 ? 0 : -1;
	close(fd);
	return rc;
}

/* Guest domid's notification on its xenstore event channel. */
int poke_domain(const struct host *h, unsigned int domid)
{
	char path[700], rec[16];
	int fd, n, rc;

	host_path(h, path, sizeof(path), "xen/virq");
	fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -1;
	/* One write under PIPE_BUF: the record arrives whole. */
	n = snprintf(rec, sizeof(rec), "d%u\n", domid);
	rc = write(fd, rec, n) == n ? 0 : -1;
	close(fd);
	return rc;
}

static bool mkdir_perms(struct xs_handle *xs, xs_transaction_t t,
			const char *path, struct xs_permissions *perms,
			unsigned int n)
{
	return xs_mkdir(xs, t, path) && xs_set_permissions(xs, t, path,
							   perms, n);
}

static bool write_str(struct xs_handle *xs, xs_transaction_t t,
		      const char *path, const char *val)
{
	return xs_write(xs, t, path, val, strlen(val));
}

/* libxl__domain_make(): roperm for the domain dir, rwperm below it. */
static bool populate(struct xs_handle *xs, xs_transaction_t t,
		     unsigned int domid, const char *name)
{
	static const char *const rw[] = {
		"device", "control", "control/shutdown", "data", "drivers",
		"feature", "attr", "error",
	};
	struct xs_permissions ro[2] = {
		{ .id = 0, .perms = XS_PERM_NONE },
		{ .id = domid, .perms = XS_PERM_READ },
	};
	struct xs_permissions rwp[1] = {
		{ .id = domid, .perms = XS_PERM_NONE },
	};
	char p[256], v[16];
	size_t i;

	snprintf(p, sizeof(p), "/local/domain/%u", domid);
	if (!mkdir_perms(xs, t, p, ro, 2))
		return false;
	for (i = 0; i < sizeof(rw) / sizeof(rw[0]); i++) {
		snprintf(p, sizeof(p), "/local/domain/%u/%s", domid, rw[i]);
		if (!mkdir_perms(xs, t, p, rwp, 1))
			return false;
	}
	snprintf(p, sizeof(p), "/local/domain/%u/name", domid);
	if (!write_str(xs, t, p, name))
		return false;
	snprintf(p, sizeof(p), "/local/domain/%u/domid", domid);
	snprintf(v, sizeof(v), "%u", domid);
	return write_str(xs, t, p, v);
}

static int domain_create(const struct host *h, unsigned int domid,
			 const char *name, bool pcifront, bool passthrough)
{
	char path[700], dname[32];
	struct xs_handle *xs;
	xs_transaction_t t;

	if (domid == 0 || domid >= 0x7ff0)
		die("domain create: invalid domid %u", domid);
	dom_file(h, domid, path, sizeof(path));
	if (access(path, F_OK) == 0)
		die("domain create: domain %u exists", domid);
	if (!name) {
		snprintf(dname, sizeof(dname), "guest%u", domid);
		name = dname;
	}
	write_domfile(h, domid, "running", name, pcifront ? "1" : "0",
		      passthrough);
	xs = xs_connect();
	/* Makes xenstored map the ring and bind the event channel, so it
	 * will fire @releaseDomain when the domain dies (check_domains()
	 * only reports introduced domains). */
	if (!xs_introduce_domain(xs, domid, 0, 1))
		die("introduce domain %u: %s", domid, strerror(errno));
	for (;;) {
		t = xs_transaction_start(xs);
		if (!t)
			die("transaction: %s", strerror(errno));
		if (!populate(xs, t, domid, name)) {
			int e = errno;

			xs_transaction_end(xs, t, true);
			die("create /local/domain/%u: %s", domid, strerror(e));
		}
		if (xs_transaction_end(xs, t, false))
			break;
		if (errno != EAGAIN)
			die("commit /local/domain/%u: %s", domid,
			    strerror(errno));
	}
	xs_close(xs);
	return 0;
}

/* Waits for xenstored's @releaseDomain after poking the VIRQ. */
static int virq_and_wait_release(const struct host *h, struct xs_handle *xs)
{
	struct pollfd pfd = { .fd = xs_fileno(xs), .events = POLLIN };
	bool initial = true;
	char **ev;

	if (!xs_watch(xs, "@releaseDomain", "rel"))
		die("watch @releaseDomain: %s", strerror(errno));
	for (;;) {
		/* The first event is the one every new watch fires. */
		while ((ev = xs_check_watch(xs))) {
			free(ev);
			if (initial) {
				initial = false;
				if (poke_virq(h))
					die("raise VIRQ_DOM_EXC: %s",
					    strerror(errno));
				continue;
			}
			return 0;
		}
		if (errno != EAGAIN)
			die("read watch: %s", strerror(errno));
		if (poll(&pfd, 1, 10000) <= 0)
			die("no @releaseDomain from xenstored in 10 s");
	}
}

static int domain_destroy(const struct host *h, unsigned int domid,
			  bool keep_xenstore)
{
	char path[700], name[128], pf[16];
	struct xs_handle *xs;
	bool pt;

	if (read_domfile(h, domid, name, sizeof(name), pf, sizeof(pf), &pt))
		die("domain destroy: no domain %u", domid);
	xs = xs_connect();
	snprintf(path, sizeof(path), "/local/domain/%u", domid);
	if (!keep_xenstore && !xs_rm(xs, XBT_NULL, path) && errno != ENOENT)
		die("rm %s: %s", path, strerror(errno));
	snprintf(path, sizeof(path), "/libxl/%u", domid);
	if (!keep_xenstore)
		xs_rm(xs, XBT_NULL, path);
	write_domfile(h, domid, "dying", name, pf, pt);
	virq_and_wait_release(h, xs);
	xs_close(xs);
	dom_file(h, domid, path, sizeof(path));
	unlink(path);
	host_path(h, path, sizeof(path), "xen/guests/%u/pci", domid);
	unlink(path);
	host_path(h, path, sizeof(path), "xen/guests/%u", domid);
	rmdir(path);
	return 0;
}

static int domain_setstate(const struct host *h, unsigned int domid,
			   const char *state)
{
	char name[128], pf[16];
	struct xs_handle *xs;
	bool pt;

	if (read_domfile(h, domid, name, sizeof(name), pf, sizeof(pf), &pt))
		die("domain %s: no domain %u", state, domid);
	write_domfile(h, domid, state, name, pf, pt);
	xs = xs_connect();
	virq_and_wait_release(h, xs);
	xs_close(xs);
	return 0;
}

/*
 * Paused (xl create -p, xl pause): the guest runs nothing, so its
 * pcifront does not answer until it is unpaused.  No xenstore event:
 * xenstored does not report pause either.
 */
static int domain_pause(const struct host *h, unsigned int domid,
			bool pause)
{
	char name[128], pf[16];
	bool pt;

	if (read_domfile(h, domid, name, sizeof(name), pf, sizeof(pf), &pt))
		die("domain %s: no domain %u", pause ? "pause" : "unpause",
		    domid);
	write_domfile(h, domid, pause ? "paused" : "running", name, pf, pt);
	notify_domains(domid, pause ? "paused" : "running");
	return 0;
}

/* The state line of a domain file: running unless it says otherwise. */
static void read_state(const struct host *h, unsigned int domid, char *st,
		       size_t len)
{
	char path[700], line[256];
	FILE *f;

	copy(st, len, "running");
	dom_file(h, domid, path, sizeof(path));
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "state=", 6)) {
			line[strcspn(line, "\n")] = '\0';
			copy(st, len, line + 6);
		}
	fclose(f);
}

static int domain_set(const struct host *h, unsigned int domid,
		      const char *kv)
{
	char name[128], pf[16], st[32];
	bool pt;

	if (read_domfile(h, domid, name, sizeof(name), pf, sizeof(pf), &pt))
		die("domain set: no domain %u", domid);
	read_state(h, domid, st, sizeof(st));
	if (strcmp(kv, "pcifront=1") && strcmp(kv, "pcifront=0") &&
	    strcmp(kv, "pcifront=hung"))
		die("domain set: unknown setting '%s'", kv);
	write_domfile(h, domid, st, name, kv + 9, pt);
	notify_domains(domid, kv);
	return 0;
}

static unsigned int parse_domid(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (!*s || *end || v >= 0x7ff0)
		die("invalid domid '%s'", s);
	return (unsigned int)v;
}

int cmd_domain(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "name", required_argument, NULL, 'n' },
		{ "no-pcifront", no_argument, NULL, 'p' },
		{ "keep-xenstore", no_argument, NULL, 'k' },
		{ "no-passthrough", no_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = NULL, *name = NULL, *verb;
	bool pcifront = true, keep = false, passthrough = true;
	unsigned int domid;
	struct host h;
	int c;

	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (c) {
		case 'd': dir = optarg; break;
		case 'n': name = optarg; break;
		case 'p': pcifront = false; break;
		case 'k': keep = true; break;
		case 'P': passthrough = false; break;
		default: return 2;
		}
	}
	if (argc - optind < 2)
		die("usage: simhost domain create|destroy|shutdown|crash|set "
		    "DOMID ...");
	verb = argv[optind];
	domid = parse_domid(argv[optind + 1]);
	optind += 2;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': dir = optarg; break;
		case 'n': name = optarg; break;
		case 'p': pcifront = false; break;
		case 'k': keep = true; break;
		case 'P': passthrough = false; break;
		default: return 2;
		}
	}
	host_init(&h, dir);
	host_setenv(&h);
	if (!strcmp(verb, "create"))
		return domain_create(&h, domid, name, pcifront, passthrough);
	if (!strcmp(verb, "destroy"))
		return domain_destroy(&h, domid, keep);
	if (!strcmp(verb, "shutdown") || !strcmp(verb, "crash"))
		return domain_setstate(&h, domid, !strcmp(verb, "crash") ?
				       "crashed" : "shutdown");
	if (!strcmp(verb, "pause") || !strcmp(verb, "unpause"))
		return domain_pause(&h, domid, !strcmp(verb, "pause"));
	if (!strcmp(verb, "set") && optind < argc)
		return domain_set(&h, domid, argv[optind]);
	die("domain: unknown command '%s'", verb);
}

static int append(const char *path, const char *line)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		die("open %s: %s", path, strerror(errno));
	n = write(fd, line, strlen(line));
	if (n < 0)
		die("%s: %s", path, strerror(errno));
	close(fd);
	return 0;
}

int cmd_fault(int argc, char **argv)
{
	char path[700], line[1024];
	size_t len = 0;
	struct host h;
	int i = 1;

	if (argc >= 3 && !strcmp(argv[1], "--dir")) {
		host_init(&h, argv[2]);
		i = 3;
	} else {
		host_init(&h, NULL);
	}
	if (i < argc && !strcmp(argv[i], "clear") ) {
		host_path(&h, path, sizeof(path), "sysfs/sim/fault");
		append(path, "clear\n");
		host_path(&h, path, sizeof(path), "xen/faults");
		return truncate(path, 0) ? 1 : 0;
	}
	if (argc - i < 3)
		die("usage: simhost fault sysfs|xen ...");
	if (!strcmp(argv[i], "sysfs"))
		host_path(&h, path, sizeof(path), "sysfs/sim/fault");
	else if (!strcmp(argv[i], "xen"))
		host_path(&h, path, sizeof(path), "xen/faults");
	else
		die("fault: unknown target '%s'", argv[i]);
	for (i++; i < argc; i++)
		len += snprintf(line + len, sizeof(line) - len, "%s%s",
				argv[i], i + 1 < argc ? " " : "\n");
	if (len >= sizeof(line))
		die("fault: line too long");
	return append(path, line);
}
