package campaigns_test

import (
	"io"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"outreach/campaigns"
)

// benchHits fires n requests from 64 keep-alive clients at the tracker over
// loopback, with the events written to Postgres, and reports requests/s
// and latency percentiles.
func benchHits(b *testing.B, click bool) {
	s := newServer(b)
	base := trackingServer(b, s)
	links := campaigns.Links{BaseURL: base, Signer: signer}
	var rids []int64
	for i := 0; i < 10; i++ {
		rids = append(rids, recipientFor(b, s, "a@example.org"))
	}
	const clients, n = 64, 50_000
	urls := make([]string, len(rids))
	for i, rid := range rids {
		if click {
			urls[i] = links.Click(rid, time.Now().Add(-time.Hour), "https://example.org/agenda?id=42")
		} else {
			urls[i] = links.Open(rid, time.Now().Add(-time.Hour))
		}
	}
	tr := &http.Transport{MaxIdleConnsPerHost: clients}
	client := &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for i := 0; i < b.N; i++ {
		lat := make([][]time.Duration, clients)
		var wg sync.WaitGroup
		start := time.Now()
		for c := 0; c < clients; c++ {
			wg.Add(1)
			go func(c int) {
				defer wg.Done()
				for j := c; j < n; j += clients {
					t0 := time.Now()
					req, _ := http.NewRequest("GET", urls[j%len(urls)], nil)
					req.Header.Set("User-Agent", browser)
					resp, err := client.Do(req)
					if err != nil {
						b.Error(err)
						return
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					lat[c] = append(lat[c], time.Since(t0))
				}
			}(c)
		}
		wg.Wait()
		elapsed := time.Since(start)
		all := slices.Concat(lat...)
		slices.Sort(all)
		b.ReportMetric(float64(len(all))/elapsed.Seconds(), "req/s")
		b.ReportMetric(float64(all[len(all)/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99-ms")
	}
	waitEvents(b, s, b.N*n)
}

func waitEvents(b *testing.B, s *server, want int) {
	deadline := time.Now().Add(30 * time.Second)
	var got int
	for time.Now().Before(deadline) {
		s.db.Get(&got, `SELECT count(*) FROM recipient_events`)
		if got >= want {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.Fatalf("%d of %d events reached Postgres", got, want)
}

func BenchmarkOpenPixel(b *testing.B)     { benchHits(b, false) }
func BenchmarkClickRedirect(b *testing.B) { benchHits(b, true) }
