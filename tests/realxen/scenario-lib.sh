# The real-Xen tier's scenario helpers, for POSIX sh (busybox ash in the
# real dom0, dash on the simulated host).  A scenario is written once
# and runs in both worlds; XT_WORLD says which:
#   real  inside the real dom0 booted by tests/realxen/boot: xl makes the
#         guests, sysfs is /sys, pciback and pcifront are Linux's;
#   sim   on the simulated host (tests/realxen/sim-run): simhost makes
#         the guests, and sysfs, pciback and pcifront are simulated.
# Results are marker lines that the runner turns into test results:
#   XTEST ok - NAME / XTEST not ok - NAME / XTEST # detail
# and XDUMP sections, the normalised xenstore trees and driver bindings
# after a step, which the runner compares between the two worlds.

R=/local/domain/0/pci-agent
# The QEMU machine's devices (tests/realxen/boot) and their twins in
# tests/realxen/qemu.inv: two e1000s and a two-function e1000.
NIC1=0000:00:03.0
MF0=0000:00:04.0
MF1=0000:00:04.1
NIC2=0000:00:05.0
XT_DEVS="$NIC1 $MF0 $MF1 $NIC2"
XT_TMP=${XT_TMP:-/tmp/xtest}
mkdir -p "$XT_TMP"
: > "$XT_TMP/guests"

xt_ok() { echo "XTEST ok - $*"; }
xt_not_ok() { echo "XTEST not ok - $*"; }
xt_diag() { printf '%s\n' "$@" | sed 's/^/XTEST # /'; }

# xt_check NAME CMD...: CMD must succeed; its output is shown if not
# (and the status is CMD's, for a scenario that cannot go on without).
xt_check() {
	local name=$1
	shift
	if "$@" > "$XT_TMP/out" 2>&1; then
		xt_ok "$name"
	else
		xt_not_ok "$name"
		xt_diag "command: $*" "$(cat "$XT_TMP/out")"
		return 1
	fi
}

# xt_fails NAME CMD...: CMD must fail.
xt_fails() {
	local name=$1
	shift
	if "$@" > "$XT_TMP/out" 2>&1; then
		xt_not_ok "$name"
		xt_diag "command succeeded: $*" "$(cat "$XT_TMP/out")"
	else
		xt_ok "$name"
		xt_diag "$(cat "$XT_TMP/out")"
	fi
}

# xt_is NAME GOT WANT
xt_is() {
	if [ "$2" = "$3" ]; then
		xt_ok "$1"
	else
		xt_not_ok "$1"
		xt_diag "got:  '$2'" "want: '$3'"
	fi
}

# xt_wait SECONDS CMD...: until CMD succeeds, evaluated again each time,
# for at most SECONDS of wall-clock time (not a count of tries: under
# nested emulation on a loaded machine one try of a check that forks
# a few commands can take a second).
xt_wait() {
	local end=$(($(xt_now) + $1))
	shift
	while :; do
		"$@" > /dev/null 2>&1 && return 0
		[ "$(xt_now)" -lt "$end" ] || return 1
		sleep 0.2
	done
}
xt_now() { cut -d. -f1 /proc/uptime; }

# xt_wait_check NAME SECONDS CMD...
xt_wait_check() {
	local name=$1 secs=$2
	shift 2
	if xt_wait "$secs" "$@"; then
		xt_ok "$name"
	else
		xt_not_ok "$name"
		xt_diag "still false after ${secs}s: $*"
		"$@" 2>&1 | sed 's/^/XTEST #   /'
		case $1 in
		xt_guest_*) xt_diag "guest $2's bus: $(xt_guest_bus "$2" |
			tr '\n' ' ')"
			[ "$XT_WORLD" = real ] && xt_diag "its console's end:" \
				"$(tail -n 15 "$(xt_guest_log "$(sed -n \
				"s/^$2 //p" "$XT_TMP/guests")")" | tr -d '\r')"
			[ "$XT_WORLD" = real ] && xt_guest_postmortem
			;;
		esac
	fi
}

# xt_guest_postmortem: what Xen knows of a guest that stopped answering
# (crashed and preserved, or running but silent): the domain list, the
# hypervisor's recent log (a triple fault or a bad page access is logged
# there with guest_loglvl=all), and each vCPU's state and pending events
# (debug key 'q').
xt_guest_postmortem() {
	xt_diag "xl list: $(xl list 2>&1 | tr -s ' ' | tr '\n' '|')"
	xl dmesg 2>&1 | tail -n 25 | sed 's/^/XTEST #   xl dmesg: /'
	xl debug-keys q >/dev/null 2>&1
	xl dmesg 2>&1 | tail -n 40 | sed 's/^/XTEST #   key q: /'
}

