/*
 * Request validation (agent/reqparse.c): every rule, with the message
 * and code a requester gets, the name= specs left to the caller, and
 * the resources a request queues on.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../../agent/reqparse.h"
#include "../../agent/sysfs.h"
#include "unit.h"

/* ------------------------------------------------------------ fakes */

static char logged[2048];

void log_msg(int prio, const char *fmt, ...)
{
	va_list ap;
	size_t l = strlen(logged);

	(void)prio;
	va_start(ap, fmt);
	vsnprintf(logged + l, sizeof(logged) - l, fmt, ap);
	va_end(ap);
}

/* 07:00.* has functions 0 and 1, as on the seed's NIC. */
int sysfs_functions(const struct bdf *slot, struct bdf *out,
		    unsigned int max, unsigned int *n)
{
	*n = 0;
	if (slot->bus != 7 || max < 2)
		return 0;
	for (unsigned int f = 0; f < 2; f++)
		out[(*n)++] = (struct bdf){ slot->dom, slot->bus, slot->dev,
					    f };
	return 0;
}

/* ---------------------------------------------------------- helpers */

static struct req_params p;

/* parse ID "k=v" ...: reqparse's result. */
static int parse(const char *id, ...)
{
	char *names[24], *vals[24], buf[24][128];
	const char *kv;
	unsigned int n = 0;
	va_list ap;

	reqparse_free(&p);
	va_start(ap, id);
	while ((kv = va_arg(ap, const char *)) && n < 24) {
		snprintf(buf[n], sizeof(buf[n]), "%s", kv);
		names[n] = buf[n];
		vals[n] = strchr(buf[n], '=');
		*vals[n]++ = '\0';
		n++;
	}
	va_end(ap);
	return reqparse(id, names, vals, n, &p);
}

static void refused(const char *what, int code, const char *msg, int rc)
{
	IS_INT(rc, code, "%s: refused with %d", what, code);
	IS_INT(p.err, code, "%s: p.err", what);
	IS(p.msg, msg, "%s: message", what);
}

#define REFUSED(what, code, msg, ...) \
	refused(what, code, msg, parse(__VA_ARGS__, NULL))

static const char *devs(void)
{
	static char s[256];
	char b[BDF_STR_LEN];

	s[0] = '\0';
	for (unsigned int i = 0; i < p.ndevs; i++) {
		strcat(s, bdf_str(&p.devs[i], b));
		strcat(s, " ");
	}
	return s;
}

/* ------------------------------------------------------------ tests */

static void ids(void)
{
	char long_id[80];

	REFUSED("ID with @", EINVAL, "invalid request ID 'bad@1': 1 to 64 of "
		"[A-Za-z0-9_-]", "bad@1", "op=assignable-list");
	memset(long_id, 'x', 65);
	long_id[65] = '\0';
	REFUSED("ID of 65", EINVAL, "invalid request ID: longer than 64",
		long_id, "op=assignable-list");
	IS(p.desc, "assignable-list", "an invalid ID still has a description");
	long_id[64] = '\0';
	IS_INT(parse(long_id, "op=assignable-list", NULL), 0, "ID of 64 is "
	       "fine");
	REFUSED("empty ID", EINVAL, "invalid request ID '': 1 to 64 of "
		"[A-Za-z0-9_-]", "", "op=assignable-list");
}

