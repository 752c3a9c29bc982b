package sshkey_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/domain/sshkey"
)

var now = time.Unix(1_700_000_000, 0)

const fp = "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU"

var pub = sshkey.PublicKey{Algorithm: "ssh-ed25519", Authorized: "ssh-ed25519 AAAAC3Nza alice@laptop", Fingerprint: fp}

var added = &sshkey.Added{KeyID: 5, UserID: 7, Name: "laptop", Algorithm: "ssh-ed25519",
	Public: "ssh-ed25519 AAAAC3Nza alice@laptop", Fingerprint: fp, At: now.Unix()}

// given builds a key from history, as the repository would.
func given(events ...domain.Event) *sshkey.Key {
	k := sshkey.New()
	for i, e := range events {
		k.When(e)
		k.Root().Loaded(uint64(i))
	}
	return k
}

// then checks the outcome: the error's kind and detail, or the events.
func then(t *testing.T, k *sshkey.Key, err error, wantErr *domain.Error, want ...domain.Event) {
	t.Helper()
	if wantErr != nil {
		de, ok := domain.As(err)
		if !ok || de.Kind != wantErr.Kind || de.Detail != wantErr.Detail {
			t.Fatalf("error = %v, want %s %q", err, wantErr.Kind, wantErr.Detail)
		}
		if n := len(k.Root().Changes()); n != 0 {
			t.Fatalf("a refused command recorded %d events", n)
		}
		return
	}
	if err != nil {
		t.Fatalf("unexpected error %v", err)
	}
	if got := k.Root().Changes(); !reflect.DeepEqual(got, want) {
		t.Fatalf("recorded %#v, want %#v", got, want)
	}
}

func TestAdd(t *testing.T) {
	for _, tc := range []struct {
		name    string
		given   []domain.Event
		keyName string
		pub     sshkey.PublicKey
		wantErr *domain.Error
		want    []domain.Event
	}{
		{name: "new key", keyName: "laptop", pub: pub, want: []domain.Event{added}},
		{name: "name is trimmed", keyName: "  laptop ", pub: pub, want: []domain.Event{added}},
		{name: "empty key", keyName: "laptop", wantErr: domain.Invalid("key_public", sshkey.DetailKeyEmpty)},
		{name: "empty name", keyName: " ", pub: pub, wantErr: domain.Invalid("key_name", sshkey.DetailNameEmpty)},
		{name: "long name", keyName: strings.Repeat("é", sshkey.MaxNameLen+1), pub: pub,
			wantErr: domain.Invalid("key_name", sshkey.DetailNameTooLong)},
		{name: "control character in name", keyName: "lap\ntop", pub: pub,
			wantErr: domain.Invalid("key_name", sshkey.DetailNameInvalid)},
		{name: "unparsed key", keyName: "laptop", pub: sshkey.PublicKey{Authorized: "x"},
			wantErr: domain.Invalid("key_public", sshkey.DetailInvalid)},
		{name: "stream already used", given: []domain.Event{added}, keyName: "laptop", pub: pub,
			wantErr: domain.Conflict(sshkey.DetailDuplicate)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := given(tc.given...)
			err := k.Add(5, 7, tc.keyName, tc.pub, now)
			then(t, k, err, tc.wantErr, tc.want...)
		})
	}
}

func TestDelete(t *testing.T) {
	deleted := &sshkey.Deleted{KeyID: 5, UserID: 7, Fingerprint: fp, At: now.Unix()}
	notFound := domain.NotFound(sshkey.DetailNotFound)
	for _, tc := range []struct {
		name    string
		given   []domain.Event
		user    int64
		wantErr *domain.Error
		want    []domain.Event
	}{
		{name: "owner deletes", given: []domain.Event{added}, user: 7, want: []domain.Event{deleted}},
		{name: "someone else", given: []domain.Event{added}, user: 8, wantErr: notFound},
		{name: "unknown key", user: 7, wantErr: notFound},
		{name: "deleted twice", given: []domain.Event{added, deleted}, user: 7, wantErr: notFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := given(tc.given...)
			err := k.Delete(tc.user, now)
			then(t, k, err, tc.wantErr, tc.want...)
			if tc.wantErr == nil && !k.Deleted() {
				t.Fatal("When did not apply the deletion")
			}
		})
	}
}

func TestClaimKey(t *testing.T) {
	got := sshkey.ClaimKey(7, fp)
	want := "7:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	if got != want {
		t.Fatalf("ClaimKey = %q, want %q", got, want)
	}
	if sshkey.ClaimKey(8, fp) == got {
		t.Fatal("two users share a claim key")
	}
}

func TestEventsRoundTrip(t *testing.T) {
	reg := domain.NewRegistry()
	sshkey.Register(reg)
	for _, typ := range []string{sshkey.TypeAdded, sshkey.TypeDeleted} {
		if !reg.Known(typ) {
			t.Fatalf("%s not registered", typ)
		}
	}
	ev, err := reg.Decode(sshkey.TypeAdded, []byte(`{"key_id":5,"user_id":7,"name":"laptop","algorithm":"ssh-ed25519",
		"public":"ssh-ed25519 AAAAC3Nza alice@laptop","fingerprint":"`+fp+`","at":1700000000}`))
	if err != nil || !reflect.DeepEqual(ev, domain.Event(added)) {
		t.Fatalf("decoded %#v, %v", ev, err)
	}
}
