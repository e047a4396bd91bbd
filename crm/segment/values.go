package segment

import (
	"errors"
	"fmt"
	"strings"

	"outreach/crm/vocab"
)

// normalisers validate a value for a field and return it as stored, so that
// "Middle", "Germany" or "Access to Finance" compare equal to the column.
// Fields without an entry compare their values as written.
var normalisers = map[string]func(string) (string, error){
	"email":             lowerCase,
	"seniority":         canonical("seniority", vocab.ParseSeniority, vocab.Seniorities),
	"organisation_type": canonical("organisation type", vocab.ParseOrganisationType, vocab.OrganisationTypes),
	"consent":           canonical("consent", vocab.ParseConsent, vocab.Consents),
	"country":           orUnknown(vocab.Country, "country", "an ISO code such as DE or an English name such as Germany"),
	"language":          orUnknown(vocab.Language, "language", "a code such as de or an English name such as German"),
	"topics":            slug("topic", vocab.Topic),
	"tags":              slug("tag", vocab.Tag),
}

// normalise checks v against f, reporting a problem at v's position.
func normalise(f *field, v value) (string, error) {
	n, ok := normalisers[f.name]
	if !ok {
		return v.text, nil
	}
	s, err := n(v.text)
	if err != nil {
		return "", &Error{Pos: v.pos, Msg: err.Error()}
	}
	return s, nil
}

func lowerCase(s string) (string, error) { return strings.ToLower(s), nil }

// canonical accepts the values of a closed vocabulary, in any case.
func canonical(what string, parse func(string) (string, bool), valid []string) func(string) (string, error) {
	return func(s string) (string, error) {
		if v, ok := parse(s); ok {
			return v, nil
		}
		return "", fmt.Errorf("unknown %s %s; use %s", what, quote(s), orList(valid))
	}
}

// orUnknown accepts what lookup recognises, and "" for the contacts whose
// value is unknown, which the column stores as ”.
func orUnknown(lookup func(string) (string, bool), what, hint string) func(string) (string, error) {
	return func(s string) (string, error) {
		if s == "" {
			return "", nil
		}
		if v, ok := lookup(s); ok {
			return v, nil
		}
		return "", fmt.Errorf("unknown %s %s; use %s, or \"\" for unknown", what, quote(s), hint)
	}
}

// slug normalises free-form topics and tags the way they are stored.
func slug(what string, norm func(string) string) func(string) (string, error) {
	return func(s string) (string, error) {
		if v := norm(s); v != "" {
			return v, nil
		}
		return "", errors.New(quote(s) + " is not a valid " + what)
	}
}
