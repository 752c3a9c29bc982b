package product_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/domain/product"
)

var now = time.Unix(1_800_000_000, 0)

var (
	spec   = product.Spec{Key: "busybox:1.35:amd64:default", OS: "busybox", Release: "1.35", Arch: "amd64", Variant: "default", Aliases: "bb", ReleaseTitle: "1.35"}
	added  = &product.Added{ProductID: 3, Key: spec.Key, OS: "busybox", Release: "1.35", Arch: "amd64", Variant: "default", Aliases: "bb", ReleaseTitle: "1.35", At: now.Unix()}
	meta   = product.File{SHA256: "aa", Size: 10, Role: product.RoleMetadata}
	meta2  = product.File{SHA256: "ab", Size: 11, Role: product.RoleMetadata}
	rootfs = product.File{SHA256: "bb", Size: 20, Role: product.RoleSquashfs}
)

func published(serial string, at int64) *product.VersionPublished {
	return &product.VersionPublished{ProductID: 3, Serial: serial, VersionID: 1, Metadata: meta, Rootfs: rootfs,
		Fingerprint: "ff", CombinedKeys: []string{"combined_squashfs_sha256"}, PublishedAt: at}
}

func given(events ...domain.Event) *product.Product {
	p := product.New()
	for i, e := range events {
		p.When(e)
		p.Root().Loaded(uint64(i))
	}
	return p
}

func then(t *testing.T, p *product.Product, err error, wantErr *domain.Error, want ...domain.Event) {
	t.Helper()
	if wantErr != nil {
		de, ok := domain.As(err)
		if !ok || de.Kind != wantErr.Kind || de.Detail != wantErr.Detail {
			t.Fatalf("error = %v, want %s %q", err, wantErr.Kind, wantErr.Detail)
		}
		if n := len(p.Root().Changes()); n != 0 {
			t.Fatalf("a refused command recorded %d events", n)
		}
		return
	}
	if err != nil {
		t.Fatalf("unexpected error %v", err)
	}
	if got := p.Root().Changes(); !reflect.DeepEqual(got, want) {
		t.Fatalf("recorded %#v, want %#v", got, want)
	}
}

func TestAdd(t *testing.T) {
	p := given()
	then(t, p, p.Add(3, spec, now), nil, added)
	p = given(added)
	then(t, p, p.Add(4, spec, now), domain.Conflict(product.DetailExists))
}

func TestReceive(t *testing.T) {
	recv := func(f product.File) *product.FileReceived {
		return &product.FileReceived{ProductID: 3, Serial: "20260101", File: f, At: now.Unix()}
	}
	for _, tc := range []struct {
		name    string
		given   []domain.Event
		file    product.File
		wantErr *domain.Error
		want    []domain.Event
	}{
		{"first file", []domain.Event{added}, meta, nil, []domain.Event{recv(meta)}},
		{"same file again records nothing", []domain.Event{added, recv(meta)}, meta, nil, nil},
		{"other metadata replaces", []domain.Event{added, recv(meta)}, meta2, nil, []domain.Event{recv(meta2)}},
		{"no product", nil, meta, domain.NotFound(product.DetailNotFound), nil},
		{"published serial", []domain.Event{added, published("20260101", 1)}, meta, domain.Conflict(product.DetailVersionPublished), nil},
		{"pruned serial stays taken", []domain.Event{added, published("20260101", 1), published("20260102", 2),
			&product.VersionPruned{ProductID: 3, Serial: "20260101"}}, meta, domain.Conflict(product.DetailVersionPublished), nil},
		{"unknown role", []domain.Event{added}, product.File{SHA256: "cc", Size: 1, Role: "iso"}, domain.Invalid("file", product.DetailBadFile), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := given(tc.given...)
			then(t, p, p.Receive("20260101", tc.file, now), tc.wantErr, tc.want...)
		})
	}
}

func TestPublishClearsPending(t *testing.T) {
	p := given(added, &product.FileReceived{ProductID: 3, Serial: "20260101", File: meta})
	ev := *published("20260101", now.Unix())
	ev.ProductID = 0
	then(t, p, p.Publish(ev), nil, published("20260101", now.Unix()))
	if got := p.Pending("20260101"); len(got) != 0 {
		t.Fatalf("pending after publish = %v", got)
	}
	p = given(added, published("20260101", 1))
	then(t, p, p.Publish(*published("20260101", 2)), domain.Conflict(product.DetailVersionPublished))
}

func TestDiscard(t *testing.T) {
	base := []domain.Event{added, &product.FileReceived{ProductID: 3, Serial: "s", File: meta},
		&product.FileReceived{ProductID: 3, Serial: "s", File: rootfs}}
	p := given(base...)
	p.Discard("s", []product.File{rootfs, meta2}, "bad", now)
	then(t, p, nil, nil, &product.VersionDiscarded{ProductID: 3, Serial: "s", Files: []product.File{rootfs}, Reason: "bad", At: now.Unix()})
	if got := p.Pending("s"); !reflect.DeepEqual(got, map[string]product.File{product.KindMetadata: meta}) {
		t.Fatalf("pending = %v", got)
	}
	p = given(base...)
	p.Discard("s", nil, "abandoned", now)
	then(t, p, nil, nil, &product.VersionDiscarded{ProductID: 3, Serial: "s", Files: []product.File{meta, rootfs}, Reason: "abandoned", At: now.Unix()})
	p = given(added)
	p.Discard("s", nil, "nothing", now)
	then(t, p, nil, nil)
}

func TestPruneKeepsNewest(t *testing.T) {
	old, newer := published("20260101", 100), published("20260102", 200)
	pruned := &product.VersionPruned{ProductID: 3, Serial: "20260101", Files: []product.File{meta, rootfs}, Reason: "expired", At: now.Unix()}
	p := given(added, old, newer)
	then(t, p, p.Prune("20260101", "expired", now), nil, pruned)
	p = given(added, old, newer)
	then(t, p, p.Prune("20260102", "expired", now), domain.Conflict(product.DetailKeepNewest))
	p = given(added, old, newer, pruned)
	then(t, p, p.Prune("20260101", "expired", now), nil)
	p = given(added, old, newer, pruned)
	then(t, p, p.Prune("20260102", "expired", now), domain.Conflict(product.DetailKeepNewest))
	p = given(added)
	then(t, p, p.Prune("20260109", "expired", now), domain.NotFound(product.DetailVersionNotFound))
}
