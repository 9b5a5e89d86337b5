package zalotest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"loa/internal/zalotest"
)

func Example() {
	srv := zalotest.New(zalotest.Options{})
	defer srv.Close()

	// A member writes to the bot first; only then can the bot reach them.
	srv.PushUpdate(srv.TextMessage("e4ea2cd5189df1c3a88c", "e4ea2cd5189df1c3a88c", "Hoa", "đăng ký"))
	srv.Script("e4ea2cd5189df1c3a88c", zalotest.QuotaExceeded())

	post := func(method, body string) (int, map[string]any) {
		resp, err := http.Post(srv.URL()+"/bot"+srv.Token()+"/"+method, "application/json", strings.NewReader(body))
		if err != nil {
			panic(err)
		}
		defer resp.Body.Close()
		var env map[string]any
		json.NewDecoder(resp.Body).Decode(&env)
		return resp.StatusCode, env
	}

	_, env := post("getUpdates", `{"timeout":"30"}`)
	msg := env["result"].(map[string]any)["message"].(map[string]any)
	fmt.Println(msg["text"], msg["chat"].(map[string]any)["chat_type"])

	msgText := `{"chat_id":"e4ea2cd5189df1c3a88c","text":"Đã đăng ký nhận tin."}`
	// Errors come with HTTP 200 and ok:false, as the live platform answers them.
	status, env := post("sendMessage", msgText)
	fmt.Println(status, env["ok"], env["error_code"], env["description"])
	status, _ = post("sendMessage", msgText)
	fmt.Println(status, srv.Messages("e4ea2cd5189df1c3a88c")[0].Text)

	status, env = post("getUpdates", `{"timeout":0}`)
	fmt.Println(status, env["error_code"], env["description"])
	// Output:
	// đăng ký PRIVATE
	// 200 false 429 Too Many Requests: quota exceeded
	// 200 Đã đăng ký nhận tin.
	// 200 408 Request timeout
}
