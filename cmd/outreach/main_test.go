package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/redis/go-redis/v9"

	"outreach/crm"
	"outreach/migrations/testdb"
)

// runCmd runs the CLI in-process with the given environment and stdin.
func runCmd(t *testing.T, vars map[string]string, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	e := env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errOut, getenv: func(k string) string { return vars[k] }}
	err := run(context.Background(), e, args)
	return out.String(), errOut.String(), err
}

func TestMigrateCreatesDatabaseAndCommandsRefuseOldSchema(t *testing.T) {
	empty := testdb.NewEmpty(t)
	vars := map[string]string{"OUTREACH_DATABASE_URL": empty}
	for _, args := range [][]string{{"apikey", "create", "--name", "x"}, {"serve", "--listen", "127.0.0.1:0"}} {
		_, _, err := runCmd(t, vars, "", args...)
		if err == nil || !strings.Contains(err.Error(), "run `outreach migrate`") {
			t.Fatalf("%s on an empty schema: err = %v, want a message saying to migrate", args[0], err)
		}
	}
	u, _ := url.Parse(empty)
	u.Path = u.Path + "_created"
	vars["OUTREACH_DATABASE_URL"] = u.String()
	t.Cleanup(func() {
		admin, err := sqlx.Open("postgres", testdb.AdminURL())
		if err == nil {
			admin.Exec(`DROP DATABASE IF EXISTS ` + strings.TrimPrefix(u.Path, "/") + ` WITH (FORCE)`)
			admin.Close()
		}
	})
	if _, stderr, err := runCmd(t, vars, "", "migrate"); err != nil || !strings.Contains(stderr, "created database") {
		t.Fatalf("migrate: %v\n%s", err, stderr)
	}
	out, _, err := runCmd(t, vars, "", "migrate", "--status")
	if err != nil || !regexp.MustCompile(`^schema version \d+ of \d+\n$`).MatchString(out) || !sameVersions(out) {
		t.Errorf("status: %q %v", out, err)
	}
	if _, stderr, err := runCmd(t, vars, "", "migrate"); err != nil || !strings.Contains(stderr, "up to date") {
		t.Errorf("second migrate: %v %s", err, stderr)
	}
}

func sameVersions(s string) bool {
	m := regexp.MustCompile(`(\d+) of (\d+)`).FindStringSubmatch(s)
	return m != nil && m[1] == m[2]
}

