/*
 * From a parsed request to the operation that serves it (ops.h), and
 * the R/devices it touched: the request table (request.c) knows neither.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cfgfile.h"
#include "config.h"
#include "libxl_pci.h"
#include "log.h"
#include "check.h"
#include "ops.h"
#include "policy.h"
#include "publish.h"
#include "reqio.h"
#include "reqparse.h"
#include "script.h"

/*
 * libxl__device_pci_assignable_add(): the name is written once the
 * device is on pciback, and an add without one removes an old one.
 */
static void add_name(const struct req_params *p, struct outcome *out)
{
	int rc;

	for (unsigned int i = 0; i < p->ndevs; i++) {
		rc = p->name[0] ? libxl_pci_set_name(&p->devs[i], p->name) :
				  libxl_pci_clear_name(&p->devs[i]);
		if (rc && p->name[0]) {
			char b[BDF_STR_LEN];

			out->err = -rc;
			snprintf(out->msg, sizeof(out->msg), "%s: assignable, "
				 "but its name is not stored: %s",
				 bdf_str(&p->devs[i], b), strerror(-rc));
		}
	}
}

/*
 * persistent=1, once the device changed hands: the configuration's
 * assignable gains or loses the spec.  The device stays where the
 * request put it when the file cannot be changed; the error says so.
 */
static void persist(const struct req_params *p, struct outcome *out)
{
	char spec[BDF_STR_LEN + 2], err[768];
	const struct bdf *b = &p->spec.devs[0];

	if (p->spec.wildcard)
		snprintf(spec, sizeof(spec), "%04x:%02x:%02x.*", b->dom,
			 b->bus, b->dev);
	else
		bdf_str(b, spec);
	if (!cfg.config_file) {
		out->err = ENOENT;
		snprintf(out->msg, sizeof(out->msg), "%s: done, but not "
			 "persistent: the agent runs without a configuration "
			 "file (--config)", spec);
		return;
	}
	if (cfgfile_edit_assignable(cfg.config_file, spec,
				    p->op == REQ_ADD, err, sizeof(err))) {
		out->err = EIO;
		snprintf(out->msg, sizeof(out->msg), "%s: done, but not "
			 "persistent: %s", spec, err);
		return;
	}
	log_info("%s: %s the persistent assignments in %s", spec,
		 p->op == REQ_ADD ? "in" : "out of", cfg.config_file);
}

/* What the request did to each of its devices, for R/devices/K. */
static void record_history(const struct req_params *p,
			   const struct outcome *out)
{
	char what[64];

	switch (p->op) {
	case REQ_ADD:
		snprintf(what, sizeof(what), "assignable-add%s",
			 p->force ? " force=1" : "");
		break;
	case REQ_REMOVE:
		snprintf(what, sizeof(what), "assignable-remove%s",
			 p->rebind ? " -r" : "");
		break;
	case REQ_ATTACH:
	case REQ_DETACH:
		snprintf(what, sizeof(what), "%s domain %u", p->op ==
			 REQ_ATTACH ? "attach" : "detach", p->domid);
		break;
	default:
		return;		/* list, check: nothing changed */
	}
	for (unsigned int i = 0; i < p->ndevs; i++)
		policy_history_add(&p->devs[i], what, out->err, out->msg);
}

void ops_run(const struct req_params *p, const char *id, bool replay,
	     const struct cancel *cancel, struct outcome *out)
{
	/* Every phase this thread runs uses the request's script. */
	out->err = -script_select(p->script, out->msg, sizeof(out->msg));
	if (out->err)
		return;
	switch (p->op) {
	case REQ_ADD:
		assignable_add(&p->spec, p->force, id, cancel, out);
		break;
	case REQ_REMOVE:
		assignable_remove(&p->spec, id, p->rebind, p->force, cancel,
				  out);
		break;
	case REQ_LIST:
		assignable_list(out);
		break;
	case REQ_ATTACH:
		pci_attach(p->domid, p->specs, p->nspecs, id, p->timeout,
			   replay, p->force, p->reset, cancel, out);
		break;
	case REQ_CHECK:
		pci_check(&p->spec, out);
		break;
	case REQ_DETACH:
		pci_detach(p->domid, &p->spec, id, p->force, p->timeout,
			   replay, cancel, out);
		break;
	default:
		out->err = EOPNOTSUPP;
		break;
	}
	if (!out->err && p->op == REQ_ADD)
		add_name(p, out);
	if (!out->err && p->persistent)
		persist(p, out);
	record_history(p, out);
}

