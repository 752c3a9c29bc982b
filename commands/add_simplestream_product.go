package commands

import (
	"context"
	"errors"
	"strings"

	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/domain/product"
	"github.com/uivmm/uivmm/simplestreams"
)

// AddSimplestreamProduct declares a product of the built-in simplestreams
// server (simplestream.add). The names are checked with package
// simplestreams, so nothing LXD would silently drop is accepted; the
// product id ("os:release:arch:variant") and every alias are claimed, so
// each is unique across products.
type AddSimplestreamProduct struct {
	Envelope
	OS           string `json:"os"`
	Release      string `json:"release"`
	Arch         string `json:"arch"`
	Variant      string `json:"variant"`
	Aliases      string `json:"aliases"`
	ReleaseTitle string `json:"release_title"`
}

// CommandName implements Command.
func (AddSimplestreamProduct) CommandName() string { return "simplestream.add" }

// NewAddSimplestreamProductHandler builds the handler. The result's ID is
// the product's numeric id, Values["product_id"] its product id.
func NewAddSimplestreamProductHandler(d Deps) Handler {
	d.mustHave(false)
	return handler(AddSimplestreamProduct{}.CommandName(), func(ctx context.Context, c *AddSimplestreamProduct) (Result, error) {
		spec, err := ValidateSimplestreamProduct(simplestreams.Product{OS: c.OS, Release: c.Release, Arch: c.Arch,
			Variant: c.Variant, Aliases: c.Aliases, ReleaseTitle: c.ReleaseTitle})
		if err != nil {
			return Result{}, err
		}
		meta := c.Meta()
		id, err := d.Repo.NextID(ctx, "product", meta)
		if err != nil {
			return Result{}, err
		}
		release, err := d.claimProduct(ctx, id, spec, meta)
		if err != nil {
			return Result{}, err
		}
		ar, err := d.Repo.Update(ctx, product.Stream(id), meta,
			func() domain.Aggregate { return product.New() },
			func(a domain.Aggregate) error { return a.(*product.Product).Add(id, spec, d.now()) })
		if err != nil {
			return Result{}, errors.Join(err, release())
		}
		return Result{Position: ar.Position, ID: id, Values: map[string]string{"product_id": spec.Key}}, nil
	})
}

// claimProduct claims the product id and each alias for product id. On a
// conflict it frees what it took and returns the 409; otherwise it returns
// a function that frees them all (for a later failure).
func (d *Deps) claimProduct(ctx context.Context, id int64, spec product.Spec, meta eventMeta) (func() error, error) {
	type claim struct{ ns, key string }
	var taken []claim
	release := func() error {
		var errs []error
		for _, cl := range taken {
			errs = append(errs, d.Repo.Release(context.WithoutCancel(ctx), cl.ns, cl.key, id, meta))
		}
		return errors.Join(errs...)
	}
	want := []claim{{product.ClaimNamespace, spec.Key}}
	for _, a := range simplestreams.SplitAliases(spec.Aliases) {
		want = append(want, claim{product.AliasNamespace, a})
	}
	for _, cl := range want {
		detail := product.DetailExists
		if cl.ns == product.AliasNamespace {
			detail = product.AliasDetail(cl.key)
		}
		if err := d.Repo.Claim(ctx, cl.ns, cl.key, id, detail, meta); err != nil {
			return nil, errors.Join(err, release())
		}
		taken = append(taken, cl)
	}
	return release, nil
}

// ValidateSimplestreamProduct checks a product as simplestream.add
// receives it and returns its canonical spec (arch normalised, default
// variant and title filled in). Every failure is a 400 naming the field.
func ValidateSimplestreamProduct(p simplestreams.Product) (product.Spec, error) {
	for _, f := range []struct{ field, value string }{
		{"product_os", p.OS}, {"product_release", p.Release}, {"product_arch", p.Arch},
	} {
		if strings.TrimSpace(f.value) == "" {
			return product.Spec{}, domain.Invalid(f.field, domain.DetailFieldRequired)
		}
	}
	canon, err := simplestreams.ValidateProduct(p)
	switch {
	case err == nil:
	case errors.Is(err, simplestreams.ErrBadArch):
		return product.Spec{}, &domain.Error{Kind: domain.KindInvalid, Field: "product_arch", Err: err,
			Detail: "product_arch must be an architecture LXD knows: " + strings.Join(simplestreams.Architectures(), ", ")}
	case errors.Is(err, simplestreams.ErrBadAlias):
		return product.Spec{}, &domain.Error{Kind: domain.KindInvalid, Field: "product_aliases", Err: err,
			Detail: "product_aliases must be distinct comma-separated names of letters, digits and ._/+- without spaces"}
	default:
		field := badProductField(p)
		detail := field + " may hold only letters, digits and ._+- (1 to 64 characters)"
		if field == "product_release_title" {
			detail = "product_release_title must be at most 128 characters without control characters"
		}
		return product.Spec{}, &domain.Error{Kind: domain.KindInvalid, Field: field, Detail: detail, Err: err}
	}
	return product.Spec{Key: simplestreams.ProductID(canon), OS: canon.OS, Release: canon.Release, Arch: canon.Arch,
		Variant: canon.Variant, Aliases: canon.Aliases, ReleaseTitle: canon.ReleaseTitle}, nil
}

// badProductField names the first field ValidateProduct refuses on its
// own, by checking each against otherwise valid values.
func badProductField(p simplestreams.Product) string {
	good := simplestreams.Product{OS: "os", Release: "release", Arch: "amd64"}
	for _, f := range []struct {
		field string
		set   func(*simplestreams.Product)
	}{
		{"product_os", func(q *simplestreams.Product) { q.OS = p.OS }},
		{"product_release", func(q *simplestreams.Product) { q.Release = p.Release }},
		{"product_variant", func(q *simplestreams.Product) { q.Variant = p.Variant }},
		{"product_release_title", func(q *simplestreams.Product) { q.ReleaseTitle = p.ReleaseTitle }},
	} {
		q := good
		f.set(&q)
		if _, err := simplestreams.ValidateProduct(q); err != nil {
			return f.field
		}
	}
	return "product_os"
}
