package projections

import (
	"gopkg.in/yaml.v3"

	"github.com/uivmm/uivmm/domain/instance"
)

// cloudConfig is the part of cloud-init's #cloud-config uivmm writes.
type cloudConfig struct {
	SSHAuthorizedKeys []string `yaml:"ssh_authorized_keys,omitempty"`
	RunCmd            []string `yaml:"runcmd,omitempty"`
}

// userData renders the cloud-init user data of a new instance: the
// owner's public keys as ssh_authorized_keys and the request's command as
// the one runcmd entry (run by sh once the instance is up). "" when there
// is neither.
func userData(keys []string, command string) (string, error) {
	cc := cloudConfig{SSHAuthorizedKeys: keys}
	if command != "" {
		cc.RunCmd = []string{command}
	}
	if len(cc.SSHAuthorizedKeys) == 0 && len(cc.RunCmd) == 0 {
		return "", nil
	}
	b, err := yaml.Marshal(cc)
	if err != nil {
		return "", err
	}
	return "#cloud-config\n" + string(b), nil
}

type netplanNameservers struct {
	Addresses []string `yaml:"addresses"`
}

type netplanEthernet struct {
	DHCP4       bool                `yaml:"dhcp4"`
	Addresses   []string            `yaml:"addresses,omitempty"`
	Nameservers *netplanNameservers `yaml:"nameservers,omitempty"`
}

type netplan struct {
	Version   int                        `yaml:"version"`
	Ethernets map[string]netplanEthernet `yaml:"ethernets"`
}

// networkConfig renders cloud-init network config (version 2) for the
// request's interface: DHCP, or its static address, with its name
// servers. "" when the request asks for neither.
func networkConfig(s instance.Spec) (string, error) {
	if !s.HasNetworkConfig() {
		return "", nil
	}
	eth := netplanEthernet{DHCP4: s.DHCP}
	if s.Network != "" {
		eth.Addresses = []string{s.Network}
	}
	if len(s.Nameservers) > 0 {
		eth.Nameservers = &netplanNameservers{Addresses: s.Nameservers}
	}
	b, err := yaml.Marshal(netplan{Version: 2, Ethernets: map[string]netplanEthernet{s.Interface: eth}})
	return string(b), err
}
