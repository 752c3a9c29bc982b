package api

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"sync"

	"github.com/uivmm/uivmm/commands"
	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/domain/instance"
	"github.com/uivmm/uivmm/domain/server"
	"github.com/uivmm/uivmm/readmodels"
)

// Strings is a list field that also accepts one comma-separated string
// ("default,net"), as the front-end sends instance_profiles.
type Strings []string

// UnmarshalJSON implements json.Unmarshaler.
func (s *Strings) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*s = strings.Split(one, ",")
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return &json.UnmarshalTypeError{Value: "value", Type: stringType}
	}
	*s = many
	return nil
}

var stringType = reflect.TypeOf("")

type instanceAddBody struct {
	serverRef
	Name        *string `json:"instance_name"`
	Type        *string `json:"instance_type"`
	ImageServer *string `json:"image_server_host"`
	Image       *string `json:"instance_image"`
	Profiles    Strings `json:"instance_profiles"`
	Memory      Int     `json:"instance_memory"` // MiB, "512" or 512
	CPU         Int     `json:"instance_cpu"`
	Command     *string `json:"instance_command"`
	Interface   *string `json:"instance_interface"`
	Network     *string `json:"instance_network"`
	Nameserver  Strings `json:"instance_nameserver"`
	DHCP        *bool   `json:"instance_dhcp"`
}

// clampInt keeps v within int range, so the domain's bounds check sees
// an absurd value as such.
func clampInt(v int64) int {
	return int(max(min(v, math.MaxInt32), math.MinInt32))
}

func (b instanceAddBody) spec() instance.Spec {
	s := instance.Spec{Name: deref(b.Name), Type: deref(b.Type), ImageServer: strings.TrimSpace(deref(b.ImageServer)),
		Image: strings.TrimSpace(deref(b.Image)), Profiles: b.Profiles, MemoryMiB: clampInt(b.Memory.V),
		CPUs: clampInt(b.CPU.V), Command: deref(b.Command), Interface: strings.TrimSpace(deref(b.Interface)),
		Network: strings.TrimSpace(deref(b.Network)), Nameservers: b.Nameserver}
	if b.DHCP != nil {
		s.DHCP = *b.DHCP
	}
	return s
}

// instanceAdd records the request for a new instance and answers at once
// with status "operation created"; the instance is made by a reactor, and
// the outcome arrives on the event stream as an instance.add message.
func (s *Server) instanceAdd(ctx context.Context, c *Call) (Document, error) {
	var b instanceAddBody
	if err := c.Decode(&b); err != nil {
		return Document{}, err
	}
	if err := b.check(); err != nil {
		return Document{}, err
	}
	spec, err := b.spec().Check()
	if err != nil {
		return Document{}, err
	}
	res, err := s.send(ctx, &commands.AddInstance{Envelope: envelope(c, "instance.add"), UserID: c.UserID(),
		Privileged: c.Privileged(), ServerID: b.ServerID.V, Spec: spec})
	if err != nil {
		return Document{}, err
	}
	return instanceAck(res.ID, spec.Name, c), nil
}

func instanceAck(id int64, name string, c *Call) Document {
	return One("instance", id, map[string]any{"response": true, "request_id": c.Meta.RequestID,
		"instance_name": name, "instance_status": instance.StatusRequested})
}

type instanceRefBody struct {
	serverRef
	Name *string `json:"instance_name"`
}

type instanceActionBody struct {
	instanceRefBody
	Action *string `json:"instance_status"`
}

// instanceAction records the request for an action and answers at once
// with status "operation created"; the outcome arrives on the event
// stream as an instance.action message.
func (s *Server) instanceAction(ctx context.Context, c *Call) (Document, error) {
	var b instanceActionBody
	if err := c.Decode(&b); err != nil {
		return Document{}, err
	}
	if err := b.check(); err != nil {
		return Document{}, err
	}
	name := deref(b.Name)
	if err := instance.ValidateName(name); err != nil {
		return Document{}, err
	}
	res, err := s.send(ctx, &commands.InstanceAction{Envelope: envelope(c, "instance.action"), UserID: c.UserID(),
		Privileged: c.Privileged(), ServerID: b.ServerID.V, Name: name, Action: strings.TrimSpace(deref(b.Action))})
	if err != nil {
		return Document{}, err
	}
	return instanceAck(res.ID, name, c), nil
}

// instanceList lists a server's instances from the read model.
func (s *Server) instanceList(ctx context.Context, c *Call) (Document, error) {
	var b serverRef
	if err := c.Decode(&b); err != nil {
		return Document{}, err
	}
	if err := b.check(); err != nil {
		return Document{}, err
	}
	if _, err := s.ownedServer(ctx, c, b.ServerID.V); err != nil {
		return Document{}, err
	}
	data, err := s.instList.get(ctx, s.rm, b.ServerID.V)
	if err != nil {
		return Document{}, err
	}
	return Document{Data: data}, nil
}

