package app

import (
	"fmt"
	"strconv"

	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/domain/credential"
	"github.com/uivmm/uivmm/domain/instance"
	"github.com/uivmm/uivmm/domain/server"
	"github.com/uivmm/uivmm/domain/sshkey"
	"github.com/uivmm/uivmm/domain/token"
	"github.com/uivmm/uivmm/domain/user"
)

// AggregateKind tells the history tools (`uivmm state`) how to rebuild
// one kind of aggregate by folding its stream.
type AggregateKind struct {
	// Stream names the stream of the aggregate with id, as typed on the
	// command line.
	Stream func(id string) (string, error)
	// New returns an empty aggregate to fold events into.
	New func() domain.Aggregate
	// State renders the folded aggregate as JSON-able data. It must hold
	// no secret.
	State func(domain.Aggregate) any
}

// Aggregates lists, by name, the aggregates `uivmm state` can show.
// Packages that add an aggregate (server, instance) add a row here.
func Aggregates() map[string]AggregateKind {
	sshKey := AggregateKind{
		Stream: numericID(sshkey.Stream),
		New:    func() domain.Aggregate { return sshkey.New() },
		State: func(a domain.Aggregate) any {
			k := a.(*sshkey.Key)
			return map[string]any{"id": k.ID(), "user_id": k.UserID(), "key_name": k.Name(),
				"key_public": k.Public(), "fingerprint": k.Fingerprint(), "deleted": k.Deleted()}
		},
	}
	return map[string]AggregateKind{
		"user": {
			Stream: numericID(user.Stream),
			New:    func() domain.Aggregate { return user.New() },
			State:  func(a domain.Aggregate) any { return a.(*user.User).Snapshot() },
		},
		"token": {
			Stream: numericID(token.Stream),
			New:    func() domain.Aggregate { return token.New() },
			State:  func(a domain.Aggregate) any { return a.(*token.Token).Snapshot() },
		},
		"sshkey":  sshKey,
		"ssh-key": sshKey,
		"server": {
			Stream: numericID(server.Stream),
			New:    func() domain.Aggregate { return server.New() },
			State: func(a domain.Aggregate) any {
				sv := a.(*server.Server)
				return map[string]any{"id": sv.ID(), "user_id": sv.UserID(), "server_host": sv.Host(),
					"server_port": sv.Port(), "certificate_fingerprint": sv.CertFingerprint(),
					"client_fingerprint": sv.ClientFingerprint(), "removed": sv.Removed()}
			},
		},
		"instance": {
			Stream: numericID(instance.Stream),
			New:    func() domain.Aggregate { return instance.New() },
			State: func(a domain.Aggregate) any {
				in := a.(*instance.Instance)
				return map[string]any{"id": in.ID(), "server_id": in.ServerID(), "user_id": in.Owner(),
					"instance_name": in.Name(), "instance_type": in.Type(), "instance_status": in.LXDStatus(),
					"in_lxd": in.InLXD(), "creating": in.Creating(), "pending_requests": in.PendingRequests(),
					"gone": in.Gone()}
			},
		},
		"credential": {
			Stream: numericID(credential.Stream),
			New:    func() domain.Aggregate { return credential.New() },
			State: func(a domain.Aggregate) any {
				c := a.(*credential.Credential)
				return map[string]any{"id": c.ID(), "user_id": c.UserID(), "key_name": c.Name(),
					"sign_count": c.SignCount(), "attestation_type": c.AttestationType(),
					"transports": c.Transports(), "key_timeadd": c.AddedAt(), "deleted": c.Deleted()}
			},
		},
	}
}

// numericID adapts a stream-name function of a positive integer id.
func numericID(stream func(int64) string) func(string) (string, error) {
	return func(id string) (string, error) {
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil || n <= 0 {
			return "", fmt.Errorf("id %q is not a positive integer", id)
		}
		return stream(n), nil
	}
}
