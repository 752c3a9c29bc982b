package stream_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/uivmm/uivmm/app/apptest"
	"github.com/uivmm/uivmm/eventstore"
)

// The fan-out benchmark: N subscribers (half SSE, half WebSocket) bound as
// a privileged user, on loopback, while events are appended at a fixed
// rate. The server (the real app) runs in this process; the clients run
// in a child process (this test binary again, see TestMain), so each
// side's memory is measured alone. Run it with
//
//	go test -run '^$' -bench BenchmarkFanOut -benchtime 1x -timeout 15m ./stream/
//
// UIVMM_BENCH_SUBSCRIBERS (1000), UIVMM_BENCH_RATE (events/s, 1000) and
// UIVMM_BENCH_SECONDS (10) change the load.

const childEnv = "UIVMM_BENCH_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		if err := benchClients(); err != nil {
			fmt.Fprintln(os.Stderr, "bench clients:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// benchReport is what the client process prints when done.
type benchReport struct {
	Clients   int              `json:"clients"`
	Connected int              `json:"connected"`
	Expected  int              `json:"expected"`
	Received  map[string]int64 `json:"received"` // per transport, distinct events
	Lost      int64            `json:"lost"`
	Dups      int64            `json:"dups"`
	Disorder  int64            `json:"disorder"`
	Dropped   int              `json:"dropped"` // connections that ended early
	Hist      []uint64         `json:"hist"`
	RSSKiB    int64            `json:"rss_kib"`
	CPU       time.Duration    `json:"cpu"` // user+system time of the clients process
}

// Latency histogram: bucket i holds latencies in [1.05^i, 1.05^(i+1)) µs.
const histBuckets = 400

func bucket(d time.Duration) int {
	us := float64(d) / float64(time.Microsecond)
	if us < 1 {
		return 0
	}
	return min(int(math.Log(us)/math.Log(1.05)), histBuckets-1)
}

func quantile(h []uint64, q float64) time.Duration {
	var total uint64
	for _, n := range h {
		total += n
	}
	if total == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(total)))
	var seen uint64
	for i, n := range h {
		if seen += n; seen >= rank {
			return time.Duration(math.Pow(1.05, float64(i+1)) * float64(time.Microsecond))
		}
	}
	return time.Duration(math.Pow(1.05, histBuckets) * float64(time.Microsecond))
}

func BenchmarkFanOut(b *testing.B) {
	subs := envInt("UIVMM_BENCH_SUBSCRIBERS", 1000)
	rate := envInt("UIVMM_BENCH_RATE", 1000)
	secs := envInt("UIVMM_BENCH_SECONDS", 10)
	for range b.N {
		runFanOut(b, subs, rate, secs)
	}
}

