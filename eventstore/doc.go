// Package eventstore holds the event store port: the types every adapter
// speaks (EventData, RecordedEvent, Metadata, ExpectedRevision) and the
// Store interface. Adapters live in sub-packages (sqlite, esdb) and all run
// the exported contract suite in storetest.
//
// This package imports only the standard library.
package eventstore
