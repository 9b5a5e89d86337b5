package calendar

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"
)

// VietnamUTCOffset is the time zone, in hours east of UTC, for which the
// Vietnamese lunar calendar is computed: the meridian of 105°E.
const VietnamUTCOffset = 7

// ErrNoSuchLunarDate is wrapped by LunarToSolar and MonthLength errors for a
// lunar date that does not exist: a leap month in a year without it, day 30 of
// a 29-day month, a month or day out of range.
var ErrNoSuchLunarDate = errors.New("no such lunar date")

// LunarDate is a date of the Vietnamese lunar calendar. Year is the lunar
// year, which starts at Tết: 25/1/2025 (solar) is 26 tháng Chạp of lunar 2024.
type LunarDate struct {
	Day   int  `json:"day"`
	Month int  `json:"month"`
	Year  int  `json:"year"`
	Leap  bool `json:"leap"`
}

// String writes the day and month the portal's way: "mùng 10 tháng 3 âm lịch",
// "ngày 15 tháng Giêng âm lịch", "ngày 17 tháng 6 nhuận âm lịch". Days 1–10
// are "mùng N"; month 1 is "tháng Giêng", month 12 "tháng Chạp".
func (l LunarDate) String() string {
	return l.dayName() + " " + l.MonthName() + " âm lịch"
}

// LongString is String with the year's can-chi name and number:
// "mùng 1 tháng Giêng năm Giáp Thìn (2024) âm lịch".
func (l LunarDate) LongString() string {
	return l.dayName() + " " + l.MonthName() + " năm " + CanChi(l.Year) + " (" + strconv.Itoa(l.Year) + ") âm lịch"
}

func (l LunarDate) dayName() string {
	if l.Day >= 1 && l.Day <= 10 {
		return "mùng " + strconv.Itoa(l.Day)
	}
	return "ngày " + strconv.Itoa(l.Day)
}

// MonthName names the month: "tháng Giêng", "tháng 3", "tháng Chạp",
// "tháng 6 nhuận".
func (l LunarDate) MonthName() string {
	var s string
	switch l.Month {
	case 1:
		s = "tháng Giêng"
	case 12:
		s = "tháng Chạp"
	default:
		s = "tháng " + strconv.Itoa(l.Month)
	}
	if l.Leap {
		s += " nhuận"
	}
	return s
}

// SolarToLunar returns the Vietnamese lunar date of a solar (Gregorian) date.
// Out-of-range month and day values are normalised as time.Date does
// (31/2 is 2 or 3 March).
func SolarToLunar(year int, month time.Month, day int) LunarDate {
	return vietnam.toLunar(jdnOf(year, month, day))
}

// LunarToSolar returns the solar date of a lunar date, or an error wrapping
// ErrNoSuchLunarDate when that lunar date does not exist (a leap month the year
// does not have, day 30 of a 29-day month, month or day out of range).
func LunarToSolar(l LunarDate) (Date, error) {
	j, err := vietnam.toJDN(l)
	if err != nil {
		return Date{}, err
	}
	return dateOfJDN(j), nil
}

// MonthLength returns the number of days, 29 or 30, of a lunar month, or an
// error wrapping ErrNoSuchLunarDate when the year has no such month.
func MonthLength(year, month int, leap bool) (int, error) {
	_, n, err := vietnam.month(year, month, leap)
	return n, err
}

// LeapMonth returns the number of the leap month of a lunar year (a leap month
// 6 follows the regular month 6), or 0 when the year has 12 months.
func LeapMonth(year int) int { return vietnam.leapMonth(year) }

var (
	heavenlyStems   = [10]string{"Giáp", "Ất", "Bính", "Đinh", "Mậu", "Kỷ", "Canh", "Tân", "Nhâm", "Quý"}
	earthlyBranches = [12]string{"Tý", "Sửu", "Dần", "Mão", "Thìn", "Tỵ", "Ngọ", "Mùi", "Thân", "Dậu", "Tuất", "Hợi"}
)

// CanChi returns the sexagenary (can-chi) name of a lunar year: 2024 is
// "Giáp Thìn", 2025 "Ất Tỵ". Year 4 was Giáp Tý.
func CanChi(lunarYear int) string {
	s := ((lunarYear-4)%10 + 10) % 10
	b := ((lunarYear-4)%12 + 12) % 12
	return heavenlyStems[s] + " " + earthlyBranches[b]
}

// vietnam is the calendar every exported function uses; other offsets exist
// only so tests can show why UTC+7 matters.
var vietnam = lunisolar{tz: VietnamUTCOffset}

// lunisolar computes a Chinese-style lunisolar calendar for a time zone given
// in hours east of UTC.
//
// Months are counted by k, the number of new moons after the one of
// 1900-01-01 (k = 0). A "sui" is the run of 12 or 13 months from one month 11
// (the month holding the December solstice) to the next; sui s starts with
// month 11 of lunar year s-1, so it holds months 11 and 12 of year s-1 and
// months 1 to 10 of year s.
type lunisolar struct {
	tz float64
}

// sui describes the months from month 11 of lunar year s-1 (k0) up to, not
// including, month 11 of lunar year s (k0+n).
type sui struct {
	s    int // the lunar year that starts inside it
	k0   int
	n    int // 12 or 13 months
	leap int // offset from k0 of the leap month, 0 when n == 12
}

