package lxd

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	lxdclient "github.com/canonical/lxd/client"
	"github.com/canonical/lxd/shared/api"
)

// Image is an image on a host or on a simplestreams server. Times are
// the zero time.Time when LXD has none (never used, never expires): map
// them with IsZero, not Unix.
type Image struct {
	Fingerprint  string
	Description  string
	Architecture string // LXD's name, e.g. "x86_64"
	Type         string // "container" or "virtual-machine"
	OS           string
	Release      string
	Serial       string // simplestreams version, e.g. "20231110_1200"
	Aliases      []string
	Size         int64 // bytes
	Cached       bool
	Public       bool
	UploadedAt   time.Time
	LastUsedAt   time.Time
	ExpiresAt    time.Time
}

func toImage(in api.Image) Image {
	img := Image{
		Fingerprint:  in.Fingerprint,
		Description:  in.Properties["description"],
		Architecture: in.Architecture,
		Type:         in.Type,
		OS:           in.Properties["os"],
		Release:      in.Properties["release"],
		Serial:       in.Properties["serial"],
		Size:         in.Size,
		Cached:       in.Cached,
		Public:       in.Public,
		UploadedAt:   orZero(in.UploadedAt),
		LastUsedAt:   orZero(in.LastUsedAt),
		ExpiresAt:    orZero(in.ExpiresAt),
	}
	if img.Type == "" {
		img.Type = "container"
	}
	for _, a := range in.Aliases {
		img.Aliases = append(img.Aliases, a.Name)
	}
	return img
}

// orZero maps LXD's "never" (year 1 or the unix epoch) to the zero time.
func orZero(t time.Time) time.Time {
	if t.Unix() <= 0 {
		return time.Time{}
	}
	return t
}

// Images lists the images stored on the host.
func (s *Server) Images(ctx context.Context) ([]Image, error) {
	c, cancel := s.client(ctx)
	defer cancel()
	list, err := c.GetImages()
	if err != nil {
		return nil, wrap("listing images", err)
	}
	out := make([]Image, 0, len(list))
	for _, in := range list {
		out = append(out, toImage(in))
	}
	return out, nil
}

// DeleteImage deletes the image with fingerprint fp (a unique prefix
// works) and waits for LXD. A missing image gives ErrNotFound.
func (s *Server) DeleteImage(ctx context.Context, fp string) error {
	op := "deleting image " + fp
	octx, c, cancel := s.opClient(ctx)
	defer cancel()
	img, _, err := c.GetImage(fp)
	if err != nil {
		return wrap(op, err)
	}
	return s.runOp(octx, c, op, "DELETE", "/images/"+url.PathEscape(img.Fingerprint), nil)
}

// RemoteImages lists the images of the simplestreams server at serverURL
// (http or https). certPEM, when given, pins the server's certificate;
// else an https server must have a certificate the system trusts. It is
// made by uivmm, not by the LXD host, and is bounded like any other call.
func (s *Server) RemoteImages(ctx context.Context, serverURL, certPEM string) ([]Image, error) {
	op := "listing images of " + serverURL
	ctx, cancel := context.WithTimeout(ctx, s.s.timeout)
	defer cancel()
	args := &lxdclient.ConnectionArgs{UserAgent: s.s.userAgent}
	var want []byte
	if certPEM != "" {
		var err error
		if want, err = parseCertPEM(certPEM); err != nil {
			return nil, fmt.Errorf("%s: %w", op, err)
		}
	}
	args.TransportWrapper = func(t *http.Transport) lxdclient.HTTPTransporter {
		if want != nil {
			tune(&pin{want: want}, s.s.timeout)(t)
		}
		return ctxTransport{t: t, ctx: ctx}
	}
	ss, err := lxdclient.ConnectSimpleStreams(serverURL, args)
	if err != nil {
		return nil, wrap(op, err)
	}
	list, err := ss.GetImages()
	if err != nil {
		return nil, wrap(op, err)
	}
	out := make([]Image, 0, len(list))
	for _, in := range list {
		out = append(out, toImage(in))
	}
	return out, nil
}

// ctxTransport puts ctx on every request: LXD's simplestreams client
// makes its requests without one.
type ctxTransport struct {
	t   *http.Transport
	ctx context.Context
}

func (c ctxTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return c.t.RoundTrip(r.WithContext(c.ctx))
}

func (c ctxTransport) Transport() *http.Transport { return c.t }
