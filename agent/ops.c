/*
 * From a parsed request to the operation that serves it (ops.h), and
 * the R/devices it touched: the request table (request.c) knows neither.
 */
#include <errno.h>

#include "ops.h"
#include "publish.h"
#include "reqio.h"
#include "reqparse.h"
#include "script.h"

void ops_run(const struct req_params *p, const char *id, bool replay,
	     const struct cancel *cancel, struct outcome *out)
{
	/* Every phase this thread runs uses the request's script. */
	out->err = -script_select(p->script, out->msg, sizeof(out->msg));
	if (out->err)
		return;
	switch (p->op) {
	case REQ_ADD:
		assignable_add(&p->spec, id, cancel, out);
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
			   replay, cancel, out);
		break;
	case REQ_DETACH:
		pci_detach(p->domid, &p->spec, id, p->force, p->timeout,
			   replay, cancel, out);
		break;
	default:
		out->err = EOPNOTSUPP;
		break;
	}
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
