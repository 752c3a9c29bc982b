package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/uivmm/uivmm/domain"
)

// Detail strings of body errors.
const (
	DetailMalformed   = "the request body is not valid JSON"
	DetailNotObject   = "the request body must be a JSON object"
	DetailTooLarge    = "the request body is too large"
	DetailContentType = "the request body must be application/json or application/vnd.api+json"
)

// readBody reads at most limit bytes of r's body, checking the media
// type. An empty body is "{}".
func readBody(r *http.Request, limit int64) ([]byte, error) {
	if r.Body == nil || r.Method == http.MethodGet {
		return []byte("{}"), nil
	}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || !(mt == "application/json" || mt == ContentType || mt == "text/plain") {
			return nil, &domain.Error{Kind: domain.KindUnsupportedMedia, Detail: DetailContentType}
		}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, &domain.Error{Kind: domain.KindInvalid, Detail: "the request body could not be read", Err: err}
	}
	if int64(len(body)) > limit {
		return nil, &domain.Error{Kind: domain.KindTooLarge, Detail: DetailTooLarge}
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return []byte("{}"), nil
	}
	return body, nil
}

// decode unmarshals body into v. Unknown fields are ignored (the UI adds
// extras); a wrong type is a 400 naming the field.
func decode(body []byte, v any) error {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		if !json.Valid(trimmed) {
			return domain.Invalid("", DetailMalformed)
		}
		return domain.Invalid("", DetailNotObject)
	}
	err := json.Unmarshal(trimmed, v)
	var typeErr *json.UnmarshalTypeError
	var fieldErr *fieldError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &typeErr):
		field := typeErr.Field
		return domain.Invalid(field, fmt.Sprintf("%s must be %s", field, jsonKind(typeErr.Type.Kind().String())))
	case errors.As(err, &fieldErr):
		return domain.Invalid(fieldErr.field, fieldErr.detail)
	default:
		return domain.Invalid("", DetailMalformed)
	}
}

func jsonKind(goKind string) string {
	switch {
	case strings.HasPrefix(goKind, "int"), strings.HasPrefix(goKind, "uint"), strings.HasPrefix(goKind, "float"):
		return "a number"
	case goKind == "bool":
		return "a boolean"
	case goKind == "string":
		return "a string"
	case goKind == "slice":
		return "an array"
	default:
		return "an object"
	}
}

type fieldError struct{ field, detail string }

func (e *fieldError) Error() string { return e.field + ": " + e.detail }

// Int is an integer field that also accepts a numeric string ("8443"), as
// the published docs show for server_port.
type Int struct {
	V   int64
	Set bool
}

// UnmarshalJSON implements json.Unmarshaler.
func (i *Int) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	s := string(b)
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		s = strings.TrimSpace(s)
		if s == "" {
			return nil
		}
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return &json.UnmarshalTypeError{Value: "string", Type: intType}
	}
	i.V, i.Set = v, true
	return nil
}

var intType = reflect.TypeOf(int64(0))
