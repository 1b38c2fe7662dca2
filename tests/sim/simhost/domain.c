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
#include <stdarg.h>
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

static void copy(char *dst, size_t len, const char *src)
{
	size_t n = strlen(src);

	if (n >= len)
		n = len - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/*
 * A domain file, as libsimxen.so and simpeer read it.  type, dm and
 * dm_domid are written for HVM and PVH guests only, so a PV guest's
 * file reads as it always did.
 */
struct domfile {
	char state[32];
	char name[128];
	char pcifront[16];
	bool passthrough;
	char type[8];		/* pv, hvm, pvh */
	char dm[32];		/* libxl's dm-version, "none" for PVH */
	long dm_domid;		/* where the device model runs */
	long target;		/* a stub domain: the guest it serves */
	char uuid[40];		/* Xen's handle, libxl's c_info.uuid */
};

static void write_domfile(const struct host *h, unsigned int domid,
			  const struct domfile *d)
{
	char path[700], tmp[720];
	FILE *f;

	dom_file(h, domid, path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "we");
	if (!f)
		die("write %s: %s", tmp, strerror(errno));
	fprintf(f, "state=%s\nname=%s\npcifront=%s\npassthrough=%d\n",
		d->state, d->name, d->pcifront, d->passthrough);
	if (strcmp(d->type, "pv"))
		fprintf(f, "type=%s\ndm=%s\ndm_domid=%ld\n", d->type, d->dm,
			d->dm_domid);
	if (d->target >= 0)
		fprintf(f, "target=%ld\n", d->target);
	if (d->uuid[0])
		fprintf(f, "uuid=%s\n", d->uuid);
	if (fclose(f) || rename(tmp, path))
		die("write %s: %s", path, strerror(errno));
}

static int read_domfile(const struct host *h, unsigned int domid,
			struct domfile *d)
{
	char path[700], line[256];
	FILE *f;

	dom_file(h, domid, path, sizeof(path));
	f = fopen(path, "re");
	if (!f)
		return -1;
	memset(d, 0, sizeof(*d));
	copy(d->state, sizeof(d->state), "running");
	snprintf(d->name, sizeof(d->name), "domain%u", domid);
	copy(d->pcifront, sizeof(d->pcifront), "1");
	copy(d->type, sizeof(d->type), "pv");
	copy(d->dm, sizeof(d->dm), "none");
	d->passthrough = true;
	d->target = -1;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, "state=", 6))
			copy(d->state, sizeof(d->state), line + 6);
		else if (!strncmp(line, "name=", 5))
			copy(d->name, sizeof(d->name), line + 5);
		else if (!strncmp(line, "pcifront=", 9))
			copy(d->pcifront, sizeof(d->pcifront), line + 9);
		else if (!strcmp(line, "passthrough=0"))
			d->passthrough = false;
		else if (!strncmp(line, "type=", 5))
			copy(d->type, sizeof(d->type), line + 5);
		else if (!strncmp(line, "dm=", 3))
			copy(d->dm, sizeof(d->dm), line + 3);
		else if (!strncmp(line, "dm_domid=", 9))
			d->dm_domid = strtol(line + 9, NULL, 10);
		else if (!strncmp(line, "target=", 7))
			d->target = strtol(line + 7, NULL, 10);
		else if (!strncmp(line, "uuid=", 5))
			copy(d->uuid, sizeof(d->uuid), line + 5);
	}
	fclose(f);
	return 0;
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

/* What `domain create` makes: libxl's domain type and device model. */
struct spec {
	const char *name;
	bool pcifront;
	bool passthrough;
	const char *type;	/* libxl_domain_type_to_string(): pv hvm pvh */
	const char *dm;		/* libxl_device_model_version_to_string() */
	bool stubdom;
	bool ahci;		/* the real-Xen tier's ich9-ahci at 00:03.0 */
};

#define DM_QEMU_XEN "qemu_xen"
#define DM_QEMU_TRAD "qemu_xen_traditional"

