package server

import (
	"errors"
	"strings"
	"time"

	"github.com/uivmm/uivmm/domain"
)

// Ask is what every request carries: who asks, under which request id,
// until when the caller waits, and the time now.
type Ask struct {
	Actor     Actor
	RequestID string
	ExpiresAt time.Time
	Now       time.Time
}

// begin checks a request and reports whether it is new. A request id
// seen before records nothing (the caller answers with its outcome).
func (s *Server) begin(a Ask) (Request, bool, error) {
	if err := s.Check(a.Actor); err != nil {
		return Request{}, false, err
	}
	if a.RequestID == "" {
		return Request{}, false, errors.New(DetailRequestID)
	}
	if s.Known(a.RequestID) {
		return Request{}, false, nil
	}
	return Request{ServerID: s.id, RequestID: a.RequestID, ExpiresAt: a.ExpiresAt.UnixMilli(), At: a.Now.Unix()}, true, nil
}

// RequestProfileUpdate asks for profile name to hold body (YAML, checked
// by the caller), created when missing, renamed to rename when set.
func (s *Server) RequestProfileUpdate(a Ask, name, body, rename string) error {
	if err := ValidateProfileName("profile_name", name); err != nil {
		return err
	}
	if rename != "" {
		if err := ValidateProfileName("profile_rename", rename); err != nil {
			return err
		}
	}
	if strings.TrimSpace(body) == "" {
		return domain.Invalid("profile_body", domain.DetailFieldRequired)
	}
	r, isNew, err := s.begin(a)
	if isNew {
		if rename == name {
			rename = ""
		}
		domain.Record(s, &ProfileUpdateRequested{Request: r, Name: name, Body: body, Rename: rename})
	}
	return err
}

// RequestProfileDelete asks to delete profile name.
func (s *Server) RequestProfileDelete(a Ask, name string) error {
	if err := ValidateProfileName("profile_name", name); err != nil {
		return err
	}
	r, isNew, err := s.begin(a)
	if isNew {
		domain.Record(s, &ProfileDeleteRequested{Request: r, Name: name})
	}
	return err
}

// RequestImageDelete asks to delete image fp (or a unique prefix).
func (s *Server) RequestImageDelete(a Ask, fp string) error {
	fp, err := NormalizeFingerprint("image_fingerprint", fp)
	if err != nil {
		return err
	}
	r, isNew, err := s.begin(a)
	if isNew {
		domain.Record(s, &ImageDeleteRequested{Request: r, Fingerprint: fp})
	}
	return err
}

// RequestCertificateRevoke asks to remove fp from the host's trust store.
// uivmm's own certificate (fp is it or a prefix of it) is refused: that
// would cut uivmm off the host.
func (s *Server) RequestCertificateRevoke(a Ask, fp string) error {
	fp, err := NormalizeFingerprint("certificate_fingerprint", fp)
	if err != nil {
		return err
	}
	if err := s.Check(a.Actor); err != nil {
		return err
	}
	if strings.HasPrefix(s.clientFingerprint, fp) {
		return domain.Forbidden(DetailOwnCertificate)
	}
	r, isNew, err := s.begin(a)
	if isNew {
		domain.Record(s, &CertificateRevokeRequested{Request: r, Fingerprint: fp})
	}
	return err
}

// Succeed records the success of pending request requestID. It records
// nothing and returns false when the request is not pending (unknown, or
// its outcome is already recorded).
func (s *Server) Succeed(requestID string, now time.Time) bool {
	return s.conclude(requestID, now, nil)
}

// Fail records the failure of pending request requestID with a kind slug
// and a user-safe reason; false when the request is not pending.
func (s *Server) Fail(requestID, kind, reason string, now time.Time) bool {
	if kind == "" {
		kind = domain.KindInternal.String()
	}
	return s.conclude(requestID, now, &Failure{Kind: kind, Reason: reason})
}

func (s *Server) conclude(requestID string, now time.Time, fail *Failure) bool {
	req, ok := s.pending[requestID]
	if !ok {
		return false
	}
	o := Outcome{ServerID: s.id, RequestID: requestID, At: now.Unix()}
	if fail != nil {
		fail.Outcome = o
	}
	ev := outcomeOf(req, o, fail)
	if ev == nil {
		return false
	}
	domain.Record(s, ev)
	return true
}

// outcomeOf builds the outcome event of request req.
func outcomeOf(req domain.Event, o Outcome, f *Failure) domain.Event {
	switch r := req.(type) {
	case *ProfileUpdateRequested:
		if f != nil {
			return &ProfileUpdateFailed{Failure: *f, Name: r.Name}
		}
		return &ProfileUpdated{Outcome: o, Name: r.Name, Rename: r.Rename}
	case *ProfileDeleteRequested:
		if f != nil {
			return &ProfileDeleteFailed{Failure: *f, Name: r.Name}
		}
		return &ProfileDeleted{Outcome: o, Name: r.Name}
	case *ImageDeleteRequested:
		if f != nil {
			return &ImageDeleteFailed{Failure: *f, Fingerprint: r.Fingerprint}
		}
		return &ImageDeleted{Outcome: o, Fingerprint: r.Fingerprint}
	case *CertificateRevokeRequested:
		if f != nil {
			return &CertificateRevokeFailed{Failure: *f, Fingerprint: r.Fingerprint}
		}
		return &CertificateRevoked{Outcome: o, Fingerprint: r.Fingerprint}
	}
	return nil
}

// RequestOf returns the common part of a request event.
func RequestOf(e domain.Event) (Request, bool) {
	if r, ok := e.(interface{ request() *Request }); ok {
		return *r.request(), true
	}
	return Request{}, false
}

// OutcomeOf returns the common part of an outcome event.
func OutcomeOf(e domain.Event) (Outcome, bool) {
	if o, ok := e.(interface{ outcome() *Outcome }); ok {
		return *o.outcome(), true
	}
	return Outcome{}, false
}
