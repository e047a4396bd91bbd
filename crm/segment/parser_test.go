package segment

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// parseCases pair expressions with their canonical form.
var parseCases = []struct {
	src  string
	want string
}{
	{`seniority = middle`, `seniority = middle`},
	{`SENIORITY In (Middle,operational)`, `seniority in (Middle, operational)`},
	{`organization_type = ngo`, `organisation_type = ngo`},
	{`Organization ~ "Größer GmbH"`, `organisation ~ "Größer GmbH"`},
	{`country not in (DE)`, `country not in (DE)`},
	{`email = "x@y.org"`, `email = x@y.org`},
	{`job_title = "and"`, `job_title = "and"`},
	{`job_title = ""`, `job_title = ""`},
	{`job_title = "say \"hi\" \\ bye"`, `job_title = "say \"hi\" \\ bye"`},
	{`topics contains access_to_finance`, `topics contains access_to_finance`},
	{`created_at>=2026-01-31`, `created_at >= 2026-01-31`},
	// Precedence: not > and > or.
	{`country = DE or country = AT and seniority = middle`, `country = DE or country = AT and seniority = middle`},
	{`(country = DE or country = AT) and seniority = middle`, `(country = DE or country = AT) and seniority = middle`},
	{`not country = DE and seniority = middle`, `not country = DE and seniority = middle`},
	{`not (country = DE and seniority = middle)`, `not (country = DE and seniority = middle)`},
	{`not not replied`, `not not replied`},
	// Redundant parentheses go; nested conjunctions flatten.
	{`((country = DE))`, `country = DE`},
	{`country = DE and (seniority = middle and language = de)`, `country = DE and seniority = middle and language = de`},
	{`(country = DE or country = AT) or country = CH`, `country = DE or country = AT or country = CH`},
	// Engagements print their arguments in a fixed order.
	{`Replied`, `replied`},
	{`replied(campaign 12)`, `replied(campaign 12)`},
	{`rsvp(within 2w, YES, campaign 3)`, `rsvp(yes, campaign 3, within 14d)`},
	{`opened(within 12h)`, `opened(within 12h)`},
	{`clicked(since 2026-01-01T00:00:00Z)`, `clicked(since 2026-01-01)`},
	{`clicked(since 2026-01-01T10:30:00+02:00)`, `clicked(since 2026-01-01T10:30:00+02:00)`},
	{"\n seniority in (middle, operational) and organisation_type = business_support\n" +
		"  and country in (DE, AT) and topics contains access_to_finance\n  and not replied(campaign 12)\n",
		`seniority in (middle, operational) and organisation_type = business_support and country in (DE, AT) ` +
			`and topics contains access_to_finance and not replied(campaign 12)`},
}

func TestParseString(t *testing.T) {
	for _, tt := range parseCases {
		e, err := Parse(tt.src)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.src, err)
			continue
		}
		if got := e.String(); got != tt.want {
			t.Errorf("Parse(%q).String() = %q, want %q", tt.src, got, tt.want)
		}
		// The canonical form is a fixed point.
		again, err := Parse(e.String())
		if err != nil || again.String() != tt.want {
			t.Errorf("Parse(%q) = %v, %v; want %q again", e.String(), again, err, tt.want)
		}
	}
}

func TestParseTree(t *testing.T) {
	sen := lookupField("seniority")
	country := lookupField("country")
	tests := []struct {
		src  string
		want Expr
	}{
		{"   \n\t", nil},
		{`seniority = middle or country = DE and not replied`, &orExpr{terms: []Expr{
			&comparison{field: sen, op: opEq, values: []value{{"middle", 13}}},
			&andExpr{terms: []Expr{
				&comparison{field: country, op: opEq, values: []value{{"DE", 33}}},
				&notExpr{x: &Engagement{Kind: "replied", Pos: 44}},
			}},
		}}},
		{`country not in (DE, "AT")`, &comparison{field: country, op: opNotIn,
			values: []value{{"DE", 17}, {"AT", 21}}}},
		{`rsvp(no, campaign 7, since 2026-02-01)`, &Engagement{Kind: "rsvp", Answer: "no", CampaignID: 7,
			Since: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), Pos: 1}},
		{`replied(within 30d)`, &Engagement{Kind: "replied", Within: 30 * 24 * time.Hour, Pos: 1}},
	}
	opts := cmp.Options{cmp.AllowUnexported(orExpr{}, andExpr{}, notExpr{}, comparison{}, value{}),
		cmp.Comparer(func(a, b *field) bool { return a == b })}
	for _, tt := range tests {
		got, err := Parse(tt.src)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.src, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got, opts); diff != "" {
			t.Errorf("Parse(%q) mismatch (-want +got):\n%s", tt.src, diff)
		}
	}
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"12h", 12 * time.Hour, true},
		{"30d", 30 * 24 * time.Hour, true},
		{"2W", 14 * 24 * time.Hour, true},
		{"5200w", 5200 * 7 * 24 * time.Hour, true},
		{"5300w", 0, false},
		{"0d", 0, false},
		{"d", 0, false},
		{"+3d", 0, false},
		{"3m", 0, false},
		{"99999999999999999999d", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseDuration(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseDuration(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}
