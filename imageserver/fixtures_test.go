package imageserver_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/uivmm/uivmm/app/apptest"
)

// fx holds image files built once by TestMain from a busybox rootfs, as
// /work/shared/notes/lxd.md describes.
var fx struct {
	dir       string
	rootfs    string
	metaXZ    string // lxd.tar.xz, architecture x86_64
	metaARM   string // lxd.tar.xz, architecture aarch64
	squashfs  string
	rootTarGZ string
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "imageserver-fixtures-")
	if err == nil {
		err = buildFixtures(dir)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "building test fixtures: %v\n", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func buildFixtures(dir string) error {
	for tool, pkg := range map[string]string{"busybox": "busybox-static", "mksquashfs": "squashfs-tools", "xz": "xz-utils"} {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("%s not found: install %s to run these tests", tool, pkg)
		}
	}
	fx.dir, fx.rootfs = dir, filepath.Join(dir, "rootfs")
	for _, d := range []string{"bin", "sbin", "etc", "proc", "sys", "dev", "tmp", "root", "run", "var"} {
		if err := os.MkdirAll(filepath.Join(fx.rootfs, d), 0o755); err != nil {
			return err
		}
	}
	bb, _ := exec.LookPath("busybox")
	if err := run("cp", bb, filepath.Join(fx.rootfs, "bin", "busybox")); err != nil {
		return err
	}
	for link, target := range map[string]string{"bin/sh": "busybox", "bin/init": "busybox", "sbin/init": "../bin/busybox"} {
		if err := os.Symlink(target, filepath.Join(fx.rootfs, link)); err != nil {
			return err
		}
	}
	var err error
	if fx.metaXZ, err = makeMetadata(dir, "x86_64", "busybox fixture"); err != nil {
		return err
	}
	if fx.metaARM, err = makeMetadata(dir, "aarch64", "busybox fixture arm"); err != nil {
		return err
	}
	fx.squashfs = filepath.Join(dir, "rootfs.squashfs")
	if err := run("mksquashfs", fx.rootfs, fx.squashfs, "-noappend", "-comp", "xz", "-all-root", "-quiet", "-no-progress"); err != nil {
		return err
	}
	fx.rootTarGZ = filepath.Join(dir, "rootfs.tar.gz")
	return run("tar", "-C", fx.rootfs, "-czf", fx.rootTarGZ, ".")
}

// makeMetadata writes an lxd.tar.xz whose metadata.yaml names arch; the
// description (and a fresh creation date) make its bytes, and so the
// image fingerprint, unique.
func makeMetadata(dir, arch, description string) (string, error) {
	src, err := os.MkdirTemp(dir, "meta-")
	if err != nil {
		return "", err
	}
	yaml := fmt.Sprintf("architecture: %s\ncreation_date: %d\nproperties:\n  description: %s\n  os: busybox\n  release: \"1\"\n",
		arch, time.Now().Unix(), description)
	if err := os.WriteFile(filepath.Join(src, "metadata.yaml"), []byte(yaml), 0o644); err != nil {
		return "", err
	}
	out := filepath.Join(src, "lxd.tar.xz")
	return out, run("tar", "-C", src, "-cJf", out, "metadata.yaml")
}

func run(name string, args ...string) error {
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %v: %w: %s", name, args, err, out)
	}
	return nil
}

func sha(t testing.TB, paths ...string) string {
	t.Helper()
	h := sha256.New()
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		_, err = io.Copy(h, f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// truncated writes the first n bytes of src (n < 0: all but -n) to a new file.
func truncated(t testing.TB, src string, n int64) string {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if n < 0 {
		n += int64(len(data))
	}
	dst := filepath.Join(t.TempDir(), "cut-"+filepath.Base(src))
	if err := os.WriteFile(dst, data[:n], 0o644); err != nil {
		t.Fatal(err)
	}
	return dst
}

// part is one multipart part of an upload.
type part struct {
	name string // form name: "file", "payload", ...
	path string // file content, or
	data string // literal content
}

func filePart(path string) part { return part{name: "file", path: path} }

func payload(productID, serial string) part {
	return part{name: "payload", data: fmt.Sprintf(`{"product_id":%q,"product_version_serial":%q}`, productID, serial)}
}

// uploadRequest builds a streaming multipart simplestream.upload request.
func uploadRequest(t testing.TB, url, token string, parts ...part) *http.Request {
	t.Helper()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		pw.CloseWithError(writeParts(mw, parts))
	}()
	req, err := http.NewRequest(http.MethodPost, url+"/api/v1/simplestream.upload", pr)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	return req
}

func writeParts(mw *multipart.Writer, parts []part) error {
	for _, p := range parts {
		var w io.Writer
		var err error
		if p.path != "" {
			w, err = mw.CreateFormFile(p.name, filepath.Base(p.path))
		} else {
			w, err = mw.CreateFormField(p.name)
		}
		if err != nil {
			return err
		}
		if p.path != "" {
			f, err := os.Open(p.path)
			if err != nil {
				return err
			}
			_, err = io.Copy(w, f)
			f.Close()
			if err != nil {
				return err
			}
		} else if _, err := io.WriteString(w, p.data); err != nil {
			return err
		}
	}
	return mw.Close()
}

// server is a uivmm under test with an admin token.
type server struct {
	*apptest.Env
	token string
}

func (s *server) upload(parts ...part) apptest.Response {
	s.T.Helper()
	return s.Do(uploadRequest(s.T, s.URL, s.token, parts...))
}

// addProduct declares busybox:<release>:amd64:default with alias and
// returns its product id.
func (s *server) addProduct(release, alias string) string {
	s.T.Helper()
	r := s.MustOK("simplestream.add", s.token, map[string]any{"product_os": "busybox", "product_release": release,
		"product_arch": "x86_64", "product_aliases": alias, "product_release_title": "BusyBox " + release})
	id, _ := r.Attrs()["product_id"].(string)
	if want := "busybox:" + release + ":amd64:default"; id != want {
		s.T.Fatalf("product_id = %q, want %q: %s", id, want, r.Raw)
	}
	return id
}

// get GETs a path under /api/v1/simplestream.list/.
func (s *server) get(method, sub string, header ...string) (*http.Response, []byte) {
	s.T.Helper()
	req, _ := http.NewRequest(method, s.URL+"/api/v1/simplestream.list/"+sub, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := s.Server.Client().Do(req)
	if err != nil {
		s.T.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, body
}

// blobs lists the files in the blob store and its temp directory.
func (s *server) blobs() []string {
	s.T.Helper()
	var out []string
	for _, d := range []string{"blobs/sha256", "tmp"} {
		entries, _ := os.ReadDir(filepath.Join(s.DataDir, "simplestreams", d))
		for _, e := range entries {
			out = append(out, d+"/"+e.Name())
		}
	}
	return out
}

// eventsOf returns the types of every stored product event.
func (s *server) eventsOf() []string {
	var out []string
	for _, e := range s.Events() {
		if strings.HasPrefix(e.Type, "product:") && e.Type != "product:added" {
			out = append(out, e.Type)
		}
	}
	return out
}
