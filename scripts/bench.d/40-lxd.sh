# LXD (issues 4 and 5): server.get, image.list and profile.update latency
# against the local daemon; instance.list from the read model against a
# direct GET /1.0/instances?recursion=1 with UIVMM_BENCH_INSTANCES real
# containers (default 300, created and not started, removed afterwards).
# A daemon this script starts is stopped afterwards (it would take CPU
# from whatever is measured next); one that was already running is left.
lxd_was_up=false
[ -f "${UIVMM_LXD_ROOT:-/tmp/uivmm-lxd}/lxd.pid" ] && kill -0 "$(cat "${UIVMM_LXD_ROOT:-/tmp/uivmm-lxd}/lxd.pid")" 2>/dev/null && lxd_was_up=true
if eval "$(scripts/lxd-testenv.sh up)"; then
	run lxd-servers ./api/lxdtest/ '.' -benchtime 200x -timeout 20m
	run lxd-instance-list ./api/instancetest/ 'InstanceList' -timeout 30m
	$lxd_was_up || scripts/lxd-testenv.sh down >/dev/null 2>&1 || true
else
	echo "   LXD could not start: the LXD benchmarks did not run" >&2
	status=1
fi
