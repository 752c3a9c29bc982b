// Package lxdtest holds the integration tests of issue 4 (LXD servers and
// their resources) against the real LXD daemon that
// scripts/lxd-testenv.sh starts, through a running uivmm started by
// apptest. The tests fail, never skip, when the daemon is missing. It has
// no non-test code.
package lxdtest
