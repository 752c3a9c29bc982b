package lxd

import "context"

// Certificate is an entry of the host's trust store.
type Certificate struct {
	Fingerprint string
	Name        string
	Type        string // "client", "server", "metrics"
	Restricted  bool
	Projects    []string
}

// Certificates lists the host's trust store.
func (s *Server) Certificates(ctx context.Context) ([]Certificate, error) {
	c, cancel := s.client(ctx)
	defer cancel()
	list, err := c.GetCertificates()
	if err != nil {
		return nil, wrap("listing certificates", err)
	}
	out := make([]Certificate, 0, len(list))
	for _, cert := range list {
		out = append(out, Certificate{Fingerprint: cert.Fingerprint, Name: cert.Name, Type: cert.Type,
			Restricted: cert.Restricted, Projects: cert.Projects})
	}
	return out, nil
}

// DeleteCertificate removes a certificate from the host's trust store
// (a unique fingerprint prefix works). Removing uivmm's own certificate
// ends uivmm's access: later calls fail with *Error status 403.
func (s *Server) DeleteCertificate(ctx context.Context, fp string) error {
	c, cancel := s.client(ctx)
	defer cancel()
	return wrap("deleting certificate "+fp, c.DeleteCertificate(fp))
}
