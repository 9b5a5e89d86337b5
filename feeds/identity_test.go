package feeds

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

func TestNormalizeLink(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"https://tinhuy.example.vn/tin/1.html", "https://tinhuy.example.vn/tin/1.html"},
		{"https://tinhuy.example.vn/tin/1.html#binh-luan", "https://tinhuy.example.vn/tin/1.html"},
		{"https://TinHuy.Example.VN/Tin/1.html", "https://tinhuy.example.vn/Tin/1.html"},
		{"https://x.vn/a?utm_source=rss&utm_medium=feed&id=7&fbclid=IwAR0&gclid=Cj0", "https://x.vn/a?id=7"},
		{"https://x.vn/a?UTM_Campaign=x", "https://x.vn/a"},
		{"https://x.vn/tin/1.html;jsessionid=0A1B2C3D4E", "https://x.vn/tin/1.html"},
		{"https://x.vn/portal;JSESSIONID=abc/tin;jsessionid=def?sid=12&p=3", "https://x.vn/portal/tin?sid=12&p=3"},
		{"https://x.vn/index.php?PHPSESSID=9f8e7d&id=42", "https://x.vn/index.php?id=42"},
		{"https://x.vn/index.php?option=com_content&view=article&id=42&catid=3", "https://x.vn/index.php?option=com_content&view=article&id=42&catid=3"},
		{"https://x.vn/?p=1235", "https://x.vn/?p=1235"},
		{"https://x.vn/a?s=&utm_source=rss", "https://x.vn/a?s="},
		// A route in the fragment names the article: single-page portals.
		{"https://x.vn/#!/tin/12", "https://x.vn/#!/tin/12"},
		{"https://x.vn/#/tin/12?utm_source=rss", "https://x.vn/#/tin/12?utm_source=rss"},
		{"", ""},
		{"not a link", "not a link"},
	}
	for _, tt := range tests {
		if got := NormalizeLink(tt.in); got != tt.want {
			t.Errorf("NormalizeLink(%q)\n = %q\nwant %q", tt.in, got, tt.want)
		}
	}
}

// rssWithLink is a one-item feed without GUID whose link is link.
func rssWithLink(link, guid string) []byte {
	g := ""
	if guid != "" {
		g = "<guid>" + guid + "</guid>"
	}
	return fmt.Appendf(nil, `<rss version="2.0"><channel><title>t</title><link>https://x.vn/</link>
<item><title>Bài một</title><link>%s</link>%s</item></channel></rss>`, link, g)
}

// TestItemIdentityIgnoresChurn: the same article, fetched with another session id or
// tracking parameters, has the same key; another article id gives another key; an
// item whose key changed with this rule says its old one.
func TestItemIdentityIgnoresChurn(t *testing.T) {
	t.Parallel()
	key := func(link, guid string) Item {
		t.Helper()
		f, err := Parse(rssWithLink(link, guid), "https://x.vn/rss", testNow)
		if err != nil || len(f.Items) != 1 {
			t.Fatalf("Parse: %v, %+v", err, f)
		}
		return f.Items[0]
	}
	a := key("https://x.vn/tin.jsp;jsessionid=AAA?id=5&amp;utm_source=rss", "")
	b := key("https://x.vn/tin.jsp;jsessionid=BBB?id=5&amp;utm_source=zalo#top", "")
	c := key("https://x.vn/tin.jsp;jsessionid=CCC?id=6", "")
	if a.Key != b.Key || a.Key == c.Key {
		t.Errorf("keys %s %s %s: want the first two equal, the third different", a.Key, b.Key, c.Key)
	}
	if a.Link != "https://x.vn/tin.jsp;jsessionid=AAA?id=5&utm_source=rss" {
		t.Errorf("link %q: members get the link as published", a.Link)
	}
	if a.Key != sha("link:https://x.vn/tin.jsp?id=5") || a.OldKey != sha("link:"+a.Link) || a.LinkKey != a.Key {
		t.Errorf("item %+v: want the key of the normalised link, the old key of the raw one", a)
	}
	// A GUID that is a permalink churns with it; one that is not a URL is kept as is.
	g1 := key("https://x.vn/a?id=1", "https://x.vn/a?id=1&PHPSESSID=1")
	g2 := key("https://x.vn/a?id=1", "https://x.vn/a?id=1&PHPSESSID=2")
	if g1.Key != g2.Key || g1.Key != sha("guid:https://x.vn/a?id=1") || g1.OldKey != sha("guid:https://x.vn/a?id=1&PHPSESSID=1") {
		t.Errorf("permalink GUIDs %+v %+v", g1, g2)
	}
	plain := key("https://x.vn/a?id=1", "tin-1")
	if plain.Key != sha("guid:tin-1") || plain.OldKey != "" || plain.LinkKey != "" {
		t.Errorf("plain GUID %+v: key unchanged, no old key, identified by its GUID only", plain)
	}
}

