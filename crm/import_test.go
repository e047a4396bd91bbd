package crm_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jmoiron/sqlx"

	"outreach/crm"
	"outreach/migrations/testdb"
)

func newDB(t *testing.T) *sqlx.DB {
	t.Helper()
	db, _ := testdb.New(t)
	return db
}

func importFile(t *testing.T, db *sqlx.DB, name string) crm.ImportResult {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := crm.ImportCSV(context.Background(), db, f, crm.ImportOptions{Source: "import:" + name})
	if err != nil {
		t.Fatalf("import %s: %v", name, err)
	}
	return res
}

func importString(t *testing.T, db *sqlx.DB, csv string) crm.ImportResult {
	t.Helper()
	res, err := crm.ImportCSV(context.Background(), db, strings.NewReader(csv), crm.ImportOptions{Source: "test"})
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	return res
}

func contactByEmail(t *testing.T, db *sqlx.DB, email string) crm.Contact {
	t.Helper()
	var id int64
	if err := db.Get(&id, `SELECT id FROM contacts WHERE email = lower($1)`, email); err != nil {
		t.Fatalf("contact %s: %v", email, err)
	}
	c, err := crm.ContactByID(context.Background(), db, id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func counts(res crm.ImportResult) [4]int {
	return [4]int{res.Inserted, res.Updated, res.Unchanged, len(res.Rejected)}
}

func TestImportUTF8WithBOMAndForgivingHeader(t *testing.T) {
	db := newDB(t)
	res := importFile(t, db, "bom_utf8.csv")
	if got, want := counts(res), [4]int{4, 0, 0, 0}; got != want {
		t.Fatalf("inserted/updated/unchanged/rejected = %v, want %v (rejected: %+v)", got, want, res.Rejected)
	}
	if diff := cmp.Diff([]string{"Phone"}, res.AttributeColumns); diff != "" {
		t.Errorf("attribute columns (-want +got):\n%s", diff)
	}
	ana := contactByEmail(t, db, "ana.lima@example.org")
	want := crm.Contact{
		Email: "ana.lima@example.org", FirstName: "Ana", LastName: "Lima", JobTitle: "Projektkoordinatorin",
		Seniority: "middle", SeniorityInferred: true, Organisation: "Größer Gründen e.V.", OrganisationType: "ngo",
		Country: "DE", Language: "de", Topics: []string{"access_to_finance", "coaching_mentoring"},
		Tags: []string{"newsletter", "cop-2025"}, Consent: "opt_in", ConsentSource: "import:bom_utf8.csv",
	}
	if diff := cmp.Diff(want, ana, contactFields()); diff != "" {
		t.Errorf("contact (-want +got):\n%s", diff)
	}
	if string(ana.Attributes) != `{"Phone": "+49 30 1234"}` {
		t.Errorf("attributes = %s", ana.Attributes)
	}
	jonas := contactByEmail(t, db, "jonas.berg@startup-hub.se")
	if jonas.Seniority != "senior" || !jonas.SeniorityInferred || jonas.Country != "SE" || jonas.OrganisationType != "business_support" {
		t.Errorf("jonas = %s inferred=%v %s %s, want senior inferred SE business_support", jonas.Seniority, jonas.SeniorityInferred, jonas.Country, jonas.OrganisationType)
	}
	if diff := cmp.Diff(pq([]string{"professionalisation_diversity"}), jonas.Topics); diff != "" {
		t.Errorf("topics (-want +got):\n%s", diff)
	}
	marie := contactByEmail(t, db, "marie.dubois@cci-lyon.fr")
	if marie.Seniority != "executive" || marie.SeniorityInferred {
		t.Errorf("given seniority: got %s inferred=%v, want executive not inferred", marie.Seniority, marie.SeniorityInferred)
	}
	if marie.Consent != "legitimate_interest" {
		t.Errorf("default consent = %q", marie.Consent)
	}
}

func TestImportWindows1252SemicolonCRLFMultiline(t *testing.T) {
	db := newDB(t)
	res := importFile(t, db, "excel_1252.csv")
	if got, want := counts(res), [4]int{4, 0, 0, 0}; got != want {
		t.Fatalf("counts = %v, want %v (rejected: %+v)", got, want, res.Rejected)
	}
	j := contactByEmail(t, db, "juergen.mueller@handwerk-koeln.de")
	if j.FirstName != "Jürgen" || j.LastName != "Müller" || j.Organisation != "Handwerkskammer Köln" || j.Seniority != "executive" {
		t.Errorf("decoded %q %q %q %q", j.FirstName, j.LastName, j.Organisation, j.Seniority)
	}
	s := contactByEmail(t, db, "sabine.weiss@iq-netzwerk.de")
	// A title broken with Alt+Enter in Excel is one line: it may go into a subject.
	if s.JobTitle != "Teamleiterin Gründungsberatung" || s.Seniority != "middle" || s.LastName != "Weiß" {
		t.Errorf("multi-line title %q seniority %q name %q", s.JobTitle, s.Seniority, s.LastName)
	}
	a := contactByEmail(t, db, "ali.yilmaz@gruender-berlin.de")
	if a.Country != "DE" || a.Language != "tr" || a.Seniority != "operational" {
		t.Errorf("country %q language %q seniority %q", a.Country, a.Language, a.Seniority)
	}
}

func TestImportTabDelimited(t *testing.T) {
	db := newDB(t)
	res := importFile(t, db, "tabs.csv")
	if got, want := counts(res), [4]int{2, 0, 0, 0}; got != want {
		t.Fatalf("counts = %v, want %v (rejected: %+v)", got, want, res.Rejected)
	}
	if c := contactByEmail(t, db, "t2@tab.example.org"); c.Country != "AT" || c.Seniority != "unknown" {
		t.Errorf("t2: country %q seniority %q", c.Country, c.Seniority)
	}
}

func TestImportRejectsBadRowsAndKeepsGoodOnes(t *testing.T) {
	db := newDB(t)
	res := importFile(t, db, "bad_rows.csv")
	want := []crm.Rejection{
		{Line: 3, Column: "email", Reason: `"not-an-email" is not a valid email address`},
		{Line: 4, Column: "organisation_type"},
		{Line: 5, Column: "country"},
		{Line: 6, Column: "seniority"},
		{Line: 7, Column: "email", Reason: "missing email address"},
		{Line: 8, Column: "language"},
		{Line: 9, Column: "consent"},
		{Line: 12, Column: "country"},
	}
	if diff := cmp.Diff(want, res.Rejected, cmp.Comparer(func(a, b string) bool { return a == "" || b == "" || a == b })); diff != "" {
		t.Errorf("rejected (-want +got):\n%s", diff)
	}
	for _, r := range res.Rejected {
		if r.Reason == "" {
			t.Errorf("line %d: empty reason", r.Line)
		}
	}
	if res.Inserted != 2 || res.Duplicates != 1 {
		t.Errorf("inserted %d duplicates %d, want 2 and 1", res.Inserted, res.Duplicates)
	}
	g := contactByEmail(t, db, "good1@example.org")
	if g.FirstName != "Renamed" || g.Seniority != "middle" || g.Country != "DE" {
		t.Errorf("duplicate merge: got %q %q %q, want the later name with the earlier fields kept", g.FirstName, g.Seniority, g.Country)
	}
	if c := contactByEmail(t, db, "good2@example.org"); c.FirstName != "Multi Line" {
		t.Errorf("multi-line name %q", c.FirstName)
	}
}

func TestReimportChangesNothing(t *testing.T) {
	db := newDB(t)
	first := importFile(t, db, "bom_utf8.csv")
	var activities int
	db.Get(&activities, `SELECT count(*) FROM activities`)
	second := importFile(t, db, "bom_utf8.csv")
	if got, want := counts(second), [4]int{0, 0, first.Inserted, 0}; got != want {
		t.Errorf("re-import counts = %v, want %v", got, want)
	}
	var after int
	db.Get(&after, `SELECT count(*) FROM activities`)
	if after != activities {
		t.Errorf("re-import wrote %d timeline entries", after-activities)
	}
}

func TestImportUpdatesOnlyWhatChanged(t *testing.T) {
	db := newDB(t)
	importString(t, db, "email,first_name,job_title,tags\nx@example.org,Xenia,Coach,a\ny@example.org,Yann,,\n")
	res := importString(t, db, "Email,First_Name,Job_Title,Tags\nX@EXAMPLE.ORG,Xenia,Head of Training,b\ny@example.org,,,\n")
	if got, want := counts(res), [4]int{0, 1, 1, 0}; got != want {
		t.Fatalf("counts = %v, want %v", got, want)
	}
	x := contactByEmail(t, db, "x@example.org")
	if x.JobTitle != "Head of Training" || x.Seniority != "senior" || !x.SeniorityInferred {
		t.Errorf("title %q seniority %q inferred %v", x.JobTitle, x.Seniority, x.SeniorityInferred)
	}
	if diff := cmp.Diff(pq([]string{"a", "b"}), x.Tags); diff != "" {
		t.Errorf("tags are added, never removed (-want +got):\n%s", diff)
	}
	if y := contactByEmail(t, db, "y@example.org"); y.FirstName != "Yann" {
		t.Errorf("an empty cell cleared first_name: %q", y.FirstName)
	}
}

func TestImportKeepsCoordinatorOverrideAndUnsubscribe(t *testing.T) {
	db := newDB(t)
	ctx := context.Background()
	importString(t, db, "email,job_title,consent\nz@example.org,Project Manager,opt_in\n")
	z := contactByEmail(t, db, "z@example.org")
	exec := "executive"
	unsub := "unsubscribed"
	if _, err := crm.UpdateContact(ctx, db, z.ID, crm.ContactPatch{Seniority: &exec, Consent: &unsub}, "tester"); err != nil {
		t.Fatal(err)
	}
	importString(t, db, "email,job_title,consent\nz@example.org,Project Officer,opt_in\n")
	z = contactByEmail(t, db, "z@example.org")
	if z.Seniority != "executive" || z.SeniorityInferred {
		t.Errorf("override lost: %s inferred=%v", z.Seniority, z.SeniorityInferred)
	}
	if z.Consent != "unsubscribed" {
		t.Errorf("an import re-subscribed an unsubscribed contact: consent %q", z.Consent)
	}
	if z.JobTitle != "Project Officer" {
		t.Errorf("job title %q", z.JobTitle)
	}
}

func TestImportRefusesBadFilesAndWritesNothing(t *testing.T) {
	db := newDB(t)
	cases := []struct {
		name, body string
		max        int64
		want       string
		tooLarge   bool
	}{
		{"empty", "", 0, "the file is empty", false},
		{"blank", " \r\n\n", 0, "the file is empty", false},
		{"no email column", "name,country\nAna,DE\n", 0, "no email column", false},
		{"binary", "PK\x03\x04\x00\x00binary", 0, "binary data", false},
		{"too large", "email\n" + strings.Repeat("a@example.org\n", 100), 200, "larger than the limit", true},
		{"email twice", "email,e-mail\na@example.org,b@example.org\n", 0, "appears twice", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := crm.ImportCSV(context.Background(), db, strings.NewReader(c.body), crm.ImportOptions{MaxBytes: c.max})
			var fe *crm.FileError
			if !errors.As(err, &fe) || !strings.Contains(fe.Error(), c.want) || fe.TooLarge != c.tooLarge {
				t.Fatalf("err = %v, want a FileError containing %q (too large: %v)", err, c.want, c.tooLarge)
			}
		})
	}
	assertEmpty(t, db)
}

func assertEmpty(t *testing.T, db *sqlx.DB) {
	t.Helper()
	for _, table := range []string{"contacts", "organisations", "activities"} {
		var n int
		db.Get(&n, `SELECT count(*) FROM `+table)
		if n != 0 {
			t.Errorf("%s has %d rows, want none", table, n)
		}
	}
}

func TestImportIsOneTransaction(t *testing.T) {
	db := newDB(t)
	// A trigger that fails on one row stands in for a crash or a full disk
	// half-way through the merge.
	db.MustExec(`CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN IF NEW.email = 'boom@example.org' THEN RAISE EXCEPTION 'disk full'; END IF; RETURN NEW; END $$`)
	db.MustExec(`CREATE TRIGGER boom BEFORE INSERT ON contacts FOR EACH ROW EXECUTE FUNCTION boom()`)
	_, err := crm.ImportCSV(context.Background(), db, strings.NewReader(
		"email,organisation\na@example.org,Org A\nboom@example.org,Org B\nc@example.org,Org C\n"), crm.ImportOptions{})
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("err = %v, want the failure", err)
	}
	assertEmpty(t, db)
}

