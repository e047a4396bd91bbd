package campaigns

import (
	"fmt"

	"outreach/crm/segment"
)

// SegmentOptions returns the segment compiler options that make the
// engagement predicates (invited, opened, clicked, replied, rsvp) work over
// campaign data, so "not replied(campaign 12)" selects contacts.
func SegmentOptions() segment.Options {
	return segment.Options{Engagement: compileEngagement}
}

// engagementColumn is the recipient column each predicate tests; opens and
// clicks there are human ones only (machine events never set them).
var engagementColumn = map[string]string{
	"invited": "r.sent_at",
	"opened":  "r.opened_at",
	"clicked": "r.clicked_at",
	"replied": "r.replied_at",
	"rsvp":    "r.rsvp_at",
}

func compileEngagement(e *segment.Engagement, args *segment.Args) (string, error) {
	col, ok := engagementColumn[e.Kind]
	if !ok {
		return "", fmt.Errorf("unknown engagement condition %q", e.Kind)
	}
	cond := "r.contact_id = c.id AND " + col + " IS NOT NULL"
	if e.CampaignID != 0 {
		cond += " AND r.campaign_id = " + args.Add(e.CampaignID)
	}
	if e.Answer != "" {
		cond += " AND r.rsvp = " + args.Add(e.Answer)
	}
	if !e.Since.IsZero() {
		cond += " AND " + col + " >= " + args.Add(e.Since)
	}
	if e.Within > 0 {
		cond += " AND " + col + " >= now() - make_interval(secs => " + args.Add(e.Within.Seconds()) + ")"
	}
	// EXISTS is two-valued, so "not replied" includes contacts never invited.
	return "EXISTS (SELECT 1 FROM recipients r WHERE " + cond + ")", nil
}
