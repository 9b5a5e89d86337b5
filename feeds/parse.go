package feeds

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mmcdole/gofeed"
	ext "github.com/mmcdole/gofeed/extensions"
	"github.com/mmcdole/gofeed/rss"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/unicode/norm"
)

// Limits applied to item text, in runes.
const (
	// SummaryMaxRunes bounds Item.Summary.
	SummaryMaxRunes = 300
	// TitleMaxRunes bounds Item.Title, so one absurd title cannot swamp a
	// chat message.
	TitleMaxRunes = 500
	// FallbackTitleRunes bounds the title made from the summary when an
	// item has no title of its own.
	FallbackTitleRunes = 80
)

// maxTTL caps Feed.TTL so that absurd values cannot overflow a Duration.
const maxTTL = 365 * 24 * time.Hour

// Errors returned by Parse, to be tested with errors.Is. They are kept
// distinct because they call for different fixes: ErrNotFeed means the URL
// points at something else (a web page, an empty body, plain JSON) and an
// admin should change it; ErrMalformed means the publisher's feed is broken,
// which is often temporary. A caller that treats both as "unusable
// document" checks both.
var (
	// ErrNotFeed is wrapped by errors for documents that are not an RSS,
	// Atom or JSON feed; the message says what the document looks like.
	ErrNotFeed = errors.New("document is not an RSS, Atom or JSON feed")
	// ErrMalformed is wrapped by errors for feeds that cannot be parsed; the
	// message carries the parser's cause and position (e.g. "XML syntax
	// error on line 12: unexpected EOF").
	ErrMalformed = errors.New("malformed feed")
)

// Item is one normalised feed entry.
type Item struct {
	// Key is the stable identity: hex SHA-256 of "guid:"+GUID, else
	// "link:"+Link, else "hash:"+Title+"\x00"+Published in RFC 3339 (or ""
	// when the feed gave no date). Always 64 hex characters. Links, and GUIDs
	// that are http(s) URLs, count as NormalizeLink writes them (see setKeys).
	Key string
	// OldKey is the key as it was before links were normalised (the link or
	// GUID as published), when that differs from Key; else "". Items stored
	// under it are the same item.
	OldKey string
	// LinkKey is LinkKey(Link) for an item without GUID whose identity is its
	// normalised link: an item stored with the same link key is this item. ""
	// otherwise (see setKeys).
	LinkKey string
	// GUID is the RSS guid, Atom id or JSON id as given (trimmed, NFC), may
	// be "".
	GUID string
	// Link is the item's absolute http(s) URL, resolved against the feed's
	// link or the fetch URL; "" when absent or not http(s). An RSS item
	// without <link> whose guid is a permalink URL uses that URL.
	Link string
	// Title is plain text (see PlainText), at most TitleMaxRunes runes.
	// An item without a title gets the first FallbackTitleRunes runes of
	// its summary; "" only when it has neither.
	Title string
	// Summary is the plain text of the description (else the content),
	// at most SummaryMaxRunes runes, cut at a word boundary with "…".
	Summary string
	// Published is the item's published (else updated) time in UTC; when
	// the feed gives none, the now passed to Parse (in UTC).
	Published time.Time
	// HasDate reports whether the feed gave a date.
	HasDate bool
}

// Feed is a parsed, normalised feed.
type Feed struct {
	// Title is the feed's title as plain text.
	Title string
	// Link is the feed's web site as an absolute http(s) URL, or "".
	Link string
	// TTL is how long the publisher asks readers to cache the feed: RSS
	// <ttl> minutes, else the syndication module's updatePeriod divided by
	// updateFrequency; 0 when the feed says nothing. At most one year.
	TTL time.Duration
	// Items are the feed's entries in document order. An entry whose Key
	// repeats an earlier entry's is dropped, so Keys are unique.
	Items []Item
}

// Parse parses an RSS (0.9x, 1.0, 2.0), Atom or JSON Feed document.
// baseURL is where the document was fetched from; relative links resolve
// against the feed's own link when it has one, else against baseURL. now is
// the Published time of items without a date.
//
// The document is decoded to UTF-8 first: a byte order mark (UTF-8 or
// UTF-16) wins, then the encoding declared in the XML prolog (any WHATWG
// label, e.g. windows-1258, windows-1252, ISO-8859-1). Bytes that are not
// valid in the resulting UTF-8 become U+FFFD, and characters XML forbids are
// removed, so a sloppy feed still parses. All text is NFC-normalised, so
// Vietnamese from windows-1258 (which writes tones as combining marks)
// equals the same text from a UTF-8 feed.
//
// Errors wrap ErrNotFeed or ErrMalformed. A feed with no items is valid.
func Parse(body []byte, baseURL string, now time.Time) (*Feed, error) {
	return parse(body, baseURL, now, "")
}

