package config

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// EnvPrefix starts the name of every environment variable ApplyEnv reads.
const EnvPrefix = "UIVMM_"

// envVar binds one environment variable to the setting it overrides.
type envVar struct {
	name string
	set  func(c *Config, v string) error
}

func envString(name string, field func(c *Config) *string) envVar {
	return envVar{name, func(c *Config, v string) error { *field(c) = v; return nil }}
}

func envBool(name string, field func(c *Config) *bool) envVar {
	return envVar{name, func(c *Config, v string) error {
		b, err := strconv.ParseBool(strings.TrimSpace(v))
		if err != nil {
			return fmt.Errorf("want true or false, got %q", v)
		}
		*field(c) = b
		return nil
	}}
}

func envInt(name string, field func(c *Config) *int) envVar {
	return envVar{name, func(c *Config, v string) error {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return fmt.Errorf("want an integer, got %q", v)
		}
		*field(c) = n
		return nil
	}}
}

// envVars lists every variable ApplyEnv reads, in the order it applies them.
var envVars = []envVar{
	envString("UIVMM_LISTEN", func(c *Config) *string { return &c.Listen }),
	envInt("UIVMM_PORT", func(c *Config) *int { return &c.Port }),
	envString("UIVMM_ADDR", func(c *Config) *string { return &c.AddrOverride }),
	envString("UIVMM_DATA_DIR", func(c *Config) *string { return &c.DataDir }),
	envString("UIVMM_EVENT_STORE", func(c *Config) *string { return &c.EventStore.URL }),
	envBool("UIVMM_PRETTY_PRINT", func(c *Config) *bool { return &c.PrettyPrint }),
	envBool("UIVMM_DISABLE_USER_REGISTRATION", func(c *Config) *bool { return &c.DisableUserRegistration }),
	envBool("UIVMM_DISABLE_USER_RECOVERY", func(c *Config) *bool { return &c.DisableUserRecovery }),
	envBool("UIVMM_DISABLE_USER_PASSWORD_CHANGE", func(c *Config) *bool { return &c.DisableUserPasswordChange }),
	envBool("UIVMM_DISABLE_SERVER_ADD", func(c *Config) *bool { return &c.DisableServerAdd }),
	envBool("UIVMM_DISABLE_SSH_KEY_ADD", func(c *Config) *bool { return &c.DisableSSHKeyAdd }),
	envBool("UIVMM_DISABLE_OUTPUT_COMPRESSION", func(c *Config) *bool { return &c.DisableOutputCompression }),
	envString("UIVMM_MAIL_OUTBOX", func(c *Config) *string { return &c.Mail.Outbox }),
	envString("UIVMM_MAIL_HOST", func(c *Config) *string { return &c.Mail.Host }),
	envInt("UIVMM_MAIL_PORT", func(c *Config) *int { return &c.Mail.Port }),
	envString("UIVMM_MAIL_USER", func(c *Config) *string { return &c.Mail.User }),
	envString("UIVMM_MAIL_PASSWORD", func(c *Config) *string { return &c.Mail.Password }),
	envString("UIVMM_MAIL_FROM", func(c *Config) *string { return &c.Mail.From }),
	envString("UIVMM_MAIL_TLS", func(c *Config) *string { return &c.Mail.TLS }),
	envBool("UIVMM_WEBAUTHN_ENABLED", func(c *Config) *bool { return &c.WebAuthn.Enabled }),
	envString("UIVMM_WEBAUTHN_RP_ID", func(c *Config) *string { return &c.WebAuthn.RPID }),
	envString("UIVMM_WEBAUTHN_RP_DISPLAY_NAME", func(c *Config) *string { return &c.WebAuthn.RPDisplayName }),
	{"UIVMM_WEBAUTHN_RP_ORIGINS", func(c *Config, v string) error {
		c.WebAuthn.RPOrigins = splitList(v)
		return nil
	}},
	envBool("UIVMM_SIMPLESTREAM_ENABLED", func(c *Config) *bool { return &c.SimpleStream.Enabled }),
	envBool("UIVMM_METRICS_ENABLED", func(c *Config) *bool { return &c.Metrics.Enabled }),
	envString("UIVMM_METRICS_LISTEN", func(c *Config) *string { return &c.Metrics.Listen }),
	envString("UIVMM_LOG_LEVEL", func(c *Config) *string { return &c.Log.Level }),
	envString("UIVMM_LOG_FORMAT", func(c *Config) *string { return &c.Log.Format }),
}

// EnvNames lists every environment variable ApplyEnv reads.
func EnvNames() []string {
	names := make([]string, len(envVars))
	for i, v := range envVars {
		names[i] = v.name
	}
	return names
}

// ApplyEnv overrides settings from UIVMM_* variables read through getenv
// (os.Getenv in production). An empty value counts as unset. Every
// malformed value is reported, joined; the others are still applied.
func (c *Config) ApplyEnv(getenv func(string) string) error {
	var errs []error
	for _, v := range envVars {
		val := getenv(v.name)
		if val == "" {
			continue
		}
		if err := v.set(c, val); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", v.name, err))
		}
	}
	return errors.Join(errs...)
}

// splitList splits a comma-separated list, dropping blanks.
func splitList(v string) []string {
	var out []string
	for item := range strings.SplitSeq(v, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}
