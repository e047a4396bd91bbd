package stats_test

import (
	"testing"

	"outreach/campaigns/stats"
)

func TestTwoProportionZ(t *testing.T) {
	tests := []struct {
		name                 string
		succA, nA, succB, nB int
		z, p                 float64
	}{
		// Pooled rate 0.375, SE sqrt(0.375*0.625*(2/100)) = 0.068465,
		// z = 0.15/0.068465 = 2.1909, p = erfc(z/sqrt 2) = 0.02846.
		{"45/100 vs 30/100", 45, 100, 30, 100, 2.1909, 0.02846},
		{"reversed", 30, 100, 45, 100, -2.1909, 0.02846},
		{"equal rates", 10, 100, 20, 200, 0, 1},
		{"both zero", 0, 50, 0, 80, 0, 1},
		{"both all", 50, 50, 80, 80, 0, 1},
		{"empty group", 5, 10, 0, 0, 0, 1},
	}
	for _, tt := range tests {
		z, p := stats.TwoProportionZ(tt.succA, tt.nA, tt.succB, tt.nB)
		if !near(z, tt.z, 5e-5) || !near(p, tt.p, 5e-6) {
			t.Errorf("%s: TwoProportionZ = (%.5f, %.6f), want (%.5f, %.6f)", tt.name, z, p, tt.z, tt.p)
		}
	}
}
