package calendar

import (
	"bufio"
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// icsProp is one unfolded content line.
type icsProp struct{ name, value string }

// parseICS is a small RFC 5545 reader: it checks the physical lines (CRLF,
// at most 75 octets, whole UTF-8 characters), unfolds them, and returns the
// VEVENTs as property lists with TEXT values unescaped.
func parseICS(t *testing.T, raw []byte) (calendar []icsProp, events [][]icsProp) {
	t.Helper()
	s := string(raw)
	if !strings.HasSuffix(s, "\r\n") {
		t.Fatal("output does not end with CRLF")
	}
	physical := strings.Split(strings.TrimSuffix(s, "\r\n"), "\r\n")
	var logical []string
	for i, l := range physical {
		if strings.ContainsAny(l, "\r\n") {
			t.Fatalf("line %d: bare CR or LF: %q", i+1, l)
		}
		if len(l) > 75 {
			t.Errorf("line %d: %d octets, more than 75: %q", i+1, len(l), l)
		}
		if !utf8.ValidString(l) {
			t.Errorf("line %d: folding split a UTF-8 character: %q", i+1, l)
		}
		if strings.HasPrefix(l, " ") {
			if len(logical) == 0 {
				t.Fatal("continuation line first")
			}
			logical[len(logical)-1] += l[1:]
			continue
		}
		logical = append(logical, l)
	}
	var cur []icsProp
	inEvent := false
	for _, l := range logical {
		name, value, ok := strings.Cut(l, ":")
		if !ok {
			t.Fatalf("no colon in %q", l)
		}
		p := icsProp{name, value}
		switch name {
		case "SUMMARY", "DESCRIPTION", "CATEGORIES", "X-WR-CALNAME":
			p.value = unescapeText(t, value)
		}
		switch {
		case l == "BEGIN:VEVENT":
			inEvent, cur = true, nil
		case l == "END:VEVENT":
			inEvent = false
			events = append(events, cur)
		case inEvent:
			cur = append(cur, p)
		default:
			calendar = append(calendar, p)
		}
	}
	return calendar, events
}

func unescapeText(t *testing.T, v string) string {
	t.Helper()
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == ';' || c == ',' {
			t.Errorf("unescaped %q in %q", c, v)
		}
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		i++
		if i == len(v) {
			t.Fatalf("dangling backslash in %q", v)
		}
		switch v[i] {
		case '\\', ';', ',':
			b.WriteByte(v[i])
		case 'n', 'N':
			b.WriteByte('\n')
		default:
			t.Fatalf("bad escape \\%c in %q", v[i], v)
		}
	}
	return b.String()
}

func get(props []icsProp, name string) string {
	for _, p := range props {
		if p.name == name {
			return p.value
		}
	}
	return ""
}

