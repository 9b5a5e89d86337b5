package feeds

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"

	"loa/internal/golden"
)

// vietnameseTones are the five tone marks that windows-1258 writes as
// combining characters after the (possibly precomposed) base letter.
var vietnameseTones = map[rune]bool{
	'\u0300': true, '\u0301': true, '\u0303': true, '\u0309': true, '\u0323': true,
}

// encodeWindows1258 encodes UTF-8 text the way Vietnamese Windows software
// did: base letters with circumflex, breve or horn precomposed (â, ơ, ư...),
// tones as separate combining marks ("ệ" = "ê" + U+0323).
func encodeWindows1258(t *testing.T, s string) []byte {
	t.Helper()
	enc := charmap.Windows1258.NewEncoder()
	var out []byte
	for _, r := range norm.NFC.String(s) {
		var base, tones []rune
		for _, d := range norm.NFD.String(string(r)) {
			if vietnameseTones[d] {
				tones = append(tones, d)
			} else {
				base = append(base, d)
			}
		}
		b, err := enc.String(norm.NFC.String(string(base)) + string(tones))
		if err != nil {
			t.Fatalf("windows-1258 cannot encode %q: %v", r, err)
		}
		out = append(out, b...)
	}
	return out
}

func encodeWindows1252(t *testing.T, s string) []byte {
	t.Helper()
	b, err := charmap.Windows1252.NewEncoder().String(s)
	if err != nil {
		t.Fatalf("windows-1252: %v", err)
	}
	return []byte(b)
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// relabel replaces the XML declaration's encoding="UTF-8".
func relabel(t *testing.T, doc []byte, label string) []byte {
	t.Helper()
	const decl = `encoding="UTF-8"`
	if !bytes.Contains(doc, []byte(decl)) {
		t.Fatalf("document has no %s", decl)
	}
	return bytes.Replace(doc, []byte(decl), []byte(`encoding="`+label+`"`), 1)
}

// TestGeneratedFixtures checks that the committed legacy-encoding fixtures
// are their UTF-8 sources re-encoded (run with -update to rewrite them).
func TestGeneratedFixtures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		src, dst string
		gen      func(*testing.T, []byte) []byte
	}{
		{"vn_portal.xml", "vn_portal_windows1258.xml", func(t *testing.T, b []byte) []byte {
			return encodeWindows1258(t, string(relabel(t, b, "windows-1258")))
		}},
		{"western.xml", "western_iso88591.xml", func(t *testing.T, b []byte) []byte {
			// Declared ISO-8859-1 but holding windows-1252 bytes (€ is 0x80),
			// as real servers do; WHATWG reads the label as windows-1252.
			return encodeWindows1252(t, string(relabel(t, b, "ISO-8859-1")))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.dst, func(t *testing.T) {
			want := tt.gen(t, readTestdata(t, tt.src))
			golden.Check(t, filepath.Join("testdata", tt.dst), want)
			if utf8.Valid(want) {
				t.Fatalf("testdata/%s should not be valid UTF-8", tt.dst)
			}
		})
	}
}

func TestParseLegacyEncodingsMatchUTF8(t *testing.T) {
	t.Parallel()
	now := time.Date(2024, 7, 10, 0, 0, 0, 0, time.UTC)
	portal := readTestdata(t, "vn_portal.xml")
	portal1258 := readTestdata(t, "vn_portal_windows1258.xml")
	western := readTestdata(t, "western.xml")
	western1252 := readTestdata(t, "western_iso88591.xml")

	// The fixture really uses combining tone marks: "Đảng" is written
	// "Đ", "a", U+0309 (0xD2).
	if !bytes.Contains(portal1258, []byte{0xD0, 'a', 0xD2, 'n', 'g'}) {
		t.Fatal("windows-1258 fixture does not spell Đảng with a combining hook above")
	}

	tests := []struct {
		name        string
		utf8, other []byte
		wantInTitle string
	}{
		{"windows-1258", portal, portal1258, "Đảng bộ Khối"},
		{"windows-1258 lower-case label", portal, bytes.Replace(portal1258, []byte("windows-1258"), []byte("WINDOWS-1258"), 1), "Đảng bộ Khối"},
		{"cp1258 alias", portal, bytes.Replace(portal1258, []byte("windows-1258"), []byte("cp1258"), 1), "Đảng bộ Khối"},
		{"ISO-8859-1 with windows-1252 bytes", western, western1252, "Café Zürich – “Résumé”"},
		{"windows-1252", western, bytes.Replace(western1252, []byte("ISO-8859-1"), []byte("windows-1252"), 1), "Café Zürich"},
		{"single-quoted label", western, bytes.Replace(western1252, []byte(`encoding="ISO-8859-1"`), []byte(`encoding='latin1'`), 1), "Café Zürich"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			want, err := Parse(tt.utf8, "https://example.vn/rss", now)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Parse(tt.other, "https://example.vn/rss", now)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("legacy-encoded feed differs from its UTF-8 twin:\n got %+v\nwant %+v", got, want)
			}
			if !strings.Contains(got.Title, tt.wantInTitle) {
				t.Errorf("title %q does not contain %q", got.Title, tt.wantInTitle)
			}
			assertCleanFeed(t, got)
		})
	}
}

