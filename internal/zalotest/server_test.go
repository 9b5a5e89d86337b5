package zalotest

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"loa/internal/apitest"
)

func TestRouting(t *testing.T) {
	t.Parallel()
	s := NewServer(t)
	for _, tc := range []struct {
		name, url string
		code      int
		desc      string
	}{
		{"wrong token", s.URL() + "/bot1459232241454765289:wrong/getMe", 401, "Unauthorized"},
		{"no token", s.URL() + "/bot/getMe", 401, "Unauthorized"},
		{"not a bot path", s.URL() + "/getMe", 404, "Not Found"},
		{"unknown method", s.MethodURL("sendPigeon"), 404, "Not Found"},
		{"method names are exact", s.MethodURL("sendmessage"), 404, "Not Found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := callURL(t, s, tc.url, map[string]any{})
			wantErr(t, r, tc.code, tc.desc)
		})
	}
	if n := s.Calls("getMe"); n != 0 {
		t.Errorf("calls with a wrong token counted: %d", n)
	}
	if got := callURL(t, s, s.URL()+"/botX/getMe", nil).Raw; got != `{"ok":false,"error_code":401,"description":"Unauthorized"}` {
		t.Errorf("401 body = %s", got)
	}
}

func TestGetMe(t *testing.T) {
	t.Parallel()
	s := NewServer(t)
	r := call(t, s, "getMe", map[string]any{})
	want := `{"ok":true,"result":{"id":"1459232241454765289","account_name":"bot.LoaTest","account_type":"BASIC","can_join_groups":false}}`
	if r.Status != 200 || r.Raw != want {
		t.Errorf("getMe = %d %s, want %s", r.Status, r.Raw, want)
	}
	// Without a body, as a GET, form-encoded: all work.
	wantOK(t, callURL(t, s, s.MethodURL("getMe"), nil), nil)
	wantOK(t, callGet(t, s, "getMe", nil), nil)
	wantOK(t, callForm(t, s, "getMe", nil), nil)
	if n := s.Calls("getMe"); n != 4 {
		t.Errorf("Calls(getMe) = %d, want 4", n)
	}

	other := NewServer(t, WithToken("42:abc"))
	var info BotInfo
	wantOK(t, call(t, other, "getMe", nil), &info)
	if info.ID != "42" {
		t.Errorf("bot id from token = %q", info.ID)
	}
}

func TestRequestEncodings(t *testing.T) {
	t.Parallel()
	s := NewServer(t, Unthrottled())
	s.AddChat(Chat{ID: hoa})
	const msg = "Chào bạn: Kỷ niệm 113 năm Ngày Bác Hồ ra đi tìm đường cứu nước"

	multi := func() *http.Request {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		mw.WriteField("chat_id", hoa)
		mw.WriteField("text", msg)
		mw.Close()
		req, _ := http.NewRequestWithContext(apitest.Context(t), http.MethodPost, s.MethodURL("sendMessage"), &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		return req
	}
	raw := func(ct, body string) *http.Request {
		req, _ := http.NewRequestWithContext(apitest.Context(t), http.MethodPost, s.MethodURL("sendMessage"), strings.NewReader(body))
		if ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		return req
	}
	for _, tc := range []struct {
		name string
		send func() apiResp
		code int
		desc string
	}{
		{name: "json", send: func() apiResp { return call(t, s, "sendMessage", text(hoa, msg)) }},
		{name: "json without content type", send: func() apiResp {
			return do(t, s, raw("", `{"chat_id":"`+hoa+`","text":"`+msg+`"}`))
		}},
		{name: "form", send: func() apiResp {
			return callForm(t, s, "sendMessage", url.Values{"chat_id": {hoa}, "text": {msg}})
		}},
		{name: "query", send: func() apiResp {
			return callGet(t, s, "sendMessage", url.Values{"chat_id": {hoa}, "text": {msg}})
		}},
		{name: "multipart", send: func() apiResp { return do(t, s, multi()) }},
		{name: "broken json", send: func() apiResp { return do(t, s, raw("application/json", `{"chat_id":`)) },
			code: 400, desc: "Bad Request: can't parse request parameters"},
		{name: "json array", send: func() apiResp { return do(t, s, raw("application/json", `["x"]`)) },
			code: 400, desc: "Bad Request: can't parse request parameters"},
		{name: "plain text body", send: func() apiResp { return do(t, s, raw("text/plain", "chat_id="+hoa)) },
			code: 400, desc: "Bad Request: can't parse request parameters"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(s.Messages(hoa))
			r := tc.send()
			if tc.code != 0 {
				wantErr(t, r, tc.code, tc.desc)
				return
			}
			wantOK(t, r, nil)
			got := s.Messages(hoa)
			if len(got) != before+1 || got[len(got)-1].Text != msg {
				t.Errorf("recorded %+v", got)
			}
		})
	}
}