func TestWriteICS(t *testing.T) {
	t.Parallel()
	tricky := Event{Slug: "tricky", Kind: Solar, Day: 29, Month: 2, FoundedYear: 2000, Category: Organisation, Enabled: true,
		Title:  `Ngày thành lập Chi bộ "A", B; C\D – một tiêu đề rất dài để buộc phải gấp dòng ở giữa những chữ có dấu tiếng Việt`,
		Source: `Quyết định số 1; khoản 2, điểm a\b`}
	events := append(builtin(t), tricky)
	var buf bytes.Buffer
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.FixedZone("ICT", 7*3600))
	if err := WriteICS(&buf, events, ICSOptions{FromYear: 2024, ToYear: 2026, Now: now, Name: "Ngày kỷ niệm, Ninh Bình"}); err != nil {
		t.Fatal(err)
	}
	cal, vevents := parseICS(t, buf.Bytes())
	if get(cal, "VERSION") != "2.0" || get(cal, "PRODID") == "" || get(cal, "X-WR-CALNAME") != "Ngày kỷ niệm, Ninh Bình" {
		t.Errorf("calendar properties: %+v", cal)
	}
	solar, lunar := 0, 0
	uids := map[string]bool{}
	for _, e := range events {
		if e.Kind == Solar {
			solar++
		} else {
			lunar++
		}
	}
	byUID := map[string][]icsProp{}
	for _, ve := range vevents {
		uid := get(ve, "UID")
		if uid == "" || uids[uid] {
			t.Errorf("missing or repeated UID %q", uid)
		}
		uids[uid] = true
		byUID[uid] = ve
		if get(ve, "DTSTAMP") != "20250101T200405Z" {
			t.Errorf("%s: DTSTAMP %q", uid, get(ve, "DTSTAMP"))
		}
	}
	// Solar events recur; lunar ones are dated per year (2 lunar events × 3 years).
	if want := solar + lunar*3; len(vevents) != want {
		t.Errorf("%d VEVENTs, want %d", len(vevents), want)
	}

	tr := byUID["tricky@loa"]
	if get(tr, "SUMMARY") != tricky.Title {
		t.Errorf("SUMMARY round trip:\n got %q\nwant %q", get(tr, "SUMMARY"), tricky.Title)
	}
	if want := "Ngày gốc: 29/2/2000\nNguồn: Quyết định số 1; khoản 2, điểm a\\b"; get(tr, "DESCRIPTION") != want {
		t.Errorf("DESCRIPTION = %q, want %q", get(tr, "DESCRIPTION"), want)
	}
	if get(tr, "RRULE") != "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1" || get(tr, "DTSTART;VALUE=DATE") != "20240229" {
		t.Errorf("29/2 recurrence: %+v", tr)
	}
	qk := byUID["quoc-khanh@loa"]
	if get(qk, "RRULE") != "FREQ=YEARLY" || get(qk, "DTSTART;VALUE=DATE") != "20240902" || get(qk, "DTEND;VALUE=DATE") != "20240903" {
		t.Errorf("quoc-khanh: %+v", qk)
	}
	if nb := byUID["thanh-lap-tinh-ninh-binh-2025@loa"]; get(nb, "DTSTART;VALUE=DATE") != "20260701" {
		t.Errorf("the 2025 province starts recurring at its first anniversary: %+v", nb)
	}
	gt := byUID["gio-to-hung-vuong-2024@loa"]
	if get(gt, "DTSTART;VALUE=DATE") != "20240418" || get(gt, "RRULE") != "" ||
		get(gt, "SUMMARY") != "Giỗ Tổ Hùng Vương (mùng 10 tháng 3 âm lịch, tức 18/4/2024)" {
		t.Errorf("gio-to 2024: %+v", gt)
	}
	if tet := byUID["tet-nguyen-dan-2026@loa"]; get(tet, "DTSTART;VALUE=DATE") != "20260217" {
		t.Errorf("Tết 2026: %+v", tet)
	}
	// The raw text carries the escapes.
	if raw := strings.ReplaceAll(buf.String(), "\r\n ", ""); !strings.Contains(raw, `SUMMARY:Ngày thành lập Chi bộ "A"\, B\; C\\D`) {
		t.Errorf("escaped summary not found in output")
	}
}

func TestICSFolding(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 60, 74, 75, 76, 149, 150, 300} {
		for _, unit := range []string{"a", "ệ", "😀"} {
			var buf bytes.Buffer
			iw := &icsWriter{w: bufioWriter(&buf)}
			value := strings.Repeat(unit, n)
			iw.line("SUMMARY", value)
			if err := iw.w.Flush(); err != nil {
				t.Fatal(err)
			}
			out := buf.String()
			for _, l := range strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n") {
				if len(l) > 75 || !utf8.ValidString(l) {
					t.Errorf("%d×%q: bad physical line %q", n, unit, l)
				}
			}
			unfolded := strings.ReplaceAll(out, "\r\n ", "")
			if unfolded != "SUMMARY:"+value+"\r\n" {
				t.Errorf("%d×%q: unfolds to %q", n, unit, unfolded)
			}
		}
	}
}

func TestWriteICSBadRange(t *testing.T) {
	t.Parallel()
	if err := WriteICS(&bytes.Buffer{}, nil, ICSOptions{FromYear: 2026, ToYear: 2025}); err == nil {
		t.Error("WriteICS accepted an empty year range")
	}
}

func bufioWriter(b *bytes.Buffer) *bufio.Writer { return bufio.NewWriter(b) }
