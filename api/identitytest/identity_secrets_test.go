package identitytest

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uivmm/uivmm/app/apptest"
)

// TestNoSecretsAtRest runs every flow that handles a raw secret, then scans
// every file of the data directory (events, read models, their WAL and SHM
// files; not the outbox, which legitimately holds mailed codes) and the
// whole log for each raw password, token and code used. None may appear.
func TestNoSecretsAtRest(t *testing.T) {
	e := apptest.Start(t)
	var secrets []string
	keep := func(s string) string { secrets = append(secrets, s); return s }

	// Registration and login.
	pw1 := keep("Register-Pa55word-7f3a")
	e.MustOK("user.register", "", map[string]any{"user_login": "alice", "user_email": "alice@example.org",
		"user_password": pw1, "user_passwordRepeat": pw1})
	e.MustOK("user.register", "", map[string]any{"user_code": keep(e.LastCode("alice@example.org"))})
	tok := keep(login(t, e, "alice", pw1))
	e.Call("user.login", "", map[string]any{"user_login": "alice", "user_password": keep("Wrong-Pa55word-91c2")})

	// API tokens.
	api := keep(apiToken(t, e, tok, 3600, false)["token"].(string))
	keep(apiToken(t, e, api, 3600, true)["token"].(string))

	// Password change, lock and unlock.
	pw2 := keep("Changed-Pa55word-c0de")
	e.MustOK("user.passwordChange", tok, map[string]any{"user_password": pw2, "user_passwordRepeat": pw2})
	e.MustOK("user.passwordLock", tok, map[string]any{"user_password_locked": true, "user_code": ""})
	e.MustOK("user.passwordLock", tok, map[string]any{"user_password_locked": false, "user_code": ""})
	e.MustOK("user.passwordLock", tok, map[string]any{"user_password_locked": false, "user_code": keep(e.LastCode("alice@example.org"))})

	// E-mail change.
	e.MustOK("user.emailChange", tok, map[string]any{"user_email": "alice@new.example", "user_code": ""})
	e.MustOK("user.emailChange", tok, map[string]any{"user_email": "alice@new.example", "user_code": keep(e.LastCode("alice@new.example"))})

	// Recovery.
	e.MustOK("user.recovery", "", map[string]any{"user_email": "alice@new.example"})
	code := keep(e.LastCode("alice@new.example"))
	e.MustOK("user.recovery", "", map[string]any{"user_code": code})
	pw3 := keep("Recovered-Pa55word-b33f")
	e.MustOK("user.recovery", "", map[string]any{"user_code": code, "user_password": pw3, "user_passwordRepeat": pw3})
	tok3 := keep(login(t, e, "alice@new.example", pw3))
	addKey(t, e, tok3, "laptop", newKey(t, "alice@laptop"))
	e.MustOK("user.logout", tok, nil)

	// A user made the CLI way.
	_, cliTok := e.AddUser("bob", 1)
	keep(cliTok)
	keep(apptest.Password("bob"))

	scan := func(t *testing.T) {
		t.Helper()
		scanned := 0
		err := filepath.WalkDir(e.DataDir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if path == e.Config.MailOutbox() {
					return filepath.SkipDir
				}
				return nil
			}
			data, err := os.ReadFile(path)
			if os.IsNotExist(err) {
				return nil // a WAL checkpointed away meanwhile
			}
			if err != nil {
				return err
			}
			scanned++
			t.Logf("scanning %s (%d bytes)", path, len(data))
			for _, s := range secrets {
				if bytes.Contains(data, []byte(s)) {
					t.Errorf("%s holds the raw secret %q", path, s)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if scanned < 2 {
			t.Fatalf("scanned only %d files", scanned)
		}
		logs := e.Logs.String()
		if !strings.Contains(logs, "http request") {
			t.Fatal("the log is empty: nothing was scanned")
		}
		for _, s := range secrets {
			if strings.Contains(logs, s) {
				t.Errorf("the log holds the raw secret %q", s)
			}
		}
	}
	t.Run("the scan can see a secret", func(t *testing.T) {
		// Control: the outbox does hold the recovery code, so a scan that
		// reads files this way would find one that leaked.
		found := false
		entries, _ := os.ReadDir(e.Config.MailOutbox())
		for _, en := range entries {
			data, _ := os.ReadFile(filepath.Join(e.Config.MailOutbox(), en.Name()))
			found = found || bytes.Contains(bytes.ReplaceAll(data, []byte("=\r\n"), nil), []byte(code))
		}
		if !found {
			t.Fatal("the recovery code is not in the outbox either")
		}
	})
	t.Run("while running", scan)
	e.Stop()
	t.Run("after stopping", scan)
	if len(secrets) < 14 {
		t.Fatalf("only %d secrets exercised", len(secrets))
	}
}
