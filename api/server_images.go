package api

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/domain/server"
	"github.com/uivmm/uivmm/lxd"
)

// Image server protocols and the image servers offered by default.
const (
	protocolSimplestreams = "simplestreams"
	// SimplestreamPath is where uivmm serves its own simplestreams
	// server, below the request's origin.
	SimplestreamPath = "/api/v1/simplestream.list"
)

// DefaultImageServers are always offered by image.serverList.
var DefaultImageServers = []string{
	"https://images.linuxcontainers.org",
	"https://cloud-images.ubuntu.com/releases",
}

// DetailImageServerURL refuses an image_server_host that is not a URL.
const DetailImageServerURL = "the image server must be an http or https url"

// imageAttrs renders an image in every shape at once (the contract asks
// for all image fields in each): serverHost is "" for the host's own
// images.
func imageAttrs(img lxd.Image, serverHost, protocol string) map[string]any {
	return map[string]any{
		"provider": server.Provider, "image_server_host": serverHost, "image_server_protocol": protocol,
		"image_fingerprint": img.Fingerprint, "image_description": img.Description,
		"image_architecture": img.Architecture, "image_instance_type": img.Type,
		"image_os": strings.ToLower(img.OS), "image_release": img.Release, "image_serial": img.Serial,
		"image_aliases": strings.Join(img.Aliases, ","), "image_size": img.Size,
		"image_cached": img.Cached, "image_public": img.Public, "image_uploaded_at": unix(img.UploadedAt),
		"image_last_used_at": unix(img.LastUsedAt), "image_expires_at": unix(img.ExpiresAt),
	}
}

type imageListBody struct {
	serverRef
	ServerHost string `json:"image_server_host"`
}

// imageList lists the host's images (image_server_host "" or absent) or
// the images of the simplestreams server at that URL.
func (s *Server) imageList(ctx context.Context, c *Call) (Document, error) {
	var b imageListBody
	if err := c.Decode(&b); err != nil {
		return Document{}, err
	}
	remote := strings.TrimSpace(b.ServerHost)
	if remote != "" {
		u, err := imageServerURL(remote)
		if err != nil {
			return Document{}, err
		}
		remote = u
	}
	row, h, err := s.hostOf(ctx, c, &b.serverRef)
	if err != nil {
		return Document{}, err
	}
	kind, protocol := "image", ""
	var list []lxd.Image
	if remote == "" {
		list, err = h.Images(ctx)
	} else {
		kind, protocol = "remote-image", protocolSimplestreams
		list, err = h.RemoteImages(ctx, remote, s.images.CertificateFor(ctx, remote)) // pins uivmm's own server
	}
	if err != nil {
		return Document{}, err
	}
	key := func(i int) string { return list[i].Fingerprint }
	if remote != "" {
		key = func(i int) string { return remote + " " + list[i].Fingerprint }
	}
	items, err := s.resources(ctx, row.ID, kind, len(list), key,
		func(i int) map[string]any { return imageAttrs(list[i], remote, protocol) })
	for i := range items {
		items[i].Type = "image"
	}
	return Many(items), err
}

// imageServerURL checks an image server URL: http or https, a host, no
// credentials, query or fragment. The trailing slash is dropped.
func imageServerURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		u.RawQuery != "" || u.Fragment != "" {
		return "", domain.Invalid("image_server_host", DetailImageServerURL)
	}
	return strings.TrimRight(u.String(), "/"), nil
}

// imageServerList offers the image servers: the defaults, and uivmm's own
// simplestreams server when it is enabled. Never empty.
func (s *Server) imageServerList(ctx context.Context, c *Call) (Document, error) {
	var b serverRef
	if err := c.Decode(&b); err != nil {
		return Document{}, err
	}
	if err := b.check(); err != nil {
		return Document{}, err
	}
	row, err := s.ownedServer(ctx, c, b.ServerID.V)
	if err != nil {
		return Document{}, err
	}
	urls := append([]string(nil), DefaultImageServers...)
	if own := ownSimplestreams(c.Request); s.opts.SimplestreamEnabled && own != "" {
		urls = append(urls, own)
	}
	items, err := s.resources(ctx, row.ID, "image-server", len(urls), func(i int) string { return urls[i] },
		func(i int) map[string]any { return imageAttrs(lxd.Image{}, urls[i], protocolSimplestreams) })
	for i := range items {
		items[i].Type = "image"
	}
	return Many(items), err
}

// ownSimplestreams is uivmm's simplestreams URL as the caller reaches
// uivmm: the request's scheme (or X-Forwarded-Proto) and host (or
// X-Forwarded-Host). "" when the host is unusable.
func ownSimplestreams(r *http.Request) string {
	if r == nil {
		return ""
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if p := strings.ToLower(strings.TrimSpace(r.Header.Get("X-Forwarded-Proto"))); p == "http" || p == "https" {
		scheme = p
	}
	host := r.Host
	if fh := r.Header.Get("X-Forwarded-Host"); fh != "" {
		host, _, _ = strings.Cut(fh, ",")
	}
	host = strings.TrimSpace(host)
	u := &url.URL{Scheme: scheme, Host: host, Path: SimplestreamPath}
	if host == "" || strings.ContainsAny(host, "/?#@ \\") {
		return ""
	}
	return u.String()
}