func TestAPIKeyCreatePrintsOnlyTheKey(t *testing.T) {
	_, dsn := testdb.New(t)
	vars := map[string]string{"OUTREACH_DATABASE_URL": dsn}
	out, _, err := runCmd(t, vars, "", "apikey", "create", "--name", "script", "--role", "viewer")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^ork_[a-z2-7]{52}\n$`).MatchString(out) {
		t.Errorf("stdout %q, want the key alone on one line", out)
	}
	if _, _, err := runCmd(t, vars, "", "apikey", "create", "--name", "x", "--role", "god"); err == nil {
		t.Error("unknown role accepted")
	}
	if _, _, err := runCmd(t, vars, "", "apikey", "create"); err == nil {
		t.Error("missing --name accepted")
	}
}

func TestUserAddReadsPasswordFromStdin(t *testing.T) {
	db, dsn := testdb.New(t)
	vars := map[string]string{"OUTREACH_DATABASE_URL": dsn}
	if _, _, err := runCmd(t, vars, "correct horse battery\n", "user", "add", "Coord@Example.org", "--role", "coordinator", "--name", "Coord"); err != nil {
		t.Fatal(err)
	}
	var role string
	db.Get(&role, `SELECT role FROM users WHERE email = 'coord@example.org'`)
	if role != "coordinator" {
		t.Errorf("role %q", role)
	}
	if _, _, err := runCmd(t, vars, "short\n", "user", "add", "b@example.org"); err == nil || !strings.Contains(err.Error(), "password") {
		t.Errorf("short password: %v", err)
	}
}

func TestImportExportAndSegmentCommands(t *testing.T) {
	_, dsn := testdb.New(t)
	vars := map[string]string{"OUTREACH_DATABASE_URL": dsn}
	file := t.TempDir() + "/people.csv"
	os.WriteFile(file, []byte("email;seniority;country\na@example.org;middle;DE\nb@example.org;executive;AT\nbad;;\n"), 0o600)
	out, _, err := runCmd(t, vars, "", "import", "contacts", file)
	if err != nil || !strings.Contains(out, "inserted 2, updated 0, unchanged 0, duplicates merged 0, rejected 1") || !strings.Contains(out, "line 4, email:") {
		t.Fatalf("import: %v\n%s", err, out)
	}
	out, _, err = runCmd(t, vars, "", "export", "contacts", "--where", "country = DE")
	if err != nil || !strings.Contains(out, "a@example.org") || strings.Contains(out, "b@example.org") {
		t.Errorf("export: %v\n%s", err, out)
	}
	out, _, err = runCmd(t, vars, "", "segment", "count", "seniority in (middle, executive)")
	if err != nil || !strings.HasPrefix(out, "2 contacts\n") {
		t.Errorf("segment count: %v\n%s", err, out)
	}
	if _, _, err := runCmd(t, vars, "", "segment", "count", "seniority in (middle"); err == nil || !strings.Contains(err.Error(), "position") {
		t.Errorf("bad expression: %v", err)
	}
}

func TestDemoLoadsANetwork(t *testing.T) {
	db, dsn := testdb.New(t)
	vars := map[string]string{"OUTREACH_DATABASE_URL": dsn}
	if _, stderr, err := runCmd(t, vars, "", "demo", "--organisations", "40", "--contacts", "400"); err != nil {
		t.Fatalf("demo: %v %s", err, stderr)
	}
	var contacts, orgs, types, seniorities, segments int
	db.Get(&contacts, `SELECT count(*) FROM contacts`)
	db.Get(&orgs, `SELECT count(*) FROM organisations`)
	db.Get(&types, `SELECT count(DISTINCT type) FROM organisations`)
	db.Get(&seniorities, `SELECT count(DISTINCT seniority) FROM contacts WHERE seniority <> 'unknown'`)
	db.Get(&segments, `SELECT count(*) FROM segments`)
	if contacts != 400 || orgs < 30 || types != 8 || seniorities != 4 || segments != len(demoSegments) {
		t.Errorf("demo: %d contacts, %d organisations of %d types, %d seniorities, %d segments", contacts, orgs, types, seniorities, segments)
	}
	var events, piggyback int
	db.Get(&events, `SELECT count(*) FROM events`)
	db.Get(&piggyback, `SELECT count(*) FROM events WHERE host_event_id IS NOT NULL`)
	if events != 3 || piggyback != 1 {
		t.Errorf("demo: %d events (%d piggyback), want 3 with one piggyback workshop", events, piggyback)
	}
	if _, stderr, err := runCmd(t, vars, "", "demo", "--organisations", "40", "--contacts", "400"); err != nil {
		t.Fatalf("demo again: %v %s", err, stderr)
	}
	if db.Get(&events, `SELECT count(*) FROM events`); events != 3 {
		t.Errorf("demo twice: %d events", events)
	}
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func TestServeAnswersHealthzAndAPI(t *testing.T) {
	_, dsn := testdb.New(t)
	redisAddr := os.Getenv("OUTREACH_TEST_REDIS_ADDR")
	if redisAddr == "" {
		redisAddr = "127.0.0.1:6379"
	}
	if c, err := net.Dial("tcp", redisAddr); err != nil {
		testdb.Unavailable(t, "redis", err)
	} else {
		c.Close()
	}
	key, _, err := runCmd(t, map[string]string{"OUTREACH_DATABASE_URL": dsn}, "", "apikey", "create", "--name", "t")
	if err != nil {
		t.Fatal(err)
	}
	healthy := serve(t, map[string]string{"OUTREACH_DATABASE_URL": dsn, "OUTREACH_REDIS_ADDR": redisAddr})
	if status := get(t, healthy+"/healthz", ""); status != 200 {
		t.Errorf("healthz: %d", status)
	}
	if status := get(t, healthy+"/api/v1/contacts", strings.TrimSpace(key)); status != 200 {
		t.Errorf("contacts with key: %d", status)
	}
	if status := get(t, healthy+"/api/v1/nothing", strings.TrimSpace(key)); status != 404 {
		t.Errorf("unknown endpoint: %d", status)
	}
	noRedis := serve(t, map[string]string{"OUTREACH_DATABASE_URL": dsn, "OUTREACH_REDIS_ADDR": freeAddr(t)})
	if status := get(t, noRedis+"/healthz", ""); status != 503 {
		t.Errorf("healthz without redis: %d, want 503", status)
	}
}

// serve starts `outreach serve` and returns its base URL; it stops with t.
func serve(t *testing.T, vars map[string]string) string {
	addr := freeAddr(t)
	vars["OUTREACH_LISTEN"] = addr
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var logs bytes.Buffer
	go func() {
		done <- run(ctx, env{stdin: strings.NewReader(""), stdout: &logs, stderr: &logs, getenv: func(k string) string { return vars[k] }}, []string{"serve"})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	base := "http://" + addr
	for i := 0; i < 100; i++ {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return base
		}
		select {
		case err := <-done:
			t.Fatalf("serve exited: %v\n%s", err, logs.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatalf("serve did not listen on %s", addr)
	return ""
}

func get(t *testing.T, u, key string) int {
	req, _ := http.NewRequest("GET", u, nil)
	if key != "" {
		req.Header.Set("Authorization", fmt.Sprintf("Bearer %s", key))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestRepliesIngestFromStdin(t *testing.T) {
	_, dsn := testdb.New(t)
	vars := map[string]string{"OUTREACH_DATABASE_URL": dsn, "OUTREACH_SECRET": "cli test secret 0123456789"}
	msg := "From: Ana <ana@example.org>\r\nTo: replies@network.example.org\r\nSubject: Re: Invitation\r\nMessage-ID: <cli1@example.org>\r\nIn-Reply-To: <unknown@network.example.org>\r\n\r\nSounds good!\r\n"
	out, _, err := runCmd(t, vars, msg, "replies", "ingest")
	if err != nil || strings.TrimSpace(out) != `{"matched":false,"kind":"reply","recipient_id":null}` {
		t.Errorf("ingest: %v %q", err, out)
	}
	if _, _, err := runCmd(t, vars, "", "replies", "poll"); err == nil || !strings.Contains(err.Error(), "OUTREACH_IMAP_URL") {
		t.Errorf("poll without a mailbox: %v", err)
	}
}

func TestReportCommand(t *testing.T) {
	db, dsn := testdb.New(t)
	vars := map[string]string{"OUTREACH_DATABASE_URL": dsn}
	file := t.TempDir() + "/people.csv"
	os.WriteFile(file, []byte("email,seniority\na@example.org,middle\nb@example.org,middle\nc@example.org,executive\n"), 0o600)
	if _, _, err := runCmd(t, vars, "", "import", "contacts", file); err != nil {
		t.Fatal(err)
	}
	spec := t.TempDir() + "/campaign.json"
	os.WriteFile(spec, []byte(`{"name":"CLI","audience":{"where":""},"from":"team@network.example.org","subject":"Hi {{ .Contact.FirstName | default \"there\" }}","html":"<p>Hi</p>"}`), 0o600)
	if out, _, err := runCmd(t, vars, "", "campaign", "create", spec); err != nil || !strings.Contains(out, "draft") {
		t.Fatalf("create: %v %s", err, out)
	}
	// The draft is renamed from a second file; a started campaign is not.
	os.WriteFile(spec, []byte(`{"name":"CLI renamed","audience":{"where":""},"from":"team@network.example.org","subject":"Hi","html":"<p>Hi</p>"}`), 0o600)
	// Bad input names what is wrong and leaves the draft as it is.
	typo := t.TempDir() + "/typo.json"
	os.WriteFile(typo, []byte(`{"nmae":"x"}`), 0o600)
	for args, want := range map[[2]string]string{
		{"one", spec}: "not a campaign id", {"1", typo}: `unknown field "nmae"`, {"1", typo + ".missing"}: "no such file", {"9", spec}: "not found",
	} {
		if _, _, err := runCmd(t, vars, "", "campaign", "update", args[0], args[1]); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("campaign update %s %s: %v, want an error saying %q", args[0], args[1], err, want)
		}
	}
	if out, _, _ := runCmd(t, vars, "", "campaign", "status", "1"); !strings.Contains(out, `"CLI": draft`) {
		t.Errorf("refused updates changed the draft: %s", out)
	}
	if out, _, err := runCmd(t, vars, "", "campaign", "update", "1", spec); err != nil || !strings.Contains(out, `"CLI renamed": draft`) {
		t.Fatalf("update: %v %s", err, out)
	}
	if _, _, err := runCmd(t, vars, "", "campaign", "send", "1"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runCmd(t, vars, "", "campaign", "update", "1", spec); err == nil || !strings.Contains(err.Error(), "cannot edit a campaign that is running") {
		t.Errorf("update of a running campaign: %v", err)
	}
	db.MustExec(`UPDATE recipients r SET status = 'sent', sent_at = now(), replied_at = CASE WHEN c.email = 'a@example.org' THEN now() END
		FROM contacts c WHERE c.id = r.contact_id`)
	out, _, err := runCmd(t, vars, "", "report", "1", "--by", "seniority")
	if err != nil || !strings.Contains(out, "middle") || !strings.Contains(out, "total") || !strings.Contains(out, "1  50.0%") {
		t.Errorf("table: %v\n%s", err, out)
	}
	out, _, err = runCmd(t, vars, "", "report", "1", "--by", "seniority", "--format", "csv")
	if err != nil || !strings.HasPrefix(out, "seniority,recipients,sent,delivered") {
		t.Errorf("csv: %v\n%s", err, out)
	}
	out, _, err = runCmd(t, vars, "", "report", "1", "--by", "seniority", "--compare", "middle,executive", "--metric", "replied")
	if err != nil || !strings.Contains(out, "too few") {
		t.Errorf("compare: %v\n%s", err, out)
	}
}

func TestEventAndCalendarCommands(t *testing.T) {
	db, dsn := testdb.New(t)
	vars := map[string]string{"OUTREACH_DATABASE_URL": dsn, "OUTREACH_BASE_URL": "https://outreach.example.org",
		"OUTREACH_CALENDAR_NAME": "Network events"}
	dir := t.TempDir()
	write := func(name, body string) string {
		os.WriteFile(dir+"/"+name, []byte(body), 0o600)
		return dir + "/" + name
	}
	// A week ago: attendance can be marked, and a partner's feed still covers it.
	day := time.Now().AddDate(0, 0, -7)
	spec := write("cop.json", `{"title":"Finance CoP","kind":"cop_session","topic":"access_to_finance","city":"Vienna",
		"starts_at":"`+day.Format("2006-01-02")+`T09:00","ends_at":"`+day.Format("2006-01-02")+`T12:30","time_zone":"Europe/Vienna","capacity":25}`)
	out, _, err := runCmd(t, vars, "", "event", "create", spec)
	if err != nil || !strings.Contains(out, `event 1 "Finance CoP" (cop_session, confirmed)`) || !strings.Contains(out, day.Format("Mon 2 Jan 2006")+" 09:00") {
		t.Fatalf("create: %v\n%s", err, out)
	}
	if _, _, err := runCmd(t, vars, "", "event", "create", write("bad.json", `{"title":"x","starts_at":"tomorrow","ends_at":"2026-05-12T10:00"}`)); err == nil || !strings.Contains(err.Error(), "starts_at") {
		t.Errorf("bad event: %v", err)
	}
	ics := write("partner.ics", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//P//P//EN\r\nBEGIN:VEVENT\r\nUID:forum@partner.example\r\n"+
		"DTSTAMP:20260101T000000Z\r\nDTSTART:"+day.Format("20060102")+"T060000Z\r\nDTEND:"+day.Format("20060102")+"T150000Z\r\nSUMMARY:Partner forum\r\n"+
		"LOCATION:Hofburg\\, Vienna\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
	out, _, err = runCmd(t, vars, "", "calendar", "import", "--source", "Partners", ics)
	if err != nil || !strings.Contains(out, `calendar "Partners": 1 events: 1 new`) {
		t.Fatalf("calendar import: %v\n%s", err, out)
	}
	out, _, err = runCmd(t, vars, "", "event", "conflicts", "1")
	if err != nil || !strings.Contains(out, "same city") || !strings.Contains(out, "[Partners]") {
		t.Errorf("conflicts: %v\n%s", err, out)
	}
	out, _, err = runCmd(t, vars, "", "event", "list", "--source", "partners")
	if err != nil || !strings.Contains(out, "Partner forum") || strings.Contains(out, "Finance CoP") {
		t.Errorf("list partners: %v\n%s", err, out)
	}
	db.MustExec(`INSERT INTO contacts (email, first_name) VALUES ('ana@example.org', 'Ana')`)
	out, _, err = runCmd(t, vars, "", "event", "attendance", "1", write("came.csv", "email,attended\nana@example.org,yes\nnobody@example.org,yes\n"))
	if err != nil || !strings.Contains(out, "marked 1, rejected 1") || !strings.Contains(out, "came.csv:3: email: no contact nobody@example.org") {
		t.Errorf("attendance: %v\n%s", err, out)
	}
	out, _, err = runCmd(t, vars, "", "event", "attendees", "1")
	if err != nil || !strings.Contains(out, "ana@example.org\tAna\t-\tattended") {
		t.Errorf("attendees: %v\n%s", err, out)
	}
	out, _, err = runCmd(t, vars, "", "calendar", "export")
	if err != nil || !strings.Contains(out, "X-WR-CALNAME:Network events") || !strings.Contains(out, "UID:event-1@outreach.example.org") || strings.Contains(out, "Partner forum") {
		t.Errorf("export: %v\n%s", err, out)
	}
	if _, _, err := runCmd(t, vars, "", "event", "notify", "1"); err == nil || !strings.Contains(err.Error(), "sender") {
		t.Errorf("notify without any invitation sent: %v", err)
	}
	if _, _, err := runCmd(t, vars, "", "event", "bogus", "1"); !errors.Is(err, errUsage) {
		t.Errorf("unknown subcommand: %v", err)
	}
}

// Redis databases of this package's tests that run workers. Packages' tests
// run at the same time, so each keeps apart from the others' (the worker
// tests use 9, the worker's Redis drill 12, the bench command 13 by
// default); this package's tests run one after another and share 11.
const (
	killRedisDB  = 10
	serveRedisDB = 11
)

// testRedis empties Redis database db for a test (and again after it)
// and returns its URL; without Redis the test skips, or fails under CI.
func testRedis(t *testing.T, db int) string {
	addr := os.Getenv("OUTREACH_TEST_REDIS_ADDR")
	if addr == "" {
		addr = "127.0.0.1:6379"
	}
	u := fmt.Sprintf("redis://%s/%d", addr, db)
	rdb := redis.NewClient(&redis.Options{Addr: addr, DB: db})
	if err := rdb.Ping(context.Background()).Err(); err != nil {
		testdb.Unavailable(t, "redis", err)
	}
	rdb.FlushDB(context.Background())
	t.Cleanup(func() { rdb.FlushDB(context.Background()); rdb.Close() })
	return u
}

// serve --demo, the README's first command, loads an empty database once
// and prints a sign-in and an API key that work; a second start loads
// nothing and prints no new credentials.
func TestServeDemoPrintsWorkingCredentialsOnce(t *testing.T) {
	db, _ := testdb.New(t)
	ctx := context.Background()
	var out bytes.Buffer
	e := env{stdin: strings.NewReader(""), stdout: &out, stderr: &out, getenv: func(string) string { return "" }}
	if err := loadDemoIfEmpty(ctx, e, db, "network.example.org"); err != nil {
		t.Fatal(err)
	}
	pw := regexp.MustCompile(`demo@example\.org with password (\S+)`).FindStringSubmatch(out.String())
	key := regexp.MustCompile(`API key \(admin\), shown once: (\S+)`).FindStringSubmatch(out.String())
	if pw == nil || key == nil {
		t.Fatalf("no sign-in or API key printed:\n%s", out.String())
	}
	if u, err := crm.CheckPassword(ctx, db, "demo@example.org", pw[1]); err != nil || u.Role != crm.RoleAdmin {
		t.Errorf("the printed sign-in: %+v %v, want an admin", u, err)
	}
	if k, err := crm.APIKeyBySecret(ctx, db, key[1]); err != nil || k.Role != crm.RoleAdmin {
		t.Errorf("the printed API key: %+v %v", k, err)
	}
	out.Reset()
	if err := loadDemoIfEmpty(ctx, e, db, "network.example.org"); err != nil || out.Len() != 0 {
		t.Errorf("second start: %v, printed %q", err, out.String())
	}
}
