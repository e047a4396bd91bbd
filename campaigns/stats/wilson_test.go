package stats_test

import (
	"encoding/json"
	"math"
	"testing"

	"outreach/campaigns/stats"
)

const z = 1.959964

func near(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol
}

// Newcombe RG (1998), "Two-sided confidence intervals for the single
// proportion: comparison of seven methods", Statistics in Medicine 17,
// 857-872, Table I, score method without continuity correction.
func TestWilsonNewcombeTableI(t *testing.T) {
	tests := []struct {
		successes, n int
		low, high    float64
	}{
		{81, 263, 0.2553, 0.3662},
		{15, 148, 0.0624, 0.1605},
		{0, 20, 0, 0.1611},
		{1, 29, 0.0061, 0.1718},
	}
	for _, tt := range tests {
		got := stats.Wilson(tt.successes, tt.n)
		if !near(got.Low, tt.low, 5e-5) || !near(got.High, tt.high, 5e-5) {
			t.Errorf("Wilson(%d, %d) = %.4f–%.4f, want %.4f–%.4f", tt.successes, tt.n, got.Low, got.High, tt.low, tt.high)
		}
		if want := float64(tt.successes) / float64(tt.n); got.Value != want {
			t.Errorf("Wilson(%d, %d).Value = %v, want %v", tt.successes, tt.n, got.Value, want)
		}
	}
}

// At 0 and n the Wilson bounds have closed forms: the upper bound for 0
// successes is z²/(n+z²), the lower bound for n successes is n/(n+z²).
func TestWilsonClosedFormAtExtremes(t *testing.T) {
	for _, n := range []int{1, 5, 10, 30, 1000} {
		nf := float64(n)
		zero, all := stats.Wilson(0, n), stats.Wilson(n, n)
		if zero.Low != 0 || !near(zero.High, z*z/(nf+z*z), 1e-12) {
			t.Errorf("Wilson(0, %d) = %+v, want 0–%.6f", n, zero, z*z/(nf+z*z))
		}
		if all.High != 1 || !near(all.Low, nf/(nf+z*z), 1e-12) {
			t.Errorf("Wilson(%d, %d) = %+v, want %.6f–1", n, n, all, nf/(nf+z*z))
		}
	}
}

func TestWilsonSymmetric(t *testing.T) {
	for _, c := range [][2]int{{1, 7}, {13, 40}, {250, 1000}} {
		a, b := stats.Wilson(c[0], c[1]), stats.Wilson(c[1]-c[0], c[1])
		if !near(a.Low, 1-b.High, 1e-12) || !near(a.High, 1-b.Low, 1e-12) {
			t.Errorf("Wilson(%d, %d) = %+v is not the mirror of %+v", c[0], c[1], a, b)
		}
	}
}

func TestWilsonEmptyAndClamped(t *testing.T) {
	tests := []struct {
		name         string
		successes, n int
		want         stats.Interval
	}{
		{"empty", 0, 0, stats.Interval{Value: 0, Low: 0, High: 1}},
		{"negative n", 3, -5, stats.Interval{Value: 0, Low: 0, High: 1}},
		{"negative successes", -2, 10, stats.Wilson(0, 10)},
		{"successes above n", 12, 10, stats.Wilson(10, 10)},
	}
	for _, tt := range tests {
		if got := stats.Wilson(tt.successes, tt.n); got != tt.want {
			t.Errorf("%s: Wilson(%d, %d) = %+v, want %+v", tt.name, tt.successes, tt.n, got, tt.want)
		}
	}
}

func TestIntervalJSON(t *testing.T) {
	b, err := json.Marshal(stats.Interval{Value: 0.5, Low: 0.25, High: 0.75})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), `{"value":0.5,"low":0.25,"high":0.75}`; got != want {
		t.Errorf("json = %s, want %s", got, want)
	}
}
