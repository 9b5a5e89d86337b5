package telegramtest

import (
	"strconv"
	"strings"
)

// The Markdown parsers follow tdlib's parse_markdown_v2 and parse_markdown
// (legacy "Markdown"), with their error texts.

type mdKind int

const (
	mdNone mdKind = iota
	mdBold
	mdItalic
	mdUnderline
	mdStrikethrough
	mdSpoiler
	mdCode
	mdPre
	mdPreCode
	mdTextURL
	mdCustomEmoji
	mdBlockQuote
)

// name is tdlib's name of the entity type, used in error texts.
func (k mdKind) name() string {
	return [...]string{"", "Bold", "Italic", "Underline", "Strikethrough", "Spoiler", "Code", "Pre",
		"PreCode", "TextUrl", "CustomEmoji", "BlockQuote"}[k]
}

// apiType is the Bot API entity type.
func (k mdKind) apiType() string {
	return [...]string{"", "bold", "italic", "underline", "strikethrough", "spoiler", "code", "pre",
		"pre", "text_link", "custom_emoji", "blockquote"}[k]
}

type mdOpen struct {
	kind       mdKind
	arg        string
	offset     int // UTF-16 offset in the result
	byteOffset int // byte offset in the input, for errors
	begin      int // byte offset in the result
}

const mdReserved = "_*[]()~`>#+-=|{}.!\n"

func reservedErr(c byte) error {
	return entityErr("Character '%c' is reserved and must be escaped with the preceding '\\'", c)
}

// readMarkdownURL reads a "(...)" URL body starting at s[i] (just after '('),
// honouring backslash escapes; it returns the URL and the index of ')'.
func readMarkdownURL(s string, i int) (string, int) {
	var b strings.Builder
	for i < len(s) && s[i] != ')' {
		if s[i] == '\\' && at(s, i+1) > 0 && at(s, i+1) <= 126 {
			b.WriteByte(s[i+1])
			i += 2
			continue
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String(), i
}

func parseMarkdownV2(s string) (string, []MessageEntity, error) {
	out := make([]byte, 0, len(s))
	var (
		entities      []MessageEntity
		stack         []mdOpen
		utf16         int
		haveBlockQuot bool
	)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' && at(s, i+1) > 0 && at(s, i+1) <= 126 {
			i++
			utf16++
			out = append(out, s[i])
			continue
		}
		reserved := mdReserved
		if n := len(stack); n > 0 {
			if k := stack[n-1].kind; k == mdCode || k == mdPre || k == mdPreCode {
				reserved = "`"
			}
		}
		if strings.IndexByte(reserved, c) < 0 {
			utf16 += utf16Width(c)
			out = append(out, c)
			continue
		}

		isEnd := false
		if n := len(stack); n > 0 {
			if haveBlockQuot && c == '\n' && (i+1 == len(s) || s[i+1] != '>') {
				isEnd = true
			} else {
				switch stack[n-1].kind {
				case mdBold:
					isEnd = c == '*'
				case mdItalic:
					isEnd = c == '_' && at(s, i+1) != '_'
				case mdCode:
					isEnd = c == '`'
				case mdPre, mdPreCode:
					isEnd = c == '`' && at(s, i+1) == '`' && at(s, i+2) == '`'
				case mdTextURL, mdCustomEmoji:
					isEnd = c == ']'
				case mdUnderline:
					isEnd = c == '_' && at(s, i+1) == '_'
				case mdStrikethrough:
					isEnd = c == '~'
				case mdSpoiler:
					isEnd = c == '|' && at(s, i+1) == '|'
				}
			}
		}

		if !isEnd {
			kind, arg, byteOffset := mdNone, "", i
			switch c {
			case '_':
				kind = mdItalic
				if at(s, i+1) == '_' {
					kind = mdUnderline
					i++
				}
			case '*':
				kind = mdBold
			case '~':
				kind = mdStrikethrough
			case '|':
				if at(s, i+1) != '|' {
					return "", nil, reservedErr(c)
				}
				i++
				kind = mdSpoiler
			case '[':
				kind = mdTextURL
			case '`':
				if at(s, i+1) == '`' && at(s, i+2) == '`' {
					i += 3
					kind = mdPre
					langEnd := i
					for !isSpace(at(s, langEnd)) && at(s, langEnd) != '`' {
						langEnd++
					}
					if i != langEnd && langEnd < len(s) && s[langEnd] != '`' {
						kind, arg, i = mdPreCode, s[i:langEnd], langEnd
					}
					// One new line at the start of the block is not part of it.
					if at(s, i) == '\n' || at(s, i) == '\r' {
						if (at(s, i+1) == '\n' || at(s, i+1) == '\r') && at(s, i) != at(s, i+1) {
							i += 2
						} else {
							i++
						}
					}
					i--
				} else {
					kind = mdCode
				}
			case '!':
				if at(s, i+1) != '[' {
					return "", nil, reservedErr(c)
				}
				i++
				kind = mdCustomEmoji
			case '\n':
				utf16++
				out = append(out, '\n')
				if i+1 < len(s) && s[i+1] == '>' {
					i++
					if !haveBlockQuot {
						kind, haveBlockQuot = mdBlockQuote, true
					}
				}
			case '>':
				if i != 0 {
					return "", nil, reservedErr(c)
				}
				kind, haveBlockQuot = mdBlockQuote, true
			default:
				return "", nil, reservedErr(c)
			}
			if kind == mdNone {
				continue
			}
			stack = append(stack, mdOpen{kind: kind, arg: arg, offset: utf16, byteOffset: byteOffset, begin: len(out)})
			continue
		}

		top := stack[len(stack)-1]
		if c == '\n' && top.kind != mdBlockQuote {
			return "", nil, entityErr("Can't find end of %s entity at byte offset %d", top.kind.name(), top.byteOffset)
		}
		skip := utf16 == top.offset
		e := MessageEntity{Type: top.kind.apiType()}
		switch top.kind {
		case mdUnderline, mdSpoiler:
			i++
		case mdPre, mdPreCode:
			i += 2
			e.Language = top.arg
		case mdTextURL:
			var link string
			if at(s, i+1) != '(' {
				link = string(out[top.begin:])
			} else {
				urlBegin := i + 2
				link, i = readMarkdownURL(s, urlBegin)
				if at(s, i) != ')' {
					return "", nil, entityErr("Can't find end of a URL at byte offset %d", urlBegin)
				}
			}
			if id, ok := userLink(link); ok {
				e.Type, e.User = "text_mention", &User{ID: id}
			} else if link = checkedLink(link); link == "" {
				skip = true
			} else {
				e.URL = link
			}
		case mdCustomEmoji:
			if at(s, i+1) != '(' {
				return "", nil, entityErr("Custom emoji entity must contain a tg://emoji URL")
			}
			urlBegin := i + 2
			var link string
			link, i = readMarkdownURL(s, urlBegin)
			if at(s, i) != ')' {
				return "", nil, entityErr("Can't find end of a custom emoji URL at byte offset %d", urlBegin)
			}
			id, ok := strings.CutPrefix(link, "tg://emoji?id=")
			if n, err := strconv.ParseInt(id, 10, 64); !ok || err != nil || n == 0 {
				return "", nil, entityErr("Invalid custom emoji URL specified")
			}
			e.CustomEmojiID = id
		case mdBlockQuote:
			haveBlockQuot = false
			out = append(out, s[i])
			utf16++
		}
		stack = stack[:len(stack)-1]
		if !skip {
			e.Offset, e.Length = top.offset, utf16-top.offset
			entities = append(entities, e)
		}
	}
	if haveBlockQuot {
		if top := stack[len(stack)-1]; top.kind == mdBlockQuote {
			if utf16 > top.offset {
				entities = append(entities, MessageEntity{Type: "blockquote", Offset: top.offset, Length: utf16 - top.offset})
			}
			stack = stack[:len(stack)-1]
		}
	}
	if len(stack) > 0 {
		top := stack[len(stack)-1]
		return "", nil, entityErr("Can't find end of %s entity at byte offset %d", top.kind.name(), top.byteOffset)
	}
	sortEntities(entities)
	return string(out), entities, nil
}

