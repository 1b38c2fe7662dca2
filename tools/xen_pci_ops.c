/*
 * The request commands: build the request, submit it, wait for the
 * final status, print it, map it to the exit code.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xen_pci.h"

/* Prints the op-specific part of a successful answer. */
typedef void (*print_fn)(const struct xp_opts *o,
			 const struct xenpci_reply *rep, bool *first,
			 void *arg);

static void json_begin(const struct xenpci_request *req, bool *first,
		       const char *status)
{
	fputc('{', stdout);
	*first = true;
	xp_json_kv(stdout, first, "id", req ? xenpci_request_id(req) : NULL);
	xp_json_kv(stdout, first, "op", req ? xenpci_request_op(req) : NULL);
	xp_json_kv(stdout, first, "status", status);
}

/*
 * A failure before or instead of a final status: "xen-pci: WHAT: STEP:
 * MSG" on stderr, and with --json the object with status jstatus.
 */
static int fail(const struct xp_opts *o, const struct xenpci_request *req,
		const char *jstatus, int code, const char *what,
		const char *step, const char *msg)
{
	bool first;

	fprintf(stderr, "%s: %s: %s%s%s\n", xp_prog, what, step,
		*step ? ": " : "", msg);
	if (o->json) {
		json_begin(req, &first, jstatus);
		xp_json_kv(stdout, &first, "error", msg);
		xp_json_kv(stdout, &first, "code", NULL);
		fputs("}\n", stdout);
	}
	return code;
}

static int run_request(const struct xp_opts *o, struct xenpci_request *req,
		       const char *what, print_fn print, void *arg)
{
	struct xenpci_reply *rep = NULL;
	struct xenpci_client *c;
	bool first = true;
	unsigned int i;
	int rc;

	rc = xenpci_request_setf(req, XENPCI_REQ_TIMEOUT, "%u", o->timeout);
	if (!rc && o->script)
		rc = xenpci_request_set(req, XENPCI_REQ_SCRIPT, o->script);
	if (rc)
		return fail(o, req, "xenstore-error", XP_EXIT_XENSTORE,
			    what, "build the request", strerror(-rc));
	c = xenpci_client_open(o->agent_domid);
	if (!c)
		return fail(o, req, "xenstore-error", XP_EXIT_XENSTORE,
			    what, "connect to xenstore", strerror(errno));

	rc = xenpci_call(c, req, o->timeout * 1000U + XP_GRACE_MS, &rep);
	if (rc == -EHOSTDOWN) {
		rc = fail(o, req, "no-agent", XP_EXIT_NO_AGENT,
			  what, "no agent is serving",
			  xenpci_client_errmsg(c));
		goto out;
	}
	if (rc == -ETIMEDOUT) {
		char msg[768];

		snprintf(msg, sizeof(msg),
			 "%s (request %s removed; the operation may still complete, check with assignable-list or list)",
			 xenpci_client_errmsg(c), xenpci_request_id(req));
		rc = fail(o, req, "timeout", XP_EXIT_NO_AGENT,
			  what, "no answer from the agent", msg);
		goto out;
	}
	if (rc < 0) {
		rc = fail(o, req, "xenstore-error", XP_EXIT_XENSTORE, what, "",
			  xenpci_client_errmsg(c));
		goto out;
	}

	if (!xenpci_reply_ok(rep))
		fprintf(stderr, "%s: %s: %s (%s)\n", xp_prog, what,
			rep->error ? rep->error : "the agent gave no message",
			rep->code ? rep->code : "no code");
	if (o->json) {
		json_begin(req, &first, rep->status);
		xp_json_kv(stdout, &first, "error", rep->error);
		xp_json_kv(stdout, &first, "code", rep->code);
		xp_json_key(stdout, &first, "result");
		fputc('{', stdout);
		for (i = 0; i < rep->nresults; i++) {
			bool rfirst = i == 0;

			xp_json_kv(stdout, &rfirst, rep->results[i].key,
				   rep->results[i].value);
		}
		fputc('}', stdout);
	}
	if (xenpci_reply_ok(rep) && print)
		print(o, rep, &first, arg);
	if (o->json)
		fputs("}\n", stdout);
	rc = xenpci_reply_ok(rep) ? XP_EXIT_OK : XP_EXIT_AGENT_ERROR;
out:
	xenpci_reply_free(rep);
	xenpci_client_close(c);
	return rc;
}

