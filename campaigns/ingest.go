package campaigns

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"outreach/campaigns/ical"
)

// IngestResult is the contract's answer to an ingested message.
type IngestResult struct {
	Matched     bool   `json:"matched"`
	Kind        string `json:"kind"`
	RecipientID *int64 `json:"recipient_id"`
	// RSVP is the answer (yes, no or tentative) of a calendar reply.
	RSVP string `json:"rsvp,omitempty"`
}

// Ingest classifies one raw inbound message (a reply, an auto-reply, a
// bounce or an unsubscribe by mail), matches it to the recipient it answers
// and records it: the recipient row, the events, the contact's timeline; a
// hard bounce suppresses the address, a reply stops follow-ups. Ingesting
// the same message again (by Message-ID) changes nothing.
func Ingest(ctx context.Context, db *sqlx.DB, signer *Signer, raw []byte) (IngestResult, error) {
	in, err := ParseInbound(raw)
	if err != nil {
		return IngestResult{}, invalid("message", "%v", err)
	}
	res := IngestResult{Kind: in.Kind}
	if in.Calendar != nil {
		res.RSVP = rsvpAnswer(in.Calendar.PartStat)
	}
	if prev, ok, err := seenInbound(ctx, db, in.MessageID); err != nil || ok {
		return prev, err
	}
	rid, err := match(ctx, db, signer, in)
	if err != nil {
		return res, err
	}
	if rid != 0 {
		res.Matched, res.RecipientID = true, &rid
	}
	return res, record(ctx, db, in, res)
}

// record applies the message and remembers it in one transaction: one
// commit per message keeps ingest fast, and a crash leaves neither half.
func record(ctx context.Context, db *sqlx.DB, in Inbound, res IngestResult) error {
	if res.Matched && in.Kind == InboundUnsubscribe {
		if err := Unsubscribe(ctx, db, *res.RecipientID, "mail"); err != nil {
			return err
		}
	}
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("campaigns: ingest: %w", err)
	}
	defer tx.Rollback()
	if res.Matched && in.Kind != InboundUnsubscribe {
		if err := apply(ctx, tx, in, *res.RecipientID); err != nil {
			return err
		}
	}
	if err := rememberInbound(ctx, tx, in, res); err != nil {
		return err
	}
	return tx.Commit()
}

func seenInbound(ctx context.Context, db *sqlx.DB, messageID string) (IngestResult, bool, error) {
	if messageID == "" {
		return IngestResult{}, false, nil
	}
	var row struct {
		Kind        string `db:"kind"`
		RecipientID *int64 `db:"recipient_id"`
	}
	err := db.GetContext(ctx, &row, `SELECT kind, recipient_id FROM inbound_messages WHERE message_id = $1`, messageID)
	if errors.Is(err, sql.ErrNoRows) {
		return IngestResult{}, false, nil
	}
	if err != nil {
		return IngestResult{}, false, fmt.Errorf("campaigns: ingest: %w", err)
	}
	return IngestResult{Matched: row.RecipientID != nil, Kind: row.Kind, RecipientID: row.RecipientID}, true, nil
}

func rememberInbound(ctx context.Context, db sqlx.ExecerContext, in Inbound, res IngestResult) error {
	if in.MessageID == "" {
		return nil
	}
	_, err := db.ExecContext(ctx, `INSERT INTO inbound_messages (message_id, kind, recipient_id) VALUES ($1, $2, $3)
		ON CONFLICT DO NOTHING`, in.MessageID, in.Kind, res.RecipientID)
	if err != nil {
		return fmt.Errorf("campaigns: ingest: %w", err)
	}
	return nil
}

// match finds the recipient a message answers, most reliable first: the
// signed unsubscribe address; the Message-IDs it refers to (In-Reply-To,
// References, or for a bounce those of the returned original); a signed
// Reply-To plus-address; for a bounce, the failed address; as a last
// resort the sender's address among recipients mailed in the last 30 days.
func match(ctx context.Context, db *sqlx.DB, signer *Signer, in Inbound) (int64, error) {
	if in.Calendar != nil {
		if rid, err := recipientByCalendar(ctx, db, *in.Calendar); rid != 0 || err != nil {
			return rid, err
		}
	}
	if in.UnsubscribeToken != "" {
		if rid, _, err := signer.Parse(LinkUnsubscribe, in.UnsubscribeToken); err == nil {
			return rid, nil
		}
	}
	if rid, err := recipientByMessageID(ctx, db, in.References); rid != 0 || err != nil {
		return rid, err
	}
	for _, tok := range in.PlusTokens {
		if rid, _, err := signer.Parse(LinkReply, tok); err == nil && recipientExists(ctx, db, rid) {
			return rid, nil
		}
	}
	addr := in.From
	if in.Kind == InboundBounce || in.Kind == InboundComplaint {
		addr = in.FailedAddress
	}
	return recipientByAddress(ctx, db, addr)
}

