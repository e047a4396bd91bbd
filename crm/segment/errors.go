package segment

import (
	"fmt"
	"strings"
)

// Limits bound what one expression may cost: parse time, recursion depth
// and the number of SQL parameters. Exceeding one is an *Error, never a panic.
const (
	// MaxLength is the longest expression accepted, in characters (runes).
	MaxLength = 4096
	// MaxDepth is how deeply parentheses and "not" may nest.
	MaxDepth = 32
	// MaxValues is the most values one "in" list may hold.
	MaxValues = 1000
)

// Error is a problem with an expression, located so that a form can point
// at the offending character.
type Error struct {
	Pos int    // 1-based character (rune) position in the source
	Msg string // what was expected and what was found
}

// Error formats the problem as "position N: message".
func (e *Error) Error() string {
	return fmt.Sprintf("position %d: %s", e.Pos, e.Msg)
}

func errorf(pos int, format string, args ...any) *Error {
	return &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

// suggest returns the candidate closest to word when it is near enough to be
// a plausible typo, so an error can say "did you mean".
func suggest(word string, candidates []string) (string, bool) {
	word = strings.ToLower(word)
	best, bestDist := "", -1
	for _, c := range candidates {
		if d := distance(word, c); bestDist < 0 || d < bestDist {
			best, bestDist = c, d
		}
	}
	limit := min(2, len([]rune(word))/3+1)
	return best, bestDist >= 0 && bestDist <= limit
}

// distance is the Levenshtein edit distance between a and b, over runes.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur := make([]int, len(rb)+1)
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(rb)]
}