// instanceListCache keeps each server's encoded instance list with the
// read model's version of it (readmodels.InstanceListVersion): a list is
// read and encoded again only once the version moved, so a repeated
// instance.list costs one primary-key lookup. Safe for concurrent use.
type instanceListCache struct {
	mu      sync.Mutex
	entries map[int64]cachedList
}

type cachedList struct {
	version uint64
	data    json.RawMessage
}

// maxCachedLists bounds the cache; it is cleared when full.
const maxCachedLists = 4096

func (c *instanceListCache) get(ctx context.Context, rm *readmodels.DB, serverID int64) (json.RawMessage, error) {
	v, err := rm.InstanceListVersion(ctx, serverID)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	e, ok := c.entries[serverID]
	c.mu.Unlock()
	if ok && e.version == v && v != 0 {
		return e.data, nil
	}
	rows, v, err := rm.InstanceSummaries(ctx, serverID)
	if err != nil {
		return nil, err
	}
	items := make([]instanceItem, len(rows))
	for i, in := range rows {
		items[i] = instanceItem{Type: "instance", ID: in.ID, Attributes: listAttrs(in)}
	}
	data, err := json.Marshal(items)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || len(c.entries) >= maxCachedLists {
		c.entries = map[int64]cachedList{}
	}
	if old, ok := c.entries[serverID]; !ok || old.version < v {
		c.entries[serverID] = cachedList{version: v, data: data}
	}
	return data, nil
}

// instanceItem is a list element of instance.list: a Resource with typed
// attributes, which encode several times faster than a map.
type instanceItem struct {
	Type       string            `json:"type"`
	ID         int64             `json:"id"`
	Attributes instanceListAttrs `json:"attributes"`
}

// instanceListAttrs are the list form's attributes (contract §3).
type instanceListAttrs struct {
	Provider     string `json:"provider"`
	ServerID     int64  `json:"server_id"`
	Name         string `json:"instance_name"`
	Type         string `json:"instance_type"`
	Arch         string `json:"instance_arch"`
	Status       string `json:"instance_status"`
	ImageOS      string `json:"instance_image_os"`
	ImageVersion string `json:"instance_image_version"`
}

func listAttrs(in readmodels.Instance) instanceListAttrs {
	return instanceListAttrs{Provider: server.Provider, ServerID: in.ServerID, Name: in.Name, Type: in.Type,
		Arch: debianArch(in.Arch), Status: in.Status, ImageOS: strings.ToLower(in.ImageOS), ImageVersion: in.ImageVersion}
}

// instanceGet shows one instance, full form, from the read model.
func (s *Server) instanceGet(ctx context.Context, c *Call) (Document, error) {
	var b instanceRefBody
	if err := c.Decode(&b); err != nil {
		return Document{}, err
	}
	if err := b.check(); err != nil {
		return Document{}, err
	}
	name := deref(b.Name)
	if name == "" {
		return Document{}, domain.Invalid("instance_name", domain.DetailFieldRequired)
	}
	if _, err := s.ownedServer(ctx, c, b.ServerID.V); err != nil {
		return Document{}, err
	}
	in, err := s.rm.InstanceByName(ctx, b.ServerID.V, name)
	if errors.Is(err, readmodels.ErrNotFound) {
		return Document{}, domain.NotFound(instance.DetailNotFound)
	}
	if err != nil {
		return Document{}, err
	}
	attrs := instanceAttrs(in)
	devices := map[string]any{}
	for k, v := range in.Devices {
		devices[k] = v
	}
	attrs["instance_memory"] = in.Memory
	attrs["instance_cpu"] = in.CPU
	attrs["instance_profiles"] = strings.Join(in.Profiles, ",")
	attrs["instance_devices"] = devices
	attrs["instance_image"] = in.Image
	attrs["request_id"] = in.RequestID
	attrs["instance_reason"] = in.Reason
	attrs["user_id"] = in.UserID
	return One("instance", in.ID, attrs), nil
}

// instanceAttrs are the list form's attributes (contract §3).
func instanceAttrs(in readmodels.Instance) map[string]any {
	return map[string]any{
		"provider": server.Provider, "server_id": in.ServerID, "instance_name": in.Name, "instance_type": in.Type,
		"instance_arch": debianArch(in.Arch), "instance_status": in.Status,
		"instance_image_os": strings.ToLower(in.ImageOS), "instance_image_version": in.ImageVersion,
	}
}

// debianArch names LXD's architectures as the front-end shows them
// ("x86_64" → "amd64"); unknown names pass through.
func debianArch(a string) string {
	switch a {
	case "x86_64":
		return "amd64"
	case "aarch64":
		return "arm64"
	case "i686":
		return "i386"
	case "armv7l":
		return "armhf"
	case "ppc64le":
		return "ppc64el"
	}
	return a
}
