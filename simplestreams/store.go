package simplestreams

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Blob is one stored file. SHA256, Size and Role are the durable facts to
// record in events; Path is where this process finds the file and must not
// be persisted (rebuild it with Store.Path).
type Blob struct {
	SHA256 string // lower-case hex, the content address
	Size   int64
	Role   Role
	Path   string
}

// Store is a content-addressed file store under one directory:
// <dir>/blobs/sha256/<hex> for blobs and <dir>/tmp for uploads in flight
// (same file system, so publishing a blob is an atomic rename).
//
// A Store is safe for concurrent use. It assumes it is the only writer of
// dir: the GC/Ingest exclusion is an in-process lock.
type Store struct {
	dir     string
	maxSize int64

	mu       sync.RWMutex // Ingest's publish step (R) vs GC and Remove (W)
	inflight sync.Map     // temp file name -> struct{}
}

// copyBufSize is the one buffer Ingest allocates; memory does not grow
// with the upload.
const copyBufSize = 256 << 10

// NewStore returns a store rooted at dir that refuses files larger than
// maxSize bytes (maxSize <= 0 means no limit). Directories are created on
// first use.
func NewStore(dir string, maxSize int64) *Store {
	return &Store{dir: dir, maxSize: maxSize}
}

// Ingest streams r into the store: to a temp file in the store, hashing as
// it goes, never holding the whole file in memory. It then detects the
// role from the content (not any name) and renames the file to its
// content address. Ingesting the same bytes again returns the same Blob
// and keeps one copy. On any error, including ctx cancellation,
// ErrTooLarge and ErrUnknownFileType, no temp file is left behind.
func (s *Store) Ingest(ctx context.Context, r io.Reader) (Blob, error) {
	tmp, err := s.createTemp()
	if err != nil {
		return Blob{}, err
	}
	name, stored := tmp.Name(), false
	defer func() {
		_ = tmp.Close()
		if !stored {
			_ = os.Remove(name)
		}
		s.inflight.Delete(name)
	}()
	w := &ingestWriter{f: tmp, h: sha256.New(), head: make([]byte, 0, headSize)}
	if err := s.copyLimited(ctx, w, r); err != nil {
		return Blob{}, err
	}
	if err := tmp.Sync(); err != nil {
		return Blob{}, fmt.Errorf("syncing upload: %w", err)
	}
	blob := Blob{SHA256: hex.EncodeToString(w.h.Sum(nil)), Size: w.n}
	if blob.Role, err = detectRole(ctx, name, w.head, w.n); err != nil {
		return Blob{}, err
	}
	blob.Path = s.blobPath(blob.SHA256)
	if stored, err = s.publish(name, blob.Path); err != nil {
		return Blob{}, err
	}
	return blob, nil
}

func (s *Store) createTemp() (*os.File, error) {
	tmpDir := filepath.Join(s.dir, "tmp")
	if err := os.MkdirAll(tmpDir, 0o750); err != nil {
		return nil, fmt.Errorf("creating upload directory: %w", err)
	}
	f, err := os.CreateTemp(tmpDir, "upload-*")
	if err != nil {
		return nil, fmt.Errorf("creating upload file: %w", err)
	}
	s.inflight.Store(f.Name(), struct{}{})
	return f, nil
}

// copyLimited copies r to w, enforcing maxSize and checking ctx between
// reads.
func (s *Store) copyLimited(ctx context.Context, w *ingestWriter, r io.Reader) error {
	src := io.Reader(ctxReader{ctx: ctx, r: r})
	if s.maxSize > 0 {
		src = io.LimitReader(src, s.maxSize+1)
	}
	buf := make([]byte, copyBufSize)
	if _, err := io.CopyBuffer(w, src, buf); err != nil {
		return fmt.Errorf("receiving upload: %w", err)
	}
	if s.maxSize > 0 && w.n > s.maxSize {
		return fmt.Errorf("%w: more than %d bytes", ErrTooLarge, s.maxSize)
	}
	return nil
}

// publish moves a finished upload to its content address (renamed is
// true), or, if that content is already stored, refreshes the stored
// copy's mtime so a GC grace period counts from the latest upload, and
// leaves the upload for the caller to delete.
func (s *Store) publish(tmpName, dst string) (renamed bool, err error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	now := time.Now()
	if err := os.Chtimes(dst, now, now); err == nil {
		return false, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return false, fmt.Errorf("refreshing stored blob: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return false, fmt.Errorf("creating blob directory: %w", err)
	}
	if err := os.Rename(tmpName, dst); err != nil {
		return false, fmt.Errorf("storing blob: %w", err)
	}
	return true, syncDir(filepath.Dir(dst))
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("opening blob directory: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("syncing blob directory: %w", err)
	}
	return nil
}

// Path returns where the blob with this digest lives (whether or not it
// exists). The error wraps ErrNotFound when sha is not a lower-case hex
// sha256, so a request path can never escape the store.
func (s *Store) Path(sha string) (string, error) {
	if !validDigest(sha) {
		return "", fmt.Errorf("%w: %q is not a sha256 digest", ErrNotFound, sha)
	}
	return s.blobPath(sha), nil
}

func (s *Store) blobPath(sha string) string {
	return filepath.Join(s.dir, "blobs", "sha256", sha)
}

// Open opens a stored blob for reading; the caller closes it. The error
// wraps ErrNotFound for a missing blob or a malformed digest.
func (s *Store) Open(sha string) (*os.File, error) {
	p, err := s.Path(sha)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, sha)
	}
	if err != nil {
		return nil, fmt.Errorf("opening blob %s: %w", sha, err)
	}
	return f, nil
}

// Stat rebuilds the Blob for a stored digest, detecting its role again
// from the content. The error wraps ErrNotFound for a missing blob.
func (s *Store) Stat(ctx context.Context, sha string) (Blob, error) {
	p, err := s.Path(sha)
	if err != nil {
		return Blob{}, err
	}
	f, head, size, err := openHead(p)
	if errors.Is(err, fs.ErrNotExist) {
		return Blob{}, fmt.Errorf("%w: %s", ErrNotFound, sha)
	}
	if err != nil {
		return Blob{}, err
	}
	f.Close()
	role, err := detectRole(ctx, p, head, size)
	if err != nil {
		return Blob{}, err
	}
	return Blob{SHA256: sha, Size: size, Role: role, Path: p}, nil
}

// ingestWriter writes to the temp file, the hash and the head buffer in one
// pass. It hides os.File's ReadFrom so io.CopyBuffer uses our buffer.
type ingestWriter struct {
	f    *os.File
	h    hash.Hash
	n    int64
	head []byte
}

func (w *ingestWriter) Write(p []byte) (int, error) {
	if len(w.head) < headSize {
		w.head = append(w.head, p[:min(len(p), headSize-len(w.head))]...)
	}
	n, err := w.f.Write(p)
	w.h.Write(p[:n])
	w.n += int64(n)
	return n, err
}

// ctxReader fails reads once ctx is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
