/*
 * Request validation: the fields of R/requests/<ID>/, read once in one
 * transaction by reqio.c, checked here.  A bad value is refused with
 * EINVAL and a message saying which field and what it may be; a bad
 * spec with libxlutil's reason.  A field name the agent does not know
 * is logged and ignored (PROTOCOL.md section 13: additive extensions).
 *
 * Pure: nothing here reads xenstore or keeps state, so that every rule
 * is unit-tested (tests/unit/test-reqparse.c).  `name=` names a device
 * through libxl's records, which only the I/O side can read: such a spec
 * stays unresolved until the caller hands in the device.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "reqparse.h"

static const struct {
	const char *name;
	enum req_op op;
} ops[] = {
	{ XENPCI_OP_ASSIGNABLE_ADD, REQ_ADD },
	{ XENPCI_OP_ASSIGNABLE_REMOVE, REQ_REMOVE },
	{ XENPCI_OP_ASSIGNABLE_LIST, REQ_LIST },
	{ XENPCI_OP_ATTACH, REQ_ATTACH },
	{ XENPCI_OP_DETACH, REQ_DETACH },
};
#define NOPS	(sizeof(ops) / sizeof(*ops))

int reqparse_fail(struct req_params *p, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->msg, sizeof(p->msg), fmt, ap);
	va_end(ap);
	p->err = err;
	return err;
}

void reqparse_free(struct req_params *p)
{
	spec_free(&p->spec);
	for (unsigned int i = 0; i < p->nspecs; i++)
		spec_free(&p->specs[i]);
}

static bool valid_id(const char *id)
{
	size_t n = strlen(id);

	if (n < 1 || n > XENPCI_REQ_ID_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)id[i]) && id[i] != '_' &&
		    id[i] != '-')
			return false;
	return true;
}

static bool parse_uint(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	if (!*s || !isdigit((unsigned char)*s) || strlen(s) > 10)
		return false;
	errno = 0;
	*v = strtoul(s, &end, 10);
	return !errno && !*end && *v <= max;
}

static bool parse_bool(const char *s, bool *b)
{
	if (!strcmp(s, "0") || !strcmp(s, "1")) {
		*b = s[0] == '1';
		return true;
	}
	return false;
}

/* Every device of the request, once: its place in the device queues. */
static int collect_devs(struct req_params *p)
{
	const struct spec *specs = p->op == REQ_ATTACH ? p->specs : &p->spec;
	unsigned int nspecs = p->op == REQ_ATTACH ? p->nspecs : 1;
	char bdf[BDF_STR_LEN];

	p->ndevs = 0;
	for (unsigned int i = 0; i < nspecs; i++)
		for (unsigned int j = 0; j < specs[i].ndevs; j++) {
			const struct bdf *b = &specs[i].devs[j];

			for (unsigned int k = 0; k < p->ndevs; k++)
				if (bdf_eq(&p->devs[k], b))
					return reqparse_fail(p, EINVAL, "%s is "
						"named twice in one request",
						bdf_str(b, bdf));
			p->devs[p->ndevs++] = *b;
		}
	return 0;
}

static int parse_one_spec(struct req_params *p, const char *str,
			  struct spec *sp)
{
	char err[768];
	int rc;

	rc = spec_parse(str, sp, err, sizeof(err));
	if (rc)
		return reqparse_fail(p, rc, "%s", err);
	if (sp->name && p->op == REQ_ADD)
		return reqparse_fail(p, EINVAL, "assignable-add needs a BDF, "
				     "not name=%s alone", sp->name);
	if (sp->name)
		p->unresolved++;
	return 0;
}

struct spec *reqparse_unresolved(struct req_params *p)
{
	struct spec *specs = p->op == REQ_ATTACH ? p->specs : &p->spec;
	unsigned int nspecs = p->op == REQ_ATTACH ? p->nspecs : 1;

	if (!p->unresolved)
		return NULL;
	for (unsigned int i = 0; i < nspecs; i++)
		if (specs[i].name && !specs[i].ndevs)
			return &specs[i];
	return NULL;
}

int reqparse_resolve(struct req_params *p, struct spec *sp,
		     const struct bdf *b)
{
	if (!b)
		return reqparse_fail(p, ENODEV, "no device is named '%s' "
				     "(/libxl/pci/*/name)", sp->name);
	sp->devs[0] = *b;
	sp->ndevs = 1;
	if (--p->unresolved)
		return 0;
	return collect_devs(p);
}

