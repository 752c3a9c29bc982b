// Package product holds the simplestreams product aggregate of uivmm's
// built-in image server (stream "product-<id>"): one image stream
// ("os:release:arch:variant") and its versions, each a metadata file and a
// rootfs file published under a serial such as "20261126_1831".
//
// A version's files may arrive in one upload or in several. Files of an
// incomplete version are recorded one by one (FileReceived) as pending;
// a version is published (VersionPublished) only once both files are
// there and checked, which the command layer does before it asks this
// aggregate. Pending files of a version that turned out invalid, or that
// never completed, are dropped (VersionDiscarded). Old versions are pruned
// (VersionPruned); the newest published version of a product never is.
//
// Files are referenced by their content address (sha256), size and role;
// where the blobs live on disk is no concern of the events. A serial once
// published is never published again, even after pruning: LXD caches
// images.json and must never see one serial with other content.
//
// Uniqueness of the product id and of each alias across products is kept
// by claims (package unique) in ClaimNamespace and AliasNamespace, not by
// this aggregate. Validation of names, architectures and serials is the
// command layer's (package simplestreams); this package stays free of it.
//
// It imports only the standard library and package domain.
package product
