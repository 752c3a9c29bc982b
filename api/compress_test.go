package api

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestAcceptsGzip(t *testing.T) {
	cases := []struct {
		header string
		want   bool
	}{
		{"", false},
		{"gzip", true},
		{"deflate, gzip;q=1.0, *;q=0.5", true},
		{"br", false},
		{"gzip;q=0", false},
		{"*;q=0.5, gzip;q=0", false},
		{"*", true},
		{"identity", false},
		{"GZIP", true},
	}
	for _, tc := range cases {
		if got := acceptsGzip(tc.header); got != tc.want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", tc.header, got, tc.want)
		}
	}
}

func serveGzip(t *testing.T, h http.HandlerFunc, req *http.Request) *http.Response {
	t.Helper()
	if req.Header.Get("Accept-Encoding") == "" {
		req.Header.Set("Accept-Encoding", "gzip")
	}
	rec := httptest.NewRecorder()
	gzipResponses(h).ServeHTTP(rec, req)
	return rec.Result()
}

func TestGzipResponses(t *testing.T) {
	body := strings.Repeat(`{"data":{"type":"x","attributes":{}}}`, 50)
	json := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", ContentType)
		w.Header().Set("Content-Length", "9999")
		_, _ = io.WriteString(w, body)
	}
	sse := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = io.WriteString(w, ": ping\n\n")
		http.NewResponseController(w).Flush()
	}
	binary := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		_, _ = io.WriteString(w, body)
	}
	post := func(path string) *http.Request { return httptest.NewRequest(http.MethodPost, path, nil) }
	upgrade := post("/api/v1/config.get")
	upgrade.Header.Set("Connection", "Upgrade")
	upgrade.Header.Set("Upgrade", "websocket")
	cases := []struct {
		name       string
		handler    http.HandlerFunc
		req        *http.Request
		compressed bool
	}{
		{"json", json, post("/api/v1/config.get"), true},
		{"event stream content type", sse, post("/api/v1/anything"), false},
		{"event.subscribe path", json, post("/v1/event.subscribe?stream=x"), false},
		{"websocket upgrade", json, upgrade, false},
		{"binary file", binary, post("/api/v1/simplestream.list/images/x.squashfs"), false},
		{"HEAD", json, httptest.NewRequest(http.MethodHead, "/api/openapi.json", nil), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp := serveGzip(t, tc.handler, tc.req)
			enc := resp.Header.Get("Content-Encoding")
			if (enc == "gzip") != tc.compressed {
				t.Fatalf("Content-Encoding = %q, want compressed=%v", enc, tc.compressed)
			}
			if !tc.compressed {
				return
			}
			if resp.Header.Get("Content-Length") != "" {
				t.Error("Content-Length kept on a compressed answer")
			}
			if resp.Header.Get("Vary") != "Accept-Encoding" {
				t.Errorf("Vary = %q", resp.Header.Get("Vary"))
			}
			zr, err := gzip.NewReader(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(zr)
			if err != nil || string(got) != body {
				t.Errorf("decompressed %d bytes (%v), want the body", len(got), err)
			}
		})
	}
}

func TestGzipNotAskedFor(t *testing.T) {
	req := httptest.NewRequest(http.MethodPost, "/api/v1/config.get", nil)
	req.Header.Set("Accept-Encoding", "identity")
	resp := serveGzip(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", ContentType)
		_, _ = io.WriteString(w, `{"data":[]}`)
	}, req)
	if resp.Header.Get("Content-Encoding") != "" || resp.Header.Get("Vary") != "Accept-Encoding" {
		t.Errorf("headers = %v", resp.Header)
	}
	if b, _ := io.ReadAll(resp.Body); string(b) != `{"data":[]}` {
		t.Errorf("body = %q", b)
	}
}

// TestGzipWritersAreReused checks the pool hands back reset writers: many
// sequential answers all decompress to their own body.
func TestGzipWritersAreReused(t *testing.T) {
	for i := range 20 {
		want := strings.Repeat("x", i*100+1)
		resp := serveGzip(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			_, _ = io.WriteString(w, want)
		}, httptest.NewRequest(http.MethodGet, "/api/docs", nil))
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := io.ReadAll(zr); string(got) != want {
			t.Fatalf("answer %d: got %d bytes, want %d", i, len(got), len(want))
		}
	}
}
