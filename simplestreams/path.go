package simplestreams

import "strings"

// Item paths in images.json are content addressed and relative to the
// stream root (the remote URL): "images/<sha256>/<name>". The same bytes
// always have the same path, whichever product or version lists them, so
// a path can be cached forever. <name> only gives LXD a sensible file name
// (it keeps the last path element as the image's filename).
const imagesDir = "images/"

// fileNames are the <name> part of an item path, by role. A metadata
// tarball is always called lxd.tar.xz, as the ftype is, even when it is
// gzip-compressed: LXD detects the compression from the content.
var fileNames = map[Role]string{
	RoleMetadata:  "lxd.tar.xz",
	RoleSquashfs:  "root.squashfs",
	RoleRootTarXZ: "root.tar.xz",
	RoleDiskKVM:   "disk.qcow2",
}

// ItemPath returns the path under which images.json lists b.
func ItemPath(b Blob) string {
	return imagesDir + b.SHA256 + "/" + fileNames[b.Role]
}

// ResolvePath maps an item path back to the blob digest it names. It
// accepts exactly what ItemPath produces (a leading "/" is tolerated) and
// nothing else, so the result is always a well-formed digest that is safe
// to hand to Store.Open. It is purely syntactic: the HTTP handler must
// still check that the blob belongs to a published version before
// serving it.
func ResolvePath(p string) (sha string, ok bool) {
	rest, found := strings.CutPrefix(strings.TrimPrefix(p, "/"), imagesDir)
	if !found {
		return "", false
	}
	sha, name, found := strings.Cut(rest, "/")
	if !found || !validDigest(sha) || !knownFileName(name) {
		return "", false
	}
	return sha, true
}

func knownFileName(name string) bool {
	for _, n := range fileNames {
		if n == name {
			return true
		}
	}
	return false
}
