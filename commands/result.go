package commands

import (
	"encoding/json"
	"errors"

	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/eventstore"
)

// Command is implemented by every command. CommandName is the lasting name
// the command travels under ("user.login"); Meta carries who sent it and in
// answer to which request.
type Command interface {
	CommandName() string
	Meta() eventstore.Metadata
}

// Envelope is embedded in every command.
type Envelope struct {
	Metadata eventstore.Metadata `json:"metadata"`
}

// Meta returns the metadata the command's events will carry.
func (e Envelope) Meta() eventstore.Metadata { return e.Metadata }

// Result is what a command answers: the global position of the last event
// it appended (0 if it appended nothing), the numeric id of the aggregate
// it created or changed, and Values such as a token shown once. Values
// travel only in memory and are never stored.
type Result struct {
	Position uint64            `json:"position"`
	ID       int64             `json:"id,omitempty"`
	Values   map[string]string `json:"values,omitempty"`
	Err      *ReplyError       `json:"err,omitempty"`
}

// ReplyError is a domain.Error in a form that survives the bus's JSON.
type ReplyError struct {
	Kind   domain.Kind `json:"kind"`
	Detail string      `json:"detail"`
	Field  string      `json:"field,omitempty"`
}

func toReply(err error) *ReplyError {
	if err == nil {
		return nil
	}
	if de, ok := domain.As(err); ok {
		return &ReplyError{Kind: de.Kind, Detail: de.Detail, Field: de.Field}
	}
	if errors.Is(err, eventstore.ErrUnavailable) {
		return &ReplyError{Kind: domain.KindUnavailable, Detail: "event store unavailable"}
	}
	return &ReplyError{Kind: domain.KindInternal, Detail: "internal error"}
}

func (r *ReplyError) asError() error {
	if r == nil {
		return nil
	}
	return &domain.Error{Kind: r.Kind, Detail: r.Detail, Field: r.Field}
}

// marshal is the one JSON encoding used on the bus.
func marshal(v any) ([]byte, error) { return json.Marshal(v) }

type eventMeta = eventstore.Metadata
