package server

import (
	"fmt"
	"net"
	"strings"
	"unicode"

	"github.com/uivmm/uivmm/domain"
)

// Kinds of server uivmm manages, and how a host came to trust uivmm.
const (
	Protocol      = "lxd"
	Provider      = "lxd"
	TrustPassword = "password"
	TrustToken    = "token"
)

// ClaimNamespace is the unique-claim namespace of host:port pairs.
const ClaimNamespace = "server"

// Details the original front-end translates. Never change them.
const (
	DetailDuplicate   = "server with this host and port already added"
	DetailPortNumeric = "the port must be numeric"
)

// Details of uivmm's own checks.
const (
	DetailNotFound            = "server not found"
	DetailHostInvalid         = "the host must be a host name or an ip address"
	DetailPortRange           = "the port must be between 1 and 65535"
	DetailProviderUnsupported = "provider is not supported"
	DetailProtocolUnsupported = "protocol is not supported"
	DetailAddDisabled         = "adding servers is disabled"
	DetailOwnCertificate      = "uivmm's own certificate cannot be revoked"
	DetailProfileName         = "the profile name is invalid"
	DetailFingerprint         = "the fingerprint must be hexadecimal"
	DetailRequestID           = "the request id is missing"
)

// Stream returns the event stream name of server id.
func Stream(id int64) string { return fmt.Sprintf("server-%d", id) }

// ClaimKey is the claim that keeps one host:port once: the normalised
// host (lower case; IPv6 in brackets) and the port.
func ClaimKey(host string, port int) string {
	return net.JoinHostPort(strings.ToLower(host), fmt.Sprint(port))
}

// NormalizeHost checks that host is an IP address or a DNS host name (no
// scheme, port, path or user) and returns its canonical form: an IP as
// net.IP prints it, a name in lower case without a trailing dot.
func NormalizeHost(host string) (string, error) {
	h := strings.TrimSpace(host)
	if h == "" {
		return "", domain.Invalid("server_host", domain.DetailFieldRequired)
	}
	if strings.HasPrefix(h, "[") && strings.HasSuffix(h, "]") {
		h = h[1 : len(h)-1]
	}
	if ip := net.ParseIP(h); ip != nil {
		return ip.String(), nil
	}
	h = strings.ToLower(strings.TrimSuffix(h, "."))
	if !validHostName(h) {
		return "", domain.Invalid("server_host", DetailHostInvalid)
	}
	return h, nil
}

func validHostName(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
				return false
			}
		}
	}
	return true
}

// ValidatePort checks a TCP port.
func ValidatePort(port int64) error {
	if port < 1 || port > 65535 {
		return domain.Invalid("server_port", DetailPortRange)
	}
	return nil
}

// ValidateKind checks the protocol and provider of a server: "" or "lxd".
func ValidateKind(protocol, provider string) error {
	if provider != "" && provider != Provider {
		return domain.Invalid("provider", DetailProviderUnsupported)
	}
	if protocol != "" && protocol != Protocol {
		return domain.Invalid("server_protocol", DetailProtocolUnsupported)
	}
	return nil
}

// ValidateProfileName checks a profile name as far as uivmm can: present,
// no slash, no white space or control characters. LXD checks the rest.
func ValidateProfileName(field, name string) error {
	switch {
	case name == "":
		return domain.Invalid(field, domain.DetailFieldRequired)
	case len(name) > 255, name == ".", name == "..", strings.ContainsRune(name, '/'),
		strings.IndexFunc(name, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
		return domain.Invalid(field, DetailProfileName)
	}
	return nil
}

// NormalizeFingerprint checks a certificate or image fingerprint (or a
// unique prefix of one, as LXD accepts) and returns it in lower case.
func NormalizeFingerprint(field, fp string) (string, error) {
	fp = strings.ToLower(strings.TrimSpace(fp))
	if fp == "" {
		return "", domain.Invalid(field, domain.DetailFieldRequired)
	}
	if len(fp) > 64 || strings.Trim(fp, "0123456789abcdef") != "" {
		return "", domain.Invalid(field, DetailFingerprint)
	}
	return fp, nil
}
