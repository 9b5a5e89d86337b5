package calendar

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"loa/internal/shared"
)

// vectorsFile is the shared cross-check data, read in place: it is not ours to copy.
const vectorsFile = "testdata/lunar-vectors.json"

type lunarVector struct {
	Solar [4]int `json:"solar"` // day, month, year, tz
	Lunar [4]int `json:"lunar"` // day, month, year, leap
}

// loadVectors reads the shared vectors. They sit beside CI's checkout, not in the
// repository, so a fresh clone skips this cross-check with its reason (the project's own
// facts in TestLunarKnownDates always run); under CI=true their absence fails the run.
func loadVectors(t testing.TB) []lunarVector {
	t.Helper()
	b, ok := shared.Read(t, vectorsFile)
	if !ok {
		t.Skip("the lunar cross-check needs the shared vectors")
	}
	var vs []lunarVector
	if err := json.Unmarshal(b, &vs); err != nil {
		t.Fatalf("decode %s: %v", vectorsFile, err)
	}
	if len(vs) != 5000 {
		t.Fatalf("%s: %d vectors, want 5000", vectorsFile, len(vs))
	}
	return vs
}

func TestLunarVectors(t *testing.T) {
	t.Parallel()
	vs := loadVectors(t)
	var leaps, fails int
	for _, v := range vs {
		if v.Solar[3] != VietnamUTCOffset {
			t.Fatalf("vector %v: time zone %d, want 7", v, v.Solar[3])
		}
		solar := Date{Year: v.Solar[2], Month: time.Month(v.Solar[1]), Day: v.Solar[0]}
		want := LunarDate{Day: v.Lunar[0], Month: v.Lunar[1], Year: v.Lunar[2], Leap: v.Lunar[3] == 1}
		if want.Leap {
			leaps++
		}
		if got := SolarToLunar(solar.Year, solar.Month, solar.Day); got != want {
			t.Errorf("SolarToLunar(%s) = %+v, want %+v", solar, got, want)
			fails++
		}
		if got, err := LunarToSolar(want); err != nil || got != solar {
			t.Errorf("LunarToSolar(%+v) = %s, %v; want %s", want, got, err, solar)
			fails++
		}
		if fails > 20 {
			t.Fatal("too many failures")
		}
	}
	if leaps != 158 {
		t.Errorf("%d vectors in leap months, want 158", leaps)
	}
}

func TestLunarKnownDates(t *testing.T) {
	t.Parallel()
	tests := []struct {
		solar Date
		lunar LunarDate
	}{
		{Date{2024, 2, 10}, LunarDate{1, 1, 2024, false}},  // Tết Giáp Thìn
		{Date{2025, 1, 29}, LunarDate{1, 1, 2025, false}},  // Tết Ất Tỵ
		{Date{1985, 1, 21}, LunarDate{1, 1, 1985, false}},  // Tết Ất Sửu (China: 20/2)
		{Date{2007, 2, 17}, LunarDate{1, 1, 2007, false}},  // Tết Đinh Hợi (China: 18/2)
		{Date{2026, 2, 17}, LunarDate{1, 1, 2026, false}},  // Tết Bính Ngọ
		{Date{2000, 2, 5}, LunarDate{1, 1, 2000, false}},   // Tết Canh Thìn
		{Date{1900, 1, 31}, LunarDate{1, 1, 1900, false}},  // Tết Canh Tý
		{Date{2024, 4, 18}, LunarDate{10, 3, 2024, false}}, // Giỗ Tổ 2024
		{Date{2025, 4, 7}, LunarDate{10, 3, 2025, false}},  // Giỗ Tổ 2025
		{Date{2025, 8, 10}, LunarDate{17, 6, 2025, true}},  // leap month 6
		{Date{2025, 7, 25}, LunarDate{1, 6, 2025, true}},   // first day of leap 6
		{Date{2025, 7, 24}, LunarDate{30, 6, 2025, false}}, // last day of regular 6
		{Date{2023, 3, 22}, LunarDate{1, 2, 2023, true}},   // leap month 2 of 2023
		{Date{2025, 1, 28}, LunarDate{29, 12, 2024, false}},
		{Date{2024, 12, 31}, LunarDate{1, 12, 2024, false}},
	}
	for _, tt := range tests {
		t.Run(tt.solar.String(), func(t *testing.T) {
			t.Parallel()
			if got := tt.solar.Lunar(); got != tt.lunar {
				t.Errorf("SolarToLunar(%s) = %+v, want %+v", tt.solar, got, tt.lunar)
			}
			got, err := LunarToSolar(tt.lunar)
			if err != nil || got != tt.solar {
				t.Errorf("LunarToSolar(%+v) = %s, %v; want %s", tt.lunar, got, err, tt.solar)
			}
		})
	}
}