static struct xenpci_request *new_request(const char *op)
{
	struct xenpci_request *req = xenpci_request_new(op);

	if (!req)
		fprintf(stderr, "%s: %s: %s\n", xp_prog, op, strerror(errno));
	return req;
}

static int check_spec(const char *cmd, const char *spec)
{
	const char *why;

	if (!xp_spec_ok(spec, &why))
		return xp_usage_error("%s: SPEC '%s' %s", cmd, spec, why);
	return 0;
}

static int set_or_die(struct xenpci_request *req, const char *key,
		      const char *val)
{
	int rc = xenpci_request_set(req, key, val);

	if (rc)
		fprintf(stderr, "%s: set %s: %s\n", xp_prog, key,
			strerror(-rc));
	return rc;
}

/* ------------------------------------------------------------------ */

static int one_spec_op(const struct xp_opts *o, int argc, char **argv,
		       const char *op, const char *flagkey)
{
	struct xenpci_request *req;
	char what[XP_SPEC_MAX + 64];
	int rc;

	if (argc != 1)
		return xp_usage_error("%s: expected exactly one SPEC, got %d",
				      op, argc);
	rc = check_spec(op, argv[0]);
	if (rc)
		return rc;
	req = new_request(op);
	if (!req)
		return XP_EXIT_XENSTORE;
	if (set_or_die(req, XENPCI_REQ_SPEC, argv[0]) ||
	    (flagkey && set_or_die(req, flagkey, "1")) ||
	    (o->persistent && set_or_die(req, XENPCI_REQ_PERSISTENT, "1")) ||
	    (o->name && set_or_die(req, XENPCI_REQ_NAME, o->name))) {
		xenpci_request_free(req);
		return XP_EXIT_XENSTORE;
	}
	snprintf(what, sizeof(what), "%s %s", op, argv[0]);
	rc = run_request(o, req, what, NULL, NULL);
	xenpci_request_free(req);
	return rc;
}

int xp_cmd_assignable_add(const struct xp_opts *o, int argc, char **argv)
{
	return one_spec_op(o, argc, argv, XENPCI_OP_ASSIGNABLE_ADD,
			   o->force ? XENPCI_REQ_FORCE : NULL);
}

/*
 * xl's pciassignable_remove(): what does not parse as a BDF is a name
 * given by assignable-add -n (libxl's name2bdf()).
 */
int xp_cmd_assignable_remove(const struct xp_opts *o, int argc, char **argv)
{
	char bdf[XENPCI_BDF_LEN], *spec[1];
	struct xenpci_bdf b;

	if (argc == 1 && !strchr(argv[0], ':') && !strchr(argv[0], ',') &&
	    xenpci_bdf_parse(argv[0], &b)) {
		if (xp_name_to_bdf(argv[0], bdf)) {
			fprintf(stderr, "%s: assignable-remove: no device is "
				"named '%s' (xl pci-assignable-add -n)\n",
				xp_prog, argv[0]);
			return XP_EXIT_AGENT_ERROR;
		}
		spec[0] = bdf;
		argv = spec;
	}
	return one_spec_op(o, argc, argv, XENPCI_OP_ASSIGNABLE_REMOVE,
			   o->rebind ? XENPCI_REQ_REBIND : NULL);
}

/* ------------------------------------------------------------------ */

