package product

import "github.com/uivmm/uivmm/domain"

// Stable event type names. They are stored forever: never rename them.
const (
	TypeAdded            = "product:added"
	TypeFileReceived     = "product:file_received"
	TypeVersionPublished = "product:version_published"
	TypeVersionDiscarded = "product:version_discarded"
	TypeVersionPruned    = "product:version_pruned"
)

// File is a stored image file as events carry it: its content address,
// size and role (RoleMetadata or one of the rootfs roles).
type File struct {
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
	Role   string `json:"role"`
}

// Added is the first event of a product stream. Key is the product id
// "os:release:arch:variant"; Aliases is comma-separated, without spaces.
type Added struct {
	ProductID    int64  `json:"id"`
	Key          string `json:"product_id"`
	OS           string `json:"os"`
	Release      string `json:"release"`
	Arch         string `json:"arch"`
	Variant      string `json:"variant"`
	Aliases      string `json:"aliases"`
	ReleaseTitle string `json:"release_title"`
	At           int64  `json:"at"`
}

// FileReceived records one checked file of a version that is not complete
// yet. It replaces a pending file of the same kind (metadata or rootfs).
type FileReceived struct {
	ProductID int64  `json:"id"`
	Serial    string `json:"serial"`
	File      File   `json:"file"`
	At        int64  `json:"at"`
}

// VersionPublished makes a version visible in images.json. Fingerprint is
// sha256(metadata bytes followed by rootfs bytes); CombinedKeys are the
// images.json keys under which the metadata item carries it. VersionID
// numbers the version (its files are listed by simplestream.images with
// ids 2*VersionID-1 and 2*VersionID). Pending files of the serial are
// cleared.
type VersionPublished struct {
	ProductID    int64    `json:"id"`
	Serial       string   `json:"serial"`
	VersionID    int64    `json:"version_id"`
	Metadata     File     `json:"metadata"`
	Rootfs       File     `json:"rootfs"`
	Fingerprint  string   `json:"fingerprint"`
	CombinedKeys []string `json:"combined_keys"`
	Architecture string   `json:"architecture"`
	PublishedAt  int64    `json:"published_at"`
}

// VersionDiscarded drops pending files of an unpublished serial: the
// version was invalid, or it was abandoned before it completed. Files
// lists the dropped files so a reader of this event alone knows which
// blobs lost a reference.
type VersionDiscarded struct {
	ProductID int64  `json:"id"`
	Serial    string `json:"serial"`
	Files     []File `json:"files"`
	Reason    string `json:"reason"`
	At        int64  `json:"at"`
}

// VersionPruned removes a published version from images.json. It repeats
// the version's files for readers of this event alone.
type VersionPruned struct {
	ProductID int64  `json:"id"`
	Serial    string `json:"serial"`
	Files     []File `json:"files"`
	Reason    string `json:"reason"`
	At        int64  `json:"at"`
}

func (Added) EventType() string            { return TypeAdded }
func (FileReceived) EventType() string     { return TypeFileReceived }
func (VersionPublished) EventType() string { return TypeVersionPublished }
func (VersionDiscarded) EventType() string { return TypeVersionDiscarded }
func (VersionPruned) EventType() string    { return TypeVersionPruned }

// Register adds this package's events to r.
func Register(r *domain.Registry) {
	r.Register(
		func() domain.Event { return &Added{} },
		func() domain.Event { return &FileReceived{} },
		func() domain.Event { return &VersionPublished{} },
		func() domain.Event { return &VersionDiscarded{} },
		func() domain.Event { return &VersionPruned{} },
	)
}
