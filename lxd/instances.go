package lxd

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/canonical/lxd/shared/api"
)

// Instance is one container or virtual machine, with its expanded
// configuration (profiles applied).
type Instance struct {
	Name         string
	Type         string // "container" or "virtual-machine"
	Architecture string // LXD's name, e.g. "x86_64"
	Status       string // lower case: "running", "stopped", "frozen", ...
	Description  string
	ImageOS      string // config image.os
	ImageRelease string // config image.release
	ImageVersion string // config image.version, else image.release
	Memory       string // limits.memory as set, e.g. "256MiB"; "" = no limit
	CPU          string // limits.cpu as set, e.g. "2"; "" = no limit
	Profiles     []string
	Devices      map[string]map[string]string
	CreatedAt    time.Time
	LastUsedAt   time.Time
	// User holds the instance's own user.* config keys (uivmm marks the
	// instances it makes there), without cloud-init's.
	User map[string]string
}

func toInstance(in api.Instance) Instance {
	cfg := in.ExpandedConfig
	version := cfg["image.version"]
	if version == "" {
		version = cfg["image.release"]
	}
	return Instance{
		Name:         in.Name,
		Type:         in.Type,
		Architecture: in.Architecture,
		Status:       strings.ToLower(in.Status),
		Description:  in.Description,
		ImageOS:      cfg["image.os"],
		ImageRelease: cfg["image.release"],
		ImageVersion: version,
		Memory:       cfg["limits.memory"],
		CPU:          cfg["limits.cpu"],
		Profiles:     in.Profiles,
		Devices:      in.ExpandedDevices,
		CreatedAt:    orZero(in.CreatedAt),
		LastUsedAt:   orZero(in.LastUsedAt),
		User:         userConfig(in.Config),
	}
}

// userConfig returns the user.* keys of cfg, except cloud-init's data.
func userConfig(cfg map[string]string) map[string]string {
	var out map[string]string
	for k, v := range cfg {
		if !strings.HasPrefix(k, "user.") || strings.HasSuffix(k, "-data") || k == "user.network-config" {
			continue
		}
		if out == nil {
			out = map[string]string{}
		}
		out[k] = v
	}
	return out
}

// Instances lists the instances of the project, containers and VMs.
func (s *Server) Instances(ctx context.Context) ([]Instance, error) {
	c, cancel := s.client(ctx)
	defer cancel()
	list, err := c.GetInstances(api.InstanceTypeAny)
	if err != nil {
		return nil, wrap("listing instances", err)
	}
	out := make([]Instance, 0, len(list))
	for _, in := range list {
		out = append(out, toInstance(in))
	}
	return out, nil
}

// Instance reads one instance; ErrNotFound when it does not exist.
func (s *Server) Instance(ctx context.Context, name string) (Instance, error) {
	c, cancel := s.client(ctx)
	defer cancel()
	in, _, err := c.GetInstance(name)
	if err != nil {
		return Instance{}, wrap("reading instance "+name, err)
	}
	return toInstance(*in), nil
}

// ImageSource names the image an instance is made from.
type ImageSource struct {
	// Server is "" for the host's own images, else the URL of a
	// simplestreams server (http or https; uivmm's own included).
	Server string
	// Image is an alias or a (possibly partial) fingerprint.
	Image string
	// Certificate optionally pins an https Server's certificate (PEM).
	Certificate string
}

// InstanceSpec is what CreateInstance makes.
type InstanceSpec struct {
	Name     string
	Type     string // "container" (default) or "virtual-machine"
	Source   ImageSource
	Profiles []string // nil: LXD's default profile
	// MemoryMiB and CPUs set limits.memory and limits.cpu; 0 = no limit.
	MemoryMiB int
	CPUs      int
	// UserData is cloud-init user data; "" = none.
	UserData string
	// NetworkConfig is cloud-init network config (version 2); "" = none.
	NetworkConfig string
	Devices       map[string]map[string]string
	// Config holds further instance config keys, applied first.
	Config map[string]string
	// Start starts the instance once it is created.
	Start bool
}