static bool printf_str(struct xs_handle *xs, xs_transaction_t t,
		       const char *val, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static bool printf_str(struct xs_handle *xs, xs_transaction_t t,
		       const char *val, const char *fmt, ...)
{
	char p[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p, sizeof(p), fmt, ap);
	va_end(ap);
	return write_str(xs, t, p, val);
}

/*
 * libxl__domain_make() for a non-PV guest: /libxl/<domid> (noperm) with
 * its type; for HVM, hvmloader/ (roperm) and control/feature-s3 and -s4
 * (rwperm).  store_libxl_entry() (libxl_create.c) writes dm-version for
 * every type: a PVH guest says qemu_xen, the default
 * libxl__domain_build_info_setdefault() gives a non-HVM type.  PV
 * guests keep the records simhost always wrote (none under /libxl).
 */
static bool populate_hvm(struct xs_handle *xs, xs_transaction_t t,
			 unsigned int domid, const struct spec *sp)
{
	struct xs_permissions ro[2] = {
		{ .id = 0, .perms = XS_PERM_NONE },
		{ .id = domid, .perms = XS_PERM_READ },
	};
	struct xs_permissions rwp[1] = {
		{ .id = domid, .perms = XS_PERM_NONE },
	};
	struct xs_permissions no[1] = {
		{ .id = 0, .perms = XS_PERM_NONE },
	};
	char p[256];

	snprintf(p, sizeof(p), "/libxl/%u", domid);
	if (!mkdir_perms(xs, t, p, no, 1))
		return false;
	snprintf(p, sizeof(p), "/libxl/%u/device", domid);
	if (!mkdir_perms(xs, t, p, no, 1))
		return false;
	if (!printf_str(xs, t, sp->type, "/libxl/%u/type", domid) ||
	    !printf_str(xs, t, sp->dm, "/libxl/%u/dm-version", domid))
		return false;
	if (strcmp(sp->type, "hvm"))
		return true;
	snprintf(p, sizeof(p), "/local/domain/%u/hvmloader", domid);
	if (!mkdir_perms(xs, t, p, ro, 2))
		return false;
	snprintf(p, sizeof(p), "/local/domain/%u/control/feature-s3", domid);
	if (!mkdir_perms(xs, t, p, rwp, 1))
		return false;
	snprintf(p, sizeof(p), "/local/domain/%u/control/feature-s4", domid);
	return mkdir_perms(xs, t, p, rwp, 1);
}

/*
 * The device model's records.  In dom0, libxl__spawn_local_dm():
 * hvmloader/bios (seabios for qemu-xen, rombios for traditional:
 * libxl__domain_build_info_setdefault()), hvmloader/allow-memory-
 * relocate (1 only for traditional without vNUMA), the directory
 * /local/domain/0/device-model/<domid>, and disable_pf there for
 * traditional (!xen_platform_pci, which defaults to true).  In a stub
 * domain, libxl__spawn_stub_dm(): hvmloader/bios only for qemu-xen,
 * allow-memory-relocate, image/device-model-domid and the stub domain's
 * target.
 */
static bool write_dm(struct xs_handle *xs, xs_transaction_t t,
		     unsigned int domid, const struct spec *sp,
		     unsigned int stub)
{
	bool trad = !strcmp(sp->dm, DM_QEMU_TRAD);
	char v[64];

	if (!sp->stubdom || !trad)
		if (!printf_str(xs, t, trad ? "rombios" : "seabios",
				"/local/domain/%u/hvmloader/bios", domid))
			return false;
	if (!printf_str(xs, t, trad ? "1" : "0",
			"/local/domain/%u/hvmloader/allow-memory-relocate",
			domid))
		return false;
	if (sp->stubdom) {
		snprintf(v, sizeof(v), "%u", stub);
		if (!printf_str(xs, t, v,
				"/local/domain/%u/image/device-model-domid",
				domid))
			return false;
		snprintf(v, sizeof(v), "%u", domid);
		return printf_str(xs, t, v, "/local/domain/%u/target", stub);
	}
	snprintf(v, sizeof(v), "/local/domain/0/device-model/%u", domid);
	if (!xs_mkdir(xs, t, v))
		return false;
	return !trad || printf_str(xs, t, "0",
				   "/local/domain/0/device-model/%u/disable_pf",
				   domid);
}

static void commit_create(struct xs_handle *xs, unsigned int domid,
			  const struct spec *sp, long stub)
{
	xs_transaction_t t;

	for (;;) {
		bool ok;

		t = xs_transaction_start(xs);
		if (!t)
			die("transaction: %s", strerror(errno));
		ok = populate(xs, t, domid, sp->name);
		if (ok && strcmp(sp->type, "pv"))
			ok = populate_hvm(xs, t, domid, sp);
		if (ok && !strcmp(sp->type, "hvm"))
			ok = write_dm(xs, t, domid, sp, (unsigned int)stub);
		if (!ok) {
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
}

/* libxl_uuid_generate(): a random (version 4) UUID. */
static void new_uuid(char *buf, size_t len)
{
	unsigned char u[16];
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

	if (fd < 0 || read(fd, u, sizeof(u)) != (ssize_t)sizeof(u))
		die("read /dev/urandom: %s", strerror(errno));
	close(fd);
	u[6] = (u[6] & 0x0f) | 0x40;
	u[8] = (u[8] & 0x3f) | 0x80;
	snprintf(buf, len, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x", u[0], u[1], u[2], u[3], u[4],
		 u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13],
		 u[14], u[15]);
}

static void new_domfile(struct domfile *d, const struct spec *sp,
			long dm_domid, long target)
{
	memset(d, 0, sizeof(*d));
	copy(d->state, sizeof(d->state), "running");
	copy(d->name, sizeof(d->name), sp->name);
	copy(d->pcifront, sizeof(d->pcifront), sp->pcifront ? "1" : "0");
	d->passthrough = sp->passthrough;
	copy(d->type, sizeof(d->type), sp->type);
	copy(d->dm, sizeof(d->dm), sp->dm);
	d->dm_domid = dm_domid;
	d->target = target;
	new_uuid(d->uuid, sizeof(d->uuid));
}

/* libxl gives a stub domain the next free domid (Xen allocates it). */
static unsigned int free_domid_after(const struct host *h, unsigned int domid)
{
	char path[700];
	unsigned int id;

	for (id = domid + 1; id < 0x7ff0; id++) {
		dom_file(h, id, path, sizeof(path));
		if (access(path, F_OK))
			return id;
	}
	die("domain create: no free domid for the stub domain");
}

/*
 * The device model has started: qemu writes its state node, which
 * libxl's spawn waits for (spawn->xspath "device-model/<domid>/state",
 * under the dm's own domain: xenstore_record_dm_state()).  qemu-xen in
 * dom0 is the QMP peer, which writes it itself once it listens.
 */
static void dm_running(struct xs_handle *xs, unsigned int domid,
		       unsigned int dm_domid)
{
	char p[128];

	snprintf(p, sizeof(p), "/local/domain/%u/device-model/%u/state",
		 dm_domid, domid);
	if (!write_str(xs, XBT_NULL, p, "running"))
		die("write %s: %s", p, strerror(errno));
}

static void introduce(struct xs_handle *xs, unsigned int domid)
{
	/* Makes xenstored map the ring and bind the event channel, so it
	 * will fire @releaseDomain when the domain dies (check_domains()
	 * only reports introduced domains). */
	if (!xs_introduce_domain(xs, domid, 0, 1))
		die("introduce domain %u: %s", domid, strerror(errno));
}

static int domain_create(const struct host *h, unsigned int domid,
			 struct spec *sp)
{
	char path[700], dname[32], sname[160];
	struct xs_handle *xs;
	struct domfile d;
	long stub = -1;

	if (domid == 0 || domid >= 0x7ff0)
		die("domain create: invalid domid %u", domid);
	dom_file(h, domid, path, sizeof(path));
	if (access(path, F_OK) == 0)
		die("domain create: domain %u exists", domid);
	if (!sp->name) {
		snprintf(dname, sizeof(dname), "guest%u", domid);
		sp->name = dname;
	}
	if (sp->stubdom)
		stub = free_domid_after(h, domid);
	new_domfile(&d, sp, stub >= 0 ? stub : 0, -1);
	write_domfile(h, domid, &d);
	/* A stub domain has no configuration of its own (libxl_pci.c). */
	libxl_json_create(h, domid, sp->name, d.uuid, sp->type,
			  sp->passthrough);
	xs = xs_connect();
	if (stub >= 0) {
		/* libxl__spawn_stub_dm(): a PV domain "<name>-dm" */
		struct spec ss = {
			.name = sname, .pcifront = true, .passthrough = true,
			.type = "pv", .dm = "none",
		};

		snprintf(sname, sizeof(sname), "%s-dm", sp->name);
		new_domfile(&d, &ss, 0, domid);
		write_domfile(h, (unsigned int)stub, &d);
		introduce(xs, (unsigned int)stub);
		commit_create(xs, (unsigned int)stub, &ss, -1);
	}
	introduce(xs, domid);
	commit_create(xs, domid, sp, stub);
	/* qemu-xen in dom0 is the QMP peer, which writes its own state */
	if (!strcmp(sp->type, "hvm") && (stub >= 0 ||
					 strcmp(sp->dm, DM_QEMU_XEN)))
		dm_running(xs, domid, stub >= 0 ? (unsigned int)stub : 0);
	xs_close(xs);
	if (!strcmp(sp->type, "hvm") && stub < 0 &&
	    !strcmp(sp->dm, DM_QEMU_XEN) && qmp_start(h, domid, sp->ahci))
		die("domain create %u: the device model did not start",
		    domid);
	if (stub >= 0)
		printf("stub domain %ld\n", stub);
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

/*
 * libxl__destroy_domid(): the device model goes first
 * (libxl__destroy_device_model: a stub domain is destroyed as a domain
 * of its own, a local one is killed and its device-model/<domid>
 * directory removed), then the guest's xenstore, then the domain.
 */
static int domain_destroy(const struct host *h, unsigned int domid,
			  bool keep_xenstore)
{
	char path[700];
	struct xs_handle *xs;
	struct domfile d;

	if (read_domfile(h, domid, &d))
		die("domain destroy: no domain %u", domid);
	if (!strcmp(d.type, "hvm") && d.dm_domid == 0)
		qmp_stop(h, domid);
	if (!strcmp(d.type, "hvm") && d.dm_domid > 0 &&
	    read_domfile(h, (unsigned int)d.dm_domid, &(struct domfile){0}) == 0)
		domain_destroy(h, (unsigned int)d.dm_domid, keep_xenstore);
	xs = xs_connect();
	if (!strcmp(d.type, "hvm") && d.dm_domid == 0 && !keep_xenstore) {
		snprintf(path, sizeof(path), "/local/domain/0/device-model/%u",
			 domid);
		xs_rm(xs, XBT_NULL, path);
	}
	snprintf(path, sizeof(path), "/local/domain/%u", domid);
	if (!keep_xenstore && !xs_rm(xs, XBT_NULL, path) && errno != ENOENT)
		die("rm %s: %s", path, strerror(errno));
	snprintf(path, sizeof(path), "/libxl/%u", domid);
	if (!keep_xenstore)
		xs_rm(xs, XBT_NULL, path);
	copy(d.state, sizeof(d.state), "dying");
	write_domfile(h, domid, &d);
	virq_and_wait_release(h, xs);
	xs_close(xs);
	if (d.uuid[0])
		libxl_json_destroy(h, domid, d.uuid);
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
	struct xs_handle *xs;
	struct domfile d;

	if (read_domfile(h, domid, &d))
		die("domain %s: no domain %u", state, domid);
	copy(d.state, sizeof(d.state), state);
	write_domfile(h, domid, &d);
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
	struct domfile d;

	if (read_domfile(h, domid, &d))
		die("domain %s: no domain %u", pause ? "pause" : "unpause",
		    domid);
	copy(d.state, sizeof(d.state), pause ? "paused" : "running");
	write_domfile(h, domid, &d);
	notify_domains(domid, pause ? "paused" : "running");
	return 0;
}

static int domain_set(const struct host *h, unsigned int domid,
		      const char *kv)
{
	struct domfile d;

	if (read_domfile(h, domid, &d))
		die("domain set: no domain %u", domid);
	if (strcmp(kv, "pcifront=1") && strcmp(kv, "pcifront=0") &&
	    strcmp(kv, "pcifront=hung"))
		die("domain set: unknown setting '%s'", kv);
	copy(d.pcifront, sizeof(d.pcifront), kv + 9);
	write_domfile(h, domid, &d);
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

/* xl's device_model_version= names, and libxl's own. */
static const char *parse_dm(const char *s)
{
	if (!strcmp(s, "qemu-xen") || !strcmp(s, DM_QEMU_XEN))
		return DM_QEMU_XEN;
	if (!strcmp(s, "qemu-trad") || !strcmp(s, "qemu-xen-traditional") ||
	    !strcmp(s, DM_QEMU_TRAD))
		return DM_QEMU_TRAD;
	die("domain create: unknown device model '%s' (qemu-xen, qemu-trad)",
	    s);
}

/*
 * An HVM guest has no pcifront (passthrough goes through the device
 * model).  Without --dm, libxl's default: qemu-xen, or traditional in a
 * stub domain (libxl__domain_build_info_setdefault()).
 */
static void finish_spec(struct spec *sp, bool hvm, bool pvh, const char *dm)
{
	if (pvh && (hvm || dm || sp->stubdom))
		die("domain create: --pvh has no device model "
		    "(no --hvm, --dm or --stubdom)");
	if (pvh) {
		sp->type = "pvh";
		sp->dm = DM_QEMU_XEN;
		return;
	}
	if (!hvm && !dm && !sp->stubdom) {
		sp->type = "pv";
		sp->dm = "none";
		return;
	}
	sp->type = "hvm";
	sp->pcifront = false;
	sp->dm = dm ? dm : sp->stubdom ? DM_QEMU_TRAD : DM_QEMU_XEN;
}

int cmd_domain(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "name", required_argument, NULL, 'n' },
		{ "no-pcifront", no_argument, NULL, 'p' },
		{ "keep-xenstore", no_argument, NULL, 'k' },
		{ "no-passthrough", no_argument, NULL, 'P' },
		{ "hvm", no_argument, NULL, 'H' },
		{ "pvh", no_argument, NULL, 'V' },
		{ "dm", required_argument, NULL, 'D' },
		{ "stubdom", no_argument, NULL, 'S' },
		{ "no-ahci", no_argument, NULL, 'A' },
		{ NULL, 0, NULL, 0 },
	};
	struct spec sp = { .pcifront = true, .passthrough = true,
			   .ahci = true };
	const char *dir = NULL, *verb = NULL, *dm = NULL;
	bool keep = false, hvm = false, pvh = false;
	unsigned int domid = 0;
	struct host h;
	int c, pass;

	for (pass = 0; pass < 2; pass++) {
		while ((c = getopt_long(argc, argv, pass ? "" : "+", opts,
					NULL)) != -1) {
			switch (c) {
			case 'd': dir = optarg; break;
			case 'n': sp.name = optarg; break;
			case 'p': sp.pcifront = false; break;
			case 'k': keep = true; break;
			case 'P': sp.passthrough = false; break;
			case 'H': hvm = true; break;
			case 'V': pvh = true; break;
			case 'D': dm = parse_dm(optarg); break;
			case 'S': sp.stubdom = true; break;
			case 'A': sp.ahci = false; break;
			default: return 2;
			}
		}
		if (pass)
			break;
		if (argc - optind < 2)
			die("usage: simhost domain create|destroy|shutdown|"
			    "crash|set DOMID ...");
		verb = argv[optind];
		domid = parse_domid(argv[optind + 1]);
		optind += 2;
	}
	finish_spec(&sp, hvm, pvh, dm);
	host_init(&h, dir);
	host_setenv(&h);
	if (!strcmp(verb, "create"))
		return domain_create(&h, domid, &sp);
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