// recipientByCalendar finds the invitation a calendar reply answers: the
// event by its UID, the recipient by the attendee's address.
func recipientByCalendar(ctx context.Context, db *sqlx.DB, r ical.Reply) (int64, error) {
	var rid []int64
	err := db.SelectContext(ctx, &rid, `SELECT x.id FROM recipients x
		JOIN campaigns k ON k.id = x.campaign_id JOIN events e ON e.id = k.event_id JOIN contacts c ON c.id = x.contact_id
		WHERE e.uid = $1 AND e.source_id IS NULL AND c.email = $2
		ORDER BY x.sent_at DESC NULLS LAST, x.id DESC LIMIT 1`, r.UID, strings.ToLower(r.Attendee))
	if err != nil {
		return 0, fmt.Errorf("campaigns: match calendar reply: %w", err)
	}
	if len(rid) == 0 {
		return 0, nil
	}
	return rid[0], nil
}

// rsvpAnswer maps an iTIP participation status to an RSVP answer.
func rsvpAnswer(partStat string) string {
	switch partStat {
	case "ACCEPTED":
		return "yes"
	case "TENTATIVE":
		return "tentative"
	}
	return "no"
}

func recipientExists(ctx context.Context, db *sqlx.DB, rid int64) bool {
	var ok bool
	db.GetContext(ctx, &ok, `SELECT EXISTS (SELECT 1 FROM recipients WHERE id = $1)`, rid)
	return ok
}

func recipientByMessageID(ctx context.Context, db *sqlx.DB, ids []string) (int64, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	var rid []int64
	err := db.SelectContext(ctx, &rid, `SELECT id FROM recipients WHERE message_id = ANY($1) ORDER BY step DESC LIMIT 1`, pq.Array(ids))
	if err != nil {
		return 0, fmt.Errorf("campaigns: match message id: %w", err)
	}
	if len(rid) == 0 {
		return 0, nil
	}
	return rid[0], nil
}

func recipientByAddress(ctx context.Context, db *sqlx.DB, addr string) (int64, error) {
	if addr == "" {
		return 0, nil
	}
	var rid []int64
	err := db.SelectContext(ctx, &rid, `SELECT r.id FROM recipients r JOIN contacts c ON c.id = r.contact_id
		WHERE c.email = $1 AND r.sent_at > now() - interval '30 days' ORDER BY r.sent_at DESC LIMIT 1`, strings.ToLower(addr))
	if err != nil {
		return 0, fmt.Errorf("campaigns: match address: %w", err)
	}
	if len(rid) == 0 {
		return 0, nil
	}
	return rid[0], nil
}

// apply records what the message means for the recipient.
func apply(ctx context.Context, tx *sqlx.Tx, in Inbound, rid int64) error {
	switch {
	case in.Calendar != nil:
		_, err := recordRSVP(ctx, tx, rid, rsvpAnswer(in.Calendar.PartStat), "calendar")
		return err
	case in.Kind == InboundReply:
		return answered(ctx, tx, rid, "reply", `replied_at = coalesce(replied_at, now())`, "email.replied", in)
	case in.Kind == InboundComplaint:
		return answered(ctx, tx, rid, "complaint", ``, "email.complained", in)
	case in.Kind == InboundBounce && in.Hard:
		return answered(ctx, tx, rid, "bounce", `bounced_at = coalesce(bounced_at, now())`, "email.bounced", in)
	case in.Kind == InboundBounce:
		return answered(ctx, tx, rid, "soft_bounce", ``, "email.soft_bounced", in)
	default:
		return answered(ctx, tx, rid, "auto_reply", ``, "email.auto_replied", in)
	}
}

// suppresses names the contact column a response sets to stop all mail
// to the address.
var suppresses = map[string]string{"bounce": "bounced_at", "complaint": "complained_at"}

// answered writes the event, the recipient column (set), the timeline
// entry and, for a hard bounce or a complaint, the contact's suppression.
func answered(ctx context.Context, tx *sqlx.Tx, rid int64, event, set, activity string, in Inbound) error {
	if set != "" {
		if _, err := tx.ExecContext(ctx, `UPDATE recipients SET `+set+` WHERE id = $1`, rid); err != nil {
			return fmt.Errorf("campaigns: ingest: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO recipient_events (recipient_id, kind) VALUES ($1, $2)`, rid, event); err != nil {
		return fmt.Errorf("campaigns: ingest: %w", err)
	}
	if column := suppresses[event]; column != "" {
		if _, err := tx.ExecContext(ctx, `UPDATE contacts c SET `+column+` = coalesce(c.`+column+`, now()), updated_at = now()
			FROM recipients r WHERE r.id = $1 AND c.id = r.contact_id`, rid); err != nil {
			return fmt.Errorf("campaigns: ingest: %w", err)
		}
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO activities (contact_id, kind, details)
		SELECT r.contact_id, $2, jsonb_strip_nulls(jsonb_build_object('campaign_id', r.campaign_id, 'recipient_id', r.id,
			'subject', nullif($3, ''), 'snippet', nullif($4, ''), 'status', nullif($5, '')))
		FROM recipients r WHERE r.id = $1`, rid, activity, in.Subject, in.Snippet, in.Status)
	if err != nil {
		return fmt.Errorf("campaigns: ingest: %w", err)
	}
	return nil
}
