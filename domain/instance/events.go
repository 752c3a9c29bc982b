package instance

import "github.com/uivmm/uivmm/domain"

// Stable event type names. They are stored forever: never rename them.
const (
	TypeRequested        = "instance:requested"
	TypeCreated          = "instance:created"
	TypeStarted          = "instance:started"
	TypeFailed           = "instance:failed"
	TypeActionRequested  = "instance:action_requested"
	TypeActionSucceeded  = "instance:action_succeeded"
	TypeActionFailed     = "instance:action_failed"
	TypeDeleted          = "instance:deleted"
	TypeStatusObserved   = "instance:status_observed"
	TypeAppearedExternal = "instance:appeared_externally"
	TypeVanishedExternal = "instance:vanished_externally"
)

// Sources of an external observation.
const (
	SourceEvent     = "lxd-event" // an event on LXD's /1.0/events
	SourceReconcile = "reconcile" // comparing LXD's instance list with uivmm's
)

// Snapshot is what LXD says about an instance (its expanded config).
type Snapshot struct {
	Type         string                       `json:"type"`
	Architecture string                       `json:"architecture"`
	Status       string                       `json:"status"` // lower case, as LXD reports it
	ImageOS      string                       `json:"image_os,omitempty"`
	ImageVersion string                       `json:"image_version,omitempty"`
	Memory       string                       `json:"memory,omitempty"` // limits.memory, e.g. "256MiB"
	CPU          string                       `json:"cpu,omitempty"`    // limits.cpu
	Profiles     []string                     `json:"profiles,omitempty"`
	Devices      map[string]map[string]string `json:"devices,omitempty"`
}

// Requested is the first event of an instance uivmm makes: UserID asked
// for it on ServerID (UserID owns it). It holds the request as given,
// validated; SSH keys are read when the instance is created.
type Requested struct {
	InstanceID int64 `json:"instance_id"`
	ServerID   int64 `json:"server_id"`
	UserID     int64 `json:"user_id"`
	Spec
	RequestID string `json:"request_id,omitempty"`
	At        int64  `json:"at"`
}

// Created: LXD made the instance (not started yet); Snapshot is what LXD
// reported right after.
type Created struct {
	InstanceID int64    `json:"instance_id"`
	ServerID   int64    `json:"server_id"`
	Name       string   `json:"name"`
	Snapshot   Snapshot `json:"snapshot"`
	At         int64    `json:"at"`
}

// Started: the new instance runs; the request is done.
type Started struct {
	InstanceID int64  `json:"instance_id"`
	ServerID   int64  `json:"server_id"`
	Name       string `json:"name"`
	Status     string `json:"status"`
	At         int64  `json:"at"`
}

// Stages a request can fail at.
const (
	StageCreate = "create"
	StageStart  = "start"
)

// Failed: the request failed at Stage with LXD's Reason. Status is the
// instance's LXD status after the failure ("" when it does not exist).
type Failed struct {
	InstanceID int64  `json:"instance_id"`
	ServerID   int64  `json:"server_id"`
	Name       string `json:"name"`
	Stage      string `json:"stage"`
	Reason     string `json:"reason"`
	Status     string `json:"status,omitempty"`
	At         int64  `json:"at"`
}

// ActionRequested: a user asked for Action (see Actions).
type ActionRequested struct {
	InstanceID int64  `json:"instance_id"`
	ServerID   int64  `json:"server_id"`
	Name       string `json:"name"`
	Action     string `json:"action"`
	RequestID  string `json:"request_id"`
	At         int64  `json:"at"`
}

// ActionSucceeded: the action of request RequestID is done; Status is the
// instance's LXD status after it ("deleted" for a delete).
type ActionSucceeded struct {
	InstanceID int64  `json:"instance_id"`
	ServerID   int64  `json:"server_id"`
	Name       string `json:"name"`
	Action     string `json:"action"`
	RequestID  string `json:"request_id"`
	Status     string `json:"status"`
	At         int64  `json:"at"`
}

// ActionFailed: LXD refused or failed the action with Reason; Status is
// the LXD status read after the failure ("" when unknown).
type ActionFailed struct {
	InstanceID int64  `json:"instance_id"`
	ServerID   int64  `json:"server_id"`
	Name       string `json:"name"`
	Action     string `json:"action"`
	RequestID  string `json:"request_id"`
	Reason     string `json:"reason"`
	Status     string `json:"status,omitempty"`
	At         int64  `json:"at"`
}

// Deleted ends an instance uivmm deleted. It repeats the server and name
// so a reader of this event alone can free the claim.
type Deleted struct {
	InstanceID int64  `json:"instance_id"`
	ServerID   int64  `json:"server_id"`
	Name       string `json:"name"`
	At         int64  `json:"at"`
}

// StatusObserved: LXD reports Status, which uivmm did not cause.
// LXDAction is the lifecycle action that told (e.g. "instance-stopped"),
// "" for a reconciliation.
type StatusObserved struct {
	InstanceID int64  `json:"instance_id"`
	ServerID   int64  `json:"server_id"`
	Name       string `json:"name"`
	Status     string `json:"status"`
	Previous   string `json:"previous"`
	Source     string `json:"source"`
	LXDAction  string `json:"lxd_action,omitempty"`
	At         int64  `json:"at"`
}

// AppearedExternally is the first event of an instance made behind
// uivmm's back. UserID is the server's owner, who owns it from now on.
type AppearedExternally struct {
	InstanceID int64    `json:"instance_id"`
	ServerID   int64    `json:"server_id"`
	UserID     int64    `json:"user_id"`
	Name       string   `json:"name"`
	Snapshot   Snapshot `json:"snapshot"`
	Source     string   `json:"source"`
	At         int64    `json:"at"`
}

// VanishedExternally ends an instance deleted behind uivmm's back.
type VanishedExternally struct {
	InstanceID int64  `json:"instance_id"`
	ServerID   int64  `json:"server_id"`
	Name       string `json:"name"`
	Source     string `json:"source"`
	At         int64  `json:"at"`
}

func (Requested) EventType() string          { return TypeRequested }
func (Created) EventType() string            { return TypeCreated }
func (Started) EventType() string            { return TypeStarted }
func (Failed) EventType() string             { return TypeFailed }
func (ActionRequested) EventType() string    { return TypeActionRequested }
func (ActionSucceeded) EventType() string    { return TypeActionSucceeded }
func (ActionFailed) EventType() string       { return TypeActionFailed }
func (Deleted) EventType() string            { return TypeDeleted }
func (StatusObserved) EventType() string     { return TypeStatusObserved }
func (AppearedExternally) EventType() string { return TypeAppearedExternal }
func (VanishedExternally) EventType() string { return TypeVanishedExternal }

// Register adds this package's events to r.
func Register(r *domain.Registry) {
	r.Register(
		func() domain.Event { return &Requested{} },
		func() domain.Event { return &Created{} },
		func() domain.Event { return &Started{} },
		func() domain.Event { return &Failed{} },
		func() domain.Event { return &ActionRequested{} },
		func() domain.Event { return &ActionSucceeded{} },
		func() domain.Event { return &ActionFailed{} },
		func() domain.Event { return &Deleted{} },
		func() domain.Event { return &StatusObserved{} },
		func() domain.Event { return &AppearedExternally{} },
		func() domain.Event { return &VanishedExternally{} },
	)
}
