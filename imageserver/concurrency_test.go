package imageserver_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/uivmm/uivmm/app/apptest"
	"github.com/uivmm/uivmm/domain/product"
)

// TestSplitUploadsRacing sends the metadata and the rootfs of each version
// in two concurrent uploads: whichever records its file second completes
// the version, so every version is published exactly once.
func TestSplitUploadsRacing(t *testing.T) {
	s := start(t)
	id := s.addProduct("1.35", "bb")
	const versions = 4
	for i := range versions {
		serial := fmt.Sprintf("2026010%d", i+1)
		var wg sync.WaitGroup
		published := make([]bool, 2)
		for j, f := range []string{fx.metaXZ, fx.squashfs} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := s.Do(uploadRequest(t, s.URL, s.token, payload(id, serial), filePart(f)))
				if r.Status != 200 {
					t.Errorf("upload %s of %s = %d %s", f, serial, r.Status, r.Raw)
				}
				published[j] = r.Attrs()["published"] == true
			}()
		}
		wg.Wait()
		if published[0] == published[1] {
			t.Fatalf("version %s: published by %v, want exactly one of the two uploads", serial, published)
		}
	}
	if n := s.count(product.TypeVersionPublished); n != versions {
		t.Fatalf("%d versions published, want %d", n, versions)
	}
	if n := len(s.blobs()); n != 2 {
		t.Fatalf("files %v, want the two shared blobs", s.blobs())
	}
}

// TestPublishedFilesSurviveARestart restarts uivmm on the same data
// directory: images.json and the files are served as before.
func TestPublishedFilesSurviveARestart(t *testing.T) {
	s := start(t)
	id := s.addProduct("1.35", "bb")
	if r := s.upload(payload(id, serial), filePart(fx.metaXZ), filePart(fx.squashfs)); r.Attrs()["published"] != true {
		t.Fatalf("upload = %d %s", r.Status, r.Raw)
	}
	_, before := s.get(http.MethodGet, "streams/v1/images.json")
	cfg := s.Config
	s.Stop()
	again := &server{Env: apptest.StartWith(t, cfg), token: s.token}
	_, after := again.get(http.MethodGet, "streams/v1/images.json")
	if string(after) != string(before) {
		t.Fatalf("images.json changed over a restart:\n%s\n%s", before, after)
	}
	files := again.MustOK("simplestream.images", "", nil).List()
	for _, f := range files {
		path := f["attributes"].(map[string]any)["path"].(string)
		if resp, _ := again.get(http.MethodGet, path); resp.StatusCode != 200 {
			t.Fatalf("GET %s after a restart: %d", path, resp.StatusCode)
		}
	}
	if len(files) != 2 || len(again.blobs()) != 2 {
		t.Fatalf("files %v, blobs %v after a restart", files, again.blobs())
	}
}
