// Package simplestreams holds the pure parts of uivmm's own simplestreams
// image server, the one real LXD (and Incus) hosts use as an image remote:
//
//   - product and serial validation (product.go, arch.go), so nothing LXD
//     would silently drop is ever accepted;
//   - a content-addressed blob store (store.go, gc.go) that streams uploads
//     to disk, hashes them and detects each file's role by its content;
//   - version assembly (version.go): the combined LXD fingerprint and a full
//     integrity and metadata.yaml check of the metadata and rootfs files;
//   - rendering of streams/v1/index.json and streams/v1/images.json
//     (render.go) and the reverse mapping of item paths to blobs (path.go);
//   - the pruning policy (prune.go).
//
// The format it writes was checked against LXD 5.0.2, which drops invalid
// entries without a word; see /work/shared/notes/lxd.md.
//
// There is no HTTP routing and no event store here: callers record
// ProductAdded, VersionPublished and VersionPruned events and serve the
// rendered bytes and blob files themselves.
//
// This package imports only the standard library and gopkg.in/yaml.v3. It
// must not import the LXD client or any uivmm package. Tarball inspection
// shells out to the `xz` binary (xz-utils) for xz-compressed files.
package simplestreams
