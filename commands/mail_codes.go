package commands

import (
	"context"
	"fmt"

	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/domain/user"
)

var codeMails = map[string]struct{ subject, text string }{
	user.PurposeRegister: {"Activate your ui-vmm account", "Your activation code is:\n\n%s\n\nOpen /auth/register?code=%[1]s to activate your account."},
	user.PurposeUnlock:   {"Unlock your ui-vmm password", "Your unlock code is:\n\n%s\n"},
	user.PurposeEmail:    {"Confirm your new ui-vmm e-mail address", "Your confirmation code is:\n\n%s\n"},
	user.PurposeRecovery: {"Recover your ui-vmm account", "Your recovery code is:\n\n%s\n\nOpen /auth/recovery?code=%[1]s to choose a new password."},
}

// DetailMailFailed is the detail when the mail server refuses a code.
const DetailMailFailed = "the mail could not be sent, try again later"

// sendCode mails code for purpose. A failure is a 502: the mail server is
// an upstream service.
func sendCode(ctx context.Context, m Mailer, to, purpose, code string) error {
	tpl := codeMails[purpose]
	if err := m.Send(ctx, to, tpl.subject, fmt.Sprintf(tpl.text, code)); err != nil {
		return &domain.Error{Kind: domain.KindUpstream, Detail: DetailMailFailed, Err: err}
	}
	return nil
}