// parse is Parse with the charset from an HTTP Content-Type header, used only
// when the document declares no encoding and is not valid UTF-8.
func parse(body []byte, baseURL string, now time.Time, charsetHint string) (*Feed, error) {
	body = toUTF8(body, charsetHint)
	p := gofeed.NewParser()
	// The original RSS feed carries <ttl> and guid permalinks, which the
	// universal feed drops.
	p.KeepOriginalFeed = true
	gf, err := p.Parse(bytes.NewReader(body))
	if err != nil {
		if errors.Is(err, gofeed.ErrFeedTypeNotDetected) {
			return nil, fmt.Errorf("%w: %s", ErrNotFeed, describeNonFeed(body))
		}
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if gf.FeedType == "json" && !strings.Contains(gf.FeedVersion, "jsonfeed.org/version/") {
		return nil, fmt.Errorf("%w: JSON document without a jsonfeed.org version", ErrNotFeed)
	}
	return normalise(gf, baseURL, now), nil
}

func normalise(gf *gofeed.Feed, baseURL string, now time.Time) *Feed {
	f := &Feed{
		Title: Summarize(PlainText(gf.Title), TitleMaxRunes),
		Link:  ResolveURL(baseURL, gf.Link),
		TTL:   feedTTL(gf),
		Items: make([]Item, 0, len(gf.Items)),
	}
	base := f.Link
	if base == "" {
		base = baseURL
	}
	var rssItems []*rss.Item
	if orig, ok := gf.OriginalFeed().(*rss.Feed); ok && len(orig.Items) == len(gf.Items) {
		rssItems = orig.Items
	}
	now = now.UTC()
	items := make([]Item, 0, len(gf.Items))
	for i, gi := range gf.Items {
		it := Item{
			GUID: norm.NFC.String(strings.TrimSpace(gi.GUID)),
			Link: ResolveURL(base, gi.Link),
		}
		if it.Link == "" && rssItems != nil {
			it.Link = permalink(base, rssItems[i])
		}
		text := PlainText(gi.Description)
		if text == "" {
			text = PlainText(gi.Content)
		}
		it.Summary = Summarize(text, SummaryMaxRunes)
		it.Title = Summarize(PlainText(gi.Title), TitleMaxRunes)
		if it.Title == "" {
			it.Title = Summarize(text, FallbackTitleRunes)
		}
		it.Published, it.HasDate = itemDate(gi, now)
		items = append(items, it)
	}
	setKeys(items)
	seen := make(map[string]bool, len(items))
	for _, it := range items {
		if seen[it.Key] {
			continue
		}
		seen[it.Key] = true
		f.Items = append(f.Items, it)
	}
	return f
}

// permalink returns an RSS item's guid as its link when the guid is a
// permalink (the default unless isPermaLink="false") and an http(s) URL.
func permalink(base string, ri *rss.Item) string {
	if ri == nil || ri.GUID == nil || strings.EqualFold(strings.TrimSpace(ri.GUID.IsPermalink), "false") {
		return ""
	}
	v := strings.TrimSpace(ri.GUID.Value)
	if !strings.HasPrefix(v, "http://") && !strings.HasPrefix(v, "https://") {
		return ""
	}
	return ResolveURL(base, v)
}

func itemDate(gi *gofeed.Item, now time.Time) (time.Time, bool) {
	for _, t := range []*time.Time{gi.PublishedParsed, gi.UpdatedParsed} {
		if t != nil && !t.IsZero() {
			return t.UTC(), true
		}
	}
	return now, false
}

// feedTTL reads RSS <ttl> (minutes), else sy:updatePeriod/updateFrequency.
func feedTTL(gf *gofeed.Feed) time.Duration {
	if orig, ok := gf.OriginalFeed().(*rss.Feed); ok {
		if n, err := strconv.ParseInt(strings.TrimSpace(orig.TTL), 10, 64); err == nil && n > 0 {
			if n > int64(maxTTL/time.Minute) {
				return maxTTL
			}
			return time.Duration(n) * time.Minute
		}
	}
	sy := gf.Extensions["sy"]
	if sy == nil {
		return 0
	}
	var period time.Duration
	switch strings.ToLower(extValue(sy, "updatePeriod")) {
	case "hourly":
		period = time.Hour
	case "daily":
		period = 24 * time.Hour
	case "weekly":
		period = 7 * 24 * time.Hour
	case "monthly":
		period = 30 * 24 * time.Hour
	case "yearly":
		period = 365 * 24 * time.Hour
	default:
		return 0
	}
	freq := int64(1)
	if n, err := strconv.ParseInt(extValue(sy, "updateFrequency"), 10, 64); err == nil && n > 0 {
		freq = n
	}
	ttl := period / time.Duration(freq)
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return ttl
}

func extValue(m map[string][]ext.Extension, name string) string {
	if v := m[name]; len(v) > 0 {
		return strings.TrimSpace(v[0].Value)
	}
	return ""
}

// describeNonFeed says what a document that is not a feed looks like, so an
// admin who pasted a web page's URL learns why it was refused.
func describeNonFeed(body []byte) string {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return "the document is empty"
	}
	head := trimmed[:min(len(trimmed), 1024)]
	lower := bytes.ToLower(head)
	if bytes.Contains(lower, []byte("<!doctype html")) || bytes.Contains(lower, []byte("<html")) {
		return "it is an HTML page (link the page's RSS feed, not the page)"
	}
	switch trimmed[0] {
	case '<':
		d := xml.NewDecoder(bytes.NewReader(trimmed))
		d.Strict = false
		d.CharsetReader = charset.NewReaderLabel
		for {
			tok, err := d.Token()
			if err != nil {
				return fmt.Sprintf("no feed root element found (%v)", err)
			}
			if se, ok := tok.(xml.StartElement); ok {
				switch strings.ToLower(se.Name.Local) {
				case "rss", "rdf", "feed":
					// gofeed looks for the root in the first 4 KiB only.
					return fmt.Sprintf("its root element <%s> comes too late (after the first 4 KiB)", se.Name.Local)
				}
				return fmt.Sprintf("its root element is <%s>, not <rss>, <rdf:RDF> or <feed>", se.Name.Local)
			}
		}
	case '{', '[':
		return "it is JSON but not a JSON Feed"
	}
	return "it is neither XML nor JSON"
}

