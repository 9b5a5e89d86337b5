package botapi

import "testing"

// TestTextCleaning: what feeds send is made fit for a chat (CleanText, then TidyBody
// for a summary), and only absolute http(s) links are kept (CheckLink).
func TestTextCleaning(t *testing.T) {
	t.Parallel()
	body := func(s string) string { return TidyBody(CleanText(s)) }
	for _, tt := range []struct {
		name    string
		f       func(string) string
		in, out string
	}{
		{"line ends", CleanText, "a\r\nb\rc", "a\nb\nc"},
		{"tab", CleanText, "tab\there", "tab here"},
		{"controls and BOM", CleanText, "\uFEFFbom\x00\x07", "bom"},
		{"broken byte", CleanText, "bad \xff byte", "bad \uFFFD byte"},
		{"markup kept", CleanText, "Hà Nam & <Ninh Bình>", "Hà Nam & <Ninh Bình>"},
		{"body", body, "  \nMột  \r\n\n\n\nHai\t \n\n", "Một\n\nHai"},
		{"link", CheckLink, " https://tinhuy.example.vn/tin?id=1&x=2 ", "https://tinhuy.example.vn/tin?id=1&x=2"},
		{"plain http", CheckLink, "http://a.vn", "http://a.vn"},
		{"script", CheckLink, "javascript:alert(1)", ""},
		{"relative", CheckLink, "/relative/path", ""},
		{"space inside", CheckLink, "https://a.vn/có dấu cách", ""},
		{"no host", CheckLink, "https:///no-host", ""},
		{"ftp", CheckLink, "ftp://files.example.vn/a.pdf", ""},
		{"empty", CheckLink, "", ""},
	} {
		if got := tt.f(tt.in); got != tt.out {
			t.Errorf("%s: %q gives %q; want %q", tt.name, tt.in, got, tt.out)
		}
	}
}
