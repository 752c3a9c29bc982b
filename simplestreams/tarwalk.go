package simplestreams

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
)

const (
	// maxMetadataYAML bounds metadata.yaml; real ones are a few KiB.
	maxMetadataYAML = 1 << 20
	// maxSniffEntries bounds how many headers role detection reads.
	maxSniffEntries = 100_000
	// tarTrailer is the two zero blocks that end a complete archive.
	tarTrailer = 2 * 512
)

// rootfsMarkers are top-level directories that only an OS tree has.
var rootfsMarkers = map[string]bool{
	"bin": true, "sbin": true, "usr": true, "etc": true, "lib": true, "lib64": true, "var": true,
}

// entryPath cleans a tar member name: "./etc/hosts" -> "etc/hosts",
// "./" -> ".".
func entryPath(name string) string {
	return path.Clean(strings.TrimPrefix(strings.TrimPrefix(name, "/"), "./"))
}

// topDir is the first path component of a member name.
func topDir(name string) string {
	top, _, _ := strings.Cut(entryPath(name), "/")
	return top
}

// sniffTarball decides whether a compressed tarball is LXD image metadata
// (metadata.yaml at the top) or a rootfs (an OS tree at the top). A rootfs
// is recognised at its first marker directory and decompression stops
// there; a metadata tarball, being small, is read to its end and checked.
// Unified tarballs (metadata.yaml plus rootfs/) are refused.
func sniffTarball(ctx context.Context, file string, comp compression) (Role, error) {
	d, err := openDecompressed(ctx, file, comp)
	if err != nil {
		return "", err
	}
	tr := tar.NewReader(d)
	sawMeta := false
	for range maxSniffEntries {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", failStream(d, err)
		}
		switch top := topDir(h.Name); {
		case top == "rootfs":
			d.abort()
			return "", fmt.Errorf("%w: unified image tarball (metadata.yaml with rootfs/); upload metadata and rootfs as two files", ErrUnknownFileType)
		case entryPath(h.Name) == "metadata.yaml":
			sawMeta = true
		case rootfsMarkers[top] && !sawMeta:
			d.abort()
			return RoleRootTarXZ, nil
		}
	}
	if !sawMeta {
		d.abort()
		return "", fmt.Errorf("%w: tarball has neither metadata.yaml nor an OS tree at its top", ErrUnknownFileType)
	}
	if err := d.finish(); err != nil {
		return "", err
	}
	return RoleMetadata, nil
}

// failStream reports a read failure: the decompressor's own verdict if it
// has one (xz says "Unexpected end of input"), else the tar error mapped
// to ErrTruncated or ErrCorrupt.
func failStream(d *decompressor, tarErr error) error {
	if errors.Is(tarErr, ErrTruncated) || errors.Is(tarErr, ErrCorrupt) {
		d.abort()
		return tarErr
	}
	if err := d.finish(); err != nil {
		return err
	}
	if errors.Is(tarErr, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: tar archive ends inside an entry", ErrTruncated)
	}
	return fmt.Errorf("%w: tar: %w", ErrCorrupt, tarErr)
}

// verifyTarball reads a compressed tarball completely: every member's data,
// the end-of-archive trailer and the compressor's checksums, so a truncated
// or damaged file fails with ErrTruncated or ErrCorrupt. It returns the
// contents of a top-level metadata.yaml, or nil if there is none.
func verifyTarball(ctx context.Context, file string, comp compression) ([]byte, error) {
	d, err := openDecompressed(ctx, file, comp)
	if err != nil {
		return nil, err
	}
	cr := &countingReader{r: d}
	tr := tar.NewReader(cr)
	var meta []byte
	for {
		before := cr.n
		h, err := tr.Next()
		if err == io.EOF {
			if cr.n-before < tarTrailer {
				d.abort()
				return nil, fmt.Errorf("%w: tar archive has no end-of-archive marker", ErrTruncated)
			}
			break
		}
		if err != nil {
			return nil, failStream(d, err)
		}
		if meta, err = readMember(ctx, tr, h, meta); err != nil {
			if errors.Is(err, ErrBadMetadata) || ctx.Err() != nil {
				d.abort()
				return nil, err
			}
			return nil, failStream(d, err)
		}
	}
	return meta, d.finish()
}

// readMember consumes one member's data, keeping it if it is the first
// top-level metadata.yaml.
func readMember(ctx context.Context, tr *tar.Reader, h *tar.Header, meta []byte) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return meta, err
	}
	if meta != nil || h.Typeflag != tar.TypeReg || entryPath(h.Name) != "metadata.yaml" {
		_, err := io.Copy(io.Discard, tr)
		return meta, err
	}
	if h.Size > maxMetadataYAML {
		return nil, fmt.Errorf("%w: metadata.yaml larger than %d bytes", ErrBadMetadata, maxMetadataYAML)
	}
	data, err := io.ReadAll(tr)
	if err != nil {
		return nil, err
	}
	if data == nil {
		data = []byte{} // present but empty: not "absent"
	}
	return data, nil
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