# --- the devices ---------------------------------------------------------

xt_driver() {
	local l=$XT_SYSFS/bus/pci/devices/$1/driver
	if [ -e "$l" ]; then basename "$(readlink "$l")"; else echo -; fi
}
xt_attr() { cat "$XT_SYSFS/bus/pci/devices/$1/$2" 2>&1; }
xt_has() {
	if [ -e "$XT_SYSFS/bus/pci/devices/$1/$2" ]; then echo yes
	else echo no; fi
}
xt_driver_is() { [ "$(xt_driver "$1")" = "$2" ]; }
xt_pciback_file() { cat "$XT_SYSFS/bus/pci/drivers/pciback/$1"; }

# --- the agent ----------------------------------------------------------

# The agent started last serves (after a kill -9 the old one's "running"
# is still there: the pid tells them apart).
xt_agent_running() {
	[ "$(xenstore-read $R/state 2>/dev/null)" = running ] &&
		[ "$(xenstore-read $R/pid 2>/dev/null)" = \
			"$(cat "$XT_TMP/agent.pid")" ]
}

xt_agent_start() {
	xt_agent_spawn
	if xt_wait 30 xt_agent_running; then
		xt_ok "agent serves ($XT_WORLD)"
	else
		xt_not_ok "agent serves ($XT_WORLD)"
		return 1
	fi
}

xt_agent_kill9() {
	kill -9 "$(cat "$XT_TMP/agent.pid")"
	# Wait until it is gone: its state node says running still (it
	# had no chance to say otherwise), so xenstore cannot tell.
	xt_wait 10 sh -c "! kill -0 $(cat "$XT_TMP/agent.pid") 2>/dev/null"
}

xt_agent_stop() {
	kill "$(cat "$XT_TMP/agent.pid")"
	xt_wait 30 sh -c "! kill -0 $(cat "$XT_TMP/agent.pid") 2>/dev/null"
}

# --- the agent as a host's init script runs it -------------------------
#
# real: dom0-init started it at boot with /etc/init.d/xen-pci-agent
#       start, from /etc/xen/xen-pci-agent.cfg (scen-NAME.cfg); the
#       scenario restarts and stops it with the same script;
# sim:  the agent with the command line the init script gives it
#       (--config FILE --pidfile FILE, daemonised), from a copy of the
#       same scen-NAME.cfg; t-host-install.sh runs the installed init
#       script itself against the simulated host.
xt_initd_serving() {
	[ "$(xenstore-read $R/state 2>/dev/null)" = running ] &&
		[ "$(xenstore-read $R/pid 2>/dev/null)" = "$(xt_initd_pid)" ]
}
xt_initd_pid() { cat "$(xt_initd_pidfile)" 2>/dev/null; }
xt_initd_gone() {
	local p
	p=$(xt_initd_pid)
	[ -z "$p" ] || ! kill -0 "$p" 2>/dev/null
}

# --- guests ---------------------------------------------------------------

# xt_guest_domid NAME
xt_guest_domid() { sed -n "s/^\([0-9]*\) $1\$/\1/p" "$XT_TMP/guests"; }

# xt_guest_bus DOMID: the guest's PCI bus as its virtual BDFs, sorted.
# xt_guest_sees DOMID BDF...: exactly those.
xt_guest_sees() {
	local d=$1 want
	shift
	want=$(printf '%s\n' "$@" | sort | tr '\n' ' ')
	[ "$(xt_guest_bus "$d" | tr '\n' ' ')" = "$want" ]
}

xt_guest_sees_nothing() { [ -z "$(xt_guest_bus "$1")" ]; }

# --- what is compared between the two worlds ----------------------------

