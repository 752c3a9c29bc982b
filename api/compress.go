package api

import (
	"bufio"
	"compress/gzip"
	"io"
	"mime"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// gzipPool recycles gzip writers; each costs several hundred KiB.
var gzipPool = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(io.Discard, gzip.DefaultCompression) // a valid level: no error
	return zw
}}

// gzipResponses compresses responses with gzip for clients that accept
// it. It never touches the event stream (event.subscribe, any
// text/event-stream answer, WebSocket upgrades), HEAD requests, partial
// content, or bodies that are not text, JSON, JavaScript or XML (such as
// image files, already compressed). Compressed answers lose
// Content-Length; every candidate gets Vary: Accept-Encoding.
func gzipResponses(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead || isStreamRequest(r) {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Add("Vary", "Accept-Encoding")
		if !acceptsGzip(r.Header.Get("Accept-Encoding")) {
			next.ServeHTTP(w, r)
			return
		}
		gw := &gzipWriter{ResponseWriter: w}
		defer gw.finish()
		next.ServeHTTP(gw, r)
	})
}

// isStreamRequest reports an event-stream call or a protocol upgrade.
func isStreamRequest(r *http.Request) bool {
	if r.Header.Get("Upgrade") != "" || strings.Contains(strings.ToLower(r.Header.Get("Connection")), "upgrade") {
		return true
	}
	p := r.URL.Path
	return strings.HasSuffix(p, "/event.subscribe") || strings.Contains(p, "/event.subscribe/")
}

// acceptsGzip parses Accept-Encoding: gzip (or x-gzip) with a non-zero q,
// or else * with a non-zero q.
func acceptsGzip(header string) bool {
	gzipQ, starQ := -1.0, -1.0
	for _, part := range strings.Split(header, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if k, v, ok := strings.Cut(strings.TrimSpace(params), "="); ok && strings.TrimSpace(k) == "q" {
			if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
				q = f
			}
		}
		switch strings.ToLower(strings.TrimSpace(coding)) {
		case "gzip", "x-gzip":
			gzipQ = q
		case "*":
			starQ = q
		}
	}
	if gzipQ >= 0 {
		return gzipQ > 0
	}
	return starQ > 0
}

// compressible reports whether a response with these headers should be
// gzipped: a compressible media type, no encoding yet, not partial.
func compressible(status int, h http.Header) bool {
	if status < 200 || status == http.StatusNoContent || status == http.StatusNotModified ||
		status == http.StatusPartialContent || h.Get("Content-Encoding") != "" || h.Get("Content-Range") != "" {
		return false
	}
	mt, _, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		return false
	}
	switch {
	case mt == "text/event-stream":
		return false
	case strings.HasPrefix(mt, "text/"), strings.HasSuffix(mt, "json"), strings.HasSuffix(mt, "+xml"),
		mt == "application/xml", mt == "application/javascript", mt == "image/svg+xml":
		return true
	}
	return false
}

// gzipWriter decides at the first header or byte whether to compress.
type gzipWriter struct {
	http.ResponseWriter
	zw      *gzip.Writer
	decided bool
}

func (g *gzipWriter) decide(status int, first []byte) {
	if g.decided {
		return
	}
	g.decided = true
	h := g.Header()
	if h.Get("Content-Type") == "" && len(first) > 0 {
		h.Set("Content-Type", http.DetectContentType(first))
	}
	if !compressible(status, h) {
		return
	}
	h.Set("Content-Encoding", "gzip")
	h.Del("Content-Length")
	g.zw = gzipPool.Get().(*gzip.Writer)
	g.zw.Reset(g.ResponseWriter)
}

// WriteHeader decides (informational 1xx headers pass through).
func (g *gzipWriter) WriteHeader(code int) {
	if code >= 200 {
		g.decide(code, nil)
	}
	g.ResponseWriter.WriteHeader(code)
}

func (g *gzipWriter) Write(b []byte) (int, error) {
	g.decide(http.StatusOK, b)
	if g.zw != nil {
		return g.zw.Write(b)
	}
	return g.ResponseWriter.Write(b)
}

// Flush writes out what is compressed so far, then flushes the connection.
func (g *gzipWriter) Flush() {
	g.decide(http.StatusOK, nil)
	if g.zw != nil {
		_ = g.zw.Flush()
	}
	_ = http.NewResponseController(g.ResponseWriter).Flush()
}

// Hijack hands over the connection; nothing may have been compressed.
func (g *gzipWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if g.zw != nil {
		return nil, nil, http.ErrNotSupported
	}
	g.decided = true
	return http.NewResponseController(g.ResponseWriter).Hijack()
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (g *gzipWriter) Unwrap() http.ResponseWriter { return g.ResponseWriter }

// finish ends the gzip stream and returns the writer to the pool.
func (g *gzipWriter) finish() {
	if g.zw == nil {
		return
	}
	_ = g.zw.Close()
	g.zw.Reset(io.Discard)
	gzipPool.Put(g.zw)
	g.zw = nil
}
