package botapi

import "testing"

func TestCleanText(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"a\r\nb\rc":            "a\nb\nc",
		"tab\there":            "tab here",
		"\uFEFFbom\x00\x07":    "bom",
		"bad \xff byte":        "bad \uFFFD byte",
		"Hà Nam & <Ninh Bình>": "Hà Nam & <Ninh Bình>",
	} {
		if got := CleanText(in); got != want {
			t.Errorf("CleanText(%q) = %q; want %q", in, got, want)
		}
	}
}

func TestTidyBody(t *testing.T) {
	t.Parallel()
	if got, want := TidyBody("  \nMột  \n\n\n\nHai\t \n\n"), "Một\n\nHai"; got != want {
		t.Errorf("TidyBody = %q; want %q", got, want)
	}
}

func TestCheckLink(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		" https://tinhuy.example.vn/tin?id=1&x=2 ": "https://tinhuy.example.vn/tin?id=1&x=2",
		"http://a.vn":                  "http://a.vn",
		"javascript:alert(1)":          "",
		"/relative/path":               "",
		"https://a.vn/có dấu cách":     "",
		"https:///no-host":             "",
		"ftp://files.example.vn/a.pdf": "",
		"":                             "",
	} {
		if got := CheckLink(in); got != want {
			t.Errorf("CheckLink(%q) = %q; want %q", in, got, want)
		}
	}
}
