// Package identitytest holds the integration tests and benchmarks of the
// identity methods (user.*, token.*, ssh-key.*) against a running uivmm:
// every flow, the authorization matrix, throttling, the SMTP path against
// a real SMTP server, and the scan for raw secrets in the data directory
// and the log. It has no code outside its tests.
package identitytest
