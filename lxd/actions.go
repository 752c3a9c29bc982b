package lxd

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	lxdclient "github.com/canonical/lxd/client"
	"github.com/canonical/lxd/shared/api"
)

// Action is a change of an instance's state, as instance.action names it.
type Action string

// The actions InstanceAction accepts.
const (
	ActionStart        Action = "start"
	ActionStop         Action = "stop"
	ActionStopForce    Action = "stop-force"
	ActionRestart      Action = "restart"
	ActionRestartForce Action = "restart-force"
	ActionFreeze       Action = "freeze"
	ActionUnfreeze     Action = "unfreeze"
	ActionDelete       Action = "delete"
)

// actionSpec is what LXD is asked, and the status after which the action
// has nothing left to do ("" = always act).
type actionSpec struct {
	put  api.InstanceStatePut
	done string
}

var actions = map[Action]actionSpec{
	ActionStart:        {api.InstanceStatePut{Action: "start"}, "running"},
	ActionStop:         {api.InstanceStatePut{Action: "stop", Timeout: int(stopTimeout.Seconds())}, "stopped"},
	ActionStopForce:    {api.InstanceStatePut{Action: "stop", Force: true}, "stopped"},
	ActionRestart:      {api.InstanceStatePut{Action: "restart", Timeout: int(stopTimeout.Seconds())}, ""},
	ActionRestartForce: {api.InstanceStatePut{Action: "restart", Force: true}, ""},
	ActionFreeze:       {api.InstanceStatePut{Action: "freeze"}, "frozen"},
	ActionUnfreeze:     {api.InstanceStatePut{Action: "unfreeze"}, "running"},
}

// InstanceAction applies action to the instance and waits until LXD is
// done. It is idempotent: when the instance is already in the action's
// end state (running for start and unfreeze, stopped for the stops,
// frozen for freeze) it returns nil without asking LXD. A graceful stop
// or restart waits up to 30 s for the instance to shut down, then fails
// with LXD's message; the -force variants kill it. ActionDelete is
// DeleteInstance. An unknown action gives ErrInvalid.
func (s *Server) InstanceAction(ctx context.Context, name string, action Action) error {
	op := fmt.Sprintf("%s instance %s", action, name)
	if action == ActionDelete {
		return s.DeleteInstance(ctx, name)
	}
	spec, ok := actions[action]
	if !ok {
		return fmt.Errorf("%s: %w: unknown action %q", op, ErrInvalid, action)
	}
	octx, c, cancel := s.opClient(ctx)
	defer cancel()
	status, err := instanceStatus(c, name)
	if err != nil {
		return wrap(op, err)
	}
	if status == spec.done {
		return nil
	}
	return s.runOp(octx, c, op, "PUT", "/instances/"+url.PathEscape(name)+"/state", spec.put)
}

// DeleteInstance force-stops the instance when it is running or frozen,
// then deletes it, waiting for both. A missing instance gives ErrNotFound.
func (s *Server) DeleteInstance(ctx context.Context, name string) error {
	op := "deleting instance " + name
	octx, c, cancel := s.opClient(ctx)
	defer cancel()
	status, err := instanceStatus(c, name)
	if err != nil {
		return wrap(op, err)
	}
	path := "/instances/" + url.PathEscape(name)
	if status != "stopped" {
		put := api.InstanceStatePut{Action: "stop", Force: true}
		if err := s.runOp(octx, c, op, "PUT", path+"/state", put); err != nil {
			return err
		}
	}
	return s.runOp(octx, c, op, "DELETE", path, nil)
}

func instanceStatus(c *lxdclient.ProtocolLXD, name string) (string, error) {
	in, _, err := c.GetInstance(name)
	if err != nil {
		return "", err
	}
	return strings.ToLower(in.Status), nil
}
