# `make bench REALXEN=1`'s boot, real world only (tests/bench/bench.sh
# collects it; not a test, not in make check): xl 4.17 and the agent on
# the same PV guest and device, taking turns round by round (xl first
# in even rounds, the agent first in odd ones), each round one
# assignable-add, attach, detach and assignable-remove -r by each tool.
# Round 0 is a warm-up and is not printed.  xbench_n=N on dom0's
# command line (tests/bench/realxen.sh): N timed rounds (default 5).
#
# Each op is started in the background (xl's process, or the agent's
# request: its fields and op in one xenstore-write) and a poll loop
# notes, from the moment it started, when
#   backend  the backend reached the op's end: attach, state 4 and a
#            vdev-N for the device's dev-N; detach, the device gone from
#            the backend; assignable-*, the device's driver changed
#            (pciback / e1000)
#   done     xl exited, or the request's final status appeared
# and prints one line per op and tool (polls: rounds of the poll loop,
# the resolution is the op's time over it):
#   XBENCH {"round":R,"op":OP,"tool":T,"backend_ms":B,"done_ms":D,
#           "polls":P}
# Times come from /proc/uptime (10 ms steps); one poll costs two or three
# forks, tens of milliseconds in dom0 under TCG: that is the resolution.
XB_N=$(sed -n 's/.*xbench_n=\([0-9]*\).*/\1/p' /proc/cmdline)
XB_N=${XB_N:-5}
XB_BDF=$NIC1
XB_SHORT=00:03.0

# The agent as deployed: its default log level.
xen-pci-agent --foreground 2>> /run/agent.log &
echo $! > "$XT_TMP/agent.pid"
xt_wait_check "agent serves" 30 xt_agent_running || return

xt_check "create guest g1" xt_guest_create g1
D=$(xt_guest_domid g1)
xt_wait_check "guest g1 boots" 240 xt_guest_up g1
XB_BE=/local/domain/0/backend/pci/$D/0

# XB_NOW: centiseconds since boot, without a fork
xb_cs() {
	local up
	read -r up _ < /proc/uptime
	XB_NOW=$((${up%.*} * 100 + 1${up#*.} - 100))
}

# xb_backend OP: has the backend (or sysfs) reached OP's end?
xb_backend() {
	local out line n= st=
	case $1 in
	assignable-add) [ "$(xt_driver "$XB_BDF")" = pciback ]; return ;;
	assignable-remove) [ "$(xt_driver "$XB_BDF")" = e1000 ]; return ;;
	esac
	out=$(xenstore-ls -f "$XB_BE" 2>/dev/null)
	while IFS= read -r line; do
		case $line in
		"$XB_BE/state = \"4\"") st=4 ;;
		"$XB_BE/dev-"*" = \"$XB_BDF\"")
			n=${line#"$XB_BE/dev-"}
			n=${n%% *} ;;
		esac
	done <<EOF
$out
EOF
	case $1 in
	detach) [ -z "$n" ] ;;
	attach) [ "$st" = 4 ] && [ -n "$n" ] &&
		case $out in *"$XB_BE/vdev-$n = "*) true ;; *) false ;; esac ;;
	esac
}

# xb_xl_done PID: xl exited (a zombie until reaped)
xb_xl_done() {
	local st
	[ -r "/proc/$1/stat" ] || return 0
	read -r _ _ st _ < "/proc/$1/stat" || return 0
	[ "$st" = Z ]
}

xb_req_done() { xt_request_done "$R/requests/$1"; }

