package imageserver_test

import (
	"bufio"
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/uivmm/uivmm/app/apptest"
	"github.com/uivmm/uivmm/imageserver"
)

// BenchmarkUpload1GiB measures simplestream.upload through the HTTP API
// (loopback, client and server in this process) with 1 GiB files:
//
//   - refused: 1 GiB of random bytes, streamed into the blob store,
//     hashed, then refused for its content (not an image): the raw
//     ingest path, request to answer;
//   - published: a real, launchable 1 GiB image, lxd.tar.xz plus a
//     squashfs of the busybox tree with 1 GiB of incompressible ballast
//     (mksquashfs without compression, so it is fast to make): ingest,
//     then BuildVersion reads both files again for the fingerprint, then
//     the version is published.
//
// Besides MB/s it reports the peak Go heap in use and the peak resident
// set of the process (client included), sampled every 20 ms during the
// upload, and how much the resident set grew over its level before the
// upload. Run it with
//
//	go test -run '^$' -bench Upload1GiB -benchtime 1x -timeout 20m ./imageserver/
//
// It needs about 3 GiB of free space in the temp directory.
func BenchmarkUpload1GiB(b *testing.B) {
	const size = 1 << 30
	dir := b.TempDir()
	random := filepath.Join(dir, "random.bin")
	if err := writeRandom(random, size); err != nil {
		b.Fatal(err)
	}
	b.Run("refused", func(b *testing.B) {
		s := benchServer(b)
		id := s.addProduct("1.35", "bb")
		b.SetBytes(size)
		measure(b, func(i int) {
			r := s.upload(payload(id, fmt.Sprintf("20260101_%d", i)), filePart(random))
			if r.Status != 400 || r.Detail() != imageserver.DetailUnknownType {
				b.Fatalf("upload = %d %s", r.Status, r.Raw)
			}
		})
	})
	squashfs := filepath.Join(dir, "rootfs.squashfs")
	if err := makeBallastImage(dir, random, squashfs); err != nil {
		b.Fatal(err)
	}
	info, err := os.Stat(squashfs)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("published", func(b *testing.B) {
		s := benchServer(b)
		id := s.addProduct("1.35", "bb")
		b.SetBytes(info.Size())
		measure(b, func(i int) {
			r := s.upload(payload(id, fmt.Sprintf("20260101_%d", i)), filePart(fx.metaXZ), filePart(squashfs))
			if r.Status != 200 || r.Attrs()["published"] != true {
				b.Fatalf("upload = %d %s", r.Status, r.Raw)
			}
		})
	})
}

func benchServer(b *testing.B) *server {
	env := apptest.Start(b)
	_, tok := env.AddUser("admin", 1)
	return &server{Env: env, token: tok}
}

// measure runs upload b.N times while sampling memory, and reports it.
func measure(b *testing.B, upload func(i int)) {
	runtime.GC()
	base := rssKiB("VmRSS")
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) // resets VmHWM (Linux)
	var peakHeap, peakRSS uint64
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			peakHeap = max(peakHeap, ms.HeapInuse)
			peakRSS = max(peakRSS, rssKiB("VmRSS"))
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		upload(i)
	}
	b.StopTimer()
	close(stop)
	<-done
	peakRSS = max(peakRSS, rssKiB("VmHWM"))
	b.ReportMetric(float64(peakHeap)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(peakRSS)/1024, "peak-rss-MiB")
	b.ReportMetric(float64(peakRSS-min(base, peakRSS))/1024, "rss-growth-MiB")
}

// rssKiB reads a field of /proc/self/status in KiB (0 if unavailable).
func rssKiB(field string) uint64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			n, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return n
		}
	}
	return 0
}

// writeRandom writes n incompressible bytes (ChaCha8, fixed seed).
func writeRandom(path string, n int64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	rng := rand.NewChaCha8([32]byte{'u', 'i', 'v', 'm', 'm'})
	buf := make([]byte, 1<<20)
	for written := int64(0); written < n; written += int64(len(buf)) {
		_, _ = rng.Read(buf)
		if _, err := f.Write(buf[:min(int64(len(buf)), n-written)]); err != nil {
			f.Close()
			return err
		}
	}
	return f.Close()
}

// makeBallastImage builds a squashfs of the busybox fixture tree plus the
// ballast file as /var/ballast.bin, uncompressed.
func makeBallastImage(dir, ballast, out string) error {
	tree := filepath.Join(dir, "tree")
	if err := run("cp", "-a", fx.rootfs, tree); err != nil {
		return err
	}
	if err := os.Link(ballast, filepath.Join(tree, "var", "ballast.bin")); err != nil {
		return err
	}
	return run("mksquashfs", tree, out, "-noappend", "-noI", "-noD", "-noF", "-noX", "-all-root", "-quiet", "-no-progress")
}
