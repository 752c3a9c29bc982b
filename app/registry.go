package app

import (
	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/domain/credential"
	"github.com/uivmm/uivmm/domain/instance"
	"github.com/uivmm/uivmm/domain/lease"
	"github.com/uivmm/uivmm/domain/product"
	"github.com/uivmm/uivmm/domain/server"
	"github.com/uivmm/uivmm/domain/sshkey"
	"github.com/uivmm/uivmm/domain/token"
	"github.com/uivmm/uivmm/domain/unique"
	"github.com/uivmm/uivmm/domain/user"
)

// Registry returns the registry of every event type uivmm writes.
func Registry() *domain.Registry {
	r := domain.NewRegistry()
	for _, register := range []func(*domain.Registry){
		unique.Register, user.Register, token.Register, sshkey.Register, credential.Register,
		server.Register, product.Register, instance.Register, lease.Register,
	} {
		register(r)
	}
	return r
}