/* attach: `spec`, or `spec-0` .. `spec-N` without gaps, not both. */
static int attach_specs(struct req_params *p, const char *spec,
			char *const *names, char *const *vals, unsigned int n)
{
	const char *by_index[XENPCI_ATTACH_MAX_SPECS] = { NULL };
	unsigned int count = 0, i;
	unsigned long idx;
	int rc;

	for (i = 0; i < n; i++) {
		if (strncmp(names[i], "spec-", 5) || !vals[i])
			continue;
		if (!parse_uint(names[i] + 5, XENPCI_ATTACH_MAX_SPECS - 1,
				&idx))
			return reqparse_fail(p, EINVAL, "invalid field "
				"'%.64s': spec-0 to spec-%d", names[i],
				XENPCI_ATTACH_MAX_SPECS - 1);
		by_index[idx] = vals[i];
		count++;
	}
	if (spec && count)
		return reqparse_fail(p, EINVAL, "attach takes spec or spec-0, "
				     "spec-1, ..., not both");
	if (!spec && !count)
		return reqparse_fail(p, EINVAL, "attach needs a spec (e.g. "
				     "07:00.0) or spec-0, spec-1, ...");
	if (spec) {
		by_index[0] = spec;
		count = 1;
	}
	p->spec_n = !spec;
	for (i = 0; i < count; i++) {
		if (!by_index[i])
			return reqparse_fail(p, EINVAL, "spec-%u is missing: "
				"number them from 0 without gaps", i);
		rc = parse_one_spec(p, by_index[i], &p->specs[i]);
		p->nspecs = i + 1;
		if (rc)
			return rc;
	}
	return p->unresolved ? 0 : collect_devs(p);
}

/*
 * script=: a file name, never a path (a requester in another domain
 * must not run any program it likes in dom0); script.c checks that
 * the file is in the script directory when the request runs.
 */
static bool valid_script(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n > XENPCI_REQ_SCRIPT_MAX || s[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("_.-", s[i]))
			return false;
	return true;
}

static bool known_other(const char *k)
{
	/* Ours from an earlier run, or attach's spec-N. */
	return !strcmp(k, XENPCI_REQ_STATUS) || !strcmp(k, XENPCI_REQ_ERROR) ||
	       !strcmp(k, XENPCI_REQ_CODE) || !strcmp(k, XENPCI_REQ_RESULT) ||
	       !strncmp(k, XENPCI_REQ_SPEC_N_PREFIX,
			strlen(XENPCI_REQ_SPEC_N_PREFIX));
}

/* One field other than op and spec: 0, or EINVAL. */
static int parse_field(struct req_params *p, const char *id, const char *k,
		       const char *val)
{
	unsigned long v;

	if (!strcmp(k, XENPCI_REQ_REBIND)) {
		if (!parse_bool(val, &p->rebind))
			return reqparse_fail(p, EINVAL, "invalid rebind "
					     "'%.40s': 0 or 1", val);
	} else if (!strcmp(k, XENPCI_REQ_FORCE)) {
		if (!parse_bool(val, &p->force))
			return reqparse_fail(p, EINVAL, "invalid force "
					     "'%.40s': 0 or 1", val);
	} else if (!strcmp(k, XENPCI_REQ_TIMEOUT)) {
		if (!parse_uint(val, 86400, &v) || !v)
			return reqparse_fail(p, EINVAL, "invalid timeout "
				"'%.40s': 1 to 86400 seconds", val);
		p->timeout = v;
	} else if (!strcmp(k, XENPCI_REQ_DOMID)) {
		if (!parse_uint(val, 0x7fef, &v))
			return reqparse_fail(p, EINVAL, "invalid domid "
					     "'%.40s'", val);
		p->domid = (unsigned int)v;
		p->has_domid = true;
	} else if (!strcmp(k, XENPCI_REQ_SCRIPT)) {
		if (!valid_script(val))
			return reqparse_fail(p, EINVAL, "invalid script "
				"'%.64s': the name of a file in the agent's "
				"script directory ([A-Za-z0-9_.-], not "
				"starting with '.', at most %d)", val,
				XENPCI_REQ_SCRIPT_MAX);
		snprintf(p->script, sizeof(p->script), "%s", val);
	} else if (!known_other(k)) {
		/*
		 * PROTOCOL.md section 13: agents ignore request fields they
		 * do not know, so that a newer requester's optional
		 * additions stay harmless.
		 */
		log_warn("request %s: ignoring unknown field '%.64s'", id, k);
	}
	return 0;
}

