// Package lxd is the narrow interface uivmm owns over an LXD host. It wraps
// github.com/canonical/lxd/client and returns plain Go structs that hold
// exactly what uivmm's API contract needs.
//
// What it holds:
//   - Identity: uivmm's client certificate and key, made once per
//     installation (LoadOrCreateIdentity);
//   - Probe, Verify and Trust: talking to a host that does not trust uivmm
//     yet, and adding uivmm's certificate to its trust store with a trust
//     password or a trust token;
//   - Connect and Server: a connection that pins the host's certificate,
//     and the calls uivmm makes (info, instances, images, profiles,
//     networks, pools, volumes, certificates, events). Host is the
//     interface Server satisfies, for fakes in other packages' tests;
//   - one error vocabulary: sentinels (ErrUnreachable, ErrTimeout,
//     ErrCertificateChanged, ErrTrustRefused, ErrNotTrusted, ErrNotLXD,
//     ErrNotFound, ErrConflict, ErrInUse, ErrInvalid) and *Error, which
//     carries LXD's own message. Match them with errors.Is and errors.As.
//
// Every call that does I/O takes a context and is bounded by a timeout
// (Option WithTimeout, 10 s by default; long operations use
// WithOperationTimeout). Nothing here logs secrets: Identity never prints
// its key.
//
// This package imports only the standard library, the LXD client packages
// and gopkg.in/yaml.v3. It must not import other uivmm packages.
package lxd
