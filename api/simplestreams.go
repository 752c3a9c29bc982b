package api

import (
	"context"

	"github.com/uivmm/uivmm/commands"
	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/imageserver"
	"github.com/uivmm/uivmm/readmodels"
)

// errNoImageServer answers the simplestream methods when
// simplestream.enabled is false.
var errNoImageServer = &domain.Error{Kind: domain.KindUnavailable, Detail: "the simplestreams image server is disabled"}

type simplestreamAddBody struct {
	OS           *string `json:"product_os"`
	Release      *string `json:"product_release"`
	Arch         *string `json:"product_arch"`
	Variant      *string `json:"product_variant"`
	Aliases      *string `json:"product_aliases"`
	ReleaseTitle *string `json:"product_release_title"`
}

// simplestreamAdd declares a product (privileged callers only) and
// answers it as a single simplestream with its product_id.
func (s *Server) simplestreamAdd(ctx context.Context, c *Call) (Document, error) {
	if s.images == nil {
		return Document{}, errNoImageServer
	}
	if !c.Privileged() {
		return Document{}, domain.Forbidden(domain.DetailAccessDenied)
	}
	var b simplestreamAddBody
	if err := c.Decode(&b); err != nil {
		return Document{}, err
	}
	res, err := s.send(ctx, &commands.AddSimplestreamProduct{Envelope: envelope(c, "simplestream.add"),
		OS: deref(b.OS), Release: deref(b.Release), Arch: deref(b.Arch), Variant: deref(b.Variant),
		Aliases: deref(b.Aliases), ReleaseTitle: deref(b.ReleaseTitle)})
	if err != nil {
		return Document{}, err
	}
	p, err := s.rm.SSProductByKey(ctx, res.Values["product_id"])
	if err != nil {
		return Document{}, err
	}
	if p == nil { // the read model lags: answer what the command knows
		return One("simplestream", res.ID, map[string]any{"product_id": res.Values["product_id"]}), nil
	}
	return One("simplestream", p.ID, productAttrs(*p, nil)), nil
}

func productAttrs(p readmodels.SSProduct, serials []string) map[string]any {
	attrs := map[string]any{
		"product_id": p.ProductID, "product_os": p.OS, "product_release": p.Release, "product_arch": p.Arch,
		"product_variant": p.Variant, "product_aliases": p.Aliases, "product_release_title": p.ReleaseTitle,
		"product_time_add": p.AddedAt,
	}
	if serials != nil {
		attrs["product_versions"] = serials
	}
	return attrs
}

// simplestreamImages lists the files of every published version, one
// simplestream resource each.
func (s *Server) simplestreamImages(ctx context.Context, c *Call) (Document, error) {
	if s.images == nil {
		return Document{}, errNoImageServer
	}
	files, err := s.images.Files(ctx)
	if err != nil {
		return Document{}, err
	}
	items := make([]Resource, len(files))
	for i, f := range files {
		items[i] = Resource{Type: "simplestream", ID: f.ID, Attributes: imageFileAttrs(f)}
	}
	return Many(items), nil
}

func imageFileAttrs(f imageserver.ImageFile) map[string]any {
	return map[string]any{"product_id": f.ProductID, "product_version_serial": f.Serial, "ftype": f.Ftype,
		"path": f.Path, "size": f.Size, "sha256": f.SHA256}
}