static int parse_op(struct req_params *p, const char *op, const char *spec)
{
	unsigned int i;

	for (i = 0; op && i < NOPS; i++)
		if (!strcmp(op, ops[i].name))
			break;
	if (!op || i == NOPS)
		return reqparse_fail(p, EINVAL, "unknown op '%.64s': one of "
				     "assignable-add, assignable-remove, "
				     "assignable-list, attach, detach",
				     op ? op : "");
	p->op = ops[i].op;
	snprintf(p->desc, sizeof(p->desc), "%s%s%.100s", op, spec ? " " : "",
		 spec ? spec : "");
	if ((p->op == REQ_ATTACH || p->op == REQ_DETACH) && !p->has_domid)
		return reqparse_fail(p, EINVAL, "%s needs a domid", op);
	return 0;
}

static int parse_spec(struct req_params *p, const char *spec)
{
	char err[768];
	int rc;

	if (p->op == REQ_LIST) {
		/* A spec is not used by a list, but it must still be valid. */
		if (spec && spec_parse(spec, &p->spec, err, sizeof(err)) &&
		    !p->spec.wildcard)
			return reqparse_fail(p, EINVAL, "%s", err);
		spec_free(&p->spec);
		memset(&p->spec, 0, sizeof(p->spec));
		return 0;
	}
	if (!spec)
		return reqparse_fail(p, EINVAL, "%s needs a spec (e.g. "
				     "07:00.0)", p->desc);
	rc = parse_one_spec(p, spec, &p->spec);
	if (rc || p->unresolved)
		return rc;
	return collect_devs(p);
}

static const char *field(char *const *names, char *const *vals,
			 unsigned int n, const char *name)
{
	for (unsigned int i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return vals[i];
	return NULL;
}

static int check_id(struct req_params *p, const char *id)
{
	if (strlen(id) > XENPCI_REQ_ID_MAX)
		return reqparse_fail(p, EINVAL, "invalid request ID: longer "
				     "than %d", XENPCI_REQ_ID_MAX);
	if (!valid_id(id))
		return reqparse_fail(p, EINVAL, "invalid request ID '%.80s': "
				     "1 to %d of [A-Za-z0-9_-]", id,
				     XENPCI_REQ_ID_MAX);
	return 0;
}

int reqparse(const char *id, char *const *names, char *const *vals,
	     unsigned int n, struct req_params *p)
{
	const char *op = field(names, vals, n, XENPCI_REQ_OP);
	const char *spec = field(names, vals, n, XENPCI_REQ_SPEC);
	int rc;

	memset(p, 0, sizeof(*p));
	p->timeout = XENPCI_REQ_TIMEOUT_DEFAULT;
	snprintf(p->desc, sizeof(p->desc), "%.100s", op ? op : "");
	rc = check_id(p, id);
	for (unsigned int i = 0; !rc && i < n; i++)
		if (vals[i] && strcmp(names[i], XENPCI_REQ_OP) &&
		    strcmp(names[i], XENPCI_REQ_SPEC))
			rc = parse_field(p, id, names[i], vals[i]);
	if (!rc)
		rc = parse_op(p, op, spec);
	if (!rc && p->op == REQ_ATTACH)
		return attach_specs(p, spec, names, vals, n);
	if (!rc)
		rc = parse_spec(p, spec);
	return rc;
}

unsigned int reqparse_resources(const struct req_params *p, struct qres *res)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < p->ndevs; i++)
		res[n++] = (struct qres){ .kind = QRES_DEV, .bdf = p->devs[i] };
	/* pciback reconfigures one backend at a time. */
	if (p->op == REQ_ATTACH || p->op == REQ_DETACH || p->op == REQ_CLEANUP)
		res[n++] = (struct qres){ .kind = QRES_DOM, .domid = p->domid };
	return n;
}

bool reqparse_final(const char *status)
{
	return status && (!strcmp(status, XENPCI_STATUS_OK) ||
			  !strcmp(status, XENPCI_STATUS_ERROR));
}