# xt_dump STEP: the PCI backend and frontend trees of every guest the
# scenario made, the agent's device list and the devices' drivers, and
# pciback's slots and permissive lists, normalised (event channel
# numbers and grant references are the two worlds' own) and sorted.
# The two worlds run at different speeds (a real guest may still be on
# its way to Connected when the simulated one is there): the dump is
# taken once it has not changed for a second (at most 30 s).
xt_dump() {
	local n=30
	xt_dump_raw > "$XT_TMP/dump.prev"
	while [ "$n" -gt 0 ]; do
		sleep 1
		xt_dump_raw > "$XT_TMP/dump.cur"
		cmp -s "$XT_TMP/dump.prev" "$XT_TMP/dump.cur" && break
		mv "$XT_TMP/dump.cur" "$XT_TMP/dump.prev"
		n=$((n - 1))
	done
	echo "XDUMP begin $1"
	xt_diag "dump $1 at $(cut -d' ' -f1 /proc/uptime)s"
	sed 's/^/XDUMP /' "$XT_TMP/dump.prev"
	xt_dump_qmp | sed 's/^/XDUMP /'
	echo "XDUMP end"
}

# The QMP messages each HVM guest's QEMU exchanged since the last dump,
# in their order, after the sorted trees: "qmp NAME > JSON" (to QEMU),
# "qmp NAME < JSON" (from it).  The runner compares them as JSON with
# sorted keys (tests/realxen/tier.sh, rx_qmp_canon).
xt_dump_qmp() {
	local d name
	while read -r d name; do
		[ -e "$XT_TMP/qmp-$name.seen" ] || continue
		xt_qmp_new "$name" | sed "s/^qmp /qmp $name /"
	done < "$XT_TMP/guests"
}

xt_dump_raw() {
	local d name
	{
		xenstore-ls -f -p /local/domain/0/backend/pci 2>/dev/null
		while read -r d name; do
			xenstore-ls -f -p /local/domain/$d/device/pci 2>/dev/null
			# A dead guest's last word about its bus means nothing.
			xt_guest_alive "$d" || continue
			echo "guest $name bus: $(xt_guest_bus "$d" | tr '\n' ' ')"
		done < "$XT_TMP/guests"
		xenstore-ls -f $R/devices 2>/dev/null
		xenstore-ls -f /libxl/pci 2>/dev/null
		for d in $XT_DEVS; do
			echo "driver $d $(xt_driver "$d")"
			echo "sysfs $d reset=$(xt_has "$d" reset)" \
				"driver_override=$(xt_attr "$d" driver_override)"
		done
		echo "pciback files: $(ls "$XT_SYSFS/bus/pci/drivers/pciback" |
			grep -v '^[0-9a-f]*:' | tr '\n' ' ')"
		echo "pciback parameters: $(cd \
			"$XT_SYSFS/module/xen_pciback/parameters" &&
			grep . * | tr '\n' ' ')"
		echo "pciback slots: $(xt_pciback_file slots | tr '\n' ' ')"
		echo "pciback permissive: $(xt_pciback_file permissive |
			tr '\n' ' ')"
	} | sed -e 's/\(event-channel = \)"[0-9]*"/\1"<evtchn>"/' \
		-e 's/\(pci-op-ref = \)"[0-9]*"/\1"<gref>"/' | sort
}

# --- the two worlds --------------------------------------------------------

if [ "$XT_WORLD" = real ]; then
XT_SYSFS=/sys
XT_AGENT_LOG=/run/agent.log

xt_agent_spawn() {
	xen-pci-agent --foreground --log-level debug \
		2>> /run/agent.log &
	echo $! > "$XT_TMP/agent.pid"
}
xt_agent_log() { echo /run/agent.log; }

xt_cfg() { echo /etc/xen/xen-pci-agent.cfg; }
xt_initd_pidfile() { echo /run/xen-pci-agent.pid; }
# xt_initd_booted: the boot's own start (dom0-init) exited 0.
xt_initd_booted() {
	xt_diag "init script at boot: $(cat /run/initd-start.out 2>&1)"
	[ "$(cat /run/initd-start.rc 2>/dev/null)" = 0 ]
}
xt_initd() { /etc/init.d/xen-pci-agent "$1"; }
xt_xenstored() {
	basename "$(readlink "/proc/$(cat /run/xenstored.pid)/exe")"
}

# xt_guest_create NAME [-p]: a PV guest with pcifront; -p: paused.
xt_guest_create() {
	local name=$1 d
	cat > "$XT_TMP/$name.cfg" <<EOC
name = "$name"
type = "pv"
kernel = "/guest/vmlinuz"
ramdisk = "/guest/initrd"
extra = "console=hvc0${XT_GUEST_EXTRA:+ $XT_GUEST_EXTRA}"
memory = 192
vcpus = 1
# Without it (or a pci= entry) Xen gives the domain no IOMMU context and
# refuses to assign it any device later (EOPNOTSUPP), as for xl.
passthrough = "enabled"
EOC
	xl create $2 "$XT_TMP/$name.cfg" || return 1
	d=$(xl domid "$name") || return 1
	echo "$d $name" >> "$XT_TMP/guests"
}

