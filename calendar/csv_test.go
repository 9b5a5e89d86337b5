package calendar

import (
	"bytes"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func TestBuiltin(t *testing.T) {
	t.Parallel()
	events := builtin(t)
	if len(events) < 30 {
		t.Fatalf("%d built-in events", len(events))
	}
	slugs := map[string]bool{}
	for _, e := range events {
		if err := e.Validate(); err != nil {
			t.Errorf("%s: %v", e.Slug, err)
		}
		if e.Source == "" || !e.Enabled {
			t.Errorf("%s: source %q, enabled %v", e.Slug, e.Source, e.Enabled)
		}
		if e.FoundedYear == 0 && e.AdvanceDays != 0 {
			t.Errorf("%s: advance days without a founding year", e.Slug)
		}
		slugs[e.Slug] = true
	}
	// Nghị định 145/2013/NĐ-CP Điều 4 lists these days (its item 7 holds two).
	nd145 := map[string]string{
		"tet-nguyen-dan": "lunar 1/1", "thanh-lap-dang": "solar 3/2/1930", "gio-to-hung-vuong": "lunar 10/3",
		"giai-phong-mien-nam": "solar 30/4/1975", "chien-thang-dien-bien-phu": "solar 7/5/1954",
		"ngay-sinh-chu-tich-ho-chi-minh": "solar 19/5/1890", "cach-mang-thang-tam": "solar 19/8/1945",
		"quoc-khanh": "solar 2/9/1945",
	}
	for _, e := range events {
		got := string(e.Kind) + " " + strconv.Itoa(e.Day) + "/" + strconv.Itoa(e.Month)
		if e.FoundedYear > 0 {
			got += "/" + strconv.Itoa(e.FoundedYear)
		}
		want, listed := nd145[e.Slug]
		inND := strings.HasPrefix(e.Source, "Nghị định 145/2013/NĐ-CP Điều 4")
		if listed != inND {
			t.Errorf("%s: source %q, in Điều 4: %v", e.Slug, e.Source, listed)
		}
		if listed && got != want {
			t.Errorf("%s: %s, want %s", e.Slug, got, want)
		}
	}
	for _, s := range []string{"bac-ho-ra-di-tim-duong-cuu-nuoc", "loi-keu-goi-thi-dua-ai-quoc", "chinh-phu-cach-mang-lam-thoi",
		"bao-chi-cach-mang", "toan-quoc-khang-chien", "thuong-binh-liet-si", "thanh-lap-quan-doi",
		"tai-lap-tinh-ninh-binh", "thanh-lap-tinh-ninh-binh-2025"} {
		if !slugs[s] {
			t.Errorf("built-in calendar lacks %s", s)
		}
	}
}

func TestCSVRoundTrip(t *testing.T) {
	t.Parallel()
	events := append(builtin(t), organisation,
		Event{Slug: "quoted", Kind: Lunar, Day: 30, Month: 6, Leap: true, Title: `Tên có "ngoặc", dấu phẩy; và chấm phẩy`,
			Category: Province, AdvanceDays: 0, Source: "", Enabled: false})
	var buf bytes.Buffer
	if err := WriteCSV(&buf, events); err != nil {
		t.Fatal(err)
	}
	back, err := ReadCSV(&buf)
	if err != nil {
		t.Fatalf("ReadCSV(WriteCSV(events)): %v", err)
	}
	if !reflect.DeepEqual(back, events) {
		t.Errorf("round trip changed the events:\n got %+v\nwant %+v", back, events)
	}
}

func TestReadCSVDefaults(t *testing.T) {
	t.Parallel()
	in := "\ufeffTitle,Slug,Kind,Day,Month,Category\n" + // BOM, any order, any case
		"Ngày thành lập Chi bộ,chi-bo,SOLAR,1,2,organisation\n"
	got, err := ReadCSV(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []Event{{Slug: "chi-bo", Title: "Ngày thành lập Chi bộ", Kind: Solar, Day: 1, Month: 2,
		Category: Organisation, AdvanceDays: DefaultAdvanceDays, Enabled: true}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}

func TestReadCSVErrors(t *testing.T) {
	t.Parallel()
	const header = "slug,kind,day,month,leap,founded_year,title,category,advance_days,source\n"
	const good = "ok,solar,1,1,false,2000,Ngày tốt,national,7,x\n"
	tests := []struct {
		name string
		in   string
		want []string // substrings of the error
	}{
		{"empty", "", []string{"empty input"}},
		{"unknown column", "slug,kind,day,month,title,category,colour\n", []string{`line 1: unknown column "colour"`}},
		{"missing column", "slug,kind,day,title,category\n", []string{`line 1: missing column "month"`}},
		{"duplicate column", "slug,slug,kind,day,month,title,category\n", []string{`line 1: column "slug" twice`}},
		{"bad day", header + good + "x,solar,31,4,false,1945,T,national,7,\n", []string{"line 3:", "day 31 does not exist in month 4"}},
		{"not a number", header + "x,solar,một,4,false,,T,national,7,\n", []string{"line 2:", `column day: "một" is not a whole number`}},
		{"bad kind and category", header + "x,moon,1,4,false,,T,party,7,\n", []string{"line 2:", `kind "moon"`, `category "party"`}},
		{"leap on a solar event", header + "x,solar,1,4,true,,T,national,7,\n", []string{"line 2:", "leap is only for lunar events"}},
		{"bad leap value", header + "x,lunar,1,4,maybe,,T,national,7,\n", []string{"line 2:", `column leap: "maybe"`}},
		{"lunar day 31", header + "x,lunar,31,4,false,,T,national,7,\n", []string{"line 2:", "lunar day 31 outside 1–30"}},
		{"bad slug", header + "Ngày Tết,lunar,1,1,false,,T,national,0,\n", []string{"line 2:", `slug "Ngày Tết"`}},
		{"empty title", header + "x,lunar,1,1,false,,,national,0,\n", []string{"line 2:", "title: empty"}},
		{"negative advance", header + "x,lunar,1,1,false,,T,national,-1,\n", []string{"line 2:", "advance days -1"}},
		{"duplicate slug", header + good + good, []string{`line 3: slug "ok" already used on line 2`}},
		{"wrong field count", header + good + "x,solar,1\n" + "y,solar,1,1,false,,T,national,7,\n" + "z,solar,1,13,false,,T,national,7,\n",
			[]string{"record on line 3: wrong number of fields", "line 5:", "month 13"}},
		{"bad quoting", header + good + "x,solar,1,1,false,,\"T,national,7,\n", []string{"line 3"}},
		{"multi-line row keeps its first line number", header + "x,solar,1,1,false,,\"a\nb\",national,7,\n", []string{"line 2:", "control character"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ReadCSV(strings.NewReader(tt.in))
			if err == nil {
				t.Fatalf("ReadCSV succeeded with %d events, want an error", len(got))
			}
			if got != nil {
				t.Errorf("ReadCSV returned %d events with its error; want none (all or nothing)", len(got))
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\ndoes not mention %q", err, w)
				}
			}
		})
	}
}

func TestReadCSVStopsAfterManyErrors(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("slug,kind,day,month,title,category\n")
	for i := 0; i < 100; i++ {
		b.WriteString("x,solar,0,1,T,national\n")
	}
	_, err := ReadCSV(strings.NewReader(b.String()))
	if err == nil || !strings.Contains(err.Error(), "too many errors") || strings.Count(err.Error(), "\n") > maxCSVErrors+1 {
		t.Errorf("error = %v", err)
	}
}

func FuzzReadCSV(f *testing.F) {
	f.Add(string(builtinCSV))
	f.Add("slug,kind,day,month,title,category\nx,lunar,30,12,T,national\n")
	f.Add("slug,kind,day,month,title,category,leap,enabled\nx,lunar,1,6,\"a,b\",province,1,0\n")
	f.Add("\ufeffslug,kind,day,month,title,category\n\"x\",solar,29,2,\"\"\"\",organisation\n")
	f.Fuzz(func(t *testing.T, in string) {
		events, err := ReadCSV(strings.NewReader(in))
		if err != nil {
			if events != nil {
				t.Fatalf("events returned with error %v", err)
			}
			return
		}
		for _, e := range events {
			if err := e.Validate(); err != nil {
				t.Fatalf("ReadCSV accepted an invalid event %+v: %v", e, err)
			}
		}
		var buf bytes.Buffer
		if err := WriteCSV(&buf, events); err != nil {
			t.Fatal(err)
		}
		back, err := ReadCSV(&buf)
		if err != nil {
			t.Fatalf("re-reading written CSV: %v\n%s", err, buf.String())
		}
		if len(events) == 0 && len(back) == 0 {
			return
		}
		if !reflect.DeepEqual(back, events) {
			t.Fatalf("round trip:\n got %+v\nwant %+v", back, events)
		}
	})
}
