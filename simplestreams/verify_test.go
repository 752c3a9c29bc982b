package simplestreams_test

import (
	"context"
	"errors"
	"testing"

	ss "github.com/uivmm/uivmm/simplestreams"
)

func TestVerifyFile(t *testing.T) {
	st := ss.NewStore(t.TempDir(), 0)
	rootTarGZ := mustIngest(t, st, fx.rootTarGZ)
	cut := truncatedCopy(t, fx.rootTarGZ, rootTarGZ.Size/2)
	truncated, err := ingestFile(t, st, cut)
	if err != nil {
		t.Fatalf("a rootfs tarball cut in half is refused already at ingest (%v); pick another cut", err)
	}
	tests := []struct {
		name    string
		product ss.Product
		blob    ss.Blob
		want    error
	}{
		{"metadata", amd64, mustIngest(t, st, fx.metaXZ), nil},
		{"gzip metadata", amd64, mustIngest(t, st, fx.metaGZ), nil},
		{"squashfs", amd64, mustIngest(t, st, fx.squashfs), nil},
		{"root.tar.xz", amd64, mustIngest(t, st, fx.rootTarXZ), nil},
		{"qcow2", amd64, mustIngest(t, st, fx.qcow2), nil},
		{"metadata of another arch", amd64, mustIngest(t, st, fx.metaARM), ss.ErrBadArch},
		{"metadata for another product arch", withArch("arm64"), mustIngest(t, st, fx.metaXZ), ss.ErrBadArch},
		{"truncated rootfs tarball", amd64, truncated, ss.ErrTruncated},
		{"unknown role", amd64, ss.Blob{SHA256: rootTarGZ.SHA256, Size: 1, Role: "iso", Path: rootTarGZ.Path}, ss.ErrUnknownFileType},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := ss.VerifyFile(context.Background(), tc.product, tc.blob)
			if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("VerifyFile = %v, want %v", err, tc.want)
			}
		})
	}
}