func TestExportReimportsUnchanged(t *testing.T) {
	db := newDB(t)
	ctx := context.Background()
	importFile(t, db, "bom_utf8.csv")
	importFile(t, db, "excel_1252.csv")
	var buf bytes.Buffer
	if err := crm.ExportCSV(ctx, db, &buf, crm.Filter{}); err != nil {
		t.Fatal(err)
	}
	header, _, _ := strings.Cut(buf.String(), "\n")
	if want := strings.Join(crm.Columns, ",") + ",Phone"; header != want {
		t.Errorf("header %q, want %q", header, want)
	}
	res, err := crm.ImportCSV(ctx, db, &buf, crm.ImportOptions{Source: "roundtrip"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := counts(res), [4]int{0, 0, 8, 0}; got != want {
		t.Errorf("re-import of export = %v, want %v (rejected %+v)", got, want, res.Rejected)
	}
	buf.Reset()
	if err := crm.ExportCSV(ctx, db, &buf, crm.Filter{Where: "country = DE and seniority = executive"}); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(buf.String(), "\n"); lines != 2 {
		t.Errorf("filtered export has %d lines, want header + 1:\n%s", lines, buf.String())
	}
}

// A large import leaves the planner knowing the new rows, so the first
// segment counts after it use the right plan.
func TestLargeImportRefreshesStatistics(t *testing.T) {
	db, _ := testdb.New(t)
	var csv strings.Builder
	csv.WriteString("email,organisation,organisation_type\n")
	for i := 0; i < 1500; i++ {
		fmt.Fprintf(&csv, "p%d@example.org,Org %d,business_support\n", i, i%100)
	}
	if _, err := crm.ImportCSV(context.Background(), db, strings.NewReader(csv.String()), crm.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	var contacts, orgs float64
	db.Get(&contacts, `SELECT reltuples FROM pg_class WHERE relname = 'contacts'`)
	db.Get(&orgs, `SELECT reltuples FROM pg_class WHERE relname = 'organisations'`)
	if contacts < 1500 || orgs < 100 {
		t.Errorf("planner's row counts after the import: %v contacts, %v organisations; want 1500 and 100", contacts, orgs)
	}
}

// Repeated emails are folded into their first row in file order, wherever
// they are: after multi-line records, around rejected lines, many times.
func TestImportFoldsRepeatedEmailsInFileOrder(t *testing.T) {
	db := newDB(t)
	var b strings.Builder
	b.WriteString("email,first_name,last_name,country,topics,tags,notes\n")
	b.WriteString("ana@example.org,Ana,,DE,mentoring,,\"first\nnote\"\n")
	for i := range 200 {
		fmt.Fprintf(&b, "p%d@example.org,P%d,Filler,AT,,,\n", i, i)
		if i == 50 {
			b.WriteString("ana@example.org,,Lima,,access_to_finance,summit,\n")
			b.WriteString("not-an-email,,,,,,\n")
		}
		if i == 120 {
			b.WriteString("ben@example.org,Ben,,FR,,,\n")
		}
	}
	b.WriteString("ana@example.org,Anna,,,,press,second\n")
	b.WriteString("ben@example.org,,Okafor,,,,\n")
	b.WriteString("BEN@example.org,,,PT,,,\n")
	res, err := crm.ImportCSV(context.Background(), db, strings.NewReader(b.String()), crm.ImportOptions{Source: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Inserted != 202 || res.Duplicates != 4 || len(res.Rejected) != 1 {
		t.Fatalf("inserted %d, duplicates %d, rejected %v; want 202, 4, one", res.Inserted, res.Duplicates, res.Rejected)
	}
	ana := contactByEmail(t, db, "ana@example.org")
	if ana.FirstName != "Anna" || ana.LastName != "Lima" || ana.Country != "DE" ||
		strings.Join(ana.Topics, ",") != "mentoring,access_to_finance" || strings.Join(ana.Tags, ",") != "summit,press" ||
		!strings.Contains(string(ana.Attributes), "second") {
		t.Errorf("ana: %q %q %q %v %v %s", ana.FirstName, ana.LastName, ana.Country, ana.Topics, ana.Tags, ana.Attributes)
	}
	if ben := contactByEmail(t, db, "ben@example.org"); ben.FirstName != "Ben" || ben.LastName != "Okafor" || ben.Country != "PT" {
		t.Errorf("ben: %q %q %q", ben.FirstName, ben.LastName, ben.Country)
	}
	if p := contactByEmail(t, db, "p51@example.org"); p.FirstName != "P51" || p.Country != "AT" {
		t.Errorf("a row after the repeats: %+v", p)
	}
}

// Names, titles and organisations are one line: line breaks and tabs from
// a spreadsheet are folded into a space, other control characters refuse
// the row, and the API refuses a line break outright.
func TestOneLineFields(t *testing.T) {
	db, c := newAPI(t)
	res := importString(t, db, "email,first_name,last_name,job_title,organisation\n"+
		"a@example.org,\"Ana\r\n  Maria\",\"de\tSouza\",\"Head of\nFinance\",\"Acme\nGmbH\"\n"+
		"b@example.org,\"Ben\x07\",,,\n")
	if res.Inserted != 1 || len(res.Rejected) != 1 || res.Rejected[0].Line != 6 || res.Rejected[0].Column != "first_name" {
		t.Fatalf("import: %+v", res)
	}
	a := contactByEmail(t, db, "a@example.org")
	if a.FirstName != "Ana Maria" || a.LastName != "de Souza" || a.JobTitle != "Head of Finance" || a.Organisation != "Acme GmbH" || a.Seniority != "senior" {
		t.Errorf("folded: %q %q %q %q %q", a.FirstName, a.LastName, a.JobTitle, a.Organisation, a.Seniority)
	}
	for _, body := range []string{
		`{"email":"x@example.org","first_name":"Eve\r\nBcc: victim@example.com"}`,
		`{"email":"x@example.org","job_title":"A\u2028B"}`,
		`{"email":"x@example.org","organisation":"Org\nX-Evil: 1"}`,
	} {
		var e apiError
		if status := c[crm.RoleCoordinator].do("POST", "/api/v1/contacts", "application/json", body, &e); status != 400 || !strings.Contains(e.Error, "line break") {
			t.Errorf("%s: %d %q, want 400 about the line break", body, status, e.Error)
		}
	}
	if status := c[crm.RoleCoordinator].do("PATCH", "/api/v1/contacts/"+itoa(a.ID), "application/json", `{"last_name":"X\rY"}`, nil); status != 400 {
		t.Errorf("patch with a line break: %d, want 400", status)
	}
	if status := c[crm.RoleCoordinator].do("PATCH", "/api/v1/organisations/"+itoa(*a.OrganisationID), "application/json", `{"city":"Wien\nX"}`, nil); status != 400 {
		t.Errorf("organisation patch with a line break: %d, want 400", status)
	}
	var n int
	db.Get(&n, `SELECT count(*) FROM contacts WHERE email = 'x@example.org'`)
	if got := contactByEmail(t, db, "a@example.org"); n != 0 || got.LastName != "de Souza" {
		t.Errorf("refused writes changed something: %d new, last name %q", n, got.LastName)
	}
}
