#!/usr/bin/env bash
# kill -9 of the agent before each step of assignable-add and -remove
# (test hook XEN_PCI_AGENT_CRASH_AT, and a sysfs write held with a
# delay_ms fault), then a restart: no device is stranded and every
# request ends with a final status.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/agent-lib.sh"

sim_up
A=0000:07:00.0 B=0000:07:00.1
STATE=$SIM/state

status_of() { xs_read "$R/requests/$1/status"; }
not_final() { ! is_final "$1"; }

# crash_at STEP ID OP FIELDS...: the agent dies just before STEP.
crash_at() {
	local stepname=$1 id=$2
	shift 2
	XEN_PCI_AGENT_CRASH_AT=$stepname agent_start || return 1
	req "$id" "$@"
	agent_wait_exit
	check "$stepname: agent died before the step" \
		grep -q "test hook: SIGKILL before step $stepname" "$AGENT_LOG"
	check "$stepname: $id has no final status yet" not_final "$id"
}

for s in unbind remember new_slot bind quarantine done; do
	crash_at $s add-$s assignable-add spec=07:00.0 || exit 1
	case $s in
	unbind) ;;
	*) is "$s: intent record on disk" "$(ls $STATE/intent)" 0000-07-00-0 ;;
	esac
	agent_start || exit 1
	is "add/$s: request served after restart" "$(wait_final add-$s)" ok
	is "add/$s: device on pciback" "$(drv $A)" pciback
	is "add/$s: driver remembered" "$(disk_record $A)" /sys/bus/pci/drivers/igb
	is "add/$s: libxl driver_path" "$(libxl_path $A)" /sys/bus/pci/drivers/igb
	is "add/$s: published" "$(dev_state $A)" assignable
	is "add/$s: quarantined" "$(xen_owner $A)" 32753
	check "add/$s: no intent record left" no_intents
	check "add/$s: recovery logged" bash -c "[ $s = unbind ] || grep -q 'recovery:' $AGENT_LOG"
	agent_stop

	crash_at unbind-pciback "rm-$s-pre" assignable-remove spec=07:00.0 rebind=1 || exit 1
	# The removal request is withdrawn while the agent is down: the
	# device goes back to where it was (pciback) and stays there.
	xenstore-rm $R/requests/rm-$s-pre
	agent_start || exit 1
	run_ok "barrier" bar-$s assignable-list
	is "withdrawn remove: device still on pciback" "$(drv $A)" pciback
	is "withdrawn remove: still quarantined" "$(xen_owner $A)" 32753
	check "withdrawn remove: no intent record" no_intents
	run_ok "reset for the next case" reset-$s assignable-remove \
		spec=07:00.0 rebind=1
	agent_stop
done

agent_start || exit 1
run_ok "add for the remove cases" add-for-rm assignable-add spec=07:00.0
agent_stop
for s in dequarantine unbind-pciback remove_slot rebind forget done; do
	crash_at $s rm-$s assignable-remove spec=07:00.0 rebind=1 || exit 1
	is "remove/$s: intent record on disk" "$(ls $STATE/intent)" 0000-07-00-0
	agent_start || exit 1
	is "remove/$s: request served after restart" "$(wait_final rm-$s)" ok
	is "remove/$s: device on igb" "$(drv $A)" igb
	check "remove/$s: no slot" bash -c "! grep -qx $A $SYSFS_ROOT/bus/pci/drivers/pciback/slots"
	is "remove/$s: record gone" "$(disk_record $A)" ""
	is "remove/$s: libxl driver_path gone" "$(libxl_path $A)" ""
	is "remove/$s: not published" "$(dev_state $A)" absent
	is "remove/$s: not quarantined" "$(xen_owner $A)" 0
	check "remove/$s: no intent record left" no_intents
	agent_stop
	if [ $s != done ]; then
		agent_start || exit 1
		run_ok "re-add for the next case" readd-$s assignable-add spec=07:00.0
		agent_stop
	fi
done

# --- an add whose requester gives up while the agent is dead
crash_at bind gone-1 assignable-add spec=07:00.0 || exit 1
is "killed between unbind and bind: device bound to nothing" "$(drv $A)" none
xenstore-rm $R/requests/gone-1
agent_start || exit 1
run_ok "barrier" gone-bar assignable-list
is "undone: device back on igb" "$(drv $A)" igb
is "undone: not quarantined" "$(xen_owner $A)" 0
check "no intent record" no_intents
is "not published" "$(dev_state $A)" absent
agent_stop

# --- an intent record from an earlier boot is discarded, not replayed
crash_at bind boot-1 assignable-add spec=07:00.0 || exit 1
sed -i 's/^boot_id=.*/boot_id=an-earlier-boot/' "$STATE/intent/0000-07-00-0"
xenstore-rm $R/requests/boot-1
agent_start || exit 1
run_ok "barrier" boot-bar assignable-list
check "the record is discarded" agent_log_has 'intent record from an earlier boot discarded'
check "no intent record" no_intents
is "sysfs is left as the (new) boot has it" "$(drv $A)" none
is "the driver stays remembered" "$(disk_record $A)" /sys/bus/pci/drivers/igb
run_ok "remove -r binds it" boot-2 assignable-remove spec=07:00.0 rebind=1
is "device on igb" "$(drv $A)" igb
agent_stop

# --- both functions, killed after both binds (before the journal is cleared)
crash_at done wild-1 assignable-add spec=07:00.* || exit 1
is "two intent records" "$(ls $STATE/intent | tr '\n' ' ')" "0000-07-00-0 0000-07-00-1 "
agent_start || exit 1
is "wildcard add served after restart" "$(wait_final wild-1)" ok
is "07:00.0 on pciback" "$(drv $A)" pciback
is "07:00.1 on pciback" "$(drv $B)" pciback
check "no intent record" no_intents
run_ok "remove -r both" wild-2 assignable-remove spec=07:00.* rebind=1
agent_stop

# --- a real kill -9 while a sysfs write is held (delay_ms)
agent_start || exit 1
fault bus/pci/drivers/pciback/bind OK delay_ms=3000
req held-1 assignable-add spec=07:00.0
check "held-1 running" wait_until 10 bash -c \
	"[ \"\$(xenstore-read $R/requests/held-1/status 2>/dev/null)\" = running ]"
check "the bind write is in progress" wait_until 10 bash -c \
	"grep -q 'step bind' $AGENT_LOG"
agent_kill9
is "held-1 has no final status" "$(status_of held-1)" running
fault_clear
agent_start || exit 1
is "held-1 served after restart" "$(wait_final held-1)" ok
is "device on pciback" "$(drv $A)" pciback
check "no intent record" no_intents
run_ok "remove -r" held-2 assignable-remove spec=07:00.0 rebind=1
is "device on igb" "$(drv $A)" igb

agent_done
t_done
