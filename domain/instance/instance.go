package instance

import (
	"fmt"
	"slices"
	"time"

	"github.com/uivmm/uivmm/domain"
)

// ClaimNamespace is the unique-claim namespace of instance names.
const ClaimNamespace = "instance"

// Stream returns the event stream name of instance id.
func Stream(id int64) string { return fmt.Sprintf("instance-%d", id) }

// ClaimKey is the claim that keeps a name once per server:
// "<serverID>/<name>" (claims compare keys case-insensitively).
func ClaimKey(serverID int64, name string) string { return fmt.Sprintf("%d/%s", serverID, name) }

type pendingAction struct {
	requestID string
	action    string
}

// Instance is the aggregate. Its fields change only in When.
type Instance struct {
	root      domain.Root
	id        int64
	serverID  int64
	owner     int64
	name      string
	typ       string
	lxdStatus string // the last status LXD reported or an outcome established
	inLXD     bool   // LXD has the instance, as far as uivmm knows
	creating  bool   // Requested, and neither Started nor Failed yet
	pending   []pendingAction
	gone      bool // Deleted or VanishedExternally
}

// New returns an empty instance, to be loaded from its stream.
func New() *Instance { return &Instance{} }

// Root implements domain.Aggregate.
func (i *Instance) Root() *domain.Root { return &i.root }

// Accessors.
func (i *Instance) ID() int64         { return i.id }
func (i *Instance) ServerID() int64   { return i.serverID }
func (i *Instance) Owner() int64      { return i.owner }
func (i *Instance) Name() string      { return i.name }
func (i *Instance) Type() string      { return i.typ }
func (i *Instance) LXDStatus() string { return i.lxdStatus }
func (i *Instance) InLXD() bool       { return i.inLXD }
func (i *Instance) Creating() bool    { return i.creating }
func (i *Instance) Gone() bool        { return i.gone }

// PendingAction returns the action of request requestID if it has no
// outcome yet.
func (i *Instance) PendingAction(requestID string) (string, bool) {
	for _, p := range i.pending {
		if p.requestID == requestID {
			return p.action, true
		}
	}
	return "", false
}

// PendingRequests lists the request ids of actions without an outcome,
// oldest first.
func (i *Instance) PendingRequests() []string {
	out := make([]string, len(i.pending))
	for n, p := range i.pending {
		out[n] = p.requestID
	}
	return out
}

// When applies one event. It is the only place that changes fields.
func (i *Instance) When(e domain.Event) {
	switch ev := e.(type) {
	case *Requested:
		i.id, i.serverID, i.owner, i.name, i.typ = ev.InstanceID, ev.ServerID, ev.UserID, ev.Name, ev.Type
		i.creating = true
	case *Created:
		i.inLXD, i.lxdStatus = true, ev.Snapshot.Status
	case *Started:
		i.creating, i.inLXD, i.lxdStatus = false, true, ev.Status
	case *Failed:
		i.creating = false
		if ev.Status != "" {
			i.inLXD, i.lxdStatus = true, ev.Status
		} else if ev.Stage == StageCreate {
			i.inLXD, i.lxdStatus = false, ""
		}
	case *ActionRequested:
		i.pending = append(i.pending, pendingAction{ev.RequestID, ev.Action})
	case *ActionSucceeded:
		i.dropPending(ev.RequestID)
		if ev.Status != "" && ev.Status != StatusDeleted {
			i.inLXD, i.lxdStatus = true, ev.Status
		}
	case *ActionFailed:
		i.dropPending(ev.RequestID)
		if ev.Status != "" {
			i.inLXD, i.lxdStatus = true, ev.Status
		}
	case *Deleted:
		i.gone, i.inLXD, i.lxdStatus = true, false, ""
	case *StatusObserved:
		i.inLXD, i.lxdStatus = true, ev.Status
	case *AppearedExternally:
		i.id, i.serverID, i.owner, i.name, i.typ = ev.InstanceID, ev.ServerID, ev.UserID, ev.Name, ev.Snapshot.Type
		i.inLXD, i.lxdStatus = true, ev.Snapshot.Status
	case *VanishedExternally:
		i.gone, i.inLXD, i.lxdStatus = true, false, ""
	}
}

func (i *Instance) dropPending(requestID string) {
	i.pending = slices.DeleteFunc(i.pending, func(p pendingAction) bool { return p.requestID == requestID })
}

// Request records a new instance id of owner on server, as spec asks
// (checked and normalised here). Name uniqueness is the caller's (a claim
// on ClaimKey).
func (i *Instance) Request(id, serverID, owner int64, spec Spec, requestID string, now time.Time) error {
	if i.id != 0 {
		return domain.Conflict(DetailDuplicate)
	}
	if id <= 0 || serverID <= 0 || owner <= 0 {
		return fmt.Errorf("requesting instance: ids %d/%d/%d are not positive", id, serverID, owner)
	}
	spec, err := spec.Check()
	if err != nil {
		return err
	}
	domain.Record(i, &Requested{InstanceID: id, ServerID: serverID, UserID: owner, Spec: spec, RequestID: requestID, At: now.Unix()})
	return nil
}

