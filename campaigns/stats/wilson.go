package stats

import "math"

// z95 is the standard normal quantile for a two-sided 95% interval.
const z95 = 1.959964

// Interval is a proportion with its 95% confidence interval.
type Interval struct {
	Value float64 `json:"value"`
	Low   float64 `json:"low"`
	High  float64 `json:"high"`
}

// Wilson returns successes/n with the Wilson score 95% interval. Wilson is
// used rather than the normal (Wald) interval because it stays inside 0–1 and
// keeps its coverage near 0% and 100% and with small groups, which is where
// campaign segments live. Callers pass 0 <= successes <= n; out-of-range
// arguments are clamped rather than trusted. n == 0 gives {0, 0, 1}: nothing
// is known.
func Wilson(successes, n int) Interval {
	successes, n = clampCounts(successes, n)
	if n == 0 {
		return Interval{Value: 0, Low: 0, High: 1}
	}
	nf := float64(n)
	p := float64(successes) / nf
	z2 := z95 * z95
	denom := 1 + z2/nf
	centre := (p + z2/(2*nf)) / denom
	half := z95 / denom * math.Sqrt(p*(1-p)/nf+z2/(4*nf*nf))
	iv := Interval{Value: p, Low: math.Max(0, centre-half), High: math.Min(1, centre+half)}
	// At 0 and n the bounds are exactly 0 and 1 in closed form; keep them so
	// after rounding, so a report shows "up to 100%", not 99.99...%.
	if successes == 0 {
		iv.Low = 0
	}
	if successes == n {
		iv.High = 1
	}
	return iv
}

// clampCounts makes 0 <= successes <= n hold.
func clampCounts(successes, n int) (int, int) {
	n = max(n, 0)
	return min(max(successes, 0), n), n
}
