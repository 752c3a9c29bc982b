package app

import (
	"context"
	"os"

	"github.com/uivmm/uivmm/config"
	"github.com/uivmm/uivmm/mail"
)

// mailer adapts a mail.Sender to the commands.Mailer port.
type mailer struct{ s mail.Sender }

func (m mailer) Send(ctx context.Context, to, subject, text string) error {
	return m.s.Send(ctx, mail.Message{To: to, Subject: subject, Text: text})
}

// newMailer returns real SMTP when mail.host is set, else the outbox.
func newMailer(cfg config.Config) (mailer, error) {
	from := cfg.MailFrom()
	if from == "" {
		host, err := os.Hostname()
		if err != nil || host == "" {
			host = "localhost"
		}
		from = "uivmm@" + host
	}
	if cfg.Mail.Host == "" {
		return mailer{mail.NewOutbox(cfg.MailOutbox()).WithFrom(from)}, nil
	}
	s := mail.NewSMTP(mail.SMTPConfig{Host: cfg.Mail.Host, Port: cfg.Mail.Port, User: cfg.Mail.User,
		Password: cfg.Mail.Password, From: from, TLS: mail.TLSMode(cfg.Mail.TLS)})
	return mailer{s}, nil
}
