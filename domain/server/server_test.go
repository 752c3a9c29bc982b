package server_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/domain/server"
)

var now = time.Unix(1_700_000_000, 0)

var (
	hostFP   = strings.Repeat("a", 64)
	clientFP = strings.Repeat("c", 64)
	owner    = server.Actor{UserID: 7}
	stranger = server.Actor{UserID: 8}
	admin    = server.Actor{UserID: 9, Privileged: true}
)

const certPEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"

var added = &server.Added{ServerID: 3, UserID: 7, Host: "127.0.0.1", Port: 8443, Protocol: "lxd", Provider: "lxd",
	CertFingerprint: hostFP, CertPEM: certPEM, ClientFingerprint: clientFP, TrustMethod: "password", At: now.Unix()}

func spec() server.AddSpec {
	return server.AddSpec{ServerID: 3, UserID: 7, Host: "127.0.0.1", Port: 8443, CertPEM: certPEM,
		CertFingerprint: hostFP, ClientFingerprint: clientFP, TrustMethod: "password"}
}

func ask(a server.Actor, id string) server.Ask {
	return server.Ask{Actor: a, RequestID: id, ExpiresAt: now.Add(30 * time.Second), Now: now}
}

var req = server.Request{ServerID: 3, RequestID: "r1", ExpiresAt: now.Add(30 * time.Second).UnixMilli(), At: now.Unix()}

// given builds a server from history, as the repository would.
func given(events ...domain.Event) *server.Server {
	s := server.New()
	for i, e := range events {
		s.When(e)
		s.Root().Loaded(uint64(i))
	}
	return s
}

// then checks the outcome: the error's kind and detail, or the events.
func then(t *testing.T, s *server.Server, err error, wantErr *domain.Error, want ...domain.Event) {
	t.Helper()
	if wantErr != nil {
		de, ok := domain.As(err)
		if !ok || de.Kind != wantErr.Kind || de.Detail != wantErr.Detail {
			t.Fatalf("error = %v, want %s %q", err, wantErr.Kind, wantErr.Detail)
		}
		if n := len(s.Root().Changes()); n != 0 {
			t.Fatalf("a refused command recorded %d events", n)
		}
		return
	}
	if err != nil {
		t.Fatalf("unexpected error %v", err)
	}
	if got := s.Root().Changes(); !reflect.DeepEqual(got, want) {
		t.Fatalf("recorded %#v, want %#v", got, want)
	}
}

func TestAdd(t *testing.T) {
	for _, tc := range []struct {
		name    string
		given   []domain.Event
		spec    func(*server.AddSpec)
		wantErr *domain.Error
		want    []domain.Event
	}{
		{name: "new server", want: []domain.Event{added}},
		{name: "already added", given: []domain.Event{added}, wantErr: domain.Conflict(server.DetailDuplicate)},
		{name: "url as host", spec: func(s *server.AddSpec) { s.Host = "https://x" }, wantErr: domain.Invalid("", server.DetailHostInvalid)},
		{name: "port out of range", spec: func(s *server.AddSpec) { s.Port = 70000 }, wantErr: domain.Invalid("", server.DetailPortRange)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := given(tc.given...)
			sp := spec()
			if tc.spec != nil {
				tc.spec(&sp)
			}
			then(t, s, s.Add(sp, now), tc.wantErr, tc.want...)
		})
	}
}

func TestAddRefusesMissingCertificateOrTrustMethod(t *testing.T) {
	for _, mod := range []func(*server.AddSpec){
		func(s *server.AddSpec) { s.CertPEM = "" },
		func(s *server.AddSpec) { s.ClientFingerprint = "abc" },
		func(s *server.AddSpec) { s.TrustMethod = "guess" },
	} {
		s, sp := server.New(), spec()
		mod(&sp)
		if err := s.Add(sp, now); err == nil || len(s.Root().Changes()) != 0 {
			t.Errorf("Add(%+v) = %v, recorded %d", sp, err, len(s.Root().Changes()))
		}
	}
}

