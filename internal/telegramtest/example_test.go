package telegramtest_test

import (
	"errors"
	"fmt"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"loa/internal/telegramtest"
)

func Example() {
	srv := telegramtest.New(telegramtest.Options{})
	defer srv.Close()
	srv.AddChat(telegramtest.Chat{ID: 1001, Type: telegramtest.Private, FirstName: "Hoa"})
	srv.Script(1001, telegramtest.TooManyRequests(3))

	bot, err := tgbotapi.NewBotAPIWithClient(srv.Token(), srv.Endpoint(), srv.Client())
	if err != nil {
		panic(err)
	}
	msg := tgbotapi.NewMessage(1001, "<b>Hà Nam &amp; Ninh Bình &lt;2025&gt;</b>")
	msg.ParseMode = tgbotapi.ModeHTML

	_, err = bot.Send(msg)
	var apiErr *tgbotapi.Error
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.Code, apiErr.Message, apiErr.RetryAfter)
	}
	if _, err := bot.Send(msg); err != nil {
		panic(err)
	}
	got := srv.Messages(1001)[0]
	fmt.Printf("%q, %d UTF-16 units\n", got.Text, telegramtest.UTF16Len(got.Text))
	// Output:
	// 429 Too Many Requests: retry after 3 3
	// "Hà Nam & Ninh Bình <2025>", 25 UTF-16 units
}
