package calendar

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// builtinCSV is the built-in list of commemorative days, one per row, each
// with the document it comes from in the source column.
//
//go:embed builtin.csv
var builtinCSV []byte

// Builtin returns the built-in commemorative days: those of Nghị định
// 145/2013/NĐ-CP Điều 4, the days the yearly propaganda guidelines
// commemorate, and Ninh Bình's own. All are enabled.
func Builtin() ([]Event, error) {
	events, err := ReadCSV(bytes.NewReader(builtinCSV))
	if err != nil {
		return nil, fmt.Errorf("built-in calendar: %w", err)
	}
	return events, nil
}

// csvColumns are the columns WriteCSV writes, in order.
var csvColumns = []string{"slug", "kind", "day", "month", "leap", "founded_year", "title", "category", "advance_days", "source", "enabled"}

// requiredColumns must be in every CSV header; the others have defaults:
// leap false, founded_year none, advance_days DefaultAdvanceDays, source
// empty, enabled true.
var requiredColumns = []string{"slug", "kind", "day", "month", "title", "category"}

// maxCSVErrors caps how many bad rows ReadCSV reports at once.
const maxCSVErrors = 20

// ReadCSV reads events from CSV with a header row naming the columns (any
// order): slug, kind (solar|lunar), day, month, title and category
// (national|province|organisation) are required; leap (true|false, 1|0),
// founded_year, advance_days, source and enabled are optional. An empty
// founded_year means none, an empty advance_days DefaultAdvanceDays, an empty
// enabled true. A UTF-8 byte order mark is ignored.
//
// It is all or nothing: any bad row, unknown column or repeated slug makes it
// return no events and an error naming every bad line (up to 20) and why.
func ReadCSV(r io.Reader) ([]Event, error) {
	cr := csv.NewReader(&bomSkipper{r: r})
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, errors.New("read calendar CSV: empty input, want a header row")
	}
	if err != nil {
		return nil, fmt.Errorf("read calendar CSV: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		if !slices.Contains(csvColumns, h) {
			return nil, fmt.Errorf("read calendar CSV: line 1: unknown column %q (columns: %s)", h, strings.Join(csvColumns, ","))
		}
		if _, dup := col[h]; dup {
			return nil, fmt.Errorf("read calendar CSV: line 1: column %q twice", h)
		}
		col[h] = i
	}
	for _, c := range requiredColumns {
		if _, ok := col[c]; !ok {
			return nil, fmt.Errorf("read calendar CSV: line 1: missing column %q (required: %s)", c, strings.Join(requiredColumns, ","))
		}
	}

	var events []Event
	var errs []error
	slugLine := map[string]int{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			// A malformed quote or a wrong field count; csv.ParseError
			// names the line.
			errs = append(errs, err)
			var pe *csv.ParseError
			if !errors.As(err, &pe) || !errors.Is(pe.Err, csv.ErrFieldCount) {
				break // the reader cannot resynchronise after a quoting error
			}
			continue
		}
		line, _ := cr.FieldPos(0)
		field := func(name string) string {
			if i, ok := col[name]; ok {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		e, err := parseRow(field)
		if err == nil {
			if prev, dup := slugLine[e.Slug]; dup {
				err = fmt.Errorf("slug %q already used on line %d", e.Slug, prev)
			} else {
				slugLine[e.Slug] = line
			}
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("line %d: %w", line, err))
			if len(errs) >= maxCSVErrors {
				errs = append(errs, errors.New("too many errors, stopped"))
				break
			}
			continue
		}
		events = append(events, e)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("read calendar CSV: %w", errors.Join(errs...))
	}
	return events, nil
}

// parseRow builds and validates one event from a row's fields.
func parseRow(field func(string) string) (Event, error) {
	var errs []string
	num := func(name string, def int) int {
		s := field(name)
		if s == "" {
			return def
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			errs = append(errs, fmt.Sprintf("column %s: %q is not a whole number", name, s))
		}
		return n
	}
	flag := func(name string, def bool) bool {
		switch s := strings.ToLower(field(name)); s {
		case "":
			return def
		case "true", "1", "yes":
			return true
		case "false", "0", "no":
			return false
		default:
			errs = append(errs, fmt.Sprintf("column %s: %q, want true or false", name, s))
			return def
		}
	}
	e := Event{
		Slug:        field("slug"),
		Kind:        Kind(strings.ToLower(field("kind"))),
		Day:         num("day", 0),
		Month:       num("month", 0),
		Leap:        flag("leap", false),
		FoundedYear: num("founded_year", 0),
		Title:       field("title"),
		Category:    Category(strings.ToLower(field("category"))),
		AdvanceDays: num("advance_days", DefaultAdvanceDays),
		Source:      field("source"),
		Enabled:     flag("enabled", true),
	}
	if len(errs) > 0 {
		return Event{}, errors.New(strings.Join(errs, "; "))
	}
	if err := e.Validate(); err != nil {
		return Event{}, err
	}
	return e, nil
}

// WriteCSV writes events in the format ReadCSV reads, with every column.
// IDs are not written: the slug identifies an event across systems.
func WriteCSV(w io.Writer, events []Event) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvColumns); err != nil {
		return fmt.Errorf("write calendar CSV: %w", err)
	}
	for _, e := range events {
		founded := ""
		if e.FoundedYear != 0 {
			founded = strconv.Itoa(e.FoundedYear)
		}
		rec := []string{
			e.Slug, string(e.Kind), strconv.Itoa(e.Day), strconv.Itoa(e.Month),
			strconv.FormatBool(e.Leap), founded, e.Title, string(e.Category),
			strconv.Itoa(e.AdvanceDays), e.Source, strconv.FormatBool(e.Enabled),
		}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("write calendar CSV: event %q: %w", e.Slug, err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write calendar CSV: %w", err)
	}
	return nil
}

// bomSkipper drops a leading UTF-8 byte order mark, as spreadsheet programs
// write one.
type bomSkipper struct {
	r    io.Reader
	done bool
	buf  []byte
}

func (b *bomSkipper) Read(p []byte) (int, error) {
	if !b.done {
		b.done = true
		head := make([]byte, 3)
		n, err := io.ReadFull(b.r, head)
		head = head[:n]
		if !bytes.Equal(head, []byte("\xef\xbb\xbf")) {
			b.buf = head
		}
		if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
			return 0, err
		}
	}
	if len(b.buf) > 0 {
		n := copy(p, b.buf)
		b.buf = b.buf[n:]
		return n, nil
	}
	return b.r.Read(p)
}
