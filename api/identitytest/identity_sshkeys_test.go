package identitytest

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"strings"
	"sync"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/uivmm/uivmm/app/apptest"
	"github.com/uivmm/uivmm/config"
)

func rsaKey(t *testing.T, bits int) string {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatal(err)
	}
	sp, err := ssh.NewPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(sp)))
}

func TestSSHKeyAdd(t *testing.T) {
	e := apptest.Start(t)
	_, tok := e.AddUser("alice", 4)
	_, bobTok := e.AddUser("bob", 4)
	taken := newKey(t, "alice@laptop")
	addKey(t, e, tok, "laptop", taken)
	bare := strings.Join(strings.Fields(taken)[:2], " ")
	for _, tc := range []struct {
		name   string
		token  string
		body   any
		status int
		detail string
	}{
		{name: "ed25519 with comment", body: map[string]any{"key_name": "desk", "key_public": newKey(t, "alice@desk")}, status: 200},
		{name: "without comment", body: map[string]any{"key_name": "desk2", "key_public": newKey(t, "")}, status: 200},
		{name: "trailing newline", body: map[string]any{"key_name": "desk3", "key_public": newKey(t, "x") + "\n"}, status: 200},
		{name: "rsa 3072", body: map[string]any{"key_name": "rsa", "key_public": rsaKey(t, 3072)}, status: 200},
		{name: "provider internal", body: map[string]any{"key_name": "p", "key_public": newKey(t, ""), "provider": "internal"}, status: 200},
		{name: "same key for another user", token: bobTok, body: map[string]any{"key_name": "laptop", "key_public": taken}, status: 200},
		{name: "duplicate", body: map[string]any{"key_name": "again", "key_public": taken}, status: 409, detail: detailKeyDuplicate},
		{name: "duplicate without comment", body: map[string]any{"key_name": "again", "key_public": bare}, status: 409, detail: detailKeyDuplicate},
		{name: "empty key", body: map[string]any{"key_name": "x", "key_public": ""}, status: 400, detail: detailKeyEmpty},
		{name: "blank key", body: map[string]any{"key_name": "x", "key_public": "  \n"}, status: 400, detail: detailKeyEmpty},
		{name: "missing key", body: map[string]any{"key_name": "x"}, status: 400, detail: detailKeyEmpty},
		{name: "empty name", body: map[string]any{"key_name": "", "key_public": newKey(t, "")}, status: 400, detail: detailKeyNameEmpty},
		{name: "missing name", body: map[string]any{"key_public": newKey(t, "")}, status: 400, detail: detailKeyNameEmpty},
		{name: "garbage", body: map[string]any{"key_name": "x", "key_public": "ssh-ed25519 not-base64"}, status: 400, detail: detailKeyInvalid},
		{name: "private key", body: map[string]any{"key_name": "x", "key_public": "-----BEGIN OPENSSH PRIVATE KEY-----"}, status: 400, detail: detailKeyInvalid},
		{name: "options", body: map[string]any{"key_name": "x", "key_public": `command="rm -rf /" ` + newKey(t, "")}, status: 400, detail: detailKeyInvalid},
		{name: "two keys", body: map[string]any{"key_name": "x", "key_public": newKey(t, "") + "\n" + newKey(t, "")}, status: 400, detail: detailKeyInvalid},
		{name: "rsa 1024", body: map[string]any{"key_name": "x", "key_public": rsaKey(t, 1024)}, status: 400, detail: "ssh key is too weak"},
		{name: "name not a string", body: map[string]any{"key_name": 5, "key_public": newKey(t, "")}, status: 400},
		{name: "name too long", body: map[string]any{"key_name": strings.Repeat("n", 256), "key_public": newKey(t, "")}, status: 400},
		{name: "another provider", body: map[string]any{"key_name": "x", "key_public": newKey(t, ""), "provider": "ldap"}, status: 403, detail: detailKeyNotAllowed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			token := tok
			if tc.token != "" {
				token = tc.token
			}
			before := eventTypes(e)
			r := e.Call("ssh-key.add", token, tc.body)
			if tc.status != 200 {
				wantError(t, r, tc.status, tc.detail)
				if after := eventTypes(e); after["sshkey:added"] != before["sshkey:added"] {
					t.Fatal("a refused ssh-key.add recorded a key")
				}
				return
			}
			wantAck(t, r, "ssh-key")
			if r.ID() <= 0 {
				t.Fatalf("no key id: %s", r.Raw)
			}
		})
	}
}

