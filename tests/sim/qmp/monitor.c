/*
 * The QMP monitor: monitor/qmp.c (monitor_qmp_event, handle_qmp_command,
 * monitor_qmp_dispatch, qmp_greeting) and qapi/qmp-dispatch.c
 * (qmp_dispatch) of QEMU 7.2, for one chardev.  Input is split into
 * JSON values the way qobject/json-streamer.c does it (a value ends
 * when its braces and brackets balance), each parsed with yajl.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "qmp.h"

/* Debian 12's qemu-system-xen, as the real-Xen tier runs it. */
#define QEMU_MAJOR 7
#define QEMU_MINOR 2
#define QEMU_MICRO 22
#define QEMU_PACKAGE "Debian 1:7.2+dfsg-7+deb12u18+b3"

static bool command_mode;	/* mon->commands == &qmp_commands */
static bool oob_enabled;

/* The splitter's state: json-streamer.c json_message_process_token(). */
static char *inbuf;
static size_t inlen, incap;
static int depth;
static bool in_str, esc, in_scalar;

void qerr_set(struct qmp_err *e, const char *class, const char *fmt, ...)
{
	va_list ap;

	e->class = class;
	va_start(ap, fmt);
	vsnprintf(e->desc, sizeof(e->desc), fmt, ap);
	va_end(ap);
}

void gen_str(yajl_gen g, const char *s)
{
	yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

void gen_key(yajl_gen g, const char *k)
{
	gen_str(g, k);
}

void gen_int(yajl_gen g, long long v)
{
	yajl_gen_integer(g, v);
}

yajl_val json_get(yajl_val obj, const char *key)
{
	size_t i;

	if (!YAJL_IS_OBJECT(obj))
		return NULL;
	for (i = 0; i < obj->u.object.len; i++)
		if (!strcmp(obj->u.object.keys[i], key))
			return obj->u.object.values[i];
	return NULL;
}

/* Re-emits a parsed value (the request's "id", any JSON type). */
static void gen_val(yajl_gen g, yajl_val v)
{
	size_t i;

	if (YAJL_IS_STRING(v)) {
		gen_str(g, v->u.string);
	} else if (YAJL_IS_NUMBER(v)) {
		yajl_gen_number(g, v->u.number.r, strlen(v->u.number.r));
	} else if (YAJL_IS_OBJECT(v)) {
		yajl_gen_map_open(g);
		for (i = 0; i < v->u.object.len; i++) {
			gen_key(g, v->u.object.keys[i]);
			gen_val(g, v->u.object.values[i]);
		}
		yajl_gen_map_close(g);
	} else if (YAJL_IS_ARRAY(v)) {
		yajl_gen_array_open(g);
		for (i = 0; i < v->u.array.len; i++)
			gen_val(g, v->u.array.values[i]);
		yajl_gen_array_close(g);
	} else if (YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v)) {
		yajl_gen_bool(g, YAJL_IS_TRUE(v));
	} else {
		yajl_gen_null(g);
	}
}

static yajl_gen new_gen(void)
{
	return yajl_gen_alloc(NULL);
}

/* qmp_greeting(): the capabilities offered; oob with an I/O thread,
 * which a socket chardev has (monitor_init_qmp, QEMU_CHAR_FEATURE_GCONTEXT). */
static void greeting(void)
{
	yajl_gen g = new_gen();

	yajl_gen_map_open(g);
	gen_key(g, "QMP");
	yajl_gen_map_open(g);
	gen_key(g, "version");
	yajl_gen_map_open(g);
	gen_key(g, "qemu");
	yajl_gen_map_open(g);
	gen_key(g, "micro");
	gen_int(g, QEMU_MICRO);
	gen_key(g, "minor");
	gen_int(g, QEMU_MINOR);
	gen_key(g, "major");
	gen_int(g, QEMU_MAJOR);
	yajl_gen_map_close(g);
	gen_key(g, "package");
	gen_str(g, QEMU_PACKAGE);
	yajl_gen_map_close(g);
	gen_key(g, "capabilities");
	yajl_gen_array_open(g);
	gen_str(g, "oob");
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
	qmp_send(g);
}

