package imageserver_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/uivmm/uivmm/domain/product"
	ss "github.com/uivmm/uivmm/simplestreams"
)

// The product events carry package simplestreams' role strings; the
// domain package keeps its own copy (it imports nothing else).
func TestRoleNamesAgree(t *testing.T) {
	for domainRole, ssRole := range map[string]ss.Role{
		product.RoleMetadata: ss.RoleMetadata, product.RoleSquashfs: ss.RoleSquashfs,
		product.RoleRootTarXZ: ss.RoleRootTarXZ, product.RoleDiskKVM: ss.RoleDiskKVM,
	} {
		if domainRole != string(ssRole) {
			t.Errorf("product role %q != simplestreams role %q", domainRole, ssRole)
		}
	}
}

func TestMalformedMultipartIsA400(t *testing.T) {
	s := start(t)
	for _, body := range []string{"garbage", "--xyz\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nabc"} {
		req, _ := http.NewRequest(http.MethodPost, s.URL+"/api/v1/simplestream.upload", strings.NewReader(body))
		req.Header.Set("Content-Type", "multipart/form-data; boundary=xyz")
		req.Header.Set("Authorization", "Bearer "+s.token)
		r := s.Do(req)
		if r.Status != 400 {
			t.Errorf("body %q: %d %s", body, r.Status, r.Raw)
		}
	}
	if files := s.blobs(); len(files) != 0 {
		t.Fatalf("left %v", files)
	}
}
