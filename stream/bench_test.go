package stream_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
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
	"sync/atomic"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/uivmm/uivmm/app/apptest"
	"github.com/uivmm/uivmm/config"
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
// UIVMM_BENCH_SECONDS (10) change the load, UIVMM_BENCH_FLUSH_MS (30) the
// eventstream.flush_interval. The clients run BENCH_LOOPS (1) epoll loops
// with GOMAXPROCS BENCH_CLIENT_PROCS (1): one thread, so they never take
// both cores from the server they measure. BENCH_CLIENT_NICE (0) lowers
// their priority; the latency is measured when a client has read the
// message, so at a lower priority the clients' own wait for a core
// counts too (it made the p99 worse, not better, once the server needed
// less CPU). The first UIVMM_BENCH_WARMUP seconds (2) of events are
// delivered and checked for loss like the rest, but their latency is not
// recorded: they are the warm-up (buffers, stacks and the heap growing to
// their working size).
//
// Besides the latencies it prints the event store's commits (how many
// events shared one) and the host's speed before and after the run (a
// fixed hashing task and a loopback write+read): this VM shares its host,
// and the same code costs more CPU when the host is busy, which steal
// time does not show.

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
	Clients      int              `json:"clients"`
	Connected    int              `json:"connected"`
	Expected     int              `json:"expected"`
	Received     map[string]int64 `json:"received"` // per transport, distinct events
	Lost         int64            `json:"lost"`
	Dups         int64            `json:"dups"`
	Disorder     int64            `json:"disorder"`
	Dropped      int              `json:"dropped"`        // connections that ended early
	Hist         []uint64         `json:"hist"`           // append began → client
	Committed    []uint64         `json:"committed"`      // append acknowledged → client
	WorstByTenth []time.Duration  `json:"worst_by_tenth"` // worst latency in each tenth of the events
	RSSKiB       int64            `json:"rss_kib"`
	CPU          time.Duration    `json:"cpu"` // user+system time of the clients process
}

// Latency histogram: bucket i holds latencies in [1.05^i, 1.05^(i+1)) µs.
const histBuckets = 400

func bucket(d time.Duration) int {
	us := float64(d) / float64(time.Microsecond)
	if us < 1 {
		return 0
	}
	// The largest i with 1.05^i <= us: a binary search over the bounds,
	// cheaper than a logarithm per message.
	i, _ := slices.BinarySearch(bucketBounds[:], us)
	if i == histBuckets || bucketBounds[i] > us {
		i--
	}
	return i
}

// bucketBounds[i] is 1.05^i µs, the lower bound of bucket i.
var bucketBounds = func() (b [histBuckets]float64) {
	for i := range b {
		b[i] = math.Pow(1.05, float64(i))
	}
	return b
}()

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
	warm := envInt("UIVMM_BENCH_WARMUP", 2)
	for range b.N {
		runFanOut(b, subs, rate, secs, warm)
	}
}

