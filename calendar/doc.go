// Package calendar knows which commemorative days fall on which dates and how
// the portal words them.
//
// It holds four things, all pure computation with no I/O beyond the readers and
// writers passed in:
//
//   - The Vietnamese lunar calendar (âm lịch), computed from the astronomical
//     rules rather than from tables: new moons and the sun's longitude follow
//     Jean Meeus' formulas (the same ones Hồ Ngọc Đức's article on the Vietnamese
//     calendar uses), evaluated for UTC+7, the meridian of 105°E. A month starts
//     on the local day of a new moon; month 11 is the month that holds the
//     December solstice; a year with 13 months between two months 11 makes the
//     first month without a major solar term (trung khí) the leap month, named
//     after the month before it. The Chinese calendar uses the same rules at
//     UTC+8 and so differs on some dates (Tết 1985: 21/1 in Vietnam, 20/2 in
//     China). The results are cross-checked for 1950–2099 and meant for
//     1900–2199. The North adopted the UTC+7 reckoning in 1968; dates for
//     earlier years are computed the same way, so they may differ from the
//     calendars printed at the time.
//   - Events (a solar or a lunar day and month, an optional founding year) and
//     their Occurrences in a range of civil Dates.
//   - The portal's wording: NoticeText for one occurrence, Banner for the
//     greeting line.
//   - The built-in list of commemorative days (an embedded CSV with a source per
//     row), CSV import and export, and iCalendar export.
//
// # Days that do not exist every year
//
//   - A solar event on 29/2 is observed on 28/2 in common years (the last day of
//     February, as the iCalendar export's BYMONTHDAY=-1 also says).
//   - A lunar event on day 30 is observed on day 29, the last day of the
//     month, in years when that month has only 29 days.
//   - A lunar event defined on a regular month happens on the regular month
//     only, never again in that year's leap month of the same number.
//   - A lunar event defined on a leap month happens on that leap month in the
//     years that have it, and on the regular month of the same number in all
//     other years.
//
// # Anniversaries
//
// The N-th anniversary is the year of the occurrence minus the founding year
// (lunar years for lunar events); nothing is announced in the founding year
// itself or before it. N % 10 == 0 is "năm tròn", otherwise N % 5 == 0 is
// "năm lẻ 5"; such round anniversaries also get an advance notice
// Event.AdvanceDays before the day (DefaultAdvanceDays when imported without a
// value; 0 turns it off).
//
// Everything here works on civil dates (Date): callers decide which day "today"
// is in their zone with DateIn, so no conversion hides a time-zone shift.
package calendar
