package lxd

import "context"

// Host is what uivmm does with one LXD host. *Server implements it;
// other packages depend on Host so their tests can use a fake.
// Implementations must be safe for concurrent use.
type Host interface {
	Info(ctx context.Context) (ServerInfo, error)
	GetServerCertFingerprint(ctx context.Context) (string, error)

	Instances(ctx context.Context) ([]Instance, error)
	Instance(ctx context.Context, name string) (Instance, error)
	CreateInstance(ctx context.Context, spec InstanceSpec) error
	InstanceAction(ctx context.Context, name string, action Action) error
	DeleteInstance(ctx context.Context, name string) error

	Images(ctx context.Context) ([]Image, error)
	DeleteImage(ctx context.Context, fingerprint string) error
	RemoteImages(ctx context.Context, serverURL, certPEM string) ([]Image, error)

	Profiles(ctx context.Context) ([]Profile, error)
	UpdateProfile(ctx context.Context, name, body, rename string) error
	DeleteProfile(ctx context.Context, name string) error

	Networks(ctx context.Context) ([]Network, error)
	Pools(ctx context.Context) ([]Pool, error)
	Volumes(ctx context.Context) ([]Volume, error)

	Certificates(ctx context.Context) ([]Certificate, error)
	DeleteCertificate(ctx context.Context, fingerprint string) error

	Events(ctx context.Context, types []string, handler func(Event)) error
}

var _ Host = (*Server)(nil)
