package chart

import "testing"

func TestPercent(t *testing.T) {
	tests := []struct {
		v    float64
		want string
	}{
		{0, "0%"},
		{0.04, "4%"},
		{0.225, "23%"},
		{1, "100%"},
		{0.004, "0.4%"},
		{0.0001, "<0.1%"},
		{0.996, "99.6%"},
		{0.99999, ">99.9%"},
	}
	for _, tt := range tests {
		if got := percent(tt.v); got != tt.want {
			t.Errorf("percent(%v) = %q, want %q", tt.v, got, tt.want)
		}
	}
}

func TestAxisFor(t *testing.T) {
	tests := []struct {
		high float64
		want axis
	}{
		{0, axis{10, 2}},
		{0.1, axis{10, 2}},
		{0.27, axis{30, 5}},
		{0.3, axis{30, 5}},
		{0.31, axis{40, 10}},
		{0.9, axis{100, 25}},
		{1, axis{100, 25}},
	}
	for _, tt := range tests {
		if got := axisFor(tt.high); got != tt.want {
			t.Errorf("axisFor(%v) = %v, want %v", tt.high, got, tt.want)
		}
	}
}
