package worker

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"outreach/campaigns"
	"outreach/worker/smtptest"
)

// benchSend sends a campaign to n recipients through a loopback SMTP sink
// with personalisation, click tracking, the open pixel and DKIM (Ed25519)
// on, and reports messages per second from send to the last message
// accepted, and the CPU time per message (until the campaign is marked
// done) of the whole process (which also
// runs the SMTP sink, a minimal one like Postfix's smtp-sink; Postgres and
// Redis are other processes).
func benchSend(b *testing.B, n int, dkim bool) {
	if os.Getenv("GOGC") == "" { // as `outreach serve` and `outreach worker` run
		defer debug.SetGCPercent(debug.SetGCPercent(SendingGCPercent))
	}
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		r := newRig(b, contactsCSV(n, func(i int) string { return fmt.Sprintf("org%d.example.org", i%500) }))
		sink := smtptest.NewCounter(b)
		w := r.workerTo(sink.Addr, Config{})
		if dkim {
			w.DKIM = benchDKIM(b)
		}
		in := basicInput("")
		in.HTML = benchHTML
		c := r.create(in)
		r.run(w)
		calib := ed25519Speed()
		cpu0, busy0 := cpuTime(), machineBusy(b)
		start := time.Now()
		b.StartTimer()
		r.send(c.ID)
		sent := time.Since(start)
		r.waitStatus(c.ID, campaigns.StatusDone, 10*time.Minute)
		b.StopTimer()
		elapsed, cpu, busy := time.Since(start), cpuTime()-cpu0, machineBusy(b)-busy0
		if got, per := sink.Count(), sink.PerRecipient(); got != n || len(per) != n {
			b.Fatalf("%d messages to %d recipients delivered, want %d each once", got, len(per), n)
		}
		at := sink.Times()
		steady := at[n*99/100].Sub(at[0])
		// How long the first message took: the audience snapshot and the
		// dispatcher's first tick.
		b.ReportMetric(float64(at[0].Sub(start).Milliseconds()), "first-msg-ms")
		b.ReportMetric(float64(sent.Milliseconds()), "send-call-ms")
		// End to end is from the send call to the last message accepted;
		// the campaign is marked done on a dispatcher tick after that.
		b.ReportMetric(float64(n)/at[n-1].Sub(start).Seconds(), "msgs/s")
		b.ReportMetric(float64((elapsed - at[n-1].Sub(start)).Milliseconds()), "done-lag-ms")
		// Steady state leaves out the start (workers idle up to a second
		// before the first batch) and the last stragglers.
		b.ReportMetric(float64(n*99/100)/steady.Seconds(), "steady-msgs/s")
		b.ReportMetric(float64(cpu.Microseconds())/float64(n), "cpu-µs/msg")
		// The whole machine's CPU, Postgres and Redis included: on two
		// cores, 5,000 messages a second leave 400 µs for each.
		b.ReportMetric(float64(busy.Microseconds())/float64(n), "machine-cpu-µs/msg")
		b.ReportMetric(float64(calib.Nanoseconds())/1000, "ed25519-µs")
	}
}

func BenchmarkSend10k(b *testing.B)       { benchSend(b, 10_000, true) }
func BenchmarkSend100k(b *testing.B)      { benchSend(b, 100_000, true) }
func BenchmarkSend10kNoDKIM(b *testing.B) { benchSend(b, 10_000, false) }

const benchHTML = `<html><body><h1>Invitation: Access to finance for migrant entrepreneurs</h1>
<p>Dear {{ .Contact.FirstName | default "colleague" }},</p>
<p>as {{ .Contact.JobTitle | default "a member" }} at {{ .Contact.Organisation | default "your organisation" }} you may
want to join our community of practice session in Vienna. We will discuss <a href="https://network.example.org/cop/finance?utm_source=invite">microfinance</a>,
<a href="https://network.example.org/cop/guarantees">guarantee schemes</a> and <a href="https://network.example.org/cop/mentoring">mentoring</a>.</p>
<p><a href="{{ .RSVPYesURL }}">Yes, I'll come</a> · <a href="{{ .RSVPNoURL }}">No, thanks</a></p>
<p style="font-size:small">You receive this because you work with migrant entrepreneurs. <a href="{{ .UnsubscribeURL }}">Unsubscribe</a></p>
</body></html>`

func benchDKIM(b *testing.B) *DKIMSigner {
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	der, _ := x509.MarshalPKCS8PrivateKey(key)
	file := filepath.Join(b.TempDir(), "dkim.pem")
	os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600)
	s, err := LoadDKIM(file, "bench", "network.example.org")
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// ed25519Speed times one Ed25519 signature just before the send starts: a
// yardstick for the machine's speed at that moment. On a shared machine it
// varied from 29 to 50 µs within one day, and every figure with it.
func ed25519Speed() time.Duration {
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	digest := make([]byte, 32)
	const n = 2000
	start := time.Now()
	for range n {
		ed25519.Sign(key, digest)
	}
	return time.Since(start) / n
}

// machineBusy reads the CPU time all processes of the machine have spent
// since boot, from the first line of /proc/stat (in USER_HZ ticks: user,
// nice, system, idle, iowait, irq, softirq, steal).
func machineBusy(b *testing.B) time.Duration {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		b.Skip("no /proc/stat:", err)
	}
	fields := strings.Fields(strings.SplitN(string(data), "\n", 2)[0])
	var ticks int64
	for i, f := range fields[1:9] {
		if i == 3 || i == 4 { // idle, iowait
			continue
		}
		v, _ := strconv.ParseInt(f, 10, 64)
		ticks += v
	}
	return time.Duration(ticks) * 10 * time.Millisecond // USER_HZ is 100 on Linux
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
