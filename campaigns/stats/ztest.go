package stats

import "math"

// TwoProportionZ returns z and the two-sided p-value of the two-proportion
// z-test (normal approximation, pooled variance) for succA/nA against
// succB/nB. z is positive when A's rate is higher. When the test is
// undefined (an empty group, or both rates 0% or both 100%) it returns 0, 1.
// Counts are clamped as in Wilson.
func TwoProportionZ(succA, nA, succB, nB int) (z, p float64) {
	succA, nA = clampCounts(succA, nA)
	succB, nB = clampCounts(succB, nB)
	if nA == 0 || nB == 0 {
		return 0, 1
	}
	pA := float64(succA) / float64(nA)
	pB := float64(succB) / float64(nB)
	pooled := float64(succA+succB) / float64(nA+nB)
	se := math.Sqrt(pooled * (1 - pooled) * (1/float64(nA) + 1/float64(nB)))
	if se == 0 {
		return 0, 1
	}
	z = (pA - pB) / se
	return z, math.Erfc(math.Abs(z) / math.Sqrt2)
}
