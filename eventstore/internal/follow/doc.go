// Package follow holds the catch-up-then-live loop (Follow) that event store
// adapters without a native subscription use to implement
// eventstore.Store.Subscribe, and Signal, the broadcast that wakes it when
// new events may have been committed.
//
// It imports only the standard library and the eventstore port; it must not
// import any adapter.
package follow
