package commands

import (
	"context"

	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/domain/product"
	"github.com/uivmm/uivmm/domain/unique"
)

// productByKey finds the numeric id of product id key through its claim
// (strongly consistent, unlike a read model).
func (d *Deps) productByKey(ctx context.Context, key string) (int64, error) {
	c := unique.NewClaim(key)
	if _, err := d.Repo.Load(ctx, unique.ClaimStream(product.ClaimNamespace, key), c); err != nil {
		return 0, err
	}
	if c.Owner() == 0 {
		return 0, domain.NotFound(product.DetailNotFound)
	}
	return c.Owner(), nil
}

// updateProduct runs decide on product key's aggregate. Claim keys are
// compared case-insensitively, product ids are not: a product whose id
// differs in case is "not found".
func (d *Deps) updateProduct(ctx context.Context, key string, meta eventMeta,
	decide func(p *product.Product) error) (int64, Result, error) {
	id, err := d.productByKey(ctx, key)
	if err != nil {
		return 0, Result{}, err
	}
	ar, err := d.Repo.Update(ctx, product.Stream(id), meta,
		func() domain.Aggregate { return product.New() },
		func(a domain.Aggregate) error {
			p := a.(*product.Product)
			if p.ID() == 0 || p.Spec().Key != key {
				return domain.NotFound(product.DetailNotFound)
			}
			return decide(p)
		})
	return id, Result{Position: ar.Position, ID: id}, err
}
