package passkey_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uivmm/uivmm/passkey"
	"github.com/uivmm/uivmm/passkey/softauthn"
)

func TestNewValidatesConfig(t *testing.T) {
	valid := passkey.Config{RPID: rpID, RPDisplayName: "ui-vmm", RPOrigins: []string{origin}}
	cases := []struct {
		name    string
		edit    func(*passkey.Config)
		wantErr []string // substrings; nil means success
	}{
		{"defaults", func(*passkey.Config) {}, nil},
		{"empty", func(c *passkey.Config) { *c = passkey.Config{} },
			[]string{"rp id is required", "rp display name is required", "at least one rp origin"}},
		{"origin without scheme", func(c *passkey.Config) { c.RPOrigins = []string{"vmm.example.com"} },
			[]string{`rp origin "vmm.example.com"`}},
		{"timeout beyond ttl", func(c *passkey.Config) { c.Timeout, c.ChallengeTTL = time.Minute, time.Second },
			[]string{"exceeds challenge ttl"}},
		{"rp id not a domain", func(c *passkey.Config) { c.RPID = "10.0.0.1" }, []string{"RPID"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := valid
			tc.edit(&cfg)
			_, err := passkey.New(cfg, nil)
			if tc.wantErr == nil {
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("New accepted an invalid config")
			}
			for _, want := range tc.wantErr {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}
		})
	}
}

func TestExpiredChallengesAreSwept(t *testing.T) {
	f := newFixture(t)
	for i := range 3 {
		u := passkey.User{ID: int64(100 + i), Login: fmt.Sprintf("user%d", i)}
		if _, err := f.svc.BeginRegistration(u, nil, "", ""); err != nil {
			t.Fatal(err)
		}
	}
	f.clock.Advance(ttl - time.Second)
	if _, err := f.svc.BeginRegistration(alice, nil, "", ""); err != nil {
		t.Fatal(err)
	}
	if n := f.svc.Pending(); n != 4 {
		t.Fatalf("%d pending before expiry, want 4", n)
	}
	f.clock.Advance(time.Second)
	if _, err := f.svc.BeginRegistration(bob, nil, "", ""); err != nil {
		t.Fatal(err)
	}
	if n := f.svc.Pending(); n != 2 {
		t.Fatalf("%d pending after expiry, want 2 (alice, bob)", n)
	}
}

// TestConcurrentCeremonies runs whole ceremonies for many logins at once;
// run it with -race.
func TestConcurrentCeremonies(t *testing.T) {
	f := newFixture(t)
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for i := range 16 {
		wg.Go(func() {
			u := passkey.User{ID: int64(1000 + i), Login: fmt.Sprintf("user%d", i)}
			errs <- ceremony(f.svc, u)
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

// ceremony registers a passkey for u and logs in with it twice.
func ceremony(svc *passkey.Service, u passkey.User) error {
	a := softauthn.New(origin)
	options, err := svc.BeginRegistration(u, nil, "", "")
	if err != nil {
		return err
	}
	body, err := a.Register(options)
	if err != nil {
		return err
	}
	cred, err := svc.FinishRegistration(u.Login, body)
	if err != nil {
		return fmt.Errorf("%s: %w", u.Login, err)
	}
	for range 2 {
		if options, err = svc.BeginLogin(u, []passkey.Credential{cred}); err != nil {
			return err
		}
		if body, err = a.Login(options); err != nil {
			return err
		}
		res, err := svc.FinishLogin(u.Login, u, []passkey.Credential{cred}, body)
		if err != nil {
			return fmt.Errorf("%s: %w", u.Login, err)
		}
		cred.SignCount = res.NewSignCount
	}
	return nil
}