var (
	utf8BOM    = []byte{0xEF, 0xBB, 0xBF}
	utf16BEBOM = []byte{0xFE, 0xFF}
	utf16LEBOM = []byte{0xFF, 0xFE}
	// xmlDeclEncoding finds the encoding pseudo-attribute of an XML
	// declaration at the start of the document.
	xmlDeclEncoding = regexp.MustCompile(`\A\s*<\?xml[^>]*?\sencoding\s*=\s*(?:"([^"]*)"|'([^']*)')`)
)

// toUTF8 returns body as valid UTF-8 XML or JSON: decoded from its byte
// order mark, declared encoding or charsetHint, its XML declaration
// rewritten to say UTF-8, invalid bytes replaced by U+FFFD, and characters
// that XML 1.0 forbids dropped.
func toUTF8(body []byte, charsetHint string) []byte {
	var enc encoding.Encoding
	switch {
	case bytes.HasPrefix(body, utf8BOM):
		body = body[len(utf8BOM):]
	case bytes.HasPrefix(body, utf16BEBOM),
		len(body) >= 4 && body[0] == 0 && body[1] == '<' && body[2] == 0:
		enc = unicode.UTF16(unicode.BigEndian, unicode.UseBOM)
	case bytes.HasPrefix(body, utf16LEBOM),
		len(body) >= 4 && body[0] == '<' && body[1] == 0 && body[3] == 0:
		enc = unicode.UTF16(unicode.LittleEndian, unicode.UseBOM)
	default:
		if label := declaredEncoding(body); label != "" {
			enc = lookupEncoding(label)
		} else if charsetHint != "" && !utf8.Valid(body) {
			enc = lookupEncoding(charsetHint)
		}
	}
	if enc != nil {
		if decoded, err := enc.NewDecoder().Bytes(body); err == nil {
			body = decoded
		}
	}
	if m := xmlDeclEncoding.FindSubmatchIndex(body); m != nil {
		// The document is UTF-8 from here on; a stale label would make the
		// XML decoder convert it a second time.
		start, end := m[2], m[3]
		if start < 0 {
			start, end = m[4], m[5]
		}
		if !strings.EqualFold(string(body[start:end]), "utf-8") {
			fixed := make([]byte, 0, len(body))
			fixed = append(fixed, body[:start]...)
			fixed = append(fixed, "UTF-8"...)
			body = append(fixed, body[end:]...)
		}
	}
	return sanitizeXMLChars(body)
}

func declaredEncoding(body []byte) string {
	m := xmlDeclEncoding.FindSubmatch(body)
	if m == nil {
		return ""
	}
	if m[1] != nil {
		return strings.TrimSpace(string(m[1]))
	}
	return strings.TrimSpace(string(m[2]))
}

// lookupEncoding maps a WHATWG encoding label to a decoder; nil means UTF-8,
// which covers unknown labels (read as UTF-8 with replacement) and UTF-16
// labels on a document that has no UTF-16 byte pattern.
func lookupEncoding(label string) encoding.Encoding {
	enc, name := charset.Lookup(label)
	if enc == nil || name == "utf-8" || strings.HasPrefix(name, "utf-16") {
		return nil
	}
	return enc
}

// sanitizeXMLChars replaces invalid UTF-8 and the non-characters U+FFFE and
// U+FFFF by U+FFFD and drops C0 control characters other than tab, line
// feed and carriage return: encoding/xml rejects all of these.
func sanitizeXMLChars(b []byte) []byte {
	clean := true
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
				clean = false
				break
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if (r == utf8.RuneError && size == 1) || r == 0xFFFE || r == 0xFFFF {
			clean = false
			break
		}
		i += size
	}
	if clean {
		return b
	}
	out := make([]byte, 0, len(b)+16)
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 || c == '\t' || c == '\n' || c == '\r' {
				out = append(out, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if (r == utf8.RuneError && size == 1) || r == 0xFFFE || r == 0xFFFF {
			out = utf8.AppendRune(out, utf8.RuneError)
		} else {
			out = append(out, b[i:i+size]...)
		}
		i += size
	}
	return out
}
