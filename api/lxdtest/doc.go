// Package lxdtest holds the integration tests and benchmarks of the LXD
// server methods (server.*, certificate.*, image.*, profile.*,
// network/pool/volume.list) against the real LXD daemon that
// scripts/lxd-testenv.sh starts, including the fault tests on a second,
// throw-away daemon. They fail, never skip, when the daemon's environment
// is missing. It has no code outside its tests.
package lxdtest
