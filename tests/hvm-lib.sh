# Helpers for the HVM tests (t-hvm-*.sh): attach-lib.sh's simulated host,
# with HVM guests (simhost domain create --hvm ...) whose qemu-xen is the
# simulated host's QMP peer on <simhost run dir>/qmp-libxl-<domid>.
. "$(dirname "${BASH_SOURCE[0]}")/attach-lib.sh"

# hvm_agent_up [agent options]: the agent, told where the QMP sockets are.
hvm_agent_up() {
	QMP_DIR=${XEN_RUN_DIR:-$SIMHOST_DIR/var-run-xen}
	agent_up --run-dir "$QMP_DIR" "$@"
}

# hvm_guest DOMID [simhost domain create options]: an HVM guest gDOMID
# with qemu-xen in dom0 unless the options say otherwise.
hvm_guest() { guest "$1" --hvm "${@:2}"; }

# qdev_id BDF: libxl's id for it in QEMU, pci-pt-BB_SS.F.
qdev_id() {
	local d b s f
	IFS=':.' read -r d b s f <<<"$1"
	echo "pci-pt-${b}_${s}.${f}"
}

# assert_nothing_for DESC DOMID BDF: the request left nothing behind:
# no backend or frontend for the guest, the device assignable, in no
# guest, no libxl domid record.
assert_nothing_for() {
	local desc=$1 d=$2 bdf=$3
	assert_no_backend "$desc" "$d"
	is "$desc: $bdf still assignable" "$(dev_state "$bdf")" assignable
	check "$desc: no /libxl/pci domid for $bdf" libxl_domid_absent "$bdf"
	check "$desc: the hypervisor did not give $bdf away (owner $(owner "$bdf"))" \
		owner_released "$bdf"
}

# qemu_has DOMID BDF: simqmp's status lists BDF; qemu_line prints it
# ("00:04.0 0000:07:00.0 id=pci-pt-07_00.0 permissive=0 ...").
qemu_line() { simhost qmp "$1" status 2>/dev/null | grep -F " $2 "; }
qemu_has() { [ -n "$(qemu_line "$1" "$2")" ]; }
qemu_lacks() { ! qemu_has "$1" "$2"; }
# transcript DOMID: the messages the agent sent ("in"), one a line.
sent() {
	simhost qmp "$1" transcript 2>/dev/null |
		sed -n 's/^{"conn": [0-9]*, "dir": "in", "msg": \(.*\)}$/\1/p'
}
# qmark DOMID: remember where QEMU's transcript ends; sent_since DOMID
# prints only what the agent sent afterwards.
qmark() { QMARK=$(simhost qmp "$1" transcript 2>/dev/null | wc -l); }
sent_since() {
	simhost qmp "$1" transcript 2>/dev/null | tail -n +$((QMARK + 1)) |
		sed -n 's/^{"conn": [0-9]*, "dir": "in", "msg": \(.*\)}$/\1/p'
}
sent_has() { sent "$1" | grep -qxF -- "$2"; }
# device_add_line BDF [ADDR] [PERMISSIVE]: libxl's device_add, as the
# agent sends it (id N is not compared: a regex without it).
device_add_re() {
	local bdf=$1 addr=${2:-} perm=${3:-} d b s f extra=
	IFS=':.' read -r d b s f <<<"$bdf"
	[ -n "$addr" ] && extra+=",\"addr\":\"$addr\""
	[ -n "$perm" ] && extra+=",\"permissive\":true"
	printf '{"execute":"device_add","arguments":{"driver":"xen-pci-passthrough","id":"pci-pt-%s_%s.%s","hostaddr":"%s"%s},"id":[0-9]+}' \
		"$b" "$s" "$f" "$bdf" "$extra"
}
sent_re() { sent "$1" | grep -cE -- "^$2\$"; }

# vdev_of SLOT FUNC: the agent's vdev for a guest address, 0000:00:SS.FF.
vdev_of() { printf '0000:00:%02x.%02x' "$((16#$1))" "$2"; }

# assert_hvm_attached DESC DOMID BDF SLOT.FUNC PERMISSIVE [RDM]: the
# device is with the HVM guest everywhere: QEMU has it at SLOT.FUNC, the
# hypervisor gave it to the guest (assign flag 0 = strict unless RDM is
# relaxed), libxl's records (domid, the backend's dev-i with vdevfn-i and
# opts-i) and R/devices.
assert_hvm_attached() {
	local desc=$1 d=$2 bdf=$3 at=$4 perm=$5 rdm=${6:-strict} b i line
	local slot=${at%.*} fn=${at#*.} vdev opts
	vdev=$(vdev_of "$slot" "$fn")
	b=$(be "$d")
	line=$(qemu_line "$d" "$bdf")
	like "$desc: QEMU has $bdf at 00:$at" "$line" "^00:$at $bdf id=$(qdev_id "$bdf") permissive=$perm "
	is "$desc: R/devices state" "$(dev_field "$bdf" state)" attached
	is "$desc: R/devices domid" "$(dev_field "$bdf" domid)" "$d"
	is "$desc: R/devices vdev" "$(dev_field "$bdf" vdev)" "$vdev"
	is "$desc: R/devices stage" "$(dev_field "$bdf" stage)" exported
	is "$desc: R/devices permissive" "$(dev_field "$bdf" permissive)" "$perm"
	is "$desc: /libxl/pci/K/domid" "$(libxl_domid "$bdf")" "$d"
	is "$desc: hypervisor owner" "$(owner "$bdf")" "$d"
	check "$desc: still bound to pciback" on_pciback "$bdf"
	opts="msitranslate=0,power_mgmt=0,permissive=$perm,rdm_policy=$rdm"
	if i=$(be_index "$d" "$bdf"); then
		ok "$desc: in libxl's backend record (dev-$i)"
		is "$desc: key-$i" "$(xs_read "$b/key-$i")" "$bdf"
		is "$desc: vdevfn-$i (QEMU's address)" "$(xs_read "$b/vdevfn-$i")" \
			"$(printf '%x' $(((16#$slot << 3) | fn)))"
		is "$desc: opts-$i" "$(xs_read "$b/opts-$i")" "$opts"
	else
		not_ok "$desc: in libxl's backend record"
	fi
}

# assert_hvm_released DESC BDF DOMID: assignable again, out of QEMU and
# of libxl's records.
assert_hvm_released() {
	local desc=$1 bdf=$2 d=$3
	assert_released "$desc" "$bdf"
	check "$desc: QEMU no longer has $bdf" qemu_lacks "$d" "$bdf"
	check "$desc: not in the backend record of dom $d" \
		eval "! be_index $d $bdf >/dev/null"
}