static bool specs_seize(const struct req_params *p)
{
	for (unsigned int i = 0; i < p->nspecs; i++)
		if (p->specs[i].seize)
			return true;
	return false;
}

bool ops_can_join(const struct req_params *lead, const struct req_params *p,
		  unsigned int ndevs)
{
	return lead->op == REQ_ATTACH && p->op == REQ_ATTACH &&
	       p->domid == lead->domid && p->force == lead->force &&
	       p->reset == lead->reset && p->timeout == lead->timeout &&
	       !p->persistent && !lead->persistent &&
	       !strcmp(p->script, lead->script) && !specs_seize(lead) &&
	       !specs_seize(p) && ndevs + p->ndevs <= REQ_MAX_DEVS;
}

void ops_run_group(struct op_member *m, unsigned int n,
		   const struct cancel *any)
{
	const struct req_params *p0 = m[0].p;
	struct attach_req a[REQ_GROUP_MAX];
	int err;
	char msg[sizeof(m[0].out->msg)];

	if (n > REQ_GROUP_MAX)
		n = REQ_GROUP_MAX;
	/* One script for all: ops_can_join() wants the same. */
	err = -script_select(p0->script, msg, sizeof(msg));
	for (unsigned int i = 0; i < n; i++) {
		memset(m[i].out, 0, sizeof(*m[i].out));
		m[i].out->err = err;
		if (err)
			memcpy(m[i].out->msg, msg, sizeof(msg));
		a[i] = (struct attach_req){ .specs = m[i].p->specs,
			.nspecs = m[i].p->nspecs, .req = m[i].id,
			.cancel = m[i].cancel, .out = m[i].out };
	}
	if (err)
		return;
	pci_attach_group(p0->domid, a, n, p0->timeout, p0->force, p0->reset,
			 any);
	for (unsigned int i = 0; i < n; i++)
		record_history(m[i].p, m[i].out);
}

struct answers {
	struct op_member *m;
	unsigned int n;
};

static int answers_in(struct xs_handle *h, xs_transaction_t t, void *arg)
{
	struct answers *a = arg;
	int rc = 0;

	for (unsigned int i = 0; i < a->n && !rc; i++) {
		struct op_member *m = &a->m[i];

		m->out->answered = false;
		if (atomic_load(m->quiet) || cancel_is_set(m->cancel))
			continue;
		rc = reqio_answer_in(h, t, m->dir, m->p, m->out,
				     &m->out->answered);
	}
	return rc;
}

void ops_finish_group(struct op_member *m, unsigned int n)
{
	struct answers a = { .m = m, .n = n };
	static const struct bdf none;
	struct bdf all[REQ_MAX_DEVS];
	unsigned int nd = 0;

	all[0] = none;

	for (unsigned int i = 0; i < n; i++)
		for (unsigned int j = 0; j < m[i].p->ndevs &&
		     nd < REQ_MAX_DEVS; j++)
			all[nd++] = m[i].p->devs[j];
	if (publish_devices_then(all, nd, answers_in, &a))
		for (unsigned int i = 0; i < n; i++)
			m[i].out->answered = false;
}

/*
 * Only the devices the request named, so that a request costs the same
 * with 1 or 256 devices on pciback.  A list rewrites the tree: it picks
 * up what xl or a person changed.
 */
void ops_publish(const struct req_params *p)
{
	if (p->op == REQ_LIST)
		publish_all();
	else
		publish_devices(p->devs, p->ndevs);
}

struct answer {
	const char *dir;
	const struct req_params *p;
	struct outcome *out;
	const atomic_bool *quiet;
	const struct cancel *cancel;
};

static int answer_in(struct xs_handle *h, xs_transaction_t t, void *arg)
{
	struct answer *a = arg;

	a->out->answered = false;
	if (atomic_load(a->quiet) || cancel_is_set(a->cancel))
		return 0;
	return reqio_answer_in(h, t, a->dir, a->p, a->out,
			       &a->out->answered);
}

/*
 * The answer rides in R/devices' transaction: it is written after them
 * as PROTOCOL.md says, and costs no transaction of its own, nor the
 * loop's turn (issue 10).
 */
void ops_finish(const struct req_params *p, const char *dir,
		struct outcome *out, const atomic_bool *quiet,
		const struct cancel *cancel)
{
	struct answer a = { .dir = dir, .p = p, .out = out, .quiet = quiet,
			    .cancel = cancel };

	if (!dir || p->op == REQ_LIST) {
		ops_publish(p);
		return;
	}
	if (publish_devices_then(p->devs, p->ndevs, answer_in, &a))
		out->answered = false;
}
