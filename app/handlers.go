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
		commands.NewCreateTokenHandler(d),
		commands.NewAddSSHKeyHandler(d),
		commands.NewDeleteSSHKeyHandler(d),
		commands.NewChangePasswordHandler(d),
		commands.NewLockPasswordHandler(d),
		commands.NewRequestUnlockCodeHandler(d),
		commands.NewUnlockPasswordHandler(d),
		commands.NewRequestEmailChangeHandler(d),
		commands.NewChangeEmailHandler(d),
		commands.NewRequestRecoveryHandler(d),
		commands.NewVerifyRecoveryHandler(d),
		commands.NewResetPasswordHandler(d),
		commands.NewBeginCredentialRegistrationHandler(d), commands.NewRegisterCredentialHandler(d),
		commands.NewBeginCredentialLoginHandler(d), commands.NewUseCredentialHandler(d), commands.NewDeleteCredentialHandler(d),
		commands.NewAddServerHandler(d), commands.NewRequestProfileUpdateHandler(d), commands.NewRequestProfileDeleteHandler(d),
		commands.NewRequestImageDeleteHandler(d), commands.NewRequestCertificateRevokeHandler(d),
		commands.NewAddSimplestreamProductHandler(d), commands.NewReceiveImageFileHandler(d), commands.NewPublishImageVersionHandler(d),
		commands.NewDiscardImageVersionHandler(d), commands.NewPruneImageVersionHandler(d),
		commands.NewAddInstanceHandler(d), commands.NewInstanceActionHandler(d),
		commands.NewPingHandler(),
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
		WebAuthnEnabled:            webAuthnEnabled(cfg.WebAuthn),
		SimplestreamEnabled:        cfg.SimpleStream.Enabled,
		WebAuthnAttestationType:    cfg.WebAuthn.AttestationType,
		WebAuthnAuthenticatorAttch: cfg.WebAuthn.AuthenticatorAttachment,
		MaxFailures:                cfg.Auth.MaxFailedLogins,
		Window:                     cfg.Auth.FailedLoginWindow.Duration,
	}
}
