package stats

import "math"

// FisherExact returns the two-sided p-value of Fisher's exact test for the
// 2x2 table [[a b] [c d]]: the sum of the probabilities, with the margins
// fixed, of every table as likely as or less likely than the observed one
// (with a relative tolerance of 1e-7, so ties lost to rounding still count).
// Probabilities are computed from log-factorials, so large tables work.
// Negative cells are treated as 0; a table of zeros gives 1.
func FisherExact(a, b, c, d int) float64 {
	a, b, c, d = max(a, 0), max(b, 0), max(c, 0), max(d, 0)
	row1, row2, col1 := a+b, c+d, a+c
	logObserved := logHypergeom(a, row1, row2, col1)
	limit := logObserved + math.Log1p(1e-7)
	var p float64
	for x := max(0, col1-row2); x <= min(row1, col1); x++ {
		if lp := logHypergeom(x, row1, row2, col1); lp <= limit {
			p += math.Exp(lp)
		}
	}
	return math.Min(1, p)
}

// logHypergeom is the log probability of x successes in the first row of a
// 2x2 table with row totals row1, row2 and first-column total col1.
func logHypergeom(x, row1, row2, col1 int) float64 {
	return logChoose(row1, x) + logChoose(row2, col1-x) - logChoose(row1+row2, col1)
}

// logChoose is log(n choose k).
func logChoose(n, k int) float64 {
	return logFactorial(n) - logFactorial(k) - logFactorial(n-k)
}

// logFactorial is log(n!).
func logFactorial(n int) float64 {
	v, _ := math.Lgamma(float64(n) + 1)
	return v
}