func runFanOut(b *testing.B, subs, rate, secs, warm int) {
	flush := time.Duration(envInt("UIVMM_BENCH_FLUSH_MS", 30)) * time.Millisecond
	env := apptest.Start(b, func(c *config.Config) { c.EventStream.FlushInterval.Duration = flush })
	_, tok := env.AddUser("bench", 1)
	total, warmup := rate*(warm+secs), rate*warm
	commits := newCommitTimes(b, total)
	child, out := startClients(b, env, tok, subs, total, warmup, warm+secs, commits.path)
	defer child.Process.Kill()
	for deadline := time.Now().Add(30 * time.Second); env.App.Hub.Stats().Subscribers < subs && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
	}
	speed0 := measureHost(b)
	idle := sampleMem()
	peak, stopSampling := sampleMemUntil()
	b.ResetTimer()
	commits0, delayed0, _ := env.App.CommitCounts()
	cpu0 := cpuTime()
	produced, appendHist := produce(b, env, total, rate, commits)
	rest, _ := out.ReadString(0)
	_ = child.Wait()
	serverCPU := cpuTime() - cpu0
	commits1, delayed1, _ := env.App.CommitCounts()
	nCommits, nDelayed := commits1-commits0, delayed1-delayed0
	b.StopTimer()
	stopSampling()
	*peak = peak.max(idle)
	speed1 := measureHost(b)

	var rep benchReport
	if err := json.Unmarshal([]byte(strings.TrimSpace(rest)), &rep); err != nil {
		b.Fatalf("client report %q: %v", rest, err)
	}
	stats := env.App.Hub.Stats()
	p50, p99, p999, pmax := quantile(rep.Hist, 0.50), quantile(rep.Hist, 0.99), quantile(rep.Hist, 0.999), quantile(rep.Hist, 1)
	c50, c99, c999, cmax := quantile(rep.Committed, 0.50), quantile(rep.Committed, 0.99), quantile(rep.Committed, 0.999), quantile(rep.Committed, 1)
	a50, a99, amax := quantile(appendHist, 0.50), quantile(appendHist, 0.99), quantile(appendHist, 1)
	b.ReportMetric(float64(p50)/1e6, "p50-ms")
	b.ReportMetric(float64(p99)/1e6, "p99-ms")
	b.ReportMetric(float64(c99)/1e6, "commit-p99-ms")
	b.ReportMetric(float64(rep.Lost), "lost")
	b.ReportMetric(float64(peak.rssKiB)/1024, "server-rss-MiB")
	r := func(d time.Duration) time.Duration { return d.Round(10 * time.Microsecond) }
	// Printed, not logged: the testing package cuts a benchmark's log
	// after ten lines.
	fmt.Printf(`fan-out: %d subscribers (%d connected; %d SSE, %d WebSocket), %d events in %s (%.0f/s), GOMAXPROCS %d, flush interval %s
  latencies after a %d s warm-up:
  delivery latency (append began → client): p50 %s  p99 %s  p99.9 %s  max %s
  delivery latency (append acknowledged → client): p50 %s  p99 %s  p99.9 %s  max %s
  worst latency in each tenth of the run: %v
  durable append (SQLite, synchronous=FULL): p50 %s  p99 %s  max %s; %d commits (%.1f events each), %d of them waited for more appends
  received: %v of %d each; lost %d, duplicates %d, out of order %d, connections dropped %d, hub kicked %d
  hub: %d messages in %d writes (%.1f per write)`,
		subs, rep.Connected, subs/2, subs-subs/2, total, produced.Round(time.Millisecond), float64(total)/produced.Seconds(),
		runtime.GOMAXPROCS(0), flush, warm,
		r(p50), r(p99), r(p999), r(pmax), r(c50), r(c99), r(c999), r(cmax), roundAll(rep.WorstByTenth), r(a50), r(a99), r(amax), nCommits, float64(total)/float64(max(1, nCommits)), nDelayed,
		rep.Received, total, rep.Lost, rep.Dups, rep.Disorder, rep.Dropped, stats.Kicked,
		stats.Delivered, stats.Writes, float64(stats.Delivered)/float64(max(1, stats.Writes)))
	fmt.Printf(`
  server: heap in use %.1f MiB idle / %.1f MiB peak, RSS %.1f MiB idle / %.1f MiB peak, goroutines %d idle / %d peak
  clients process RSS %.1f MiB
  CPU (user+system): server process %s (%.2f µs per delivered message), clients process %s; load average %s
  host speed before / after the run: %s / %s
`,
		mib(idle.heap), mib(peak.heap), float64(idle.rssKiB)/1024, float64(peak.rssKiB)/1024, idle.goroutines, peak.goroutines,
		float64(rep.RSSKiB)/1024,
		serverCPU.Round(time.Millisecond), float64(serverCPU.Microseconds())/float64(max(1, rep.Received["sse"]+rep.Received["ws"])),
		rep.CPU.Round(time.Millisecond), loadAvg(), speed0, speed1)
}

// hostSpeed is what one thread of this machine does in a fixed task,
// measured before and after a run: the same code costs more CPU when the
// host is contended (this VM shares its host; steal time does not show
// it), so a run's figures are read against it.
type hostSpeed struct {
	hashMBps float64       // SHA-256 throughput
	loopback time.Duration // one 12 KiB loopback TCP write and its read
}

func (h hostSpeed) String() string {
	return fmt.Sprintf("SHA-256 %.0f MB/s, loopback 12 KiB write+read %s", h.hashMBps, h.loopback.Round(100*time.Nanosecond))
}

