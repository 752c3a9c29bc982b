package stream

import (
	"bytes"
	"encoding/json"
	"strings"
)

// secretNames are field names that always hold a secret (compared in
// lower case, with '-' read as '_').
var secretNames = map[string]bool{
	"token": true, "code": true, "secret": true, "password": true, "passphrase": true,
	"hash": true, "salt": true, "otp": true, "pin": true, "cookie": true, "session": true,
	"authorization": true, "api_key": true, "apikey": true, "access_key": true,
	"client_key": true, "key_pem": true, "privkey": true, "seed": true,
}

// secretParts mark a field as secret wherever they appear in its name
// (password_hash, code_hash, server_password, private_key, client_secret).
var secretParts = []string{"password", "passwd", "secret", "private", "hash", "credential_data"}

// publicCodes are "_code" names that are not one-time codes.
var publicCodes = map[string]bool{
	"status_code": true, "exit_code": true, "error_code": true, "return_code": true, "response_code": true,
}

// IsSecretField reports whether a field of that name is removed from
// every message and history line: hashes (password, token, code), one-time
// codes, raw tokens, passwords (LXD trust passwords too), private keys and
// anything named secret. Identifiers such as token_id and token_name are
// not secret.
func IsSecretField(name string) bool {
	n := strings.ReplaceAll(strings.ToLower(name), "-", "_")
	if secretNames[n] {
		return true
	}
	for _, p := range secretParts {
		if strings.Contains(n, p) {
			return true
		}
	}
	switch {
	case strings.HasSuffix(n, "_token"), strings.HasSuffix(n, "_otp"):
		return true
	case strings.HasSuffix(n, "_code"):
		return !publicCodes[n]
	}
	return false
}

// isSecretValue catches secrets whatever their field is called: PEM
// private keys.
func isSecretValue(v any) bool {
	s, ok := v.(string)
	return ok && strings.Contains(s, "PRIVATE KEY")
}

// Sanitize decodes an event's data (a JSON object) and removes every
// secret field at any depth (IsSecretField) and every string holding a
// private key. Data that is not a JSON object gives an empty map, never
// nil. Numbers are kept exact (json.Number).
func Sanitize(raw json.RawMessage) map[string]any {
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil || m == nil {
		return map[string]any{}
	}
	scrubMap(m)
	return m
}

func scrubMap(m map[string]any) {
	for k, v := range m {
		if IsSecretField(k) || isSecretValue(v) {
			delete(m, k)
			continue
		}
		scrub(v)
	}
}

func scrub(v any) {
	switch x := v.(type) {
	case map[string]any:
		scrubMap(x)
	case []any:
		for i, e := range x {
			if isSecretValue(e) {
				x[i] = nil
				continue
			}
			scrub(e)
		}
	}
}
