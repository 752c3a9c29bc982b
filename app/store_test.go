package app_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/uivmm/uivmm/app"
	"github.com/uivmm/uivmm/eventstore"
)

// A SQLite URL takes a commit delay; a bad one, or an unknown parameter,
// is refused with the reason.
func TestOpenStoreURL(t *testing.T) {
	dir := t.TempDir()
	for _, ok := range []string{"sqlite:" + filepath.Join(dir, "a.db"), "sqlite:" + filepath.Join(dir, "b.db") + "?commit_delay=0",
		"sqlite://" + filepath.Join(dir, "c.db") + "?commit_delay=5ms"} {
		s, err := app.OpenStore(t.Context(), ok)
		if err != nil {
			t.Fatalf("OpenStore(%q): %v", ok, err)
		}
		if _, err := s.Append(t.Context(), "s", eventstore.NoStream(), eventstore.EventData{ID: "e1", Type: "t", Data: []byte(`{}`)}); err != nil {
			t.Errorf("append to %q: %v", ok, err)
		}
		_ = s.Close()
	}
	for bad, why := range map[string]string{
		"sqlite:" + filepath.Join(dir, "d.db") + "?commit_delay=soon": "commit_delay",
		"sqlite:" + filepath.Join(dir, "e.db") + "?commit_delay=-1ms": "commit delay",
		"sqlite:" + filepath.Join(dir, "f.db") + "?mode=ro":           "unknown parameter",
		"sqlite:" + filepath.Join(dir, "g.db") + "?commit_delay=1%zz": "invalid URL escape",
	} {
		if s, err := app.OpenStore(t.Context(), bad); err == nil {
			_ = s.Close()
			t.Errorf("OpenStore(%q) succeeded", bad)
		} else if !strings.Contains(err.Error(), why) {
			t.Errorf("OpenStore(%q): %v, want it to say %q", bad, err, why)
		}
	}
}
