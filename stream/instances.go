package stream

import (
	"github.com/uivmm/uivmm/api"
	"github.com/uivmm/uivmm/domain/instance"
	"github.com/uivmm/uivmm/eventstore"
)

// addInstanceRenderers makes every instance event's body an instance
// resource the front-end can read: instance_name and a lower-case
// instance_status (the outcome of instance.add or instance.action, what
// LXD reported, or the in-progress status of a request), plus server_id,
// and reason for failures.
func addInstanceRenderers(c *Catalog) {
	status := func(s string) func(map[string]any) string { return func(map[string]any) string { return s } }
	field := func(name string) func(map[string]any) string {
		return func(d map[string]any) string { s, _ := d[name].(string); return s }
	}
	for typ, st := range map[string]func(map[string]any) string{
		instance.TypeRequested:        status(instance.StatusRequested),
		instance.TypeCreated:          status(instance.StatusRequested),
		instance.TypeStarted:          field("status"),
		instance.TypeFailed:           status(instance.StatusError),
		instance.TypeActionSucceeded:  field("status"),
		instance.TypeActionFailed:     status("failure"),
		instance.TypeStatusObserved:   field("status"),
		instance.TypeDeleted:          status(instance.StatusDeleted),
		instance.TypeVanishedExternal: status(instance.StatusDeleted),
		instance.TypeAppearedExternal: func(d map[string]any) string {
			snap, _ := d["snapshot"].(map[string]any)
			s, _ := snap["status"].(string)
			return s
		},
		instance.TypeActionRequested: func(d map[string]any) string {
			a, _ := d["action"].(string)
			return instance.ProgressStatus(a)
		},
	} {
		c.AddRenderer(typ, func(rec eventstore.RecordedEvent, d map[string]any) Rendered {
			id, _ := streamID(rec.Stream)
			attrs := map[string]any{"instance_name": d["name"], "instance_status": st(d), "server_id": d["server_id"],
				"provider": "lxd"}
			if r, ok := d["reason"]; ok {
				attrs["reason"] = r
			}
			if a, ok := d["action"]; ok {
				attrs["action"] = a
			}
			return Rendered{Resource: api.Resource{Type: "instance", ID: id, Attributes: attrs}}
		})
	}
}
