package campaigns

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"outreach/campaigns/stats"
)

// Dimensions are what a report can group by: the recipient's snapshot at
// invitation time, so a report says who they were when invited.
var Dimensions = []string{"seniority", "organisation_type", "organisation", "country", "language", "topic"}

// Metrics are the rates a report gives.
var Metrics = []string{"opened", "clicked", "replied", "rsvp_yes", "rsvp_no", "rsvp_tentative", "attended", "unsubscribed", "bounced"}

// ReportQuery selects what a report covers.
type ReportQuery struct {
	CampaignIDs []int64   // these campaigns; empty: campaigns started in [Since, Until)
	Since       time.Time // zero: no lower bound
	Until       time.Time // zero: no upper bound
	By          []string  // one or two of Dimensions
	Machine     bool      // count opens and clicks flagged as machine events too
}

// Row is one group's funnel. A recipient is a contact invited by one
// campaign: the invitation and its follow-ups count once together.
type Row struct {
	Group         map[string]string         `json:"group"`
	Recipients    int                       `json:"recipients" db:"recipients"`
	Sent          int                       `json:"sent" db:"sent"`
	Delivered     int                       `json:"delivered" db:"delivered"`
	Opened        int                       `json:"opened" db:"opened"`
	Clicked       int                       `json:"clicked" db:"clicked"`
	Replied       int                       `json:"replied" db:"replied"`
	RSVPYes       int                       `json:"rsvp_yes" db:"rsvp_yes"`
	RSVPNo        int                       `json:"rsvp_no" db:"rsvp_no"`
	RSVPTentative int                       `json:"rsvp_tentative" db:"rsvp_tentative"`
	Attended      int                       `json:"attended" db:"attended"`
	Unsubscribed  int                       `json:"unsubscribed" db:"unsubscribed"`
	Bounced       int                       `json:"bounced" db:"bounced"`
	Rates         map[string]stats.Interval `json:"rates"`
}

// reportRow is a Row as the query returns it.
type reportRow struct {
	Row
	Dim0 string `db:"dim0"`
	Dim1 string `db:"dim1"`
}

// reportTotal sums the group rows; with topics a contact may sit in
// several groups, so then the total is counted on its own.
func reportTotal(ctx context.Context, db sqlx.QueryerContext, q ReportQuery, ids []int64, rows []Row) (Row, error) {
	var t Row
	if contains(q.By, "topic") || len(q.By) == 0 {
		var rr reportRow
		if err := sqlx.GetContext(ctx, db, &rr, reportSQL(q.By, q.Machine, true), pq.Array(ids)); err != nil {
			return t, fmt.Errorf("campaigns: report total: %w", err)
		}
		t = rr.Row
	} else {
		for _, r := range rows {
			t.add(r)
		}
	}
	t.Group = map[string]string{}
	t.fillRates()
	return t, nil
}

func (r *Row) add(o Row) {
	r.Recipients += o.Recipients
	r.Sent += o.Sent
	r.Delivered += o.Delivered
	r.Opened += o.Opened
	r.Clicked += o.Clicked
	r.Replied += o.Replied
	r.RSVPYes += o.RSVPYes
	r.RSVPNo += o.RSVPNo
	r.RSVPTentative += o.RSVPTentative
	r.Attended += o.Attended
	r.Unsubscribed += o.Unsubscribed
	r.Bounced += o.Bounced
}

// Report is a campaign's (or several campaigns') funnel per group, with a
// total row.
type Report struct {
	CampaignIDs []int64  `json:"campaign_ids"`
	By          []string `json:"by"`
	Machine     bool     `json:"machine_events_included"`
	Rows        []Row    `json:"rows"`
	Total       Row      `json:"total"`
}

// count returns a row's numerator for a metric.
func (r Row) count(metric string) int {
	switch metric {
	case "opened":
		return r.Opened
	case "clicked":
		return r.Clicked
	case "replied":
		return r.Replied
	case "rsvp_yes":
		return r.RSVPYes
	case "rsvp_no":
		return r.RSVPNo
	case "rsvp_tentative":
		return r.RSVPTentative
	case "attended":
		return r.Attended
	case "unsubscribed":
		return r.Unsubscribed
	case "bounced":
		return r.Bounced
	}
	return 0
}

// base returns a metric's denominator: responses are rates over delivered
// messages; bounces over messages sent (delivered or not).
func (r Row) base(metric string) int {
	if metric == "bounced" {
		return r.Sent
	}
	return r.Delivered
}