# xt_hvm_create NAME [-p]: an HVM guest with qemu-xen as its device
# model, booted by SeaBIOS from a small AHCI disk (SYSLINUX, the guest
# kernel and initramfs: tests/realxen/mkinitrd) with tsc_mode native,
# which together took its boot from 17 minutes to 3.5 here.  The disk
# controller sits at slot 1f, out of the way of hot-plug (the one run
# that passed had it there; the runs with it at 03 that did not were
# held back by guest-init's slow console, not shown to be the slot's
# doing).  The simulated guest has no disk (simhost --no-ahci), so its
# first free slot is 03.0 too.  Its serial port is its console
# (hvm-NAME.log).  QEMU traces its QMP monitor (every command as it
# parsed it, every answer and event as it sent them) into
# qmp-NAME.trace: the real side of the QMP transcript that the
# conformance comparison covers (xt_qmp).
xt_hvm_create() {
	local name=$1 d
	cat > "$XT_TMP/$name.cfg" <<EOC
name = "$name"
type = "hvm"
boot = "c"
device_model_args_hvm = [ "-drive", "file=/guest/disk.img,if=none,id=gd0,format=raw", "-device", "ich9-ahci,id=gahci,addr=1f.0", "-device", "ide-hd,drive=gd0,bus=gahci.0", "-trace", "handle_qmp_command", "-trace", "monitor_qmp_respond", "-D", "/var/log/xen/qmp-$name.trace" ]
tsc_mode = "native"
memory = 256
vcpus = 1
serial = "file:/var/log/xen/console/hvm-$name.log"
vnc = 0
sdl = 0
nographic = 1
vga = "none"
on_crash = "preserve"
# A triple fault is a reboot to Xen (hvm_triple_fault()): keep the guest,
# its console and its domid, so a scenario fails at the step that did it.
on_reboot = "preserve"
passthrough = "enabled"
EOC
	xl create $2 "$XT_TMP/$name.cfg" || return 1
	d=$(xl domid "$name") || return 1
	echo "$d $name" >> "$XT_TMP/guests"
	echo 0 > "$XT_TMP/qmp-$name.seen"
}

# A guest's console: a PV guest's hvc0 as xenconsoled logs it, an HVM
# guest's serial port as qemu-xen writes it.
xt_guest_log() {
	if [ -e "/var/log/xen/console/hvm-$1.log" ]; then
		echo "/var/log/xen/console/hvm-$1.log"
	else
		echo "/var/log/xen/console/guest-$1.log"
	fi
}

xt_guest_up() {
	grep -q '^XGUEST up' "$(xt_guest_log "$1")" 2>/dev/null
}

xt_qmp_file() { echo "/var/log/xen/qmp-$1.trace"; }

# xt_qmp_new NAME: the QMP messages of NAME's QEMU since the last call,
# one a line: "qmp > REQUEST" (a command, as QEMU parsed it) or
# "qmp < ANSWER" (an answer, an event or the greeting, as sent).
xt_qmp_new() {
	local f=/var/log/xen/qmp-$1.trace seen n mon
	seen=$(cat "$XT_TMP/qmp-$1.seen" 2>/dev/null || echo 0)
	n=$(wc -l < "$f" 2>/dev/null || echo 0)
	echo "$n" > "$XT_TMP/qmp-$1.seen"
	[ "$n" -gt "$seen" ] || return 0
	# libxl's monitor is the one commands come in on; QEMU also traces
	# the events it copies to libxenstat's monitor, which has no client.
	mon=$(sed -n 's/^handle_qmp_command mon \([^ ]*\) req: .*/\1/p' "$f" |
		head -n 1)
	sed -n "$((seen + 1)),${n}p" "$f" | sed -n \
		-e "s/^handle_qmp_command mon $mon req: /qmp > /p" \
		-e "s/^monitor_qmp_respond mon $mon resp: /qmp < /p"
}