static void fields(void)
{
	REFUSED("unknown op", EOPNOTSUPP, "unknown op 'frobnicate': one of "
		"assignable-add, assignable-remove, assignable-list, attach, "
		"detach, check", "v1", "op=frobnicate");
	REFUSED("no op", EINVAL, "unknown op '': one of assignable-add, "
		"assignable-remove, assignable-list, attach, detach, check", "v1",
		"spec=07:00.0");
	logged[0] = '\0';
	IS_INT(parse("v2", "colour=blue", "op=assignable-list", NULL), 0,
	       "an unknown field is ignored");
	IS(logged, "request v2: ignoring unknown field 'colour'", "and logged");
	logged[0] = '\0';
	IS_INT(parse("v2", "status=running", "error=x", "code=EIO",
		     "result=", "op=assignable-list", NULL), 0,
	       "our own fields from an earlier run are not unknown");
	IS(logged, "", "and not logged");
	REFUSED("rebind=2", EINVAL, "invalid rebind '2': 0 or 1", "v3",
		"op=assignable-remove", "spec=07:00.0", "rebind=2");
	REFUSED("force=yes", EINVAL, "invalid force 'yes': 0 or 1", "v4",
		"op=assignable-remove", "spec=07:00.0", "force=yes");
	REFUSED("timeout=0", EINVAL, "invalid timeout '0': 1 to 86400 seconds",
		"v5", "op=assignable-add", "spec=07:00.0", "timeout=0");
	REFUSED("timeout=abc", EINVAL, "invalid timeout 'abc': 1 to 86400 "
		"seconds", "v6", "op=assignable-add", "spec=07:00.0",
		"timeout=abc");
	REFUSED("timeout=86401", EINVAL, "invalid timeout '86401': 1 to 86400 "
		"seconds", "v6", "op=assignable-add", "spec=07:00.0",
		"timeout=86401");
	REFUSED("domid=x1", EINVAL, "invalid domid 'x1'", "v7",
		"op=assignable-list", "domid=x1");
	REFUSED("domid=32752", EINVAL, "invalid domid '32752'", "v7",
		"op=detach", "spec=07:00.0", "domid=32752");
	IS_INT(parse("t1", "op=assignable-add", "spec=07:00.0", NULL), 0,
	       "a plain add");
	IS_INT(p.timeout, 30, "timeout defaults to 30 s");
	IS_INT(parse("t2", "op=assignable-remove", "spec=07:00.0",
		     "rebind=1", "force=1", "timeout=86400", NULL), 0,
	       "every field at its limit");
	CHECK(p.rebind && p.force && p.timeout == 86400 &&
	      p.op == REQ_REMOVE, "rebind, force, timeout, op");
	IS(p.desc, "assignable-remove 07:00.0", "description: op and spec");
}

static void specs(void)
{
	/* libxlutil would read past the string (tests/fuzz crashes). */
	REFUSED("attach spec-0=07:00=5", EINVAL, "invalid PCI_SPEC_STRING "
		"'07:00=5': expected [DDDD:]BB:SS.F[@VSLOT][,key=value...]",
		"c3", "op=attach", "domid=5", "spec-0=07:00=5");
	REFUSED("spec 07:00issive=:00.0,pebm3", EINVAL, "invalid "
		"PCI_SPEC_STRING '07:00issive=:00.0,pebm3': expected "
		"[DDDD:]BB:SS.F[@VSLOT][,key=value...]", "c4", "op=attach",
		"domid=5", "spec-0=07:00issive=:00.0,pebm3");
	REFUSED("name= twice", EINVAL, "invalid PCI_SPEC_STRING "
		"'name=a,name=b': expected [DDDD:]BB:SS.F[@VSLOT]"
		"[,key=value...]", "c5", "op=attach", "domid=5",
		"spec=name=a,name=b");
	REFUSED("add without spec", EINVAL, "assignable-add needs a spec "
		"(e.g. 07:00.0)", "v8", "op=assignable-add");
	REFUSED("bad spec", EINVAL, "invalid PCI_SPEC_STRING 'zz': expected "
		"[DDDD:]BB:SS.F[@VSLOT][,key=value...]", "v9",
		"op=assignable-add", "spec=zz");
	IS_INT(parse("w1", "op=assignable-add", "spec=07:00.*", NULL), 0,
	       "a wildcard");
	IS(devs(), "0000:07:00.0 0000:07:00.1 ", "expanded from sysfs");
	REFUSED("a list with a bad spec", EINVAL, "invalid PCI_SPEC_STRING "
		"'zz': expected [DDDD:]BB:SS.F[@VSLOT][,key=value...]", "l1",
		"op=assignable-list", "spec=zz");
	IS_INT(parse("l2", "op=assignable-list", "spec=07:00.0", NULL), 0,
	       "a list with a good spec");
	IS_INT(p.ndevs, 0, "names no device");
}

