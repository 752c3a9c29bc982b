package app

import (
	"github.com/uivmm/uivmm/api"
	"github.com/uivmm/uivmm/commands"
	"github.com/uivmm/uivmm/config"
)

// Handlers names every command handler in one place.
func Handlers(d commands.Deps) []commands.Handler {
	return []commands.Handler{
		commands.NewRegisterUserHandler(d),
		commands.NewActivateUserHandler(d),
		commands.NewLogInHandler(d),
		commands.NewAddUserHandler(d),
		commands.NewRevokeTokenHandler(d),
	}
}

func settings(cfg config.Config) commands.Settings {
	return commands.Settings{
		CodeLifetime:          cfg.Codes.Lifetime.Duration,
		LoginTokenLifetime:    cfg.Auth.LoginTokenLifetime.Duration,
		DisableRegistration:   cfg.DisableUserRegistration,
		DisableRecovery:       cfg.DisableUserRecovery,
		DisablePasswordChange: cfg.DisableUserPasswordChange,
		DisableSSHKeyAdd:      cfg.DisableSSHKeyAdd,
		DisableServerAdd:      cfg.DisableServerAdd,
	}
}

func apiOptions(cfg config.Config) api.Options {
	return api.Options{
		PrettyPrint:                cfg.PrettyPrint,
		MaxBody:                    int64(cfg.HTTP.MaxBody),
		ReadYourWrites:             cfg.HTTP.ReadYourWritesTimeout.Duration,
		DisableUserRegistration:    cfg.DisableUserRegistration,
		DisableUserRecovery:        cfg.DisableUserRecovery,
		DisableServerAdd:           cfg.DisableServerAdd,
		DisableSSHKeyAdd:           cfg.DisableSSHKeyAdd,
		DisableUserPasswordChange:  cfg.DisableUserPasswordChange,
		DisableOutputCompression:   cfg.DisableOutputCompression,
		WebAuthnEnabled:            cfg.WebAuthn.Enabled,
		SimplestreamEnabled:        cfg.SimpleStream.Enabled,
		WebAuthnAttestationType:    cfg.WebAuthn.AttestationType,
		WebAuthnAuthenticatorAttch: cfg.WebAuthn.AuthenticatorAttachment,
		MaxFailures:                cfg.Auth.MaxFailedLogins,
		Window:                     cfg.Auth.FailedLoginWindow.Duration,
	}
}