xt_guest_unpause() { xl unpause "$1"; }
xt_guest_destroy() { xl destroy "$1"; }
# xt_dom0_net IF ADDR/PLEN ROUTE/PLEN: dom0 uses IF: up, an address
# (which brings its prefix route, fib_add_ifaddr()) and another route.
xt_dom0_net() {
	ip link set "$1" up && ip addr add "$2" dev "$1" &&
		ip route add "$3" dev "$1"
}
# xt_guest_cfgwrite DOMID VBDF OFF: the guest writes 2 bytes at OFF
# (decimal).  A real guest does it itself (guest-init,
# XT_GUEST_EXTRA=xtest_cfgwrite=OFF at its creation); wait for its word.
xt_guest_cfgwrite() {
	local name
	name=$(sed -n "s/^$1 //p" "$XT_TMP/guests")
	xt_wait 120 grep -q "^XGUEST cfgwrite $2 $3" "$(xt_guest_log "$name")"
}
# xt_dmesg_ro_write BDF: pciback's read-only config write warning.
xt_dmesg_ro_write() {
	dmesg | grep -q "pciback $1: .*Driver tried to write to a read-only"
}
xt_guest_alive() { xl list "$1" > /dev/null 2>&1; }

# The last bus report on the guest's console (guest-init).
xt_guest_bus_line() {
	local name
	name=$(sed -n "s/^$1 //p" "$XT_TMP/guests")
	grep '^XGUEST pci:' "$(xt_guest_log "$name")" \
		2>/dev/null | tail -n 1 | tr -d '\r'
}

# The devices passed through, by their IDs: an HVM guest's bus also has
# QEMU's emulated devices (none of them an e1000: its network is off).
xt_guest_bus() {
	xt_guest_bus_line "$1" | sed 's/^XGUEST pci://' | tr ' ' '\n' |
		sed -n 's/^\([0-9a-f:.]*\)=8086:100e\/.*/\1/p' | sort
}

# xt_guest_driver DOMID VBDF: the driver the guest bound to it.
xt_guest_driver() {
	xt_guest_bus_line "$1" | tr ' ' '\n' |
		sed -n "s|^$2=[0-9a-f]*:[0-9a-f]*/||p"
}

else
XT_SYSFS=$SYSFS_ROOT
XT_AGENT_LOG=$SIMHOST_DIR/agent.log
XT_NEXT_DOMID=1

xt_agent_spawn() {
	LD_PRELOAD=$SIMXEN_PRELOAD xen-pci-agent --foreground \
		--sysfs-root "$SYSFS_ROOT" --state-dir "$SIMHOST_DIR/state" \
		--proc-root "${SYSFS_ROOT%/sys}/proc" \
		--dev-root "${SYSFS_ROOT%/sys}/dev" \
		--run-dir "$XEN_RUN_DIR" --xen-lib-dir "$XEN_LIB_DIR" \
		--log-level debug 2>> "$SIMHOST_DIR/agent.log" &
	echo $! > "$XT_TMP/agent.pid"
}
xt_agent_log() { echo "$SIMHOST_DIR/agent.log"; }

xt_cfg() { echo "$XT_TMP/xen-pci-agent.cfg"; }
xt_initd_pidfile() { echo "$XT_TMP/initd.pid"; }
xt_initd_booted() {
	cp "./scen-$XT_SCEN.cfg" "$(xt_cfg)" && xt_initd start
}
# As the init script: the daemon's parent returns once it serves.
xt_initd() {
	case $1 in
	start)
		LD_PRELOAD=$SIMXEN_PRELOAD xen-pci-agent \
			--config "$(xt_cfg)" --pidfile "$(xt_initd_pidfile)" \
			--sysfs-root "$SYSFS_ROOT" \
			--state-dir "$SIMHOST_DIR/state" \
			--run-dir "$XEN_RUN_DIR" --log-level debug \
			2>> "$SIMHOST_DIR/agent.log"
		;;
	stop)
		kill "$(xt_initd_pid)" && xt_wait 90 xt_initd_gone &&
			rm -f "$(xt_initd_pidfile)"
		;;
	restart) xt_initd stop && xt_initd start ;;
	esac
}
xt_xenstored() {
	basename "$(readlink "/proc/$(cat "$SIMHOST_DIR/run/xenstored.pid")/exe")"
}

# Domain ids are given in xl's order (1, 2, ...) so that the paths
# match the real world's.
xt_guest_create() {
	local name=$1 d=$XT_NEXT_DOMID
	XT_NEXT_DOMID=$((d + 1))
	simhost domain create "$d" --name "$name" > /dev/null || return 1
	[ "$2" = -p ] && { simhost domain pause "$d" || return 1; }
	echo "$d $name" >> "$XT_TMP/guests"
}

