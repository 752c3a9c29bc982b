package lxd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/canonical/lxd/shared/api"
	"gopkg.in/yaml.v3"
)

// Profile is an LXD profile. Body is the whole profile as YAML, name
// included, in the form `lxc profile show` prints (without used_by); it
// is what profile.update sends back.
type Profile struct {
	Name        string
	Description string
	Config      map[string]string
	Devices     map[string]map[string]string
	UsedBy      []string
	Body        string
}

// profileDoc is the YAML form of a profile. used_by is accepted and
// ignored, so the output of `lxc profile show` can be pasted.
type profileDoc struct {
	Config      map[string]string            `yaml:"config"`
	Description string                       `yaml:"description"`
	Devices     map[string]map[string]string `yaml:"devices"`
	Name        string                       `yaml:"name"`
	UsedBy      []string                     `yaml:"used_by,omitempty"`
}

func toProfile(p api.Profile) (Profile, error) {
	doc := profileDoc{Config: p.Config, Description: p.Description, Devices: p.Devices, Name: p.Name}
	if doc.Config == nil {
		doc.Config = map[string]string{}
	}
	if doc.Devices == nil {
		doc.Devices = map[string]map[string]string{}
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return Profile{}, fmt.Errorf("encoding profile %s: %w", p.Name, err)
	}
	if err := enc.Close(); err != nil {
		return Profile{}, fmt.Errorf("encoding profile %s: %w", p.Name, err)
	}
	return Profile{Name: p.Name, Description: p.Description, Config: doc.Config, Devices: doc.Devices,
		UsedBy: p.UsedBy, Body: buf.String()}, nil
}

// ParseProfile checks a profile body: one YAML document with only the
// keys config, description, devices, name (and used_by, ignored). Errors
// wrap ErrInvalid.
func ParseProfile(body string) (name string, put api.ProfilePut, err error) {
	if strings.TrimSpace(body) == "" {
		return "", put, fmt.Errorf("%w: profile body is empty", ErrInvalid)
	}
	dec := yaml.NewDecoder(strings.NewReader(body))
	dec.KnownFields(true)
	var doc profileDoc
	if err := dec.Decode(&doc); err != nil {
		return "", put, fmt.Errorf("%w: profile body: %w", ErrInvalid, err)
	}
	var extra any
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return "", put, fmt.Errorf("%w: profile body holds more than one YAML document", ErrInvalid)
	}
	put = api.ProfilePut{Config: doc.Config, Description: doc.Description, Devices: doc.Devices}
	if put.Config == nil {
		put.Config = map[string]string{}
	}
	if put.Devices == nil {
		put.Devices = map[string]map[string]string{}
	}
	return doc.Name, put, nil
}

// Profiles lists the project's profiles.
func (s *Server) Profiles(ctx context.Context) ([]Profile, error) {
	c, cancel := s.client(ctx)
	defer cancel()
	list, err := c.GetProfiles()
	if err != nil {
		return nil, wrap("listing profiles", err)
	}
	out := make([]Profile, 0, len(list))
	for _, p := range list {
		pr, err := toProfile(p)
		if err != nil {
			return nil, err
		}
		out = append(out, pr)
	}
	return out, nil
}

// UpdateProfile makes profile name hold body (see ParseProfile), creating
// it when missing, and renames it to rename when rename is neither "" nor
// name. The body's name, when given, must be the final name.
//
// With a rename, the rename comes first: if LXD refuses it (the name is
// taken: ErrConflict; the default profile: *Error) nothing has changed.
// If LXD then refuses the new body, the rename is undone (best effort)
// and LXD's refusal is returned.
func (s *Server) UpdateProfile(ctx context.Context, name, body, rename string) error {
	op := "updating profile " + name
	if name == "" {
		return fmt.Errorf("%s: %w: profile name is empty", op, ErrInvalid)
	}
	target := name
	if rename != "" && rename != name {
		target = rename
	}
	docName, put, err := ParseProfile(body)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if docName != "" && docName != target {
		return fmt.Errorf("%s: %w: body names profile %q, expected %q", op, ErrInvalid, docName, target)
	}
	c, cancel := s.client(ctx)
	defer cancel()
	_, etag, err := c.GetProfile(name)
	if api.StatusErrorCheck(err, http.StatusNotFound) {
		return wrap(op, c.CreateProfile(api.ProfilesPost{Name: target, ProfilePut: put}))
	}
	if err != nil {
		return wrap(op, err)
	}
	if target == name {
		return wrap(op, c.UpdateProfile(name, put, etag))
	}
	if err := c.RenameProfile(name, api.ProfilePost{Name: target}); err != nil {
		return wrap(op, err)
	}
	if err := c.UpdateProfile(target, put, ""); err != nil {
		_ = c.RenameProfile(target, api.ProfilePost{Name: name})
		return wrap(op, err)
	}
	return nil
}

// DeleteProfile deletes a profile. LXD refuses to delete one that
// instances use (ErrInUse) and the default profile (*Error).
func (s *Server) DeleteProfile(ctx context.Context, name string) error {
	c, cancel := s.client(ctx)
	defer cancel()
	return wrap("deleting profile "+name, c.DeleteProfile(name))
}
