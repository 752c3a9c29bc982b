package instance

import (
	"net/netip"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/uivmm/uivmm/domain"
)

// Instance types.
const (
	TypeContainer      = "container"
	TypeVirtualMachine = "virtual-machine"
)

// Details of uivmm's own checks (the original front-end has no keys for
// them; they read well after its `-`/`_` to space rule).
const (
	DetailNotFound         = "instance not found"
	DetailServerNotFound   = "server not found"
	DetailDuplicate        = "instance with this name already exists"
	DetailNameInvalid      = "instance name is invalid"
	DetailTypeInvalid      = "instance type must be container or virtual-machine"
	DetailImageInvalid     = "instance image is invalid"
	DetailImageHostInvalid = "image server host must be empty or an http(s) url"
	DetailProfilesInvalid  = "instance profiles are invalid"
	DetailMemoryInvalid    = "instance memory must be a whole number of MiB"
	DetailCPUInvalid       = "instance cpu must be a whole number"
	DetailCommandInvalid   = "instance command is invalid"
	DetailInterfaceInvalid = "instance interface is invalid"
	DetailNetworkInvalid   = "instance network must be an address with a prefix, like 10.10.10.20/24"
	DetailNameserverInvald = "instance nameserver must be ip addresses"
	DetailActionInvalid    = "instance action is invalid"
	DetailDeleted          = "instance has been deleted"
)

// Limits of a request.
const (
	MaxMemoryMiB  = 1 << 22 // 4 TiB
	MaxCPUs       = 1024
	MaxCommandLen = 8 << 10
	MaxProfiles   = 32
)

// Spec is an instance as requested, validated and normalised by Check.
type Spec struct {
	Name        string   `json:"name"`
	Type        string   `json:"type"`
	ImageServer string   `json:"image_server,omitempty"` // "" = the host's own images, else a simplestreams URL
	Image       string   `json:"image"`                  // alias or fingerprint
	Profiles    []string `json:"profiles"`
	MemoryMiB   int      `json:"memory_mib,omitempty"` // 0 = no limit
	CPUs        int      `json:"cpus,omitempty"`       // 0 = no limit
	// Network: a static address (Network, CIDR) or DHCP on Interface,
	// written as cloud-init network config; all empty = LXD's default.
	Interface   string   `json:"interface,omitempty"`
	Network     string   `json:"network,omitempty"`
	Nameservers []string `json:"nameservers,omitempty"`
	DHCP        bool     `json:"dhcp,omitempty"`
	// Command runs once the instance is up, through cloud-init runcmd.
	Command string `json:"command,omitempty"`
}

// HasNetworkConfig reports whether the spec asks for a network config.
func (s Spec) HasNetworkConfig() bool { return s.Network != "" || s.DHCP }

var (
	imageRE     = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:/+-]{0,254}$`)
	interfaceRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$`)
)

// ValidateName checks name against LXD's instance name rules: 1-63
// characters, ASCII letters, digits and hyphens, not starting or ending
// with a hyphen, not a number.
func ValidateName(name string) error {
	if name == "" {
		return domain.Invalid("instance_name", domain.DetailFieldRequired)
	}
	if len(name) > 63 || strings.HasPrefix(name, "-") || strings.HasSuffix(name, "-") {
		return domain.Invalid("instance_name", DetailNameInvalid)
	}
	if _, err := strconv.ParseUint(name, 10, 64); err == nil {
		return domain.Invalid("instance_name", DetailNameInvalid)
	}
	for _, r := range name {
		if !(r == '-' || r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r))) {
			return domain.Invalid("instance_name", DetailNameInvalid)
		}
	}
	return nil
}

// ValidateProfileName checks one LXD profile name.
func ValidateProfileName(p string) bool {
	return p != "" && len(p) <= 63 && p != "." && p != ".." &&
		!strings.ContainsAny(p, "/\\,") && strings.IndexFunc(p, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) < 0
}

// Check validates s and returns it normalised (type defaulted to
// container, duplicate profiles and nameservers dropped, interface
// defaulted to eth0 when a network config is asked for). Every problem is
// a 400 naming the API field.
func (s Spec) Check() (Spec, error) {
	if err := ValidateName(s.Name); err != nil {
		return s, err
	}
	switch s.Type {
	case "":
		s.Type = TypeContainer
	case TypeContainer, TypeVirtualMachine:
	default:
		return s, domain.Invalid("instance_type", DetailTypeInvalid)
	}
	if err := s.checkImage(); err != nil {
		return s, err
	}
	profiles, err := checkProfiles(s.Profiles)
	if err != nil {
		return s, err
	}
	s.Profiles = profiles
	if s.MemoryMiB < 0 || s.MemoryMiB > MaxMemoryMiB {
		return s, domain.Invalid("instance_memory", DetailMemoryInvalid)
	}
	if s.CPUs < 0 || s.CPUs > MaxCPUs {
		return s, domain.Invalid("instance_cpu", DetailCPUInvalid)
	}
	if len(s.Command) > MaxCommandLen || strings.ContainsRune(s.Command, 0) {
		return s, domain.Invalid("instance_command", DetailCommandInvalid)
	}
	s.Command = strings.TrimSpace(s.Command)
	return s.checkNetwork()
}

func (s Spec) checkImage() error {
	if s.Image == "" {
		return domain.Invalid("instance_image", domain.DetailFieldRequired)
	}
	if !imageRE.MatchString(s.Image) {
		return domain.Invalid("instance_image", DetailImageInvalid)
	}
	if s.ImageServer == "" {
		return nil
	}
	u, err := url.Parse(s.ImageServer)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		len(s.ImageServer) > 2048 || strings.ContainsAny(s.ImageServer, " \t\r\n") {
		return domain.Invalid("image_server_host", DetailImageHostInvalid)
	}
	return nil
}

func checkProfiles(in []string) ([]string, error) {
	var out []string
	for _, p := range in {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if !ValidateProfileName(p) {
			return nil, domain.Invalid("instance_profiles", DetailProfilesInvalid)
		}
		if !contains(out, p) {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return nil, domain.Invalid("instance_profiles", domain.DetailFieldRequired)
	}
	if len(out) > MaxProfiles {
		return nil, domain.Invalid("instance_profiles", DetailProfilesInvalid)
	}
	return out, nil
}

func (s Spec) checkNetwork() (Spec, error) {
	if s.Interface != "" && !interfaceRE.MatchString(s.Interface) {
		return s, domain.Invalid("instance_interface", DetailInterfaceInvalid)
	}
	if s.Network != "" {
		p, err := netip.ParsePrefix(s.Network)
		if err != nil || p.Addr() == p.Masked().Addr() && p.Bits() < p.Addr().BitLen() {
			return s, domain.Invalid("instance_network", DetailNetworkInvalid)
		}
		s.Network = p.String()
	}
	var ns []string
	for _, n := range s.Nameservers {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		a, err := netip.ParseAddr(n)
		if err != nil || a.Zone() != "" {
			return s, domain.Invalid("instance_nameserver", DetailNameserverInvald)
		}
		if !contains(ns, a.String()) {
			ns = append(ns, a.String())
		}
	}
	s.Nameservers = ns
	if len(ns) > 8 {
		return s, domain.Invalid("instance_nameserver", DetailNameserverInvald)
	}
	if s.HasNetworkConfig() && s.Interface == "" {
		s.Interface = "eth0"
	}
	return s, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
