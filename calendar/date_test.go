package calendar

import (
	"encoding/json"
	"errors"
	"testing"
	"time"
	_ "time/tzdata" // Asia/Ho_Chi_Minh without relying on the host's zoneinfo
)

func TestParseDate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want Date
	}{
		{"2024-06-05", Date{2024, 6, 5}},
		{"5/6/2024", Date{2024, 6, 5}},
		{"05/06/2024", Date{2024, 6, 5}},
		{" 2/9/1945 ", Date{1945, 9, 2}},
		{"2024-6-5", Date{2024, 6, 5}},
		{"29/2/2024", Date{2024, 2, 29}},
		{"2000-02-29", Date{2000, 2, 29}},
		{"31/12/9999", Date{9999, 12, 31}},
		{"0001-01-01", Date{1, 1, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := ParseDate(tt.in)
			if err != nil || got != tt.want {
				t.Errorf("ParseDate(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestParseDateErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, wantMsg string }{
		{"", `parse date "": invalid date: want YYYY-MM-DD or d/m/yyyy`},
		{"hôm nay", `parse date "hôm nay": invalid date: want YYYY-MM-DD or d/m/yyyy`},
		{"29/2/2025", `parse date "29/2/2025": invalid date: February 2025 has no day 29`},
		{"2025-02-29", `parse date "2025-02-29": invalid date: February 2025 has no day 29`},
		{"31/4/2024", `parse date "31/4/2024": invalid date: April 2024 has no day 31`},
		{"5/13/2024", `parse date "5/13/2024": invalid date: month 13 outside 1–12`},
		{"2024-13-01", `parse date "2024-13-01": invalid date: month 13 outside 1–12`},
		{"0/6/2024", `parse date "0/6/2024": invalid date: June 2024 has no day 0`},
		{"0000-01-01", `parse date "0000-01-01": invalid date: year 0 outside 1–9999`},
		{"6/5/24", `parse date "6/5/24": invalid date: want d/m/yyyy or YYYY-MM-DD`},
		{"24-06-05", `parse date "24-06-05": invalid date: want YYYY-MM-DD or d/m/yyyy`},
		{"2024-06-05T00:00", `parse date "2024-06-05T00:00": invalid date: want YYYY-MM-DD or d/m/yyyy`},
		{"+5/6/2024", `parse date "+5/6/2024": invalid date: want YYYY-MM-DD or d/m/yyyy`},
		{"5/6/2024/1", `parse date "5/6/2024/1": invalid date: want d/m/yyyy or YYYY-MM-DD`},
		{"2024-006-05", `parse date "2024-006-05": invalid date: want YYYY-MM-DD or d/m/yyyy`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			d, err := ParseDate(tt.in)
			if !errors.Is(err, ErrInvalidDate) {
				t.Fatalf("ParseDate(%q) = %v, %v; want ErrInvalidDate", tt.in, d, err)
			}
			if err.Error() != tt.wantMsg {
				t.Errorf("ParseDate(%q) error\n got %s\nwant %s", tt.in, err, tt.wantMsg)
			}
		})
	}
}

// TestDateInLocalMidnight: half past midnight in Hanoi is already the new day
// there while UTC is still on the previous one; the anniversary is local.
func TestDateInLocalMidnight(t *testing.T) {
	t.Parallel()
	hcm, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2024, 6, 5, 0, 30, 0, 0, hcm)
	if got, want := DateIn(now, time.UTC), (Date{2024, 6, 4}); got != want {
		t.Errorf("DateIn(%s, UTC) = %s, want %s", now, got, want)
	}
	today := DateIn(now, hcm)
	if want := (Date{2024, 6, 5}); today != want {
		t.Fatalf("DateIn(%s, Asia/Ho_Chi_Minh) = %s, want %s", now, today, want)
	}
	if got := DateIn(now.UTC(), hcm); got != today {
		t.Errorf("DateIn depends on t's own location: %s", got)
	}
	events, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	occs := Occurrences(events, today, today)
	if len(occs) != 1 || occs[0].Event.Slug != "bac-ho-ra-di-tim-duong-cuu-nuoc" || occs[0].Years != 113 {
		t.Fatalf("occurrences on %s = %+v, want Bác Hồ's 113th", today, occs)
	}
	if occs := Occurrences(events, DateIn(now, time.UTC), DateIn(now, time.UTC)); len(occs) != 0 {
		t.Errorf("occurrences on 4/6 = %+v, want none", occs)
	}
	// The other edge of the local day: 23:59 is still 5/6 (16:59 UTC).
	late := time.Date(2024, 6, 5, 23, 59, 0, 0, hcm)
	if got := DateIn(late, hcm); got != today {
		t.Errorf("DateIn(23:59 local) = %s, want %s", got, today)
	}
	if got := today.In(hcm); !got.Equal(time.Date(2024, 6, 4, 17, 0, 0, 0, time.UTC)) {
		t.Errorf("Date.In(hcm) = %s, want local midnight (17:00 UTC the day before)", got)
	}
}

func TestDateArithmetic(t *testing.T) {
	t.Parallel()
	d := Date{2024, 2, 28}
	if got := d.AddDays(1); got != (Date{2024, 2, 29}) {
		t.Errorf("AddDays(1) = %s", got)
	}
	if got := (Date{2025, 2, 28}).AddDays(1); got != (Date{2025, 3, 1}) {
		t.Errorf("AddDays(1) = %s", got)
	}
	if got := (Date{2025, 1, 3}).AddDays(-7); got != (Date{2024, 12, 27}) {
		t.Errorf("AddDays(-7) = %s", got)
	}
	if got := (Date{2025, 9, 2}).Sub(Date{2025, 8, 26}); got != 7 {
		t.Errorf("Sub = %d", got)
	}
	if got := (Date{2024, 6, 5}).Weekday(); got != time.Wednesday {
		t.Errorf("Weekday = %s", got)
	}
	if !(Date{2024, 6, 5}).Before(Date{2024, 6, 6}) || !(Date{2024, 7, 1}).After(Date{2024, 6, 30}) || (Date{2024, 1, 1}).Compare(Date{2024, 1, 1}) != 0 {
		t.Error("Compare is wrong")
	}
	if got := (Date{2024, 6, 5}).DMY(); got != "5/6/2024" {
		t.Errorf("DMY = %q", got)
	}
	if got := (Date{2024, 6, 5}).String(); got != "2024-06-05" {
		t.Errorf("String = %q", got)
	}
	if (Date{}).Valid() || !(Date{}).IsZero() || (Date{2025, 2, 29}).Valid() {
		t.Error("Valid is wrong")
	}
}

func TestDateJSON(t *testing.T) {
	t.Parallel()
	type doc struct {
		Solar Date      `json:"solar"`
		Lunar LunarDate `json:"lunar"`
	}
	d := Date{2025, 8, 10}
	b, err := json.Marshal(doc{d, d.Lunar()})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"solar":"2025-08-10","lunar":{"day":17,"month":6,"year":2025,"leap":true}}`
	if string(b) != want {
		t.Errorf("JSON = %s, want %s", b, want)
	}
	var back doc
	if err := json.Unmarshal([]byte(`{"solar":"10/8/2025"}`), &back); err != nil || back.Solar != d {
		t.Errorf("Unmarshal = %v, %v", back.Solar, err)
	}
	if _, err := json.Marshal(Date{}); err == nil {
		t.Error("the zero Date marshalled without error")
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2024-06-05", "5/6/2024", "29/2/2024", "31/2/2024", "", "1/1/0001", "9999-12-31", "--", "//", "1/1/1", "+1/-1/2024", "2024-1-1 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidDate) {
				t.Fatalf("ParseDate(%q): error %v does not wrap ErrInvalidDate", s, err)
			}
			return
		}
		if !d.Valid() {
			t.Fatalf("ParseDate(%q) = %+v, not a valid date", s, d)
		}
		for _, again := range []string{d.String(), d.DMY()} {
			if back, err := ParseDate(again); err != nil || back != d {
				t.Fatalf("ParseDate(%q) = %v, %v; want %v (from %q)", again, back, err, d, s)
			}
		}
		if back := d.AddDays(1).AddDays(-1); back != d {
			t.Fatalf("AddDays round trip %v -> %v", d, back)
		}
	})
}

// TestLongTime: a time for a sentence is written in its own zone, with the weekday of
// that zone's day (00:30 in Vietnam is still the previous day in UTC).
func TestLongTime(t *testing.T) {
	t.Parallel()
	vn, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		t    time.Time
		want string
	}{
		{time.Date(2024, 6, 5, 7, 0, 0, 0, vn), "07:00, thứ Tư, ngày 5/6/2024"},
		{time.Date(2024, 6, 9, 0, 30, 0, 0, vn), "00:30, chủ nhật, ngày 9/6/2024"},
		{time.Date(2024, 6, 9, 0, 30, 0, 0, vn).UTC(), "17:30, thứ Bảy, ngày 8/6/2024"},
	} {
		if got := LongTime(tt.t); got != tt.want {
			t.Errorf("LongTime(%v) = %q; want %q", tt.t, got, tt.want)
		}
	}
}
