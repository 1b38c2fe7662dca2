# Helpers for tests/t-agent-*.sh and t-attach-*.sh, sourced after
# tests/lib.sh: start and stop the agent on the simulated host, write
# requests as raw xenstore writes and wait (bounded) for their final
# status.
R=/local/domain/0/pci-agent
AGENT_PID=
AGENT_N=0

# agent_start [agent options]: foreground agent on $SIM, log in $SIM.
agent_start() {
	AGENT_N=$((AGENT_N + 1))
	AGENT_LOG=$SIM/agent.$AGENT_N.log
	STATE=${STATE:-$SIM/state}
	# The simulated host's /proc, beside its sys/ (the dom0 guard).
	PROC_ROOT=${PROC_ROOT:-${SIMSYSFS_CTL%/sim}/proc}
	# Its kernel log (dev/kmsg), never the machine's.
	DEV_ROOT=${DEV_ROOT:-${SIMSYSFS_CTL%/sim}/dev}
	# The simulated hypervisor (quarantine calls) unless told otherwise.
	LD_PRELOAD=${AGENT_PRELOAD-$SIMXEN_PRELOAD} \
	${AGENT_WRAPPER:-} "$BIN/xen-pci-agent" --foreground \
		--sysfs-root "$SYSFS_ROOT" --proc-root "$PROC_ROOT" \
		--dev-root "$DEV_ROOT" \
		--state-dir "$STATE" \
		${XEN_LIB_DIR:+--xen-lib-dir="$XEN_LIB_DIR"} \
		--log-level debug "$@" >"$AGENT_LOG" 2>&1 &
	AGENT_PID=$!
	if ! wait_until 10 agent_serving; then
		not_ok "agent starts"
		cat "$AGENT_LOG" | sed 's/^/# /'
		return 1
	fi
}

agent_serving() {
	[ "$(xs_read $R/state)" = running ] &&
		[ "$(xs_read $R/pid)" = "$AGENT_PID" ]
}

# agent_stop: SIGTERM, expect exit 0 and state=stopped.
agent_stop() {
	local rc
	[ -n "$AGENT_PID" ] || return 0
	kill -TERM "$AGENT_PID"
	wait "$AGENT_PID"
	rc=$?
	is "agent exits 0 on SIGTERM" "$rc" 0
	is "agent writes state=stopped" "$(xs_read $R/state)" stopped
	AGENT_PID=
}

# agent_kill9: no chance to clean up.
agent_kill9() {
	[ -n "$AGENT_PID" ] || return 0
	kill -9 "$AGENT_PID" 2>/dev/null
	wait "$AGENT_PID" 2>/dev/null
	AGENT_PID=
}

# agent_wait_exit: the agent killed itself (test hook).
agent_wait_exit() {
	if ! wait_until 10 bash -c "! kill -0 $AGENT_PID 2>/dev/null"; then
		not_ok "the agent killed itself at the test hook"
		kill -9 "$AGENT_PID"
	fi
	wait "$AGENT_PID" 2>/dev/null
	AGENT_PID=
}

# req ID OP [FIELD=VALUE...]: one xenstore-write (one transaction),
# op last.
req() {
	local id=$1 op=$2 args=() kv
	shift 2
	for kv in "$@"; do
		args+=("$R/requests/$id/${kv%%=*}" "${kv#*=}")
	done
	args+=("$R/requests/$id/op" "$op")
	xenstore-write "${args[@]}"
}

is_final() {
	local s
	s=$(xs_read "$R/requests/$1/status")
	[ "$s" = ok ] || [ "$s" = error ]
}

# wait_final ID: bounded wait (10 s) for a final status; prints it.
wait_final() {
	wait_until "${2:-10}" is_final "$1"
	xs_read "$R/requests/$1/status"
}

# run_ok DESC ID OP [FIELDS...]: write, wait, expect ok.
run_ok() {
	local desc=$1 id=$2 st
	shift 2
	req "$id" "$@"
	st=$(wait_final "$id")
	is "$desc: status ok" "$st" ok
	[ "$st" = ok ] || diag "  error: $(xs_read $R/requests/$id/error)" \
		"code: $(xs_read $R/requests/$id/code)"
}

# run_err DESC CODE ID OP [FIELDS...]: write, wait, expect error CODE.
run_err() {
	local desc=$1 code=$2 id=$3 st
	shift 3
	req "$id" "$@"
	st=$(wait_final "$id")
	is "$desc: status error" "$st" error
	is "$desc: code $code" "$(xs_read $R/requests/$id/code)" "$code"
	ERRMSG=$(xs_read "$R/requests/$id/error")
	diag "  error: $ERRMSG"
}

# drv BDF: the driver the device is bound to in sysfs, or "none".
drv() {
	local l
	l=$(readlink "$SYSFS_ROOT/bus/pci/devices/$1/driver" 2>/dev/null) ||
		{ echo none; return; }
	basename "$l"
}

has_slot() { grep -qx "$1" "$SYSFS_ROOT/bus/pci/drivers/pciback/slots"; }

key_of() { echo "$1" | tr ':.' '--'; }

# dev_state BDF: R/devices/K/state, or "absent".
dev_state() {
	local k
	k=$(key_of "$1")
	xs_exists "$R/devices/$k" || { echo absent; return; }
	xs_read "$R/devices/$k/state"
}

dev_driver() { xs_read "$R/devices/$(key_of "$1")/driver"; }
libxl_path() { xs_read "/libxl/pci/$(key_of "$1")/driver_path"; }
disk_record() { cat "$STATE/drivers/$(key_of "$1")" 2>/dev/null; }
no_intents() { [ -z "$(ls "$STATE/intent" 2>/dev/null)" ]; }

# fault PATH ERRNO [opts]: make a sysfs write fail (PATH under SYSFS_ROOT).
fault() { simhost fault sysfs "$@"; }
fault_clear() { simhost fault clear; }

agent_log_has() { grep -q -- "$1" "$AGENT_LOG"; }

# Assert that the agent stopped cleanly at the end of a test.
agent_done() {
	agent_stop
	if grep -E 'ERROR: (Address|Leak|Undefined)|runtime error' \
		"$SIM"/agent.*.log >/dev/null 2>&1; then
		not_ok "no sanitizer reports in the agent logs"
		grep -h -A5 -E 'ERROR:|runtime error' "$SIM"/agent.*.log |
			head -20 | sed 's/^/# /'
	fi
}

# xen_owner BDF: the domain Xen has the device assigned to (0: dom0,
# 32753: dom_io, i.e. quarantined), from the simulated hypervisor.
xen_owner() {
	local d b s f sbdf
	IFS=':.' read -r d b s f <<<"$1"
	sbdf=$(printf '%08x' $((16#$d << 16 | 16#$b << 8 | 16#$s << 3 | f)))
	cat "$SIMXEN_DIR/pci/$sbdf" 2>/dev/null || echo 0
}
