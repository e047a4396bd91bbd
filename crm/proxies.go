package crm

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Proxies are the reverse proxies in front of Outreach. A request that
// comes through one of them names its client in X-Forwarded-For; from
// anyone else the header is ignored, since anyone can write it.
type Proxies []netip.Prefix

// Client is the address a request comes from: the connection's peer, or,
// when the peer is a trusted proxy, the last address in X-Forwarded-For
// that is not itself a trusted proxy. Throttles count clients by it.
func (ps Proxies) Client(r *http.Request) netip.Addr {
	addr := peerAddr(r.RemoteAddr)
	if !ps.trusted(addr) {
		return addr
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // a malformed entry: count the proxy's address rather than guess
		}
		if hop = hop.Unmap(); !ps.trusted(hop) {
			return hop
		}
	}
	return addr
}

func (ps Proxies) trusted(a netip.Addr) bool {
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func peerAddr(s string) netip.Addr {
	host, _, err := net.SplitHostPort(s)
	if err != nil {
		host = s
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{} // all unparseable addresses count as one client
	}
	return a.Unmap()
}
