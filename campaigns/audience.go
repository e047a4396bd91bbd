package campaigns

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"

	"outreach/crm"
	"outreach/crm/segment"
)

// AudienceCounts says, before a campaign is created, how many contacts its
// audience selects and how many of them would be suppressed at send time,
// by reason, so the coordinator sees who will not get the message and why.
type AudienceCounts struct {
	Matching     int `db:"matching" json:"matching"`         // live contacts the audience selects
	Unsubscribed int `db:"unsubscribed" json:"unsubscribed"` // consent withdrawn: they said no
	Bounced      int `db:"bounced" json:"bounced"`           // a hard bounce suppressed the address
	Complained   int `db:"complained" json:"complained"`     // a spam complaint suppressed the address
	Erased       int `db:"erased" json:"erased"`             // erased contacts that still match; never recipients
}

// Suppressed is how many selected live contacts will not be mailed.
func (a AudienceCounts) Suppressed() int { return a.Unsubscribed + a.Bounced + a.Complained }

// Receive is how many will get the message.
func (a AudienceCounts) Receive() int { return a.Matching - a.Suppressed() }

// AudienceWhere returns the segment expression of an input's audience:
// the expression itself or the saved segment's.
func AudienceWhere(ctx context.Context, q sqlx.QueryerContext, in Input) (string, error) {
	switch {
	case in.Audience.SegmentID != nil:
		s, err := crm.SegmentByID(ctx, q, *in.Audience.SegmentID)
		if err != nil {
			return "", invalid("audience.segment_id", "segment %d does not exist", *in.Audience.SegmentID)
		}
		return s.Where, nil
	case in.Audience.Where != nil:
		return *in.Audience.Where, nil
	}
	return "", invalid("audience", "give where (a segment expression) or segment_id")
}

// AudienceSummary counts an input's audience and its suppressed contacts.
// Each contact counts under one reason, in the order the sender checks
// them (unsubscribed, bounced, complained), so the reasons add up.
func AudienceSummary(ctx context.Context, db sqlx.QueryerContext, in Input, segOpts segment.Options) (AudienceCounts, error) {
	var a AudienceCounts
	where, err := AudienceWhere(ctx, db, in)
	if err != nil {
		return a, err
	}
	args := segment.NewArgs(1)
	cond, err := segment.Where(where, args, segOpts)
	if err != nil {
		return a, invalid("audience.where", "%v", err)
	}
	err = sqlx.GetContext(ctx, db, &a, `SELECT
		count(*) FILTER (WHERE c.erased_at IS NULL) AS matching,
		count(*) FILTER (WHERE c.erased_at IS NULL AND c.consent = 'unsubscribed') AS unsubscribed,
		count(*) FILTER (WHERE c.erased_at IS NULL AND c.consent <> 'unsubscribed' AND c.bounced_at IS NOT NULL) AS bounced,
		count(*) FILTER (WHERE c.erased_at IS NULL AND c.consent <> 'unsubscribed' AND c.bounced_at IS NULL
			AND c.complained_at IS NOT NULL) AS complained,
		count(*) FILTER (WHERE c.erased_at IS NOT NULL) AS erased
		FROM contacts c WHERE (`+cond+`)`, args.Values()...)
	if err != nil {
		return a, fmt.Errorf("campaigns: audience summary: %w", err)
	}
	return a, nil
}
