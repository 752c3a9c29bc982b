package api

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uivmm/uivmm/commands"
	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/lxd"
	"github.com/uivmm/uivmm/readmodels"
)

func TestMapLXDError(t *testing.T) {
	for _, tc := range []struct {
		name   string
		err    error
		kind   domain.Kind
		detail string
	}{
		{"unreachable", fmt.Errorf("listing: %w: dial tcp: refused", lxd.ErrUnreachable), domain.KindUpstream, DetailLXDUnreachable},
		{"timeout", fmt.Errorf("listing: %w", lxd.ErrTimeout), domain.KindTimeout, DetailLXDTimeout},
		{"deadline", fmt.Errorf("x: %w", context.DeadlineExceeded), domain.KindTimeout, DetailLXDTimeout},
		{"certificate changed", fmt.Errorf("connecting: %w", lxd.ErrCertificateChanged), domain.KindUpstream, DetailLXDCertChanged},
		{"trust refused", fmt.Errorf("trusting: %w: bad password", lxd.ErrTrustRefused), domain.KindInvalid, DetailLXDTrustRefused},
		{"not trusted", lxd.ErrNotTrusted, domain.KindUpstream, DetailLXDNotTrusted},
		{"not lxd", lxd.ErrNotLXD, domain.KindUpstream, DetailLXDNotLXD},
		{"invalid", fmt.Errorf("updating profile p: %w: profile body: yaml: bad", lxd.ErrInvalid), domain.KindInvalid, "profile body: yaml: bad"},
		{"in use", &lxd.Error{Op: "deleting profile p", Status: 400, Message: "Profile is currently in use"}, domain.KindConflict, "profile is currently in use"},
		{"exists", &lxd.Error{Status: 500, Message: "Profile \"x\" already exists"}, domain.KindConflict, "profile \"x\" already exists"},
		{"missing", &lxd.Error{Status: 404, Message: "Image not found"}, domain.KindNotFound, "image not found"},
		{"lxd refuses config", &lxd.Error{Status: 500, Message: "Unknown configuration key: x"}, domain.KindInvalid, "unknown configuration key: x"},
		{"lxd forbids", &lxd.Error{Status: 403, Message: "The \"default\" profile cannot be deleted"}, domain.KindForbidden, "the \"default\" profile cannot be deleted"},
		{"operation failed", &lxd.Error{Status: 0, Message: "LXD failed"}, domain.KindInvalid, "LXD failed"},
		{"empty message", &lxd.Error{Status: 400}, domain.KindInvalid, DetailLXDRefused},
	} {
		t.Run(tc.name, func(t *testing.T) {
			de, ok := MapLXDError(tc.err)
			if !ok || de.Kind != tc.kind || de.Detail != tc.detail || !errors.Is(de, tc.err) && de.Err != tc.err {
				t.Fatalf("MapLXDError = %+v, %v; want %s %q", de, ok, tc.kind, tc.detail)
			}
		})
	}
	if _, ok := MapLXDError(errors.New("other")); ok {
		t.Error("an unknown error was mapped")
	}
}

// fakeHost is an lxd.Host whose pools cannot be read.
type fakeHost struct{ lxd.Host }

func (fakeHost) Info(context.Context) (lxd.ServerInfo, error) {
	return lxd.ServerInfo{Server: "lxd", SupportedInstanceTypes: "container"}, nil
}
func (fakeHost) Profiles(context.Context) ([]lxd.Profile, error) {
	return []lxd.Profile{{Name: "default", Body: "name: default\n"}}, nil
}
func (fakeHost) Certificates(context.Context) ([]lxd.Certificate, error) { return nil, nil }
func (fakeHost) Volumes(context.Context) ([]lxd.Volume, error)           { return nil, nil }
func (fakeHost) Instances(context.Context) ([]lxd.Instance, error)       { return nil, nil }
func (fakeHost) Pools(context.Context) ([]lxd.Pool, error) {
	return nil, &lxd.Error{Op: "listing storage pools", Status: 500, Message: "Failed to read pool"}
}

type fakeHosts struct{}

func (fakeHosts) Get(context.Context, int64) (lxd.Host, error) { return fakeHost{}, nil }

type noBus struct{}

func (noBus) Send(context.Context, commands.Command) (commands.Result, error) {
	return commands.Result{}, errors.New("no bus")
}

type noWait struct{}

func (noWait) WaitFor(context.Context, uint64) error { return nil }

func TestServerGetPartialFailure(t *testing.T) {
	ctx := context.Background()
	db, err := readmodels.Open(ctx, filepath.Join(t.TempDir(), "rm.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ids := readmodels.NewResourceIDs(db)
	if err := errors.Join(db.Ensure(ctx, readmodels.Servers), ids.Ensure(ctx)); err != nil {
		t.Fatal(err)
	}
	tx, _ := db.W.Begin()
	if err := readmodels.InsertServer(ctx, readmodels.SQLTx(tx), readmodels.Server{ID: 1, UserID: 7, Host: "h", Port: 8443, Protocol: "lxd", Provider: "lxd"}); err != nil {
		t.Fatal(err)
	}
	_ = tx.Commit()
	s := New(Deps{Bus: noBus{}, RM: db, Waiter: noWait{}, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		LXD: LXDDeps{Hosts: fakeHosts{}, IDs: ids}}, Options{})

	doc, err := s.serverGet(ctx, &Call{User: &readmodels.User{ID: 7, Group: 4}, Body: []byte(`{"server_id":1}`)})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(doc)
	if !strings.Contains(string(raw), `{"type":"pool","errors":[{"status":"400","code":"invalid","detail":"failed to read pool"}]}`) ||
		!strings.Contains(string(raw), `"profile_name":"default"`) || !strings.Contains(string(raw), `"server_supported_instance_types":"container"`) {
		t.Fatalf("server.get with unreadable pools = %s", raw)
	}
	if _, err := s.serverGet(ctx, &Call{User: &readmodels.User{ID: 8, Group: 4}, Body: []byte(`{"server_id":1}`)}); !domain.IsKind(err, domain.KindNotFound) {
		t.Fatalf("another user's server.get: %v", err)
	}
}

func TestOwnSimplestreams(t *testing.T) {
	r := httptest.NewRequest("POST", "http://uivmm.example:7500/api/v1/image.serverList", nil)
	if got := ownSimplestreams(r); got != "http://uivmm.example:7500/api/v1/simplestream.list" {
		t.Errorf("plain: %q", got)
	}
	r.TLS = &tls.ConnectionState{}
	if got := ownSimplestreams(r); got != "https://uivmm.example:7500/api/v1/simplestream.list" {
		t.Errorf("tls: %q", got)
	}
	r.Header.Set("X-Forwarded-Proto", "https")
	r.Header.Set("X-Forwarded-Host", "vmm.example.com, proxy")
	r.TLS = nil
	if got := ownSimplestreams(r); got != "https://vmm.example.com/api/v1/simplestream.list" {
		t.Errorf("forwarded: %q", got)
	}
	r.Header.Set("X-Forwarded-Host", "evil/path")
	if got := ownSimplestreams(r); got != "" {
		t.Errorf("bad host: %q", got)
	}
}