// measureHost takes the best of three short measurements of each.
func measureHost(tb testing.TB) hostSpeed {
	buf := make([]byte, 1<<20)
	var h hostSpeed
	for range 3 {
		t0 := time.Now()
		for range 16 {
			sha256.Sum256(buf)
		}
		h.hashMBps = max(h.hashMBps, 16/time.Since(t0).Seconds())
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		tb.Fatal(err)
	}
	defer client.Close()
	server, err := ln.Accept()
	if err != nil {
		tb.Fatal(err)
	}
	defer server.Close()
	chunk, in := buf[:12<<10], make([]byte, 12<<10)
	const n = 2000
	for round := range 3 {
		t0 := time.Now()
		for range n {
			if _, err := server.Write(chunk); err != nil {
				tb.Fatal(err)
			}
			if _, err := io.ReadFull(client, in); err != nil {
				tb.Fatal(err)
			}
		}
		if d := time.Since(t0) / n; round == 0 || d < h.loopback {
			h.loopback = d
		}
	}
	return h
}

func mib(n uint64) float64 { return float64(n) / (1 << 20) }

// startClients registers subs stream ids and starts the clients process
// on them; it returns once every client is connected.
func startClients(b *testing.B, env *apptest.Env, tok string, subs, total, warmup, secs int, commitsPath string) (*exec.Cmd, *bufio.Reader) {
	ids := make([]string, subs)
	for i := range ids {
		ids[i] = env.App.Hub.NewStreamID()
	}
	idFile := filepath.Join(b.TempDir(), "streams")
	if err := os.WriteFile(idFile, []byte(strings.Join(ids, "\n")), 0o600); err != nil {
		b.Fatal(err)
	}
	child := exec.Command(os.Args[0], "-test.run=^$")
	child.Env = append(os.Environ(), childEnv+"=1", "GOMAXPROCS="+strconv.Itoa(envInt("BENCH_CLIENT_PROCS", 1)), "BENCH_URL="+env.URL, "BENCH_TOKEN="+tok, "BENCH_IDS="+idFile, "BENCH_COMMITS="+commitsPath,
		"BENCH_TOTAL="+strconv.Itoa(total), "BENCH_WARMUP="+strconv.Itoa(warmup), "BENCH_DEADLINE="+strconv.Itoa(secs+60))
	child.Stderr = os.Stderr
	stdout, _ := child.StdoutPipe()
	if err := child.Start(); err != nil {
		b.Fatal(err)
	}
	if n := envInt("BENCH_CLIENT_NICE", 0); n > 0 {
		_ = syscall.Setpriority(syscall.PRIO_PROCESS, child.Process.Pid, n)
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
func produce(b *testing.B, env *apptest.Env, total, rate int, commits *commitTimes) (time.Duration, []uint64) {
	const writers = 4
	start := time.Now()
	hists := make([][]uint64, writers)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		hists[w] = make([]uint64, histBuckets)
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
				done := time.Now()
				commits.set(i, done.UnixNano())
				hists[w][bucket(done.Sub(t0))]++
			}
		}()
	}
	wg.Wait()
	all := make([]uint64, histBuckets)
	for _, h := range hists {
		for i, n := range h {
			all[i] += n
		}
	}
	return time.Since(start), all
}

// commitTimes is a file both processes map: the time each bench event's
// append was acknowledged (durable), by sequence number, so the clients
// can also measure from the commit (0: not acknowledged yet).
type commitTimes struct {
	path string
	at   []int64
}

func newCommitTimes(tb testing.TB, total int) *commitTimes {
	path := filepath.Join(tb.TempDir(), "commits")
	if err := os.WriteFile(path, make([]byte, 8*(total+1)), 0o600); err != nil {
		tb.Fatal(err)
	}
	ct, err := mapCommitTimes(path, true)
	if err != nil {
		tb.Fatal(err)
	}
	return ct
}

func mapCommitTimes(path string, write bool) (*commitTimes, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	prot := syscall.PROT_READ
	if write {
		prot |= syscall.PROT_WRITE
	}
	mem, err := syscall.Mmap(int(f.Fd()), 0, int(st.Size()), prot, syscall.MAP_SHARED)
	if err != nil {
		return nil, err
	}
	return &commitTimes{path: path, at: unsafe.Slice((*int64)(unsafe.Pointer(&mem[0])), len(mem)/8)}, nil
}

