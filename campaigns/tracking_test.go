package campaigns_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"outreach/campaigns"
	"outreach/crm"
)

// trackingServer serves the tracker and public pages over s's database.
func trackingServer(t testing.TB, s *server) string {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	tr := &campaigns.Tracker{DB: s.db, Signer: signer, Log: log}
	mux := http.NewServeMux()
	tr.Routes(mux)
	(&campaigns.Public{DB: s.db, Signer: signer, Log: log}).Routes(mux)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { tr.Run(ctx); close(done) }()
	srv := httptest.NewServer(mux)
	t.Cleanup(func() { srv.Close(); cancel(); <-done })
	return srv.URL
}

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func hit(t *testing.T, method, url, ua string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(method, url, nil)
	req.Header.Set("User-Agent", ua)
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

const browser = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36"

type eventRow struct {
	Kind    string `db:"kind"`
	Machine bool   `db:"machine"`
	Reason  string `db:"reason"`
	URL     string `db:"url"`
}

func events(t *testing.T, s *server, rid int64, want int) []eventRow {
	t.Helper()
	var out []eventRow
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		out = nil
		s.db.Select(&out, `SELECT kind, machine, reason, url FROM recipient_events WHERE recipient_id = $1 ORDER BY id`, rid)
		if len(out) >= want {
			break
		}
	}
	return out
}

func TestOpenPixelAndClickRedirect(t *testing.T) {
	s := newServer(t)
	base := trackingServer(t, s)
	rid := recipientFor(t, s, "a@example.org")
	links := campaigns.Links{BaseURL: base, Signer: signer}
	sent := time.Now().Add(-time.Hour)
	resp := hit(t, "GET", links.Open(rid, sent), browser)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/gif" || !strings.Contains(resp.Header.Get("Cache-Control"), "no-store") {
		t.Fatalf("pixel: %d %v", resp.StatusCode, resp.Header)
	}
	hit(t, "GET", links.Open(rid, sent), browser)
	target := "https://example.org/agenda?x=1&y=%C3%A9#day-2"
	resp = hit(t, "GET", links.Click(rid, sent, target), browser)
	if resp.StatusCode != 302 || resp.Header.Get("Location") != target {
		t.Fatalf("click: %d Location %q, want 302 to %q", resp.StatusCode, resp.Header.Get("Location"), target)
	}
	got := events(t, s, rid, 3)
	if len(got) != 3 || got[0].Kind != "open" || got[2].Kind != "click" || got[2].URL != target || got[0].Machine {
		t.Fatalf("events %+v", got)
	}
	var opened, clicked bool
	s.db.QueryRow(`SELECT opened_at IS NOT NULL, clicked_at IS NOT NULL FROM recipients WHERE id = $1`, rid).Scan(&opened, &clicked)
	var timeline int
	s.db.Get(&timeline, `SELECT count(*) FROM activities WHERE kind IN ('email.opened', 'email.clicked')`)
	if !opened || !clicked || timeline != 2 {
		t.Errorf("opened %v clicked %v, %d timeline entries (want the first open and the click)", opened, clicked, timeline)
	}
}

func TestForgedTrackingTokensChangeNothing(t *testing.T) {
	s := newServer(t)
	base := trackingServer(t, s)
	rid := recipientFor(t, s, "a@example.org")
	links := campaigns.Links{BaseURL: base, Signer: signer}
	open := links.Open(rid, time.Now())
	click := links.Click(rid, time.Now(), "https://example.org/")
	forged := campaigns.Links{BaseURL: base, Signer: campaigns.NewSigner([]byte("not the real secret at all"))}
	for _, u := range []string{
		open[:len(open)-3], open + "a", strings.Replace(open, "/t/o/", "/t/c/", 1), click[:len(click)-1],
		forged.Click(rid, time.Now(), "https://evil.example.com/"), forged.Open(rid, time.Now()),
		base + "/t/c/garbage", base + "/t/r/" + signer.Token(campaigns.LinkOpen, rid, ""),
	} {
		if resp := hit(t, "GET", u, browser); resp.StatusCode != 404 {
			t.Errorf("%s: %d, want 404", u, resp.StatusCode)
		}
	}
	time.Sleep(300 * time.Millisecond)
	var n int
	s.db.Get(&n, `SELECT count(*) FROM recipient_events`)
	if n != 0 {
		t.Errorf("%d events written by forged links", n)
	}
}

