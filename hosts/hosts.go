package hosts

import (
	"context"
	"fmt"
	"sync"

	"github.com/uivmm/uivmm/lxd"
)

// Target is where a managed server lives and the certificate pinned when
// it was added.
type Target struct {
	Host    string
	Port    int
	CertPEM string
}

// Lookup finds a managed server's target by its numeric id.
type Lookup func(ctx context.Context, serverID int64) (Target, error)

// Registry caches connections. Safe for concurrent use.
type Registry struct {
	id     *lxd.Identity
	lookup Lookup
	opts   []lxd.Option
	mu     sync.Mutex
	conns  map[int64]*entry
}

type entry struct {
	target Target
	srv    *lxd.Server
}

// New returns a registry. It panics on nil dependencies.
func New(id *lxd.Identity, lookup Lookup, opts ...lxd.Option) *Registry {
	if id == nil || lookup == nil {
		panic("hosts: New needs an identity and a lookup")
	}
	return &Registry{id: id, lookup: lookup, opts: opts, conns: map[int64]*entry{}}
}

// Identity returns uivmm's client identity.
func (r *Registry) Identity() *lxd.Identity { return r.id }

// Get returns the connection to serverID, connecting when needed. A
// changed target (host, port or pinned certificate) reconnects.
func (r *Registry) Get(ctx context.Context, serverID int64) (lxd.Host, error) {
	t, err := r.lookup(ctx, serverID)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	e, ok := r.conns[serverID]
	r.mu.Unlock()
	if ok && e.target == t {
		return e.srv, nil
	}
	srv, err := lxd.Connect(ctx, t.Host, t.Port, t.CertPEM, r.id, r.opts...)
	if err != nil {
		return nil, fmt.Errorf("connecting to server %d: %w", serverID, err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if old, ok := r.conns[serverID]; ok && old.target == t {
		srv.Close()
		return old.srv, nil
	} else if ok {
		old.srv.Close()
	}
	r.conns[serverID] = &entry{target: t, srv: srv}
	return srv, nil
}

// Forget drops and closes serverID's connection.
func (r *Registry) Forget(serverID int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if e, ok := r.conns[serverID]; ok {
		e.srv.Close()
		delete(r.conns, serverID)
	}
}

// Close closes every connection.
func (r *Registry) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for id, e := range r.conns {
		e.srv.Close()
		delete(r.conns, id)
	}
	return nil
}
