package worker

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/redis/go-redis/v9"
)

// testRedisAddr is the Redis the limiter tests run against.
func testRedisAddr() string {
	if addr := os.Getenv("OUTREACH_TEST_REDIS_ADDR"); addr != "" {
		return addr
	}
	return "127.0.0.1:6379"
}

// testRedis connects to the test Redis. Without one the test is skipped on a
// developer machine but fails in CI, where a silent skip would hide a gap.
func testRedis(tb testing.TB) *redis.Client {
	tb.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: testRedisAddr()})
	tb.Cleanup(func() { rdb.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := rdb.Ping(ctx).Err(); err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatalf("redis at %s: %v", testRedisAddr(), err)
		}
		tb.Skipf("redis at %s unreachable: %v", testRedisAddr(), err)
	}
	return rdb
}

// testPrefix returns a key prefix of its own for one test, so that tests
// running at the same time on the same Redis never share limiter state, and
// deletes the test's keys afterwards.
func testPrefix(tb testing.TB, rdb *redis.Client) string {
	tb.Helper()
	prefix := fmt.Sprintf("outreach:test:limit:%s:", rand.Text())
	tb.Cleanup(func() {
		ctx := context.Background() // the test's own context is done by now
		keys, err := rdb.Keys(ctx, prefix+"*").Result()
		if err == nil && len(keys) > 0 {
			err = rdb.Del(ctx, keys...).Err()
		}
		if err != nil {
			tb.Errorf("deleting test keys: %v", err)
		}
	})
	return prefix
}

// testLimiters returns n limiters on one prefix, each with its own Redis
// client, as n worker processes would have.
func testLimiters(tb testing.TB, n int) []*Limiter {
	tb.Helper()
	first := testRedis(tb)
	prefix := testPrefix(tb, first)
	ls := []*Limiter{NewLimiter(first, prefix)}
	for len(ls) < n {
		ls = append(ls, NewLimiter(testRedis(tb), prefix))
	}
	return ls
}

// batch is n messages that all respect the same limits.
func batch(n int, limits ...Limit) [][]Limit {
	b := make([][]Limit, n)
	for i := range b {
		b[i] = limits
	}
	return b
}

// ms lists durations in milliseconds, for readable wants.
func ms(vs ...int) []time.Duration {
	d := make([]time.Duration, len(vs))
	for i, v := range vs {
		d[i] = time.Duration(v) * time.Millisecond
	}
	return d
}

// approx compares durations with a tolerance, for cmp.Diff.
func approx(tol time.Duration) cmp.Option {
	return cmp.Comparer(func(a, b time.Duration) bool {
		return (a - b).Abs() <= tol
	})
}

// slots turns one reservation into absolute times on the Redis clock.
func slots(now time.Time, delays []time.Duration) []time.Time {
	s := make([]time.Time, len(delays))
	for i, d := range delays {
		s[i] = now.Add(d)
	}
	return s
}

