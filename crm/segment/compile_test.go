package segment

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// engagementSQL is a stand-in for the campaigns package's hook: a
// two-valued EXISTS over the activity timeline.
func engagementSQL(e *Engagement, args *Args) (string, error) {
	sql := "EXISTS (SELECT 1 FROM activities a WHERE a.contact_id = c.id AND a.kind = " + args.Add(e.Kind)
	if e.CampaignID != 0 {
		sql += " AND a.campaign_id = " + args.Add(e.CampaignID)
	}
	if !e.Since.IsZero() {
		sql += " AND a.occurred_at >= " + args.Add(e.Since)
	}
	return sql + ")", nil
}

var hooked = Options{Engagement: engagementSQL}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

const (
	orgIn = "c.organisation_id IS NOT NULL AND c.organisation_id IN (SELECT o.id FROM organisations o WHERE "
	hook  = "EXISTS (SELECT 1 FROM activities a WHERE a.contact_id = c.id AND a.kind = "
)

var compileCases = []struct {
	src      string
	wantSQL  string
	wantArgs []any
}{
	{"", "TRUE", nil},
	{" \n", "TRUE", nil},
	{`seniority = Middle`, `c.seniority = $1`, []any{"middle"}},
	{`seniority in (middle, OPERATIONAL)`, `c.seniority IN ($1, $2)`, []any{"middle", "operational"}},
	{`seniority in (middle)`, `c.seniority = $1`, []any{"middle"}},
	{`seniority != executive`, `NOT (c.seniority = $1)`, []any{"executive"}},
	{`seniority not in (executive, senior)`, `NOT (c.seniority IN ($1, $2))`, []any{"executive", "senior"}},
	{`consent = OPT_IN`, `c.consent = $1`, []any{"opt_in"}},
	{`country in (de, AT)`, `c.country IN ($1, $2)`, []any{"DE", "AT"}},
	{`country = ""`, `c.country = $1`, []any{""}},
	{`language = DE`, `c.language = $1`, []any{"de"}},
	{`email = X@Y.org`, `c.email IS NOT NULL AND c.email = $1`, []any{"x@y.org"}},
	{`email in (a@b.c, "B@c.d")`, `c.email IS NOT NULL AND c.email IN ($1, $2)`, []any{"a@b.c", "b@c.d"}},
	{`email ~ "@Example."`, `c.email IS NOT NULL AND strpos(c.email, $1) > 0`, []any{"@example."}},
	{`email != a@b.c`, `NOT (c.email IS NOT NULL AND c.email = $1)`, []any{"a@b.c"}},
	{`first_name = Anna`, `lower(c.first_name) = lower($1)`, []any{"Anna"}},
	{`last_name = ""`, `lower(c.last_name) = lower($1)`, []any{""}},
	{`job_title in (CEO, "Managing Director")`, `lower(c.job_title) IN (lower($1), lower($2))`, []any{"CEO", "Managing Director"}},
	{`job_title ~ "50%_off'; DROP TABLE contacts"`, `strpos(lower(c.job_title), lower($1)) > 0`, []any{"50%_off'; DROP TABLE contacts"}},
	{`organisation = "Größer GmbH"`, orgIn + `lower(o.name) = lower($1))`, []any{"Größer GmbH"}},
	{`Organization ~ gmbh`, orgIn + `strpos(lower(o.name), lower($1)) > 0)`, []any{"gmbh"}},
	{`organisation_type = NGO`, orgIn + `o.type = $1)`, []any{"ngo"}},
	{`organization_type in (ngo, finance)`, orgIn + `o.type IN ($1, $2))`, []any{"ngo", "finance"}},
	{`organisation_type != ngo`, `NOT (` + orgIn + `o.type = $1))`, []any{"ngo"}},
	{`topics contains access_to_finance`, `c.topics @> ARRAY[$1]::text[]`, []any{"access_to_finance"}},
	{`topics in (access_to_finance, coaching_mentoring)`, `c.topics && ARRAY[$1, $2]::text[]`, []any{"access_to_finance", "coaching_mentoring"}},
	{`tags not in (vip)`, `NOT (c.tags && ARRAY[$1]::text[])`, []any{"vip"}},
	{`created_at = 2026-01-31`, `c.created_at >= $1 AND c.created_at < $2`, []any{day(2026, 1, 31), day(2026, 2, 1)}},
	{`created_at != 2026-01-31`, `NOT (c.created_at >= $1 AND c.created_at < $2)`, []any{day(2026, 1, 31), day(2026, 2, 1)}},
	{`created_at < 2026-01-31`, `c.created_at < $1`, []any{day(2026, 1, 31)}},
	{`created_at <= 2026-01-31`, `c.created_at < $1`, []any{day(2026, 2, 1)}},
	{`created_at > 2026-01-31`, `c.created_at >= $1`, []any{day(2026, 2, 1)}},
	{`created_at >= 2026-01-31`, `c.created_at >= $1`, []any{day(2026, 1, 31)}},
	{`created_at < 2026-01-31T09:00:00+01:00`, `c.created_at < $1`, []any{time.Date(2026, 1, 31, 8, 0, 0, 0, time.UTC)}},
	{`created_at = 2026-01-31T09:00:00Z`, `c.created_at = $1`, []any{time.Date(2026, 1, 31, 9, 0, 0, 0, time.UTC)}},
	// Structure.
	{`country = DE and (seniority = middle or email = x@y.org)`,
		`c.country = $1 AND (c.seniority = $2 OR (c.email IS NOT NULL AND c.email = $3))`, []any{"DE", "middle", "x@y.org"}},
	{`email = a@b.c and country = DE`, `(c.email IS NOT NULL AND c.email = $1) AND c.country = $2`, []any{"a@b.c", "DE"}},
	{`seniority = middle or country = DE and language = de`,
		`c.seniority = $1 OR (c.country = $2 AND c.language = $3)`, []any{"middle", "DE", "de"}},
	{`not (country = DE or country = AT)`, `NOT (c.country = $1 OR c.country = $2)`, []any{"DE", "AT"}},
	{`not not country = DE`, `NOT (NOT (c.country = $1))`, []any{"DE"}},
	{`not replied(campaign 12, since 2026-01-01)`, `NOT (` + hook + `$1 AND a.campaign_id = $2 AND a.occurred_at >= $3))`,
		[]any{"replied", int64(12), day(2026, 1, 1)}},
	{"seniority in (middle, operational) and organisation_type = business_support\n" +
		"  and country in (DE, AT) and topics contains access_to_finance\n  and not replied(campaign 12)",
		`c.seniority IN ($1, $2) AND (` + orgIn + `o.type = $3)) AND c.country IN ($4, $5) AND ` +
			`c.topics @> ARRAY[$6]::text[] AND NOT (` + hook + `$7 AND a.campaign_id = $8))`,
		[]any{"middle", "operational", "business_support", "DE", "AT", "access_to_finance", "replied", int64(12)}},
	{`opened or clicked`, `(` + hook + `$1)) OR (` + hook + `$2))`, []any{"opened", "clicked"}},
}

