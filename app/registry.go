package app

import (
	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/domain/token"
	"github.com/uivmm/uivmm/domain/unique"
	"github.com/uivmm/uivmm/domain/user"
)

// Registry returns the registry of every event type uivmm writes.
func Registry() *domain.Registry {
	r := domain.NewRegistry()
	for _, register := range []func(*domain.Registry){
		unique.Register, user.Register, token.Register,
	} {
		register(r)
	}
	return r
}
