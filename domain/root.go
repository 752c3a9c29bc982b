package domain

// Aggregate is what the command layer needs from every aggregate: its Root,
// and When, which applies one event. When alone changes state; behaviour
// methods validate, then Record events (which calls When).
type Aggregate interface {
	Root() *Root
	When(e Event)
}

// Root is embedded by value in every aggregate. It tracks the revision the
// aggregate was loaded at and the events recorded since. It is not safe for
// concurrent use; an aggregate lives inside one command handler call.
type Root struct {
	revision uint64
	exists   bool
	changes  []Event
}

// Loaded notes that the stored event with revision rev has been applied.
func (r *Root) Loaded(rev uint64) {
	r.revision = rev
	r.exists = true
}

// Revision returns the revision of the last stored event and whether the
// aggregate has a stream at all. The command layer appends with this as the
// expected revision.
func (r *Root) Revision() (rev uint64, exists bool) { return r.revision, r.exists }

// Changes returns the events recorded since loading, in order.
func (r *Root) Changes() []Event { return r.changes }

// Record applies e to a (through a.When) and keeps it as a change to append.
func Record(a Aggregate, e Event) {
	a.When(e)
	root := a.Root()
	root.changes = append(root.changes, e)
}