func TestRequests(t *testing.T) {
	notFound := domain.NotFound(server.DetailNotFound)
	removed := &server.Removed{ServerID: 3, UserID: 7, Host: "127.0.0.1", Port: 8443}
	pendingUpdate := &server.ProfileUpdateRequested{Request: req, Name: "web", Body: "name: web\n"}
	for _, tc := range []struct {
		name    string
		given   []domain.Event
		when    func(*server.Server) error
		wantErr *domain.Error
		want    []domain.Event
	}{
		{name: "owner updates a profile", given: []domain.Event{added},
			when: func(s *server.Server) error {
				return s.RequestProfileUpdate(ask(owner, "r1"), "web", "name: web\n", "")
			},
			want: []domain.Event{pendingUpdate}},
		{name: "rename to the same name is no rename", given: []domain.Event{added},
			when: func(s *server.Server) error {
				return s.RequestProfileUpdate(ask(admin, "r1"), "web", "name: web\n", "web")
			},
			want: []domain.Event{pendingUpdate}},
		{name: "stranger gets not found", given: []domain.Event{added},
			when:    func(s *server.Server) error { return s.RequestProfileDelete(ask(stranger, "r1"), "web") },
			wantErr: notFound},
		{name: "removed server is not found", given: []domain.Event{added, removed},
			when:    func(s *server.Server) error { return s.RequestImageDelete(ask(owner, "r1"), hostFP) },
			wantErr: notFound},
		{name: "no server at all", when: func(s *server.Server) error { return s.RequestProfileDelete(ask(admin, "r1"), "x") },
			wantErr: notFound},
		{name: "repeated request records nothing", given: []domain.Event{added, pendingUpdate},
			when: func(s *server.Server) error {
				return s.RequestProfileUpdate(ask(owner, "r1"), "web", "name: web\n", "")
			}},
		{name: "bad profile name", given: []domain.Event{added},
			when:    func(s *server.Server) error { return s.RequestProfileDelete(ask(owner, "r1"), "a/b") },
			wantErr: domain.Invalid("", server.DetailProfileName)},
		{name: "empty body", given: []domain.Event{added},
			when:    func(s *server.Server) error { return s.RequestProfileUpdate(ask(owner, "r1"), "web", " ", "") },
			wantErr: domain.Invalid("", domain.DetailFieldRequired)},
		{name: "bad fingerprint", given: []domain.Event{added},
			when:    func(s *server.Server) error { return s.RequestImageDelete(ask(owner, "r1"), "xyz") },
			wantErr: domain.Invalid("", server.DetailFingerprint)},
		{name: "own certificate is refused", given: []domain.Event{added},
			when:    func(s *server.Server) error { return s.RequestCertificateRevoke(ask(admin, "r1"), clientFP[:12]) },
			wantErr: domain.Forbidden(server.DetailOwnCertificate)},
		{name: "own certificate of a stranger's server is not found", given: []domain.Event{added},
			when:    func(s *server.Server) error { return s.RequestCertificateRevoke(ask(stranger, "r1"), clientFP) },
			wantErr: notFound},
		{name: "another certificate", given: []domain.Event{added},
			when: func(s *server.Server) error {
				return s.RequestCertificateRevoke(ask(owner, "r1"), strings.ToUpper(hostFP))
			},
			want: []domain.Event{&server.CertificateRevokeRequested{Request: req, Fingerprint: hostFP}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := given(tc.given...)
			then(t, s, tc.when(s), tc.wantErr, tc.want...)
		})
	}
}

func TestOutcomes(t *testing.T) {
	pending := &server.ImageDeleteRequested{Request: req, Fingerprint: hostFP}
	o := server.Outcome{ServerID: 3, RequestID: "r1", At: now.Unix()}

	s := given(added, pending)
	if !s.Pending("r1") || !s.Fail("r1", "conflict", "image is in use", now) {
		t.Fatal("the pending request was not failed")
	}
	want := &server.ImageDeleteFailed{Failure: server.Failure{Outcome: o, Kind: "conflict", Reason: "image is in use"}, Fingerprint: hostFP}
	then(t, s, nil, nil, want)
	if f, ok := s.Outcome("r1"); !ok || !f.Failed || f.Reason != "image is in use" || s.Pending("r1") {
		t.Fatalf("outcome = %+v, %v", f, ok)
	}
	if s.Succeed("r1", now) || s.Fail("r1", "timeout", "late", now) {
		t.Fatal("a finished request got a second outcome")
	}

	s = given(added, pending)
	if !s.Succeed("r1", now) {
		t.Fatal("the pending request did not succeed")
	}
	then(t, s, nil, nil, &server.ImageDeleted{Outcome: o, Fingerprint: hostFP})
	if s.Succeed("unknown", now) {
		t.Fatal("an unknown request got an outcome")
	}
}

func TestNormalizeHost(t *testing.T) {
	for in, want := range map[string]string{
		"127.0.0.1": "127.0.0.1", "[::1]": "::1", "LXD.Example.COM.": "lxd.example.com", " host-1 ": "host-1",
		"": "", "https://host": "", "host:8443": "", "host/path": "", "user@host": "", "-bad": "", "a..b": "",
	} {
		got, err := server.NormalizeHost(in)
		if got != want || (want == "") != (err != nil) {
			t.Errorf("NormalizeHost(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}
