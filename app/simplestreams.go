package app

import (
	"context"
	"path/filepath"
	"time"

	"github.com/uivmm/uivmm/config"
	"github.com/uivmm/uivmm/imageserver"
)

// startImages builds the built-in simplestreams image server on
// <data_dir>/simplestreams and adds its housekeeping worker; nil when
// simplestream.enabled is false (the simplestream methods then answer
// 503). Call it after the projection runner exists and before the API.
//
// Housekeeping is its own worker in every process, not a reactor under
// the "lxd" lease: its decisions (prune, discard) are recorded through the
// product aggregate, which records each at most once across processes,
// and the blob files it removes are local to this process's data
// directory, so every process must collect its own.
func (a *App) startImages(cfg config.Config) *imageserver.Service {
	if !cfg.SimpleStream.Enabled {
		return nil
	}
	svc := imageserver.New(imageserver.Config{
		Dir:            filepath.Join(cfg.DataDir, "simplestreams"),
		MaxUpload:      int64(cfg.SimpleStream.MaxUpload),
		Lifetime:       cfg.SimpleStream.ImagesLifetime.Duration,
		Interval:       cfg.SimpleStream.DeletionInterval.Duration,
		ReadYourWrites: cfg.HTTP.ReadYourWritesTimeout.Duration,
		CertPEM:        a.CertificatePEM(),
	}, a.Bus, a.Runner.Waiter(), a.Store, a.RM, a.Log)
	a.runners = append(a.runners, svc.Run)
	return svc
}

// imageCert is the certificate to pin for an image source naming url:
// uivmm's own when url is uivmm's own HTTPS simplestreams server, so the
// LXD host needs no system trust; "" otherwise. It works when the image
// server is disabled too (then it is never uivmm's).
func (a *App) imageCert(url string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return imageserver.CertificateFor(ctx, url, a.CertificatePEM())
}
