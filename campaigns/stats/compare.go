package stats

import "math"

// Test names recorded in Comparison.Test.
const (
	testFisher = "fisher"
	testZ      = "z"
)

// zPower80 is the standard normal quantile for 80% power.
const zPower80 = 0.841621

// maxNeeded caps NeededPerGroup: past a billion recipients the answer is
// "never" and the float-to-int conversion must stay defined.
const maxNeeded = 1_000_000_000

// Comparison compares the rate of group A with group B: both rates with
// their intervals, the difference with its interval, a significance test and
// a plain-language verdict for the report.
type Comparison struct {
	A  Interval `json:"a"`
	B  Interval `json:"b"`
	NA int      `json:"n_a"`
	NB int      `json:"n_b"`
	// Difference is A - B with Newcombe's hybrid score interval (method 10
	// in Newcombe 1998), built from the two Wilson intervals.
	Difference Interval `json:"difference"`
	// Test is "fisher" when any expected cell count is below 5 or there are
	// fewer than 40 recipients in all, "z" (two-proportion z-test, pooled
	// variance) otherwise, and "" when a group is empty.
	Test string `json:"test"`
	// Z is the z statistic; 0 for Fisher's test.
	Z float64 `json:"z"`
	// P is the two-sided p-value; 1 when a group is empty.
	P float64 `json:"p"`
	// Significant reports P < 0.05.
	Significant bool `json:"significant"`
	// NeededPerGroup is, when the result is not significant and the rates
	// differ, roughly how many recipients per group would detect a
	// difference of the observed size with 80% power at the 5% level; 0
	// otherwise.
	NeededPerGroup int `json:"needed_per_group"`
	// Verdict says in one sentence what the numbers support.
	Verdict string `json:"verdict"`
	// Warning flags small groups, or is "".
	Warning string `json:"warning"`
}

// Compare compares succA/nA (group nameA) with succB/nB (group nameB).
// metric is the past-tense verb the verdict uses for a success: "replied",
// "opened", "said yes". Callers pass 0 <= succ <= n; out-of-range counts are
// clamped.
func Compare(nameA string, succA, nA int, nameB string, succB, nB int, metric string) Comparison {
	succA, nA = clampCounts(succA, nA)
	succB, nB = clampCounts(succB, nB)
	c := Comparison{A: Wilson(succA, nA), B: Wilson(succB, nB), NA: nA, NB: nB, P: 1}
	names := labels{a: orDefault(nameA, "A"), b: orDefault(nameB, "B"), metric: orDefault(metric, "responded")}
	c.Warning = smallGroupWarning(names, nA, nB)
	if nA == 0 || nB == 0 {
		c.Difference = Interval{Value: 0, Low: -1, High: 1}
		c.Verdict = emptyVerdict(names, nA, nB)
		return c
	}
	c.Difference = newcombe(c.A, c.B)
	c.Test = chooseTest(succA, nA, succB, nB)
	if c.Test == testFisher {
		c.P = FisherExact(succA, nA-succA, succB, nB-succB)
	} else {
		c.Z, c.P = TwoProportionZ(succA, nA, succB, nB)
	}
	c.Significant = c.P < 0.05
	// Compare the counts, not the float rates, so 1/3 and 2/6 are equal.
	equal := succA*nB == succB*nA
	if !c.Significant && !equal {
		c.NeededPerGroup = neededPerGroup(c.A.Value, c.B.Value, min(nA, nB))
	}
	c.Verdict = verdict(names, c, equal)
	return c
}

// chooseTest picks Fisher's exact test where the normal approximation is
// poor: an expected cell count below 5 or fewer than 40 recipients in all.
func chooseTest(succA, nA, succB, nB int) string {
	total := nA + nB
	succ := succA + succB
	minExpected := float64(min(nA, nB)) * float64(min(succ, total-succ)) / float64(total)
	if total < 40 || minExpected < 5 {
		return testFisher
	}
	return testZ
}

// neededPerGroup is the standard sample size per group for comparing two
// proportions p1 and p2 (two-sided 5% level, 80% power, no continuity
// correction), rounded up to two significant figures because it is a rough
// guide. The formula rests on the normal approximation and can undershoot
// for tiny groups; since the current groups were not enough, the answer is
// never below smaller+1.
func neededPerGroup(p1, p2 float64, smaller int) int {
	mean := (p1 + p2) / 2
	root := z95*math.Sqrt(2*mean*(1-mean)) + zPower80*math.Sqrt(p1*(1-p1)+p2*(1-p2))
	n := math.Ceil(root * root / ((p1 - p2) * (p1 - p2)))
	if n >= maxNeeded {
		return maxNeeded
	}
	return max(roundUp2(int(n)), smaller+1)
}

// roundUp2 rounds n up to two significant figures: 413 -> 420, 97 -> 97.
func roundUp2(n int) int {
	step := 1
	for n/step >= 100 {
		step *= 10
	}
	return (n + step - 1) / step * step
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