static void print_assignable(const struct xp_opts *o,
			     const struct xenpci_reply *rep, bool *first,
			     void *arg)
{
	char bdf[XENPCI_BDF_LEN];
	struct xenpci_bdf b;
	bool dfirst = true;
	unsigned int i;

	(void)arg;
	if (o->json) {
		xp_json_key(stdout, first, "devices");
		fputc('[', stdout);
	}
	/* results are sorted by key, and keys sort like BDFs */
	for (i = 0; i < rep->nresults; i++) {
		const struct xenpci_result *r = &rep->results[i];

		if (xenpci_key_parse(r->key, &b))
			continue;	/* not a device: a later addition */
		xenpci_bdf_str(&b, bdf);
		if (!o->json) {
			/* xl's pciassignable_list(): "%s %s\n", name or "". */
			char *name = o->show_names ? xp_device_name(r->key) :
						     NULL;

			printf("%s %s\n", bdf, name ? name : "");
			free(name);
			continue;
		}
		if (!dfirst)
			fputc(',', stdout);
		dfirst = false;
		fputc('{', stdout);
		{
			bool f = true;

			xp_json_kv(stdout, &f, "bdf", bdf);
			xp_json_kv(stdout, &f, "key", r->key);
			xp_json_kv(stdout, &f, "driver", r->value);
			if (o->show_names) {
				char *name = xp_device_name(r->key);

				xp_json_kv(stdout, &f, "name", name);
				free(name);
			}
		}
		fputc('}', stdout);
	}
	if (o->json)
		fputc(']', stdout);
}

int xp_cmd_assignable_list(const struct xp_opts *o, int argc, char **argv)
{
	struct xenpci_request *req;
	int rc;

	(void)argv;
	if (argc != 0)
		return xp_usage_error("assignable-list: takes no arguments");
	req = new_request(XENPCI_OP_ASSIGNABLE_LIST);
	if (!req)
		return XP_EXIT_XENSTORE;
	rc = run_request(o, req, "assignable-list", print_assignable, NULL);
	xenpci_request_free(req);
	return rc;
}

/* ------------------------------------------------------------------ */

struct attach_args {
	int nspecs;
	char **specs;
};

static void print_attach(const struct xp_opts *o,
			 const struct xenpci_reply *rep, bool *first,
			 void *arg)
{
	const struct attach_args *a = arg;
	char key[32], buf[32];
	int i;

	if (o->json) {
		xp_json_key(stdout, first, "vdevs");
		fputc('[', stdout);
	}
	for (i = 0; i < a->nspecs; i++) {
		const char *vdev;

		if (a->nspecs == 1)
			snprintf(key, sizeof(key), "%s", XENPCI_RES_VDEV);
		else
			snprintf(key, sizeof(key), XENPCI_RES_VDEV_N_FMT, i);
		vdev = xenpci_reply_result(rep, key);
		if (o->json) {
			if (i)
				fputc(',', stdout);
			xp_json_str(stdout, vdev);
			continue;
		}
		if (!vdev)
			continue;
		printf("%s: vdev %s\n", a->specs[i],
		       xp_vdev_str(vdev, buf, sizeof(buf)));
	}
	if (o->json)
		fputc(']', stdout);
}

int xp_cmd_attach(const struct xp_opts *o, int argc, char **argv)
{
	struct attach_args a = { .nspecs = argc - 1, .specs = argv + 1 };
	char what[64], key[32];
	struct xenpci_request *req;
	unsigned int domid;
	int rc, i;

	if (argc < 2)
		return xp_usage_error("attach: expected DOMAIN SPEC...");
	rc = xp_resolve_domain("attach", argv[0], &domid);
	if (rc)
		return rc;
	if (a.nspecs > XENPCI_ATTACH_MAX_SPECS)
		return xp_usage_error("attach: too many SPECs (%d, at most %d)",
				      a.nspecs, XENPCI_ATTACH_MAX_SPECS);
	for (i = 0; i < a.nspecs; i++) {
		rc = check_spec("attach", a.specs[i]);
		if (rc)
			return rc;
	}
	req = new_request(XENPCI_OP_ATTACH);
	if (!req)
		return XP_EXIT_XENSTORE;
	rc = xenpci_request_setf(req, XENPCI_REQ_DOMID, "%u", domid);
	for (i = 0; rc == 0 && i < a.nspecs; i++) {
		/* one spec: "spec"; several: "spec-0", "spec-1", ... */
		if (a.nspecs == 1)
			snprintf(key, sizeof(key), "%s", XENPCI_REQ_SPEC);
		else
			snprintf(key, sizeof(key), XENPCI_REQ_SPEC_N_FMT, i);
		rc = set_or_die(req, key, a.specs[i]);
	}
	if (!rc && o->force)
		rc = set_or_die(req, XENPCI_REQ_FORCE, "1");
	if (rc) {
		xenpci_request_free(req);
		return XP_EXIT_XENSTORE;
	}
	if (a.nspecs == 1)
		snprintf(what, sizeof(what), "attach %u %.40s", domid,
			 a.specs[0]);
	else
		snprintf(what, sizeof(what), "attach %u (%d devices)", domid,
			 a.nspecs);
	rc = run_request(o, req, what, print_attach, &a);
	xenpci_request_free(req);
	return rc;
}

