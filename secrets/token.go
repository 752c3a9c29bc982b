package secrets

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"regexp"

	"github.com/google/uuid"
)

// NewToken returns a random bearer token: 32 bytes (256 bits) from
// crypto/rand, base64url without padding, prefixed "uivmm_" so leaked
// tokens are easy to find with secret scanners.
func NewToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("reading token bytes: %w", err)
	}
	return "uivmm_" + base64.RawURLEncoding.EncodeToString(b), nil
}

// Hash returns the hex sha256 of a high-entropy secret (a token or a
// code). Such secrets need no slow hash: guessing the input is infeasible.
func Hash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// NewCode returns a one-time code: a 36-character UUIDv4.
func NewCode() string { return uuid.NewString() }

var codeRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// IsCode reports whether s has the form of a code NewCode makes.
func IsCode(s string) bool { return codeRE.MatchString(s) }
