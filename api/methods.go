package api

import (
	"context"
	"net/http"

	"github.com/uivmm/uivmm/domain"
)

// Auth says whether a method needs a bearer token.
type Auth uint8

const (
	// AuthNone methods ignore any token (the UI sends one everywhere).
	AuthNone Auth = iota
	// AuthOptional methods use a valid token when one is sent, and are
	// refused (401) for an invalid one only when they need it.
	AuthOptional
	// AuthRequired methods need a valid token (401 otherwise).
	AuthRequired
)

// Method is one API method. Exactly one of JSON and Raw is set: JSON
// methods get a decoded call and return a document; Raw methods (streams,
// file downloads, uploads) write their own response.
type Method struct {
	Name string
	Auth Auth
	// GET also accepts GET (besides POST).
	GET  bool
	JSON func(ctx context.Context, c *Call) (Document, error)
	Raw  func(w http.ResponseWriter, r *http.Request, c *Call)
	// Mutating methods get their body's request_id into event metadata
	// and wait for the read models before answering.
	Mutating bool
	// MaxBody overrides Options.MaxBody (uploads); 0 keeps the default.
	MaxBody int64
}

// unavailable answers methods whose subsystem is not wired in this
// process (for example LXD methods when no LXD adapter is configured).
func unavailable(ctx context.Context, c *Call) (Document, error) {
	return Document{}, &domain.Error{Kind: domain.KindUnavailable, Detail: "this method is not available on this server"}
}

// catalogue lists all 47 methods of ui-vmm JSON:API v0.2 in one place.
func (s *Server) catalogue() map[string]Method {
	list := []Method{
		{Name: "certificate.list", Auth: AuthRequired, JSON: s.needLXD(s.listOn(s.liveCertificates))},
		{Name: "certificate.revoke", Auth: AuthRequired, Mutating: true, JSON: s.needLXD(s.certificateRevoke)},
		{Name: "config.get", Auth: AuthNone, JSON: s.configGet},
		{Name: "event.auth", Auth: AuthRequired},
		{Name: "event.subscribe", Auth: AuthOptional, GET: true},
		{Name: "health.alive", Auth: AuthNone, GET: true, JSON: s.healthAlive},
		{Name: "health.ready", Auth: AuthNone, GET: true, JSON: s.healthReady},
		{Name: "image.delete", Auth: AuthRequired, Mutating: true, JSON: s.needLXD(s.imageDelete)},
		{Name: "image.list", Auth: AuthRequired, JSON: s.needLXD(s.imageList)},
		{Name: "image.serverList", Auth: AuthRequired, JSON: s.needLXD(s.imageServerList)},
		{Name: "instance.action", Auth: AuthRequired, Mutating: true, JSON: s.instanceAction},
		{Name: "instance.add", Auth: AuthRequired, Mutating: true, JSON: s.instanceAdd},
		{Name: "instance.get", Auth: AuthRequired, JSON: s.instanceGet},
		{Name: "instance.list", Auth: AuthRequired, JSON: s.instanceList},
		{Name: "network.list", Auth: AuthRequired, JSON: s.needLXD(s.listOn(s.liveNetworks))},
		{Name: "pool.list", Auth: AuthRequired, JSON: s.needLXD(s.listOn(s.livePools))},
		{Name: "profile.delete", Auth: AuthRequired, Mutating: true, JSON: s.needLXD(s.profileDelete)},
		{Name: "profile.list", Auth: AuthRequired, JSON: s.needLXD(s.listOn(s.liveProfiles))},
		{Name: "profile.update", Auth: AuthRequired, Mutating: true, JSON: s.needLXD(s.profileUpdate)},
		{Name: "server.add", Auth: AuthRequired, Mutating: true, JSON: s.needLXD(s.serverAdd)},
		{Name: "server.get", Auth: AuthRequired, JSON: s.needLXD(s.serverGet)},
		{Name: "server.list", Auth: AuthRequired, JSON: s.serverList},
		{Name: "server.verify", Auth: AuthRequired, JSON: s.needLXD(s.serverVerify)},
		{Name: "simplestream.add", Auth: AuthRequired, Mutating: true, JSON: s.simplestreamAdd},
		{Name: "simplestream.images", Auth: AuthNone, GET: true, JSON: s.simplestreamImages},
		{Name: "simplestream.list", Auth: AuthNone, GET: true, Raw: s.simplestreamList},
		{Name: "simplestream.upload", Auth: AuthRequired, Mutating: true, Raw: s.simplestreamUpload},
		{Name: "ssh-key.add", Auth: AuthRequired, Mutating: true, JSON: s.sshKeyAdd},
		{Name: "ssh-key.delete", Auth: AuthRequired, Mutating: true, JSON: s.sshKeyDelete},
		{Name: "ssh-key.get", Auth: AuthRequired, JSON: s.sshKeyGet},
		{Name: "token.create", Auth: AuthRequired, Mutating: true, JSON: s.tokenCreate},
		{Name: "token.get", Auth: AuthRequired, JSON: s.tokenGet},
		{Name: "token.revoke", Auth: AuthRequired, Mutating: true, JSON: s.tokenRevoke},
		{Name: "user.assertionGet", Auth: AuthNone, JSON: s.userAssertionGet},
		{Name: "user.assertionVerify", Auth: AuthNone, Mutating: true, JSON: s.userAssertionVerify},
		{Name: "user.credentialDelete", Auth: AuthRequired, Mutating: true, JSON: s.userCredentialDelete},
		{Name: "user.credentialGet", Auth: AuthRequired, JSON: s.userCredentialGet},
		{Name: "user.credentialMake", Auth: AuthOptional, Mutating: true, JSON: s.userCredentialMake},
		{Name: "user.emailChange", Auth: AuthRequired, Mutating: true, JSON: s.userEmailChange},
		{Name: "user.get", Auth: AuthRequired, JSON: s.userGet},
		{Name: "user.login", Auth: AuthNone, Mutating: true, JSON: s.userLogin},
		{Name: "user.logout", Auth: AuthRequired, Mutating: true, JSON: s.userLogout},
		{Name: "user.passwordChange", Auth: AuthRequired, Mutating: true, JSON: s.userPasswordChange},
		{Name: "user.passwordLock", Auth: AuthRequired, Mutating: true, JSON: s.userPasswordLock},
		{Name: "user.recovery", Auth: AuthNone, Mutating: true, JSON: s.userRecovery},
		{Name: "user.register", Auth: AuthNone, Mutating: true, JSON: s.userRegister},
		{Name: "volume.list", Auth: AuthRequired, JSON: s.needLXD(s.listOn(s.liveVolumes))},
	}
	out := make(map[string]Method, len(list))
	for _, m := range list {
		if m.JSON == nil && m.Raw == nil {
			m.JSON = unavailable
		}
		out[m.Name] = m
	}
	return out
}
