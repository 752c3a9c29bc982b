// Package testdaemon is what the integration tests share about the LXD
// daemon scripts/lxd-testenv.sh starts for them (its settings come in
// UIVMM_TEST_LXD_* variables): the settings, a probe, an administrator's
// client over the unix socket, and the removal of uivmm's certificate
// when a test ends. A test whose daemon is missing or does not answer
// fails, with UpHint; it never skips.
//
// Only tests import it. It imports lxd (the probe) and the LXD client.
package testdaemon
