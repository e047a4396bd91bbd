package worker

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// Envelope is what a sender needs besides the message bytes.
type Envelope struct {
	From, To    string
	MessageID   string
	Subject     string
	CampaignID  int64
	RecipientID int64
}

// Sender delivers one composed message: over SMTP, or into the outbox when
// no SMTP server is configured.
type Sender interface {
	Deliver(ctx context.Context, env Envelope, raw []byte) error
}

// SMTPSender delivers through an SMTP server.
type SMTPSender struct{ SMTP *SMTP }

// Deliver sends raw to env.To.
func (s SMTPSender) Deliver(ctx context.Context, env Envelope, raw []byte) error {
	return s.SMTP.Send(ctx, env.From, env.To, raw)
}

// Outbox keeps messages in Postgres instead of sending them. Keyed by
// Message-ID, so delivering the same message twice stores it once.
type Outbox struct{ DB *sqlx.DB }

// Deliver stores the message.
func (o Outbox) Deliver(ctx context.Context, env Envelope, raw []byte) error {
	_, err := o.DB.ExecContext(ctx, `INSERT INTO outbox (campaign_id, recipient_id, message_id, mail_from, rcpt_to, subject, raw)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (message_id) DO NOTHING`,
		env.CampaignID, env.RecipientID, env.MessageID, env.From, env.To, env.Subject, raw)
	if err != nil {
		return &SendError{Temporary: true, Msg: fmt.Sprintf("outbox: %v", err)}
	}
	return nil
}
