package crm

import (
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"unicode"
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

// badControl is the reason for a one-line cell with a control character
// other than a line break or a tab.
const badControl = "%q contains a control character"

// foldLines makes a cell that belongs on one line (a name, a job title, an
// organisation) one line: Excel users break long titles with Alt+Enter,
// and these values reach subjects and headers, where a line break cannot
// go. Each run of white space that holds a line break or a tab becomes one
// space; any other control character makes the cell invalid.
func foldLines(s string) (string, bool) {
	if !strings.ContainsFunc(s, isControl) {
		return s, true
	}
	var b strings.Builder
	space := false
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			space = true
			continue
		case isControl(r):
			return "", false
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String(), true
}

// isControl reports C0 and C1 control characters, DEL and the Unicode line
// and paragraph separators.
func isControl(r rune) bool {
	return r < 0x20 || (r >= 0x7f && r <= 0x9f) || r == '\u2028' || r == '\u2029'
}

// oneLine checks a value for a one-line field of the API or the web forms:
// unlike a spreadsheet cell, a line break there is refused, not folded.
func oneLine(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	if strings.ContainsFunc(s, isControl) {
		return "", invalid(field, "contains a line break or another control character; it must be one line of text")
	}
	return s, nil
}

// Reasons for enumerated columns, built once: they list the valid values.
var (
	badOrganisationType = "unknown organisation type %q (expected one of " + strings.Join(vocab.OrganisationTypes, ", ") + ")"
	badSeniority        = "unknown seniority %q (expected one of " + strings.Join(vocab.Seniorities, ", ") + ")"
	badConsent          = "unknown consent %q (expected one of " + strings.Join(vocab.Consents, ", ") + ")"
)

// set stores one canonical cell and returns a reason when it is invalid.
func (r *contactRow) set(col, cell string) string {
	if cell == "" {
		return ""
	}
	switch col {
	case "email":
		return r.setParsed(&r.Email, cell, normaliseEmail, "%q is not a valid email address")
	case "first_name":
		return r.setParsed(&r.FirstName, cell, foldLines, badControl)
	case "last_name":
		return r.setParsed(&r.LastName, cell, foldLines, badControl)
	case "organisation":
		return r.setParsed(&r.Organisation, cell, foldLines, badControl)
	case "job_title":
		return r.setParsed(&r.JobTitle, cell, foldLines, badControl)
	case "organisation_type":
		return r.setParsed(&r.OrganisationType, cell, vocab.ParseOrganisationType, badOrganisationType)
	case "country":
		return r.setParsed(&r.Country, cell, vocab.Country, "unknown country %q (expected an ISO 3166 code such as DE or an English name)")
	case "seniority":
		return r.setParsed(&r.Seniority, cell, vocab.ParseSeniority, badSeniority)
	case "language":
		return r.setParsed(&r.Language, cell, vocab.Language, "unknown language %q (expected an ISO 639-1 code such as de, or a name)")
	case "consent":
		return r.setParsed(&r.Consent, cell, vocab.ParseConsent, badConsent)
	case "topics":
		r.Topics = normaliseAll(vocab.SplitMulti(cell), vocab.Topic)
	case "tags":
		r.Tags = normaliseAll(vocab.SplitMulti(cell), vocab.Tag)
	}
	return ""
}

// setParsed stores parse(cell) in dst, or formats the reason (with the
// cell) when it does not parse; the message is built only on failure.
func (r *contactRow) setParsed(dst *string, cell string, parse func(string) (string, bool), reason string) string {
	v, ok := parse(cell)
	if !ok {
		return fmt.Sprintf(reason, cell)
	}
	*dst = v
	return ""
}

func normaliseAll(values []string, norm func(string) string) []string {
	out := make([]string, 0, len(values))
	for _, v := range values {
		// Cells hold a handful of values: a linear scan beats a map.
		if n := norm(v); n != "" && !slices.Contains(out, n) {
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
	if plainAddress(s) {
		return strings.ToLower(s), true
	}
	addr, err := mail.ParseAddress(s)
	if err != nil {
		return "", false
	}
	at := strings.LastIndexByte(addr.Address, '@')
	if at < 1 || strings.ContainsAny(addr.Address, " \t\r\n") || !validDomain(addr.Address[at+1:]) {
		return "", false
	}
	// A quoted local part comes back unquoted ("a\"b"@x.org as a"b@x.org):
	// stored like that, the address would be refused when sent to, exported
	// and re-imported or looked up, so only one that stands on its own is kept.
	if bare, err := mail.ParseAddress(addr.Address); err != nil || bare.Address != addr.Address {
		return "", false
	}
	return strings.ToLower(addr.Address), true
}

// plainAddress recognises the common case, local@domain.tld in plain ASCII
// atoms, without the cost of a full RFC 5322 parse; anything else goes to
// net/mail.
func plainAddress(s string) bool {
	at := strings.IndexByte(s, '@')
	if at < 1 || at > 64 || len(s) > 254 {
		return false
	}
	local, domain := s[:at], s[at+1:]
	if local[0] == '.' || local[len(local)-1] == '.' || strings.Contains(local, "..") {
		return false
	}
	for i := 0; i < len(local); i++ {
		if c := local[i]; !isAtomByte(c) && c != '.' {
			return false
		}
	}
	return validDomain(domain)
}

// validDomain accepts a dotted host name whose labels are letters (any
// script, for internationalised domains), digits and inner hyphens.
func validDomain(domain string) bool {
	labels := strings.Split(domain, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if !validLabel(l) {
			return false
		}
	}
	return true
}

func isAtomByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0
}

func validLabel(l string) bool {
	if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
		return false
	}
	for _, r := range l {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-') {
			return false
		}
	}
	return true
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

// merged returns r with a later row for the same email folded in: the
// later row wins wherever it says something. r itself is left untouched,
// since a copy of it may be on its way to the database.
func (r contactRow) merged(later contactRow) contactRow {
	attrs := r.Attributes
	r.Attributes = nil
	for k, v := range attrs {
		r.setAttribute(k, v)
	}
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
	return r
}

func union(a, b []string) []string {
	if b == nil {
		return a
	}
	return normaliseAll(append(append([]string{}, a...), b...), func(s string) string { return s })
}