func TestSSHKeyAddDisabled(t *testing.T) {
	e := apptest.Start(t, func(c *config.Config) { c.DisableSSHKeyAdd = true })
	_, tok := e.AddUser("alice", 4)
	before := eventCount(e)
	wantError(t, e.Call("ssh-key.add", tok, map[string]any{"key_name": "x", "key_public": newKey(t, "")}), 403, detailKeyNotAllowed)
	if eventCount(e) != before {
		t.Fatal("a disabled ssh-key.add wrote events")
	}
	if !e.MustOK("config.get", "", nil).Attrs()["disable_ssh_key_add"].(bool) {
		t.Fatal("config.get does not report disable_ssh_key_add")
	}
}

func TestSSHKeyGetAndDelete(t *testing.T) {
	e := apptest.Start(t)
	uid, tok := e.AddUser("alice", 4)
	_, bobTok := e.AddUser("bob", 4)
	laptop, desk := newKey(t, "alice@laptop"), newKey(t, "")
	laptopID := addKey(t, e, tok, "laptop", laptop)
	deskID := addKey(t, e, tok, "desk", desk)
	bobID := addKey(t, e, bobTok, "bob", newKey(t, ""))

	list := e.MustOK("ssh-key.get", tok, nil).List()
	if len(list) != 2 {
		t.Fatalf("ssh-key.get lists %d keys: %v", len(list), list)
	}
	first := list[0]
	a := first["attributes"].(map[string]any)
	if first["type"] != "ssh-key" || first["id"] != float64(laptopID) || a["key_type"] != "ssh" || a["key_name"] != "laptop" ||
		a["key_public"] != laptop || a["user_id"] != float64(uid) || a["provider"] != "internal" || a["key_timeadd"].(float64) <= 0 {
		t.Fatalf("ssh-key item %v", first)
	}
	keys, err := e.App.RM.SSHKeysOfUser(context.Background(), uid)
	if err != nil || len(keys) != 2 || keys[0] != laptop || keys[1] != desk {
		t.Fatalf("SSHKeysOfUser = %q, %v", keys, err)
	}

	for _, tc := range []struct {
		name   string
		body   any
		status int
		detail string
	}{
		{name: "missing id", body: map[string]any{}, status: 400, detail: detailKeyIDEmpty},
		{name: "zero id", body: map[string]any{"key_id": 0}, status: 400, detail: detailKeyIDEmpty},
		{name: "id not a number", body: map[string]any{"key_id": "first"}, status: 400},
		{name: "unknown id", body: map[string]any{"key_id": 9999}, status: 404},
		{name: "another user's key", body: map[string]any{"key_id": bobID}, status: 404},
		{name: "own key", body: map[string]any{"key_id": deskID}, status: 200},
		{name: "own key again", body: map[string]any{"key_id": deskID}, status: 404},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := eventCount(e)
			r := e.Call("ssh-key.delete", tok, tc.body)
			if tc.status != 200 {
				wantError(t, r, tc.status, tc.detail)
				if eventCount(e) != before {
					t.Fatal("a refused ssh-key.delete wrote events")
				}
				return
			}
			wantAck(t, r, "ssh-key")
			if r.ID() != deskID {
				t.Fatalf("ack id %d, want %d", r.ID(), deskID)
			}
		})
	}
	if list := e.MustOK("ssh-key.get", tok, nil).List(); len(list) != 1 || list[0]["id"] != float64(laptopID) {
		t.Fatalf("after delete: %v", list)
	}
	if list := e.MustOK("ssh-key.get", bobTok, nil).List(); len(list) != 1 || list[0]["id"] != float64(bobID) {
		t.Fatalf("bob's keys: %v", list)
	}
	// The deleted key's claim is free again.
	again := addKey(t, e, tok, "desk again", desk)
	if again == deskID {
		t.Fatal("a re-added key reused the deleted id")
	}
}

// TestSSHKeyAddConcurrentDuplicates: the claim lets exactly one of many
// simultaneous adds of one key win.
func TestSSHKeyAddConcurrentDuplicates(t *testing.T) {
	e := apptest.Start(t)
	_, tok := e.AddUser("alice", 4)
	key := newKey(t, "")
	const n = 12
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = e.Call("ssh-key.add", tok, map[string]any{"key_name": "k", "key_public": key}).Status
		}()
	}
	wg.Wait()
	count := map[int]int{}
	for _, s := range statuses {
		count[s]++
	}
	if count[200] != 1 || count[409] != n-1 {
		t.Fatalf("statuses %v, want one 200 and %d 409", count, n-1)
	}
	if got := len(e.MustOK("ssh-key.get", tok, nil).List()); got != 1 {
		t.Fatalf("%d keys stored", got)
	}
}
