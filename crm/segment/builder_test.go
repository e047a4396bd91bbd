package segment

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestConditionQuotesAndParses(t *testing.T) {
	cases := []struct {
		field, op string
		values    []string
		want      string
	}{
		{"seniority", "=", []string{"middle"}, `seniority = middle`},
		{"Organization", "~", []string{`Smith & "Co"`}, `organisation ~ "Smith & \"Co\""`},
		{"country", "in", []string{"DE", "Czech Republic"}, `country in (DE, "Czech Republic")`},
		{"country", "not  in", []string{"AT"}, `country not in (AT)`},
		{"job_title", "=", []string{"and"}, `job_title = "and"`},
		{"language", "=", []string{""}, `language = ""`},
		{"topics", "contains", []string{"access_to_finance"}, `topics contains access_to_finance`},
		{"replied", "yes", nil, `replied`},
		{"opened", "no", []string{"12"}, `not opened(campaign 12)`},
	}
	for _, c := range cases {
		got, err := Condition(c.field, c.op, c.values)
		if err != nil {
			t.Errorf("Condition(%q, %q, %q): %v", c.field, c.op, c.values, err)
			continue
		}
		if got != c.want {
			t.Errorf("Condition(%q, %q, %q) = %s, want %s", c.field, c.op, c.values, got, c.want)
		}
		if _, err := Parse(got); err != nil {
			t.Errorf("Condition(%q, %q, %q) = %s does not parse: %v", c.field, c.op, c.values, got, err)
		}
	}
}

func TestConditionRefuses(t *testing.T) {
	for _, c := range []struct {
		field, op string
		values    []string
	}{
		{"shoe_size", "=", []string{"42"}},
		{"seniority", "contains", []string{"middle"}},
		{"seniority", "=", nil},
		{"seniority", "=", []string{"middle", "senior"}},
		{"replied", "maybe", nil},
		{"replied", "yes", []string{"twelve"}},
	} {
		if got, err := Condition(c.field, c.op, c.values); err == nil {
			t.Errorf("Condition(%q, %q, %q) = %s, want an error", c.field, c.op, c.values, got)
		}
	}
}

func TestAndKeepsMeaning(t *testing.T) {
	cases := []struct{ src, cond, want string }{
		{"", "seniority = middle", "seniority = middle"},
		{"  country = DE ", "seniority = middle", "country = DE and seniority = middle"},
		{"country = DE or country = AT", "seniority = middle", "(country = DE or country = AT) and seniority = middle"},
		{"(country = DE or country = AT)", "seniority = middle", "(country = DE or country = AT) and seniority = middle"},
		{"country = (", "seniority = middle", "country = ( and seniority = middle"},
	}
	for _, c := range cases {
		if got := And(c.src, c.cond); got != c.want {
			t.Errorf("And(%q, %q) = %q, want %q", c.src, c.cond, got, c.want)
		}
	}
}

func TestOperators(t *testing.T) {
	if diff := cmp.Diff([]string{"=", "!=", "in", "not in"}, Operators("seniority")); diff != "" {
		t.Errorf("seniority operators (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"yes", "no"}, Operators("replied")); diff != "" {
		t.Errorf("replied operators (-want +got):\n%s", diff)
	}
	if Operators("nope") != nil {
		t.Error("unknown field has operators")
	}
}
