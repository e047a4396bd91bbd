package stats

import "testing"

func TestFormatP(t *testing.T) {
	tests := []struct {
		p    float64
		want string
	}{
		{0.0002, "p < 0.001"},
		{0.003, "p = 0.003"},
		{0.00831, "p = 0.0083"},
		{0.0497, "p < 0.05"}, // would round to 0.05 and read as not significant
		{0.0503, "p = 0.05"},
		{0.314, "p = 0.31"},
		{1, "p = 1"},
	}
	for _, tt := range tests {
		if got := formatP(tt.p); got != tt.want {
			t.Errorf("formatP(%v) = %q, want %q", tt.p, got, tt.want)
		}
	}
}

func TestRoundUp2(t *testing.T) {
	tests := []struct{ n, want int }{{7, 7}, {97, 97}, {100, 100}, {413, 420}, {1638, 1700}, {20001, 21000}}
	for _, tt := range tests {
		if got := roundUp2(tt.n); got != tt.want {
			t.Errorf("roundUp2(%d) = %d, want %d", tt.n, got, tt.want)
		}
	}
}
