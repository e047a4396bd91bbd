package worker

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Limit is one throttle: at most PerMinute messages per minute on Key.
// PerMinute <= 0 means no limit, and the throttle is skipped.
type Limit struct {
	Key       string
	PerMinute int
}

// Limiter hands out send slots. Its state lives in Redis, so every worker
// process that shares the Redis shares the limits.
//
// Each key keeps its theoretical arrival time (TAT): the earliest moment
// the next message on that key may go. A message gets the latest TAT of its
// keys (or now), and each of its keys then moves one interval past that
// slot. This is the generic cell rate algorithm with no burst tolerance:
// messages on a key are never closer than 60s/PerMinute.
type Limiter struct {
	rdb    *redis.Client
	prefix string
}

// expiryMargin keeps a key a little past its TAT: once the TAT lies in the
// past the key no longer constrains anything, so it may vanish, and the
// margin absorbs rounding between microsecond TATs and millisecond expiry.
const expiryMargin = time.Second

// reserveScript plans a whole batch in one round trip, atomically, so that
// two workers can never hand out the same slot.
//
// KEYS: the distinct limit keys of the batch.
// ARGV[1]: horizon in microseconds; ARGV[2]: expiry margin in milliseconds;
// then per message: its number of limits n, and n pairs (index into KEYS,
// interval in microseconds).
// Returns Redis' clock in microseconds followed by one delay per reserved
// message, in microseconds.
//
// The clock is Redis' own TIME, not the caller's, so that skew between
// worker machines cannot let two of them overlap. Times are microseconds
// since the epoch (about 2^51), within the 2^53 that Lua's doubles hold
// exactly; "%.0f" writes them back without an exponent.
var reserveScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local horizon = tonumber(ARGV[1])
local margin = tonumber(ARGV[2])

local tat = {}
for k = 1, #KEYS do
  tat[k] = tonumber(redis.call('GET', KEYS[k]) or '0')
end

local out = {now}
local touched = {}
local pos = 3
while pos <= #ARGV do
  local n = tonumber(ARGV[pos])
  local slot = now
  for j = 1, n do
    local k = tonumber(ARGV[pos + 2 * j - 1])
    if tat[k] > slot then slot = tat[k] end
  end
  -- Stop at the first message that does not fit, so that no later
  -- message overtakes it.
  if slot - now > horizon then break end
  for j = 1, n do
    local k = tonumber(ARGV[pos + 2 * j - 1])
    local nextFree = slot + tonumber(ARGV[pos + 2 * j])
    -- max: a key listed twice for one message keeps its stricter interval.
    if nextFree > tat[k] then tat[k] = nextFree end
    touched[k] = true
  end
  out[#out + 1] = slot - now
  pos = pos + 1 + 2 * n
end

for k in pairs(touched) do
  local ttl = math.ceil((tat[k] - now) / 1000) + margin
  redis.call('SET', KEYS[k], string.format('%.0f', tat[k]), 'PX', string.format('%.0f', ttl))
end
return out
`)

// NewLimiter returns a Limiter that keeps its state in rdb under keys that
// start with prefix, e.g. "outreach:limit:". All keys of one batch go to
// one script call, so rdb must be a single node, not a cluster.
func NewLimiter(rdb *redis.Client, prefix string) *Limiter {
	return &Limiter{rdb: rdb, prefix: prefix}
}

// Reserve plans send times for a batch of messages. limits[i] lists the
// throttles message i must respect (e.g. campaign, sending account,
// recipient domain); keys are shared across messages. In order, it reserves
// for each message the earliest slot that satisfies all its limits, but only
// while that slot lies within horizon of now: it stops at the first message
// beyond the horizon, and reserves none after it, so order is kept.
//
// It returns the delay from now for each reserved message, so
// len(delays) <= len(limits). Reserved slots are consumed even if the caller
// never sends: that errs on the side of sending too slowly. The whole batch
// costs one Redis round trip.
func (l *Limiter) Reserve(ctx context.Context, limits [][]Limit, horizon time.Duration) ([]time.Duration, error) {
	_, delays, err := l.reserveAt(ctx, limits, horizon)
	return delays, err
}

// reserveAt is Reserve that also returns the Redis clock the delays are
// relative to, so that slots reserved by different calls can be compared.
func (l *Limiter) reserveAt(ctx context.Context, limits [][]Limit, horizon time.Duration) (time.Time, []time.Duration, error) {
	if len(limits) == 0 || horizon < 0 {
		return time.Time{}, nil, nil
	}
	keys, args, err := l.scriptArgs(limits, horizon)
	if err != nil {
		return time.Time{}, nil, err
	}
	res, err := reserveScript.Run(ctx, l.rdb, keys, args...).Int64Slice()
	if err != nil {
		return time.Time{}, nil, fmt.Errorf("worker: reserve send slots: %w", err)
	}
	if len(res) == 0 {
		return time.Time{}, nil, fmt.Errorf("worker: reserve send slots: empty script reply")
	}
	return time.UnixMicro(res[0]), microsToDurations(res[1:]), nil
}

// scriptArgs lays out a batch as reserveScript expects it: each distinct
// key once in keys, and per message its limit count followed by
// (key index, interval) pairs. Limits without a rate are left out.
func (l *Limiter) scriptArgs(limits [][]Limit, horizon time.Duration) (keys []string, args []any, err error) {
	index := make(map[string]int)
	args = []any{horizon.Microseconds(), expiryMargin.Milliseconds()}
	for i, msg := range limits {
		countAt := len(args)
		args = append(args, 0) // the count, known once the pairs are in
		for _, lim := range msg {
			if lim.PerMinute <= 0 {
				continue
			}
			if lim.Key == "" {
				return nil, nil, fmt.Errorf("worker: message %d: limit of %d per minute has no key", i, lim.PerMinute)
			}
			k, ok := index[lim.Key]
			if !ok {
				keys = append(keys, l.prefix+lim.Key)
				k = len(keys) // Lua tables count from 1
				index[lim.Key] = k
			}
			args = append(args, k, interval(lim.PerMinute))
		}
		args[countAt] = (len(args) - countAt - 1) / 2
	}
	return keys, args, nil
}

// interval is the spacing of a limit in microseconds, rounded up so that
// rounding never lets more than perMinute messages through in a minute.
func interval(perMinute int) int64 {
	const minute = int64(time.Minute / time.Microsecond)
	p := int64(perMinute)
	return (minute + p - 1) / p
}

// microsToDurations converts the script's microsecond delays.
func microsToDurations(us []int64) []time.Duration {
	d := make([]time.Duration, len(us))
	for i, v := range us {
		d[i] = time.Duration(v) * time.Microsecond
	}
	return d
}
