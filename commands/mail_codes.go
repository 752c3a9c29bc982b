package commands

import (
	"context"
	"fmt"

	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/domain/user"
	"github.com/uivmm/uivmm/secrets"
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

// issueCode mails a fresh code for purpose to user id and records its
// hash. check runs on the loaded user: it refuses, or names the address
// the code goes to. The mail goes out before the save, and once: a failing
// mail server records nothing, and a lost race records the same code again
// without mailing it twice.
func (d *Deps) issueCode(ctx context.Context, meta eventMeta, id int64, purpose string,
	check func(*user.User) (to string, err error)) (Result, error) {
	code := secrets.NewCode()
	mailedTo := ""
	return d.updateUser(ctx, meta, id, func(u *user.User) error {
		to, err := check(u)
		if err != nil {
			return err
		}
		now := d.now()
		u.IssueCode(purpose, secrets.Hash(code), to, now.Add(d.Settings.CodeLifetime), now)
		switch mailedTo {
		case to:
			return nil
		case "":
			if err := sendCode(ctx, d.Mailer, to, purpose, code); err != nil {
				return err
			}
			mailedTo = to
			return nil
		default:
			return domain.Conflict(DetailConcurrent)
		}
	})
}
