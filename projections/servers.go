package projections

import (
	"context"

	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/domain/server"
	"github.com/uivmm/uivmm/eventstore"
	"github.com/uivmm/uivmm/readmodels"
)

// NewServersProjector keeps readmodels.Servers: a row per live server,
// and a row per request on a server's resources until its outcome (the
// reactor's sweep finds unfinished work there). The resources themselves
// are read from LXD.
func NewServersProjector() Projector {
	appliers := map[string]applier{
		server.TypeAdded: on(func(ctx context.Context, tx readmodels.Tx, rec eventstore.RecordedEvent, e *server.Added) error {
			return readmodels.InsertServer(ctx, tx, readmodels.Server{ID: e.ServerID, UserID: e.UserID, Host: e.Host,
				Port: e.Port, Protocol: e.Protocol, Provider: e.Provider, CertFingerprint: e.CertFingerprint,
				CertPEM: e.CertPEM, ClientFingerprint: e.ClientFingerprint, TrustMethod: e.TrustMethod, AddedAt: e.At})
		}),
		server.TypeRemoved: on(func(ctx context.Context, tx readmodels.Tx, rec eventstore.RecordedEvent, e *server.Removed) error {
			return readmodels.DeleteServer(ctx, tx, e.ServerID)
		}),
	}
	for _, t := range server.RequestTypes() {
		appliers[t] = func(ctx context.Context, tx readmodels.Tx, rec eventstore.RecordedEvent, ev domain.Event) error {
			r, _ := server.RequestOf(ev)
			return readmodels.PutServerRequest(ctx, tx, r.ServerID, r.RequestID, rec.Type)
		}
	}
	for _, t := range server.OutcomeTypes() {
		appliers[t] = func(ctx context.Context, tx readmodels.Tx, rec eventstore.RecordedEvent, ev domain.Event) error {
			o, _ := server.OutcomeOf(ev)
			return readmodels.DeleteServerRequest(ctx, tx, o.ServerID, o.RequestID)
		}
	}
	return &funcProjector{model: readmodels.Servers, appliers: appliers}
}
