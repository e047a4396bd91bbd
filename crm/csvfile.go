package crm

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// Columns are the canonical CSV columns, in export order.
var Columns = []string{
	"email", "first_name", "last_name", "organisation", "organisation_type", "country",
	"job_title", "seniority", "language", "topics", "tags", "consent",
}

// headerAliases maps a squeezed header (lower case, no spaces, '-' or '_')
// to its canonical column. Besides the canonical names it accepts the US
// spelling and the names common exports from Excel and mail tools use.
var headerAliases = map[string]string{
	"email": "email", "emailaddress": "email", "mail": "email",
	"firstname": "first_name", "givenname": "first_name", "vorname": "first_name",
	"lastname": "last_name", "surname": "last_name", "familyname": "last_name", "nachname": "last_name",
	"organisation": "organisation", "organization": "organisation", "company": "organisation",
	"organisationtype": "organisation_type", "organizationtype": "organisation_type",
	"country": "country", "land": "country",
	"jobtitle": "job_title", "position": "job_title", "role": "job_title",
	"seniority": "seniority",
	"language":  "language", "sprache": "language",
	"topics": "topics", "topic": "topics",
	"tags": "tags", "tag": "tags",
	"consent": "consent",
}

// FileError is an import failure of the whole file (not of one row): it
// changes nothing in the database.
type FileError struct {
	Reason   string
	TooLarge bool
}

func (e *FileError) Error() string { return "import: " + e.Reason }

// header maps each CSV field index to a canonical column, or to an
// attribute name for columns Outreach has no column for.
type header struct {
	columns    []string // canonical name per index, "" for attribute columns
	attributes []string // attribute name per index, "" for canonical ones
}

func (h header) has(col string) bool {
	for _, c := range h.columns {
		if c == col {
			return true
		}
	}
	return false
}

func squeeze(name string) string {
	name = strings.ToLower(strings.TrimSpace(name))
	return strings.NewReplacer(" ", "", "-", "", "_", "", "\u00a0", "").Replace(name)
}

func parseHeader(fields []string) (header, error) {
	h := header{columns: make([]string, len(fields)), attributes: make([]string, len(fields))}
	seen := map[string]bool{}
	for i, f := range fields {
		key := squeeze(f)
		col, ok := headerAliases[key]
		if !ok {
			if name := strings.TrimSpace(f); name != "" {
				h.attributes[i] = name
			}
			continue
		}
		if seen[col] {
			return h, &FileError{Reason: fmt.Sprintf("header: column %q appears twice (field %d)", col, i+1)}
		}
		seen[col] = true
		h.columns[i] = col
	}
	if !seen["email"] {
		return h, &FileError{Reason: fmt.Sprintf("header: no email column (found: %s)", strings.Join(fields, ", "))}
	}
	return h, nil
}

// decodeText turns the raw bytes of an upload into UTF-8 text. Excel saves
// "CSV" as Windows-1252 on most European systems and as UTF-8 with a BOM
// when asked for "CSV UTF-8"; anything that is valid UTF-8 is taken as such.
func decodeText(raw []byte) ([]byte, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, &FileError{Reason: "the file is empty"}
	}
	if i := bytes.IndexByte(raw, 0); i >= 0 {
		return nil, &FileError{Reason: fmt.Sprintf("not a CSV text file: binary data (NUL byte) at byte %d", i)}
	}
	raw = bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf"))
	if utf8.Valid(raw) {
		return raw, nil
	}
	text, err := charmap.Windows1252.NewDecoder().Bytes(raw)
	if err != nil {
		return nil, &FileError{Reason: "not UTF-8 and not Windows-1252 text"}
	}
	return text, nil
}

// detectDelimiter looks at the header line: the candidate that occurs most
// often outside quotes wins; a header with a single column is comma-separated.
func detectDelimiter(text []byte) rune {
	counts := map[rune]int{}
	quoted := false
	for _, r := range string(firstLine(text)) {
		switch {
		case r == '"':
			quoted = !quoted
		case !quoted && (r == ',' || r == ';' || r == '\t'):
			counts[r]++
		}
	}
	best := ','
	for _, r := range []rune{';', '\t'} {
		if counts[r] > counts[best] {
			best = r
		}
	}
	return best
}

func firstLine(text []byte) []byte {
	text = bytes.TrimLeft(text, "\r\n")
	if i := bytes.IndexByte(text, '\n'); i >= 0 {
		return text[:i]
	}
	return text
}

// csvReader reads records of an uploaded file along with the physical line
// each record starts on.
type csvReader struct {
	r      *csv.Reader
	header header
	raw    []byte // the file as read, to read it again
}

// OpenCSV reads a spreadsheet export the way the contact import does:
// UTF-8 with or without BOM or Windows-1252, with the comma, semicolon or
// tab delimiter it uses. Other uploads (attendance lists) share it.
func OpenCSV(raw []byte) (*csv.Reader, error) {
	text, err := decodeText(raw)
	if err != nil {
		return nil, err
	}
	r := csv.NewReader(bytes.NewReader(text))
	r.Comma = detectDelimiter(text)
	r.FieldsPerRecord = -1
	return r, nil
}

func newCSVReader(raw []byte) (*csvReader, error) {
	r, err := OpenCSV(raw)
	if err != nil {
		return nil, err
	}
	r.ReuseRecord = true
	fields, err := r.Read()
	if err != nil {
		return nil, &FileError{Reason: fmt.Sprintf("header: %v", err)}
	}
	h, err := parseHeader(fields)
	if err != nil {
		return nil, err
	}
	return &csvReader{r: r, header: h, raw: raw}, nil
}

// next returns the next record and its starting line. A malformed record
// (a stray quote) is returned as a *csv.ParseError so the caller can reject
// that row and go on.
func (c *csvReader) next() ([]string, int, error) {
	rec, err := c.r.Read()
	if errors.Is(err, io.EOF) {
		return nil, 0, io.EOF
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return nil, pe.StartLine, err
	}
	if err != nil {
		return nil, 0, err
	}
	line, _ := c.r.FieldPos(0)
	return rec, line, nil
}