int xp_cmd_detach(const struct xp_opts *o, int argc, char **argv)
{
	struct xenpci_request *req;
	char what[XP_SPEC_MAX + 64];
	unsigned int domid;
	int rc;

	if (argc != 2)
		return xp_usage_error("detach: expected DOMAIN SPEC");
	rc = xp_resolve_domain("detach", argv[0], &domid);
	if (rc)
		return rc;
	rc = check_spec("detach", argv[1]);
	if (rc)
		return rc;
	req = new_request(XENPCI_OP_DETACH);
	if (!req)
		return XP_EXIT_XENSTORE;
	if (xenpci_request_setf(req, XENPCI_REQ_DOMID, "%u", domid) ||
	    set_or_die(req, XENPCI_REQ_SPEC, argv[1]) ||
	    (o->force && set_or_die(req, XENPCI_REQ_FORCE, "1"))) {
		xenpci_request_free(req);
		return XP_EXIT_XENSTORE;
	}
	snprintf(what, sizeof(what), "detach %u %s", domid, argv[1]);
	rc = run_request(o, req, what, NULL, NULL);
	xenpci_request_free(req);
	return rc;
}

/* ------------------------------------------------------------------ */

/* check: "iommu: on", then each device's fields under its BDF. */
static void print_check(const struct xp_opts *o,
			const struct xenpci_reply *rep, bool *first,
			void *arg)
{
	char last[XENPCI_BDF_LEN] = "", key[64], bdf[XENPCI_BDF_LEN];
	struct xenpci_bdf b;
	unsigned int i;
	char *us;

	(void)arg;
	(void)first;
	if (o->json)
		return;		/* result{} has every field */
	for (i = 0; i < rep->nresults; i++)	/* the host's first */
		if (!strchr(rep->results[i].key, '_'))
			printf("%s: %s\n", rep->results[i].key,
			       rep->results[i].value);
	for (i = 0; i < rep->nresults; i++) {
		const struct xenpci_result *r = &rep->results[i];

		snprintf(key, sizeof(key), "%s", r->key);
		us = strchr(key, '_');
		if (!us)
			continue;
		*us = '\0';
		if (xenpci_key_parse(key, &b))
			continue;
		xenpci_bdf_str(&b, bdf);
		if (strcmp(bdf, last))
			printf("%s:\n", bdf);
		snprintf(last, sizeof(last), "%s", bdf);
		printf("  %-9s %s\n", us + 1, r->value[0] ? r->value : "-");
	}
}

int xp_cmd_check(const struct xp_opts *o, int argc, char **argv)
{
	struct xenpci_request *req;
	char what[XP_SPEC_MAX + 64];
	int rc;

	if (argc != 1)
		return xp_usage_error("check: expected exactly one SPEC, got "
				      "%d", argc);
	rc = check_spec("check", argv[0]);
	if (rc)
		return rc;
	req = new_request(XENPCI_OP_CHECK);
	if (!req)
		return XP_EXIT_XENSTORE;
	if (set_or_die(req, XENPCI_REQ_SPEC, argv[0])) {
		xenpci_request_free(req);
		return XP_EXIT_XENSTORE;
	}
	snprintf(what, sizeof(what), "check %s", argv[0]);
	rc = run_request(o, req, what, print_check, NULL);
	xenpci_request_free(req);
	return rc;
}