func TestRevokeToken(t *testing.T) {
	t.Parallel()
	s := NewServer(t)
	s.AddChat(Chat{ID: hoa})
	s.RevokeToken()
	for _, m := range []struct {
		method string
		body   any
	}{
		{"getMe", nil},
		{"sendMessage", text(hoa, "Tin mới")},
		{"getUpdates", map[string]any{"timeout": "0"}},
		{"setWebhook", map[string]any{"url": "https://loa.example/zalo", "secret_token": "secret-123"}},
	} {
		wantErr(t, call(t, s, m.method, m.body), 401, "Unauthorized")
	}
	if s.Calls("sendMessage") != 1 || s.Errors(401) != 4 || s.Accepted() != 0 {
		t.Errorf("calls %d, 401s %d, accepted %d", s.Calls("sendMessage"), s.Errors(401), s.Accepted())
	}
	s.RestoreToken()
	wantOK(t, call(t, s, "sendMessage", text(hoa, "Tin mới")), nil)
	if s.Accepted() != 1 {
		t.Errorf("accepted %d after restore", s.Accepted())
	}
}

func TestErrorEnvelopeOptions(t *testing.T) {
	t.Parallel()
	t.Run("errorCode spelling", func(t *testing.T) {
		s := NewServer(t, CamelErrorCode())
		r := call(t, s, "sendMessage", text(hoa, "x"))
		if r.Status != 200 || r.ErrorCodeCamel != 404 || r.ErrorCode != 0 ||
			r.Raw != `{"ok":false,"errorCode":404,"description":"Not Found: chat not found"}` {
			t.Errorf("answer = %d %s", r.Status, r.Raw)
		}
	})
	// Errors come with HTTP 200 and ok:false by default: what a live probe of the
	// platform got (a bad token: 200 {"ok":false,"error_code":401,...}).
	t.Run("status 200 by default", func(t *testing.T) {
		s := NewServer(t)
		r := call(t, s, "sendMessage", text(hoa, "x"))
		if r.Status != 200 || r.OK || r.ErrorCode != 404 || r.Description != "Not Found: chat not found" {
			t.Errorf("answer = %d %s", r.Status, r.Raw)
		}
		r = call(t, s, "getUpdates", map[string]any{"timeout": 0})
		if r.Status != 200 || r.OK || r.ErrorCode != 408 || r.Description != "Request timeout" {
			t.Errorf("idle poll = %d %s", r.Status, r.Raw)
		}
		r = callURL(t, s, s.URL()+"/bot1:wrong-token/getMe", nil)
		if r.Status != 200 || r.OK || r.ErrorCode != 401 {
			t.Errorf("wrong token = %d %s", r.Status, r.Raw)
		}
	})
	t.Run("status equals code", func(t *testing.T) {
		s := NewServer(t, StatusEqualsCode())
		r := call(t, s, "sendMessage", text(hoa, "x"))
		if r.Status != 404 || r.OK || r.ErrorCode != 404 {
			t.Errorf("answer = %d %s", r.Status, r.Raw)
		}
		r = call(t, s, "getUpdates", map[string]any{"timeout": 0})
		if r.Status != 408 || r.OK || r.ErrorCode != 408 {
			t.Errorf("idle poll = %d %s", r.Status, r.Raw)
		}
	})
	t.Run("status equals code for one reply", func(t *testing.T) {
		s := NewServer(t)
		s.AddChat(Chat{ID: hoa})
		s.Script(hoa, QuotaExceeded().WithStatusEqualsCode())
		r := call(t, s, "sendMessage", text(hoa, "x"))
		if r.Status != 429 || r.OK || r.ErrorCode != 429 || r.Description != "Too Many Requests: quota exceeded" {
			t.Errorf("answer = %d %s", r.Status, r.Raw)
		}
		wantErr(t, call(t, s, "sendMessage", text(lan, "x")), 404, "Not Found: chat not found")
	})
	t.Run("status 200 for one reply of a status-equals-code server", func(t *testing.T) {
		s := NewServer(t, StatusEqualsCode())
		s.AddChat(Chat{ID: hoa})
		s.Script(hoa, QuotaExceeded().WithStatus200())
		if r := call(t, s, "sendMessage", text(hoa, "x")); r.Status != 200 || r.ErrorCode != 429 {
			t.Errorf("answer = %d %s", r.Status, r.Raw)
		}
	})
}

func TestScriptMethod(t *testing.T) {
	t.Parallel()
	s := NewServer(t)
	s.ScriptMethod("getMe", InternalError(), ServerError(502))
	wantErr(t, call(t, s, "getMe", nil), 403, "Internal error")
	wantErr(t, call(t, s, "getMe", nil), 502, "Bad Gateway")
	wantOK(t, call(t, s, "getMe", nil), nil)

	defer func() {
		if recover() == nil {
			t.Error("ScriptMethod with an unknown method did not panic")
		}
	}()
	s.ScriptMethod("getme", InternalError())
}
