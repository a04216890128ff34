package jobs

import (
	"context"
	"fmt"

	"github.com/wneessen/go-mail"
)

// Mailer delivers one message.
type Mailer interface {
	Send(ctx context.Context, to, subject, body string) error
	// Via names the delivery for the record: "smtp" or "catcher".
	Via() string
}

// Catcher is the mailer with no SMTP configured: messages stay in the
// database, where the admin reads them at /admin/mail.
type Catcher struct{}

// Send does nothing: the stored message is the delivery.
func (Catcher) Send(context.Context, string, string, string) error { return nil }

// Via names the catcher.
func (Catcher) Via() string { return "catcher" }

// SMTPConfig is where and as whom mail is sent.
type SMTPConfig struct {
	Host     string
	Port     int
	Username string
	Password string
	From     string
}

// SMTP sends through a server with wneessen/go-mail, requiring TLS unless
// the port is 25 with no credentials (a local relay).
type SMTP struct{ cfg SMTPConfig }

// NewSMTP returns an SMTP mailer.
func NewSMTP(cfg SMTPConfig) *SMTP { return &SMTP{cfg: cfg} }

// Via names SMTP delivery.
func (s *SMTP) Via() string { return "smtp" }

// Send delivers one plain-text message.
func (s *SMTP) Send(ctx context.Context, to, subject, body string) error {
	m := mail.NewMsg()
	if err := m.From(s.cfg.From); err != nil {
		return fmt.Errorf("from: %w", err)
	}
	if err := m.To(to); err != nil {
		return fmt.Errorf("to: %w", err)
	}
	m.Subject(subject)
	m.SetBodyString(mail.TypeTextPlain, body)
	opts := []mail.Option{mail.WithPort(s.cfg.Port), mail.WithTLSPortPolicy(mail.TLSMandatory)}
	if s.cfg.Username != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthPlain), mail.WithUsername(s.cfg.Username), mail.WithPassword(s.cfg.Password))
	} else if s.cfg.Port == 25 {
		opts = append(opts, mail.WithTLSPortPolicy(mail.TLSOpportunistic))
	}
	c, err := mail.NewClient(s.cfg.Host, opts...)
	if err != nil {
		return fmt.Errorf("smtp client: %w", err)
	}
	return c.DialAndSendWithContext(ctx, m)
}
