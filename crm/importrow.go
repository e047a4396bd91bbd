package crm

import (
	"fmt"
	"net/mail"
	"strings"
	"unicode/utf8"

	"outreach/crm/vocab"
)

// maxCell bounds every imported value; longer cells are almost always a
// broken quote that swallowed the rest of the file.
const maxCell = 1000

// Rejection is one row an import left out, with the line it starts on, the
// canonical column at fault and why.
type Rejection struct {
	Line   int    `json:"line"`
	Column string `json:"column"`
	Reason string `json:"reason"`
}

// contactRow is one valid, normalised CSV row. Empty strings and nil slices
// mean "the file says nothing": an import never clears a known value.
type contactRow struct {
	Line             int
	Email            string
	FirstName        string
	LastName         string
	Organisation     string
	OrganisationType string
	Country          string
	JobTitle         string
	Seniority        string // given in the file
	Inferred         string // inferred from JobTitle when Seniority is empty
	Language         string
	Topics           []string
	Tags             []string
	Consent          string
	Attributes       map[string]string
}

// parseRow validates one record. The first problem found rejects the row.
func parseRow(h header, rec []string, line int) (contactRow, *Rejection) {
	row := contactRow{Line: line}
	for i, cell := range rec {
		if i >= len(h.columns) {
			if strings.TrimSpace(cell) != "" {
				return row, &Rejection{Line: line, Column: "", Reason: fmt.Sprintf("%d fields, but the header has %d", len(rec), len(h.columns))}
			}
			continue
		}
		cell = strings.TrimSpace(cell)
		col := h.columns[i]
		if err := checkCell(cell); err != "" {
			return row, &Rejection{Line: line, Column: columnOrAttr(h, i), Reason: err}
		}
		if col == "" {
			row.setAttribute(h.attributes[i], cell)
			continue
		}
		if reason := row.set(col, cell); reason != "" {
			return row, &Rejection{Line: line, Column: col, Reason: reason}
		}
	}
	if row.Email == "" {
		return row, &Rejection{Line: line, Column: "email", Reason: "missing email address"}
	}
	if row.Seniority == "" && row.JobTitle != "" {
		row.Inferred = vocab.InferSeniority(row.JobTitle)
	}
	return row, nil
}

func columnOrAttr(h header, i int) string {
	if h.columns[i] != "" {
		return h.columns[i]
	}
	return h.attributes[i]
}

func checkCell(cell string) string {
	if !utf8.ValidString(cell) {
		return "not valid text"
	}
	if len(cell) > maxCell {
		return fmt.Sprintf("longer than %d bytes (a stray quote may have joined several lines)", maxCell)
	}
	return ""
}

func (r *contactRow) setAttribute(name, cell string) {
	if name == "" || cell == "" {
		return
	}
	if r.Attributes == nil {
		r.Attributes = map[string]string{}
	}
	r.Attributes[name] = cell
}

// set stores one canonical cell and returns a reason when it is invalid.
func (r *contactRow) set(col, cell string) string {
	if cell == "" {
		return ""
	}
	var ok bool
	switch col {
	case "email":
		r.Email, ok = normaliseEmail(cell)
		return unless(ok, fmt.Sprintf("%q is not a valid email address", cell))
	case "first_name":
		r.FirstName = cell
	case "last_name":
		r.LastName = cell
	case "organisation":
		r.Organisation = cell
	case "job_title":
		r.JobTitle = cell
	case "organisation_type":
		r.OrganisationType, ok = vocab.ParseOrganisationType(cell)
		return unless(ok, fmt.Sprintf("unknown organisation type %q (expected one of %s)", cell, strings.Join(vocab.OrganisationTypes, ", ")))
	case "country":
		r.Country, ok = vocab.Country(cell)
		return unless(ok, fmt.Sprintf("unknown country %q (expected an ISO 3166 code such as DE or an English name)", cell))
	case "seniority":
		r.Seniority, ok = vocab.ParseSeniority(cell)
		return unless(ok, fmt.Sprintf("unknown seniority %q (expected one of %s)", cell, strings.Join(vocab.Seniorities, ", ")))
	case "language":
		r.Language, ok = vocab.Language(cell)
		return unless(ok, fmt.Sprintf("unknown language %q (expected an ISO 639-1 code such as de or a name)", cell))
	case "consent":
		r.Consent, ok = vocab.ParseConsent(cell)
		return unless(ok, fmt.Sprintf("unknown consent %q (expected one of %s)", cell, strings.Join(vocab.Consents, ", ")))
	case "topics":
		r.Topics = normaliseAll(vocab.SplitMulti(cell), vocab.Topic)
	case "tags":
		r.Tags = normaliseAll(vocab.SplitMulti(cell), vocab.Tag)
	}
	return ""
}

func unless(ok bool, reason string) string {
	if ok {
		return ""
	}
	return reason
}

func normaliseAll(values []string, norm func(string) string) []string {
	out := make([]string, 0, len(values))
	seen := map[string]bool{}
	for _, v := range values {
		if n := norm(v); n != "" && !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}

// normaliseEmail accepts a bare address or one with a display name
// ("Ana Lima <ana@x.org>", as Outlook exports them) and returns the address
// in lower case. Addresses without a dotted domain are refused: they cannot
// receive mail from the internet.
func normaliseEmail(s string) (string, bool) {
	addr, err := mail.ParseAddress(s)
	if err != nil {
		return "", false
	}
	at := strings.LastIndexByte(addr.Address, '@')
	domain := addr.Address[at+1:]
	if at < 1 || !strings.Contains(domain, ".") || strings.HasSuffix(domain, ".") || strings.ContainsAny(addr.Address, " \t\r\n") {
		return "", false
	}
	return strings.ToLower(addr.Address), true
}

// NormaliseEmail returns the canonical (lower-case) form of an address, or
// a ValidationError naming field "email".
func NormaliseEmail(s string) (string, error) {
	e, ok := normaliseEmail(strings.TrimSpace(s))
	if !ok {
		return "", invalid("email", "%q is not a valid email address", s)
	}
	return e, nil
}

// merge folds a later row for the same email into r: the later row wins
// wherever it says something.
func (r *contactRow) merge(later contactRow) {
	pick := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	pick(&r.FirstName, later.FirstName)
	pick(&r.LastName, later.LastName)
	pick(&r.Organisation, later.Organisation)
	pick(&r.OrganisationType, later.OrganisationType)
	pick(&r.Country, later.Country)
	pick(&r.JobTitle, later.JobTitle)
	pick(&r.Language, later.Language)
	pick(&r.Consent, later.Consent)
	if later.Seniority != "" || later.JobTitle != "" {
		r.Seniority, r.Inferred = later.Seniority, later.Inferred
	}
	r.Topics = union(r.Topics, later.Topics)
	r.Tags = union(r.Tags, later.Tags)
	for k, v := range later.Attributes {
		r.setAttribute(k, v)
	}
	r.Line = later.Line
}

func union(a, b []string) []string {
	if b == nil {
		return a
	}
	return normaliseAll(append(append([]string{}, a...), b...), func(s string) string { return s })
}
