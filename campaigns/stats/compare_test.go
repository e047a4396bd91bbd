package stats_test

import (
	"testing"

	"outreach/campaigns/stats"
)

func TestCompareChoosesTest(t *testing.T) {
	tests := []struct {
		name                 string
		succA, nA, succB, nB int
		want                 string
	}{
		{"small groups", 3, 10, 0, 10, "fisher"},
		{"under 40 in all", 10, 19, 10, 20, "fisher"},
		{"rare successes", 2, 200, 1, 200, "fisher"}, // expected successes 1.5 per group
		{"large groups", 45, 100, 30, 100, "z"},
		{"unbalanced but enough", 11, 50, 2, 49, "z"}, // smallest expected cell 6.4
	}
	for _, tt := range tests {
		c := stats.Compare("a", tt.succA, tt.nA, "b", tt.succB, tt.nB, "replied")
		if c.Test != tt.want {
			t.Errorf("%s: Test = %q, want %q", tt.name, c.Test, tt.want)
		}
		if tt.want == "fisher" && (c.Z != 0 || c.P != stats.FisherExact(tt.succA, tt.nA-tt.succA, tt.succB, tt.nB-tt.succB)) {
			t.Errorf("%s: Z = %v, P = %v, want 0 and Fisher's p", tt.name, c.Z, c.P)
		}
	}
}

func TestCompareSignificant(t *testing.T) {
	c := stats.Compare("middle", 11, 50, "executive", 2, 49, "replied")
	want := "middle replied more often than executive (22.0% vs 4.1%); the difference is real (p = 0.0083), somewhere between +4.6 and +31.5 points."
	if c.Verdict != want {
		t.Errorf("Verdict = %q\nwant      %q", c.Verdict, want)
	}
	if !c.Significant || c.NeededPerGroup != 0 || c.Warning != "" {
		t.Errorf("Significant = %v, NeededPerGroup = %d, Warning = %q; want true, 0, \"\"", c.Significant, c.NeededPerGroup, c.Warning)
	}
	if c.Difference.Low <= 0 {
		t.Errorf("Difference = %+v, want an interval above zero for a significant result", c.Difference)
	}
}

func TestCompareLessOften(t *testing.T) {
	c := stats.Compare("executive", 2, 49, "middle", 11, 50, "said yes")
	want := "executive said yes less often than middle (4.1% vs 22.0%); the difference is real (p = 0.0083), somewhere between -31.5 and -4.6 points."
	if c.Verdict != want {
		t.Errorf("Verdict = %q\nwant      %q", c.Verdict, want)
	}
}

// 60% vs 40% needs 97 per group for 80% power at the 5% level: the
// textbook result of the normal-approximation formula without continuity
// correction.
func TestCompareNotSignificant(t *testing.T) {
	c := stats.Compare("middle", 24, 40, "executive", 16, 40, "opened")
	want := "middle opened more often than executive (60.0% vs 40.0%), but there are too few recipients to tell (p = 0.074); about 97 per group would be needed to tell a difference this size."
	if c.Verdict != want {
		t.Errorf("Verdict = %q\nwant      %q", c.Verdict, want)
	}
	if c.Significant || c.NeededPerGroup != 97 {
		t.Errorf("Significant = %v, NeededPerGroup = %d; want false, 97", c.Significant, c.NeededPerGroup)
	}
}

// The needed size is plausible: above what was sent, and at that size the
// same rates would be significant.
func TestCompareNeededPerGroupPlausible(t *testing.T) {
	tests := []struct {
		succA, nA, succB, nB int
		low, high            int
	}{
		{12, 100, 9, 100, 1600, 1700},
		{3, 10, 0, 10, 20, 25},
		{30, 200, 20, 210, 550, 600},
	}
	for _, tt := range tests {
		c := stats.Compare("a", tt.succA, tt.nA, "b", tt.succB, tt.nB, "clicked")
		n := c.NeededPerGroup
		if c.Significant || n < tt.low || n > tt.high || n <= min(tt.nA, tt.nB) {
			t.Errorf("%d/%d vs %d/%d: Significant = %v, NeededPerGroup = %d, want not significant and %d..%d",
				tt.succA, tt.nA, tt.succB, tt.nB, c.Significant, n, tt.low, tt.high)
			continue
		}
		sa, sb := int(c.A.Value*float64(n)+0.5), int(c.B.Value*float64(n)+0.5)
		if _, p := stats.TwoProportionZ(sa, n, sb, n); p >= 0.05 {
			t.Errorf("%d/%d vs %d/%d at %d per group: p = %v, want < 0.05", tt.succA, tt.nA, tt.succB, tt.nB, n, p)
		}
	}
}

// With three of three against none of three the formula undershoots; the
// answer must still exceed what was already sent.
func TestCompareNeededPerGroupTinyGroups(t *testing.T) {
	c := stats.Compare("a", 3, 3, "b", 0, 3, "replied")
	if c.Significant || c.NeededPerGroup <= 3 {
		t.Errorf("Significant = %v, NeededPerGroup = %d; want false and more than 3", c.Significant, c.NeededPerGroup)
	}
}

func TestCompareNoDifference(t *testing.T) {
	c := stats.Compare("middle", 10, 100, "executive", 20, 200, "replied")
	want := "no difference seen: middle and executive both replied 10.0% of the time (p = 1); the true difference could be anywhere from -6.7 to +8.2 points."
	if c.Verdict != want {
		t.Errorf("Verdict = %q\nwant      %q", c.Verdict, want)
	}
	if c.Significant || c.NeededPerGroup != 0 {
		t.Errorf("Significant = %v, NeededPerGroup = %d; want false, 0", c.Significant, c.NeededPerGroup)
	}
}

func TestCompareEmptyGroups(t *testing.T) {
	tests := []struct {
		nA, nB int
		want   string
	}{
		{0, 10, "no recipients in middle: nothing to compare."},
		{10, 0, "no recipients in executive: nothing to compare."},
		{0, 0, "no recipients in middle or executive: nothing to compare."},
	}
	for _, tt := range tests {
		c := stats.Compare("middle", 0, tt.nA, "executive", min(3, tt.nB), tt.nB, "replied")
		if c.Verdict != tt.want {
			t.Errorf("nA = %d, nB = %d: Verdict = %q, want %q", tt.nA, tt.nB, c.Verdict, tt.want)
		}
		if c.Test != "" || c.P != 1 || c.Significant || c.NeededPerGroup != 0 {
			t.Errorf("nA = %d, nB = %d: Test = %q, P = %v, Significant = %v, NeededPerGroup = %d; want \"\", 1, false, 0",
				tt.nA, tt.nB, c.Test, c.P, c.Significant, c.NeededPerGroup)
		}
		if c.Difference != (stats.Interval{Value: 0, Low: -1, High: 1}) {
			t.Errorf("nA = %d, nB = %d: Difference = %+v, want {0 -1 1}", tt.nA, tt.nB, c.Difference)
		}
	}
}

func TestCompareWarning(t *testing.T) {
	tests := []struct {
		nA, nB int
		want   string
	}{
		{30, 30, ""},
		{29, 100, "fewer than 30 recipients in middle: intervals are wide"},
		{100, 5, "fewer than 30 recipients in executive: intervals are wide"},
		{10, 10, "fewer than 30 recipients in middle and executive: intervals are wide"},
	}
	for _, tt := range tests {
		if got := stats.Compare("middle", 1, tt.nA, "executive", 1, tt.nB, "replied").Warning; got != tt.want {
			t.Errorf("nA = %d, nB = %d: Warning = %q, want %q", tt.nA, tt.nB, got, tt.want)
		}
	}
}