static void attach(void)
{
	REFUSED("attach without domid", EINVAL, "attach needs a domid", "v11",
		"op=attach", "spec=07:00.0");
	REFUSED("detach without domid", EINVAL, "detach needs a domid", "v11",
		"op=detach", "spec=07:00.0");
	REFUSED("spec and spec-0", EINVAL, "attach takes spec or spec-0, "
		"spec-1, ..., not both", "v12", "op=attach", "spec=07:00.0",
		"spec-0=07:00.1", "domid=1");
	REFUSED("a gap", EINVAL, "spec-1 is missing: number them from 0 "
		"without gaps", "v13", "op=attach", "spec-0=07:00.0",
		"spec-2=07:00.1", "domid=1");
	REFUSED("named twice", EINVAL, "0000:07:00.0 is named twice in one "
		"request", "v14", "op=attach", "spec-0=07:00.0",
		"spec-1=07:00.0", "domid=1");
	REFUSED("spec-16", EINVAL, "invalid field 'spec-16': spec-0 to "
		"spec-15", "v15", "op=attach", "spec-16=07:00.0", "domid=1");
	REFUSED("attach without spec", EINVAL, "attach needs a spec (e.g. "
		"07:00.0) or spec-0, spec-1, ...", "v16", "op=attach",
		"domid=1");
	IS_INT(parse("a1", "op=attach", "domid=5", "spec-1=08:00.0",
		     "spec-0=07:00.*", NULL), 0, "attach with spec-N");
	CHECK(p.spec_n && p.nspecs == 2 && p.domid == 5 && p.has_domid,
	      "spec_n, two specs, domid 5");
	IS(devs(), "0000:07:00.0 0000:07:00.1 0000:08:00.0 ",
	   "every function of every spec, in spec order");
}

static void names(void)
{
	struct bdf nic0 = { 0, 7, 0, 1 };
	struct spec *sp;

	REFUSED("add by name", EINVAL, "assignable-add needs a BDF, not "
		"name=nic0 alone", "n1", "op=assignable-add",
		"spec=name=nic0");
	IS_INT(parse("n2", "op=assignable-remove", "spec=name=nic0", NULL),
	       0, "remove by name parses");
	sp = reqparse_unresolved(&p);
	CHECK(sp && !strcmp(sp->name, "nic0") && p.unresolved == 1,
	      "and is left unresolved");
	IS_INT(p.ndevs, 0, "with no device yet");
	IS_INT(reqparse_resolve(&p, sp, NULL), ENODEV, "no such name: ENODEV");
	IS(p.msg, "no device is named 'nic0' (/libxl/pci/*/name)",
	   "message for no such name");
	parse("n3", "op=assignable-remove", "spec=name=nic0", NULL);
	IS_INT(reqparse_resolve(&p, reqparse_unresolved(&p), &nic0), 0,
	       "a name resolved");
	IS(devs(), "0000:07:00.1 ", "names its device");
	CHECK(!reqparse_unresolved(&p), "nothing left to resolve");
	parse("n4", "op=attach", "domid=5", "spec-0=07:00.1",
	      "spec-1=name=nic0", NULL);
	IS_INT(reqparse_resolve(&p, reqparse_unresolved(&p), &nic0), EINVAL,
	       "a name that resolves to a device named already");
	IS(p.msg, "0000:07:00.1 is named twice in one request", "says so");
}

static void resources(void)
{
	struct qres r[REQ_MAX_DEVS + 1];
	unsigned int n;

	parse("r1", "op=attach", "domid=5", "spec=07:00.*", NULL);
	n = reqparse_resources(&p, r);
	CHECK(n == 3 && r[0].kind == QRES_DEV && r[1].kind == QRES_DEV &&
	      r[2].kind == QRES_DOM && r[2].domid == 5,
	      "attach: its devices and its guest");
	parse("r2", "op=detach", "domid=6", "spec=07:00.0", NULL);
	n = reqparse_resources(&p, r);
	CHECK(n == 2 && r[1].kind == QRES_DOM && r[1].domid == 6,
	      "detach: its device and its guest");
	parse("r3", "op=assignable-add", "spec=07:00.0", NULL);
	IS_INT(reqparse_resources(&p, r), 1, "add: its device only");
	parse("r4", "op=assignable-list", NULL);
	IS_INT(reqparse_resources(&p, r), 0, "list: none");
	CHECK(reqparse_final("ok") && reqparse_final("error") &&
	      !reqparse_final("running") && !reqparse_final(NULL),
	      "ok and error are final, nothing else");
}

int main(void)
{
	ids();
	fields();
	specs();
	attach();
	names();
	resources();
	reqparse_free(&p);
	return unit_done();
}
