package simplestreams

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"time"
)

var digestRE = regexp.MustCompile(`^[0-9a-f]{64}$`)

func validDigest(sha string) bool { return digestRE.MatchString(sha) }

// Remove deletes a stored blob. It is idempotent: removing a blob that is
// not there is not an error (events may be replayed). The error wraps
// ErrNotFound only for a malformed digest.
func (s *Store) Remove(sha string) error {
	p, err := s.Path(sha)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("removing blob %s: %w", sha, err)
	}
	return nil
}

// GC removes orphans: every blob whose digest is not in keep and that was
// last ingested more than minAge ago, plus abandoned upload temp files
// older than minAge (uploads still running in this process are never
// touched). minAge is the grace period that protects a blob uploaded but
// not yet referenced by a recorded event; give it generously (an hour).
// It returns the removed digests, sorted. GC holds the store's write lock
// while it deletes, so it cannot race an Ingest of the same content.
func (s *Store) GC(ctx context.Context, keep map[string]bool, minAge time.Duration) ([]string, error) {
	cutoff := time.Now().Add(-minAge)
	s.mu.Lock()
	defer s.mu.Unlock()
	removed, err := s.gcBlobs(ctx, keep, cutoff)
	if err != nil {
		return removed, err
	}
	return removed, s.gcTemps(ctx, cutoff)
}

func (s *Store) gcBlobs(ctx context.Context, keep map[string]bool, cutoff time.Time) ([]string, error) {
	dir := filepath.Join(s.dir, "blobs", "sha256")
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("listing blobs: %w", err)
	}
	var removed []string
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return removed, err
		}
		sha := e.Name()
		if !validDigest(sha) || keep[sha] || !olderThan(e, cutoff) {
			continue
		}
		if err := os.Remove(filepath.Join(dir, sha)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return removed, fmt.Errorf("removing blob %s: %w", sha, err)
		}
		removed = append(removed, sha)
	}
	sort.Strings(removed)
	return removed, nil
}

func (s *Store) gcTemps(ctx context.Context, cutoff time.Time) error {
	dir := filepath.Join(s.dir, "tmp")
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("listing uploads: %w", err)
	}
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return err
		}
		name := filepath.Join(dir, e.Name())
		if _, busy := s.inflight.Load(name); busy || !olderThan(e, cutoff) {
			continue
		}
		if err := os.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("removing abandoned upload: %w", err)
		}
	}
	return nil
}

// olderThan reports whether the entry's mtime is before cutoff; entries
// that vanished or cannot be read are treated as young (kept).
func olderThan(e fs.DirEntry, cutoff time.Time) bool {
	info, err := e.Info()
	return err == nil && info.ModTime().Before(cutoff)
}
