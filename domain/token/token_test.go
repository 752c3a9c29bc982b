package token_test

import (
	"testing"

	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/domain/token"
)

func TestValidateLifetime(t *testing.T) {
	for _, tc := range []struct {
		name string
		secs int64
		ok   bool
	}{
		{"one second", 1, true},
		{"an hour", 3600, true},
		{"ten years", 315360000, true},
		{"zero", 0, false},
		{"negative", -1, false},
		{"over ten years", 315360001, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := token.ValidateLifetime(tc.secs)
			if tc.ok != (err == nil) || err != nil && !domain.IsKind(err, domain.KindInvalid) {
				t.Fatalf("ValidateLifetime(%d) = %v", tc.secs, err)
			}
		})
	}
}
