package stats_test

import (
	"math"
	"testing"

	"outreach/campaigns/stats"
)

func TestFisherExactKnownValues(t *testing.T) {
	tests := []struct {
		name       string
		a, b, c, d int
		want, tol  float64
	}{
		// Fisher's lady tasting tea: 3 of 4 milk-first cups identified.
		{"lady tasting tea", 3, 1, 1, 3, 0.4857, 5e-5},
		// Wikipedia, "Fisher's exact test": men/women studying or not.
		{"wikipedia", 1, 9, 11, 3, 0.002759, 5e-7},
		// Only the two extreme tables, each 1/C(10,5).
		{"extreme", 0, 5, 5, 0, 2.0 / 252, 1e-12},
		// Every table with these margins is as or less likely.
		{"balanced", 5, 5, 5, 5, 1, 1e-12},
		{"all zeros", 0, 0, 0, 0, 1, 0},
		{"one empty row", 0, 0, 3, 7, 1, 1e-12},
		{"one empty column", 4, 0, 6, 0, 1, 1e-12},
	}
	for _, tt := range tests {
		if got := stats.FisherExact(tt.a, tt.b, tt.c, tt.d); !near(got, tt.want, tt.tol) {
			t.Errorf("%s: FisherExact(%d, %d, %d, %d) = %.7f, want %.7f", tt.name, tt.a, tt.b, tt.c, tt.d, got, tt.want)
		}
	}
}

// The p-value does not depend on which row or column comes first.
func TestFisherExactSymmetries(t *testing.T) {
	a, b, c, d := 1, 9, 11, 3
	want := stats.FisherExact(a, b, c, d)
	for _, got := range []float64{
		stats.FisherExact(c, d, a, b), // rows swapped
		stats.FisherExact(b, a, d, c), // columns swapped
		stats.FisherExact(a, c, b, d), // transposed
	} {
		if !near(got, want, 1e-12) {
			t.Errorf("FisherExact of a rearranged table = %v, want %v", got, want)
		}
	}
}

// With thousands per cell the exact test agrees with the normal
// approximation, and log-factorials keep it finite.
func TestFisherExactLargeTable(t *testing.T) {
	got := stats.FisherExact(5000, 5000, 4800, 5200)
	_, approx := stats.TwoProportionZ(5000, 10000, 4800, 10000)
	if math.IsNaN(got) || got <= 0 || got >= 1 || math.Abs(got-approx)/approx > 0.1 {
		t.Errorf("FisherExact on 20000 recipients = %v, want close to the z-test's %v", got, approx)
	}
}

func TestFisherExactClampsNegativeCells(t *testing.T) {
	if got, want := stats.FisherExact(-1, 5, 5, 0), stats.FisherExact(0, 5, 5, 0); got != want {
		t.Errorf("FisherExact(-1, 5, 5, 0) = %v, want %v", got, want)
	}
}
