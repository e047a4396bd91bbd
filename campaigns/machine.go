package campaigns

import (
	"net/http"
	"strings"
	"sync"
	"time"
)

// Machine-event rules. A hit that matches one is recorded but flagged, and
// reports leave it out unless asked (machine=include):
//
//   - any HEAD request (people's mail clients GET; scanners often check first);
//   - opens through a mail-privacy proxy: Google's image proxy
//     (GoogleImageProxy), Yahoo's (YahooMailProxy), and Apple Mail Privacy
//     Protection, whose prefetcher sends the bare user agent "Mozilla/5.0";
//   - clicks from a known link scanner or non-browser client (user agent
//     names a scanner or security gateway, a bot, a preview or an HTTP
//     library);
//   - a click within 10 seconds of the message being sent (no person reads
//     that fast; gateways scan on arrival);
//   - the third and later distinct links of one message clicked within
//     2 seconds (scanners follow every link at once).
const (
	scannerWindow   = 10 * time.Second
	burstWindow     = 2 * time.Second
	burstLinkCount  = 3
	appleMPPAgent   = "Mozilla/5.0"
	recentClickKeep = 10 * time.Second
)

var openProxies = []string{"googleimageproxy", "yahoomailproxy"}

var scannerAgents = []string{
	"bot", "spider", "crawler", "preview", "scan", "python", "curl", "wget", "go-http-client",
	"java/", "okhttp", "libwww", "headless", "phantomjs", "barracuda", "mimecast", "proofpoint",
	"safelinks", "microsoft office", "ms-office", "symantec", "trendmicro", "fortiguard",
	"sophos", "zscaler", "cisco", "forcepoint", "checkpoint", "appriver", "messagelabs",
}

// machineOpen says whether an open hit came from a machine, and why.
func machineOpen(r *http.Request) (bool, string) {
	ua := r.UserAgent()
	if r.Method == http.MethodHead {
		return true, "HEAD request"
	}
	if ua == appleMPPAgent {
		return true, "Apple Mail Privacy Protection"
	}
	low := strings.ToLower(ua)
	for _, p := range openProxies {
		if strings.Contains(low, p) {
			return true, "mail privacy proxy"
		}
	}
	return false, ""
}

// machineClick says whether a click came from a machine, and why.
func machineClick(r *http.Request, sent, now time.Time) (bool, string) {
	if r.Method == http.MethodHead {
		return true, "HEAD request"
	}
	low := strings.ToLower(r.UserAgent())
	if low == "" {
		return true, "no user agent"
	}
	for _, s := range scannerAgents {
		if strings.Contains(low, s) {
			return true, "link scanner user agent"
		}
	}
	if !sent.IsZero() && now.Sub(sent) < scannerWindow {
		return true, "clicked within seconds of sending"
	}
	return false, ""
}

// clickBursts remembers, per recipient, the distinct links clicked in the
// last few seconds, to spot a scanner following every link of a message at
// once. Memory is bounded: old entries are swept, and only a handful of
// links are kept per recipient.
type clickBursts struct {
	mu     sync.Mutex
	recent map[int64]map[string]time.Time
	swept  time.Time
}

const maxRememberedLinks = 16

// burst records a click and reports whether it is the third or later
// distinct link of the recipient's message within burstWindow.
func (b *clickBursts) burst(rid int64, url string, now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.recent == nil {
		b.recent = map[int64]map[string]time.Time{}
	}
	b.sweep(now)
	links := b.recent[rid]
	if links == nil {
		links = map[string]time.Time{}
		b.recent[rid] = links
	}
	for u, at := range links {
		if now.Sub(at) > burstWindow || len(links) > maxRememberedLinks {
			delete(links, u)
		}
	}
	links[url] = now
	return len(links) >= burstLinkCount
}

// sweep drops recipients with no recent click now and then.
func (b *clickBursts) sweep(now time.Time) {
	if now.Sub(b.swept) < recentClickKeep {
		return
	}
	b.swept = now
	for rid, links := range b.recent {
		fresh := false
		for _, at := range links {
			fresh = fresh || now.Sub(at) <= recentClickKeep
		}
		if !fresh {
			delete(b.recent, rid)
		}
	}
}
