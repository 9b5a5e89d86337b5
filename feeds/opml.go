package feeds

import (
	"bufio"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/net/html/charset"
)

// ErrNoFeeds is returned by ReadOPML for a valid OPML document in which no
// outline has an xmlUrl.
var ErrNoFeeds = errors.New("opml: no feed outlines (none has an xmlUrl attribute)")

// Outline is one feed of an OPML subscription list.
type Outline struct {
	// URL is the feed's absolute http(s) URL (the xmlUrl attribute).
	URL string
	// Title is the outline's title, else its text; "" when that is just
	// the URL again.
	Title string
	// Topic is the first value of the outline's category attribute
	// (slashes trimmed), else the text of the nearest enclosing folder
	// outline; "" for a top-level feed without category.
	Topic string
}

// opmlOutline decodes any attribute so that names match case-insensitively:
// exporters write xmlUrl, xmlURL and xmlurl.
type opmlOutline struct {
	Attrs    []xml.Attr    `xml:",any,attr"`
	Outlines []opmlOutline `xml:"outline"`
}

func (o *opmlOutline) attr(name string) string {
	for _, a := range o.Attrs {
		if strings.EqualFold(a.Name.Local, name) {
			return a.Value
		}
	}
	return ""
}

type opmlDoc struct {
	XMLName xml.Name
	Body    *struct {
		Outlines []opmlOutline `xml:"outline"`
	} `xml:"body"`
}

// ReadOPML reads the feeds of an OPML (1.0 or 2.0) subscription list, at
// any nesting depth, in document order. A URL listed twice is returned once
// (the first time). It fails on malformed XML, a root other than <opml>, an
// xmlUrl that is not an absolute http(s) URL (naming the outline), and a
// list without feeds (ErrNoFeeds).
func ReadOPML(r io.Reader) ([]Outline, error) {
	d := xml.NewDecoder(bufio.NewReader(r))
	d.CharsetReader = charset.NewReaderLabel
	d.Entity = xml.HTMLEntity
	var doc opmlDoc
	if err := d.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("opml: empty document")
		}
		return nil, fmt.Errorf("opml: malformed XML: %w", err)
	}
	if doc.XMLName.Local != "opml" {
		return nil, fmt.Errorf("opml: root element is <%s>, not <opml>", doc.XMLName.Local)
	}
	if doc.Body == nil {
		return nil, errors.New("opml: no <body> element")
	}
	var (
		out  []Outline
		seen = map[string]bool{}
		walk func(os []opmlOutline, folder string) error
	)
	walk = func(os []opmlOutline, folder string) error {
		for i := range os {
			o := &os[i]
			text := cleanText(o.attr("title"))
			if text == "" {
				text = cleanText(o.attr("text"))
			}
			raw := strings.TrimSpace(o.attr("xmlUrl"))
			if raw == "" {
				// A folder: its text is the topic of the feeds inside.
				sub := text
				if sub == "" {
					sub = folder
				}
				if err := walk(o.Outlines, sub); err != nil {
					return err
				}
				continue
			}
			u := ResolveURL("", raw)
			if u == "" {
				return fmt.Errorf("opml: outline %q: xmlUrl %q is not an absolute http(s) URL", text, RedactURL(raw))
			}
			topic := firstCategory(o.attr("category"))
			if topic == "" {
				topic = folder
			}
			if text == raw || text == u {
				text = ""
			}
			if !seen[u] {
				seen[u] = true
				out = append(out, Outline{URL: u, Title: text, Topic: topic})
			}
			// Feeds nested under a feed are unusual but not lost.
			if err := walk(o.Outlines, folder); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(doc.Body.Outlines, ""); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, ErrNoFeeds
	}
	return out, nil
}

// firstCategory returns the first of OPML's comma-separated category paths
// ("/Tin tức/Thời sự,/Kinh tế") without its outer slashes.
func firstCategory(s string) string {
	first, _, _ := strings.Cut(s, ",")
	return cleanText(strings.Trim(strings.TrimSpace(first), "/"))
}

type opmlOut struct {
	XMLName xml.Name     `xml:"opml"`
	Version string       `xml:"version,attr"`
	Title   string       `xml:"head>title"`
	Body    []opmlOutOut `xml:"body>outline"`
}

type opmlOutOut struct {
	Text     string       `xml:"text,attr"`
	Title    string       `xml:"title,attr,omitempty"`
	Type     string       `xml:"type,attr,omitempty"`
	XMLURL   string       `xml:"xmlUrl,attr,omitempty"`
	Outlines []opmlOutOut `xml:"outline"`
}

// WriteOPML writes feeds as an OPML 2.0 document titled title. Feeds with a
// Topic are grouped in a folder outline per topic (in order of first
// appearance), which ReadOPML reads back as the Topic; the others come
// first, at the top level. Every feed needs a URL.
func WriteOPML(w io.Writer, title string, feeds []Outline) error {
	doc := opmlOut{Version: "2.0", Title: title}
	folders := map[string]int{}
	var grouped []opmlOutOut
	for i, f := range feeds {
		if strings.TrimSpace(f.URL) == "" {
			return fmt.Errorf("opml: feed %d (%q) has no URL", i, f.Title)
		}
		o := opmlOutOut{Text: f.Title, Title: f.Title, Type: "rss", XMLURL: f.URL}
		if o.Text == "" {
			// OPML 2.0 requires text; the reader maps a text equal to the
			// URL back to an empty title.
			o.Text = f.URL
		}
		if f.Topic == "" {
			doc.Body = append(doc.Body, o)
			continue
		}
		j, ok := folders[f.Topic]
		if !ok {
			j = len(grouped)
			folders[f.Topic] = j
			grouped = append(grouped, opmlOutOut{Text: f.Topic, Title: f.Topic})
		}
		grouped[j].Outlines = append(grouped[j].Outlines, o)
	}
	doc.Body = append(doc.Body, grouped...)
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("opml: %w", err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("opml: %w", err)
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return fmt.Errorf("opml: %w", err)
	}
	return nil
}
