package imageserver_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	lxdss "github.com/canonical/lxd/shared/simplestreams"

	"github.com/uivmm/uivmm/domain/product"
)

func (s *server) housekeep(at time.Time) {
	s.T.Helper()
	if err := s.App.Images.HousekeepAt(context.Background(), at); err != nil {
		s.T.Fatalf("housekeeping: %v", err)
	}
}

func (s *server) serials(id string) []string {
	s.T.Helper()
	_, body := s.get(http.MethodGet, "streams/v1/images.json")
	var doc lxdss.Products
	if err := json.Unmarshal(body, &doc); err != nil {
		s.T.Fatal(err)
	}
	var out []string
	for serial := range doc.Products[id].Versions {
		out = append(out, serial)
	}
	slices.Sort(out)
	return out
}

func (s *server) count(eventType string) int {
	n := 0
	for _, e := range s.Events() {
		if e.Type == eventType {
			n++
		}
	}
	return n
}

func TestPruneKeepsTheNewestAndRemovesFiles(t *testing.T) {
	s := start(t)
	id := s.addProduct("1.35", "bb")
	metaA, err := makeMetadata(t.TempDir(), "x86_64", "version a")
	if err != nil {
		t.Fatal(err)
	}
	metaB, err := makeMetadata(t.TempDir(), "x86_64", "version b")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []struct{ serial, meta, rootfs string }{
		{"20260101", metaA, fx.squashfs}, {"20260102", metaB, fx.rootTarGZ},
	} {
		if r := s.upload(payload(id, v.serial), filePart(v.meta), filePart(v.rootfs)); r.Attrs()["published"] != true {
			t.Fatalf("upload %s = %d %s", v.serial, r.Status, r.Raw)
		}
	}
	now := time.Now()
	s.housekeep(now) // nothing is due yet
	if got := s.serials(id); !slices.Equal(got, []string{"20260101", "20260102"}) || s.count(product.TypeVersionPruned) != 0 {
		t.Fatalf("serials %v after an early round", got)
	}
	later := now.Add(8 * 24 * time.Hour) // images_lifetime is 7 days
	var wg sync.WaitGroup
	for range 2 { // two rounds at once (as two processes would) record one pruning
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = s.App.Images.HousekeepAt(context.Background(), later)
		}()
	}
	wg.Wait()
	s.housekeep(later.Add(30 * 24 * time.Hour)) // the newest is never pruned
	if got := s.serials(id); !slices.Equal(got, []string{"20260102"}) {
		t.Fatalf("serials %v, want the newest only", got)
	}
	if n := s.count(product.TypeVersionPruned); n != 1 {
		t.Fatalf("%d pruned events, want 1", n)
	}
	files := s.blobs()
	want := []string{"blobs/sha256/" + sha(t, metaB), "blobs/sha256/" + sha(t, fx.rootTarGZ)}
	slices.Sort(want)
	if !slices.Equal(files, want) {
		t.Fatalf("files %v, want only the newest version's %v", files, want)
	}
	if r := s.upload(payload(id, "20260101"), filePart(metaA), filePart(fx.squashfs)); r.Status != 409 {
		t.Fatalf("a pruned serial was accepted again: %d %s", r.Status, r.Raw)
	}
}

func TestAbandonedPendingFilesAreDropped(t *testing.T) {
	s := start(t)
	id := s.addProduct("1.35", "bb")
	if r := s.upload(payload(id, serial), filePart(fx.metaXZ)); r.Attrs()["published"] != false {
		t.Fatalf("upload = %d %s", r.Status, r.Raw)
	}
	s.housekeep(time.Now().Add(time.Hour))
	if n := len(s.blobs()); n != 1 {
		t.Fatalf("a young pending file was dropped: %v", s.blobs())
	}
	s.housekeep(time.Now().Add(25 * time.Hour))
	if n := s.count(product.TypeVersionDiscarded); n != 1 || len(s.blobs()) != 0 {
		t.Fatalf("%d discarded events, files %v; want 1 and none", n, s.blobs())
	}
	// The serial was never published: it may still be completed from scratch.
	if r := s.upload(payload(id, serial), filePart(fx.metaXZ), filePart(fx.squashfs)); r.Attrs()["published"] != true {
		t.Fatalf("upload after the drop = %d %s", r.Status, r.Raw)
	}
}

func TestCrashLeftoversAreCollected(t *testing.T) {
	s := start(t)
	dir := filepath.Join(s.DataDir, "simplestreams")
	old := time.Now().Add(-2 * time.Hour)
	for _, name := range []string{"blobs/sha256/" + strings.Repeat("a", 64), "tmp/upload-123"} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("left by a crash"), 0o640); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
	}
	young := filepath.Join(dir, "blobs/sha256/"+strings.Repeat("b", 64))
	if err := os.WriteFile(young, []byte("an upload in flight elsewhere"), 0o640); err != nil {
		t.Fatal(err)
	}
	s.housekeep(time.Now())
	if got := s.blobs(); !slices.Equal(got, []string{"blobs/sha256/" + strings.Repeat("b", 64)}) {
		t.Fatalf("files %v, want only the young one (grace period)", got)
	}
}

func TestInterruptedUploadLeavesNothing(t *testing.T) {
	s := start(t)
	id := s.addProduct("1.35", "bb")
	pr, pw := io.Pipe()
	req := uploadRequest(t, s.URL, s.token) // for its headers
	boundary := strings.TrimPrefix(req.Header.Get("Content-Type"), "multipart/form-data; boundary=")
	req, _ = http.NewRequest(http.MethodPost, s.URL+"/api/v1/simplestream.upload", pr)
	req.Header.Set("Content-Type", "multipart/form-data; boundary="+boundary)
	req.Header.Set("Authorization", "Bearer "+s.token)
	go func() {
		data, _ := os.ReadFile(fx.squashfs)
		head := "--" + boundary + "\r\nContent-Disposition: form-data; name=\"payload\"\r\n\r\n" +
			`{"product_id":"` + id + `","product_version_serial":"` + serial + `"}` + "\r\n--" + boundary +
			"\r\nContent-Disposition: form-data; name=\"file\"; filename=\"rootfs.squashfs\"\r\n\r\n"
		_, _ = io.WriteString(pw, head)
		_, _ = pw.Write(data[:len(data)/2])
		time.Sleep(200 * time.Millisecond) // the server is now ingesting
		pw.CloseWithError(io.ErrClosedPipe)
	}()
	if resp, err := s.Server.Client().Do(req); err == nil {
		resp.Body.Close()
	}
	deadline := time.Now().Add(10 * time.Second) // until the handler has returned (access log)
	for !strings.Contains(s.Logs.String(), "path=/api/v1/simplestream.upload") && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if files, ev := s.blobs(), s.eventsOf(); len(files) != 0 || len(ev) != 0 {
		t.Fatalf("an interrupted upload left %v and recorded %v", files, ev)
	}
	if !strings.Contains(s.Logs.String(), "receiving upload") {
		t.Fatalf("the server did not see the upload break off:\n%s", s.Logs.String())
	}
}
