package imageserver

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/uivmm/uivmm/commands"
	"github.com/uivmm/uivmm/eventstore"
	"github.com/uivmm/uivmm/readmodels"
	ss "github.com/uivmm/uivmm/simplestreams"
)

// Run is the housekeeping worker: it collects orphaned blobs once the
// read models have caught up at start, then every Interval prunes old
// versions, drops abandoned pending files and collects orphans again. A
// failed round is logged and retried at the next tick. It returns when
// ctx ends.
func (s *Service) Run(ctx context.Context) error {
	if err := s.collect(ctx); err != nil && ctx.Err() == nil {
		s.log.Warn("simplestreams: collecting orphaned files at start", "err", err)
	}
	t := time.NewTicker(s.cfg.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
			if err := s.HousekeepAt(ctx, time.Now()); err != nil && ctx.Err() == nil {
				s.log.Warn("simplestreams housekeeping", "err", err)
			}
		}
	}
}

// HousekeepAt runs one housekeeping round as if the time were now: it
// prunes the versions published more than Lifetime before now (never the
// newest of a product), drops pending files older than PendingTTL, and
// removes blobs no event refers to (those older than Grace, for GC). It
// returns every failure, joined.
func (s *Service) HousekeepAt(ctx context.Context, now time.Time) error {
	if err := s.caughtUp(ctx); err != nil {
		return err
	}
	return errors.Join(s.prune(ctx, now), s.expirePending(ctx, now), s.collect(ctx))
}

func systemMeta(command string) commands.Envelope {
	return commands.Envelope{Metadata: eventstore.Metadata{ActorKind: eventstore.ActorSystem,
		ActorName: "simplestreams-housekeeping", Command: command}}
}

// prune records VersionPruned for every due version, then removes the
// pruned versions' blobs that nothing else refers to.
func (s *Service) prune(ctx context.Context, now time.Time) error {
	snap, err := s.rm.SSCatalogSnapshot(ctx)
	if err != nil {
		return err
	}
	keys := map[int64]string{}
	for _, p := range snap.Products {
		keys[p.ID] = p.ProductID
	}
	byProduct := map[int64][]readmodels.SSVersion{}
	for _, v := range snap.Versions {
		byProduct[v.Product] = append(byProduct[v.Product], v)
	}
	var errs []error
	for id, versions := range byProduct {
		pvs := make([]ss.PublishedVersion, len(versions))
		files := map[string][]string{}
		for i, v := range versions {
			pvs[i] = publishedOf(v)
			files[v.Serial] = []string{v.Metadata.SHA256, v.Rootfs.SHA256}
		}
		for _, serial := range ss.PruneCandidates(pvs, now, s.cfg.Lifetime) {
			_, err := s.send(ctx, &commands.PruneImageVersion{Envelope: systemMeta("simplestream.prune"),
				ProductID: keys[id], Serial: serial, Reason: fmt.Sprintf("older than %s", s.cfg.Lifetime)})
			if err != nil {
				errs = append(errs, fmt.Errorf("pruning %s %s: %w", keys[id], serial, err))
				continue
			}
			s.log.Info("simplestreams version pruned", "product_id", keys[id], "serial", serial)
			s.removeUnreferenced(ctx, files[serial]...)
		}
	}
	return errors.Join(errs...)
}

// expirePending discards the pending files of versions that received
// nothing for PendingTTL, then removes their blobs.
func (s *Service) expirePending(ctx context.Context, now time.Time) error {
	pending, err := s.rm.SSPendingFiles(ctx)
	if err != nil {
		return err
	}
	type version struct {
		product int64
		serial  string
	}
	last := map[version]int64{}
	shas := map[version][]string{}
	for _, p := range pending {
		v := version{p.Product, p.Serial}
		last[v] = max(last[v], p.ReceivedAt)
		shas[v] = append(shas[v], p.File.SHA256)
	}
	products, err := s.rm.SSProducts(ctx)
	if err != nil {
		return err
	}
	keys := map[int64]string{}
	for _, p := range products {
		keys[p.ID] = p.ProductID
	}
	cutoff := now.Add(-s.cfg.PendingTTL).Unix()
	var errs []error
	for v, at := range last {
		if at >= cutoff {
			continue
		}
		_, err := s.send(ctx, &commands.DiscardImageVersion{Envelope: systemMeta("simplestream.discard"),
			ProductID: keys[v.product], Serial: v.serial, Reason: "abandoned: the version never completed"})
		if err != nil {
			errs = append(errs, fmt.Errorf("discarding %s %s: %w", keys[v.product], v.serial, err))
			continue
		}
		s.log.Info("simplestreams incomplete version dropped", "product_id", keys[v.product], "serial", v.serial)
		s.removeUnreferenced(ctx, shas[v]...)
	}
	return errors.Join(errs...)
}

// collect removes blobs that no event refers to and no upload uses, once
// they are older than Grace, and abandoned upload temp files.
func (s *Service) collect(ctx context.Context) error {
	if err := s.caughtUp(ctx); err != nil {
		return err
	}
	keep, err := s.rm.SSReferencedBlobs(ctx)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for sha := range s.pins {
		keep[sha] = true
	}
	removed, err := s.store.GC(ctx, keep, s.cfg.Grace)
	if len(removed) > 0 {
		s.log.Info("simplestreams orphaned files removed", "count", len(removed))
	}
	return err
}
