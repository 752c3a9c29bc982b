package instance

// The actions instance.action accepts.
const (
	ActionStart        = "start"
	ActionStop         = "stop"
	ActionStopForce    = "stop-force"
	ActionRestart      = "restart"
	ActionRestartForce = "restart-force"
	ActionFreeze       = "freeze"
	ActionUnfreeze     = "unfreeze"
	ActionDelete       = "delete"
)

// LXD statuses (lower case) and uivmm's own.
const (
	StatusRunning = "running"
	StatusStopped = "stopped"
	StatusFrozen  = "frozen"
	// StatusDeleted is the outcome status of a delete.
	StatusDeleted = "deleted"
	// StatusVanished stands for "LXD has no such instance" when a
	// status is compared (it is never shown).
	StatusVanished = "vanished"
	// StatusRequested is shown while a request is in flight.
	StatusRequested = "operation created"
	// StatusError is shown after a request failed.
	StatusError = "error"
)

// actionInfo is what uivmm knows about one action: the LXD statuses its
// own work makes LXD report (an event with one of them, while the action
// is pending, is an echo), the status it ends in ("" when it depends) and
// the in-progress status shown meanwhile.
type actionInfo struct {
	echoes   []string
	end      string
	progress string
}

var actions = map[string]actionInfo{
	ActionStart:        {[]string{StatusRunning}, StatusRunning, "starting"},
	ActionStop:         {[]string{StatusStopped}, StatusStopped, "stopping"},
	ActionStopForce:    {[]string{StatusStopped}, StatusStopped, "stopping"},
	ActionRestart:      {[]string{StatusRunning}, StatusRunning, "starting"},
	ActionRestartForce: {[]string{StatusRunning}, StatusRunning, "starting"},
	ActionFreeze:       {[]string{StatusFrozen}, StatusFrozen, "freezing"},
	ActionUnfreeze:     {[]string{StatusRunning}, StatusRunning, "starting"},
	ActionDelete:       {[]string{StatusStopped, StatusVanished}, StatusDeleted, "stopping"},
}

// Actions lists the valid actions, in the contract's order.
func Actions() []string {
	return []string{ActionStart, ActionStop, ActionStopForce, ActionRestart, ActionRestartForce,
		ActionFreeze, ActionUnfreeze, ActionDelete}
}

// ValidAction reports whether a is an action instance.action accepts.
func ValidAction(a string) bool { _, ok := actions[a]; return ok }

// ProgressStatus is the status shown while action is being done.
func ProgressStatus(action string) string {
	if a, ok := actions[action]; ok {
		return a.progress
	}
	return StatusRequested
}

// EndStatus is the status action ends in, "" when it depends.
func EndStatus(action string) string { return actions[action].end }