/* monitor_qmp_event(CHR_EVENT_OPENED): a new client starts over. */
void monitor_open(void)
{
	command_mode = false;
	oob_enabled = false;
	inlen = 0;
	depth = 0;
	in_str = esc = in_scalar = false;
	greeting();
}

void monitor_closed(void)
{
	command_mode = false;
	free(inbuf);
	inbuf = NULL;
	inlen = incap = 0;
}

bool qmp_client_in_command_mode(void)
{
	return command_mode;
}

/*
 * qmp_send_response() with qmp_dispatch()'s shape: {"return": ...} or
 * {"error": {"class": ..., "desc": ...}}, then the request's "id".
 */
static void respond_error(yajl_val id, const struct qmp_err *e)
{
	yajl_gen g = new_gen();

	yajl_gen_map_open(g);
	gen_key(g, "error");
	yajl_gen_map_open(g);
	gen_key(g, "class");
	gen_str(g, e->class);
	gen_key(g, "desc");
	gen_str(g, e->desc);
	yajl_gen_map_close(g);
	if (id) {
		gen_key(g, "id");
		gen_val(g, id);
	}
	yajl_gen_map_close(g);
	qmp_send(g);
}

static void respond_return(yajl_val id, yajl_gen g)
{
	if (id) {
		gen_key(g, "id");
		gen_val(g, id);
	}
	yajl_gen_map_close(g);
	qmp_send(g);
}

/* A response under construction: {"return": <caller fills> */
static yajl_gen start_return(void)
{
	yajl_gen g = new_gen();

	yajl_gen_map_open(g);
	gen_key(g, "return");
	return g;
}

/* qapi/qobject-input-visitor.c check_struct(): no extra arguments. */
static int no_args(yajl_val args, struct qmp_err *e)
{
	if (YAJL_IS_OBJECT(args) && args->u.object.len) {
		qerr_set(e, "GenericError", "Parameter '%s' is unexpected",
			 args->u.object.keys[0]);
		return -1;
	}
	return 0;
}

/*
 * monitor/qmp-cmds-control.c qmp_capabilities(): in command mode it is
 * "already complete"; "enable" may only name offered capabilities
 * (qmp_caps_accept(): "Capability %s not available" for one not
 * offered; an unknown name fails the QAPI enum: "Parameter 'enable'
 * does not accept value '...'", as the visitor says for an enum).
 */
static int cmd_capabilities(yajl_val args, struct qmp_err *e)
{
	yajl_val en;
	size_t i;

	if (command_mode) {
		qerr_set(e, "CommandNotFound", "Capabilities negotiation is "
			 "already complete, command ignored");
		return -1;
	}
	en = json_get(args, "enable");
	if (YAJL_IS_OBJECT(args))
		for (i = 0; i < args->u.object.len; i++)
			if (strcmp(args->u.object.keys[i], "enable")) {
				qerr_set(e, "GenericError",
					 "Parameter '%s' is unexpected",
					 args->u.object.keys[i]);
				return -1;
			}
	if (en && !YAJL_IS_ARRAY(en)) {
		qerr_set(e, "GenericError", "Invalid parameter type for "
			 "'enable', expected: array");
		return -1;
	}
	for (i = 0; en && i < en->u.array.len; i++) {
		yajl_val c = en->u.array.values[i];

		if (!YAJL_IS_STRING(c) || strcmp(c->u.string, "oob")) {
			qerr_set(e, "GenericError", "Parameter 'enable' does "
				 "not accept value '%s'", YAJL_IS_STRING(c) ?
				 c->u.string : "?");
			return -1;
		}
		oob_enabled = true;
	}
	command_mode = true;
	return 0;
}

/* qmp_query_status(): an xenfv guest's VM runs while the domain exists. */
static void ret_status(yajl_gen g)
{
	yajl_gen_map_open(g);
	gen_key(g, "status");
	gen_str(g, "running");
	gen_key(g, "singlestep");
	yajl_gen_bool(g, 0);
	gen_key(g, "running");
	yajl_gen_bool(g, 1);
	yajl_gen_map_close(g);
}