// MarkCreated records that LXD made the requested instance. It records
// nothing when that is known already (a redelivered request).
func (i *Instance) MarkCreated(snap Snapshot, now time.Time) {
	if !i.creating || i.inLXD {
		return
	}
	domain.Record(i, &Created{InstanceID: i.id, ServerID: i.serverID, Name: i.name, Snapshot: snap, At: now.Unix()})
}

// MarkStarted records that the requested instance runs, ending the
// request; nothing once the request has an outcome.
func (i *Instance) MarkStarted(status string, now time.Time) {
	if !i.creating {
		return
	}
	domain.Record(i, &Started{InstanceID: i.id, ServerID: i.serverID, Name: i.name, Status: status, At: now.Unix()})
}

// Fail records that the request failed at stage with LXD's reason;
// status is the LXD status after the failure ("" when there is no
// instance). Nothing once the request has an outcome.
func (i *Instance) Fail(stage, reason, status string, now time.Time) {
	if !i.creating {
		return
	}
	domain.Record(i, &Failed{InstanceID: i.id, ServerID: i.serverID, Name: i.name, Stage: stage, Reason: reason,
		Status: status, At: now.Unix()})
}

// RequestAction records a request for action. An unknown, deleted or
// vanished instance is "not found".
func (i *Instance) RequestAction(action, requestID string, now time.Time) error {
	if i.id == 0 || i.gone {
		return domain.NotFound(DetailNotFound)
	}
	if !ValidAction(action) {
		return domain.Invalid("instance_status", DetailActionInvalid)
	}
	if requestID == "" {
		return fmt.Errorf("requesting %s of instance %d: no request id", action, i.id)
	}
	if _, ok := i.PendingAction(requestID); ok {
		return nil
	}
	domain.Record(i, &ActionRequested{InstanceID: i.id, ServerID: i.serverID, Name: i.name, Action: action,
		RequestID: requestID, At: now.Unix()})
	return nil
}

// CompleteAction records the success of request requestID; status is the
// LXD status after it. A delete also ends the instance. Nothing when the
// request has no pending action (a redelivery).
func (i *Instance) CompleteAction(requestID, status string, now time.Time) {
	action, ok := i.PendingAction(requestID)
	if !ok {
		return
	}
	if action == ActionDelete {
		status = StatusDeleted
	}
	domain.Record(i, &ActionSucceeded{InstanceID: i.id, ServerID: i.serverID, Name: i.name, Action: action,
		RequestID: requestID, Status: status, At: now.Unix()})
	if action == ActionDelete && !i.gone {
		domain.Record(i, &Deleted{InstanceID: i.id, ServerID: i.serverID, Name: i.name, At: now.Unix()})
	}
}

// FailAction records the failure of request requestID with LXD's reason;
// status is the LXD status read after it ("" when unknown).
func (i *Instance) FailAction(requestID, reason, status string, now time.Time) {
	action, ok := i.PendingAction(requestID)
	if !ok {
		return
	}
	domain.Record(i, &ActionFailed{InstanceID: i.id, ServerID: i.serverID, Name: i.name, Action: action,
		RequestID: requestID, Reason: reason, Status: status, At: now.Unix()})
}

// echo reports whether LXD reporting status is what uivmm's own pending
// work makes it say.
func (i *Instance) echo(status string) bool {
	if i.creating && (status == StatusStopped || status == StatusRunning) {
		return true
	}
	for _, p := range i.pending {
		if slices.Contains(actions[p.action].echoes, status) {
			return true
		}
	}
	return false
}

// Observe records that LXD reports status for the instance, from source
// (lxdAction names the lifecycle event, "" for a reconciliation). It
// records nothing when uivmm knows that status already, when the report
// echoes uivmm's own pending work, or when the instance is gone.
func (i *Instance) Observe(status, source, lxdAction string, now time.Time) {
	if i.id == 0 || i.gone || status == "" || i.echo(status) || (i.inLXD && status == i.lxdStatus) {
		return
	}
	domain.Record(i, &StatusObserved{InstanceID: i.id, ServerID: i.serverID, Name: i.name, Status: status,
		Previous: i.lxdStatus, Source: source, LXDAction: lxdAction, At: now.Unix()})
}

// ObserveVanished records that LXD no longer has the instance. Nothing is
// recorded for an instance LXD never had as far as uivmm knows (a request
// in flight or failed), for a pending delete (uivmm's own), or when the
// instance is gone already.
func (i *Instance) ObserveVanished(source string, now time.Time) {
	if i.id == 0 || i.gone || !i.inLXD || i.echo(StatusVanished) {
		return
	}
	domain.Record(i, &VanishedExternally{InstanceID: i.id, ServerID: i.serverID, Name: i.name, Source: source, At: now.Unix()})
}

// Appear records an instance LXD has and uivmm did not make; owner is the
// server's owner. The name's claim is the caller's.
func (i *Instance) Appear(id, serverID, owner int64, name string, snap Snapshot, source string, now time.Time) error {
	if i.id != 0 {
		return domain.Conflict(DetailDuplicate)
	}
	if id <= 0 || serverID <= 0 {
		return fmt.Errorf("recording instance %s: ids %d/%d are not positive", name, id, serverID)
	}
	if err := ValidateName(name); err != nil {
		return err
	}
	domain.Record(i, &AppearedExternally{InstanceID: id, ServerID: serverID, UserID: owner, Name: name,
		Snapshot: snap, Source: source, At: now.Unix()})
	return nil
}