func (c *commitTimes) set(seq int, nanos int64) { atomic.StoreInt64(&c.at[seq], nanos) }
func (c *commitTimes) get(seq int64) int64      { return atomic.LoadInt64(&c.at[seq]) }

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
	commits, err := mapCommitTimes(os.Getenv("BENCH_COMMITS"), false)
	if err != nil {
		return err
	}
	total := envInt("BENCH_TOTAL", 0)
	warmup := int64(envInt("BENCH_WARMUP", 0))
	deadline := time.Now().Add(time.Duration(envInt("BENCH_DEADLINE", 60)) * time.Second)
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	base, tok := os.Getenv("BENCH_URL"), os.Getenv("BENCH_TOKEN")
	cs := make([]*benchClient, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		cs[i] = &benchClient{total: total, seen: make([]uint64, total/64+1), commits: commits, warmup: warmup}
		url := base + "/api/v1/event.subscribe?stream=" + id
		var err error
		if i < len(ids)/2 {
			err = cs[i].open(ctx, url, tok, false)
		} else {
			err = cs[i].open(ctx, url, tok, true)
		}
		if err != nil {
			return fmt.Errorf("client %d: %w", i, err)
		}
	}
	// BENCH_LOOPS event loops, each with its own epoll set; the clients
	// alternate between them so each carries SSE and WebSocket.
	loops := envInt("BENCH_LOOPS", 1)
	for l := range loops {
		var mine []*benchClient
		for i := l; i < len(cs); i += loops {
			mine = append(mine, cs[i])
		}
		loop, err := newEpollLoop(mine)
		if err != nil {
			return err
		}
		wg.Add(1)
		go func() { defer wg.Done(); loop.run(ctx) }()
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
		Committed: make([]uint64, histBuckets), WorstByTenth: make([]time.Duration, 10),
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
		for j, n := range c.committed {
			rep.Committed[j] += uint64(n)
		}
		for j, d := range c.worst {
			rep.WorstByTenth[j] = max(rep.WorstByTenth[j], d)
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
	// committed: latency from the append's acknowledgement; a message
	// that arrives before it counts as 0.
	committed [histBuckets]uint32
	worst     [10]time.Duration // by tenth of the sequence
	commits   *commitTimes
	warmup    int64 // events whose latency is not recorded
	err       error
	conn      net.Conn // until detach
	fd        int      // the socket, read by an epollLoop
	ws        bool
	buf       []byte // read but not yet parsed
}

// open connects and subscribes, over WebSocket or SSE. Both are minimal
// clients on a plain TCP connection (the handshake, then unmasked server
// frames or raw SSE lines): the load generator must not be what is
// measured, and general-purpose clients cost several times more per
// message. Each read takes whatever has arrived, stamps it with one clock
// reading and parses every complete message in it.
func (c *benchClient) open(ctx context.Context, url, tok string, ws bool) error {
	var d net.Dialer
	hostPath := strings.SplitN(strings.TrimPrefix(url, "http://"), "/", 2)
	conn, err := d.DialContext(ctx, "tcp", hostPath[0])
	if err != nil {
		return err
	}
	req := "GET /" + hostPath[1] + " HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer " + tok + "\r\n"
	if ws {
		req += "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
	}
	if _, err := conn.Write([]byte(req + "\r\n")); err != nil {
		conn.Close()
		return err
	}
	br := bufio.NewReaderSize(conn, 64<<10)
	resp, err := http.ReadResponse(br, nil)
	switch {
	case err != nil:
	case ws && resp.StatusCode != http.StatusSwitchingProtocols:
		err = fmt.Errorf("upgrade: status %d", resp.StatusCode)
	case !ws && resp.StatusCode != http.StatusOK:
		err = fmt.Errorf("subscribe: status %d", resp.StatusCode)
	case !ws && len(resp.TransferEncoding) > 0:
		err = fmt.Errorf("the bench client reads raw SSE; the server sent %v", resp.TransferEncoding)
	}
	if err != nil {
		conn.Close()
		return err
	}
	// Whatever the head's reader took beyond the head is stream data.
	c.buf, _ = br.Peek(br.Buffered())
	c.buf = append(make([]byte, 0, 256<<10), c.buf...)
	c.conn, c.ws = conn, ws
	return nil
}

// epollLoop reads its clients' sockets from one goroutine with a
// level-triggered epoll set: one epoll_wait finds every socket a group's
// writes made readable, and each then costs one read. With one loop and
// GOMAXPROCS 1 the clients are one thread, so on this 2-core machine they
// can never hold both cores while the server has work (a goroutine per
// connection on Go's poller used the same CPU, spread over both cores).
type epollLoop struct {
	epfd    int
	clients map[int32]*benchClient // by fd
	open    int
}

func newEpollLoop(cs []*benchClient) (*epollLoop, error) {
	epfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return nil, err
	}
	l := &epollLoop{epfd: epfd, clients: map[int32]*benchClient{}}
	for _, c := range cs {
		if err := c.detach(); err != nil {
			return nil, err
		}
		ev := syscall.EpollEvent{Events: syscall.EPOLLIN | syscall.EPOLLRDHUP, Fd: int32(c.fd)}
		if err := syscall.EpollCtl(epfd, syscall.EPOLL_CTL_ADD, c.fd, &ev); err != nil {
			return nil, err
		}
		l.clients[int32(c.fd)] = c
		l.open++
	}
	return l, nil
}

