package demo

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"net/mail"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// generate returns the file for opts and its rows without the header.
func generate(t testing.TB, opts Options) ([]byte, [][]string) {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteCSV(&buf, opts); err != nil {
		t.Fatalf("WriteCSV(%+v): %v", opts, err)
	}
	r := csv.NewReader(bytes.NewReader(buf.Bytes()))
	r.FieldsPerRecord = len(header)
	r.ReuseRecord = false
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("reading back: %v", err)
	}
	return buf.Bytes(), rows[1:]
}

var demoSize = Options{Seed: 1, Organisations: 300, Contacts: 3000}

func TestHeader(t *testing.T) {
	out, _ := generate(t, Options{Seed: 7, Contacts: 0})
	want := "email,first_name,last_name,organisation,organisation_type,country,job_title,seniority,language,topics,tags,consent\n"
	if string(out) != want {
		t.Errorf("file = %q, want %q", out, want)
	}
}

func TestRowCountAndEncoding(t *testing.T) {
	for _, opts := range []Options{
		{Seed: 1, Organisations: 1, Contacts: 1},
		{Seed: 2, Organisations: 50, Contacts: 10},
		{Seed: 3, Contacts: 999},
		demoSize,
	} {
		out, rows := generate(t, opts)
		if len(rows) != opts.Contacts {
			t.Errorf("%+v: %d rows, want %d", opts, len(rows), opts.Contacts)
		}
		if !utf8.Valid(out) || bytes.HasPrefix(out, []byte("\xef\xbb\xbf")) || bytes.Contains(out, []byte("\r")) {
			t.Errorf("%+v: output must be UTF-8 without BOM and with LF line endings", opts)
		}
	}
}

func TestDeterministic(t *testing.T) {
	a, _ := generate(t, demoSize)
	b, _ := generate(t, demoSize)
	if !bytes.Equal(a, b) {
		t.Error("same seed gave different files")
	}
	other := demoSize
	other.Seed = 2
	c, _ := generate(t, other)
	if bytes.Equal(a, c) {
		t.Error("different seeds gave the same file")
	}
}

func TestEmailsUniqueAndValid(t *testing.T) {
	for _, opts := range []Options{
		{Seed: 11, Contacts: 100_000},
		// Few large organisations force numbered addresses.
		{Seed: 12, Organisations: 3, Contacts: 100_000},
	} {
		_, rows := generate(t, opts)
		seen := make(map[string]bool, len(rows))
		for i, row := range rows {
			email := row[0]
			if seen[email] {
				t.Fatalf("%+v: row %d: duplicate email %q", opts, i+2, email)
			}
			seen[email] = true
			addr, err := mail.ParseAddress(email)
			if err != nil || addr.Address != email {
				t.Fatalf("row %d: %q does not parse as an address: %v", i+2, email, err)
			}
			if email != strings.ToLower(email) || !isASCII(email) {
				t.Fatalf("row %d: %q is not lower-case ASCII", i+2, email)
			}
		}
	}
}

