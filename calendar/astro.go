package calendar

import "math"

// The astronomy behind the lunar calendar: the instant of a new moon and the
// sun's longitude, after Jean Meeus (the truncated series of "Astronomical
// Formulae for Calculators" for the new moon, "Astronomical Algorithms"
// ch. 25 for the sun), as Hồ Ngọc Đức's article on the Vietnamese calendar
// describes them. Accuracy is a few minutes, enough for whole days. A more
// precise model could move a new moon that falls within minutes of local
// midnight to the other day, and disagree with the published tables (and the
// shared cross-check vectors) that use these formulas; so these are kept.

// synodicMonth is the mean length of a lunation in days.
const synodicMonth = 29.530588853

func sinDeg(x float64) float64 { return math.Sin(x * math.Pi / 180) }

// newMoon returns the instant of new moon k (k = 0 is the new moon of
// 1900-01-01) as a Julian Date in Universal Time.
func newMoon(k int) float64 {
	kf := float64(k)
	t := kf / 1236.85 // Julian centuries since 1900 January 0.5
	t2 := t * t
	t3 := t2 * t
	// Mean new moon, with the small long-period term.
	jd := 2415020.75933 + 29.53058868*kf + 0.0001178*t2 - 0.000000155*t3 +
		0.00033*sinDeg(166.56+132.87*t-0.009173*t2)
	m := 359.2242 + 29.10535608*kf - 0.0000333*t2 - 0.00000347*t3   // sun's mean anomaly
	mp := 306.0253 + 385.81691806*kf + 0.0107306*t2 + 0.00001236*t3 // moon's mean anomaly
	f := 21.2964 + 390.67050646*kf - 0.0016528*t2 - 0.00000239*t3   // moon's argument of latitude
	// Periodic corrections from the true positions of sun and moon.
	c := (0.1734-0.000393*t)*sinDeg(m) + 0.0021*sinDeg(2*m) -
		0.4068*sinDeg(mp) + 0.0161*sinDeg(2*mp) - 0.0004*sinDeg(3*mp) +
		0.0104*sinDeg(2*f) - 0.0051*sinDeg(m+mp) - 0.0074*sinDeg(m-mp) +
		0.0004*sinDeg(2*f+m) - 0.0004*sinDeg(2*f-m) - 0.0006*sinDeg(2*f+mp) +
		0.0010*sinDeg(2*f-mp) + 0.0005*sinDeg(m+2*mp)
	return jd + c - deltaT(t)
}

// deltaT approximates TT − UT in days, t in Julian centuries since 1900.
func deltaT(t float64) float64 {
	if t < -11 {
		t2 := t * t
		t3 := t2 * t
		return 0.001 + 0.000839*t + 0.0002261*t2 - 0.00000845*t3 - 0.000000081*t*t3
	}
	return -0.000278 + 0.000265*t + 0.000262*t*t
}

// sunLongitude returns the sun's true geometric longitude in degrees, [0, 360),
// at Julian Date jd.
func sunLongitude(jd float64) float64 {
	t := (jd - 2451545.0) / 36525 // Julian centuries since J2000.0
	t2 := t * t
	m := 357.52910 + 35999.05030*t - 0.0001559*t2 - 0.00000048*t*t2 // mean anomaly
	l0 := 280.46645 + 36000.76983*t + 0.0003032*t2                  // mean longitude
	c := (1.914600-0.004817*t-0.000014*t2)*sinDeg(m) +
		(0.019993-0.000101*t)*sinDeg(2*m) + 0.000290*sinDeg(3*m) // equation of centre
	l := math.Mod(l0+c, 360)
	if l < 0 {
		l += 360
	}
	return l
}
