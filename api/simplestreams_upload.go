package api

import (
	"bufio"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"
	"time"

	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/imageserver"
)

const (
	// uploadOverhead is what a simplestream.upload body may hold beyond
	// simplestream.max_upload: multipart framing and the payload part.
	uploadOverhead = 1 << 20
	// maxPayload bounds the JSON payload part.
	maxPayload = 64 << 10
	// uploadBuffer is the read buffer of an upload body.
	uploadBuffer = 1 << 20
)

// Details of upload request errors.
const (
	DetailUploadMedia       = "the request body must be multipart/form-data"
	DetailUploadMalformed   = "the multipart body cannot be read"
	DetailUploadTooLarge    = "the upload is larger than simplestream.max_upload"
	DetailUploadInterrupted = "the upload was interrupted"
)

type uploadPayload struct {
	ProductID string `json:"product_id"`
	Serial    string `json:"product_version_serial"`
}

// simplestreamUpload takes multipart/form-data: one or more "file" parts
// and a "payload" part {product_id, product_version_serial} (plain
// product_id and product_version_serial fields work too). Each file
// streams straight into the blob store; the body is capped at
// simplestream.max_upload plus 1 MiB, each file at max_upload. The answer
// is a single simplestream: published, or pending with the kinds of file
// still missing.
func (s *Server) simplestreamUpload(w http.ResponseWriter, r *http.Request, c *Call) {
	if err := s.checkUpload(r, c); err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	r.Body = http.MaxBytesReader(w, r.Body, s.images.MaxUpload()+uploadOverhead)
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Time{})
	mr, err := multipartReader(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	u := s.images.NewUpload(c.MetaFor("simplestream.upload"))
	defer u.Close(ctx)
	var pl uploadPayload
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			err = bodyError{err}
		} else {
			err = s.uploadPart(r, u, part, &pl)
			part.Close()
		}
		if err != nil {
			s.writeError(w, r, uploadError(err))
			return
		}
	}
	switch {
	case pl.ProductID == "":
		s.writeError(w, r, domain.Invalid("product_id", domain.DetailFieldRequired))
		return
	case pl.Serial == "":
		s.writeError(w, r, domain.Invalid("product_version_serial", domain.DetailFieldRequired))
		return
	}
	out, err := u.Finish(ctx, pl.ProductID, pl.Serial)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, One("simplestream", out.ProductRef, outcomeAttrs(out)), s.opts.PrettyPrint)
}

// multipartReader reads the body through a 1 MiB buffer: mime/multipart
// would otherwise read it 4 KiB at a time (its own buffer), which costs a
// third of the upload's throughput in system calls.
func multipartReader(r *http.Request) (*multipart.Reader, error) {
	_, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || params["boundary"] == "" {
		return nil, domain.Invalid("", DetailUploadMalformed)
	}
	return multipart.NewReader(bufio.NewReaderSize(r.Body, uploadBuffer), params["boundary"]), nil
}

func (s *Server) checkUpload(r *http.Request, c *Call) error {
	if s.images == nil {
		return errNoImageServer
	}
	if !c.Privileged() {
		return domain.Forbidden(domain.DetailAccessDenied)
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return &domain.Error{Kind: domain.KindUnsupportedMedia, Detail: DetailUploadMedia}
	}
	return nil
}

// uploadPart consumes one part: a file goes to the blob store; the
// payload is decoded and checked at once, so a bad serial or an unknown
// product is refused before the files that follow are read.
func (s *Server) uploadPart(r *http.Request, u *imageserver.Upload, part *multipart.Part, pl *uploadPayload) error {
	switch part.FormName() {
	case "file":
		_, err := u.AddFile(r.Context(), bodyReader{part})
		return err
	case "payload":
		raw, err := readSmall(part)
		if err != nil {
			return err
		}
		if err := decode(raw, pl); err != nil {
			return err
		}
	case "product_id", "product_version_serial":
		raw, err := readSmall(part)
		if err != nil {
			return err
		}
		if part.FormName() == "product_id" {
			pl.ProductID = strings.TrimSpace(string(raw))
		} else {
			pl.Serial = strings.TrimSpace(string(raw))
		}
	default:
		_, err := io.Copy(io.Discard, part)
		return err
	}
	if pl.ProductID != "" && pl.Serial != "" {
		return u.Check(r.Context(), pl.ProductID, pl.Serial)
	}
	return nil
}

func readSmall(part *multipart.Part) ([]byte, error) {
	raw, err := io.ReadAll(io.LimitReader(bodyReader{part}, maxPayload+1))
	if err != nil {
		return nil, err
	}
	if len(raw) > maxPayload {
		return nil, &domain.Error{Kind: domain.KindTooLarge, Field: "payload", Detail: DetailTooLarge}
	}
	return raw, nil
}

// bodyError marks a failure to read the request body (the client's
// side), as opposed to a failure to store what was read.
type bodyError struct{ err error }

func (e bodyError) Error() string { return "reading the upload: " + e.err.Error() }
func (e bodyError) Unwrap() error { return e.err }

// bodyReader tags its read errors as bodyError.
type bodyReader struct{ r io.Reader }

func (b bodyReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF {
		err = bodyError{err}
	}
	return n, err
}

// uploadError classifies a failure of the upload: the body too large
// (413), cut short or malformed (400); domain and simplestreams errors
// pass through to the mappers, anything else (storing) is a 500.
func uploadError(err error) error {
	var tooBig *http.MaxBytesError
	var body bodyError
	switch {
	case errors.As(err, &tooBig):
		return &domain.Error{Kind: domain.KindTooLarge, Detail: DetailUploadTooLarge, Err: err}
	case !errors.As(err, &body):
		return err
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return &domain.Error{Kind: domain.KindInvalid, Detail: DetailUploadInterrupted, Err: err}
	}
	return &domain.Error{Kind: domain.KindInvalid, Detail: DetailUploadMalformed, Err: err}
}

func outcomeAttrs(o imageserver.Outcome) map[string]any {
	files := make([]map[string]any, 0, len(o.Files))
	for _, f := range o.Items() {
		files = append(files, map[string]any{"ftype": f.Ftype, "path": f.Path, "size": f.Size, "sha256": f.SHA256})
	}
	missing := o.Missing
	if missing == nil {
		missing = []string{}
	}
	return map[string]any{"product_id": o.ProductID, "product_version_serial": o.Serial, "published": o.Published,
		"fingerprint": o.Fingerprint, "files": files, "missing": missing}
}
