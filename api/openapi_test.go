package api_test

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/uivmm/uivmm/api"
	"github.com/uivmm/uivmm/app/apptest"
)

func getDoc(t *testing.T, url string) map[string]any {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d: %s", url, resp.StatusCode, raw)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("GET %s: not JSON: %v", url, err)
	}
	return doc
}

func TestOpenAPIMatchesTheRouter(t *testing.T) {
	e := apptest.Start(t)
	doc := getDoc(t, e.URL+"/api/openapi.json")
	if doc["openapi"] != "3.1.0" {
		t.Errorf("openapi = %v, want 3.1.0", doc["openapi"])
	}
	methods := e.App.API.Methods()
	paths, _ := doc["paths"].(map[string]any)
	var want, got []string
	for name := range methods {
		want = append(want, "/"+name)
	}
	for p := range paths {
		got = append(got, p)
	}
	sort.Strings(want)
	sort.Strings(got)
	if !slices.Equal(got, want) {
		t.Fatalf("paths differ from the router's methods:\n missing %v\n extra %v", diff(want, got), diff(got, want))
	}
	if len(got) != 47 {
		t.Errorf("%d paths, want the 47 methods", len(got))
	}
	for name, m := range methods {
		item, _ := paths["/"+name].(map[string]any)
		post, _ := item["post"].(map[string]any)
		if post == nil {
			t.Errorf("%s: no POST operation", name)
			continue
		}
		if _, hasGet := item["get"]; hasGet != m.GET {
			t.Errorf("%s: GET documented = %v, router allows GET = %v", name, hasGet, m.GET)
		}
		sec, _ := post["security"].([]any)
		if requiresBearer := len(sec) > 0; requiresBearer != (m.Auth != api.AuthNone) {
			t.Errorf("%s: security %v does not match auth %v", name, sec, m.Auth)
		}
		responses, _ := post["responses"].(map[string]any)
		for _, code := range []string{"200", "400", "500"} {
			if _, ok := responses[code]; !ok {
				t.Errorf("%s: no %s response", name, code)
			}
		}
		if _, ok := responses["401"]; ok != (m.Auth != api.AuthNone) {
			t.Errorf("%s: 401 documented = %v with auth %v", name, ok, m.Auth)
		}
	}
	checkRefs(t, doc, doc)
}

func TestOpenAPIDescribesRequestFields(t *testing.T) {
	e := apptest.Start(t)
	doc := getDoc(t, e.URL+"/v1/openapi.json")
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	cases := []struct {
		schema   string
		required []string
	}{
		{"ServerAddRequest", []string{"server_host", "server_port", "server_password", "server_protocol"}},
		{"InstanceActionRequest", []string{"server_id", "instance_name", "instance_status", "provider"}},
		{"SshKeyAddRequest", []string{"key_name", "key_public"}},
		{"UserLoginRequest", []string{"user_login", "user_password"}},
		{"TokenCreateRequest", []string{"token_lifetime"}},
	}
	for _, tc := range cases {
		t.Run(tc.schema, func(t *testing.T) {
			s, _ := schemas[tc.schema].(map[string]any)
			if s == nil {
				t.Fatal("missing")
			}
			var req []string
			for _, r := range s["required"].([]any) {
				req = append(req, r.(string))
			}
			for _, f := range tc.required {
				if !slices.Contains(req, f) {
					t.Errorf("%s is not required (required: %v)", f, req)
				}
			}
		})
	}
	port := schemas["ServerAddRequest"].(map[string]any)["properties"].(map[string]any)["server_port"].(map[string]any)
	if types, _ := port["type"].([]any); len(types) != 2 {
		t.Errorf("server_port type = %v, want integer or numeric string", port["type"])
	}
	sec := doc["components"].(map[string]any)["securitySchemes"].(map[string]any)["bearer"].(map[string]any)
	if sec["type"] != "http" || sec["scheme"] != "bearer" {
		t.Errorf("bearer scheme = %v", sec)
	}
	for _, name := range []string{"Document", "Ack", "ErrorDocument"} {
		if schemas[name] == nil {
			t.Errorf("components.schemas lacks %s", name)
		}
	}
}

func TestDocsPageIsSelfContained(t *testing.T) {
	e := apptest.Start(t)
	for _, path := range []string{"/api/docs", "/docs"} {
		resp, err := http.Get(e.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		page := string(body)
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("GET %s: %d %s", path, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		if !strings.Contains(page, `fetch("openapi.json"`) {
			t.Errorf("%s does not load openapi.json", path)
		}
		for _, external := range []string{"src=\"http", "href=\"http", "src=\"//", "@import", "cdn"} {
			if strings.Contains(page, external) {
				t.Errorf("%s references an external resource (%q)", path, external)
			}
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
			t.Errorf("CSP = %q", csp)
		}
	}
}

// checkRefs fails for every $ref in v that does not resolve in doc.
func checkRefs(t *testing.T, doc, v any) {
	t.Helper()
	switch x := v.(type) {
	case map[string]any:
		if ref, ok := x["$ref"].(string); ok {
			var cur any = doc
			for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
				m, _ := cur.(map[string]any)
				cur = m[part]
			}
			if cur == nil {
				t.Errorf("unresolved $ref %s", ref)
			}
		}
		for _, c := range x {
			checkRefs(t, doc, c)
		}
	case []any:
		for _, c := range x {
			checkRefs(t, doc, c)
		}
	}
}

func diff(a, b []string) []string {
	var out []string
	for _, s := range a {
		if !slices.Contains(b, s) {
			out = append(out, s)
		}
	}
	return out
}
