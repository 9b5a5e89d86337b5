package feeds

import (
	"testing"
)

func TestPlainText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"plain", "Hà Nội", "Hà Nội"},
		{"tags", "<p>Tin <b>nổi</b> bật</p>", "Tin nổi bật"},
		{"inline tags do not split words", "Vi<b>ệ</b>t H<sub>2</sub>O", "Việt H2O"},
		{"block elements separate words", "<p>một</p><p>hai</p>ba<br>bốn<br/>năm<div>sáu</div><ul><li>bảy</li><li>tám</li></ul><h2>chín</h2>mười", "một hai ba bốn năm sáu bảy tám chín mười"},
		{"entities", "Hà Nam &amp; Ninh Bình &lt;2025&gt; &quot;x&quot; &#7879; &#x1EC7;", "Hà Nam & Ninh Bình <2025> \"x\" ệ ệ"},
		{"double-encoded decoded once", "&amp;lt;b&amp;gt; &amp;amp;", "&lt;b&gt; &amp;"},
		{"entity-made tag stays text", "&lt;b&gt;đậm&lt;/b&gt;", "<b>đậm</b>"},
		{"script and style dropped", "a<script>var x = '<p>';</script>b<style>p{color:red}</style>c", "abc"},
		{"unclosed script drops the rest", "trước<script>alert(1)", "trước"},
		{"noscript and iframe", "a <noscript><img src=x></noscript><iframe>frame</iframe> b", "a b"},
		{"comments", "a<!-- <p>ẩn</p> -->b", "ab"},
		{"whitespace collapses", " \t a \n\n b\u00a0\u00a0c\u2003d\r\n ", "a b c d"},
		{"nbsp entity", "6&nbsp;tháng", "6 tháng"},
		{"control characters", "a\x00b\x1bc\u0085d\u200be\ufefff", "abc def"},
		{"invalid UTF-8", "a\xffb\xc3", "a\uFFFDb\uFFFD"},
		{"decomposed to NFC", "Vie\u0302\u0323t", "Việt"},
		{"windows-1258 style tone after precomposed base", "Vi\u00ea\u0323t", "Việt"},
		{"control char between base and mark", "e\x01\u0301", "é"},
		{"lone less-than", "1 < 2 và 3 > 2", "1 < 2 và 3 > 2"},
		{"less-than before digit", "<2025>", "<2025>"},
		{"attributes ignored", `<a href="https://x.vn/?a=1&amp;b=2" title="tiêu đề">liên kết</a>`, "liên kết"},
		{"truncated tag", "chữ <a href=", "chữ"},
		{"img becomes space", "ảnh<img src=a.jpg>chú thích", "ảnh chú thích"},
		{"MS Word markup", `<p class="MsoNormal">Văn<o:p></o:p> bản</p>`, "Văn bản"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := PlainText(tt.in); got != tt.want {
				t.Errorf("PlainText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestSummarize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		max  int
		want string
	}{
		{"fits", "Hà Nội", 6, "Hà Nội"},
		{"fits exactly in runes, not bytes", "Đảng bộ", 7, "Đảng bộ"},
		{"cut at word", "một hai ba bốn", 10, "một hai…"},
		{"space right after the cut", "một hai ba", 8, "một hai…"},
		{"trailing punctuation trimmed", "một, hai; ba bốn năm", 10, "một, hai…"},
		{"trailing comma trimmed", "Hà Nội, Hải Phòng", 9, "Hà Nội…"},
		{"closing quote kept", "“Hà Nội” và Huế", 10, "“Hà Nội”…"},
		{"no space: hard cut", "Thànhphốbiểnxanh", 6, "Thành…"},
		{"no space except at start", " Thànhphố", 6, " Thàn…"},
		{"only punctuation", "!!!!!!!!!!", 5, "!!!!…"},
		{"max 1", "abc", 1, "…"},
		{"max 0", "abc", 0, ""},
		{"negative max", "abc", -3, ""},
		{"empty", "", 5, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Summarize(tt.in, tt.max); got != tt.want {
				t.Errorf("Summarize(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
			}
		})
	}
}

func TestResolveURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		base, ref, want string
	}{
		{"https://a.vn/rss/feed.xml", "bai.html", "https://a.vn/rss/bai.html"},
		{"https://a.vn/rss/feed.xml", "/bai.html", "https://a.vn/bai.html"},
		{"https://a.vn/rss/feed.xml", "../bai.html?x=1#y", "https://a.vn/bai.html?x=1#y"},
		{"https://a.vn/", "//cdn.vn/x", "https://cdn.vn/x"},
		{"", "https://a.vn/x", "https://a.vn/x"},
		{"", "HTTP://A.vn/x", "http://A.vn/x"},
		{"", "/x", ""},
		{"not a url", "/x", ""},
		{"ftp://a.vn/", "/x", ""},
		{"https://a.vn/", "javascript:alert(1)", ""},
		{"https://a.vn/", "mailto:a@a.vn", ""},
		{"https://a.vn/", "data:text/html,hi", ""},
		{"https://a.vn/", "  ", ""},
		{"https://a.vn/", "http://", ""},
		{"https://a.vn/", "https://a.vn/x\x7f", ""},
		{"https://a.vn/", "/tin\n-tuc", "https://a.vn/tin-tuc"},
		{"https://a.vn/", "/tiếng việt", "https://a.vn/ti%E1%BA%BFng%20vi%E1%BB%87t"},
	}
	for _, tt := range tests {
		t.Run(tt.base+" "+tt.ref, func(t *testing.T) {
			t.Parallel()
			if got := ResolveURL(tt.base, tt.ref); got != tt.want {
				t.Errorf("ResolveURL(%q, %q) = %q, want %q", tt.base, tt.ref, got, tt.want)
			}
		})
	}
}
