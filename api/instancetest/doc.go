// Package instancetest holds the integration tests and the benchmark of
// the instance methods (instance.add, .action, .get, .list) and of the
// LXD event listener, against the real LXD daemon that
// scripts/lxd-testenv.sh starts. They fail, never skip, when the daemon's
// environment is missing. Every container a test makes is deleted when it
// ends.
//
// The benchmark compares instance.list with LXD's own list on at least
// 200 real containers (UIVMM_BENCH_INSTANCES, default 300):
//
//	eval "$(scripts/lxd-testenv.sh env)"
//	go test -run '^$' -bench InstanceList -benchmem -timeout 30m ./api/instancetest/
package instancetest