func (l *epollLoop) run(ctx context.Context) {
	defer syscall.Close(l.epfd)
	evs := make([]syscall.EpollEvent, 256)
	for l.open > 0 && ctx.Err() == nil {
		n, err := syscall.EpollWait(l.epfd, evs, 100)
		if err != nil && err != syscall.EINTR {
			return
		}
		for _, ev := range evs[:max(n, 0)] {
			c := l.clients[ev.Fd]
			if c == nil || c.fd < 0 {
				continue
			}
			if c.read() {
				_ = syscall.EpollCtl(l.epfd, syscall.EPOLL_CTL_DEL, c.fd, nil)
				syscall.Close(c.fd)
				c.fd = -1
				l.open--
			}
		}
	}
	for _, c := range l.clients {
		if c.fd >= 0 {
			c.err = ctx.Err()
			syscall.Close(c.fd)
		}
	}
}

// detach takes the socket away from Go's poller: a duplicate descriptor
// (still non-blocking) stays, and closing the connection removes the
// original from the runtime's epoll set, so its arrivals wake only the
// client's loop.
func (c *benchClient) detach() error {
	sc, err := c.conn.(syscall.Conn).SyscallConn()
	if err != nil {
		return err
	}
	var dupErr error
	if err := sc.Control(func(fd uintptr) { c.fd, dupErr = syscall.Dup(int(fd)) }); err != nil {
		return err
	}
	if dupErr != nil {
		return dupErr
	}
	return c.conn.Close()
}

// read takes whatever has arrived, stamps it with one clock reading and
// handles every complete message in it. It reports whether the client
// is done (every event seen, or the connection ended).
func (c *benchClient) read() bool {
	if len(c.buf) == cap(c.buf) {
		c.buf = append(make([]byte, 0, 2*cap(c.buf)), c.buf...)
	}
	n, err := syscall.Read(c.fd, c.buf[len(c.buf):cap(c.buf)])
	if err == syscall.EAGAIN || err == syscall.EINTR {
		return false
	}
	now := time.Now().UnixNano()
	if err == nil && n == 0 {
		err = io.EOF
	}
	if n > 0 {
		c.buf = c.buf[:len(c.buf)+n]
	}
	var used int
	if c.ws {
		used, err = c.frames(c.buf, now, err)
	} else {
		used = c.events(c.buf, now)
	}
	c.buf = c.buf[:copy(c.buf, c.buf[used:])]
	if err != nil {
		c.err = err
		return true
	}
	return c.distinct >= int64(c.total)
}

// events handles the complete SSE events in b and returns how many bytes
// they took. Only data lines matter; ids, pings and names are skipped.
func (c *benchClient) events(b []byte, now int64) int {
	used := 0
	for {
		end := bytes.Index(b[used:], []byte("\n\n"))
		if end < 0 {
			return used
		}
		ev := b[used : used+end]
		used += end + 2
		pos := int64(-1)
		if id, rest, ok := intAfter(ev, "id: "); ok && len(rest) > 0 && rest[0] == '\n' {
			pos = id // the SSE id is the position
		}
		if i := bytes.Index(ev, []byte("data: ")); i >= 0 {
			c.message(ev[i+len("data: "):], now, pos)
		}
	}
}

