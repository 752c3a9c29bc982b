package instancetest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	lxdclient "github.com/canonical/lxd/client"
	lxdapi "github.com/canonical/lxd/shared/api"

	"github.com/uivmm/uivmm/readmodels"
)

// benchPrefix names the benchmark's containers; leftovers of a killed
// run are deleted by the next one.
const benchPrefix = "uivmm-bench-"

// benchInstances is how many containers the benchmark makes:
// UIVMM_BENCH_INSTANCES, at least 200 (default 300).
func benchInstances(b *testing.B) int {
	n := 300
	if v := os.Getenv("UIVMM_BENCH_INSTANCES"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			b.Fatalf("UIVMM_BENCH_INSTANCES=%q: %v", v, err)
		}
	}
	return max(n, 200)
}

// parallel runs f(i) for i in [0, n) on 8 workers and returns the errors.
func parallel(n int, f func(i int) error) []error {
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	next := make(chan int)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := f(i); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	return errs
}

// deleteBenchContainers deletes every container named benchPrefix...
func deleteBenchContainers(c lxdclient.InstanceServer) (int, []error) {
	names, err := c.GetInstanceNames(lxdapi.InstanceTypeAny)
	if err != nil {
		return 0, []error{err}
	}
	var mine []string
	for _, n := range names {
		if strings.HasPrefix(n, benchPrefix) {
			mine = append(mine, n)
		}
	}
	return len(mine), parallel(len(mine), func(i int) error {
		removeContainer(c, mine[i])
		if _, _, err := c.GetInstance(mine[i]); err == nil {
			return fmt.Errorf("%s is still there", mine[i])
		}
		return nil
	})
}

func daemonRSS(d daemon) string {
	pid, err := os.ReadFile(filepath.Join(filepath.Dir(d.Dir), "lxd.pid"))
	if err != nil {
		return "?"
	}
	status, err := os.ReadFile("/proc/" + strings.TrimSpace(string(pid)) + "/status")
	if err != nil {
		return "?"
	}
	for _, l := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(l, "VmRSS:") {
			return strings.TrimSpace(strings.TrimPrefix(l, "VmRSS:"))
		}
	}
	return "?"
}

// benchSetup is what BenchmarkInstanceList measures on.
type benchSetup struct {
	h                 *harness
	made, listed      int // containers the benchmark made; instances instance.list shows
	created, ingested time.Duration
	rssBefore         string
}

// setUpBench starts uivmm, deletes a killed run's leftovers, and makes
// the benchmark's containers behind uivmm's back (created, not started);
// it returns once instance.list shows them all. The containers are
// deleted when the benchmark ends, also when it fails.
func setUpBench(b *testing.B) benchSetup {
	h := start(b)
	admin := h.lxd.Admin(b)
	if n, errs := deleteBenchContainers(admin); len(errs) > 0 {
		b.Fatalf("deleting %d leftovers: %v", n, errs)
	}
	b.Cleanup(func() {
		n, errs := deleteBenchContainers(h.lxd.Admin(b))
		b.Logf("cleanup: deleted %d benchmark containers", n)
		if len(errs) > 0 {
			b.Errorf("cleanup: %v", errs)
		}
	})
	s := benchSetup{h: h, made: benchInstances(b), rssBefore: daemonRSS(h.lxd)}
	t0 := time.Now()
	errs := parallel(s.made, func(i int) error {
		op, err := admin.CreateInstance(lxdapi.InstancesPost{Name: fmt.Sprintf("%s%04d", benchPrefix, i),
			Type: lxdapi.InstanceTypeContainer, Source: lxdapi.InstanceSource{Type: "image", Alias: h.lxd.Image}})
		if err == nil {
			err = op.Wait()
		}
		return err
	})
	if len(errs) > 0 {
		b.Fatalf("creating %d containers: %d failed, first: %v", s.made, len(errs), errs[0])
	}
	s.created = time.Since(t0)
	s.listed = waitListed(b, h, s.made)
	s.ingested = time.Since(t0)
	return s
}

