package api_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/uivmm/uivmm/app/apptest"
	"github.com/uivmm/uivmm/config"
)

// rawCall POSTs {} to method with the given Accept-Encoding, without the
// client's transparent decompression.
func rawCall(t *testing.T, e *apptest.Env, verb, path, acceptEncoding string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(verb, e.URL+path, strings.NewReader("{}"))
	req.Header.Set("Content-Type", "application/vnd.api+json")
	if acceptEncoding != "" {
		req.Header.Set("Accept-Encoding", acceptEncoding)
	}
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, body
}

func TestGzipFollowsConfig(t *testing.T) {
	cases := []struct {
		name           string
		disable        bool
		verb, path     string
		acceptEncoding string
		wantGzip       bool
	}{
		{"asked for", false, http.MethodPost, "/api/v1/config.get", "gzip, deflate, br", true},
		{"asked for, other prefix", false, http.MethodPost, "/v1/health.alive", "gzip", true},
		{"openapi document", false, http.MethodGet, "/api/openapi.json", "gzip", true},
		{"not asked for", false, http.MethodPost, "/api/v1/config.get", "", false},
		{"disable_output_compression", true, http.MethodPost, "/api/v1/config.get", "gzip", false},
		{"event stream never", false, http.MethodGet, "/api/v1/event.subscribe?stream=x", "gzip", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := apptest.Start(t, func(c *config.Config) { c.DisableOutputCompression = tc.disable })
			resp, body := rawCall(t, e, tc.verb, tc.path, tc.acceptEncoding)
			gotGzip := resp.Header.Get("Content-Encoding") == "gzip"
			if gotGzip != tc.wantGzip {
				t.Fatalf("Content-Encoding = %q, want gzip=%v", resp.Header.Get("Content-Encoding"), tc.wantGzip)
			}
			if gotGzip {
				zr, err := gzip.NewReader(bytes.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				if body, err = io.ReadAll(zr); err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding") {
					t.Errorf("Vary = %q", resp.Header.Get("Vary"))
				}
			}
			if !json.Valid(body) {
				t.Errorf("body is not JSON: %q", body)
			}
		})
	}
}

func TestPrettyPrint(t *testing.T) {
	for _, pretty := range []bool{false, true} {
		e := apptest.Start(t, func(c *config.Config) { c.PrettyPrint = pretty })
		for _, method := range []string{"config.get", "no.such.method"} {
			r := e.Call(method, "", nil)
			indented := bytes.Contains(r.Raw, []byte("\n  \""))
			if indented != pretty {
				t.Errorf("pretty_print=%v, %s: indented=%v: %s", pretty, method, indented, r.Raw)
			}
			if !json.Valid(r.Raw) {
				t.Errorf("pretty_print=%v, %s: not JSON", pretty, method)
			}
		}
	}
}

func TestAccessLogNeverHoldsASecret(t *testing.T) {
	e := apptest.Start(t)
	_, token := e.AddUser("logcheck", 4)
	password := apptest.Password("logcheck")
	again := e.MustOK("user.login", "", map[string]any{"user_login": "logcheck", "user_password": password})
	token2, _ := again.Attrs()["token"].(string)
	e.Call("user.login", "", map[string]any{"user_login": "logcheck", "user_password": "wrong-" + password})
	e.MustOK("user.get", token, nil)
	logs := e.Logs.String()
	var loginLines int
	for _, line := range strings.Split(logs, "\n") {
		if strings.Contains(line, `msg="http request"`) && strings.Contains(line, "/user.login") {
			loginLines++
			for _, field := range []string{"request_id=", "user_id=", "duration="} {
				if !strings.Contains(line, field) {
					t.Errorf("access log line lacks %s: %s", field, line)
				}
			}
		}
	}
	if loginLines < 3 {
		t.Fatalf("found %d access log lines for user.login, want 3", loginLines)
	}
	for name, secret := range map[string]string{"password": password, "token": token, "second token": token2} {
		if secret != "" && strings.Contains(logs, secret) {
			t.Errorf("the log holds the %s", name)
		}
	}
}