func runFanOut(b *testing.B, subs, rate, secs int) {
	env := apptest.Start(b)
	_, tok := env.AddUser("bench", 1)
	total := rate * secs
	child, out := startClients(b, env, tok, subs, total, secs)
	defer child.Process.Kill()
	for deadline := time.Now().Add(30 * time.Second); env.App.Hub.Stats().Subscribers < subs && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
	}
	idle := sampleMem()
	peak, stopSampling := sampleMemUntil()
	b.ResetTimer()
	cpu0 := cpuTime()
	produced, appendWorst := produce(b, env, total, rate)
	rest, _ := out.ReadString(0)
	_ = child.Wait()
	serverCPU := cpuTime() - cpu0
	b.StopTimer()
	stopSampling()
	*peak = peak.max(idle)

	var rep benchReport
	if err := json.Unmarshal([]byte(strings.TrimSpace(rest)), &rep); err != nil {
		b.Fatalf("client report %q: %v", rest, err)
	}
	stats := env.App.Hub.Stats()
	p50, p99, p999, pmax := quantile(rep.Hist, 0.50), quantile(rep.Hist, 0.99), quantile(rep.Hist, 0.999), quantile(rep.Hist, 1)
	b.ReportMetric(float64(p50)/1e6, "p50-ms")
	b.ReportMetric(float64(p99)/1e6, "p99-ms")
	b.ReportMetric(float64(rep.Lost), "lost")
	b.ReportMetric(float64(peak.rssKiB)/1024, "server-rss-MiB")
	r := func(d time.Duration) time.Duration { return d.Round(10 * time.Microsecond) }
	b.Logf(`fan-out: %d subscribers (%d connected; %d SSE, %d WebSocket), %d events in %s (%.0f/s; worst append %s), GOMAXPROCS %d
  delivery latency (append → client): p50 %s  p99 %s  p99.9 %s  max %s
  received: %v of %d each; lost %d, duplicates %d, out of order %d, connections dropped %d, hub kicked %d
  server: heap in use %.1f MiB idle / %.1f MiB peak, RSS %.1f MiB idle / %.1f MiB peak, goroutines %d idle / %d peak
  clients process RSS %.1f MiB
  CPU (user+system): server process %s (%.2f µs per delivered message), clients process %s; load average %s`,
		subs, rep.Connected, subs/2, subs-subs/2, total, produced.Round(time.Millisecond), float64(total)/produced.Seconds(),
		appendWorst.Round(time.Microsecond), runtime.GOMAXPROCS(0),
		r(p50), r(p99), r(p999), r(pmax),
		rep.Received, total, rep.Lost, rep.Dups, rep.Disorder, rep.Dropped, stats.Kicked,
		mib(idle.heap), mib(peak.heap), float64(idle.rssKiB)/1024, float64(peak.rssKiB)/1024, idle.goroutines, peak.goroutines,
		float64(rep.RSSKiB)/1024,
		serverCPU.Round(time.Millisecond), float64(serverCPU.Microseconds())/float64(max(1, rep.Received["sse"]+rep.Received["ws"])),
		rep.CPU.Round(time.Millisecond), loadAvg())
}

func mib(n uint64) float64 { return float64(n) / (1 << 20) }

// startClients registers subs stream ids and starts the clients process
// on them; it returns once every client is connected.
func startClients(b *testing.B, env *apptest.Env, tok string, subs, total, secs int) (*exec.Cmd, *bufio.Reader) {
	ids := make([]string, subs)
	for i := range ids {
		ids[i] = env.App.Hub.NewStreamID()
	}
	idFile := filepath.Join(b.TempDir(), "streams")
	if err := os.WriteFile(idFile, []byte(strings.Join(ids, "\n")), 0o600); err != nil {
		b.Fatal(err)
	}
	child := exec.Command(os.Args[0], "-test.run=^$")
	child.Env = append(os.Environ(), childEnv+"=1", "BENCH_URL="+env.URL, "BENCH_TOKEN="+tok, "BENCH_IDS="+idFile,
		"BENCH_TOTAL="+strconv.Itoa(total), "BENCH_DEADLINE="+strconv.Itoa(secs+60))
	child.Stderr = os.Stderr
	stdout, _ := child.StdoutPipe()
	if err := child.Start(); err != nil {
		b.Fatal(err)
	}
	out := bufio.NewReader(stdout)
	if line, err := out.ReadString('\n'); err != nil || strings.TrimSpace(line) != "ready" {
		child.Process.Kill()
		b.Fatalf("clients did not get ready: %q %v", line, err)
	}
	return child, out
}

// produce appends total events at rate per second from four writers (the
// store commits concurrent appends together, as it does for concurrent
// API calls): event i is due at start + i/rate, and one that falls behind
// is sent at once, never skipped. Each event carries its sequence number
// and the time its append began.
func produce(b *testing.B, env *apptest.Env, total, rate int) (time.Duration, time.Duration) {
	const writers = 4
	start := time.Now()
	worst := make([]time.Duration, writers)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 1 + w; i <= total; i += writers {
				if d := time.Until(start.Add(time.Duration(i) * time.Second / time.Duration(rate))); d > 0 {
					time.Sleep(d)
				}
				t0 := time.Now()
				_, err := env.App.Store.Append(context.Background(), fmt.Sprintf("bench-%d", w+1), eventstore.Any(), eventstore.EventData{
					ID: fmt.Sprintf("bench-%d-%d", start.UnixNano(), i), Type: "bench:ticked",
					Data:     json.RawMessage(fmt.Sprintf(`{"seq":%d,"t":%d}`, i, t0.UnixNano())),
					Metadata: eventstore.Metadata{ActorKind: eventstore.ActorSystem, ActorName: "bench"}})
				if err != nil {
					b.Error(err)
					return
				}
				worst[w] = max(worst[w], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	return time.Since(start), slices.Max(worst)
}

// sampleMemUntil samples memory every 250 ms until stop is called; the
// returned pointer holds the peaks once stop has returned.
func sampleMemUntil() (*memSample, func()) {
	peak := &memSample{}
	done, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				*peak = peak.max(sampleMem())
			}
		}
	}()
	return peak, func() { close(done); <-stopped }
}

