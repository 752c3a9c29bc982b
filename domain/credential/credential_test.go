package credential_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/domain/credential"
)

var now = time.Unix(1_700_000_000, 0)

func registered(count uint32) *credential.Registered {
	return &credential.Registered{CredentialID: 3, UserID: 7, KeyID: "a2V5", PublicKey: []byte{0xa5, 1}, SignCount: count,
		Name: "Mac", At: now.Unix() - 10}
}

func TestCredential(t *testing.T) {
	cases := []struct {
		name   string
		given  []domain.Event
		when   func(c *credential.Credential) error
		then   []domain.Event
		kind   domain.Kind
		detail string
	}{
		{"register", nil, func(c *credential.Credential) error {
			return c.Register(credential.Registration{ID: 3, UserID: 7, KeyID: "a2V5", PublicKey: []byte{0xa5, 1},
				Name: "  Mac;\n Chrome\t114 "}, now)
		}, []domain.Event{&credential.Registered{CredentialID: 3, UserID: 7, KeyID: "a2V5", PublicKey: []byte{0xa5, 1},
			Name: "Mac; Chrome 114", At: now.Unix()}}, 0, ""},
		{"register twice", []domain.Event{registered(0)}, func(c *credential.Credential) error {
			return c.Register(credential.Registration{ID: 3, UserID: 7, KeyID: "a2V5", PublicKey: []byte{1}}, now)
		}, nil, domain.KindConflict, credential.DetailDuplicate},
		{"use without counter", []domain.Event{registered(0)}, func(c *credential.Credential) error { return c.Use(0, now) },
			[]domain.Event{&credential.Used{SignCount: 0, At: now.Unix()}}, 0, ""},
		{"use counts up", []domain.Event{registered(4)}, func(c *credential.Credential) error { return c.Use(5, now) },
			[]domain.Event{&credential.Used{SignCount: 5, At: now.Unix()}}, 0, ""},
		{"counter repeated", []domain.Event{registered(4)}, func(c *credential.Credential) error { return c.Use(4, now) },
			nil, domain.KindInvalid, credential.DetailCloned},
		{"counter back", []domain.Event{registered(4), &credential.Used{SignCount: 9}}, func(c *credential.Credential) error { return c.Use(5, now) },
			nil, domain.KindInvalid, credential.DetailCloned},
		{"use deleted", []domain.Event{registered(0), &credential.Deleted{At: 1}}, func(c *credential.Credential) error { return c.Use(1, now) },
			nil, domain.KindInvalid, credential.DetailUnknown},
		{"delete own", []domain.Event{registered(0)}, func(c *credential.Credential) error { return c.Delete(7, now) },
			[]domain.Event{&credential.Deleted{At: now.Unix()}}, 0, ""},
		{"delete someone else's", []domain.Event{registered(0)}, func(c *credential.Credential) error { return c.Delete(8, now) },
			nil, domain.KindNotFound, credential.DetailNotFound},
		{"delete twice", []domain.Event{registered(0), &credential.Deleted{At: 1}}, func(c *credential.Credential) error { return c.Delete(7, now) },
			nil, domain.KindNotFound, credential.DetailNotFound},
		{"delete unknown", nil, func(c *credential.Credential) error { return c.Delete(7, now) },
			nil, domain.KindNotFound, credential.DetailNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := credential.New()
			for i, e := range tc.given {
				c.When(e)
				c.Root().Loaded(uint64(i))
			}
			err := tc.when(c)
			if tc.detail != "" {
				de, ok := domain.As(err)
				if !ok || de.Kind != tc.kind || de.Detail != tc.detail {
					t.Fatalf("error %v, want %s %q", err, tc.kind, tc.detail)
				}
				if len(c.Root().Changes()) != 0 {
					t.Fatalf("recorded %v after a refusal", c.Root().Changes())
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := c.Root().Changes(); !reflect.DeepEqual(got, tc.then) {
				t.Fatalf("recorded %#v, want %#v", got, tc.then)
			}
		})
	}
}

func TestRegisterRefusesMalformedRecords(t *testing.T) {
	for name, r := range map[string]credential.Registration{
		"no user":       {ID: 1, KeyID: "a2V5", PublicKey: []byte{1}},
		"no id":         {UserID: 1, KeyID: "a2V5", PublicKey: []byte{1}},
		"std base64 id": {ID: 1, UserID: 1, KeyID: "a+V/", PublicKey: []byte{1}},
		"empty key id":  {ID: 1, UserID: 1, PublicKey: []byte{1}},
		"no public key": {ID: 1, UserID: 1, KeyID: "a2V5"},
	} {
		if err := credential.New().Register(r, now); err == nil {
			t.Errorf("%s: registered", name)
		}
	}
}

func TestCleanName(t *testing.T) {
	for in, want := range map[string]string{
		"":                       credential.DefaultName,
		" \t\n":                  credential.DefaultName,
		"Mac; Mac OS X; Chrome":  "Mac; Mac OS X; Chrome",
		"a\x00b\x1bc":            "a b c",
		"bad \xff utf8":          "bad utf8",
		strings.Repeat("é", 300): strings.Repeat("é", credential.MaxNameLen),
	} {
		if got := credential.CleanName(in); got != want {
			t.Errorf("CleanName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestClaimKeyIsCaseSafe(t *testing.T) {
	a, b := credential.ClaimKey("abcd"), credential.ClaimKey("ABCD")
	if a == b || a != strings.ToLower(a) || len(a) != 64 {
		t.Fatalf("claim keys %q %q", a, b)
	}
}