func TestLimiterSingleKey(t *testing.T) {
	l := testLimiters(t, 1)[0]
	got, err := l.Reserve(t.Context(), batch(10, Limit{"campaign:1", 600}), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	want := ms(0, 100, 200, 300, 400, 500, 600, 700, 800, 900)
	if diff := cmp.Diff(want, got, approx(5*time.Millisecond)); diff != "" {
		t.Errorf("delays (-want +got):\n%s", diff)
	}
}

func TestLimiterTwoLimits(t *testing.T) {
	campaign := Limit{"campaign:1", 600}
	domain := func(d string) Limit { return Limit{"domain:" + d, 120} }
	tests := []struct {
		name    string
		domains []string
		want    []time.Duration
	}{
		{"same domain: domain rate dominates", []string{"a", "a", "a", "a"}, ms(0, 500, 1000, 1500)},
		{"different domains: campaign rate", []string{"a", "b", "c", "d"}, ms(0, 100, 200, 300)},
		{"mixed: domains interleave", []string{"a", "b", "a", "b", "c"}, ms(0, 100, 500, 600, 700)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := testLimiters(t, 1)[0]
			limits := make([][]Limit, len(tt.domains))
			for i, d := range tt.domains {
				limits[i] = []Limit{campaign, domain(d)}
			}
			got, err := l.Reserve(t.Context(), limits, time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, approx(5*time.Millisecond)); diff != "" {
				t.Errorf("delays (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLimiterHorizon(t *testing.T) {
	l := testLimiters(t, 1)[0]
	key := Limit{"campaign:1", 600}
	now1, first, err := l.reserveAt(t.Context(), batch(10, key), 450*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(ms(0, 100, 200, 300, 400), first); diff != "" {
		t.Errorf("first batch (-want +got):\n%s", diff)
	}

	// The messages cut off by the horizon were not reserved, so the next
	// batch starts right after the last reserved slot.
	now2, second, err := l.reserveAt(t.Context(), batch(3, key), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	want := slots(now1, ms(500, 600, 700))
	if diff := cmp.Diff(want, slots(now2, second)); diff != "" {
		t.Errorf("second batch slots (-want +got):\n%s", diff)
	}
}

func TestLimiterHorizonKeepsOrder(t *testing.T) {
	l := testLimiters(t, 1)[0]
	a, b := Limit{"domain:a", 600}, Limit{"domain:b", 600}
	got, err := l.Reserve(t.Context(), [][]Limit{{a}, {a}, {b}}, 50*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	// The third message would fit, but it must not overtake the second.
	if diff := cmp.Diff(ms(0), got); diff != "" {
		t.Errorf("delays (-want +got):\n%s", diff)
	}
	got, err = l.Reserve(t.Context(), [][]Limit{{b}}, 50*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(ms(0), got); diff != "" {
		t.Errorf("key b after the cut (-want +got):\n%s", diff)
	}
}

func TestLimiterAcrossProcesses(t *testing.T) {
	const (
		goroutinesPerLimiter = 4
		batches              = 5
		batchSize            = 5 // 2 limiters * 4 * 5 * 5 = 200 messages
	)
	key := Limit{"account:1", 6000}
	var (
		mu  sync.Mutex
		all []time.Time
		wg  sync.WaitGroup
	)
	for _, l := range testLimiters(t, 2) {
		for range goroutinesPerLimiter {
			wg.Go(func() {
				for range batches {
					now, delays, err := l.reserveAt(t.Context(), batch(batchSize, key), time.Hour)
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					all = append(all, slots(now, delays)...)
					mu.Unlock()
				}
			})
		}
	}
	wg.Wait()

	if len(all) != 200 {
		t.Fatalf("reserved %d slots, want 200", len(all))
	}
	slices.SortFunc(all, time.Time.Compare)
	for i := 1; i < len(all); i++ {
		if gap := all[i].Sub(all[i-1]); gap < 10*time.Millisecond {
			t.Errorf("slots %d and %d are %v apart, want >= 10ms", i-1, i, gap)
		}
	}
}

func TestLimiterNoLimit(t *testing.T) {
	l := testLimiters(t, 1)[0]
	got, err := l.Reserve(t.Context(), batch(5, Limit{"campaign:free", 0}), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(ms(0, 0, 0, 0, 0), got); diff != "" {
		t.Errorf("delays (-want +got):\n%s", diff)
	}
	n, err := l.rdb.Exists(t.Context(), l.prefix+"campaign:free").Result()
	if err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("an unlimited key was stored")
	}

	// A skipped limit leaves the other limits of the message in force.
	got, err = l.Reserve(t.Context(), batch(3, Limit{"campaign:free", 0}, Limit{"domain:a", 600}), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(ms(0, 100, 200), got, approx(5*time.Millisecond)); diff != "" {
		t.Errorf("with one real limit (-want +got):\n%s", diff)
	}
}

func TestLimiterAccuracy(t *testing.T) {
	key := Limit{"campaign:1", 600}
	var (
		mu  sync.Mutex
		all []time.Time
		wg  sync.WaitGroup
	)
	// 31 + 30 single-message batches, as two workers taking one task at a time.
	for i, l := range testLimiters(t, 2) {
		wg.Go(func() {
			for range 31 - i {
				now, delays, err := l.reserveAt(t.Context(), batch(1, key), time.Hour)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				all = append(all, slots(now, delays)...)
				mu.Unlock()
			}
		})
	}
	wg.Wait()

	if len(all) != 61 {
		t.Fatalf("reserved %d slots, want 61", len(all))
	}
	span := slices.MaxFunc(all, time.Time.Compare).Sub(slices.MinFunc(all, time.Time.Compare))
	if span < 5400*time.Millisecond || span > 6600*time.Millisecond {
		t.Errorf("61 messages at 600/min span %v, want 6s ±10%%", span)
	}
}

func TestLimiterKeysExpire(t *testing.T) {
	l := testLimiters(t, 1)[0]
	if _, err := l.Reserve(t.Context(), batch(10, Limit{"campaign:1", 600}), time.Hour); err != nil {
		t.Fatal(err)
	}
	ttl, err := l.rdb.PTTL(t.Context(), l.prefix+"campaign:1").Result()
	if err != nil {
		t.Fatal(err)
	}
	// The next free slot is 1s away; the key may outlive it by the margin.
	if limit := time.Second + expiryMargin; ttl <= 0 || ttl > limit {
		t.Errorf("PTTL = %v, want in (0, %v]", ttl, limit)
	}
}

func TestLimiterScriptArgs(t *testing.T) {
	l := NewLimiter(nil, "p:")
	limits := [][]Limit{
		{{"campaign", 600}, {"domain:a", 7}},
		{{"campaign", 600}, {"account", 0}},
		{},
	}
	keys, args, err := l.scriptArgs(limits, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"p:campaign", "p:domain:a"}, keys); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
	wantArgs := []any{
		int64(2_000_000), int64(1000),
		2, 1, int64(100_000), 2, int64(8_571_429), // 60s/7 rounded up
		1, 1, int64(100_000),
		0,
	}
	if diff := cmp.Diff(wantArgs, args); diff != "" {
		t.Errorf("args (-want +got):\n%s", diff)
	}

	if _, _, err := l.scriptArgs([][]Limit{{{"", 10}}}, time.Second); err == nil {
		t.Errorf("a limit without a key was accepted")
	}
}

func BenchmarkReserve(b *testing.B) {
	rdb := testRedis(b)
	l := NewLimiter(rdb, testPrefix(b, rdb))
	// Rates high enough that a long benchmark stays within the horizon.
	limits := make([][]Limit, 100)
	for i := range limits {
		limits[i] = []Limit{
			{"campaign:1", 1_000_000},
			{"account:1", 1_000_000},
			{fmt.Sprintf("domain:%d", i%10), 1_000_000},
		}
	}
	ctx := b.Context()
	reserved := 0
	for b.Loop() {
		delays, err := l.Reserve(ctx, limits, 24*time.Hour)
		if err != nil {
			b.Fatal(err)
		}
		if len(delays) != len(limits) {
			b.Fatalf("reserved %d of %d", len(delays), len(limits))
		}
		reserved += len(delays)
	}
	b.ReportMetric(float64(reserved)/b.Elapsed().Seconds(), "reservations/s")
}