// cpuTime is this process's user+system time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func loadAvg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

type memSample struct {
	heap       uint64
	rssKiB     int64
	goroutines int
}

func (m memSample) max(o memSample) memSample {
	return memSample{max(m.heap, o.heap), max(m.rssKiB, o.rssKiB), max(m.goroutines, o.goroutines)}
}

func sampleMem() memSample {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return memSample{heap: ms.HeapInuse, rssKiB: rssKiB(), goroutines: runtime.NumGoroutine()}
}

// rssKiB reads VmRSS from /proc/self/status (0 where there is none).
func rssKiB() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// benchClients is the client process: it opens every stream (first half
// SSE, second half WebSocket), prints "ready", and counts what arrives
// until every client has every event or the deadline passes.
func benchClients() error {
	raw, err := os.ReadFile(os.Getenv("BENCH_IDS"))
	if err != nil {
		return err
	}
	ids := strings.Split(string(raw), "\n")
	total := envInt("BENCH_TOTAL", 0)
	deadline := time.Now().Add(time.Duration(envInt("BENCH_DEADLINE", 60)) * time.Second)
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	base, tok := os.Getenv("BENCH_URL"), os.Getenv("BENCH_TOKEN")
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: len(ids), DisableCompression: true}}
	cs := make([]*benchClient, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		cs[i] = &benchClient{total: total, seen: make([]uint64, total/64+1)}
		url := base + "/api/v1/event.subscribe?stream=" + id
		var err error
		if i < len(ids)/2 {
			err = cs[i].openSSE(ctx, hc, url, tok)
		} else {
			err = cs[i].openWS(ctx, hc, url, tok)
		}
		if err != nil {
			return fmt.Errorf("client %d: %w", i, err)
		}
		wg.Add(1)
		go func() { defer wg.Done(); cs[i].run(ctx) }()
	}
	if path := os.Getenv("BENCH_CLIENT_CPUPROFILE"); path != "" {
		f, err := os.Create(path)
		if err == nil && pprof.StartCPUProfile(f) == nil {
			defer pprof.StopCPUProfile()
		}
	}
	cpu0 := cpuTime()
	fmt.Println("ready")
	wg.Wait()
	rep := benchReport{Clients: len(ids), Expected: total, Received: map[string]int64{}, Hist: make([]uint64, histBuckets),
		RSSKiB: rssKiB(), CPU: cpuTime() - cpu0}
	for i, c := range cs {
		kind := "sse"
		if i >= len(ids)/2 {
			kind = "ws"
		}
		rep.Connected++
		rep.Received[kind] += c.distinct
		rep.Lost += int64(total) - c.distinct
		rep.Dups += c.dups
		rep.Disorder += c.disorder
		if c.err != nil && c.distinct < int64(total) {
			rep.Dropped++
		}
		for j, n := range c.hist {
			rep.Hist[j] += uint64(n)
		}
	}
	out, _ := json.Marshal(rep)
	fmt.Println(string(out))
	return nil
}

type benchClient struct {
	total    int
	seen     []uint64 // bitmap of seqs
	distinct int64
	dups     int64
	disorder int64
	lastPos  uint64
	hist     [histBuckets]uint32
	err      error
	next     func(ctx context.Context) ([]byte, error) // the next message
	closeFn  func()
}

