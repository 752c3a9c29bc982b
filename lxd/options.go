package lxd

import "time"

// Defaults for the Options.
const (
	DefaultTimeout          = 10 * time.Second
	DefaultOperationTimeout = 10 * time.Minute
	DefaultClientName       = "uivmm"

	// stopTimeout is how long LXD waits for a graceful stop or restart
	// before it reports a failure.
	stopTimeout = 30 * time.Second
)

// Option tunes a call to Probe, Verify, Trust or Connect.
type Option func(*settings)

type settings struct {
	timeout    time.Duration
	opTimeout  time.Duration
	clientName string
	project    string
	userAgent  string
	keepAlive  bool
}

func newSettings(opts []Option) settings {
	s := settings{
		timeout:    DefaultTimeout,
		opTimeout:  DefaultOperationTimeout,
		clientName: DefaultClientName,
		project:    "default",
		userAgent:  "uivmm",
	}
	for _, o := range opts {
		o(&s)
	}
	return s
}

// WithTimeout bounds each request to the host (connect, TLS handshake,
// response). Values <= 0 keep DefaultTimeout.
func WithTimeout(d time.Duration) Option {
	return func(s *settings) {
		if d > 0 {
			s.timeout = d
		}
	}
}

// WithOperationTimeout bounds waiting for a background operation (create,
// start, stop, delete). Values <= 0 keep DefaultOperationTimeout.
func WithOperationTimeout(d time.Duration) Option {
	return func(s *settings) {
		if d > 0 {
			s.opTimeout = d
		}
	}
}

// WithClientName sets the name under which Trust adds uivmm's certificate
// with a trust password. A trust token carries its own name.
func WithClientName(name string) Option {
	return func(s *settings) {
		if name != "" {
			s.clientName = name
		}
	}
}

// WithProject makes a Server work in an LXD project other than "default".
func WithProject(name string) Option {
	return func(s *settings) {
		if name != "" {
			s.project = name
		}
	}
}

// WithKeepAlive makes a Server reuse its HTTPS connections to the host
// (idle ones close after 30 s) instead of a new TLS handshake per request.
// Meant for long-lived connections such as the hosts registry's.
func WithKeepAlive() Option {
	return func(s *settings) { s.keepAlive = true }
}