// label names the month at offset i of the sui.
func (u sui) label(i int) (year, month int, leap bool) {
	if u.leap == 0 || i < u.leap {
		month = (i+10)%12 + 1 // offset 0 is month 11
	} else {
		month = (i+9)%12 + 1 // a leap month repeats the number before it
		leap = i == u.leap
	}
	year = u.s
	if month >= 11 { // only the first offsets carry 11 and 12
		year = u.s - 1
	}
	return year, month, leap
}

// offset finds the offset of a month in the sui, or -1.
func (u sui) offset(month int, leap bool) int {
	for i := 0; i < u.n; i++ {
		if _, m, l := u.label(i); m == month && l == leap {
			return i
		}
	}
	return -1
}

// newMoonDay returns the JDN of the local day of new moon k.
func (c lunisolar) newMoonDay(k int) int {
	return int(math.Floor(newMoon(k) + 0.5 + c.tz/24))
}

// majorTerm returns which 30° sector (0–11, 0 = from the March equinox) the
// sun is in at the local midnight that starts day j. A month from j1 to j2
// holds a major solar term exactly when majorTerm(j1) != majorTerm(j2).
func (c lunisolar) majorTerm(j int) int {
	return int(sunLongitude(float64(j)-0.5-c.tz/24) / 30)
}

// monthK returns the k of the lunar month holding day j.
func (c lunisolar) monthK(j int) int {
	k := int(math.Floor((float64(j) - 2415021.076998695) / synodicMonth))
	for c.newMoonDay(k) > j {
		k--
	}
	for c.newMoonDay(k+1) <= j {
		k++
	}
	return k
}

// month11 returns the k of month 11 of lunar year y: the month that holds the
// December solstice of solar year y.
func (c lunisolar) month11(y int) int {
	k := c.monthK(jdnOf(y, time.December, 31))
	// A month starting after the solstice (sun already past 270°) is month 12;
	// month 11 is the one before it.
	if c.majorTerm(c.newMoonDay(k)) >= 9 {
		k--
	}
	return k
}

// sui returns sui s; k0 and k1 are month11(s-1) and month11(s) when known
// (pass a value < 0 to have it computed).
func (c lunisolar) sui(s, k0, k1 int) sui {
	if k0 < 0 {
		k0 = c.month11(s - 1)
	}
	if k1 < 0 {
		k1 = c.month11(s)
	}
	u := sui{s: s, k0: k0, n: k1 - k0}
	if u.n == 13 {
		// The leap month is the first one after month 11 without a major term.
		// With 13 months and 12 terms one always exists; month 11 itself holds
		// the solstice, so the search starts at offset 1.
		prev := c.majorTerm(c.newMoonDay(k0 + 1))
		for i := 1; i < 13; i++ {
			next := c.majorTerm(c.newMoonDay(k0 + i + 1))
			if next == prev {
				u.leap = i
				break
			}
			prev = next
		}
	}
	return u
}

func (c lunisolar) toLunar(j int) LunarDate {
	y := dateOfJDN(j).Year
	k := c.monthK(j)
	var u sui
	if k11 := c.month11(y); k >= k11 {
		u = c.sui(y+1, k11, -1)
	} else {
		u = c.sui(y, -1, k11)
	}
	year, month, leap := u.label(k - u.k0)
	return LunarDate{Day: j - c.newMoonDay(k) + 1, Month: month, Year: year, Leap: leap}
}

// month returns the first day (JDN) and length of a lunar month.
func (c lunisolar) month(year, month int, leap bool) (start, length int, err error) {
	if month < 1 || month > 12 {
		return 0, 0, fmt.Errorf("%w: month %d outside 1–12", ErrNoSuchLunarDate, month)
	}
	if year < 1 || year > 9999 {
		return 0, 0, fmt.Errorf("%w: year %d outside 1–9999", ErrNoSuchLunarDate, year)
	}
	s := year
	if month >= 11 {
		s = year + 1
	}
	u := c.sui(s, -1, -1)
	i := u.offset(month, leap)
	if i < 0 {
		return 0, 0, fmt.Errorf("%w: lunar year %d (%s) has no leap month %d", ErrNoSuchLunarDate, year, CanChi(year), month)
	}
	start = c.newMoonDay(u.k0 + i)
	return start, c.newMoonDay(u.k0+i+1) - start, nil
}

func (c lunisolar) toJDN(l LunarDate) (int, error) {
	start, n, err := c.month(l.Year, l.Month, l.Leap)
	if err != nil {
		return 0, err
	}
	if l.Day < 1 || l.Day > n {
		return 0, fmt.Errorf("%w: %s năm %d has %d days, no day %d", ErrNoSuchLunarDate, LunarDate{Month: l.Month, Leap: l.Leap}.MonthName(), l.Year, n, l.Day)
	}
	return start + l.Day - 1, nil
}

func (c lunisolar) leapMonth(year int) int {
	// Leap months 1–10 of the year sit in sui(year) after its month 12; leap
	// 11 and 12 sit at the start of sui(year+1).
	if u := c.sui(year, -1, -1); u.leap >= 3 {
		_, m, _ := u.label(u.leap)
		return m
	}
	if u := c.sui(year+1, -1, -1); u.leap == 1 || u.leap == 2 {
		_, m, _ := u.label(u.leap)
		return m
	}
	return 0
}