static void ret_version(yajl_gen g)
{
	yajl_gen_map_open(g);
	gen_key(g, "qemu");
	yajl_gen_map_open(g);
	gen_key(g, "micro");
	gen_int(g, QEMU_MICRO);
	gen_key(g, "minor");
	gen_int(g, QEMU_MINOR);
	gen_key(g, "major");
	gen_int(g, QEMU_MAJOR);
	yajl_gen_map_close(g);
	gen_key(g, "package");
	gen_str(g, QEMU_PACKAGE);
	yajl_gen_map_close(g);
}

/* The commands this QEMU has; before negotiation only the first. */
static const char *const commands[] = {
	"qmp_capabilities", "device_add", "device_del", "query-pci",
	"query-status", "query-version",
};

/*
 * The control's "fail CMD NTH": the Nth next CMD fails as it can in
 * QEMU 7.2, without doing anything (read from the source):
 *  - device_add: xen_pt_realize() when xen_host_pci_device_get() cannot
 *    open the device's sysfs files (the device went, its config space
 *    is unreadable): error_setg_errno() + "Failed to \"open\" the real
 *    pci device", class GenericError;
 *  - device_del: qmp_device_del()'s find_device_state() when the device
 *    is gone already (the guest ejected it): DeviceNotFound.
 */
static bool fail_due(const char *cmd, yajl_val args, struct qmp_err *e)
{
	yajl_val idv = json_get(args, "id");
	const char *id = idv && YAJL_IS_STRING(idv) ? idv->u.string : "";

	if (!conf.fail_nth || strcmp(cmd, conf.fail_cmd) || --conf.fail_nth)
		return false;
	plog("control: failing this %s", cmd);
	if (!strcmp(cmd, "device_add"))
		qerr_set(e, "GenericError", "Failed to \"open\" the real pci "
			 "device: No such device");
	else
		qerr_set(e, "DeviceNotFound", "Device '%s' not found", id);
	return true;
}

static void run_command(const char *cmd, yajl_val args, yajl_val id)
{
	struct qmp_err e = { 0 };
	yajl_gen g;
	int rc = 0;

	if (fail_due(cmd, args, &e))
		rc = -1;
	else if (!strcmp(cmd, "qmp_capabilities"))
		rc = cmd_capabilities(args, &e);
	else if (!strcmp(cmd, "device_add"))
		rc = bus_device_add(args, &e);
	else if (!strcmp(cmd, "device_del"))
		rc = bus_device_del(args, &e);
	else
		rc = no_args(args, &e);
	if (rc) {
		respond_error(id, &e);
		return;
	}
	g = start_return();
	if (!strcmp(cmd, "query-pci"))
		bus_query_pci(g);
	else if (!strcmp(cmd, "query-status"))
		ret_status(g);
	else if (!strcmp(cmd, "query-version"))
		ret_version(g);
	else {
		yajl_gen_map_open(g);
		yajl_gen_map_close(g);
	}
	respond_return(id, g);
}

/* qmp_dispatch(): the request's own shape, then the command. */
static void dispatch(yajl_val req)
{
	struct qmp_err e = { 0 };
	const char *cmd = NULL;
	yajl_val id = NULL, args = NULL;
	bool oob = false;
	size_t i;

	if (!YAJL_IS_OBJECT(req)) {
		qerr_set(&e, "GenericError", "QMP input must be a JSON object");
		goto fail;
	}
	id = json_get(req, "id");
	for (i = 0; i < req->u.object.len; i++) {
		const char *k = req->u.object.keys[i];
		yajl_val v = req->u.object.values[i];

		if (!strcmp(k, "execute") || !strcmp(k, "exec-oob")) {
			if (!YAJL_IS_STRING(v)) {
				qerr_set(&e, "GenericError", "QMP input member "
					 "'%s' must be a string", k);
				goto fail;
			}
			cmd = v->u.string;
			oob = !strcmp(k, "exec-oob");
		} else if (!strcmp(k, "arguments")) {
			if (!YAJL_IS_OBJECT(v)) {
				qerr_set(&e, "GenericError", "QMP input member "
					 "'arguments' must be an object");
				goto fail;
			}
			args = v;
		} else if (strcmp(k, "id") && strcmp(k, "control")) {
			qerr_set(&e, "GenericError",
				 "QMP input member '%s' is unexpected", k);
			goto fail;
		}
	}
	if (!cmd) {
		qerr_set(&e, "GenericError", "QMP input lacks member 'execute'");
		goto fail;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(cmd, commands[i]))
			break;
	/* monitor_qmp_dispatch(): before negotiation every command but
	 * qmp_capabilities is "not found", with a more useful desc. */
	if (!command_mode && i != 0) {
		qerr_set(&e, "CommandNotFound", "Expecting capabilities "
			 "negotiation with 'qmp_capabilities'");
		goto fail;
	}
	if (i == sizeof(commands) / sizeof(commands[0])) {
		qerr_set(&e, "CommandNotFound",
			 "The command %s has not been found", cmd);
		goto fail;
	}
	if (oob && (!oob_enabled || i != 0)) {
		qerr_set(&e, "GenericError",
			 "The command %s does not support OOB", cmd);
		goto fail;
	}
	run_command(cmd, args, id);
	return;
fail:
	respond_error(id, &e);
}

