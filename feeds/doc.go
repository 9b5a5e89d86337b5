// Package feeds turns publishers' feeds into items the broadcaster can
// announce. It fetches RSS, Atom and JSON feeds over HTTP (conditional GET,
// redirects, size and time limits), parses them with gofeed, decodes legacy
// encodings such as windows-1258, and normalises every entry to plain,
// NFC-normalised text with a stable identity (Item.Key) so that an article
// is announced once however often it is polled. It also reads and writes
// OPML subscription lists.
//
// The package is pure: it keeps no state and touches no database; the
// poller stores validators and item keys and decides what is new.
package feeds
