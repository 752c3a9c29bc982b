package commands

import (
	"context"
	"strconv"

	"github.com/uivmm/uivmm/domain/product"
)

// ReceiveImageFile records one checked file of a version that is not
// complete yet (part of simplestream.upload). The result's Values describe
// the version's pending files after it: "<kind>_sha256", "<kind>_size"
// and "<kind>_role" for kind metadata and rootfs, and "replaced_sha256",
// the pending file this one replaced (no longer referenced by it).
type ReceiveImageFile struct {
	Envelope
	ProductID string       `json:"product_id"`
	Serial    string       `json:"serial"`
	File      product.File `json:"file"`
}

// CommandName implements Command.
func (ReceiveImageFile) CommandName() string { return "simplestream.receive" }

// NewReceiveImageFileHandler builds the handler.
func NewReceiveImageFileHandler(d Deps) Handler {
	d.mustHave(false)
	return handler(ReceiveImageFile{}.CommandName(), func(ctx context.Context, c *ReceiveImageFile) (Result, error) {
		var pending map[string]product.File
		var replaced string
		_, res, err := d.updateProduct(ctx, c.ProductID, c.Meta(), func(p *product.Product) error {
			if old, ok := p.Pending(c.Serial)[product.KindOf(c.File.Role)]; ok && old.SHA256 != c.File.SHA256 {
				replaced = old.SHA256
			}
			if err := p.Receive(c.Serial, c.File, d.now()); err != nil {
				return err
			}
			pending = p.Pending(c.Serial)
			return nil
		})
		if err != nil {
			return Result{}, err
		}
		if pending == nil { // a repeated request: read the state again
			p := product.New()
			if _, err := d.Repo.Load(ctx, product.Stream(res.ID), p); err != nil {
				return Result{}, err
			}
			pending = p.Pending(c.Serial)
		}
		res.Values = map[string]string{}
		if replaced != "" {
			res.Values["replaced_sha256"] = replaced
		}
		for kind, f := range pending {
			res.Values[kind+"_sha256"] = f.SHA256
			res.Values[kind+"_size"] = strconv.FormatInt(f.Size, 10)
			res.Values[kind+"_role"] = f.Role
		}
		return res, nil
	})
}

// PendingFiles decodes ReceiveImageFile's result values by kind.
func PendingFiles(values map[string]string) map[string]product.File {
	out := map[string]product.File{}
	for _, kind := range []string{product.KindMetadata, product.KindRootfs} {
		sha := values[kind+"_sha256"]
		if sha == "" {
			continue
		}
		size, _ := strconv.ParseInt(values[kind+"_size"], 10, 64)
		out[kind] = product.File{SHA256: sha, Size: size, Role: values[kind+"_role"]}
	}
	return out
}
