package feeds

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestReadOPML(t *testing.T) {
	t.Parallel()
	f, err := os.Open(filepath.Join("testdata", "subscriptions.opml"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := ReadOPML(f)
	if err != nil {
		t.Fatal(err)
	}
	want := []Outline{
		{URL: "https://dangbokhoi.example.vn/rss/tin-hoat-dong.rss", Title: "Tin hoạt động"},
		{URL: "https://nhandan.example.vn/rss/home.rss", Title: "Báo Nhân Dân & bạn đọc", Topic: "Thời sự"},
		{URL: "https://tinhuy.example.vn/rss", Title: "Tỉnh ủy", Topic: "Thời sự"},
		{URL: "https://tinhuy.example.vn/rss/cu", Title: "Tin cũ", Topic: "Lưu trữ"},
		{URL: "https://kinhte.example.vn/rss", Title: "Kinh tế", Topic: "Kinh tế/Doanh nghiệp"},
		// The duplicate of nhandan is dropped; a text that is just the URL
		// is no title.
		{URL: "https://url-only.example.vn/feed"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

func TestReadOPMLErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, doc, want string
		is              error
	}{
		{"empty", "", "opml: empty document", nil},
		{"malformed", `<opml version="2.0"><body><outline text="a" xmlUrl="https://a.vn/rss">`, "opml: malformed XML: XML syntax error on line 1: unexpected EOF", nil},
		{"not OPML", `<rss version="2.0"><channel/></rss>`, "opml: root element is <rss>, not <opml>", nil},
		{"no body", `<opml version="2.0"><head/></opml>`, "opml: no <body> element", nil},
		{"no feeds", `<opml version="2.0"><body><outline text="Thư mục trống"/></body></opml>`, "no feed outlines", ErrNoFeeds},
		{"bad URL", `<opml version="2.0"><body><outline text="Báo" xmlUrl="/rss"/></body></opml>`, `opml: outline "Báo": xmlUrl "/rss" is not an absolute http(s) URL`, nil},
		{"bad scheme", `<opml version="2.0"><body><outline text="Báo" xmlUrl="feed://a.vn/rss"/></body></opml>`, "is not an absolute http(s) URL", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ReadOPML(strings.NewReader(tt.doc))
			if err == nil {
				t.Fatalf("got %+v, want an error", got)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v is not %v", err, tt.is)
			}
		})
	}
}

func TestReadOPMLLegacyEncoding(t *testing.T) {
	t.Parallel()
	doc := encodeWindows1258(t, `<?xml version="1.0" encoding="windows-1258"?><opml version="1.0"><body><outline title="Thời sự" xmlUrl="https://a.vn/rss" category="Việt Nam"/></body></opml>`)
	got, err := ReadOPML(bytes.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	if want := []Outline{{URL: "https://a.vn/rss", Title: "Thời sự", Topic: "Việt Nam"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestWriteOPMLRoundTrip(t *testing.T) {
	t.Parallel()
	feeds := []Outline{
		{URL: "https://a.vn/rss?x=1&y=2", Title: `Tin "nóng" <mới> & hay`},
		{URL: "https://b.vn/rss", Title: "Thời sự B", Topic: "Thời sự"},
		{URL: "https://c.vn/rss", Title: "Thời sự C", Topic: "Thời sự"},
		{URL: "https://d.vn/rss", Topic: "Kinh tế, xã hội"},
	}
	var buf bytes.Buffer
	if err := WriteOPML(&buf, "Nguồn tin & bạn đọc", feeds); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.HasPrefix(out, `<?xml version="1.0" encoding="UTF-8"?>`) || !strings.Contains(out, `<opml version="2.0">`) {
		t.Errorf("not an OPML 2.0 document:\n%s", out)
	}
	if !strings.Contains(out, "<title>Nguồn tin &amp; bạn đọc</title>") {
		t.Errorf("title not escaped:\n%s", out)
	}
	// Well-formed XML, checked by a strict decoder.
	d := xml.NewDecoder(strings.NewReader(out))
	for {
		if _, err := d.Token(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("invalid XML: %v\n%s", err, out)
		}
	}
	got, err := ReadOPML(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, feeds) {
		t.Errorf("round trip:\n got %+v\nwant %+v\n%s", got, feeds, out)
	}
}

func TestWriteOPMLErrors(t *testing.T) {
	t.Parallel()
	if err := WriteOPML(io.Discard, "t", []Outline{{Title: "không có URL"}}); err == nil || !strings.Contains(err.Error(), "has no URL") {
		t.Errorf("error %v", err)
	}
	if err := WriteOPML(failingWriter{}, "t", []Outline{{URL: "https://a.vn/rss"}}); err == nil {
		t.Error("write error swallowed")
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }
