package stream_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/uivmm/uivmm/app"
	"github.com/uivmm/uivmm/eventstore"
	"github.com/uivmm/uivmm/stream"
)

// looksSecret is deliberately wider than the sanitiser's rules: a field
// it matches must be removed unless it is listed in notSecret.
var looksSecret = regexp.MustCompile(`(?i)pass|secret|hash|private|salt|otp|cookie|session|^token$|_token$|^code$|_code$|^key$|_key$|^seed$|^pin$`)

// notSecret are fields looksSecret matches that are safe to show.
var notSecret = map[string]string{
	"key":        "claim keys are logins, e-mails and key fingerprints",
	"public_key": "a passkey's public key",
}

// TestSanitiserRemovesEverySecretOfEveryEventType fills every field of
// every registered event type with a recognisable value and checks that
// no secret-looking field survives rendering, and that the other fields
// do (in data).
func TestSanitiserRemovesEverySecretOfEveryEventType(t *testing.T) {
	reg := app.Registry()
	cat := stream.NewCatalog()
	if len(reg.Types()) == 0 {
		t.Fatal("no event types registered")
	}
	for _, typ := range reg.Types() {
		t.Run(typ, func(t *testing.T) {
			ev, err := reg.Decode(typ, []byte("{}"))
			if err != nil {
				t.Fatal(err)
			}
			fields := fill(reflect.ValueOf(ev).Elem(), "")
			raw, err := json.Marshal(ev)
			if err != nil {
				t.Fatal(err)
			}
			prefix, _, _ := strings.Cut(typ, ":")
			rec := eventstore.RecordedEvent{Position: 9, Stream: prefix + "-7", Type: typ, Data: raw, Time: time.Unix(1, 0),
				Metadata: eventstore.Metadata{ActorKind: eventstore.ActorUser, ActorID: 7, RequestID: "r", Command: "x.y"}}
			line, err := json.Marshal(cat.Message(rec))
			if err != nil {
				t.Fatal(err)
			}
			var data map[string]any
			_ = json.Unmarshal(cat.Message(rec).Data, &data)
			for name, value := range fields {
				secret := looksSecret.MatchString(name) && notSecret[name] == ""
				if secret && strings.Contains(string(line), value) {
					t.Errorf("secret field %s leaks: %s", name, line)
				}
				if secret != stream.IsSecretField(name) {
					t.Errorf("IsSecretField(%q) = %v, want %v", name, !secret, secret)
				}
				if !secret && !strings.Contains(string(line), value) {
					t.Errorf("public field %s was removed", name)
				}
			}
		})
	}
}

// fill sets every string field of v to a value naming it and every
// integer to a distinct number; it returns field name → value text.
func fill(v reflect.Value, _ string) map[string]string {
	out := map[string]string{}
	for i := 0; i < v.NumField(); i++ {
		f := v.Type().Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" || !f.IsExported() {
			continue
		}
		fv := v.Field(i)
		switch fv.Kind() {
		case reflect.String:
			s := "V4LUE-" + name
			fv.SetString(s)
			out[name] = s
		case reflect.Int, reflect.Int32, reflect.Int64, reflect.Uint32, reflect.Uint64:
			n := 7000000 + i*131 + len(name)
			if fv.CanInt() {
				fv.SetInt(int64(n))
			} else {
				fv.SetUint(uint64(n))
			}
			out[name] = fmt.Sprint(n)
		case reflect.Slice:
			if fv.Type().Elem().Kind() == reflect.String {
				s := "V4LUE-" + name
				fv.Set(reflect.ValueOf([]string{s}).Convert(fv.Type()))
				out[name] = s
			}
		}
	}
	return out
}

func TestSanitiserScrubsNestedAndPEM(t *testing.T) {
	got := stream.Sanitize(json.RawMessage(`{"a":{"server_password":"p","ok":1,"list":[{"token":"t"},"-----BEGIN PRIVATE KEY-----"]},"cert":"-----BEGIN RSA PRIVATE KEY-----x","token_id":3,"token_name":"n"}`))
	b, _ := json.Marshal(got)
	want := `{"a":{"list":[{},null],"ok":1},"token_id":3,"token_name":"n"}`
	if string(b) != want {
		t.Fatalf("got %s, want %s", b, want)
	}
	if got := stream.Sanitize(json.RawMessage(`[1]`)); got == nil || len(got) != 0 {
		t.Fatalf("non-object data: %v", got)
	}
}
