package passkey

import (
	"errors"
	"fmt"
	"net/url"
	"time"
)

// Default values applied by Config.setDefaults.
const (
	// DefaultTimeout is the ceremony timeout advertised to the browser.
	DefaultTimeout = 60 * time.Second
	// DefaultChallengeTTL is how long a pending challenge stays usable.
	DefaultChallengeTTL = 5 * time.Minute
)

// Config is the relying-party configuration of a Service.
type Config struct {
	// RPID is the relying party id: the registrable domain the credentials
	// are scoped to, e.g. "vmm.example.com". Required.
	RPID string
	// RPDisplayName is the name browsers show for the relying party, e.g.
	// "ui-vmm". Required.
	RPDisplayName string
	// RPOrigins are the exact origins (scheme://host[:port]) the front-end is
	// served from. At least one is required.
	RPOrigins []string
	// Timeout is sent to the browser as the ceremony timeout. Zero means
	// DefaultTimeout. It must not exceed ChallengeTTL.
	Timeout time.Duration
	// ChallengeTTL is how long a challenge stays valid after its Begin call.
	// Zero means DefaultChallengeTTL.
	ChallengeTTL time.Duration
}

// setDefaults fills the zero durations with their defaults.
func (c *Config) setDefaults() {
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.ChallengeTTL == 0 {
		c.ChallengeTTL = DefaultChallengeTTL
	}
}

// Validate reports every problem of the configuration at once, joined with
// errors.Join. It expects defaults to have been applied.
func (c Config) Validate() error {
	var errs []error
	if c.RPID == "" {
		errs = append(errs, errors.New("rp id is required"))
	}
	if c.RPDisplayName == "" {
		errs = append(errs, errors.New("rp display name is required"))
	}
	if len(c.RPOrigins) == 0 {
		errs = append(errs, errors.New("at least one rp origin is required"))
	}
	for _, o := range c.RPOrigins {
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			errs = append(errs, fmt.Errorf("rp origin %q is not an http(s) origin", o))
		}
	}
	if c.Timeout < 0 || c.ChallengeTTL < 0 {
		errs = append(errs, errors.New("timeout and challenge ttl must not be negative"))
	}
	if c.Timeout > c.ChallengeTTL {
		errs = append(errs, fmt.Errorf("timeout %s exceeds challenge ttl %s", c.Timeout, c.ChallengeTTL))
	}
	return errors.Join(errs...)
}
