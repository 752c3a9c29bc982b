package product

import (
	"fmt"
	"sort"
	"time"

	"github.com/uivmm/uivmm/domain"
)

// Details of the errors this aggregate returns.
const (
	DetailNotFound         = "simplestream product not found"
	DetailExists           = "simplestream product already exists"
	DetailVersionPublished = "simplestream version already published"
	DetailVersionNotFound  = "simplestream version not found"
	DetailKeepNewest       = "the newest version of a product is never pruned"
	DetailBadFile          = "unknown image file role"
)

// Claim namespaces (package unique): the product id, and each alias.
const (
	ClaimNamespace = "product"
	AliasNamespace = "alias"
)

// File roles; the values equal package simplestreams' Role strings.
const (
	RoleMetadata  = "metadata"
	RoleSquashfs  = "squashfs"
	RoleRootTarXZ = "root.tar.xz"
	RoleDiskKVM   = "disk-kvm.img"
)

// Kinds of file in a version: one of each makes it complete.
const (
	KindMetadata = "metadata"
	KindRootfs   = "rootfs"
)

// KindOf returns the kind of a file role, or "" for an unknown role.
func KindOf(role string) string {
	switch role {
	case RoleMetadata:
		return KindMetadata
	case RoleSquashfs, RoleRootTarXZ, RoleDiskKVM:
		return KindRootfs
	}
	return ""
}

// Stream returns the event stream name of product id.
func Stream(id int64) string { return fmt.Sprintf("product-%d", id) }

// AliasDetail is the 409 detail of an alias another product holds.
func AliasDetail(alias string) string {
	return fmt.Sprintf("simplestream alias %q is already used by another product", alias)
}

// Spec is a validated product, as the command layer hands it over.
type Spec struct {
	Key          string // "os:release:arch:variant"
	OS           string
	Release      string
	Arch         string
	Variant      string
	Aliases      string
	ReleaseTitle string
}

// Version is a published version as the aggregate knows it.
type Version struct {
	Serial      string
	Metadata    File
	Rootfs      File
	PublishedAt int64
	Pruned      bool
}

// Product is the aggregate. Its fields change only in When.
type Product struct {
	root     domain.Root
	id       int64
	spec     Spec
	versions map[string]*Version
	pending  map[string]map[string]File // serial -> kind -> file
}

// New returns an empty product, to be loaded from its stream or added.
func New() *Product {
	return &Product{versions: map[string]*Version{}, pending: map[string]map[string]File{}}
}

// Root implements domain.Aggregate.
func (p *Product) Root() *domain.Root { return &p.root }

// ID returns the product's numeric id (0 before Added).
func (p *Product) ID() int64 { return p.id }

// Spec returns the product's names.
func (p *Product) Spec() Spec { return p.spec }

// Pending returns the pending files of serial by kind (a copy).
func (p *Product) Pending(serial string) map[string]File {
	out := map[string]File{}
	for k, f := range p.pending[serial] {
		out[k] = f
	}
	return out
}

// Version returns the published (possibly pruned) version serial.
func (p *Product) Version(serial string) (Version, bool) {
	v, ok := p.versions[serial]
	if !ok {
		return Version{}, false
	}
	return *v, true
}

// When applies one event. It is the only place that changes fields.
func (p *Product) When(e domain.Event) {
	switch ev := e.(type) {
	case *Added:
		p.id = ev.ProductID
		p.spec = Spec{Key: ev.Key, OS: ev.OS, Release: ev.Release, Arch: ev.Arch, Variant: ev.Variant,
			Aliases: ev.Aliases, ReleaseTitle: ev.ReleaseTitle}
	case *FileReceived:
		if p.pending[ev.Serial] == nil {
			p.pending[ev.Serial] = map[string]File{}
		}
		p.pending[ev.Serial][KindOf(ev.File.Role)] = ev.File
	case *VersionPublished:
		p.versions[ev.Serial] = &Version{Serial: ev.Serial, Metadata: ev.Metadata, Rootfs: ev.Rootfs, PublishedAt: ev.PublishedAt}
		delete(p.pending, ev.Serial)
	case *VersionDiscarded:
		for _, f := range ev.Files {
			if k := KindOf(f.Role); p.pending[ev.Serial][k].SHA256 == f.SHA256 {
				delete(p.pending[ev.Serial], k)
			}
		}
		if len(p.pending[ev.Serial]) == 0 {
			delete(p.pending, ev.Serial)
		}
	case *VersionPruned:
		if v, ok := p.versions[ev.Serial]; ok {
			v.Pruned = true
		}
	}
}

