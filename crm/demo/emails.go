package demo

import "strconv"

// addressBook hands out unique local parts per organisation without keeping
// every address: a Bloom filter remembers the plain ones ("anna.mueller",
// "anna.mueller2") in a fixed number of bits. A Bloom filter can say "seen"
// for a new name but never "new" for a seen one, so a false alarm only costs
// a less pretty address, never a duplicate.
type addressBook struct {
	bits []uint64
	mask uint64 // selects a word of bits
	buf  []byte
}

// Bloom filter sizing: about 16 bits per contact keeps false alarms near 1%
// with three probes in one 64-bit word (one cache miss per lookup instead of
// three); the cap keeps memory at 16 MiB for any row count, beyond which
// false alarms only make numbered addresses more frequent.
const (
	bitsPerContact = 16
	minFilterBits  = 1 << 12
	maxFilterBits  = 1 << 27
)

func newAddressBook(contacts int) *addressBook {
	n := uint64(minFilterBits)
	for n < maxFilterBits && n < uint64(contacts)*bitsPerContact {
		n <<= 1
	}
	return &addressBook{bits: make([]uint64, n/64), mask: n/64 - 1, buf: make([]byte, 0, 96)}
}

// address returns the address of the k-th contact of organisation org. It
// tries "first.last", then "first.last2" to "first.last9", like a mail
// administrator would; if all are (or may be) taken it falls back to
// "first.last.k", which is unique because k is unique within the
// organisation and no plain local part has a dot before digits (names fold
// to letters and hyphens only).
func (b *addressBook) address(org int, domain, first, last string, initial bool, k uint32) string {
	buf := b.buf[:0]
	if initial {
		buf = append(buf, first[0])
	} else {
		buf = append(buf, first...)
	}
	buf = append(buf, '.')
	buf = append(buf, last...)
	base := len(buf)
	if !b.claim(org, buf) {
		claimed := false
		for d := byte('2'); d <= '9' && !claimed; d++ {
			buf = append(buf[:base], d)
			claimed = b.claim(org, buf)
		}
		if !claimed {
			buf = append(buf[:base], '.')
			buf = strconv.AppendUint(buf, uint64(k), 10)
		}
	}
	buf = append(buf, '@')
	buf = append(buf, domain...)
	b.buf = buf
	return string(buf)
}

// claim records local for org and reports whether it was certainly unused.
// The low bits of the hash choose a word, three 6-bit fields of the high
// bits the bits within it.
func (b *addressBook) claim(org int, local []byte) bool {
	h := hashLocal(org, local)
	m := uint64(1)<<(h>>46&63) | uint64(1)<<(h>>52&63) | uint64(1)<<(h>>58)
	w := &b.bits[h&b.mask]
	fresh := *w&m != m
	*w |= m
	return fresh
}

// hashLocal is FNV-1a over the local part, seeded with the organisation and
// finished with a SplitMix64 round so that the probes spread over the filter.
func hashLocal(org int, local []byte) uint64 {
	h := uint64(14695981039346656037) ^ uint64(org)*0x9e3779b97f4a7c15
	for _, c := range local {
		h ^= uint64(c)
		h *= 1099511628211
	}
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	return h ^ h>>31
}
