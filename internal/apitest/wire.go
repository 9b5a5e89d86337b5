package apitest

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Param is one request parameter as it came. Value is its text: a JSON value
// that is not a string (a number, boolean, object or array) is its JSON
// text, and String is false for it; a JSON null is empty and not a string.
type Param struct {
	Value  string
	String bool
}

// Params are a request's parameters, whatever way they came (query, form,
// multipart or JSON body).
type Params map[string]Param

// Get is a parameter's text, "" when absent or JSON null.
func (p Params) Get(k string) string { return p[k].Value }

// Has reports a parameter that is present, not empty and not null (JSON
// null, or the text "null" that clients put in a form for a nil value).
func (p Params) Has(k string) bool { v := p[k].Value; return v != "" && v != "null" }

// IsString reports whether a present parameter came as a string (always
// true outside JSON bodies).
func (p Params) IsString(k string) bool { return p[k].String }

// Bool reports a parameter that is "true" or "1" (any case).
func (p Params) Bool(k string) bool {
	switch strings.ToLower(p.Get(k)) {
	case "true", "1":
		return true
	}
	return false
}

// Int parses an integer parameter, 0 when absent; ok is false when present
// but malformed.
func (p Params) Int(k string) (int64, bool) {
	v := p.Get(k)
	if v == "" {
		return 0, true
	}
	n, err := strconv.ParseInt(v, 10, 64)
	return n, err == nil
}

// Body says how a platform reads request bodies.
type Body struct {
	// Max is the most it reads of a body.
	Max int64
	// UntypedJSON reads a body with no Content-Type as JSON and refuses one
	// of a type it does not know; otherwise both are ignored.
	UntypedJSON bool
}

// ErrContentType is ReadParams' error for a body of a type the platform does
// not read.
var ErrContentType = errors.New("unsupported content type")

// ReadParams reads a request's query parameters and then its body: a form,
// a multipart form or a JSON object, by its Content-Type. An empty body has
// no parameters.
func (b Body) ReadParams(r *http.Request) (Params, error) {
	p := make(Params)
	for k, v := range r.URL.Query() {
		p[k] = Param{Value: v[0], String: true}
	}
	if r.Body == nil {
		return p, nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, b.Max))
	if err != nil {
		return nil, err
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	isJSON := ct == "application/json" || strings.HasSuffix(ct, "+json") || ct == "" && b.UntypedJSON
	switch {
	case strings.TrimSpace(string(body)) == "":
	case ct == "application/x-www-form-urlencoded":
		vals, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, err
		}
		for k, v := range vals {
			p[k] = Param{Value: v[0], String: true}
		}
	case ct == "multipart/form-data":
		r.Body = io.NopCloser(strings.NewReader(string(body)))
		if err := r.ParseMultipartForm(b.Max); err != nil {
			return nil, err
		}
		for k, v := range r.MultipartForm.Value {
			p[k] = Param{Value: v[0], String: true}
		}
	case isJSON:
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(body, &obj); err != nil {
			return nil, err
		}
		for k, raw := range obj {
			var str string
			switch {
			case len(raw) > 0 && raw[0] == '"' && json.Unmarshal(raw, &str) == nil:
				p[k] = Param{Value: str, String: true}
			case string(raw) == "null":
				p[k] = Param{}
			default:
				p[k] = Param{Value: string(raw)}
			}
		}
	case b.UntypedJSON:
		return nil, ErrContentType
	}
	return p, nil
}

// WriteJSON answers status with v as JSON of contentType, or a 500 envelope
// when v cannot be encoded.
func WriteJSON(w http.ResponseWriter, status int, contentType string, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status, body = http.StatusInternalServerError, []byte(`{"ok":false,"error_code":500,"description":"Internal Server Error"}`)
	}
	WriteBody(w, status, contentType, body)
}

// WriteBody answers status with body of contentType (none when "").
func WriteBody(w http.ResponseWriter, status int, contentType string, body []byte) {
	if contentType != "" {
		w.Header().Set("Content-Type", contentType)
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

// Hangup closes the connection without an answer.
func Hangup(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler) // closes the connection without a response
}

func drain(resp *http.Response) {
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
}
