// Package botapi is what the Bot API adapters share: Telegram's Bot API and Zalo's,
// which is modelled on it, need the same machinery around their different wire
// formats. It cuts text into messages at natural boundaries, keeps the bot token out
// of errors, checks webhook requests, paces the replies to each chat (retrying once
// after a 429) and builds the HTTP client the calls go through. It knows nothing of
// either messenger's JSON: the adapters bot/telegram and bot/zalo keep that.
package botapi