static void handle_value(const char *text, size_t len)
{
	char err[256], *s = strndup(text, len);
	yajl_val req;

	if (!s)
		return;
	transcript("in", s, len);
	req = yajl_tree_parse(s, err, sizeof(err));
	if (!req) {
		/* handle_qmp_command() with the parser's error */
		struct qmp_err e;

		err[strcspn(err, "\n")] = '\0';
		qerr_set(&e, "GenericError", "JSON parse error, %s", err);
		respond_error(NULL, &e);
	} else {
		dispatch(req);
		yajl_tree_free(req);
	}
	free(s);
}

static void push(char c)
{
	if (inlen + 1 > incap) {
		incap = incap ? incap * 2 : 1024;
		inbuf = realloc(inbuf, incap);
		if (!inbuf)
			abort();
	}
	inbuf[inlen++] = c;
}

static void flush_value(void)
{
	if (inlen)
		handle_value(inbuf, inlen);
	inlen = 0;
}

/* json_message_process_token(): a value ends where it balances. */
void monitor_input(const char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		char c = buf[i];

		if (in_scalar && (c == ' ' || c == '\t' || c == '\r' ||
				  c == '\n' || c == '{' || c == '[')) {
			in_scalar = false;
			flush_value();
		}
		if (!depth && !in_scalar && !in_str) {
			if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
				continue;
			if (c != '{' && c != '[') {
				in_scalar = true;
				push(c);
				continue;
			}
		}
		push(c);
		if (in_scalar)
			continue;
		if (in_str) {
			if (esc)
				esc = false;
			else if (c == '\\')
				esc = true;
			else if (c == '"')
				in_str = false;
			continue;
		}
		if (c == '"')
			in_str = true;
		else if (c == '{' || c == '[')
			depth++;
		else if ((c == '}' || c == ']') && --depth <= 0) {
			depth = 0;
			flush_value();
		}
	}
}

/*
 * monitor_qapi_event_emit(): to every QMP monitor in command mode, with
 * the event's timestamp first (qmp_event_build_dict()).  Nobody
 * connected, or a client still negotiating: the event is lost.
 */
void monitor_event(const char *event, yajl_gen data)
{
	const unsigned char *buf;
	struct timeval tv;
	yajl_gen g;
	size_t len;

	yajl_gen_get_buf(data, &buf, &len);
	if (!qmp_client_in_command_mode()) {
		plog("event %s lost: no client in command mode", event);
		return;
	}
	gettimeofday(&tv, NULL);
	g = new_gen();
	yajl_gen_map_open(g);
	gen_key(g, "timestamp");
	yajl_gen_map_open(g);
	gen_key(g, "seconds");
	gen_int(g, tv.tv_sec);
	gen_key(g, "microseconds");
	gen_int(g, tv.tv_usec);
	yajl_gen_map_close(g);
	gen_key(g, "event");
	gen_str(g, event);
	gen_key(g, "data");
	{
		char err[128];
		char *s = strndup((const char *)buf, len);
		yajl_val v = s ? yajl_tree_parse(s, err, sizeof(err)) : NULL;

		if (v)
			gen_val(g, v);
		else
			yajl_gen_null(g);
		yajl_tree_free(v);
		free(s);
	}
	yajl_gen_map_close(g);
	qmp_send(g);
}
