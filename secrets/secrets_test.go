package secrets_test

import (
	"strings"
	"testing"

	"github.com/uivmm/uivmm/secrets"
)

func TestPasswordRoundTrip(t *testing.T) {
	h, err := secrets.HashPassword("correct horse", secrets.DefaultParams)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") || strings.Contains(h, "correct") {
		t.Fatalf("unexpected encoding %q", h)
	}
	for _, tc := range []struct {
		name, pw string
		want     bool
	}{{"right", "correct horse", true}, {"wrong", "correct horsf", false}, {"empty", "", false}} {
		t.Run(tc.name, func(t *testing.T) {
			ok, err := secrets.CheckPassword(tc.pw, h)
			if err != nil || ok != tc.want {
				t.Fatalf("CheckPassword(%q) = %v, %v; want %v", tc.pw, ok, err, tc.want)
			}
		})
	}
	if _, err := secrets.CheckPassword("x", "$argon2id$garbage"); err == nil {
		t.Fatal("malformed hash accepted")
	}
	if ok, _ := secrets.CheckPassword("", ""); ok {
		t.Fatal("empty hash matched")
	}
}

func TestTokensAndCodes(t *testing.T) {
	a, _ := secrets.NewToken()
	b, _ := secrets.NewToken()
	if a == b || len(a) < 6+43 {
		t.Fatalf("weak tokens %q %q", a, b)
	}
	if secrets.Hash(a) == secrets.Hash(b) || len(secrets.Hash(a)) != 64 {
		t.Fatal("bad token hash")
	}
	c := secrets.NewCode()
	if len(c) != 36 || !secrets.IsCode(c) || secrets.IsCode(strings.ToUpper(c)) || secrets.IsCode("x") {
		t.Fatalf("bad code %q", c)
	}
}
