#!/usr/bin/env bash
# The intent journal's failures carry the kernel's errno: an attach
# whose intent record cannot be written says why (EISDIR here: the
# record's temporary file is a directory), not a generic EIO, and
# nothing of the attach is left behind.
. "$(dirname "$0")/attach-lib.sh"

host_up --inventory "$ATTACH_INV"
agent_up
make_assignable $A
guest 5

mkdir -p "$STATE/intent/$(key_of $A).tmp"
run_err "attach with an unwritable intent record" EISDIR j1 attach \
	domid=5 spec=07:00.0
like "j1: the message names the device and the record" "$ERRMSG" \
	"$A.*write intent record: Is a directory"
assert_released "j1" $A 5
assert_no_backend "j1" 5
rmdir "$STATE/intent/$(key_of $A).tmp"

mkdir -p "$STATE/intent/$(key_of $A).tmp"
run_err "assignable-remove with an unwritable record" EISDIR j2 \
	assignable-remove spec=07:00.0 rebind=1
is "j2: still on pciback" "$(drv $A)" pciback
rmdir "$STATE/intent/$(key_of $A).tmp"

attach_ok "attach once the record can be written" j3 5 07:00.0
detach_ok "and detach" j4 5 07:00.0
agent_done