func TestParseVietnameseIsPrecomposed(t *testing.T) {
	t.Parallel()
	f, err := Parse(readTestdata(t, "vn_portal_windows1258.xml"), "", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	// "Việt"-style letters must be the precomposed code points, byte for byte.
	for _, want := range []string{"Đảng", "đẩy mạnh", "củng cố", "Nhà nước"} {
		if !strings.Contains(f.Items[0].Title, want) {
			t.Errorf("title %q lacks precomposed %q", f.Items[0].Title, want)
		}
	}
	if strings.ContainsRune(f.Items[0].Title, '\u0309') || strings.ContainsRune(f.Items[0].Summary, '\u0323') {
		t.Error("combining tone marks survived normalisation")
	}
}

func TestParseUndeclaredInvalidUTF8(t *testing.T) {
	t.Parallel()
	// windows-1252 bytes without any encoding declaration: not valid UTF-8.
	body := encodeWindows1252(t, strings.Replace(string(readTestdata(t, "western.xml")), ` encoding="UTF-8"`, "", 1))
	if utf8.Valid(body) {
		t.Fatal("test body should be invalid UTF-8")
	}
	t.Run("replacement characters", func(t *testing.T) {
		t.Parallel()
		f, err := Parse(body, "", time.Now())
		if err != nil {
			t.Fatalf("invalid UTF-8 should parse gracefully: %v", err)
		}
		assertCleanFeed(t, f)
		if !strings.Contains(f.Title, "Caf\uFFFD Z\uFFFDrich") {
			t.Errorf("title = %q, want U+FFFD for the bad bytes", f.Title)
		}
	})
	t.Run("charset from Content-Type", func(t *testing.T) {
		t.Parallel()
		f, err := parse(body, "", time.Now(), "windows-1252")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(f.Title, "Café Zürich") {
			t.Errorf("title = %q, want the windows-1252 decoding", f.Title)
		}
	})
	t.Run("Content-Type charset ignored for valid UTF-8", func(t *testing.T) {
		t.Parallel()
		f, err := parse(readTestdata(t, "vn_portal.xml"), "", time.Now(), "iso-8859-1")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(f.Title, "Đảng bộ") {
			t.Errorf("title = %q", f.Title)
		}
	})
}

func TestParseUnicodeBOMs(t *testing.T) {
	t.Parallel()
	now := time.Now()
	doc := readTestdata(t, "vn_portal.xml")
	want, err := Parse(doc, "", now)
	if err != nil {
		t.Fatal(err)
	}
	utf16 := func(big bool, bom bool, s string) []byte {
		var out []byte
		if bom {
			if big {
				out = append(out, 0xFE, 0xFF)
			} else {
				out = append(out, 0xFF, 0xFE)
			}
		}
		for _, r := range s {
			if r > 0xFFFF {
				t.Fatal("test text has no astral characters")
			}
			if big {
				out = append(out, byte(r>>8), byte(r))
			} else {
				out = append(out, byte(r), byte(r>>8))
			}
		}
		return out
	}
	utf16Doc := string(relabel(t, doc, "UTF-16"))
	tests := map[string][]byte{
		"UTF-8 BOM":          append([]byte{0xEF, 0xBB, 0xBF}, doc...),
		"UTF-16BE BOM":       utf16(true, true, utf16Doc),
		"UTF-16LE BOM":       utf16(false, true, utf16Doc),
		"UTF-16LE, no BOM":   utf16(false, false, utf16Doc),
		"UTF-16 label lying": relabel(t, doc, "utf-16"),
		"unknown label":      relabel(t, doc, "x-no-such-charset"),
	}
	for name, body := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := Parse(body, "", now)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got %+v\nwant %+v", got, want)
			}
		})
	}
}

// assertCleanFeed checks the invariants every parsed feed must meet.
func assertCleanFeed(t *testing.T, f *Feed) {
	t.Helper()
	texts := []string{f.Title, f.Link}
	for _, it := range f.Items {
		texts = append(texts, it.Title, it.Summary, it.Link, it.GUID)
		if len(it.Key) != 64 || strings.Trim(it.Key, "0123456789abcdef") != "" {
			t.Errorf("key %q is not 64 hex characters", it.Key)
		}
		if n := utf8.RuneCountInString(it.Summary); n > SummaryMaxRunes {
			t.Errorf("summary has %d runes", n)
		}
		if it.Published.Location() != time.UTC {
			t.Errorf("published %v is not in UTC", it.Published)
		}
	}
	for _, s := range texts {
		if !utf8.ValidString(s) {
			t.Errorf("invalid UTF-8 in %q", s)
		}
		if !norm.NFC.IsNormalString(s) {
			t.Errorf("not NFC: %q", s)
		}
	}
}
