package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"outreach/campaigns"
	"outreach/crm"
	"outreach/crm/segment"
	"outreach/migrations/testdb"
	"outreach/worker/smtptest"
)

// buildBinary compiles outreach once for the tests that need a real
// process to kill.
func buildBinary(t *testing.T) string {
	bin := filepath.Join(t.TempDir(), "outreach")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestKilledWorkerLosesNothing kills a worker process with SIGKILL in the
// middle of a throttled campaign, starts another, and checks that every
// recipient is mailed and nobody twice.
func TestKilledWorkerLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("kills and restarts a worker process; about a minute and a half")
	}
	const n = 120
	db, dsn := testdb.New(t)
	redisURL := testRedis(t, killRedisDB)
	sink := smtptest.NewServer(t)
	ctx := context.Background()
	var csv strings.Builder
	csv.WriteString("email\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&csv, "k%03d@example.org\n", i)
	}
	if _, err := crm.ImportCSV(ctx, db, strings.NewReader(csv.String()), crm.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	all := ""
	c, err := campaigns.Create(ctx, db, campaigns.Input{Name: "kill", Audience: campaigns.Audience{Where: &all},
		From: "invite@network.example.org", Subject: "Hi", HTML: "<p>Hello {{ .Contact.Email }}</p>",
		Throttle: campaigns.Throttle{PerMinute: 1200}}, segment.Options{})
	if err != nil {
		t.Fatal(err)
	}
	bin := buildBinary(t)
	env := append(os.Environ(), "OUTREACH_DATABASE_URL="+dsn, "OUTREACH_REDIS_ADDR="+redisURL,
		"OUTREACH_SMTP_URL=smtp://"+sink.Addr+"?tls=none", "OUTREACH_SECRET=kill test secret 0123456789")
	start := func() *exec.Cmd {
		cmd := exec.Command(bin, "worker", "--stuck-after", "3s", "--lost-after", "3s")
		cmd.Env = env
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	first := start()
	if _, err := campaigns.Send(ctx, db, c.ID, segment.Options{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, func() bool { return sink.Count() >= n/3 })
	first.Process.Signal(syscall.SIGKILL)
	first.Wait()
	killedAt := sink.Count()
	second := start()
	t.Cleanup(func() { second.Process.Signal(syscall.SIGTERM); second.Wait() })
	waitDone(t, db, c.ID, 150*time.Second)
	got := sink.PerRecipient()
	dups := 0
	for _, k := range got {
		dups += k - 1
	}
	t.Logf("killed after %d messages; %d recipients mailed, %d duplicates", killedAt, len(got), dups)
	if len(got) != n {
		t.Errorf("%d of %d recipients mailed", len(got), n)
	}
	if dups > 1 { // at most the one message on the wire when the process died
		t.Errorf("%d duplicates", dups)
	}
}

func waitFor(t *testing.T, within time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %s", within)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
