package vocab

import (
	"slices"
	"strings"
	"unicode"
)

// Topics lists the communities of practice, the canonical topic values.
// Contacts may carry other topics too; these are the ones reports group by.
var Topics = []string{"coaching_mentoring", "access_to_finance", "professionalisation_diversity"}

// topicNames maps the ways coordinators write the three communities to their
// canonical names, keyed by what Topic makes of them before this lookup.
var topicNames = map[string]string{
	"coaching_and_mentoring":                       "coaching_mentoring",
	"coaching_&_mentoring":                         "coaching_mentoring",
	"coaching/mentoring":                           "coaching_mentoring",
	"coaching_/_mentoring":                         "coaching_mentoring",
	"access_to_finance":                            "access_to_finance",
	"professionalisation_and_diversity":            "professionalisation_diversity",
	"professionalisation_&_diversity":              "professionalisation_diversity",
	"professionalization_diversity":                "professionalisation_diversity",
	"professionalization_and_diversity":            "professionalisation_diversity",
	"professionalization_&_diversity":              "professionalisation_diversity",
	"professionalisation_and_diversity_management": "professionalisation_diversity",
	"professionalization_and_diversity_management": "professionalisation_diversity",
}

// Topic normalises a topic cell: trimmed, lower-cased, every run of spaces,
// hyphens and underscores made one "_" ("Access to finance" becomes
// "access_to_finance"). The usual spellings of the three communities
// ("Coaching & Mentoring", US "professionalization") become their canonical
// names; any other topic is kept in its normalised form. Empty in, "" out.
func Topic(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	gap := false
	for _, r := range strings.TrimSpace(s) {
		if r == '-' || r == '_' || unicode.IsSpace(r) {
			gap = true
			continue
		}
		if gap && b.Len() > 0 {
			b.WriteByte('_')
		}
		gap = false
		b.WriteRune(unicode.ToLower(r))
	}
	t := b.String()
	if c, ok := topicNames[t]; ok {
		return c
	}
	return t
}

// IsTopic reports whether t is one of the canonical Topics.
func IsTopic(t string) bool {
	return slices.Contains(Topics, t)
}

// Tag normalises a free tag: trimmed, lower-cased, inner whitespace collapsed
// to one space, so that "Berlin  Fair" and "berlin fair" are one tag. Unlike
// Topic it keeps hyphens and accents, which are part of how people name
// things. Empty in, "" out.
func Tag(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

// SplitMulti splits a multi-valued CSV cell on '|' or ';', trims each value,
// drops empty ones and exact duplicates, and keeps the order of first
// appearance. It returns nil for a cell with no values.
func SplitMulti(cell string) []string {
	var out []string
	for _, v := range strings.FieldsFunc(cell, func(r rune) bool { return r == '|' || r == ';' }) {
		v = strings.TrimSpace(v)
		if v == "" || slices.Contains(out, v) {
			continue
		}
		out = append(out, v)
	}
	return out
}