func TestWhere(t *testing.T) {
	for _, tt := range compileCases {
		t.Run(tt.src, func(t *testing.T) {
			args := NewArgs(1)
			got, err := Where(tt.src, args, hooked)
			if err != nil {
				t.Fatalf("Where(%q): %v", tt.src, err)
			}
			if got != tt.wantSQL {
				t.Errorf("Where(%q) SQL\n got: %s\nwant: %s", tt.src, got, tt.wantSQL)
			}
			if diff := cmp.Diff(tt.wantArgs, args.Values()); diff != "" {
				t.Errorf("Where(%q) args mismatch (-want +got):\n%s", tt.src, diff)
			}
		})
	}
}

func TestArgsContinueNumbering(t *testing.T) {
	args := NewArgs(2)
	if got := args.Add(int64(7)); got != "$2" {
		t.Errorf("first Add = %q, want $2", got)
	}
	sql, err := Where(`country in (DE, AT)`, args, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want := "c.country IN ($3, $4)"; sql != want {
		t.Errorf("Where SQL = %q, want %q", sql, want)
	}
	if diff := cmp.Diff([]any{int64(7), "DE", "AT"}, args.Values()); diff != "" {
		t.Errorf("args mismatch (-want +got):\n%s", diff)
	}
	if got := NewArgs(0).Add("x"); got != "$1" {
		t.Errorf("NewArgs(0).Add = %q, want $1", got)
	}
}

func TestEngagementHookErrors(t *testing.T) {
	tests := []struct {
		hook func(*Engagement, *Args) (string, error)
		want Error
	}{
		{func(*Engagement, *Args) (string, error) { return "", fmt.Errorf("no campaign 99") },
			Error{18, "replied: no campaign 99"}},
		{func(e *Engagement, _ *Args) (string, error) {
			return "", &Error{Pos: e.Pos + 8, Msg: "campaign 99 is archived"}
		},
			Error{26, "campaign 99 is archived"}},
		{func(*Engagement, *Args) (string, error) { return " ", nil },
			Error{18, "replied: no SQL for this engagement condition"}},
	}
	for _, tt := range tests {
		args := NewArgs(1)
		_, err := Where(`country = DE and replied(campaign 99)`, args, Options{Engagement: tt.hook})
		var got *Error
		if !errors.As(err, &got) {
			t.Errorf("Where error = %v, want *Error", err)
			continue
		}
		if diff := cmp.Diff(tt.want, *got); diff != "" {
			t.Errorf("Where error mismatch (-want +got):\n%s", diff)
		}
		if len(args.Values()) != 0 {
			t.Errorf("args = %v after an error, want none", args.Values())
		}
	}
}

func TestFields(t *testing.T) {
	want := []string{"email", "first_name", "last_name", "job_title", "seniority", "organisation",
		"organisation_type", "country", "language", "topics", "tags", "consent", "created_at"}
	if diff := cmp.Diff(want, Fields); diff != "" {
		t.Errorf("Fields mismatch (-want +got):\n%s", diff)
	}
}