# An HVM guest: the simulated host's QEMU is its QMP peer (tests/sim/qmp).
xt_hvm_create() {
	local name=$1 d=$XT_NEXT_DOMID
	XT_NEXT_DOMID=$((d + 1))
	simhost domain create "$d" --name "$name" --hvm --no-ahci > /dev/null ||
		return 1
	[ "$2" = -p ] && { simhost domain pause "$d" || return 1; }
	echo "$d $name" >> "$XT_TMP/guests"
	echo 0 > "$XT_TMP/qmp-$name.seen"
}

# The peer's transcript, {"conn": N, "dir": "in"|"out", "msg": JSON} a
# line, in the real world's shape (xt_qmp_new there); a connection's
# open and close are not messages.
xt_qmp_file() {
	echo "$SIMHOST_DIR/run/qmp-$(xt_guest_domid "$1").transcript"
}
xt_qmp_new() {
	local f seen n
	f=$(xt_qmp_file "$1")
	seen=$(cat "$XT_TMP/qmp-$1.seen" 2>/dev/null || echo 0)
	n=$(wc -l < "$f" 2>/dev/null || echo 0)
	echo "$n" > "$XT_TMP/qmp-$1.seen"
	[ "$n" -gt "$seen" ] || return 0
	sed -n "$((seen + 1)),${n}p" "$f" | sed -n \
		-e 's/^{"conn": [0-9]*, "dir": "in", "msg": \(.*\)}$/qmp > \1/p' \
		-e 's/^{"conn": [0-9]*, "dir": "out", "msg": \(.*\)}$/qmp < \1/p'
}

# The simulated guest is up once its domain runs: its pcifront acts
# from then on (tests/sim/peer/guest.c).
xt_guest_up() {
	local d
	d=$(xt_guest_domid "$1")
	[ -n "$d" ] && grep -qx 'state=running' "$SIMXEN_DIR/domains/$d"
}
xt_guest_unpause() { simhost domain unpause "$1"; }
xt_guest_destroy() { simhost domain destroy "$1"; }
xt_dom0_net() {
	echo "link $1 up" > "$SIMSYSFS_CTL/hotplug" &&
		echo "host addr $1 $2" > "$SIMSYSFS_CTL/hotplug" &&
		echo "host route $1 $3" > "$SIMSYSFS_CTL/hotplug"
}
xt_guest_cfgwrite() {
	simhost guest "$1" cfgwrite "$2" "$3" 2 0x8000
}
xt_dmesg_ro_write() {
	cat "${SYSFS_ROOT%/sys}/dev/kmsg" 2>/dev/null |
		grep -q "pciback $1: .*Driver tried to write to a read-only"
}
xt_guest_alive() { [ -n "$(xenstore-read /local/domain/$1/name 2>/dev/null)" ]; }

xt_guest_bus() {
	sed -n 's/^\([0-9a-f:.]*\) <- .*/\1/p' \
		"$SIMXEN_DIR/guests/$1/pci" 2>/dev/null | sort
}
fi

# xt_guest_binds DOMID VBDF DRIVER: the real guest's driver took the
# device (the simulated guest has no drivers: the check is real-only).
xt_guest_binds() { [ "$(xt_guest_driver "$1" "$2")" = "$3" ]; }

# xt_permissive_logged BDF: the kernel said pciback went permissive for
# BDF (real: pci_stub.c's dev_warn in dmesg; sim: simsysfs's log line
# for the same event).
if [ "$XT_WORLD" = real ]; then
xt_permissive_logged() {
	dmesg | grep -q "pciback $1: .*enabling permissive mode"
}
else
xt_permissive_logged() { grep -q "permissive $1" "$SIMSYSFS_CTL/log"; }
fi

# xt_request ID OP KEY=VALUE...: a raw request, as a toolstack writes
# it (protocol/PROTOCOL.md): its fields, then op last; then wait for
# the final status and print "status code error".
xt_request() {
	local q=$R/requests/$1 op=$2 kv st
	shift 2
	for kv in "$@"; do
		xenstore-write "$q/${kv%%=*}" "${kv#*=}" || return 1
	done
	xenstore-write "$q/op" "$op" || return 1
	xt_wait 60 xt_request_done "$q" || { echo "no final status"; return 1; }
	st=$(xenstore-read "$q/status")
	echo "$st $(xenstore-read "$q/code" 2>/dev/null)" \
		"$(xenstore-read "$q/error" 2>/dev/null)"
}
xt_request_done() {
	case $(xenstore-read "$1/status" 2>/dev/null) in
	ok|error) return 0 ;;
	esac
	return 1
}
