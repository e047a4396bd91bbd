package crm

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"outreach/crm/vocab"
	"outreach/migrations/testdb"
)

// fuzzMaxBytes keeps the fuzzers' files small enough that the size limit
// itself is reached and tested.
const fuzzMaxBytes = 64 << 10

// addImportSeeds seeds a fuzzer with the import fixtures and the files the
// import tests refuse.
func addImportSeeds(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.csv"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no CSV fixtures: %v", err)
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		"", " \r\n\n", "name,country\nAna,DE\n", "PK\x03\x04\x00\x00binary",
		"email,e-mail\na@example.org,b@example.org\n",
		"email\n" + strings.Repeat("a@example.org\n", 100),
		"email,first_name\na@example.org,\"unterminated\nb@example.org,Bea\n",
		"email;vorname\n\"x\"y@example.org;A\n,\n;\n\n",
		"\xef\xbb\xbfEmail,Tags,Topics,City\nA@Example.org,a|b;a,Coaching,Wien\na@example.org,c,finance,\n",
		"email,seniority,job_title\nceo@example.org,,Chief Executive Officer\nx@example.org,boss,\n",
		"email\tcountry\nt@example.org\tÖsterreich\n",
		"email,x\na@example.org,1,2,3\nb@example.org,1,,\n",
		"mail\nAna Lima <ana@example.org>\n\"Lima, Ana\" <ana@example.org>\n",
		"email,first_name\nj\xfcrgen@example.de,J\xfcrgen\n", // Windows-1252
		"email\n\"\"\"a\\\"\"b\"\"@example.org\"\n\"\"\"a.b\"\"@example.org\"\n",
	} {
		f.Add([]byte(s))
	}
}

var (
	countryCode  = regexp.MustCompile(`^([A-Z]{2})?$`)
	languageCode = regexp.MustCompile(`^([a-z]{2})?$`)
)

// FuzzReadImport runs the Go half of an import (decode, header, parse,
// validate, fold duplicates) on any bytes. It must not panic; a refused
// file is a *FileError with a reason; otherwise every non-blank data record
// is accounted for exactly once, as a new row, a duplicate folded into an
// earlier row or a rejection with its line and a reason; and what is
// accepted satisfies the database's constraints.
func FuzzReadImport(f *testing.F) {
	addImportSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, res, err := readImport(bytes.NewReader(data), ImportOptions{MaxBytes: fuzzMaxBytes})
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) || fe.Reason == "" || !strings.HasPrefix(err.Error(), "import: ") {
				t.Fatalf("error %v (%T): want a *FileError with a reason", err, err)
			}
			if rows != nil || len(res.Rejected) != 0 || res.Duplicates != 0 {
				t.Fatalf("a refused file returned rows: %d rows, %+v", len(rows), res)
			}
			if fe.TooLarge != (len(data) > fuzzMaxBytes) {
				t.Fatalf("TooLarge = %v for %d bytes (limit %d)", fe.TooLarge, len(data), fuzzMaxBytes)
			}
			return
		}
		if len(data) > fuzzMaxBytes {
			t.Fatalf("accepted %d bytes over a limit of %d", len(data), fuzzMaxBytes)
		}

		// Count the records the way an independent reader sees them.
		r, err := OpenCSV(data)
		if err != nil {
			t.Fatalf("readImport accepted a file OpenCSV refuses: %v", err)
		}
		header, err := r.Read()
		if err != nil {
			t.Fatalf("readImport accepted a file without a header: %v", err)
		}
		h, _ := parseHeader(header)
		records := 0
		for {
			rec, err := r.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			var pe *csv.ParseError
			if err != nil && !errors.As(err, &pe) {
				t.Fatalf("reading records: %v", err)
			}
			if err != nil || !blank(rec) {
				records++
			}
		}
		if got := len(rows) + res.Duplicates + len(res.Rejected); got != records {
			t.Fatalf("%d data records, but %d accepted + %d duplicates + %d rejected = %d",
				records, len(rows), res.Duplicates, len(res.Rejected), got)
		}

		text, _ := decodeText(data)
		lines := bytes.Count(text, []byte("\n")) + 1
		prev := 1 // the header takes at least line 1
		for _, rej := range res.Rejected {
			if rej.Line <= prev || rej.Line > lines {
				t.Errorf("rejection %+v: line out of order or outside 2..%d (previous %d)", rej, lines, prev)
			}
			prev = rej.Line
			if strings.TrimSpace(rej.Reason) == "" {
				t.Errorf("rejection %+v has no reason", rej)
			}
			if rej.Column != "" && !slices.Contains(h.columns, rej.Column) && !slices.Contains(h.attributes, rej.Column) {
				t.Errorf("rejection %+v names a column the header does not have", rej)
			}
		}

		seen := map[string]bool{}
		for _, row := range rows {
			checkAcceptedRow(t, row, lines)
			if seen[row.Email] {
				t.Errorf("email %q accepted twice", row.Email)
			}
			seen[row.Email] = true
		}
	})
}