func TestMachineEventsAreFlagged(t *testing.T) {
	s := newServer(t)
	base := trackingServer(t, s)
	rid := recipientFor(t, s, "a@example.org")
	links := campaigns.Links{BaseURL: base, Signer: signer}
	old := time.Now().Add(-time.Hour)
	hit(t, "GET", links.Open(rid, old), "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)")
	hit(t, "GET", links.Open(rid, old), "Mozilla/5.0")
	hit(t, "HEAD", links.Click(rid, old, "https://example.org/a"), browser)
	hit(t, "GET", links.Click(rid, time.Now(), "https://example.org/b"), browser) // seconds after sending
	hit(t, "GET", links.Click(rid, old, "https://example.org/c"), "Mozilla/5.0 (compatible; Barracuda Sentinel)")
	got := events(t, s, rid, 5)
	if len(got) != 5 {
		t.Fatalf("events %+v", got)
	}
	for _, e := range got {
		if !e.Machine || e.Reason == "" {
			t.Errorf("%+v not flagged as a machine event", e)
		}
	}
	var opened bool
	s.db.QueryRow(`SELECT opened_at IS NOT NULL FROM recipients WHERE id = $1`, rid).Scan(&opened)
	if opened {
		t.Error("machine events counted as a human open")
	}
	// A scanner following every link of a message at once.
	other := recipientFor(t, s, "a@example.org") // a second campaign, a second recipient row
	for _, u := range []string{"https://example.org/1", "https://example.org/2", "https://example.org/3", "https://example.org/4"} {
		hit(t, "GET", links.Click(other, old, u), browser)
	}
	burst := events(t, s, other, 4)
	if len(burst) != 4 || burst[0].Machine || burst[1].Machine || !burst[2].Machine || !burst[3].Machine {
		t.Errorf("burst flags %+v, want the third and fourth link flagged", burst)
	}
}

func TestRSVPNeedsAConfirmingPost(t *testing.T) {
	s := newServer(t)
	base := trackingServer(t, s)
	rid := recipientFor(t, s, "a@example.org")
	links := campaigns.Links{BaseURL: base, Signer: signer}
	yes := links.RSVP(rid, true)
	if resp := hit(t, "GET", yes, "Mozilla/5.0 (compatible; SafeLinks scanner)"); resp.StatusCode != 200 {
		t.Fatalf("GET: %d", resp.StatusCode)
	}
	var answer *string
	s.db.Get(&answer, `SELECT rsvp FROM recipients WHERE id = $1`, rid)
	if answer != nil {
		t.Fatal("a GET recorded an RSVP")
	}
	if resp := hit(t, "POST", yes, browser); resp.StatusCode != 200 {
		t.Fatalf("POST: %d", resp.StatusCode)
	}
	hit(t, "POST", yes, browser)
	s.db.Get(&answer, `SELECT rsvp FROM recipients WHERE id = $1`, rid)
	var n int
	s.db.Get(&n, `SELECT count(*) FROM recipient_events WHERE recipient_id = $1 AND kind = 'rsvp_yes'`, rid)
	if answer == nil || *answer != "yes" || n != 1 {
		t.Errorf("rsvp %v, %d events; want yes once", answer, n)
	}
	hit(t, "POST", links.RSVP(rid, false), browser)
	s.db.Get(&answer, `SELECT rsvp FROM recipients WHERE id = $1`, rid)
	if *answer != "no" {
		t.Errorf("changed answer %q, want no", *answer)
	}
}

func TestEngagementPredicates(t *testing.T) {
	s := newServer(t)
	rid := recipientFor(t, s, "a@example.org")
	var campaign int64
	s.db.Get(&campaign, `SELECT campaign_id FROM recipients WHERE id = $1`, rid)
	s.db.MustExec(`UPDATE recipients SET sent_at = now(), replied_at = now() WHERE id = $1`, rid)
	ctx := context.Background()
	count := func(where string) int {
		n, err := crm.Count(ctx, s.db, crm.Filter{Where: where, Segment: campaigns.SegmentOptions()})
		if err != nil {
			t.Fatalf("%s: %v", where, err)
		}
		return n
	}
	c := strconv.FormatInt(campaign, 10)
	cases := map[string]int{
		"replied":                                   1,
		"replied(campaign " + c + ")":               1,
		"replied(campaign 999)":                     0,
		"not replied(campaign " + c + ")":           1, // Ben, never invited
		"invited and not opened":                    1,
		"replied(within 1d) and seniority = middle": 1,
		"rsvp(yes)":                                 0,
	}
	for where, want := range cases {
		if got := count(where); got != want {
			t.Errorf("%s: %d, want %d", where, got, want)
		}
	}
}
