# Helpers for the hotplug script tests (t-script-*.sh), sourced by each
# of them after attach-lib.sh: a script directory with the shipped `pci`
# and pci-common.sh and a site script `rec` that records every call
# (phase and environment) and does what a control file tells it for
# that phase and device: fail with a message, die of a signal, hang,
# flood its output, wait for a file, or start a process and hang.
SCRIPTS=
CALLS=
CTL=

# script_inv: attach.inv with a netdev (xpanic0) on 07:00.0 while igb
# has it, so the default script has an interface to take down.
script_inv() {
	local f
	f=$(mktemp /tmp/xpa-script-inv.XXXXXX)
	sed "s/^\(0000:07:00.0 .*\)\$/\1 ifname=xpanic0/" "$ATTACH_INV" >"$f"
	echo "$f"
}

# scripts_up: $SIM/scripts, $SIM/calls, $SIM/ctl; a fake ip(8) that
# records instead of touching the machine's interfaces.
scripts_up() {
	SCRIPTS=$SIM/scripts
	CALLS=$SIM/calls
	CTL=$SIM/ctl
	mkdir -p "$SCRIPTS" "$CTL" "$SIM/fakebin"
	: >"$CALLS"
	cp "$TOP/hotplug-scripts/pci" "$TOP/hotplug-scripts/pci-common.sh" \
		"$SCRIPTS/"
	cat >"$SIM/fakebin/ip" <<FAKE
#!/bin/sh
echo "ip \$*" >>"$SIM/ip.log"
FAKE
	chmod +x "$SIM/fakebin/ip"
	export XENPCI_IP=$SIM/fakebin/ip
	cat >"$SCRIPTS/rec" <<REC
#!/bin/bash
# Records the call, then obeys $CTL/<phase>-<BDF> (or $CTL/<phase>).
echo "\$1 bdf=\$BDF domid=\${DOMID-} name=\${DOMAIN_NAME-} drv=\$ORIG_DRIVER type=\$XENBUS_TYPE path=\${XENBUS_PATH-} base=\${XENBUS_BASE_PATH-} req=\$REQUEST sysfs=\$SYSFS_PATH" >>"$CALLS"
c=$CTL/\$1-\$BDF
[ -e "\$c" ] || c=$CTL/\$1
[ -e "\$c" ] || exit 0
read -r what arg <"\$c"
case \$what in
fail) echo "rec: some detail on stderr" >&2; echo "\$arg" >&2; exit 3 ;;
signal) echo "rec: about to crash"; kill -"\$arg" \$\$ ;;
hang) trap '' TERM; echo \$\$ >"$SIM/hang.pid"; while :; do sleep 1; done ;;
hangterm) echo \$\$ >"$SIM/hang.pid"; sleep 1000 ;;
flood) l=\$(printf '%100s' '' | tr ' ' x); touch "$SIM/flooding"
	while [ ! -e "\$arg" ]; do yes "\$l" | head -c 1010000; sleep 0.1; done; exit 0 ;;
nul) printf 'a\\0b\\033c\\n' ;;
waitfor) touch "$SIM/running.\$BDF"; while [ ! -e "\$arg" ]; do sleep 0.05; done ;;
child) sleep 1000 & echo \$! >"$SIM/child.pid"; echo \$\$ >"$SIM/hang.pid"; sleep 1000 ;;
esac
exit 0
REC
	chmod +x "$SCRIPTS/rec"
}

# ctl PHASE[-BDF] WHAT [ARG]: what rec does in that phase.
ctl() { echo "$2 ${3:-}" >"$CTL/$1"; }
ctl_clear() { rm -f "$CTL"/*; }
# calls_of PHASE [BDF]: rec's record lines for that phase.
calls_of() { grep "^$1 bdf=${2:-}" "$CALLS"; }
ncalls() { calls_of "$@" | wc -l; }
calls_mark() { : >"$CALLS"; }
# call_field PHASE BDF FIELD: FIELD=... of the last such call.
call_field() {
	calls_of "$1" "$2" | tail -n 1 | tr ' ' '\n' | sed -n "s/^$3=//p"
}
# script_agent_up [options]: the agent with the test's script dir.
script_agent_up() {
	agent_up --script-dir "$SCRIPTS" "$@"
}
# log_has_re REGEX: the current agent log matches.
log_has_re() { grep -qE -- "$1" "$AGENT_LOG"; }
log_count_re() { grep -cE -- "$1" "$AGENT_LOG"; }
# no_proc PID: gone (or a zombie).
no_proc() { ! pid_alive "$1"; }
