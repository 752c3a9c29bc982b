// Package esdb holds the EventStoreDB adapter of the event store port:
// Store implements eventstore.Store on top of the official gRPC client
// (github.com/EventStore/EventStore-Client-Go/v4), plus the pure helpers
// that translate between the port's vocabulary and the client's (global
// positions, expected revisions, metadata, errors, event filters).
//
// Mapping, in short:
//   - a global position is the event's commit position in $all (equal to
//     its prepare position for gRPC appends); positions above
//     eventstore.MaxPosition are refused with an error;
//   - events whose type starts with "$" (EventStoreDB's own) are invisible
//     to ReadAll, Head and Subscribe, and Append refuses such types and
//     "$" streams;
//   - RecordedEvent.Time is the server's creation time of the event; the
//     client's clock at Append is kept in the metadata as appended_at and
//     is used only when the server sends no time;
//   - the caller's event IDs become the EventStoreDB event IDs, and a small
//     ID index kept in claim streams ("uivmm-event-id-<id>", hidden from
//     ReadAll, Head and Subscribe) makes an ID unique across the whole
//     log, which EventStoreDB alone does not (see claims.go).
//
// This package imports the standard library, the eventstore port, the
// EventStoreDB client and github.com/google/uuid. It must not import any
// other uivmm package (domain, commands, projections, api, other adapters).
package esdb
