#!/usr/bin/env bash
# Crash safety of HVM attach and detach: the agent SIGKILLs itself just
# before each step (XEN_PCI_AGENT_CRASH_AT: attach-intent, permissive,
# mark, grant, device_add, record, attach-done; detach-intent,
# device_del, revoke, unrecord, reset, detach-done) and is restarted
# without the hook.  Every request then gets a final status and the
# device is whole: either with the guest everywhere (QEMU has it, Xen
# gave it, libxl's records, R/devices) and ok, or assignable with
# nothing left anywhere, never half of each.
. "$(dirname "$0")/hvm-lib.sh"

host_up --inventory "$ATTACH_INV"
hvm_agent_up
make_assignable $A
hvm_guest 9
agent_stop

# whole DESC: the device is entirely with dom 9 or entirely released;
# sets WHERE.
whole() {
	local desc=$1
	if [ "$(dev_state $A)" = attached ]; then
		assert_hvm_attached "$desc" 9 $A 04.0 \
			"$(sys_permissive $A && echo 1 || echo 0)"
		is "$desc: one device in libxl's record" \
			"$(xs_read "$(be 9)/num_devs")" 1
		is "$desc: dom 9 holds exactly 07:00.0's grants" \
			"$(live_grants 9 all)" "$(grants_of 9 $A)"
		is "$desc: QEMU has it once" \
			"$(simhost qmp 9 status | grep -c " $A ")" 1
		WHERE=attached
	else
		assert_hvm_released "$desc" $A 9
		assert_no_backend "$desc" 9
		is "$desc: dom 9 holds nothing" "$(live_grants 9 all)" ""
		WHERE=released
	fi
	check "$desc: no intent record left in the state dir" no_intents
}

crash() {
	local step=$1 id=$2
	shift 2
	XEN_PCI_AGENT_CRASH_AT=$step agent_start --run-dir "$QMP_DIR" || exit 1
	req "$id" "$@"
	agent_wait_exit_status
	is "$step: the agent killed itself (SIGKILL) before the step" "$AGENT_RC" 137
	check "$step: $id has no final status yet" eval "! is_final $id"
}

recovered() {
	local desc=$1 id=$2 want=$3 st
	st=$(wait_final "$id" 20)
	like "$desc: a final status after the restart" "$st" '^(ok|error)$'
	whole "$desc"
	diag "  $desc: status $st, device $WHERE"
	case $st in
	ok) is "$desc: ok, so the device is $want" "$WHERE" "$want" ;;
	error)
		code_is_errno "$desc" "$id"
		check "$desc: error, so the device is not $want" \
			test "$WHERE" != "$want" ;;
	esac
}

back_to_released() {
	[ "$WHERE" = attached ] &&
		detach_ok "$1: clean-up detach" "cl-$1" 9 07:00.0
	assert_no_backend "$1: clean" 9
}

for s in attach-intent permissive mark grant device_add record attach-done; do
	mark
	crash $s "at-$s" attach domid=9 spec=07:00.0,permissive=1 timeout=20
	hvm_agent_up
	recovered "attach/$s" "at-$s" attached
	back_to_released "attach-$s"
	agent_stop
done

for s in detach-intent device_del revoke unrecord reset detach-done; do
	hvm_agent_up
	attach_ok "detach/$s: prepare" "pre-$s" 9 07:00.0
	agent_stop
	mark
	crash $s "dt-$s" detach domid=9 spec=07:00.0 timeout=20
	hvm_agent_up
	recovered "detach/$s" "dt-$s" released
	[ "$WHERE" = released ] &&
		check "detach/$s: the device was reset" reset_by_agent $A
	back_to_released "detach-$s"
	agent_stop
done