func TestTetAcrossYears(t *testing.T) {
	t.Parallel()
	tests := []struct {
		year   int
		tet    Date
		canChi string
	}{
		{1985, Date{1985, 1, 21}, "Ất Sửu"},
		{2000, Date{2000, 2, 5}, "Canh Thìn"},
		{2020, Date{2020, 1, 25}, "Canh Tý"},
		{2023, Date{2023, 1, 22}, "Quý Mão"},
		{2024, Date{2024, 2, 10}, "Giáp Thìn"},
		{2025, Date{2025, 1, 29}, "Ất Tỵ"},
		{2026, Date{2026, 2, 17}, "Bính Ngọ"},
		{2027, Date{2027, 2, 6}, "Đinh Mùi"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.year), func(t *testing.T) {
			t.Parallel()
			got, err := LunarToSolar(LunarDate{Day: 1, Month: 1, Year: tt.year})
			if err != nil || got != tt.tet {
				t.Errorf("Tết %d = %s, %v; want %s", tt.year, got, err, tt.tet)
			}
			if got := CanChi(tt.year); got != tt.canChi {
				t.Errorf("CanChi(%d) = %q, want %q", tt.year, got, tt.canChi)
			}
		})
	}
}

// TestTimeZoneMatters shows why the calendar is computed for UTC+7: in 1985 the
// Chinese (UTC+8) reckoning puts the new moon of January on the next day, which
// moves the solstice month and with it Tết by a whole month.
func TestTimeZoneMatters(t *testing.T) {
	t.Parallel()
	tet := func(c lunisolar, year int) Date {
		t.Helper()
		j, err := c.toJDN(LunarDate{Day: 1, Month: 1, Year: year})
		if err != nil {
			t.Fatalf("Tết %d at UTC%+g: %v", year, c.tz, err)
		}
		return dateOfJDN(j)
	}
	tests := []struct {
		year       int
		utc7, utc8 Date
	}{
		{1985, Date{1985, 1, 21}, Date{1985, 2, 20}},
		{2007, Date{2007, 2, 17}, Date{2007, 2, 18}},
		{2024, Date{2024, 2, 10}, Date{2024, 2, 10}},
	}
	for _, tt := range tests {
		if got := tet(lunisolar{tz: 7}, tt.year); got != tt.utc7 {
			t.Errorf("Tết %d at UTC+7 = %s, want %s", tt.year, got, tt.utc7)
		}
		if got := tet(lunisolar{tz: 8}, tt.year); got != tt.utc8 {
			t.Errorf("Tết %d at UTC+8 = %s, want %s", tt.year, got, tt.utc8)
		}
	}
	// The same shift moves the leap month: Vietnam's 1985 has a leap month 2,
	// China's 1984 a leap month 10.
	if got := (lunisolar{tz: 7}).leapMonth(1984); got != 0 {
		t.Errorf("UTC+7 leap month of 1984 = %d, want 0", got)
	}
	if got := (lunisolar{tz: 7}).leapMonth(1985); got != 2 {
		t.Errorf("UTC+7 leap month of 1985 = %d, want 2", got)
	}
	if got := (lunisolar{tz: 8}).leapMonth(1984); got != 10 {
		t.Errorf("UTC+8 leap month of 1984 = %d, want 10", got)
	}
}

