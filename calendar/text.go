package calendar

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// NoticeText words an occurrence the portal's way, on one line:
//
//	Kỷ niệm 113 năm Ngày Bác Hồ ra đi tìm đường cứu nước (5/6/1911 - 5/6/2024)
//	Kỷ niệm 80 năm (năm tròn) Ngày Quốc khánh … (2/9/1945 - 2/9/2025)
//	Kỷ niệm 55 năm (năm lẻ 5) Ngày … (30/4/1975 - 30/4/2030)
//	Còn 7 ngày nữa là đến kỷ niệm 80 năm (năm tròn) Ngày Quốc khánh … (2/9/1945 - 2/9/2025)
//	Giỗ Tổ Hùng Vương (mùng 10 tháng 3 âm lịch, tức 18/4/2024)
//	Tết Nguyên đán Giáp Thìn 2024 (mùng 1 tháng Giêng âm lịch, tức 10/2/2024)
//	Ngày Quốc tế Thiếu nhi (1/6/2024)
//
// The round label goes right after "N năm" so the title keeps reading as the
// portal writes it. Solar anniversaries show the original and this year's
// date; 29/2 observed on 28/2 shows both as they are (29/2/2000 - 28/2/2025).
// Lunar days show the lunar date actually observed and the solar date it falls
// on ("tức …"); with a founding year the years lead: "(1959 - 2024; mùng 10
// tháng 3 âm lịch, tức 18/4/2024)". Tết (lunar 1/1 without a founding year)
// carries the can-chi name and number of the new year.
func NoticeText(o Occurrence) string {
	var b strings.Builder
	if o.Advance {
		b.WriteString("Còn ")
		b.WriteString(strconv.Itoa(o.Anniversary.Sub(o.Date)))
		b.WriteString(" ngày nữa là đến ")
		if o.Years > 0 {
			b.WriteString("kỷ niệm ")
		}
	} else if o.Years > 0 {
		b.WriteString("Kỷ niệm ")
	}
	if o.Years > 0 {
		b.WriteString(strconv.Itoa(o.Years))
		b.WriteString(" năm ")
		if o.Round != "" {
			b.WriteString("(" + o.Round + ") ")
		}
	}
	b.WriteString(title(o))
	b.WriteString(" (")
	b.WriteString(span(o))
	b.WriteString(")")
	return b.String()
}

// title is the event's title, with the year's name for Tết.
func title(o Occurrence) string {
	e := o.Event
	if o.Lunar != nil && o.Years == 0 && e.Month == 1 && e.Day == 1 && !e.Leap {
		return e.Title + " " + CanChi(o.Lunar.Year) + " " + strconv.Itoa(o.Lunar.Year)
	}
	return e.Title
}

// span is what goes in the parentheses: the dates.
func span(o Occurrence) string {
	if o.Lunar != nil {
		s := o.Lunar.String() + ", tức " + o.Anniversary.DMY()
		if o.Years > 0 {
			s = strconv.Itoa(o.Event.FoundedYear) + " - " + strconv.Itoa(o.Lunar.Year) + "; " + s
		}
		return s
	}
	if f, ok := o.Event.Founded(); ok && o.Years > 0 {
		return f.DMY() + " - " + o.Anniversary.DMY()
	}
	return o.Anniversary.DMY()
}

// bannerRank orders categories in the banner: the organisation's own day
// first, as the portal does, then the province's, then the nation's.
func bannerRank(c Category) int {
	switch c {
	case Organisation:
		return 0
	case Province:
		return 1
	case National:
		return 2
	}
	return 3
}

// Banner writes the portal's greeting for the anniversaries among occs:
//
//	Nhiệt liệt chào mừng kỷ niệm 5 năm thành lập Đảng bộ … (17/7/2019 - 17/7/2024); 113 năm ngày Bác Hồ … (5/6/1911 - 5/6/2024); …
//
// Only anniversaries are greeted (Years > 0, not advance notices); days
// without a founding year such as Tết have their own notices. The order is the
// seed page's: the organisation's own anniversaries first, then the
// province's, then the nation's, each group in historical order (oldest
// founding date first). A title starting with "Ngày" is lowercased mid-sentence.
// Banner returns "" when there is nothing to greet.
func Banner(occs []Occurrence) string {
	var list []Occurrence
	for _, o := range occs {
		if !o.Advance && o.Years > 0 {
			list = append(list, o)
		}
	}
	if len(list) == 0 {
		return ""
	}
	slices.SortStableFunc(list, func(a, b Occurrence) int {
		return cmp.Or(
			cmp.Compare(bannerRank(a.Event.Category), bannerRank(b.Event.Category)),
			cmp.Compare(a.Event.FoundedYear, b.Event.FoundedYear),
			a.Anniversary.Compare(b.Anniversary),
			cmp.Compare(a.Event.Slug, b.Event.Slug),
		)
	})
	items := make([]string, len(list))
	for i, o := range list {
		items[i] = strconv.Itoa(o.Years) + " năm " + midSentence(title(o)) + " (" + span(o) + ")"
	}
	return "Nhiệt liệt chào mừng kỷ niệm " + strings.Join(items, "; ")
}

// midSentence lowercases a leading "Ngày", a common noun once inside a
// sentence; proper names keep their capitals.
func midSentence(s string) string {
	if rest, ok := strings.CutPrefix(s, "Ngày "); ok {
		return "ngày " + rest
	}
	return s
}