// checkAcceptedRow asserts what the database's constraints and the rest of
// Outreach rely on: normalised values that normalise to themselves.
func checkAcceptedRow(t *testing.T, row contactRow, lines int) {
	t.Helper()
	if row.Line < 2 || row.Line > lines {
		t.Errorf("row %+v: line outside 2..%d", row, lines)
	}
	if e, ok := normaliseEmail(row.Email); !ok || e != row.Email || row.Email != strings.ToLower(row.Email) {
		t.Errorf("row %+v: email %q is not normalised (renormalised: %q, %v)", row, row.Email, e, ok)
	}
	if !countryCode.MatchString(row.Country) || !languageCode.MatchString(row.Language) {
		t.Errorf("row %+v: country %q or language %q is not a code", row, row.Country, row.Language)
	}
	for _, v := range []struct {
		val  string
		list []string
	}{
		{row.Seniority, vocab.Seniorities}, {row.Inferred, vocab.Seniorities},
		{row.Consent, vocab.Consents}, {row.OrganisationType, vocab.OrganisationTypes},
	} {
		if v.val != "" && !slices.Contains(v.list, v.val) {
			t.Errorf("row %+v: %q is not one of %v", row, v.val, v.list)
		}
	}
	for _, s := range append([]string{row.FirstName, row.LastName, row.Organisation, row.JobTitle}, append(row.Topics, row.Tags...)...) {
		if !utf8.ValidString(s) || len(s) > maxCell || s != strings.TrimSpace(s) {
			t.Errorf("row %+v: value %q is not valid, trimmed text of at most %d bytes", row, s, maxCell)
		}
	}
	for _, s := range row.Tags {
		if s == "" || vocab.Tag(s) != s {
			t.Errorf("row %+v: tag %q is not normalised", row, s)
		}
	}
}

// FuzzImportCSV imports any bytes into a real database. On any error
// nothing is written; on success the contacts table grows by exactly the
// inserted count, and a file whose Go half is accepted is also accepted by
// Postgres (a row the validation passes must never fail the whole import
// in the database). One database serves every input of a fuzzing process.
func FuzzImportCSV(f *testing.F) {
	addImportSeeds(f)
	db, _ := testdb.New(f)
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, data []byte) {
		before := tableCounts(t, db)
		res, err := ImportCSV(ctx, db, bytes.NewReader(data), ImportOptions{Source: "fuzz", MaxBytes: fuzzMaxBytes})
		after := tableCounts(t, db)
		if err != nil {
			if after != before {
				t.Fatalf("import failed (%v) but wrote: contacts, organisations, activities %v -> %v", err, before, after)
			}
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("the validation accepted the file but the database refused it: %v", err)
			}
			return
		}
		if after[0] != before[0]+res.Inserted {
			t.Errorf("contacts %d -> %d, but %d reported inserted", before[0], after[0], res.Inserted)
		}
		if after[2] != before[2]+res.Updated {
			t.Errorf("activities %d -> %d, but %d reported updated", before[2], after[2], res.Updated)
		}
		if res.Inserted < 0 || res.Updated < 0 || res.Unchanged < 0 {
			t.Errorf("negative counts: %+v", res)
		}
	})
}

func tableCounts(t *testing.T, db *sqlx.DB) [3]int {
	t.Helper()
	var n [3]int
	err := db.QueryRowx(`SELECT (SELECT count(*) FROM contacts), (SELECT count(*) FROM organisations), (SELECT count(*) FROM activities)`).
		Scan(&n[0], &n[1], &n[2])
	if err != nil {
		t.Fatal(err)
	}
	return n
}