func (r *Row) fillRates() {
	r.Rates = map[string]stats.Interval{}
	for _, m := range Metrics {
		r.Rates[m] = stats.Wilson(r.count(m), r.base(m))
	}
}

func (q ReportQuery) validate() error {
	if len(q.By) > 2 {
		return invalid("by", "group by one or two of %s", strings.Join(Dimensions, ", "))
	}
	seen := map[string]bool{}
	for _, d := range q.By {
		if !contains(Dimensions, d) || seen[d] {
			return invalid("by", "unknown or repeated dimension %q (use %s)", d, strings.Join(Dimensions, ", "))
		}
		seen[d] = true
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// BuildReport computes a report with set-based SQL (see reportSQL).
func BuildReport(ctx context.Context, db sqlx.QueryerContext, q ReportQuery) (Report, error) {
	rep := Report{By: q.By, Machine: q.Machine, Rows: []Row{}}
	if err := q.validate(); err != nil {
		return rep, err
	}
	ids, err := reportCampaigns(ctx, db, q)
	if err != nil {
		return rep, err
	}
	rep.CampaignIDs = ids
	var rows []reportRow
	if err := sqlx.SelectContext(ctx, db, &rows, reportSQL(q.By, q.Machine, false), pq.Array(ids)); err != nil {
		return rep, fmt.Errorf("campaigns: report: %w", err)
	}
	for _, rr := range rows {
		r := rr.Row
		r.fillRates()
		r.Group = map[string]string{}
		for i, d := range q.By {
			r.Group[d] = []string{rr.Dim0, rr.Dim1}[i]
		}
		rep.Rows = append(rep.Rows, r)
	}
	total, err := reportTotal(ctx, db, q, ids, rep.Rows)
	if err != nil {
		return rep, err
	}
	rep.Total = total
	sortRows(rep.Rows, q.By)
	return rep, nil
}

func reportCampaigns(ctx context.Context, db sqlx.QueryerContext, q ReportQuery) ([]int64, error) {
	if len(q.CampaignIDs) > 0 {
		return q.CampaignIDs, nil
	}
	ids := []int64{}
	err := sqlx.SelectContext(ctx, db, &ids, `SELECT id FROM campaigns WHERE started_at IS NOT NULL
		AND ($1::timestamptz IS NULL OR started_at >= $1) AND ($2::timestamptz IS NULL OR started_at < $2) ORDER BY id`,
		nullTime(q.Since), nullTime(q.Until))
	if err != nil {
		return nil, fmt.Errorf("campaigns: report campaigns: %w", err)
	}
	return ids, nil
}

func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// seniorityOrder sorts seniority groups from the top of an organisation down.
var seniorityOrder = map[string]int{"executive": 0, "senior": 1, "middle": 2, "operational": 3, "unknown": 4}

func sortRows(rows []Row, by []string) {
	key := func(r Row, i int) string {
		v := r.Group[by[i]]
		if by[i] == "seniority" {
			return fmt.Sprint(seniorityOrder[v]) + v
		}
		return v
	}
	sort.SliceStable(rows, func(a, b int) bool {
		for i := range by {
			if ka, kb := key(rows[a], i), key(rows[b], i); ka != kb {
				return ka < kb
			}
		}
		return false
	})
}

// dimColumn maps a dimension to its column in the per-recipient rows.
var dimColumn = map[string]string{
	"seniority": "p.seniority", "organisation_type": "p.organisation_type", "organisation": "p.organisation",
	"country": "p.country", "language": "p.language", "topic": "tp.topic",
}

// reportSQL builds the report query. Only fixed column names from
// dimColumn reach the SQL text; the campaign ids are a parameter.
//
// Shape, for speed on a million recipients: the invitation rows (step 0)
// are the recipients; the few follow-up rows are folded in through a small
// aggregate joined on (campaign, contact); then one GROUP BY, which
// Postgres can run in parallel (GROUPING SETS could not, so the total row
// is a separate query).
func reportSQL(by []string, machine bool, total bool) string {
	dims := []string{"''", "''"}
	var group []string
	if !total {
		for i, d := range by {
			dims[i] = "coalesce(nullif(" + dimColumn[d] + ", ''), 'unknown')"
			group = append(group, dims[i])
		}
	}
	topicJoin := ""
	if !total && contains(by, "topic") {
		// A contact with several topics counts in each; one with none, under "unknown".
		topicJoin = ` CROSS JOIN LATERAL unnest(CASE WHEN cardinality(p.topics) = 0 THEN ARRAY[''] ELSE p.topics END) AS tp(topic)`
	}
	opened, clicked := "p.opened", "p.clicked"
	eventsJoin := ""
	if machine {
		opened, clicked = "(p.opened OR ev.recipient_id IS NOT NULL)", "(p.clicked OR coalesce(ev.clicked, false))"
		eventsJoin = ` LEFT JOIN (
			SELECT e.recipient_id, bool_or(e.kind = 'click') AS clicked
			FROM recipient_events e JOIN recipients x ON x.id = e.recipient_id
			WHERE x.campaign_id = ANY($1) AND x.step = 0 AND e.kind IN ('open', 'click')
			GROUP BY e.recipient_id) ev ON ev.recipient_id = p.id`
	}
	groupBy := ""
	if len(group) > 0 {
		groupBy = " GROUP BY " + strings.Join(group, ", ")
	}
	return `
		WITH f AS (
			SELECT campaign_id, contact_id,
				bool_or(status = 'sent') AS sent, bool_or(status = 'bounced' OR bounced_at IS NOT NULL) AS bounced,
				bool_or(opened_at IS NOT NULL) AS opened, bool_or(clicked_at IS NOT NULL) AS clicked,
				bool_or(replied_at IS NOT NULL) AS replied, bool_or(unsubscribed_at IS NOT NULL) AS unsubscribed,
				(array_agg(rsvp ORDER BY rsvp_at DESC NULLS LAST))[1] AS rsvp, max(rsvp_at) AS rsvp_at
			FROM recipients WHERE campaign_id = ANY($1) AND step > 0
			GROUP BY campaign_id, contact_id),
		p AS (
			SELECT r.id, r.seniority, r.organisation_type, r.organisation, r.country, r.language, r.topics,
				r.status = 'sent' OR coalesce(f.sent, false) AS sent,
				r.status = 'bounced' OR r.bounced_at IS NOT NULL OR coalesce(f.bounced, false) AS bounced,
				r.opened_at IS NOT NULL OR coalesce(f.opened, false) AS opened,
				r.clicked_at IS NOT NULL OR coalesce(f.clicked, false) AS clicked,
				r.replied_at IS NOT NULL OR coalesce(f.replied, false) AS replied,
				r.unsubscribed_at IS NOT NULL OR coalesce(f.unsubscribed, false) AS unsubscribed,
				CASE WHEN f.rsvp_at > r.rsvp_at OR r.rsvp_at IS NULL THEN coalesce(f.rsvp, r.rsvp) ELSE r.rsvp END AS rsvp,
				coalesce(ea.attended, false) AS attended
			FROM recipients r LEFT JOIN f ON f.campaign_id = r.campaign_id AND f.contact_id = r.contact_id
			JOIN campaigns k ON k.id = r.campaign_id
			LEFT JOIN event_attendees ea ON ea.event_id = k.event_id AND ea.contact_id = r.contact_id
			WHERE r.campaign_id = ANY($1) AND r.step = 0)
		SELECT ` + dims[0] + ` AS dim0, ` + dims[1] + ` AS dim1,
			count(*) AS recipients,
			count(*) FILTER (WHERE p.sent OR p.bounced) AS sent,
			count(*) FILTER (WHERE p.sent AND NOT p.bounced) AS delivered,
			count(*) FILTER (WHERE ` + opened + ` AND NOT p.bounced) AS opened,
			count(*) FILTER (WHERE ` + clicked + ` AND NOT p.bounced) AS clicked,
			count(*) FILTER (WHERE p.replied AND NOT p.bounced) AS replied,
			count(*) FILTER (WHERE p.rsvp = 'yes' AND NOT p.bounced) AS rsvp_yes,
			count(*) FILTER (WHERE p.rsvp = 'no' AND NOT p.bounced) AS rsvp_no,
			count(*) FILTER (WHERE p.rsvp = 'tentative' AND NOT p.bounced) AS rsvp_tentative,
			count(*) FILTER (WHERE p.attended AND NOT p.bounced) AS attended,
			count(*) FILTER (WHERE p.unsubscribed AND NOT p.bounced) AS unsubscribed,
			count(*) FILTER (WHERE p.bounced) AS bounced
		FROM p` + topicJoin + eventsJoin + groupBy
}
