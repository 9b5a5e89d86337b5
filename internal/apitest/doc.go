// Package apitest holds the machinery the fake Bot API servers
// (internal/telegramtest, internal/zalotest) share: sliding-window rate
// limits, gates that hold scripted requests, the change signal that WaitFor
// and long polls wait on, and the httptest server's start and close.
//
// Everything here is platform-neutral; what a limit or an error looks like on
// the wire stays in each fake.
package apitest
