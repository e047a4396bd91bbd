package segment

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// manyValues returns "country in (DE, DE, ...)" with n values.
func manyValues(n int) string {
	return "country in (" + strings.TrimSuffix(strings.Repeat("DE, ", n), ", ") + ")"
}

// short abbreviates long inputs in test names and messages.
func short(s string) string {
	if len(s) <= 60 {
		return s
	}
	return fmt.Sprintf("%s...(%d bytes)", s[:60], len(s))
}

// errorCases are malformed expressions with the error each must report.
var errorCases = []struct {
	src  string
	want Error
}{
	// Syntax.
	{`country in ()`, Error{13, `expected a value after "in (", found ")"`}},
	{`country not in ()`, Error{17, `expected a value after "not in (", found ")"`}},
	{`seniority = "middle`, Error{13, `unterminated string: expected a closing double quote, found end of input`}},
	{`seniority =`, Error{12, `expected a value after "=", found end of input`}},
	{`country = and seniority = middle`, Error{11, `expected a value after "=", found "and"; quote it to use it as a value`}},
	{`seniority = middle garbage`, Error{20, `expected "and", "or" or end of input, found "garbage"`}},
	{`seniority = middle)`, Error{19, `expected "and", "or" or end of input, found ")"`}},
	{`()`, Error{2, `expected a condition after "(", found ")"`}},
	{`country = DE and`, Error{17, `expected a condition (a field such as seniority, or an engagement such as replied), found end of input`}},
	{`not`, Error{4, `expected a condition (a field such as seniority, or an engagement such as replied), found end of input`}},
	{`or country = DE`, Error{1, `expected a condition (a field such as seniority, or an engagement such as replied), found "or"`}},
	{`(country = DE`, Error{14, `expected ")" to close "(" at position 1, found end of input`}},
	{`(country = DE x)`, Error{15, `expected "and", "or" or ")", found "x"`}},
	{`country in (DE, AT`, Error{19, `expected ")" to close the list opened at position 12, found end of input`}},
	{`country in (DE AT)`, Error{16, `expected "," or ")" in the list, found "AT"`}},
	{`country in (DE,)`, Error{16, `expected a value after ",", found ")"`}},
	{`country in DE`, Error{12, `expected "(" after "in", found "DE"`}},
	{`country DE`, Error{9, `expected an operator (=, !=, in or not in) after "country", found "DE"`}},
	{`country not DE`, Error{13, `expected "in" after "country not", found "DE"`}},
	{`a = 'b'`, Error{5, `unexpected character "'"; strings use double quotes`}},
	// Fields and operators.
	{`senority = middle`, Error{1, `unknown field "senority"; did you mean "seniority"?`}},
	{`Contry = DE`, Error{1, `unknown field "Contry"; did you mean "country"?`}},
	{`replyed`, Error{1, `unknown field "replyed"; did you mean "replied"?`}},
	{`salary > 3`, Error{1, `unknown field "salary"; fields are email, first_name, last_name, job_title, seniority, ` +
		`organisation, organisation_type, country, language, topics, tags, consent, created_at, ` +
		`and engagements are invited, opened, clicked, replied, rsvp`}},
	{`email contains x`, Error{7, `field email does not support "contains"; use =, !=, in, not in or ~`}},
	{`seniority ~ mid`, Error{11, `field seniority does not support "~"; use =, !=, in or not in`}},
	{`job_title < x`, Error{11, `field job_title does not support "<"; use =, !=, in, not in or ~`}},
	{`topics = x`, Error{8, `field topics does not support "="; use contains, in or not in`}},
	{`created_at in (2026-01-01)`, Error{12, `field created_at does not support "in"; use =, !=, <, >, <= or >=`}},
	// Engagements.
	{`replied`, Error{1, `engagement conditions such as "replied" need campaign data, which is not available here`}},
	{`country = DE or not Opened(campaign 3)`, Error{21, `engagement conditions such as "opened" need campaign data, which is not available here`}},
	{`replied()`, Error{9, `expected "campaign", "since" or "within" in replied(...), found ")"`}},
	{`replied(campaign x)`, Error{18, `expected a campaign number after "campaign", found "x"`}},
	{`replied(campaign 0)`, Error{18, `expected a campaign number after "campaign", found "0"`}},
	{`replied(yes)`, Error{9, `only rsvp takes "yes"; replied(...) takes campaign, since or within`}},
	{`rsvp(maybe)`, Error{6, `expected "campaign", "since", "within", "yes" or "no" in rsvp(...), found "maybe"`}},
	{`rsvp(yes, no)`, Error{11, `the answer is given twice in rsvp(...)`}},
	{`rsvp(campaign 1, campaign 2)`, Error{18, `campaign is given twice in rsvp(...)`}},
	{`opened(within 30x)`, Error{15, `expected a duration such as 12h, 30d or 2w after "within", found "30x"`}},
	{`clicked(since 2026-02-30)`, Error{15, `expected a date such as 2026-01-31 or an RFC 3339 timestamp after "since", found "2026-02-30"`}},
	{`replied(since 2026-01-01, within 3d)`, Error{27, `replied(...) takes since or within, not both`}},
	{`replied(within 3d, WITHIN 4d)`, Error{20, `within is given twice in replied(...)`}},
	{`topics contains ""`, Error{17, `"" is not a valid topic`}},
	{`tags in (vip, "  ")`, Error{15, `"  " is not a valid tag`}},
	{`language = Klingon`, Error{12, `unknown language "Klingon"; use a code such as de or an English name such as German, or "" for unknown`}},
	{`replied(campaign 1 within 3d)`, Error{20, `expected "," or ")" in replied(...), found "within"`}},
	{`replied(campaign 1`, Error{19, `expected ")" to close "replied(" at position 8, found end of input`}},
	// Values.
	{`seniority = boss`, Error{13, `unknown seniority "boss"; use executive, senior, middle, operational or unknown`}},
	{`seniority in (middle, "Boss Man")`, Error{23, `unknown seniority "Boss Man"; use executive, senior, middle, operational or unknown`}},
	{`organisation_type = charity`, Error{21, `unknown organisation type "charity"; use business_support, finance, public, ngo, chamber, education, network or other`}},
	{`consent = yes`, Error{11, `unknown consent "yes"; use opt_in, legitimate_interest or unsubscribed`}},
	{`country = Atlantis`, Error{11, `unknown country "Atlantis"; use an ISO code such as DE or an English name such as Germany, or "" for unknown`}},
	{`created_at < 2026-13-01`, Error{14, `invalid date "2026-13-01" for created_at; use a date such as 2026-01-31 or an RFC 3339 timestamp such as 2026-01-31T09:00:00Z`}},
	{`created_at >= yesterday`, Error{15, `invalid date "yesterday" for created_at; use a date such as 2026-01-31 or an RFC 3339 timestamp such as 2026-01-31T09:00:00Z`}},
	// Limits.
	{strings.Repeat("(", 33) + "country = DE" + strings.Repeat(")", 33), Error{33, `expression nests deeper than 32 levels`}},
	{strings.Repeat("not ", 33) + "replied", Error{129, `expression nests deeper than 32 levels`}},
	{"country = " + strings.Repeat("x", 5000), Error{4097, `expression is longer than 4096 characters`}},
	{manyValues(1001), Error{13 + 1000*4, `too many values in the list; at most 1000 are allowed`}},
}

func TestWhereErrors(t *testing.T) {
	for _, tt := range errorCases {
		t.Run(short(tt.src), func(t *testing.T) {
			args := NewArgs(1)
			sql, err := Where(tt.src, args, Options{})
			var got *Error
			if !errors.As(err, &got) {
				t.Fatalf("Where(%q) = %q, %v; want *Error", short(tt.src), short(sql), err)
			}
			if diff := cmp.Diff(tt.want, *got); diff != "" {
				t.Errorf("Where(%q) error mismatch (-want +got):\n%s", short(tt.src), diff)
			}
			if len(args.Values()) != 0 {
				t.Errorf("Where(%q) left %d args after an error, want none", short(tt.src), len(args.Values()))
			}
		})
	}
}

func TestErrorString(t *testing.T) {
	_, err := Parse(`country in ()`)
	want := `position 13: expected a value after "in (", found ")"`
	if err == nil || err.Error() != want {
		t.Errorf("Parse error = %v, want %q", err, want)
	}
}