// TestItemIdentityKeepsAnchoredItemsApart: items of one page, each under its own
// anchor, stay different articles: without GUID the links that normalising would merge
// keep their published identity, and a permalink GUID keeps its fragment.
func TestItemIdentityKeepsAnchoredItemsApart(t *testing.T) {
	t.Parallel()
	doc := `<rss version="2.0"><channel><title>t</title><link>https://x.vn/</link>
<item><title>Mục 1</title><link>https://x.vn/thong-bao.html#muc-1</link></item>
<item><title>Mục 2</title><link>https://x.vn/thong-bao.html#muc-2</link></item>
<item><title>Tin</title><link>https://x.vn/tin.html?utm_source=rss#top</link></item>
<item><title>Mục 3</title><link>https://x.vn/a</link><guid>https://x.vn/ds.html#muc-3</guid></item>
<item><title>Mục 4</title><link>https://x.vn/a</link><guid>https://x.vn/ds.html#muc-4</guid></item>
</channel></rss>`
	f, err := Parse([]byte(doc), "https://x.vn/rss", testNow)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Items) != 5 {
		t.Fatalf("%d items, want 5: %+v", len(f.Items), f.Items)
	}
	m1, m2, tin := f.Items[0], f.Items[1], f.Items[2]
	if m1.Key != sha("link:https://x.vn/thong-bao.html#muc-1") || m1.OldKey != "" || m1.LinkKey != "" || m1.Key == m2.Key {
		t.Errorf("anchored items %+v %+v: want their links as published", m1, m2)
	}
	if tin.Key != sha("link:https://x.vn/tin.html") || tin.LinkKey != tin.Key {
		t.Errorf("a lone link %+v: normalised", tin)
	}
	if f.Items[3].Key == f.Items[4].Key || f.Items[3].Key != sha("guid:https://x.vn/ds.html#muc-3") {
		t.Errorf("permalink GUIDs with fragments %+v %+v", f.Items[3], f.Items[4])
	}
}

// FuzzNormalizeLink: normalising twice changes nothing more, and what normalising
// drops never decides between two links that differ elsewhere.
func FuzzNormalizeLink(f *testing.F) {
	for _, s := range []string{"https://x.vn/a;jsessionid=1?id=2&utm_source=x#f", "https://X.vn/#!/a", "http://x.vn/?p=1&fbclid=2", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, link string) {
		n := NormalizeLink(link)
		if again := NormalizeLink(n); again != n {
			t.Errorf("NormalizeLink(%q) = %q, and again %q", link, n, again)
		}
		if _, err := url.Parse(link); err != nil || strings.Contains(link, "#") {
			return // returned as is; a fragment would swallow the parameter
		}
		sep := "?"
		if strings.Contains(link, "?") {
			sep = "&"
		}
		if _, err := url.Parse(strings.TrimSpace(link + sep + "utm_medium=rss")); err != nil {
			return // returned as is
		}
		a, b := NormalizeLink(link+sep+"utm_medium=rss"), NormalizeLink(link+sep+"utm_medium=zalo")
		if a != b {
			t.Errorf("%q: tracking parameters decide identity: %q, %q", link, a, b)
		}
	})
}
