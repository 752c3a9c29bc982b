// Package mail sends uivmm's mail (registration, recovery and login codes)
// through a Sender: SMTPSender submits to a relay over STARTTLS, implicit TLS
// or, to a loopback host only, plain text; Outbox writes .eml files into a
// directory instead. Both format messages with the same function, reject
// header injection, and never log message bodies, which hold codes.
//
// This package imports only the standard library. It must not import other
// uivmm packages: cmd builds SMTPConfig from the config package.
package mail