// parseMarkdown is the legacy "Markdown" mode: *bold*, _italic_, `code`,
// ```pre```, [text](url), no nesting.
func parseMarkdown(s string) (string, []MessageEntity, error) {
	out := make([]byte, 0, len(s))
	var (
		entities []MessageEntity
		utf16    int
	)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' && (at(s, i+1) == '_' || at(s, i+1) == '*' || at(s, i+1) == '`' || at(s, i+1) == '[') {
			i++
			out = append(out, s[i])
			utf16++
			continue
		}
		if c != '_' && c != '*' && c != '`' && c != '[' {
			utf16 += utf16Width(c)
			out = append(out, c)
			continue
		}
		begin := i
		endChar := c
		if c == '[' {
			endChar = ']'
		}
		i++
		isPre, language := false, ""
		if c == '`' && at(s, i) == '`' && at(s, i+1) == '`' {
			i += 2
			isPre = true
			langEnd := i
			for !isSpace(at(s, langEnd)) && at(s, langEnd) != '`' {
				langEnd++
			}
			if i != langEnd && langEnd < len(s) && s[langEnd] != '`' {
				language, i = s[i:langEnd], langEnd
			}
			if at(s, i) == '\n' || at(s, i) == '\r' {
				if (at(s, i+1) == '\n' || at(s, i+1) == '\r') && at(s, i) != at(s, i+1) {
					i += 2
				} else {
					i++
				}
			}
		}
		offset := utf16
		for i < len(s) && (s[i] != endChar || (isPre && !(at(s, i+1) == '`' && at(s, i+2) == '`'))) {
			utf16 += utf16Width(s[i])
			out = append(out, s[i])
			i++
		}
		if i == len(s) {
			return "", nil, entityErr("Can't find end of the entity starting at byte offset %d", begin)
		}
		if offset != utf16 {
			e := MessageEntity{Offset: offset, Length: utf16 - offset}
			switch c {
			case '_':
				e.Type = "italic"
			case '*':
				e.Type = "bold"
			case '[':
				var link string
				if at(s, i+1) != '(' {
					link = s[begin+1 : i]
				} else {
					i += 2
					start := i
					for i < len(s) && s[i] != ')' {
						i++
					}
					link = s[start:i]
				}
				if id, ok := userLink(link); ok {
					e.Type, e.User = "text_mention", &User{ID: id}
				} else if e.URL = checkedLink(link); e.URL != "" {
					e.Type = "text_link"
				}
			case '`':
				e.Type = "code"
				if isPre {
					e.Type, e.Language = "pre", language
				}
			}
			if e.Type != "" {
				entities = append(entities, e)
			}
		}
		if isPre {
			i += 2
		}
	}
	sortEntities(entities)
	return string(out), entities, nil
}
