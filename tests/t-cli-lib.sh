#!/usr/bin/env bash
# libxenpci, the client library toolstacks link (protocol/xenpci_client.h):
# a small program built against build/lib/libxenpci.a checks the pure
# helpers (BDF <-> key, request IDs) and drives the request API against
# the real xenstored, with the test playing the agent: -EHOSTDOWN
# without an agent, -EEXIST for a used ID, -ETIMEDOUT, a reply with
# results, and the request removed by xenpci_call().
. "$(dirname "$0")/lib.sh"

W=$(mktemp -d /tmp/xpa-lib.XXXXXX)
LIB=$BUILD/lib/libxenpci.a
CFLAGS=(-std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror -g -I"$TOP/protocol")
# The library of `make asan` is instrumented: link the runtime too.
nm "$LIB" 2>/dev/null | grep -q __asan_ &&
	CFLAGS+=(-fsanitize=address,undefined)

cat >"$W/libtest.c" <<'CEOF'
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xenpci_client.h"

static int fails;

static void check(int cond, const char *desc)
{
	printf("%s - %s\n", cond ? "ok" : "not ok", desc);
	if (!cond)
		fails++;
}

static const char *ename(int rc)
{
	switch (-rc) {
	case 0: return "0";
	case EHOSTDOWN: return "EHOSTDOWN";
	case ETIMEDOUT: return "ETIMEDOUT";
	case EEXIST: return "EEXIST";
	case EINVAL: return "EINVAL";
	default: return strerror(-rc);
	}
}

static int keys(void)
{
	char key[XENPCI_KEY_LEN], bdf[XENPCI_BDF_LEN];
	struct xenpci_bdf b;

	check(xenpci_key_from_bdf("07:00.0", key) == 0 &&
	      !strcmp(key, "0000-07-00-0"), "key of 07:00.0 (domain 0)");
	check(xenpci_key_from_bdf("0001:Ab:1f.7", key) == 0 &&
	      !strcmp(key, "0001-ab-1f-7"), "key of 0001:Ab:1f.7 (lowercase)");
	check(xenpci_key_from_bdf("07:00.*", key) == -EINVAL,
	      "a wildcard is not a BDF");
	check(xenpci_key_from_bdf("07:20.0", key) == -EINVAL, "slot > 0x1f");
	check(xenpci_key_from_bdf("07:00.8", key) == -EINVAL, "function > 7");
	check(xenpci_key_from_bdf("07:00.0,permissive=1", key) == -EINVAL,
	      "trailing options are not a BDF");
	check(xenpci_key_from_bdf("", key) == -EINVAL, "empty");
	check(xenpci_key_from_bdf("1:2:3:4.0", key) == -EINVAL,
	      "three colons");
	check(xenpci_key_parse("0000-07-00-1", &b) == 0 &&
	      !strcmp(xenpci_bdf_str(&b, bdf), "0000:07:00.1"),
	      "key back to BDF");
	check(xenpci_key_parse("07-00-1", &b) == -EINVAL,
	      "a key always has the domain");
	check(xenpci_request_id_valid("a") &&
	      xenpci_request_id_valid("A-z_09") &&
	      !xenpci_request_id_valid("") &&
	      !xenpci_request_id_valid("a/b") &&
	      !xenpci_request_id_valid("a.b") &&
	      xenpci_request_id_valid("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
				      "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx") &&
	      !xenpci_request_id_valid("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
				       "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
	      "request ID validity: 1..64 of [A-Za-z0-9_-]");
	{
		struct xenpci_request *r = xenpci_request_new("attach");

		check(r && xenpci_request_set(r, "op", "x") == -EINVAL &&
		      xenpci_request_set(r, "status", "ok") == -EINVAL &&
		      xenpci_request_set(r, "a/b", "x") == -EINVAL &&
		      xenpci_request_set(r, "spec-0", "07:00.0") == 0 &&
		      xenpci_request_set_id(r, "bad id") == -EINVAL,
		      "request fields: reserved and bad names refused");
		xenpci_request_free(r);
	}
	return fails ? 1 : 0;
}

static int ids(int n)
{
	char id[XENPCI_REQ_ID_LEN];

	for (int i = 0; i < n; i++) {
		if (xenpci_request_id_generate(NULL, id))
			return 1;
		puts(id);
	}
	return 0;
}

/* call|submit ID|- OP TIMEOUT_MS [KEY=VALUE...] */
static int request(int argc, char **argv)
{
	struct xenpci_reply *rep = NULL;
	struct xenpci_request *req;
	struct xenpci_client *c;
	int rc;

	c = xenpci_client_open(0);
	if (!c) {
		perror("xenpci_client_open");
		return 1;
	}
	req = xenpci_request_new(argv[3]);
	if (strcmp(argv[2], "-"))
		xenpci_request_set_id(req, argv[2]);
	for (int i = 5; i < argc; i++) {
		char *eq = strchr(argv[i], '=');

		*eq = 0;
		xenpci_request_set(req, argv[i], eq + 1);
	}
	if (!strcmp(argv[1], "submit"))
		rc = xenpci_request_submit(c, req);
	else
		rc = xenpci_call(c, req, atoi(argv[4]), &rep);
	printf("rc=%s", ename(rc));
	if (rep) {
		printf(" status=%s error=%s code=%s", rep->status,
		       rep->error ? rep->error : "-",
		       rep->code ? rep->code : "-");
		for (unsigned int i = 0; i < rep->nresults; i++)
			printf(" %s=%s", rep->results[i].key,
			       rep->results[i].value);
		printf(" result(vdev)=%s", xenpci_reply_result(rep, "vdev") ?: "-");
	}
	printf("\nmsg=%s\n", xenpci_client_errmsg(c));
	xenpci_reply_free(rep);
	xenpci_request_free(req);
	xenpci_client_close(c);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "keys"))
		return keys();
	if (argc == 3 && !strcmp(argv[1], "ids"))
		return ids(atoi(argv[2]));
	if (argc >= 5)
		return request(argc, argv);
	return 2;
}
CEOF
if ! cc "${CFLAGS[@]}" -o "$W/libtest" "$W/libtest.c" "$LIB" \
	$(pkg-config --libs xenstore) 2>"$W/cc.log"; then
	not_ok "a program builds against xenpci_client.h and libxenpci.a"
	sed 's/^/# /' "$W/cc.log"
	rm -rf "$W"
	t_exit
