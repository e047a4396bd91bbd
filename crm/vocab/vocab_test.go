package vocab

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseOrganisationType(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"business_support", "business_support", true},
		{"Business Support", "business_support", true},
		{"business-support", "business_support", true},
		{" BUSINESS_SUPPORT ", "business_support", true},
		{"finance", "finance", true},
		{"Public", "public", true},
		{"NGO", "ngo", true},
		{"non-profit", "ngo", true},
		{"Nonprofit", "ngo", true},
		{"Chamber", "chamber", true},
		{"Chamber of Commerce", "chamber", true},
		{"education", "education", true},
		{"Network", "network", true},
		{"other", "other", true},
		{"", "", false},
		{"association", "", false},
		{"business", "", false},
		{"bank", "", false},
	}
	for _, tt := range tests {
		got, ok := ParseOrganisationType(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseOrganisationType(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestParseConsent(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"opt_in", "opt_in", true},
		{"OPT_IN", "opt_in", true},
		{"opt-in", "opt_in", true},
		{"Opt In", "opt_in", true},
		{"legitimate_interest", "legitimate_interest", true},
		{"legitimate interest", "legitimate_interest", true},
		{"Legitimate-Interest", "legitimate_interest", true},
		{"unsubscribed", "unsubscribed", true},
		{" Unsubscribed ", "unsubscribed", true},
		{"opt-out", "unsubscribed", true},
		{"", "", false},
		{"yes", "", false},
		{"consent", "", false},
	}
	for _, tt := range tests {
		got, ok := ParseConsent(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseConsent(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestTopic(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Access to finance", "access_to_finance"},
		{"  access-to-finance ", "access_to_finance"},
		{"ACCESS  TO   FINANCE", "access_to_finance"},
		{"access_to_finance", "access_to_finance"},
		{"coaching_mentoring", "coaching_mentoring"},
		{"Coaching & Mentoring", "coaching_mentoring"},
		{"Coaching and Mentoring", "coaching_mentoring"},
		{"Professionalisation & Diversity", "professionalisation_diversity"},
		{"professionalization diversity", "professionalisation_diversity"},
		{"Green - Economy", "green_economy"},
		{"Digitalisierung", "digitalisierung"},
		{"", ""},
		{"   ", ""},
	}
	for _, tt := range tests {
		if got := Topic(tt.in); got != tt.want {
			t.Errorf("Topic(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for _, c := range Topics {
		if !IsTopic(c) || Topic(c) != c {
			t.Errorf("canonical topic %q does not normalise to itself", c)
		}
	}
	if IsTopic("green_economy") {
		t.Error(`IsTopic("green_economy") = true, want false`)
	}
}

func TestTag(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Berlin  Fair", "berlin fair"},
		{"  VIP\t guest \n", "vip guest"},
		{"Größer", "größer"},
		{"follow-up", "follow-up"},
		{"", ""},
		{"   ", ""},
	}
	for _, tt := range tests {
		if got := Tag(tt.in); got != tt.want {
			t.Errorf("Tag(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSplitMulti(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"a|b|c", []string{"a", "b", "c"}},
		{"a;b;c", []string{"a", "b", "c"}},
		{" a | b ; c ", []string{"a", "b", "c"}},
		{"coaching_mentoring|access_to_finance", []string{"coaching_mentoring", "access_to_finance"}},
		{"b|a|b|a", []string{"b", "a"}},
		{"a||;;b", []string{"a", "b"}},
		{"A|a", []string{"A", "a"}},
		{"single value", []string{"single value"}},
		{"Access to finance, Coaching", []string{"Access to finance, Coaching"}},
		{"", nil},
		{" | ; ", nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, SplitMulti(tt.in)); diff != "" {
			t.Errorf("SplitMulti(%q) mismatch (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestVocabulariesHaveNoDuplicates(t *testing.T) {
	for name, list := range map[string][]string{
		"Seniorities":       Seniorities,
		"OrganisationTypes": OrganisationTypes,
		"Consents":          Consents,
		"Topics":            Topics,
	} {
		seen := make(map[string]bool)
		for _, v := range list {
			if seen[v] {
				t.Errorf("%s lists %q twice", name, v)
			}
			seen[v] = true
		}
	}
}

// TestNameTablesAreFolded guards against table entries that no input can
// reach because they are not written in the folded form lookups use.
func TestNameTablesAreFolded(t *testing.T) {
	for k := range organisationTypeNames {
		if foldKey(k) != k {
			t.Errorf("organisation type key %q is not folded (%q)", k, foldKey(k))
		}
	}
	for k := range consentNames {
		if foldKey(k) != k {
			t.Errorf("consent key %q is not folded (%q)", k, foldKey(k))
		}
	}
	for k := range topicNames {
		if Topic(k) != topicNames[k] {
			t.Errorf("topic key %q does not normalise to %q", k, topicNames[k])
		}
	}
}
