package api

import (
	"net/http"
	"strconv"
)

// requestSchema is the JSON Schema of a method's request body.
func requestSchema(spec methodSpec) jsonObj {
	schema := objectSchema(spec.fields)
	schema["description"] = "unknown fields are ignored"
	if len(spec.variants) > 0 {
		alts := make([]jsonObj, len(spec.variants))
		for i, v := range spec.variants {
			alts[i] = jsonObj{"required": v}
		}
		schema["anyOf"] = alts
	}
	return schema
}

func objectSchema(fields []specField) jsonObj {
	props, required := jsonObj{}, []string{}
	for _, f := range fields {
		props[f.name] = fieldSchema(f)
		if f.required {
			required = append(required, f.name)
		}
	}
	s := jsonObj{"type": "object", "properties": props}
	if len(required) > 0 {
		s["required"] = required
	}
	return s
}

func fieldSchema(f specField) jsonObj {
	var s jsonObj
	switch f.typ {
	case tInt:
		s = jsonObj{"type": "integer"}
	case tBool:
		s = jsonObj{"type": "boolean"}
	case tIntOrString:
		s = jsonObj{"type": []string{"integer", "string"}, "pattern": "^[0-9]+$"}
		f.desc += " (an integer, or a numeric string)"
	case tObject:
		s = objectSchema(f.props)
	case tBinary:
		s = jsonObj{"type": "string", "contentMediaType": "application/octet-stream"}
	default:
		s = jsonObj{"type": "string"}
	}
	if f.desc != "" {
		s["description"] = f.desc
	}
	if len(f.enum) > 0 {
		s["enum"] = f.enum
	}
	return s
}

// envelopeSchemas are the shared response schemas.
func envelopeSchemas() jsonObj {
	resource := jsonObj{"type": "object", "required": []string{"type", "attributes"}, "properties": jsonObj{
		"type":       jsonObj{"type": "string", "description": "the resource type, such as server or user"},
		"id":         jsonObj{"type": "integer", "minimum": 1, "description": "positive and stable; absent on some acks"},
		"attributes": jsonObj{"type": "object", "description": "always present, at least {}"},
	}}
	errorObject := jsonObj{"type": "object", "required": []string{"status", "code", "detail"}, "properties": jsonObj{
		"status": jsonObj{"type": "string", "description": "the HTTP status, as a string"},
		"code":   jsonObj{"type": "string", "description": "the error kind, such as invalid, not-found or conflict"},
		"detail": jsonObj{"type": "string", "description": "a safe message; often a key the front-end translates"},
		"source": jsonObj{"type": "object", "properties": jsonObj{"pointer": jsonObj{"type": "string"}}},
	}}
	return jsonObj{
		"Resource": resource,
		"Document": jsonObj{"type": "object", "required": []string{"data"}, "properties": jsonObj{
			"data": jsonObj{"oneOf": []jsonObj{{"$ref": "#/components/schemas/Resource"},
				{"type": "array", "items": jsonObj{"$ref": "#/components/schemas/Resource"}}},
				"description": "a resource or a list of them; never null ([] when empty)"},
			"included": jsonObj{"type": "array", "items": jsonObj{"$ref": "#/components/schemas/Resource"}},
		}},
		"Ack": jsonObj{"type": "object", "required": []string{"data"}, "properties": jsonObj{
			"data": jsonObj{"allOf": []jsonObj{{"$ref": "#/components/schemas/Resource"}, {"properties": jsonObj{
				"attributes": jsonObj{"type": "object", "required": []string{"response"},
					"properties": jsonObj{"response": jsonObj{"const": true}}}}}}},
		}},
		"Error": errorObject,
		"ErrorDocument": jsonObj{"type": "object", "required": []string{"errors"}, "properties": jsonObj{
			"errors": jsonObj{"type": "array", "minItems": 1, "items": jsonObj{"$ref": "#/components/schemas/Error"}},
		}},
	}
}

// errorResponseComponents are the shared error responses.
func errorResponseComponents() jsonObj {
	notes := map[int]string{
		400: "validation failed, a wrong password or code, or a malformed body",
		401: "the bearer token is missing, invalid, expired or revoked (and only then)",
		403: "not enough access rights, or the feature is disabled",
		404: "the user, server, instance, key, token or stream does not exist",
		405: "the method does not accept this HTTP verb (see Allow)",
		409: "a duplicate, or a concurrent change",
		413: "the body is too large",
		415: "the body is not application/json or application/vnd.api+json",
		429: "too many failed attempts (see Retry-After)",
		500: "an internal error",
		502: "the LXD server is unreachable or failed",
		503: "the method or a dependency is unavailable",
		504: "the request timed out",
	}
	out := jsonObj{}
	for code, name := range errResponses {
		out[name] = jsonObj{"description": strconv.Itoa(code) + " " + http.StatusText(code) + ": " + notes[code],
			"content": jsonAPI("#/components/schemas/ErrorDocument")}
	}
	return out
}
