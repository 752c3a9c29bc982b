package imageserver_test

import (
	"context"
	"testing"

	"github.com/uivmm/uivmm/app/apptest"
	"github.com/uivmm/uivmm/imageserver"
)

func TestCertificateFor(t *testing.T) {
	env := apptest.StartTLS(t)
	own := env.App.CertificatePEM()
	ctx := context.Background()
	url := env.URL + "/api/v1/simplestream.list"
	if got := imageserver.CertificateFor(ctx, url, own); got != own {
		t.Fatalf("CertificateFor(own URL) = %q", got)
	}
	other := apptest.StartTLS(t)
	for _, u := range []string{other.URL + "/api/v1/simplestream.list", "http://127.0.0.1:1/x", "https://127.0.0.1:1/x", "::"} {
		if got := imageserver.CertificateFor(ctx, u, own); got != "" {
			t.Errorf("CertificateFor(%s) = %q, want none", u, got)
		}
	}
}
