package stream

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
)

// flights tracks the request ids of HTTP requests being served. It is
// safe for concurrent use.
type flights struct {
	mu    sync.Mutex
	m     map[string]*flight
	grace time.Duration // a flight lasts this long after its last reply
}

type flight struct {
	n    int           // requests with this id being served
	done chan struct{} // closed grace after n dropped to 0
	gen  int           // bumped by begin, so a stale grace timer does nothing
}

func (f *flights) begin(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.m == nil {
		f.m = map[string]*flight{}
	}
	fl := f.m[id]
	if fl == nil {
		fl = &flight{done: make(chan struct{})}
		f.m[id] = fl
	}
	fl.n++
	fl.gen++
}

// end notes that one request with id has been answered. The flight ends
// after the grace period, so the reply reaches the client (and the UI
// registers its callback) before any message it held.
func (f *flights) end(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fl := f.m[id]
	if fl == nil {
		return
	}
	if fl.n--; fl.n > 0 {
		return
	}
	gen := fl.gen
	time.AfterFunc(f.grace, func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		if fl.n == 0 && fl.gen == gen && f.m[id] == fl {
			close(fl.done)
			delete(f.m, id)
		}
	})
}

// wait returns a channel closed when no request with id is in flight, or
// nil when none is now.
func (f *flights) wait(id string) <-chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	if fl := f.m[id]; fl != nil {
		return fl.done
	}
	return nil
}

// requestIDRE is the API's rule for an acceptable request id.
var requestIDRE = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,128}$`)

// peekLimit bounds how much of a body Middleware reads to find request_id.
const peekLimit = 64 << 10

// Middleware marks the request id of every API call in flight while the
// handler runs, so messages caused by the call wait until its reply has
// been written and flushed. The id is the one the API will use: the
// body's request_id, else X-Request-Id; when the client sent neither,
// Middleware sets X-Request-Id to a fresh uuid, which the API adopts.
//
// Stream requests (event.subscribe) are not tracked; their
// Accept-Encoding is removed, so no compressing middleware wrapped inside
// this one ever compresses a stream. Put Middleware first (outermost).
func (h *Hub) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/event.subscribe") {
			r.Header.Del("Accept-Encoding")
			next.ServeHTTP(w, r)
			return
		}
		id := callRequestID(r)
		h.flights.begin(id)
		defer h.flights.end(id)
		next.ServeHTTP(w, r)
		_ = http.NewResponseController(w).Flush()
	})
}

// callRequestID finds (or assigns) the request id the API will use.
func callRequestID(r *http.Request) string {
	if r.Method == http.MethodPost && r.Body != nil && isJSON(r.Header.Get("Content-Type")) {
		buf, err := io.ReadAll(io.LimitReader(r.Body, peekLimit+1))
		r.Body = readCloser{io.MultiReader(bytes.NewReader(buf), r.Body), r.Body}
		if err == nil && len(buf) <= peekLimit {
			var probe struct {
				RequestID any `json:"request_id"`
			}
			if json.Unmarshal(buf, &probe) == nil {
				if s, ok := probe.RequestID.(string); ok && requestIDRE.MatchString(s) {
					return s
				}
			}
		}
	}
	if h := r.Header.Get("X-Request-Id"); requestIDRE.MatchString(h) {
		return h
	}
	id := uuid.NewString()
	r.Header.Set("X-Request-Id", id)
	return id
}

func isJSON(ct string) bool {
	if ct == "" {
		return true // the API treats a body without a type as JSON
	}
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && (mt == "application/json" || mt == "text/plain" || strings.HasSuffix(mt, "+json"))
}

type readCloser struct {
	io.Reader
	io.Closer
}
