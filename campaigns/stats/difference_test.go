package stats_test

import (
	"testing"

	"outreach/campaigns/stats"
)

// Newcombe RG (1998), "Interval estimation for the difference between
// independent proportions: comparison of eleven methods", Statistics in
// Medicine 17, 873-890, Table II, method 10 (hybrid score, no continuity
// correction).
func TestDifferenceNewcombeTableII(t *testing.T) {
	tests := []struct {
		succA, nA, succB, nB int
		diff, low, high      float64
	}{
		{56, 70, 48, 80, 0.2000, 0.0524, 0.3339},
		{9, 10, 3, 10, 0.6000, 0.1705, 0.8090},
		{5, 56, 0, 29, 0.0893, -0.0381, 0.1926},
		{0, 10, 0, 20, 0, -0.1611, 0.2775},
		{0, 10, 0, 10, 0, -0.2775, 0.2775},
		{10, 10, 0, 20, 1, 0.6791, 1},
		{10, 10, 0, 10, 1, 0.6075, 1},
	}
	for _, tt := range tests {
		got := stats.Compare("a", tt.succA, tt.nA, "b", tt.succB, tt.nB, "replied").Difference
		if !near(got.Value, tt.diff, 5e-5) || !near(got.Low, tt.low, 5e-5) || !near(got.High, tt.high, 5e-5) {
			t.Errorf("%d/%d - %d/%d = %.4f (%.4f to %.4f), want %.4f (%.4f to %.4f)",
				tt.succA, tt.nA, tt.succB, tt.nB, got.Value, got.Low, got.High, tt.diff, tt.low, tt.high)
		}
	}
}

func TestDifferenceAntisymmetric(t *testing.T) {
	ab := stats.Compare("a", 56, 70, "b", 48, 80, "replied").Difference
	ba := stats.Compare("b", 48, 80, "a", 56, 70, "replied").Difference
	if !near(ab.Value, -ba.Value, 1e-12) || !near(ab.Low, -ba.High, 1e-12) || !near(ab.High, -ba.Low, 1e-12) {
		t.Errorf("A-B = %+v is not the negation of B-A = %+v", ab, ba)
	}
}
