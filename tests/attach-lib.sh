# Helpers for the attach/detach end-to-end tests (t-attach-*.sh), sourced
# by each of them: a simulated host whose hypervisor calls are recorded
# (the agent runs under libsimxen.so), requests as raw xenstore writes,
# and the checks every scenario repeats: "attached", "released", "no
# backend left", the hypercalls a device needs.
_ALIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$_ALIB_DIR/lib.sh"
. "$TOP/tests/agent-lib.sh"

A=0000:07:00.0		# the seed's 82575GB, function 0 (irq 16)
B=0000:07:00.1		# function 1 (irq 17)
# Only in attach.inv:
C=0000:08:00.0		# 32-bit mem, 64-bit mem and I/O BARs, irq 20
D=0000:09:00.0		# irq 21
E=0000:0a:00.0		# no irq
F=0000:0b:00.0		# no reset method
ATTACH_INV=$_ALIB_DIR/attach.inv
DOMID_IO=32753		# 0x7ff1: Xen's quarantine domain
OPTS0="msitranslate=0,power_mgmt=0,permissive=0,rdm_policy=strict"
OPTS1="msitranslate=0,power_mgmt=0,permissive=1,rdm_policy=strict"

# host_up [simhost up options]: a fresh simulated host; the agent started
# later runs under the simulated hypervisor (agent-lib.sh).  Whatever
# happens, the agent is killed and the host goes down at exit.
host_up() {
	sim_up "$@"
	HC=$SIMXEN_DIR/hypercalls.log
	SIMLOG=$SIMSYSFS_CTL/log
	PEERLOG=$SIMHOST_DIR/run/simpeer.log
	STATE=$SIM/state
	trap 'agent_kill9; sim_down; t_exit' EXIT
	mark
}

# agent_up [agent options]: start the agent, or end the test.
agent_up() {
	agent_start "$@" || exit 1
}

# check_attach_features: the agent announces attach and detach in
# R/features.
check_attach_features() {
	local f
	f=" $(xs_read $R/features) "
	if [[ $f == *" attach "* && $f == *" detach "* ]]; then
		ok "R/features announces attach and detach"
	else
		not_ok "R/features announces attach and detach (got:$f)"
	fi
}

# guest DOMID [simhost domain create options]: a guest named gDOMID.
guest() { simhost domain create "$1" --name "g$1" "${@:2}" >/dev/null; }

# --- xenstore paths ------------------------------------------------------
# (be, fe, be_error_path, be_state, fe_state, be_index, xs_is: tests/lib.sh)
xs_absent() { ! xs_exists "$1"; }
dev_field() { xs_read "$R/devices/$(key_of "$1")/$2"; }
libxl_domid() { xs_read "/libxl/pci/$(key_of "$1")/domid"; }
libxl_domid_absent() { xs_absent "/libxl/pci/$(key_of "$1")/domid"; }
rq() { xs_read "$R/requests/$1/$2"; }

# perms_of PATH: the node's permissions as xenstore-ls -p prints them
# ("n0,r5").
perms_of() {
	xenstore-ls -p "${1%/*}" 2>/dev/null |
		sed -n "s/^${1##*/} = .*(\([^()]*\))\$/\1/p"
}