// Validate reports every problem of the spec, joined; each wraps ErrInvalid.
func (sp InstanceSpec) Validate() error {
	var errs []error
	bad := func(format string, a ...any) {
		errs = append(errs, fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, a...)...))
	}
	if sp.Name == "" {
		bad("instance name is empty")
	}
	if sp.Type != "" && sp.Type != "container" && sp.Type != "virtual-machine" {
		bad("instance type %q is neither container nor virtual-machine", sp.Type)
	}
	if sp.Source.Image == "" {
		bad("image is empty")
	}
	if sp.MemoryMiB < 0 || sp.CPUs < 0 {
		bad("memory and cpu limits must not be negative")
	}
	if sp.Source.Certificate != "" {
		if _, err := parseCertPEM(sp.Source.Certificate); err != nil {
			errs = append(errs, fmt.Errorf("image server certificate: %w", err))
		}
	}
	return errors.Join(errs...)
}

// CreateInstance creates the instance and waits for LXD to finish (an
// image download included, bounded by WithOperationTimeout); with
// spec.Start it then starts it. Cloud-init user data goes to
// cloud-init.user-data when the host has the cloud_init extension, else
// to user.user-data (LXD 5.0). A taken name gives an error matching
// ErrConflict.
func (s *Server) CreateInstance(ctx context.Context, spec InstanceSpec) error {
	op := "creating instance " + spec.Name
	if err := spec.Validate(); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	req := api.InstancesPost{
		Name:        spec.Name,
		Type:        api.InstanceType(spec.Type),
		InstancePut: api.InstancePut{Profiles: spec.Profiles, Config: s.instanceConfig(spec), Devices: spec.Devices},
	}
	if req.Type == "" {
		req.Type = api.InstanceTypeContainer
	}
	src, err := s.imageSource(ctx, spec.Source)
	if err != nil {
		return wrap(op, err)
	}
	req.Source = src
	octx, c, cancel := s.opClient(ctx)
	defer cancel()
	if err := s.runOp(octx, c, op, "POST", "/instances", req); err != nil {
		return err
	}
	if spec.Start {
		return s.InstanceAction(ctx, spec.Name, ActionStart)
	}
	return nil
}

func (s *Server) instanceConfig(spec InstanceSpec) map[string]string {
	cfg := make(map[string]string, len(spec.Config)+3)
	for k, v := range spec.Config {
		cfg[k] = v
	}
	if spec.MemoryMiB > 0 {
		cfg["limits.memory"] = strconv.Itoa(spec.MemoryMiB) + "MiB"
	}
	if spec.CPUs > 0 {
		cfg["limits.cpu"] = strconv.Itoa(spec.CPUs)
	}
	prefix := "user."
	if s.hasExtension("cloud_init") {
		prefix = "cloud-init."
	}
	if spec.UserData != "" {
		cfg[prefix+"user-data"] = spec.UserData
	}
	if spec.NetworkConfig != "" {
		cfg[prefix+"network-config"] = spec.NetworkConfig
	}
	return cfg
}

// imageSource builds LXD's source. For the host's own images, an
// existing alias wins over a fingerprint; for a remote, LXD itself tries
// the name as an alias, then as a fingerprint.
func (s *Server) imageSource(ctx context.Context, src ImageSource) (api.InstanceSource, error) {
	out := api.InstanceSource{Type: api.SourceTypeImage}
	if src.Server != "" {
		out.Server, out.Protocol = src.Server, "simplestreams"
		out.Alias, out.Certificate = src.Image, src.Certificate
		return out, nil
	}
	c, cancel := s.client(ctx)
	defer cancel()
	_, _, err := c.GetImageAlias(src.Image)
	switch {
	case err == nil:
		out.Alias = src.Image
	case api.StatusErrorCheck(err, http.StatusNotFound):
		out.Fingerprint = src.Image
	default:
		return out, err
	}
	return out, nil
}