fi
ok "a program builds against xenpci_client.h and libxenpci.a"
T=$W/libtest

"$T" keys

ids=$("$T" ids 2000)
is "2000 generated IDs are distinct" "$(sort -u <<<"$ids" | wc -l)" 2000
is "and all valid" "$(grep -cvE '^[A-Za-z0-9_-]{1,64}$' <<<"$ids")" 0

sim_up --no-sysfs --no-peer
trap 'sim_down; rm -rf "$W"; t_exit' EXIT
R=/local/domain/0/pci-agent
RQ=$R/requests

out=$("$T" call - assignable-list 10000)
like "no agent: -EHOSTDOWN" "$out" '^rc=EHOSTDOWN'
like "no agent: the message names R/state" "$out" "msg=$R/state does not exist"

xenstore-write $R/state running
out=$("$T" submit dup1 assignable-add 0 spec=07:00.0)
like "submit with a chosen ID" "$out" '^rc=0'
is "the request is there, op written" "$(xs_read $RQ/dup1/op)" assignable-add
out=$("$T" submit dup1 assignable-add 0 spec=07:00.1)
like "the same ID again: -EEXIST" "$out" '^rc=EEXIST'
is "and the first request is untouched" "$(xs_read $RQ/dup1/spec)" 07:00.0
xenstore-rm $RQ/dup1

start=$SECONDS
out=$("$T" call t1 assignable-list 300)
like "no answer: -ETIMEDOUT" "$out" '^rc=ETIMEDOUT'
check "after about the timeout" test $((SECONDS - start)) -lt 5
check "xenpci_call removed the request" sh -c "! xenstore-exists $RQ/t1"

"$T" call r1 attach 10000 domid=3 spec=07:00.0 >"$W/out" &
pid=$!
check "the request appears" wait_until 10 xenstore-exists $RQ/r1/op
xenstore-write $RQ/r1/status accepted $RQ/r1/result/vdev 0000:00:01.00 \
	$RQ/r1/result/extra/nested x $RQ/r1/status ok
wait $pid
out=$(cat "$W/out")
like "ok reply with results, nested ones as paths, sorted" "$out" \
	'^rc=0 status=ok error=- code=- extra= extra/nested=x vdev=0000:00:01.00 result\(vdev\)=0000:00:01.00'
check "xenpci_call removed the answered request" sh -c "! xenstore-exists $RQ/r1"

"$T" call r2 detach 10000 domid=3 spec=07:00.0 force=1 >"$W/out" &
pid=$!
check "the detach request appears" wait_until 10 xenstore-exists $RQ/r2/op
is "fields as set, force included" "$(xs_read $RQ/r2/force)" 1
xenstore-write $RQ/r2/error "guest 3 did not answer" $RQ/r2/code ETIMEDOUT \
	$RQ/r2/status error
wait $pid
like "error reply: status, error, code" "$(cat "$W/out")" \
	'^rc=0 status=error error=guest 3 did not answer code=ETIMEDOUT'

"$T" call r3 assignable-list 10000 >"$W/out" &
pid=$!
check "the list request appears" wait_until 10 xenstore-exists $RQ/r3/op
xenstore-write $R/state stopped
wait $pid
like "agent stops while waiting: -EHOSTDOWN" "$(cat "$W/out")" \
	"^rc=EHOSTDOWN.*msg=$R/state is \"stopped\""

trap - EXIT
sim_down
rm -rf "$W"
t_exit