// Add records a new product id with spec; the command layer has checked
// the names and claimed the key and aliases.
func (p *Product) Add(id int64, spec Spec, now time.Time) error {
	if p.id != 0 {
		return domain.Conflict(DetailExists)
	}
	if id <= 0 || spec.Key == "" {
		return fmt.Errorf("adding product: id %d or key %q is invalid", id, spec.Key)
	}
	domain.Record(p, &Added{ProductID: id, Key: spec.Key, OS: spec.OS, Release: spec.Release, Arch: spec.Arch,
		Variant: spec.Variant, Aliases: spec.Aliases, ReleaseTitle: spec.ReleaseTitle, At: now.Unix()})
	return nil
}

// checkUnpublished refuses a missing product and a serial that was ever
// published (pruned ones included: LXD may still cache the old content).
func (p *Product) checkUnpublished(serial string) error {
	if p.id == 0 {
		return domain.NotFound(DetailNotFound)
	}
	if _, done := p.versions[serial]; done {
		return domain.Conflict(DetailVersionPublished)
	}
	return nil
}

// Receive records one checked file of serial as pending. The same file
// again records nothing; another file of the same kind replaces it.
func (p *Product) Receive(serial string, f File, now time.Time) error {
	if err := p.checkUnpublished(serial); err != nil {
		return err
	}
	kind := KindOf(f.Role)
	if kind == "" || f.SHA256 == "" || f.Size <= 0 {
		return domain.Invalid("file", DetailBadFile)
	}
	if p.pending[serial][kind] == f {
		return nil
	}
	domain.Record(p, &FileReceived{ProductID: p.id, Serial: serial, File: f, At: now.Unix()})
	return nil
}

// Publish records version serial, checked whole by the command layer.
func (p *Product) Publish(ev VersionPublished) error {
	if err := p.checkUnpublished(ev.Serial); err != nil {
		return err
	}
	if KindOf(ev.Metadata.Role) != KindMetadata || KindOf(ev.Rootfs.Role) != KindRootfs ||
		ev.VersionID <= 0 || ev.Fingerprint == "" {
		return fmt.Errorf("publishing %s %s: incomplete version", p.spec.Key, ev.Serial)
	}
	ev.ProductID = p.id
	domain.Record(p, &ev)
	return nil
}

// Discard drops the given pending files of serial (all of them when files
// is nil). Files no longer pending are left out; nothing left, nothing
// recorded.
func (p *Product) Discard(serial string, files []File, reason string, now time.Time) {
	pend := p.pending[serial]
	var drop []File
	for _, kind := range []string{KindMetadata, KindRootfs} {
		f, ok := pend[kind]
		if !ok {
			continue
		}
		if files == nil || containsFile(files, f) {
			drop = append(drop, f)
		}
	}
	if len(drop) > 0 {
		domain.Record(p, &VersionDiscarded{ProductID: p.id, Serial: serial, Files: drop, Reason: reason, At: now.Unix()})
	}
}

func containsFile(files []File, f File) bool {
	for _, g := range files {
		if g.SHA256 == f.SHA256 && KindOf(g.Role) == KindOf(f.Role) {
			return true
		}
	}
	return false
}

// Prune removes published version serial. Pruning it again records
// nothing; the newest live version (latest PublishedAt, ties broken by the
// greater serial) is never pruned.
func (p *Product) Prune(serial, reason string, now time.Time) error {
	if p.id == 0 {
		return domain.NotFound(DetailNotFound)
	}
	v, ok := p.versions[serial]
	if !ok {
		return domain.NotFound(DetailVersionNotFound)
	}
	if v.Pruned {
		return nil
	}
	if p.newest() == serial {
		return domain.Conflict(DetailKeepNewest)
	}
	domain.Record(p, &VersionPruned{ProductID: p.id, Serial: serial, Files: []File{v.Metadata, v.Rootfs},
		Reason: reason, At: now.Unix()})
	return nil
}

// newest returns the serial of the newest live version, or "".
func (p *Product) newest() string {
	var live []*Version
	for _, v := range p.versions {
		if !v.Pruned {
			live = append(live, v)
		}
	}
	if len(live) == 0 {
		return ""
	}
	sort.Slice(live, func(i, j int) bool {
		if live[i].PublishedAt != live[j].PublishedAt {
			return live[i].PublishedAt > live[j].PublishedAt
		}
		return live[i].Serial > live[j].Serial
	})
	return live[0].Serial
}