// frames handles the complete WebSocket frames in b, answering pings,
// and returns how many bytes they took.
func (c *benchClient) frames(b []byte, now int64, readErr error) (int, error) {
	used := 0
	for {
		f := b[used:]
		if len(f) < 2 {
			return used, readErr
		}
		op, n, hdr := f[0]&0x0f, uint64(f[1]&0x7f), 2
		switch n {
		case 126:
			if len(f) < 4 {
				return used, readErr
			}
			n, hdr = uint64(binary.BigEndian.Uint16(f[2:])), 4
		case 127:
			if len(f) < 10 {
				return used, readErr
			}
			n, hdr = binary.BigEndian.Uint64(f[2:]), 10
		}
		if uint64(len(f)-hdr) < n {
			return used, readErr
		}
		payload := f[hdr : hdr+int(n)]
		used += hdr + int(n)
		switch op {
		case 0x1:
			c.message(payload, now, -1)
		case 0x8:
			return used, io.EOF
		case 0x9: // ping: answer with a masked pong (zero mask)
			frame := append([]byte{0x8a, 0x80 | byte(n), 0, 0, 0, 0}, payload...)
			if _, err := syscall.Write(c.fd, frame); err != nil {
				return used, err
			}
		}
	}
}

// message checks one bench message: its sequence number (loss,
// duplicates), position (order) and the time its append began (latency).
// A bench message ends with its data, {"seq":S,"t":T}, the one object
// without a nested one; the position comes right after the body string
// (pos, when not -1, is the SSE id, which is the position).
func (c *benchClient) message(line []byte, now, pos int64) {
	i := bytes.LastIndexByte(line, '{')
	if i < 0 {
		return
	}
	seq, rest, ok1 := intAfter(line[i:], `{"seq":`)
	sent, _, ok2 := intAfter(rest, `,"t":`)
	if !ok1 || !ok2 || seq < 1 || seq > int64(c.total) {
		return // not a bench event
	}
	if pos < 0 {
		if j := bytes.Index(line, []byte(`"position":`)); j >= 0 {
			pos, _, _ = intAfter(line[j:], `"position":`)
		}
	}
	if uint64(pos) <= c.lastPos {
		c.disorder++
	}
	c.lastPos = uint64(pos)
	if w, bit := seq/64, uint64(1)<<(seq%64); c.seen[w]&bit != 0 {
		c.dups++
		return
	} else {
		c.seen[w] |= bit
	}
	c.distinct++
	if seq <= c.warmup {
		return
	}
	c.hist[bucket(time.Duration(now-sent))]++
	tenth := min(9, int(10*(seq-c.warmup-1)/(int64(c.total)-c.warmup)))
	c.worst[tenth] = max(c.worst[tenth], time.Duration(now-sent))
	if at := c.commits.get(seq); at != 0 && now > at {
		c.committed[bucket(time.Duration(now-at))]++
	} else {
		c.committed[0]++
	}
}

// intAfter parses the decimal integer that follows prefix at the start
// of b, and returns what is left after it.
func intAfter(b []byte, prefix string) (int64, []byte, bool) {
	if !bytes.HasPrefix(b, []byte(prefix)) {
		return 0, b, false
	}
	b = b[len(prefix):]
	var n int64
	j := 0
	for ; j < len(b) && j < 18 && b[j] >= '0' && b[j] <= '9'; j++ {
		n = n*10 + int64(b[j]-'0')
	}
	if j < len(b) && j == 18 && b[j] >= '0' && b[j] <= '9' { // 19 digits: a UnixNano
		n = n*10 + int64(b[j]-'0')
		j++
	}
	return n, b[j:], j > 0
}

func roundAll(ds []time.Duration) []time.Duration {
	out := make([]time.Duration, len(ds))
	for i, d := range ds {
		out[i] = d.Round(time.Millisecond)
	}
	return out
}

// The histogram's buckets are what the logarithm gives.
func TestBenchBucket(t *testing.T) {
	for _, d := range []time.Duration{0, 999 * time.Nanosecond, time.Microsecond, 1050 * time.Nanosecond, 1051 * time.Nanosecond,
		37 * time.Millisecond, 50 * time.Millisecond, time.Second, time.Hour, 1000 * time.Hour} {
		us := float64(d) / float64(time.Microsecond)
		want := 0
		if us >= 1 {
			want = min(int(math.Floor(math.Log(us)/math.Log(1.05)+1e-9)), histBuckets-1)
		}
		if got := bucket(d); got != want {
			t.Errorf("bucket(%s) = %d, want %d", d, got, want)
		}
	}
}