// list calls instance.list as the front-end does (asking for gzip) and
// decodes the answer; it returns the answer's size.
func (s benchSetup) list(b *testing.B, body []byte) int {
	req, _ := http.NewRequest(http.MethodPost, s.h.URL+"/api/v1/instance.list", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/vnd.api+json")
	req.Header.Set("Authorization", "Bearer "+s.h.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var doc struct {
		Data []json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil || len(doc.Data) != s.listed {
		b.Fatalf("instance.list: %d items, %v", len(doc.Data), err)
	}
	return len(raw)
}

// BenchmarkInstanceList compares instance.list, answered from the read
// model, with a direct GET /1.0/instances?recursion=1 on the same daemon
// (through uivmm's LXD adapter, over HTTPS with its pinned identity),
// with the same instances: at least 200 real containers, created (not
// started) behind uivmm's back and ingested through LXD's events. Both
// sides include the HTTP round trip and decoding the JSON.
//
// uivmm keeps each server's encoded list until the read model's version
// of it moves; uivmm-uncached moves it before every call (outside the
// timer), so each call reads and encodes the whole list.
func BenchmarkInstanceList(b *testing.B) {
	s := setUpBench(b)
	host, err := s.h.App.LXD.Hosts.Get(context.Background(), s.h.server)
	if err != nil {
		b.Fatal(err)
	}
	body, _ := json.Marshal(s.h.on())
	var uivmm, uncached, direct time.Duration
	size := 0
	b.Run("uivmm", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			size = s.list(b, body)
		}
		uivmm = b.Elapsed() / time.Duration(b.N)
	})
	b.Run("uivmm-uncached", func(b *testing.B) {
		b.ReportAllocs()
		version := uint64(1 << 50)
		for b.Loop() {
			b.StopTimer()
			version++
			bump(b, s.h, version)
			b.StartTimer()
			s.list(b, body)
		}
		uncached = b.Elapsed() / time.Duration(b.N)
	})
	b.Run("lxd", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			list, err := host.Instances(context.Background())
			if err != nil || len(list) < s.made {
				b.Fatalf("GET /1.0/instances?recursion=1: %d instances, %v", len(list), err)
			}
		}
		direct = b.Elapsed() / time.Duration(b.N)
	})
	if uivmm > 0 && uncached > 0 && direct > 0 {
		s.report(uivmm, uncached, direct, size)
	}
}

// report prints the ratio and the memory use.
func (s benchSetup) report(uivmm, uncached, direct time.Duration, size int) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	var rmSize int64
	if fi, err := os.Stat(filepath.Join(s.h.DataDir, "readmodels.db")); err == nil {
		rmSize = fi.Size()
	}
	r := func(d time.Duration) time.Duration { return d.Round(time.Microsecond) }
	fmt.Printf("instance.list with %d instances (%d made by the benchmark): uivmm %v/op (%d-byte answer), "+
		"LXD recursion=1 %v/op; uivmm is %.1fx faster (%.1fx when the list changed before each call: %v/op)\n",
		s.listed, s.made, r(uivmm), size, r(direct), float64(direct)/float64(uivmm), float64(direct)/float64(uncached), r(uncached))
	fmt.Printf("memory: LXD daemon RSS %s before, %s with the containers; uivmm (this process) heap in use %d MiB, "+
		"sys %d MiB; read-model file %d KiB\n", s.rssBefore, daemonRSS(s.h.lxd), ms.HeapInuse>>20, ms.Sys>>20, rmSize>>10)
	fmt.Printf("setup: %d containers created in %v, all listed by uivmm %v after the first create\n",
		s.made, s.created.Round(time.Millisecond), s.ingested.Round(time.Millisecond))
}

// bump moves the read-model version of the harness's server's instance
// list, as any change of one of them does.
func bump(b *testing.B, h *harness, version uint64) {
	tx, err := h.App.RM.W.Begin()
	if err == nil {
		err = readmodels.BumpInstances(context.Background(), readmodels.SQLTx(tx), h.server, version)
	}
	if err == nil {
		err = tx.Commit()
	}
	if err != nil {
		b.Fatal(err)
	}
}

// waitListed waits until instance.list shows the n benchmark containers
// and returns how many instances it lists in all.
func waitListed(b *testing.B, h *harness, n int) int {
	b.Helper()
	deadline := time.Now().Add(5 * time.Minute)
	for {
		list := h.MustOK("instance.list", h.token, h.on()).List()
		mine := 0
		for _, it := range list {
			if a, _ := it["attributes"].(map[string]any); strings.HasPrefix(fmt.Sprint(a["instance_name"]), benchPrefix) {
				mine++
			}
		}
		if mine == n {
			return len(list)
		}
		if time.Now().After(deadline) {
			b.Fatalf("uivmm lists %d of the %d containers after 5 minutes", mine, n)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
