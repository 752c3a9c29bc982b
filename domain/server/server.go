package server

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/uivmm/uivmm/domain"
)

// keepFinished bounds how many finished requests a server remembers for
// answering repeats.
const keepFinished = 128

// Actor is who asks: a user, and whether that user may manage every
// server (group < 3).
type Actor struct {
	UserID     int64
	Privileged bool
}

// Finished is the outcome of an earlier request.
type Finished struct {
	Type   string // the outcome event type
	Failed bool
	Kind   string // failure kind slug, "" on success
	Reason string
}

// Server is the aggregate. Its fields change only in When.
type Server struct {
	root              domain.Root
	id                int64
	userID            int64
	host              string
	port              int
	certFingerprint   string
	clientFingerprint string
	removed           bool
	pending           map[string]domain.Event // request id → its request event
	finished          map[string]Finished
	finishedOrder     []string
}

// New returns an empty server, to be loaded from its stream or added.
func New() *Server {
	return &Server{pending: map[string]domain.Event{}, finished: map[string]Finished{}}
}

// Root implements domain.Aggregate.
func (s *Server) Root() *domain.Root { return &s.root }

// Accessors.
func (s *Server) ID() int64                 { return s.id }
func (s *Server) UserID() int64             { return s.userID }
func (s *Server) Host() string              { return s.host }
func (s *Server) Port() int                 { return s.port }
func (s *Server) CertFingerprint() string   { return s.certFingerprint }
func (s *Server) ClientFingerprint() string { return s.clientFingerprint }
func (s *Server) Removed() bool             { return s.removed }

// Pending reports whether requestID waits for its outcome.
func (s *Server) Pending(requestID string) bool { _, ok := s.pending[requestID]; return ok }

// Outcome returns the outcome of a finished request.
func (s *Server) Outcome(requestID string) (Finished, bool) {
	f, ok := s.finished[requestID]
	return f, ok
}

// Known reports whether requestID was seen, pending or finished.
func (s *Server) Known(requestID string) bool {
	_, done := s.finished[requestID]
	return done || s.Pending(requestID)
}

// When applies one event. It is the only place that changes fields.
func (s *Server) When(e domain.Event) {
	switch ev := e.(type) {
	case *Added:
		s.id, s.userID, s.host, s.port = ev.ServerID, ev.UserID, ev.Host, ev.Port
		s.certFingerprint, s.clientFingerprint = ev.CertFingerprint, ev.ClientFingerprint
	case *Removed:
		s.removed = true
	case interface{ request() *Request }:
		s.pending[ev.request().RequestID] = e
	case interface{ outcome() *Outcome }:
		id := ev.outcome().RequestID
		delete(s.pending, id)
		f := Finished{Type: e.EventType()}
		if fe, ok := e.(interface{ failure() *Failure }); ok {
			f.Failed, f.Kind, f.Reason = true, fe.failure().Kind, fe.failure().Reason
		}
		s.finish(id, f)
	}
}

func (s *Server) finish(id string, f Finished) {
	if _, seen := s.finished[id]; !seen {
		s.finishedOrder = append(s.finishedOrder, id)
	}
	s.finished[id] = f
	for len(s.finishedOrder) > keepFinished {
		delete(s.finished, s.finishedOrder[0])
		s.finishedOrder = s.finishedOrder[1:]
	}
}

func (r *Request) request() *Request { return r }
func (o *Outcome) outcome() *Outcome { return o }
func (f *Failure) failure() *Failure { return f }

// AddSpec is a trusted host to record. Host must be normalised
// (NormalizeHost).
type AddSpec struct {
	ServerID          int64
	UserID            int64
	Host              string
	Port              int
	CertPEM           string
	CertFingerprint   string
	ClientFingerprint string
	TrustMethod       string
}

// Add records a server the host trusts uivmm on. Uniqueness of host and
// port is the caller's (a claim on ClaimKey).
func (s *Server) Add(spec AddSpec, now time.Time) error {
	if s.id != 0 {
		return domain.Conflict(DetailDuplicate)
	}
	if spec.ServerID <= 0 || spec.UserID <= 0 {
		return fmt.Errorf("adding server: ids %d/%d are not positive", spec.ServerID, spec.UserID)
	}
	if h, err := NormalizeHost(spec.Host); err != nil || h != spec.Host {
		return domain.Invalid("server_host", DetailHostInvalid)
	}
	if err := ValidatePort(int64(spec.Port)); err != nil {
		return err
	}
	if !strings.Contains(spec.CertPEM, "BEGIN CERTIFICATE") || !isFingerprint(spec.CertFingerprint) ||
		!isFingerprint(spec.ClientFingerprint) {
		return errors.New("adding server: the pinned certificate or a fingerprint is missing")
	}
	if spec.TrustMethod != TrustPassword && spec.TrustMethod != TrustToken {
		return fmt.Errorf("adding server: unknown trust method %q", spec.TrustMethod)
	}
	domain.Record(s, &Added{ServerID: spec.ServerID, UserID: spec.UserID, Host: spec.Host, Port: spec.Port,
		Protocol: Protocol, Provider: Provider, CertFingerprint: strings.ToLower(spec.CertFingerprint),
		CertPEM: spec.CertPEM, ClientFingerprint: strings.ToLower(spec.ClientFingerprint),
		TrustMethod: spec.TrustMethod, At: now.Unix()})
	return nil
}

func isFingerprint(fp string) bool {
	return len(fp) == 64 && strings.Trim(strings.ToLower(fp), "0123456789abcdef") == ""
}

// Check returns a not-found error unless a may see and manage s: a
// server that exists, is not removed, and is a's or a is privileged.
func (s *Server) Check(a Actor) error {
	if s.id == 0 || s.removed || !(a.Privileged || a.UserID == s.userID) {
		return domain.NotFound(DetailNotFound)
	}
	return nil
}

// Remove ends the server. Pending requests still get their outcomes.
func (s *Server) Remove(a Actor, now time.Time) error {
	if err := s.Check(a); err != nil {
		return err
	}
	domain.Record(s, &Removed{ServerID: s.id, UserID: s.userID, Host: s.host, Port: s.port, At: now.Unix()})
	return nil
}
