package main

import (
	"context"
	"errors"

	"github.com/google/uuid"

	"github.com/uivmm/uivmm/eventstore"
)

func newID() string { return uuid.NewString() }

// logLookup answers no lookups: CLI commands that use it (user add) rely
// on claims in the log for uniqueness, never on read models.
type logLookup struct{ store eventstore.Store }

var errNoLookup = errors.New("lookups are not available to this command")

func (l *logLookup) UserIDByLogin(context.Context, string) (int64, error) { return 0, errNoLookup }
func (l *logLookup) UserIDByCode(context.Context, string, string) (int64, error) {
	return 0, errNoLookup
}
func (l *logLookup) TokenIDByHash(context.Context, string) (int64, error) { return 0, errNoLookup }