# --- the simulated hypervisor, sysfs and guests ---------------------------
# sbdf_hex BDF: the name of the ownership file, dom<<16|bus<<8|devfn.
sbdf_hex() {
	local d b s f
	IFS=':.' read -r d b s f <<<"$1"
	printf '%08x' $(((16#$d << 16) | (16#$b << 8) | (16#$s << 3) | 16#$f))
}
# owner BDF: the domain the hypervisor gave the device to, or "none".
owner() { cat "$SIMXEN_DIR/pci/$(sbdf_hex "$1")" 2>/dev/null || echo none; }
# Released: back with dom0, or quarantined in dom_io (as libxl can).
owner_released() { local o; o=$(owner "$1"); [ "$o" = none ] || [ "$o" = $DOMID_IO ]; }
on_pciback() { [ -e "$SYSFS_ROOT/bus/pci/drivers/pciback/$1" ]; }
sys_permissive() { grep -qxF "$1" "$SYSFS_ROOT/bus/pci/drivers/pciback/permissive"; }
# (view, view_is: tests/lib.sh)
view_has() { view "$1" | grep -qxF -- "$2"; }
view_lacks_dev() { ! view "$1" | grep -q -- " <- $2\$"; }
# view_line VDEV BDF: pciback's vdev (0000:00:01.00) as the guest sees it.
view_line() {
	local d b s f
	IFS=':.' read -r d b s f <<<"$1"
	printf '%04x:%02x:%02x.%x <- %s' $((16#$d)) $((16#$b)) $((16#$s)) \
		$((16#$f)) "$2"
}

# mark: remember where the hypercall, sysfs and simpeer logs end, so
# that the *_since functions show only what happened afterwards.
mark() {
	HC_MARK=$(cat "$HC" 2>/dev/null | wc -l)
	SL_MARK=$(wc -l <"$SIMLOG")
	PL_MARK=$(cat "$PEERLOG" 2>/dev/null | wc -l)
}
hc_since() { tail -n +$((HC_MARK + 1)) "$HC" 2>/dev/null; }
sl_since() { tail -n +$((SL_MARK + 1)) "$SIMLOG"; }
pl_since() { tail -n +$((PL_MARK + 1)) "$PEERLOG" 2>/dev/null; }
hc_count() { hc_since | grep -cxF -- "$1"; }
hc_count_re() { hc_since | grep -cE -- "$1"; }
# sl_has_re REGEX: a sysfs log line since the mark, without its sequence
# number, matches REGEX.
sl_has_re() { sl_since | sed 's/^[0-9]* //' | grep -qE -- "$1"; }
pl_has() { pl_since | sed 's/^[^ ]* simpeer: //' | grep -qxF -- "$1"; }
# reset_by_agent BDF: a reset of BDF asked through sysfs (the device's
# reset file or pciback's do_flr), not one pciback does by itself on
# bind or release.
reset_by_agent() { sl_has_re "^reset $1 [a-z_]+ (sysfs|do_flr)\$"; }
unbound_from_pciback() { sl_has_re "^unbind $1 pciback\$"; }

# perm_lines BDF DOMID ALLOW: the permission hypercalls libxl makes for a
# PV guest (pci_add_dm_done / do_pci_remove): one per non-empty BAR of
# the device's resource file (I/O ports by port, memory by 4 KiB page),
# then the IRQ: map_pirq + irq_permission to grant, irq_permission +
# unmap_pirq to revoke.  (The expansion ROM line is left out: none of
# the test devices has one.)
perm_lines() {
	local bdf=$1 d=$2 a=$3 start end flags size irq
	while read -r start end flags; do
		((start)) || continue
		size=$((end - start + 1))
		if ((flags & 0x100)); then
			printf 'ioport_permission dom=%s first=0x%x nr=0x%x allow=%s rc=0\n' \
				"$d" $((start)) $size "$a"
		else
			printf 'iomem_permission dom=%s first=0x%x nr=0x%x allow=%s rc=0\n' \
				"$d" $((start >> 12)) $(((size + 0xfff) >> 12)) "$a"
		fi
	done < <(head -n 6 "$SYSFS_ROOT/bus/pci/devices/$bdf/resource")
	irq=$(cat "$SYSFS_ROOT/bus/pci/devices/$bdf/irq")
	((irq)) || return 0
	[ "$a" = 1 ] && echo "map_pirq dom=$d index=$irq pirq=$irq rc=0"
	echo "irq_permission dom=$d pirq=$irq allow=$a rc=0"
	[ "$a" = 0 ] && echo "unmap_pirq dom=$d pirq=$irq rc=0"
	return 0
}

# assert_granted DESC BDF DOMID: since the mark, each grant exactly once
# and one successful assign_device.
assert_granted() {
	local desc=$1 bdf=$2 d=$3 l
	while read -r l; do
		is "$desc: hypercall '$l' once" "$(hc_count "$l")" 1
	done < <(perm_lines "$bdf" "$d" 1)
	is "$desc: assign_device dom=$d sbdf=$bdf rc=0 once" \
		"$(hc_count_re "^assign_device dom=$d sbdf=$bdf flag=[0-9]+ rc=0\$")" 1
	is "$desc: the hypervisor gives $bdf to dom $d" "$(owner "$bdf")" "$d"
}

# assert_revoked DESC BDF DOMID: since the mark, every grant taken back
# (at least once) and the device deassigned from the guest.
assert_revoked() {
	local desc=$1 bdf=$2 d=$3 l n
	while read -r l; do
		n=$(hc_count "$l")
		check "$desc: hypercall '$l' (seen $n)" test "$n" -ge 1
	done < <(perm_lines "$bdf" "$d" 0)
	n=$(hc_count "deassign_device dom=$d sbdf=$bdf rc=0")
	check "$desc: deassign_device dom=$d sbdf=$bdf rc=0 (seen $n)" test "$n" -ge 1
	check "$desc: the hypervisor no longer gives $bdf to dom $d (owner $(owner "$bdf"))" \
		owner_released "$bdf"
}

# no_grants_for DESC BDF DOMID: nothing at all was granted for the
# device since the mark (a request refused before any work).
no_grants_for() {
	local desc=$1 bdf=$2 d=$3
	is "$desc: no hypercall for dom $d since the request" \
		"$(hc_count_re " dom=$d ")" 0
	check "$desc: $bdf not given to any guest (owner $(owner "$bdf"))" \
		owner_released "$bdf"
}

# assert_attached DESC DOMID BDF VDEV PERMISSIVE: the device is with the
# guest everywhere: R/devices, libxl's bookkeeping, the hypervisor and a
# backend entry (state-i 3, vdev-i, libxl's opts-i).
assert_attached() {
	local desc=$1 d=$2 bdf=$3 vdev=$4 perm=$5 b i opts
	b=$(be "$d")
	is "$desc: R/devices state" "$(dev_field "$bdf" state)" attached
	is "$desc: R/devices domid" "$(dev_field "$bdf" domid)" "$d"
	is "$desc: R/devices vdev" "$(dev_field "$bdf" vdev)" "$vdev"
	is "$desc: R/devices permissive" "$(dev_field "$bdf" permissive)" "$perm"
	is "$desc: R/devices bdf" "$(dev_field "$bdf" bdf)" "$bdf"
	is "$desc: /libxl/pci/K/domid" "$(libxl_domid "$bdf")" "$d"
	is "$desc: hypervisor owner" "$(owner "$bdf")" "$d"
	check "$desc: still bound to pciback" on_pciback "$bdf"
	if i=$(be_index "$d" "$bdf"); then
		ok "$desc: in the backend (dev-$i)"
		[ "$perm" = 1 ] && opts=$OPTS1 || opts=$OPTS0
		is "$desc: key-$i" "$(xs_read "$b/key-$i")" "$bdf"
		is "$desc: state-$i exported (3)" "$(xs_read "$b/state-$i")" 3
		is "$desc: vdev-$i" "$(xs_read "$b/vdev-$i")" "$vdev"
		is "$desc: opts-$i" "$(xs_read "$b/opts-$i")" "$opts"
	else
		not_ok "$desc: in the backend of dom $d"
	fi
	if [ "$perm" = 1 ]; then
		check "$desc: pciback lists it as permissive" sys_permissive "$bdf"
	else
		check "$desc: pciback does not list it as permissive" \
			eval "! sys_permissive $bdf"
	fi
}

# assert_released DESC BDF [DOMID]: assignable again with nothing left:
# R/devices says assignable (no domid, no vdev), no libxl domid, the
# hypervisor took it back, still on pciback, and (with DOMID) neither
# that guest's backend nor its PCI bus lists it.
assert_released() {
	local desc=$1 bdf=$2 d=${3:-}
	is "$desc: R/devices state" "$(dev_field "$bdf" state)" assignable
	check "$desc: R/devices has no domid" xs_absent "$R/devices/$(key_of "$bdf")/domid"
	check "$desc: R/devices has no vdev" xs_absent "$R/devices/$(key_of "$bdf")/vdev"
	check "$desc: no /libxl/pci/K/domid" libxl_domid_absent "$bdf"
	check "$desc: hypervisor took it back (owner $(owner "$bdf"))" owner_released "$bdf"
	check "$desc: still bound to pciback" on_pciback "$bdf"
	is "$desc: R/devices permissive says what pciback does" \
		"$(dev_field "$bdf" permissive)" "$(sys_permissive "$bdf" && echo 1 || echo 0)"
	[ -n "$d" ] || return 0
	check "$desc: not in the backend of dom $d" eval "! be_index $d $bdf >/dev/null"
	check "$desc: the guest no longer sees it" view_lacks_dev "$d" "$bdf"
}

# assert_no_backend DESC DOMID: no backend, no frontend (the last device
# removes both, libxl also prunes backend/pci/<domid>).
assert_no_backend() {
	local desc=$1 d=$2
	check "$desc: no backend $(be "$d")" xs_absent "$(be "$d")"
	check "$desc: no /local/domain/0/backend/pci/$d left" \
		xs_absent "/local/domain/0/backend/pci/$d"
	check "$desc: no frontend $(fe "$d")" xs_absent "$(fe "$d")"
}

# --- requests ---------------------------------------------------------------
# attach_ok DESC ID DOMID SPEC [FIELD=V...]: one spec, expect ok.
attach_ok() {
	local desc=$1 id=$2 d=$3 spec=$4
	shift 4
	run_ok "$desc" "$id" attach domid="$d" spec="$spec" "$@"
}
detach_ok() {
	local desc=$1 id=$2 d=$3 spec=$4
	shift 4
	run_ok "$desc" "$id" detach domid="$d" spec="$spec" "$@"
}
# make_assignable BDF...: through the agent, each must be ok.
make_assignable() {
	local bdf
	for bdf in "$@"; do
		run_ok "prepare: assignable-add $bdf" "prep-$(key_of "$bdf")" \
			assignable-add spec="$bdf"
		xenstore-rm "$R/requests/prep-$(key_of "$bdf")"
	done
}
# error_names DESC ID WORDS...: the error message names each WORD (the
# device, the domain).
error_names() {
	local desc=$1 id=$2 w msg
	shift 2
	msg=$(rq "$id" error)
	for w in "$@"; do
		like "$desc: the message names '$w'" "$msg" "$w"
	done
}

# agent_gone: the agent process has exited (a zombie until reaped
# counts as gone: lib.sh's pid_alive).
agent_gone() { ! pid_alive "$AGENT_PID"; }

# agent_wait_exit_status: wait (bounded, 15 s) for the agent to exit by
# itself and set AGENT_RC to its wait status (137 = SIGKILL), or to
# "running" if it did not exit (it is then killed, so the test goes on
# without an agent).  Not in a subshell: wait needs the agent as child.
agent_wait_exit_status() {
	if ! wait_until 15 agent_gone; then
		agent_kill9
		AGENT_RC=running
		return
	fi
	wait "$AGENT_PID" 2>/dev/null
	AGENT_RC=$?
	AGENT_PID=
}

# --- hypervisor grants as a set ----------------------------------------------
# Xen keeps permissions as a set, not a count: what a domain holds is the
# last successful call for each range, pirq and device.  A key per thing:
#   iomem_permission first=.. nr=..   ioport_permission first=.. nr=..
#   irq_permission pirq=N   pirq pirq=N (mapped)   dev sbdf=BDF (assigned)
_grant_awk='
$2 != d { next }
$NF != "rc=0" { next }
$1 == "iomem_permission" || $1 == "ioport_permission" { st[$1" "$3" "$4] = ($5 == "allow=1"); next }
$1 == "irq_permission" { st[$1" "$3] = ($4 == "allow=1"); next }
$1 == "map_pirq" { st["pirq "$4] = 1; next }
$1 == "unmap_pirq" { st["pirq "$3] = 0; next }
$1 == "assign_device" { st["dev "$3] = 1; next }
$1 == "deassign_device" { st["dev "$3] = 0; next }
END { for (k in st) if (st[k]) print k }'

# live_grants DOMID [all]: what DOMID holds according to the calls since
# the mark (or in the whole log with "all"), sorted, on one line.
live_grants() {
	if [ "${2:-}" = all ]; then
		cat "$HC" 2>/dev/null
	else
		hc_since
	fi | awk -v d="dom=$1" "$_grant_awk" | sort | _one_line
}
# _one_line: "a; b; c" (so that a difference shows on one diag line)
_one_line() { sed -z 's/\n$//; s/\n/; /g'; }

# grants_of DOMID BDF...: what DOMID holds once it has these devices.
grants_of() {
	local d=$1 bdf
	shift
	for bdf in "$@"; do
		perm_lines "$bdf" "$d" 1
		echo "assign_device dom=$d sbdf=$bdf flag=0 rc=0"
	done | awk -v d="dom=$d" "$_grant_awk" | sort | _one_line
}

# be_keys DOMID: the backend's node names, sorted, on one line.
be_keys() { xenstore-list "$(be "$1")" 2>/dev/null | sort | tr '\n' ' '; }
# keys_line NAME...: the same format for an expected set.
keys_line() { printf '%s\n' "$@" | sort | tr '\n' ' '; }
# libxl_be_keys N: libxl's and pciback's nodes of a connected backend
# with N devices (vpci: one root).  No vdevfn-i (only written when not
# zero) and no name-i (unnamed devices).
libxl_be_keys() {
	local i k=(frontend frontend-id online state domain num_devs root-0 root_num)
	for ((i = 0; i < $1; i++)); do
		k+=(key-$i dev-$i opts-$i state-$i vdev-$i)
	done
	keys_line "${k[@]}"
}

# ms_now: milliseconds since the epoch.
ms_now() { echo $(($(date +%s%N) / 1000000)); }

# code_is_errno DESC ID: the error carries an errno name.
code_is_errno() { like "$1: code is an errno name" "$(rq "$2" code)" '^E[A-Z0-9]+$'; }

# dom_pause DOMID / dom_unpause DOMID: a paused guest (xl create -p) runs
# no pcifront until it is unpaused.
dom_pause() { simhost domain pause "$1" >/dev/null; }
dom_unpause() { simhost domain unpause "$1" >/dev/null; }
# view_set_is DOMID LINES: the guest's bus holds exactly LINES, in any order.
view_set_is() { [ "$(view "$1" | sort)" = "$(sort <<<"$2")" ]; }