func (c *benchClient) openSSE(ctx context.Context, hc *http.Client, url, tok string) error {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	if resp.StatusCode != 200 {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	br := bufio.NewReaderSize(resp.Body, 64<<10)
	c.closeFn = func() { resp.Body.Close() }
	c.next = func(context.Context) ([]byte, error) {
		for {
			line, err := br.ReadSlice('\n')
			if err != nil {
				return nil, err
			}
			if d, ok := bytes.CutPrefix(line, []byte("data: ")); ok {
				return d, nil
			}
		}
	}
	return nil
}

// openWS is a minimal WebSocket client (handshake, unmasked server
// frames, pongs): the load generator must not be what is measured, and a
// general-purpose client costs several times more per frame.
func (c *benchClient) openWS(ctx context.Context, _ *http.Client, url, tok string) error {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", strings.TrimPrefix(strings.SplitN(url, "/api/", 2)[0], "http://"))
	if err != nil {
		return err
	}
	path := "/api/" + strings.SplitN(url, "/api/", 2)[1]
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: bench\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer %s\r\n\r\n", path, tok)
	br := bufio.NewReaderSize(conn, 64<<10)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		conn.Close()
		return err
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		conn.Close()
		return fmt.Errorf("upgrade: status %d", resp.StatusCode)
	}
	var payload []byte
	c.closeFn = func() { conn.Close() }
	c.next = func(context.Context) ([]byte, error) {
		for {
			var hdr [2]byte
			if _, err := io.ReadFull(br, hdr[:]); err != nil {
				return nil, err
			}
			op, n := hdr[0]&0x0f, uint64(hdr[1]&0x7f)
			switch n {
			case 126:
				var ext [2]byte
				if _, err := io.ReadFull(br, ext[:]); err != nil {
					return nil, err
				}
				n = uint64(binary.BigEndian.Uint16(ext[:]))
			case 127:
				var ext [8]byte
				if _, err := io.ReadFull(br, ext[:]); err != nil {
					return nil, err
				}
				n = binary.BigEndian.Uint64(ext[:])
			}
			if uint64(cap(payload)) < n {
				payload = make([]byte, n)
			}
			payload = payload[:n]
			if _, err := io.ReadFull(br, payload); err != nil {
				return nil, err
			}
			switch op {
			case 0x1:
				return payload, nil
			case 0x8:
				return nil, io.EOF
			case 0x9: // ping: answer with a masked pong (zero mask)
				frame := append([]byte{0x8a, 0x80 | byte(n), 0, 0, 0, 0}, payload...)
				if _, err := conn.Write(frame); err != nil {
					return nil, err
				}
			}
		}
	}
	return nil
}

func (c *benchClient) run(ctx context.Context) {
	defer c.closeFn()
	stop := context.AfterFunc(ctx, c.closeFn)
	defer stop()
	for c.distinct < int64(c.total) {
		line, err := c.next(ctx)
		if err != nil {
			c.err = err
			return
		}
		now := time.Now().UnixNano()
		seq, ok1 := intAfter(line, `"seq":`)
		sent, ok2 := intAfter(line, `"t":`)
		pos, _ := intAfter(line, `"position":`)
		if !ok1 || !ok2 || seq < 1 || seq > int64(c.total) {
			continue // not a bench event
		}
		if uint64(pos) <= c.lastPos {
			c.disorder++
		}
		c.lastPos = uint64(pos)
		if w, bit := seq/64, uint64(1)<<(seq%64); c.seen[w]&bit != 0 {
			c.dups++
			continue
		} else {
			c.seen[w] |= bit
		}
		c.distinct++
		c.hist[bucket(time.Duration(now-sent))]++
		if os.Getenv("BENCH_DEBUG") != "" && now-sent > int64(100*time.Millisecond) && seq%50 == 0 {
			fmt.Fprintf(os.Stderr, "slow seq %d: %s\n", seq, time.Duration(now-sent))
		}
	}
}

// intAfter parses the integer after the first occurrence of key.
func intAfter(b []byte, key string) (int64, bool) {
	i := bytes.Index(b, []byte(key))
	if i < 0 {
		return 0, false
	}
	b = b[i+len(key):]
	j := 0
	for j < len(b) && b[j] >= '0' && b[j] <= '9' {
		j++
	}
	n, err := strconv.ParseInt(string(b[:j]), 10, 64)
	return n, err == nil
}