func TestLeapMonths(t *testing.T) {
	t.Parallel()
	tests := []struct{ year, leap int }{
		{2017, 6}, {2020, 4}, {2023, 2}, {2024, 0}, {2025, 6}, {2028, 5}, {2031, 3}, {2033, 11}, {1984, 0}, {1985, 2}, {2014, 9}, {1900, 8},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.year), func(t *testing.T) {
			t.Parallel()
			if got := LeapMonth(tt.year); got != tt.leap {
				t.Errorf("LeapMonth(%d) = %d, want %d", tt.year, got, tt.leap)
			}
			if tt.leap == 0 {
				return
			}
			// The leap month follows the regular month of the same number.
			reg, err1 := LunarToSolar(LunarDate{Day: 1, Month: tt.leap, Year: tt.year})
			leap, err2 := LunarToSolar(LunarDate{Day: 1, Month: tt.leap, Year: tt.year, Leap: true})
			n, err3 := MonthLength(tt.year, tt.leap, false)
			if err := errors.Join(err1, err2, err3); err != nil {
				t.Fatal(err)
			}
			if leap.Sub(reg) != n {
				t.Errorf("leap month %d/%d starts %s, %d days after the regular one (%s), want %d", tt.leap, tt.year, leap, leap.Sub(reg), reg, n)
			}
		})
	}
}

// TestLunarRoundTrip walks every day of 1900–2199 and checks that months are
// numbered without gaps, have 29 or 30 days, and convert back.
func TestLunarRoundTrip(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("walks 300 years day by day")
	}
	first := Date{1900, 1, 1}
	last := Date{2199, 12, 31}
	prev := first.Lunar()
	leapCount := map[int]int{}
	for d := first.AddDays(1); !d.After(last); d = d.AddDays(1) {
		l := d.Lunar()
		if l.Day != 1 {
			if l.Day != prev.Day+1 || l.Month != prev.Month || l.Year != prev.Year || l.Leap != prev.Leap {
				t.Fatalf("%s: %+v follows %+v", d, l, prev)
			}
		} else {
			if prev.Day != 29 && prev.Day != 30 {
				t.Fatalf("%s: month before %+v ended on day %d", d, l, prev.Day)
			}
			switch {
			case l.Leap:
				leapCount[l.Year]++
				if l.Month != prev.Month || prev.Leap {
					t.Fatalf("%s: leap month %+v follows %+v", d, l, prev)
				}
			case l.Month == 1:
				if prev.Month != 12 || l.Year != prev.Year+1 {
					t.Fatalf("%s: Tết %+v follows %+v", d, l, prev)
				}
			default:
				if l.Month != prev.Month+1 || l.Year != prev.Year {
					t.Fatalf("%s: %+v follows %+v", d, l, prev)
				}
			}
			n, err := MonthLength(prev.Year, prev.Month, prev.Leap)
			if err != nil || n != prev.Day {
				t.Fatalf("MonthLength(%+v) = %d, %v; want %d", prev, n, err, prev.Day)
			}
		}
		if d.Day == 15 { // converting back every day is slow; a sample per month will do
			if back, err := LunarToSolar(l); err != nil || back != d {
				t.Fatalf("LunarToSolar(%+v) = %s, %v; want %s", l, back, err, d)
			}
		}
		prev = l
	}
	for y, n := range leapCount {
		if n != 1 || LeapMonth(y) == 0 {
			t.Errorf("lunar year %d: %d leap months, LeapMonth = %d", y, n, LeapMonth(y))
		}
	}
	if len(leapCount) < 100 || len(leapCount) > 120 {
		t.Errorf("%d leap years in 300 years, want about 110", len(leapCount))
	}
}

func TestLunarToSolarErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		l    LunarDate
	}{
		{"leap month the year lacks", LunarDate{Day: 1, Month: 6, Year: 2024, Leap: true}},
		{"leap 2 in 2025", LunarDate{Day: 1, Month: 2, Year: 2025, Leap: true}},
		{"day 30 of a 29-day month", LunarDate{Day: 30, Month: 12, Year: 2024}},
		{"day 0", LunarDate{Day: 0, Month: 1, Year: 2024}},
		{"day 31", LunarDate{Day: 31, Month: 1, Year: 2024}},
		{"month 13", LunarDate{Day: 1, Month: 13, Year: 2024}},
		{"month 0", LunarDate{Day: 1, Month: 0, Year: 2024}},
		{"year 0", LunarDate{Day: 1, Month: 1, Year: 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, err := LunarToSolar(tt.l)
			if !errors.Is(err, ErrNoSuchLunarDate) {
				t.Errorf("LunarToSolar(%+v) = %s, %v; want ErrNoSuchLunarDate", tt.l, d, err)
			}
		})
	}
	if n, err := MonthLength(2024, 12, false); err != nil || n != 29 {
		t.Errorf("MonthLength(2024, 12) = %d, %v; want 29 (Tết 2025 is on 29/1)", n, err)
	}
}

func TestLunarDateString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		l    LunarDate
		want string
	}{
		{LunarDate{10, 3, 2024, false}, "mùng 10 tháng 3 âm lịch"},
		{LunarDate{1, 1, 2024, false}, "mùng 1 tháng Giêng âm lịch"},
		{LunarDate{11, 1, 2024, false}, "ngày 11 tháng Giêng âm lịch"},
		{LunarDate{23, 12, 2024, false}, "ngày 23 tháng Chạp âm lịch"},
		{LunarDate{17, 6, 2025, true}, "ngày 17 tháng 6 nhuận âm lịch"},
		{LunarDate{2, 2, 2023, true}, "mùng 2 tháng 2 nhuận âm lịch"},
	}
	for _, tt := range tests {
		if got := tt.l.String(); got != tt.want {
			t.Errorf("%+v.String() = %q, want %q", tt.l, got, tt.want)
		}
	}
	if got, want := (LunarDate{1, 1, 2024, false}).LongString(), "mùng 1 tháng Giêng năm Giáp Thìn (2024) âm lịch"; got != want {
		t.Errorf("LongString = %q, want %q", got, want)
	}
}

func TestCanChi(t *testing.T) {
	t.Parallel()
	tests := map[int]string{
		1945: "Ất Dậu", 1975: "Ất Mão", 1984: "Giáp Tý", 1985: "Ất Sửu", 2000: "Canh Thìn",
		2024: "Giáp Thìn", 2025: "Ất Tỵ", 2026: "Bính Ngọ", 2043: "Quý Hợi", 2044: "Giáp Tý",
		1900: "Canh Tý", 2199: "Kỷ Hợi", 4: "Giáp Tý", 3: "Quý Hợi",
	}
	for y, want := range tests {
		if got := CanChi(y); got != want {
			t.Errorf("CanChi(%d) = %q, want %q", y, got, want)
		}
	}
}

func BenchmarkSolarToLunar(b *testing.B) {
	d := Date{1950, 1, 1}
	for b.Loop() {
		SolarToLunar(d.Year, d.Month, d.Day)
		d = d.AddDays(17)
		if d.Year > 2150 {
			d = Date{1950, 1, 1}
		}
	}
}

func BenchmarkLunarToSolar(b *testing.B) {
	l := LunarDate{Day: 10, Month: 3, Year: 1950}
	for b.Loop() {
		if _, err := LunarToSolar(l); err != nil {
			b.Fatal(err)
		}
		l.Year++
		if l.Year > 2150 {
			l.Year = 1950
		}
	}
}
