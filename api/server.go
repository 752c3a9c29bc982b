package api

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/uivmm/uivmm/commands"
	"github.com/uivmm/uivmm/imageserver"
	"github.com/uivmm/uivmm/readmodels"
)

// Sender sends a command and returns its result (commands.Bus).
type Sender interface {
	Send(ctx context.Context, cmd commands.Command) (commands.Result, error)
}

// Waiter waits until the read models have processed a position.
type Waiter interface {
	WaitFor(ctx context.Context, pos uint64) error
}

// Options are the HTTP-facing settings.
type Options struct {
	PrettyPrint bool
	// MaxBody caps JSON bodies (413 beyond). Default 1 MiB.
	MaxBody int64
	// ReadYourWrites bounds how long a mutating call waits for the read
	// models before answering anyway. Default 5 s.
	ReadYourWrites time.Duration
	// Public switches reported by config.get and enforced by handlers.
	DisableUserRegistration    bool
	DisableUserRecovery        bool
	DisableServerAdd           bool
	DisableSSHKeyAdd           bool
	DisableUserPasswordChange  bool
	DisableOutputCompression   bool
	WebAuthnEnabled            bool
	SimplestreamEnabled        bool
	WebAuthnAttestationType    string
	WebAuthnAuthenticatorAttch string
	// Throttle limits failed logins: MaxFailures within Window.
	MaxFailures int
	Window      time.Duration
}

func (o *Options) setDefaults() {
	if o.MaxBody <= 0 {
		o.MaxBody = 1 << 20
	}
	if o.ReadYourWrites <= 0 {
		o.ReadYourWrites = 5 * time.Second
	}
	if o.MaxFailures <= 0 {
		o.MaxFailures = 5
	}
	if o.Window <= 0 {
		o.Window = 15 * time.Minute
	}
}

// Deps are the server's collaborators. Ready may be nil.
type Deps struct {
	Bus     Sender
	RM      *readmodels.DB
	Waiter  Waiter
	Log     *slog.Logger
	Ready   func(ctx context.Context) error
	Streams Streams
	Mappers []ErrorMapper
	// LXD serves the LXD server methods; without it they answer 503.
	LXD LXDDeps
	// Images is the built-in simplestreams server; nil when disabled.
	Images *imageserver.Service
	// Extra holds method groups added by other packages (LXD, simplestreams,
	// passkeys, the stream), keyed by method name; they override the
	// catalogue's "not available" placeholders.
	Extra map[string]Method
	// Middleware wraps the whole handler (metrics, compression).
	Middleware []func(http.Handler) http.Handler
}

// Server serves the API. Build it with New; it is safe for concurrent use.
type Server struct {
	bus      Sender
	rm       *readmodels.DB
	waiter   Waiter
	log      *slog.Logger
	ready    func(ctx context.Context) error
	streams  Streams
	mappers  []ErrorMapper
	opts     Options
	methods  map[string]Method
	throttle *throttle
	mw       []func(http.Handler) http.Handler
	openapi  openAPI
	lxd      LXDDeps
	images   *imageserver.Service
	instList instanceListCache // instances.go
}

// New builds a server. It panics on nil required dependencies.
func New(d Deps, opts Options) *Server {
	if d.Bus == nil || d.RM == nil || d.Waiter == nil || d.Log == nil {
		panic("api: New needs a bus, read models, a waiter and a logger")
	}
	opts.setDefaults()
	if d.Streams == nil {
		d.Streams = newStreamIDs()
	}
	s := &Server{bus: d.Bus, rm: d.RM, waiter: d.Waiter, log: d.Log, ready: d.Ready, streams: d.Streams,
		mappers: d.Mappers, opts: opts, throttle: newThrottle(opts.MaxFailures, opts.Window), mw: d.Middleware, lxd: d.LXD}
	s.images = d.Images
	s.methods = s.catalogue()
	for name, m := range d.Extra {
		m.Name = name
		s.methods[name] = m
	}
	return s
}

// Methods returns the served method names and how they are served (for
// the OpenAPI document and its test).
func (s *Server) Methods() map[string]Method {
	out := make(map[string]Method, len(s.methods))
	for k, v := range s.methods {
		out[k] = v
	}
	return out
}