func isASCII(s string) bool {
	for i := range len(s) {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func TestDemoCoversCanonicalValues(t *testing.T) {
	_, rows := generate(t, demoSize)
	want := map[int][]string{
		4:  orgTypes[:],
		7:  levelNames[:],
		11: {"legitimate_interest", "opt_in", "unsubscribed"},
	}
	for col, values := range want {
		got := map[string]int{}
		for _, row := range rows {
			got[row[col]]++
		}
		for _, v := range values {
			if got[v] == 0 {
				t.Errorf("column %s: no row with %q", header[col], v)
			}
		}
	}
}

// TestColumnsWellFormed checks the values the importer validates.
func TestColumnsWellFormed(t *testing.T) {
	_, rows := generate(t, demoSize)
	countries := map[string]bool{}
	for _, c := range mustTables(t).countries {
		countries[c.code], countries[c.lower], countries[c.name] = true, true, true
	}
	topics := []string{"coaching_mentoring", "access_to_finance", "professionalisation_diversity"}
	filled := 0
	for i, row := range rows {
		line := i + 2
		if row[1] == "" || row[2] == "" || row[3] == "" {
			t.Errorf("line %d: empty name or organisation: %q", line, row)
		}
		if !countries[row[5]] {
			t.Errorf("line %d: country %q is neither an ISO code in upper or lower case nor an English name", line, row[5])
		}
		if len(row[8]) != 2 || strings.ToLower(row[8]) != row[8] {
			t.Errorf("line %d: language %q is not an ISO 639-1 code", line, row[8])
		}
		if row[9] != "" {
			for _, topic := range strings.Split(row[9], "|") {
				if !slices.Contains(topics, topic) {
					t.Errorf("line %d: topic %q", line, topic)
				}
			}
		}
		if row[7] != "" {
			filled++
		}
	}
	if share := float64(filled) / float64(len(rows)); share < 0.35 || share > 0.45 {
		t.Errorf("seniority filled in %.0f%% of rows, want about 40%%", share*100)
	}
}

// TestPyramid checks that every organisation has one or two executives and
// that the network as a whole has more operational staff than any other level.
func TestPyramid(t *testing.T) {
	g := newGenerator(mustTables(t), demoSize)
	var total [numLevels]int
	for _, o := range g.orgs {
		var c [numLevels]int
		for k := range o.size {
			c[o.level(k, g.r)]++
		}
		if o.size > 0 && (c[executive] < 1 || c[executive] > 2) {
			t.Errorf("%s: %d executives among %d contacts", o.name, c[executive], o.size)
		}
		for l := range c {
			total[l] += c[l]
		}
	}
	for _, l := range []int{executive, senior, middle} {
		if total[l] >= total[operational] {
			t.Errorf("levels %v: more %s than operational", total, levelNames[l])
		}
	}
	if total[executive] >= total[senior]+total[middle] {
		t.Errorf("levels %v: top-heavy", total)
	}
}

func mustTables(t *testing.T) *tables {
	t.Helper()
	tb, err := loadTables()
	if err != nil {
		t.Fatal(err)
	}
	return tb
}

// TestTables checks the static data: every name has an address spelling,
// every country and type has a name template and titles at every level.
func TestTables(t *testing.T) {
	tb := mustTables(t)
	for lang, tmpl := range tb.templates {
		for _, list := range tmpl {
			for _, tp := range list {
				if strings.Count(tp.text, "{c}") != 1 {
					t.Errorf("%s template %q must name the city once", lang, tp.text)
				}
			}
		}
	}
	for lang, ts := range tb.titles {
		for level := range numLevels {
			for typ := range orgTypes {
				if len(ts[level][typ]) == 0 {
					t.Errorf("%s: no %s title for %s", lang, levelNames[level], orgTypes[typ])
				}
			}
		}
	}
	for _, c := range tb.countries {
		if len(c.cities) == 0 || len(c.cultures) == 0 {
			t.Errorf("%s: no cities or people", c.code)
		}
		for lang, names := range c.names {
			for typ, list := range names {
				if len(list) == 0 {
					t.Errorf("%s: no %s name for %s", c.code, lang, orgTypes[typ])
				}
			}
		}
	}
}

func TestFold(t *testing.T) {
	names := []struct {
		in     string
		german bool
		want   string
	}{
		{"Müller", true, "mueller"},
		{"Gül", false, "gul"},
		{"Łukasz", false, "lukasz"},
		{"Wójcik", false, "wojcik"},
		{"Yılmaz", false, "yilmaz"},
		{"Al-Hassan", false, "al-hassan"},
		{"Thị Mai", false, "thimai"},
		{"Nguyễn", false, "nguyen"},
		{"Søren", false, "soren"},
		{"O'Brien", false, "obrien"},
		{"Олена", false, "olena"},
		{"Γιώργος", false, "giorgos"},
	}
	for _, c := range names {
		if got, ok := foldName(c.in, c.german); !ok || got != c.want {
			t.Errorf("foldName(%q) = %q, %v; want %q", c.in, got, ok, c.want)
		}
	}
	slugs := []struct{ in, want string }{
		{"Gründungsnetzwerk Leipzig", "gruendungsnetzwerk-leipzig"},
		{"Université de Lille – Incubateur", "universite-de-lille-incubateur"},
		{"Pépinière d'entreprises de Besançon", "pepiniere-dentreprises-de-besancon"},
		{"Beratungsstelle für Migrantenunternehmen Frankfurt am Main", "b-migrantenunternehmen-frankfurt-main"},
	}
	for _, c := range slugs {
		if got := slug(c.in, true); got != c.want {
			t.Errorf("slug(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestOptionsRejected(t *testing.T) {
	for _, opts := range []Options{{Contacts: -1}, {Organisations: -1, Contacts: 5}} {
		if err := WriteCSV(io.Discard, opts); err == nil {
			t.Errorf("WriteCSV(%+v) succeeded", opts)
		}
	}
}

func TestWriteErrorReturned(t *testing.T) {
	want := errors.New("disk full")
	if err := WriteCSV(failingWriter{want}, demoSize); !errors.Is(err, want) {
		t.Errorf("WriteCSV to a failing writer = %v, want %v", err, want)
	}
}

type failingWriter struct{ err error }

func (w failingWriter) Write([]byte) (int, error) { return 0, w.err }

func BenchmarkWriteCSV(b *testing.B) {
	for _, size := range []struct {
		name string
		opts Options
	}{
		{"rows=100k", Options{Seed: 1, Organisations: 3000, Contacts: 100_000}},
		{"rows=1M", Options{Seed: 1, Organisations: 10_000, Contacts: 1_000_000}},
	} {
		b.Run(size.name, func(b *testing.B) {
			var n countingWriter
			runs := 0
			for b.Loop() {
				if err := WriteCSV(&n, size.opts); err != nil {
					b.Fatal(err)
				}
				runs++
			}
			b.ReportMetric(float64(size.opts.Contacts)*float64(runs)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(float64(n.n)/float64(runs)/1e6, "MB/file")
		})
	}
}

// countingWriter measures the output without keeping it.
type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	return len(p), nil
}