# xb_run ROUND TOOL OP: one op by one tool, timed; XBENCH line or not ok
xb_run() {
	local round=$1 tool=$2 op=$3 id=bench-$1-$2-$3 t0 now be= dn= pid
	local xlargs q rc polls
	case $op in
	assignable-add) xlargs="pci-assignable-add $XB_SHORT" ;;
	attach) xlargs="pci-attach $D $XB_SHORT" ;;
	detach) xlargs="pci-detach $D $XB_SHORT" ;;
	assignable-remove) xlargs="pci-assignable-remove -r $XB_SHORT" ;;
	esac
	xb_cs
	t0=$XB_NOW
	if [ "$tool" = xl ]; then
		# shellcheck disable=SC2086
		xl $xlargs > "$XT_TMP/xl.out" 2>&1 &
		pid=$!
	else
		q=$R/requests/$id
		case $op in
		assignable-add) xenstore-write "$q/spec" $XB_SHORT \
			"$q/op" "$op" ;;
		attach | detach) xenstore-write "$q/domid" "$D" \
			"$q/spec" $XB_SHORT "$q/op" "$op" ;;
		assignable-remove) xenstore-write "$q/spec" $XB_SHORT \
			"$q/rebind" 1 "$q/op" "$op" ;;
		esac
	fi
	polls=0
	while [ -z "$be" ] || [ -z "$dn" ]; do
		polls=$((polls + 1))
		xb_cs
		now=$XB_NOW
		if [ $((now - t0)) -gt 12000 ]; then
			xt_not_ok "bench $round $tool $op: done within 120 s"
			xt_diag "backend at ${be:-never}, done at ${dn:-never}"
			[ "$tool" = xl ] && kill "$pid" 2>/dev/null
			return 1
		fi
		[ -z "$be" ] && xb_backend "$op" && be=$((now - t0))
		# each check its own start time: the two checks take about as
		# long as each other, a shared one would skew whichever is
		# second
		xb_cs
		now=$XB_NOW
		if [ -z "$dn" ]; then
			if [ "$tool" = xl ]; then
				xb_xl_done "$pid" && dn=$((now - t0))
			else
				xb_req_done "$id" && dn=$((now - t0))
			fi
		fi
	done
	if [ "$tool" = xl ]; then
		wait "$pid"
		rc=$?
		[ "$rc" = 0 ] || { xt_not_ok "bench $round xl $op: exit $rc"
			xt_diag "$(cat "$XT_TMP/xl.out")"; return 1; }
	else
		rc=$(xenstore-read "$R/requests/$id/status")
		[ "$rc" = ok ] || { xt_not_ok "bench $round agent $op: $rc"
			xt_diag "$(xenstore-read "$R/requests/$id/error")"
			return 1; }
		xenstore-rm "$R/requests/$id"
	fi
	[ "$round" -gt 0 ] || return 0
	printf 'XBENCH {"round":%d,"op":"%s","tool":"%s",' \
		"$round" "$op" "$tool"
	printf '"backend_ms":%d,"done_ms":%d,"polls":%d}\n' \
		$((be * 10)) $((dn * 10)) "$polls"
}

# xb_cycle ROUND TOOL: the four ops; attach waits (untimed) until the
# guest has the device, so every attach and detach starts alike
xb_cycle() {
	xb_run "$1" "$2" assignable-add || return 1
	xb_run "$1" "$2" attach || return 1
	xt_wait 60 xt_guest_sees "$D" 0000:00:00.0 ||
		{ xt_not_ok "bench $1 $2: g1 sees the device"; return 1; }
	xb_run "$1" "$2" detach || return 1
	xt_wait 60 xt_guest_sees_nothing "$D" ||
		{ xt_not_ok "bench $1 $2: g1 loses the device"; return 1; }
	xb_run "$1" "$2" assignable-remove
}

XB_FAIL=0
r=0
while [ $r -le "$XB_N" ]; do
	if [ $((r % 2)) = 0 ]; then set -- xl agent; else set -- agent xl; fi
	xb_cycle $r "$1" && xb_cycle $r "$2" || { XB_FAIL=1; break; }
	r=$((r + 1))
done
xt_is "bench: $XB_N timed rounds of both tools" "$XB_FAIL" 0
xt_is "e1000 has $XB_BDF back" "$(xt_driver $XB_BDF)" e1000
xt_check "destroy g1" xt_guest_destroy "$D"
xt_check "agent stops cleanly" xt_agent_stop
