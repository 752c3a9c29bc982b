package api

import (
	"bytes"
	"net/http"
	"path"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/uivmm/uivmm/domain"
)

// simplestreamList serves the built-in simplestreams tree under its own
// path, as LXD reads it from the remote <origin>/api/v1/simplestream.list:
//   - …/simplestream.list itself: the products, as simplestream resources;
//   - …/streams/v1/index.json and …/streams/v1/images.json;
//   - every item path of images.json ("images/<sha256>/<name>"), only for
//     published versions, with Range, HEAD and conditional requests.
func (s *Server) simplestreamList(w http.ResponseWriter, r *http.Request, c *Call) {
	if s.images == nil {
		s.writeError(w, r, errNoImageServer)
		return
	}
	sub := chi.URLParam(r, "*")
	if sub == "" {
		s.simplestreamProducts(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		s.writeError(w, r, &domain.Error{Kind: domain.KindMethodNotAllowed, Detail: "simplestreams files are read with GET"})
		return
	}
	ctx := r.Context()
	doc, ok, err := s.images.Stream(ctx, sub)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if ok {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("ETag", doc.ETag)
		w.Header().Set("Cache-Control", "no-cache")
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(doc.Body))
		return
	}
	f, sha, ok, err := s.images.OpenItem(ctx, sub)
	switch {
	case err != nil:
		s.writeError(w, r, err)
		return
	case !ok:
		s.writeError(w, r, domain.NotFound("unknown path"))
		return
	}
	defer f.Close()
	// Item paths are content addressed: the bytes behind one never change.
	_ = http.NewResponseController(w).SetWriteDeadline(time.Time{})
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("ETag", `"`+sha+`"`)
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	http.ServeContent(w, r, path.Base(sub), time.Time{}, f)
}

// simplestreamProducts answers the method's own path: every product.
func (s *Server) simplestreamProducts(w http.ResponseWriter, r *http.Request) {
	products, err := s.images.Products(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	items := make([]Resource, len(products))
	for i, p := range products {
		items[i] = Resource{Type: "simplestream", ID: p.ID, Attributes: productAttrs(p.SSProduct, p.Serials)}
	}
	writeJSON(w, http.StatusOK, Many(items), s.opts.PrettyPrint)
}
