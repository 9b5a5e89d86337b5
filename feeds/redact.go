package feeds

import (
	"net/url"
	"regexp"
	"strings"
)

// redactedMark stands in for a credential, as net/url's URL.Redacted writes a password.
const redactedMark = "xxxxx"

// RedactURL is a feed URL fit to show people and logs: its user information
// ("user:password@") and the values of token-like query parameters (token, key,
// apikey, api_key, access_token, secret, password, sig, signature and their kin) are
// replaced with "xxxxx". Everything else, parameters that may name the article
// included, is kept exactly as written, so the URL still says which feed it is.
//
// Feed URLs are the one place where loa holds someone else's credentials: a portal
// that serves its feed only to a subscriber puts them there. This is the one function
// that hides them; only `loa feeds export` shows the stored URL, because its OPML must
// import back. The URL need not parse: the text is cut by hand, not re-encoded.
func RedactURL(raw string) string {
	rest, frag, hasFrag := strings.Cut(raw, "#")
	rest, query, hasQuery := strings.Cut(rest, "?")
	if i := strings.Index(rest, "//"); i >= 0 {
		auth := rest[i+2:]
		end := strings.IndexByte(auth, '/')
		if end < 0 {
			end = len(auth)
		}
		if at := strings.LastIndexByte(auth[:end], '@'); at >= 0 {
			rest = rest[:i+2] + redactedMark + auth[at:]
		}
	}
	if hasQuery {
		rest += "?" + redactQuery(query)
	}
	if hasFrag {
		rest += "#" + frag
	}
	return rest
}

// redactQuery replaces the values of token-like parameters in a raw query, keeping
// the separators ('&', and ';' as some old servers write them) and everything else.
func redactQuery(q string) string {
	var sb strings.Builder
	for q != "" {
		i := strings.IndexAny(q, "&;")
		pair, sep := q, ""
		if i >= 0 {
			pair, sep, q = q[:i], q[i:i+1], q[i+1:]
		} else {
			q = ""
		}
		if name, value, ok := strings.Cut(pair, "="); ok && value != "" && secretParam(name) {
			pair = name + "=" + redactedMark
		}
		sb.WriteString(pair + sep)
	}
	return sb.String()
}

// secretNames are query parameters that carry credentials, lower case.
var secretNames = map[string]bool{
	"token": true, "key": true, "apikey": true, "api_key": true, "access_token": true,
	"secret": true, "password": true, "passwd": true, "pwd": true, "pass": true,
	"sig": true, "signature": true, "auth": true, "authorization": true,
	"credential": true, "credentials": true, "x-amz-credential": true,
}

// secretSuffixes catch the many spellings of the same thing: auth_token,
// client_secret, private_token, x-amz-signature, app-key.
var secretSuffixes = []string{"token", "secret", "password", "signature", "apikey", "api_key", "_key", "-key"}

// secretParam reports whether a raw query parameter name is token-like. Names that
// may name the article (id, sid, p) are not: they stay readable.
func secretParam(raw string) bool {
	name, err := url.QueryUnescape(raw)
	if err != nil {
		name = raw
	}
	name = strings.ToLower(strings.TrimSpace(name))
	if secretNames[name] {
		return true
	}
	for _, s := range secretSuffixes {
		if strings.HasSuffix(name, s) {
			return true
		}
	}
	return false
}

// urlInText finds URLs in free text: a scheme, "://", then anything up to a space or
// a quote.
var urlInText = regexp.MustCompile(`(?i)\b[a-z][a-z0-9+.\-]*://[^\s"'<>` + "`" + `]+`)

// RedactText applies RedactURL to every URL in s: error messages and recorded
// failures name the URL they were about.
func RedactText(s string) string {
	if !strings.Contains(s, "://") {
		return s
	}
	return urlInText.ReplaceAllStringFunc(s, func(u string) string {
		// Punctuation that ends the sentence is not part of the URL.
		trimmed := strings.TrimRight(u, ".,;:!?)]}")
		return RedactURL(trimmed) + u[len(trimmed):]
	})
}
