package simplestreams

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
)

// decompressor streams the decompressed bytes of a tarball file.
// Exactly one of finish or abort must be called.
type decompressor struct {
	io.Reader
	// finish drains the stream to its end and reports the decompressor's
	// verdict on the whole file (checksums, truncation).
	finish func() error
	// abort stops early; nothing is verified.
	abort func()
}

// openDecompressed starts decompressing the file at path. xz goes through
// the `xz -dc` binary (streaming, constant memory); gzip through the
// standard library.
func openDecompressed(ctx context.Context, path string, comp compression) (*decompressor, error) {
	switch comp {
	case compXZ:
		return openXZ(ctx, path)
	case compGzip:
		return openGzip(path)
	}
	return nil, fmt.Errorf("%w: not a compressed tarball", ErrUnknownFileType)
}

func openXZ(ctx context.Context, path string) (*decompressor, error) {
	in, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("opening tarball: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	// The file goes in on stdin so xz's messages carry no local path.
	cmd := exec.CommandContext(ctx, "xz", "--decompress", "--stdout")
	stderr := &limitedBuffer{max: 4096}
	cmd.Stdin, cmd.Stderr = in, stderr
	out, err := cmd.StdoutPipe()
	if err == nil {
		err = cmd.Start()
	}
	if err != nil {
		cancel()
		in.Close()
		if errors.Is(err, exec.ErrNotFound) {
			return nil, fmt.Errorf("xz binary needed to read .xz files (install xz-utils): %w", err)
		}
		return nil, fmt.Errorf("starting xz: %w", err)
	}
	br := bufio.NewReaderSize(out, 64<<10)
	finish := func() error {
		defer cancel()
		defer in.Close()
		_, copyErr := io.Copy(io.Discard, br)
		if err := cmd.Wait(); err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil {
				return ctxErr
			}
			return classifyXZ(stderr.String(), err)
		}
		if copyErr != nil {
			return fmt.Errorf("reading xz output: %w", copyErr)
		}
		return nil
	}
	abort := func() {
		cancel()
		_ = cmd.Wait() // killed on purpose; its verdict is moot
		in.Close()
	}
	return &decompressor{Reader: br, finish: finish, abort: abort}, nil
}

// classifyXZ turns an xz failure into ErrTruncated or ErrCorrupt.
func classifyXZ(stderr string, err error) error {
	msg := strings.TrimPrefix(strings.TrimSpace(stderr), "xz: (stdin): ")
	if strings.Contains(msg, "Unexpected end of input") {
		return fmt.Errorf("%w: xz: %s", ErrTruncated, msg)
	}
	return fmt.Errorf("%w: xz: %s (%w)", ErrCorrupt, msg, err)
}

func openGzip(path string) (*decompressor, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("opening tarball: %w", err)
	}
	gz, err := gzip.NewReader(bufio.NewReaderSize(f, 64<<10))
	if err != nil {
		f.Close()
		return nil, classifyGzip(err)
	}
	finish := func() error {
		defer f.Close()
		if _, err := io.Copy(io.Discard, gz); err != nil {
			return classifyGzip(err)
		}
		return nil
	}
	abort := func() { f.Close() }
	return &decompressor{Reader: errMapper{gz}, finish: finish, abort: abort}, nil
}

// classifyGzip maps gzip errors to ErrTruncated or ErrCorrupt.
func classifyGzip(err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: gzip stream ends early", ErrTruncated)
	}
	if errors.Is(err, gzip.ErrChecksum) || errors.Is(err, gzip.ErrHeader) {
		return fmt.Errorf("%w: gzip: %w", ErrCorrupt, err)
	}
	return fmt.Errorf("reading gzip: %w", err)
}

// errMapper classifies gzip errors as they surface through tar.Reader.
type errMapper struct{ r io.Reader }

func (m errMapper) Read(p []byte) (int, error) {
	n, err := m.r.Read(p)
	if err != nil && err != io.EOF {
		err = classifyGzip(err)
	}
	return n, err
}

// limitedBuffer keeps the first max bytes written to it.
type limitedBuffer struct {
	bytes.Buffer
	max int
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := b.max - b.Len(); room > 0 {
		b.Buffer.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}
