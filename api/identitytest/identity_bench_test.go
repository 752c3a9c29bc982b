package identitytest

import (
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/uivmm/uivmm/app/apptest"
	"github.com/uivmm/uivmm/secrets"
)

// BenchmarkSSHKeyAdd measures ssh-key.add through the HTTP API under
// concurrency: distinct ed25519 keys made up front, GOMAXPROCS×4 clients
// of one user. Each call parses the key, reserves an id, takes the
// fingerprint's claim, appends the key and waits for the read model.
func BenchmarkSSHKeyAdd(b *testing.B) {
	e := apptest.Start(b)
	_, tok := e.AddUser("bench", 4)
	keys := make([]string, b.N)
	for i := range keys {
		keys[i] = newKey(b, "")
	}
	var next, failed atomic.Int64
	b.SetParallelism(4)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := next.Add(1) - 1
			r := e.Call("ssh-key.add", tok, map[string]any{"key_name": "k", "key_public": keys[i]})
			if r.Status != http.StatusOK {
				failed.Add(1)
			}
		}
	})
	b.StopTimer()
	if n := failed.Load(); n > 0 {
		b.Fatalf("%d of %d adds failed", n, b.N)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

// BenchmarkLogin measures one user.login through the HTTP API, one at a
// time: dominated by the argon2id check with secrets.DefaultParams.
func BenchmarkLogin(b *testing.B) {
	e := apptest.Start(b)
	e.AddUser("bench", 4)
	p := secrets.DefaultParams
	b.Logf("argon2id m=%d KiB t=%d p=%d", p.Memory, p.Time, p.Threads)
	body := map[string]any{"user_login": "bench", "user_password": apptest.Password("bench")}
	b.ResetTimer()
	for b.Loop() {
		if r := e.Call("user.login", "", body); r.Status != http.StatusOK {
			b.Fatalf("login: %d %s", r.Status, r.Raw)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/login")
}

// BenchmarkLoginParallel is BenchmarkLogin with concurrent clients: the
// throughput argon2's memory and CPU cost allow.
func BenchmarkLoginParallel(b *testing.B) {
	e := apptest.Start(b)
	e.AddUser("bench", 4)
	body := map[string]any{"user_login": "bench", "user_password": apptest.Password("bench")}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if r := e.Call("user.login", "", body); r.Status != http.StatusOK {
				b.Errorf("login: %d %s", r.Status, r.Raw)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "logins/s")
}

// BenchmarkArgon2Check is the password check alone, for comparison with
// BenchmarkLogin.
func BenchmarkArgon2Check(b *testing.B) {
	hash, err := secrets.HashPassword("correct horse battery", secrets.DefaultParams)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if ok, err := secrets.CheckPassword("correct horse battery", hash); !ok || err != nil {
			b.Fatal("check failed")
		}
	}
}
