package simplestreams

import (
	"context"
	"fmt"

	"gopkg.in/yaml.v3"
)

// imageMetadata is the part of LXD's metadata.yaml this package reads
// (LXD's api.ImageMetadata has the same field names).
type imageMetadata struct {
	Architecture string            `yaml:"architecture"`
	CreationDate int64             `yaml:"creation_date"`
	ExpiryDate   int64             `yaml:"expiry_date"`
	Properties   map[string]string `yaml:"properties"`
}

// verifyMetadata checks that b is a complete metadata tarball, by content,
// and returns its parsed metadata.yaml with a known architecture.
func verifyMetadata(ctx context.Context, b Blob) (imageMetadata, error) {
	f, head, size, err := openHead(b.Path)
	if err != nil {
		return imageMetadata{}, err
	}
	f.Close()
	role, err := detectRole(ctx, b.Path, head, size)
	if err != nil {
		return imageMetadata{}, err
	}
	if role != RoleMetadata {
		return imageMetadata{}, fmt.Errorf("%w: content is %q", ErrMissingMetadata, role)
	}
	raw, err := verifyTarball(ctx, b.Path, compressionOf(head))
	if err != nil {
		return imageMetadata{}, err
	}
	if raw == nil {
		return imageMetadata{}, fmt.Errorf("%w: no metadata.yaml at the top of the tarball", ErrMissingMetadata)
	}
	return parseMetadata(raw)
}

// parseMetadata decodes metadata.yaml and requires an architecture LXD
// knows.
func parseMetadata(raw []byte) (imageMetadata, error) {
	var m imageMetadata
	if err := yaml.Unmarshal(raw, &m); err != nil {
		return m, fmt.Errorf("%w: metadata.yaml: %w", ErrBadMetadata, err)
	}
	if m.Architecture == "" {
		return m, fmt.Errorf("%w: metadata.yaml has no architecture", ErrBadArch)
	}
	if _, err := NormaliseArch(m.Architecture); err != nil {
		return m, fmt.Errorf("metadata.yaml: %w", err)
	}
	return m, nil
}
