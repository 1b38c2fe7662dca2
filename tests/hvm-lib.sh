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
