package api

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// OpenAPIVersion is the OpenAPI version of the generated document.
const OpenAPIVersion = "3.1.0"

// Paths of the API description. /openapi.json and /docs are what the
// original ingress, which stripped /api, turns /api/... into.
var (
	openAPIPaths = []string{"/api/openapi.json", "/v1/openapi.json", "/openapi.json"}
	docsPaths    = []string{"/api/docs", "/docs"}
)

func isOpenAPIPath(p string) bool { return slices.Contains(openAPIPaths, p) }
func isDocsPath(p string) bool    { return slices.Contains(docsPaths, p) }

// baseErrs are the statuses every method can answer: a malformed body,
// a wrong verb, a body too large or of the wrong type, an internal error,
// an unavailable subsystem and a command that timed out.
var baseErrs = []int{400, 405, 413, 415, 500, 503, 504}

// errResponses names the components/responses entry of each status.
var errResponses = map[int]string{
	400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound",
	405: "MethodNotAllowed", 409: "Conflict", 413: "PayloadTooLarge", 415: "UnsupportedMediaType",
	429: "TooManyRequests", 500: "InternalError", 502: "BadGateway", 503: "ServiceUnavailable", 504: "GatewayTimeout",
}

// openAPI holds the document, built once: the catalogue is fixed at New.
type openAPI struct {
	once sync.Once
	doc  []byte
}

// OpenAPI returns the OpenAPI 3.1 document describing every method the
// server serves (Server.Methods), as JSON. Safe for concurrent use.
func (s *Server) OpenAPI() []byte {
	s.openapi.once.Do(func() {
		doc, err := json.MarshalIndent(s.openAPIDocument(), "", "  ")
		if err != nil { // only maps, slices and strings: cannot fail
			doc = []byte(`{"openapi":"` + OpenAPIVersion + `"}`)
		}
		s.openapi.doc = doc
	})
	return s.openapi.doc
}

func (s *Server) serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(s.OpenAPI())
}

type jsonObj = map[string]any

func (s *Server) openAPIDocument() jsonObj {
	paths, schemas := jsonObj{}, envelopeSchemas()
	for name, m := range s.methods {
		spec, ok := methodSpecs[name]
		if !ok {
			spec = methodSpec{summary: "Undocumented method.", resp: respSingle}
		}
		schemaName := operationName(name) + "Request"
		schemas[schemaName] = requestSchema(spec)
		paths["/"+name] = openAPIPathItem(name, m, spec, "#/components/schemas/"+schemaName)
	}
	return jsonObj{
		"openapi": OpenAPIVersion,
		"info": jsonObj{"title": "uivmm: ui-vmm JSON:API v0.2", "version": "0.2",
			"description": "Every method is POST <server>/<method> with a plain JSON object of parameters (unknown fields are ignored; " +
				"an empty body is {}). Content-Type is application/vnd.api+json or application/json. Successful answers are 200 with a " +
				"JSON:API document whose data is never null; errors carry {\"errors\":[{status, code, detail}]}."},
		"servers": []jsonObj{{"url": "/api/v1", "description": "as the browser calls it"},
			{"url": "/v1", "description": "the same methods without /api (the original ingress stripped it)"}},
		"paths": paths,
		"components": jsonObj{
			"schemas":         schemas,
			"responses":       errorResponseComponents(),
			"securitySchemes": jsonObj{"bearer": jsonObj{"type": "http", "scheme": "bearer", "description": "an opaque token from user.login, user.assertionVerify or token.create"}},
		},
	}
}

// pathItem describes one method: POST always, GET where the method allows.
func openAPIPathItem(name string, m Method, spec methodSpec, schemaRef string) jsonObj {
	item := jsonObj{"post": openAPIOperation(name, m, spec, schemaRef, false)}
	if m.GET {
		item["get"] = openAPIOperation(name, m, spec, schemaRef, true)
	}
	return item
}

func openAPIOperation(name string, m Method, spec methodSpec, schemaRef string, get bool) jsonObj {
	id := lowerFirst(operationName(name))
	op := jsonObj{"operationId": id, "summary": spec.summary, "tags": []string{strings.SplitN(name, ".", 2)[0]},
		"security": opSecurity(m.Auth), "responses": opResponses(m, spec)}
	if get {
		op["operationId"] = id + "Get"
		if spec.resp == respStream {
			op["parameters"] = []jsonObj{{"name": "stream", "in": "query", "required": true, "schema": jsonObj{"type": "string"},
				"description": "the stream id from config.get"}}
		}
		return op
	}
	body := jsonObj{"application/vnd.api+json": jsonObj{"schema": jsonObj{"$ref": schemaRef}},
		"application/json": jsonObj{"schema": jsonObj{"$ref": schemaRef}}}
	if spec.multipart {
		body = jsonObj{"multipart/form-data": jsonObj{"schema": jsonObj{"$ref": schemaRef},
			"encoding": jsonObj{"payload": jsonObj{"contentType": "application/json"}}}}
	}
	op["requestBody"] = jsonObj{"required": false, "content": body}
	return op
}

func opSecurity(a Auth) []jsonObj {
	switch a {
	case AuthRequired:
		return []jsonObj{{"bearer": []string{}}}
	case AuthOptional:
		return []jsonObj{{"bearer": []string{}}, {}}
	default:
		return []jsonObj{}
	}
}

func opResponses(m Method, spec methodSpec) jsonObj {
	out := jsonObj{"200": successResponse(spec)}
	for _, code := range errorStatuses(m, spec) {
		out[strconv.Itoa(code)] = jsonObj{"$ref": "#/components/responses/" + errResponses[code]}
	}
	return out
}

// errorStatuses lists the error statuses of a method, sorted.
func errorStatuses(m Method, spec methodSpec) []int {
	codes := append(append([]int{}, baseErrs...), spec.errs...)
	if m.Auth != AuthNone {
		codes = append(codes, 401)
	}
	if m.Auth == AuthRequired {
		codes = append(codes, 403)
	}
	if m.Mutating {
		codes = append(codes, 409)
	}
	slices.Sort(codes)
	return slices.Compact(codes)
}

func successResponse(spec methodSpec) jsonObj {
	switch spec.resp {
	case respStream:
		return jsonObj{"description": "an event stream: server-sent events (text/event-stream), or WebSocket frames after an Upgrade handshake (101)",
			"content": jsonObj{"text/event-stream": jsonObj{"schema": jsonObj{"type": "string"}}}}
	case respAck:
		return jsonObj{"description": "ack:" + spec.resType, "content": jsonAPI("#/components/schemas/Ack")}
	case respList:
		return jsonObj{"description": "data: a list of " + spec.resType, "content": jsonAPI("#/components/schemas/Document")}
	default:
		desc := "data: a single resource"
		if spec.resType != "" {
			desc = "data: a single " + spec.resType
		}
		return jsonObj{"description": desc, "content": jsonAPI("#/components/schemas/Document")}
	}
}

func jsonAPI(ref string) jsonObj {
	return jsonObj{ContentType: jsonObj{"schema": jsonObj{"$ref": ref}}}
}

// operationName turns "ssh-key.add" into "SshKeyAdd".
func operationName(method string) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(method, func(r rune) bool { return r == '.' || r == '-' || r == '_' }) {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
