#!/usr/bin/env bash
# Reset policy and tracking: a device is reset before it goes to a guest
# (as libxl does) and after it comes back, by the kernel's first method
# (Linux 6.1 reset_method: flr, pm, bus) or pciback's do_flr; each
# device's record says clean (and how) or dirty (which guest had it and
# why it could not be reset), in R/devices/K/reset and across restarts.
# best-effort (default) gives a dirty device to another guest and says
# so (result/warning, the record, the log); strict (reset=strict in the
# request, or --reset-policy strict) refuses it with EBUSY, but gives it
# back to its last guest.  tests/reset.inv: one device per method, one
# without any, one whose reset fails.
. "$(dirname "$0")/attach-lib.sh"

FLR=0000:07:00.0 PM=0000:07:00.1 BUS=0000:08:00.0 NONE=0000:09:00.0
BAD=0000:0a:00.0
host_up --inventory "$TOP/tests/reset.inv"
agent_up
like "R/features lists reset-policy" "$(xs_read $R/features)" reset-policy
make_assignable $FLR $PM $BUS $NONE $BAD
guest 5
guest 6
rec() { dev_field "$1" reset; }
reset_line() { sl_since | sed 's/^[0-9]* //' | grep "^reset $1 "; }

# --- each method: reset before the guest and after
for x in "$FLR flr" "$PM pm" "$BUS bus"; do
	set -- $x
	k=${1#0000:}
	mark
	attach_ok "$2: attach $k to 5" a-$2 5 "$k"
	is "$2: reset through sysfs before the guest got it" \
		"$(reset_line $1 | head -1)" "reset $1 $2 sysfs"
	is "$2: record: dirty, domain 5 has it" "$(rec $1)" \
		"dirty: domain 5 has it"
	mark
	detach_ok "$2: detach" d-$2 5 "$k"
	check "$2: reset after the guest" reset_by_agent $1
	is "$2: record: clean ($2)" "$(rec $1)" "clean ($2)"
done
is "the record is on disk" "$(head -1 "$STATE/reset/0000-07-00-0")" \
	"clean 5 flr"

# --- no reset method: dirty; best-effort gives it on, strict refuses
attach_ok "none: attach 09:00.0 to 5" n1 5 09:00.0
check "n1: the agent logs that it was not reset" \
	agent_log_has "$NONE: not reset before domain 5: no reset method"
detach_ok "none: detach" n2 5 09:00.0
is "none: dirty, domain 5 had it, no method" "$(rec $NONE)" \
	"dirty: domain 5 had it; no reset method (no reset_method, no pciback do_flr)"
run_err "none: reset=strict refuses it to domain 6" EBUSY n3 attach \
	domid=6 spec=09:00.0 reset=strict
is "n3: says why and what would do" "$ERRMSG" \
	"$NONE: not reset since domain 5 had it: no reset method (no reset_method, no pciback do_flr): reset=strict gives it only back to domain 5 (reset=best-effort gives it anyway)"
is "n3: the refused attach changed nothing in the record" "$(rec $NONE)" \
	"dirty: domain 5 had it; no reset method (no reset_method, no pciback do_flr)"
is "n3: still assignable" "$(dev_state $NONE)" assignable
check "n3: not in domain 6's backend" xs_absent "$(be 6)/dev-0"
is "n3: Xen has it in quarantine" "$(owner $NONE)" $DOMID_IO
attach_ok "none: reset=strict gives it back to its last guest" n4 5 \
	09:00.0 reset=strict
detach_ok "none: detach" n5 5 09:00.0
attach_ok "none: best-effort (default) gives it to domain 6" n6 6 09:00.0
like "n6: result/warning says so" "$(rq n6 result/warning)" \
	"^$NONE: not reset since domain 5 had it"
like "n6: the record says so" "$(rec $NONE)" \
	"^dirty: domain 6 has it; not reset since domain 5 had it"
check "n6: the log says so" agent_log_has \
	"$NONE: given to domain 6 although not reset since domain 5 had it"
detach_ok "none: detach from 6" n7 6 09:00.0
check "a request that went without trouble has no warning" \
	xs_absent $R/requests/a-flr/result/warning

# --- a reset that fails: dirty with the kernel's error; --reset-policy
attach_ok "failing: attach 0a:00.0 to 5 (never with a guest: fine)" f1 5 \
	0a:00.0
detach_ok "failing: detach" f2 5 0a:00.0
is "failing: dirty with the error" "$(rec $BAD)" \
	"dirty: domain 5 had it; reset (flr) failed: Inappropriate ioctl for device"
agent_stop
agent_up --reset-policy strict
is "after a restart the record is still there" "$(rec $BAD)" \
	"dirty: domain 5 had it; reset (flr) failed: Inappropriate ioctl for device"
run_err "--reset-policy strict refuses it to domain 6" EBUSY f3 attach \
	domid=6 spec=0a:00.0
like "f3: the failed reset is named" "$ERRMSG" \
	"since domain 5 had it: reset \\(flr\\) failed: Inappropriate ioctl for device: reset=strict"
attach_ok "reset=best-effort in the request overrides the option" f4 6 \
	0a:00.0 reset=best-effort
detach_ok "failing: detach from 6" f5 6 0a:00.0
attach_ok "strict: FLR device (clean) goes to domain 6" f6 6 07:00.0
detach_ok "detach it" f7 6 07:00.0

# --- bad values
run_err "reset=sometimes" EINVAL b1 attach domid=5 spec=07:00.0 reset=sometimes
like "b1: says what is allowed" "$ERRMSG" "strict or best-effort"
"$BIN/xen-pci-agent" --reset-policy maybe >/dev/null 2>&1
is "--reset-policy maybe: exit 2" $? 2
agent_done
t_done
