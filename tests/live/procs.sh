# shellcheck shell=bash
# The real processes of the tests that run without network namespaces
# (api.sh, scale_api.sh, events_live.sh): aftr-dataplane on the ports of
# $tmp/aftr.yaml and aftr-control beside it, sharing the region $name.
# Each starts in the background, its pid in pids (which the caller's
# cleanup stops) and in dp_pid or control_pid. Sourced once dataplane,
# control, tmp, name and pids are set; dp_mem, the dataplane's EAL memory
# in MB, is 256 unless the script sets it.
# shellcheck disable=SC2154 # dataplane, control, tmp, name: the script's

start_dataplane() {
	"$dataplane" --no-huge -m "${dp_mem:-256}" -l 0,1 --no-pci --no-telemetry --file-prefix "$name" \
		--log-level='*:warning' -- -c "$tmp/aftr.yaml" --shm "$name" >>"$tmp/dp.log" 2>&1 &
	dp_pid=$!
	pids+=("$dp_pid")
}

start_control() {
	"$control" -c "$tmp/aftr.yaml" --state "$tmp/state" --shm "$name" >>"$tmp/control.log" 2>&1 &
	control_pid=$!
	pids+=("$control_pid")
}
