package feeds

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// Item identity. Some portals put a session id or tracking parameters in every link
// and give no GUID: each poll then shows the same articles under new links, and
// without care each would be announced again, every interval, for ever. So identity
// uses the link as NormalizeLink writes it; the link members receive is kept as
// published.

// NormalizeLink is a link as item identity sees it: the fragment dropped (unless it is
// a route, "#!/…" or "#/…", which single-page portals use to name the article),
// tracking parameters (utm_*, fbclid, gclid and the like) and session ids
// (";jsessionid=…" path parameters, PHPSESSID and the like) removed, scheme and host
// in lower case. Every other parameter is kept, in its order and spelling: id, sid,
// p, … name the article on many portals. A link that does not parse is returned as
// it is.
func NormalizeLink(link string) string {
	link = strings.TrimSpace(link)
	if link == "" {
		return ""
	}
	if _, err := url.Parse(link); err != nil {
		return link
	}
	rest, frag, hasFrag := strings.Cut(link, "#")
	rest, query, hasQuery := strings.Cut(strings.TrimSpace(rest), "?")
	if i := strings.Index(rest, "://"); i >= 0 {
		end := len(rest)
		if j := strings.IndexByte(rest[i+3:], '/'); j >= 0 {
			end = i + 3 + j
		}
		rest = strings.ToLower(rest[:end]) + rest[end:]
	}
	rest = sessionPathParam.ReplaceAllString(rest, "")
	out := rest
	if hasQuery {
		if q := cleanQuery(query); q != "" {
			out += "?" + q
		}
	}
	if hasFrag && (strings.HasPrefix(frag, "!") || strings.HasPrefix(frag, "/")) {
		out += "#" + frag
	}
	return strings.TrimSpace(out) // "a #x" is "a"
}

// sessionPathParam matches a session id written as a path parameter:
// "/tin.jsp;jsessionid=0A1B…".
var sessionPathParam = regexp.MustCompile(`(?i);(jsessionid|phpsessid|sessionid)=[^/;?#]*`)

// dropParams are query parameters that never name an article, lower case: tracking
// tags of ad and mail platforms, and session ids.
var dropParams = map[string]bool{
	"fbclid": true, "gclid": true, "dclid": true, "gbraid": true, "wbraid": true, "msclkid": true,
	"yclid": true, "twclid": true, "igshid": true, "mc_cid": true, "mc_eid": true, "_ga": true, "_gl": true,
	"zarsrc":    true, // Zalo's share tracking
	"phpsessid": true, "jsessionid": true, "sessionid": true, "session_id": true,
	"cfid": true, "cftoken": true,
}

// cleanQuery drops tracking and session parameters from a raw query.
func cleanQuery(q string) string {
	parts := strings.Split(q, "&")
	kept := parts[:0]
	for _, p := range parts {
		if strings.TrimSpace(p) == "" {
			continue
		}
		rawName, _, _ := strings.Cut(p, "=")
		name, err := url.QueryUnescape(rawName)
		if err != nil {
			name = rawName
		}
		name = strings.ToLower(strings.TrimSpace(name))
		if strings.HasPrefix(name, "utm_") || dropParams[name] {
			continue
		}
		kept = append(kept, p)
	}
	return strings.Join(kept, "&")
}

// LinkKey is a link's identity, the key an item without GUID has: hex SHA-256 of
// "link:" and the normalised link; "" for no link. The store keeps it beside each
// item so that an article seen again under another session id is recognised, GUID
// or not.
func LinkKey(link string) string {
	if link = NormalizeLink(link); link == "" {
		return ""
	}
	return hashKey("link:" + link)
}

// setKeys gives each item its Key, OldKey and LinkKey.
//
// An item with a GUID is identified by it; a GUID that is an http(s) URL loses its
// tracking parameters and session ids but keeps its fragment ("…/tin.html#muc-5" may
// be one of several items on one page). An item without GUID is identified by its
// normalised link, and its LinkKey lets the store match it against items stored under
// another session id. But when two items of one document have different links that
// normalise to the same one, normalising would merge different articles (a page
// listing several, each under its own "#anchor"): those items keep the identity of the
// link as published, as before.
func setKeys(items []Item) {
	raw := make(map[string]string, len(items)) // normalised link → first raw link
	merged := make(map[string]bool)
	for _, it := range items {
		if it.GUID != "" || it.Link == "" {
			continue
		}
		n := NormalizeLink(it.Link)
		if first, ok := raw[n]; ok && first != it.Link {
			merged[n] = true
		} else if !ok {
			raw[n] = it.Link
		}
	}
	for i := range items {
		it := &items[i]
		var src, oldSrc string
		switch {
		case it.GUID != "":
			oldSrc = "guid:" + it.GUID
			src = oldSrc
			if strings.HasPrefix(it.GUID, "http://") || strings.HasPrefix(it.GUID, "https://") {
				src = "guid:" + normalizeKeepFragment(it.GUID)
			}
		case it.Link != "":
			oldSrc = "link:" + it.Link
			src = oldSrc
			if n := NormalizeLink(it.Link); !merged[n] {
				src = "link:" + n
				it.LinkKey = hashKey(src)
			}
		default:
			date := ""
			if it.HasDate {
				date = it.Published.Format(time.RFC3339)
			}
			src = "hash:" + it.Title + "\x00" + date
			oldSrc = src
		}
		it.Key, it.OldKey = hashKey(src), ""
		if oldSrc != src {
			it.OldKey = hashKey(oldSrc)
		}
	}
}

// normalizeKeepFragment is NormalizeLink with the fragment kept as it is.
func normalizeKeepFragment(link string) string {
	rest, frag, hasFrag := strings.Cut(link, "#")
	rest = NormalizeLink(rest)
	if hasFrag {
		rest += "#" + frag
	}
	return rest
}

func hashKey(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
