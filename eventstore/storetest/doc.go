// Package storetest holds the contract suite of the eventstore port. Every
// adapter runs it from its own tests:
//
//	func TestContract(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) eventstore.Store { return openTemp(t) })
//	}
//
// The suite only writes streams whose names are unique to one run and only
// asserts on the events it wrote, so it can run against a shared server that
// already holds (or concurrently receives) other events.
//
// It imports the standard library, the eventstore port and
// github.com/google/uuid; it must not import any adapter.
package storetest
