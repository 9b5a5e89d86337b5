package telegramtest

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// The HTML parser follows tdlib's parse_html (td/telegram/MessageEntity.cpp),
// which is what the Bot API runs for parse_mode=HTML: same tags, same attribute
// rules, same error texts and byte offsets. Strict mode adds two checks of its
// own (see ParseText).

var htmlTags = map[string]bool{
	"a": true, "b": true, "strong": true, "i": true, "em": true, "s": true, "strike": true,
	"del": true, "u": true, "ins": true, "tg-spoiler": true, "tg-emoji": true, "span": true,
	"pre": true, "code": true, "blockquote": true,
}

type htmlOpen struct {
	tag        string
	arg        string
	expandable bool
	offset     int // UTF-16 offset in the result
	begin      int // byte offset in the result
}

// decodeHTMLEntity decodes the character reference at s[pos] ('&'). It returns
// the code point, the index after it, whether it ended with ';', and ok=false
// for something that is not a reference Telegram knows (left as literal text).
func decodeHTMLEntity(s string, pos int) (code rune, next int, semicolon, ok bool) {
	end := pos + 1
	var res uint64
	if at(s, pos+1) == '#' {
		end++
		if at(s, pos+2) == 'x' {
			end++
			for isHexDigit(at(s, end)) {
				res = res*16 + uint64(hexValue(at(s, end)))
				end++
			}
		} else {
			for isASCIIDigit(at(s, end)) {
				res = res*10 + uint64(at(s, end)-'0')
				end++
			}
		}
		if res == 0 || res >= 0x10ffff || end-pos >= 10 {
			return 0, 0, false, false
		}
	} else {
		for isASCIIAlpha(at(s, end)) {
			end++
		}
		switch s[pos+1 : end] {
		case "lt":
			res = '<'
		case "gt":
			res = '>'
		case "amp":
			res = '&'
		case "quot":
			res = '"'
		default:
			return 0, 0, false, false
		}
	}
	if at(s, end) == ';' {
		return rune(res), end + 1, true, true
	}
	return rune(res), end, false, true
}

func hexValue(c byte) int {
	switch {
	case c <= '9':
		return int(c - '0')
	case c >= 'a':
		return int(c-'a') + 10
	default:
		return int(c-'A') + 10
	}
}

func entityErr(format string, args ...any) error {
	return &ParseError{Reason: fmt.Sprintf(format, args...)}
}

func parseHTML(s string, strict bool) (string, []MessageEntity, error) {
	out := make([]byte, 0, len(s))
	var (
		entities []MessageEntity
		stack    []htmlOpen
		utf16    int
	)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '&' {
			code, next, semicolon, ok := decodeHTMLEntity(s, i)
			if ok && (semicolon || !strict) {
				if code >= 0xD800 && code <= 0xDFFF {
					return "", nil, entityErr("Text contains invalid Unicode characters after decoding HTML entities, check for unmatched surrogate code units")
				}
				utf16++
				if code > 0xFFFF {
					utf16++
				}
				out = appendRune(out, code)
				i = next - 1
				continue
			}
			if strict {
				return "", nil, entityErr("Unescaped \"&\" at byte offset %d", i)
			}
		}
		if c == '>' && strict {
			return "", nil, entityErr("Unescaped \">\" at byte offset %d", i)
		}
		if c != '<' {
			utf16 += utf16Width(c)
			out = append(out, c)
			continue
		}

		begin := i
		i++
		if at(s, i) != '/' {
			// A start tag.
			for !isSpace(at(s, i)) && at(s, i) != '>' {
				i++
			}
			if at(s, i) == 0 {
				return "", nil, entityErr("Unclosed start tag at byte offset %d", begin)
			}
			tag := strings.ToLower(s[begin+1 : i])
			if !htmlTags[tag] {
				return "", nil, entityErr("Unsupported start tag \"%s\" at byte offset %d", tag, begin)
			}
			open := htmlOpen{tag: tag}
			for at(s, i) != '>' {
				for at(s, i) != 0 && isSpace(at(s, i)) {
					i++
				}
				if at(s, i) == '>' {
					break
				}
				nameBegin := i
				for !isSpace(at(s, i)) && at(s, i) != '=' && at(s, i) != '>' {
					i++
				}
				name := s[nameBegin:i]
				if name == "" {
					return "", nil, entityErr("Empty attribute name in the tag \"%s\" at byte offset %d", tag, begin)
				}
				for at(s, i) != 0 && isSpace(at(s, i)) {
					i++
				}
				if at(s, i) != '=' {
					if tag == "blockquote" && name == "expandable" && at(s, i) != 0 {
						open.expandable = true // a boolean attribute, as Telegram allows here
						continue
					}
					return "", nil, entityErr("Expected equal sign in declaration of an attribute of the tag \"%s\" at byte offset %d", tag, begin)
				}
				i++
				for at(s, i) != 0 && isSpace(at(s, i)) {
					i++
				}
				if at(s, i) == 0 {
					return "", nil, entityErr("Unclosed start tag \"%s\" at byte offset %d", tag, begin)
				}
				var value string
				if q := at(s, i); q != '\'' && q != '"' {
					// A name token: letters, digits, periods and hyphens.
					tokenBegin := i
					for isASCIIAlpha(at(s, i)) || isASCIIDigit(at(s, i)) || at(s, i) == '.' || at(s, i) == '-' {
						i++
					}
					value = strings.ToLower(s[tokenBegin:i])
					if !isSpace(at(s, i)) && at(s, i) != '>' {
						return "", nil, entityErr("Unexpected end of name token at byte offset %d", tokenBegin)
					}
				} else {
					i++
					var v []byte
					for at(s, i) != q && at(s, i) != 0 {
						if at(s, i) == '&' {
							if code, next, semicolon, ok := decodeHTMLEntity(s, i); ok && (semicolon || !strict) {
								v = appendRune(v, code)
								i = next
								continue
							}
							if strict {
								return "", nil, entityErr("Unescaped \"&\" at byte offset %d", i)
							}
						}
						v = append(v, s[i])
						i++
					}
					if at(s, i) == q {
						i++
					}
					value = string(v)
				}
				if at(s, i) == 0 {
					return "", nil, entityErr("Unclosed start tag at byte offset %d", begin)
				}
				switch {
				case tag == "a" && name == "href":
					open.arg = value
				case tag == "code" && name == "class" && strings.HasPrefix(value, "language-"):
					open.arg = value[len("language-"):]
				case tag == "span" && name == "class" && strings.HasPrefix(value, "tg-"):
					open.arg = value[len("tg-"):]
				case tag == "tg-emoji" && name == "emoji-id":
					open.arg = value
				case tag == "blockquote" && name == "expandable":
					open.expandable = true
				}
			}
			if tag == "span" && open.arg != "spoiler" {
				return "", nil, entityErr("Tag \"span\" must have class \"tg-spoiler\" at byte offset %d", begin)
			}
			open.offset, open.begin = utf16, len(out)
			stack = append(stack, open)
			continue
		}

		// An end tag.
		if len(stack) == 0 {
			return "", nil, entityErr("Unexpected end tag at byte offset %d", begin)
		}
		for !isSpace(at(s, i)) && at(s, i) != '>' {
			i++
		}
		endTag := strings.ToLower(s[begin+2 : i])
		for at(s, i) != 0 && isSpace(at(s, i)) {
			i++
		}
		if at(s, i) != '>' {
			return "", nil, entityErr("Unclosed end tag at byte offset %d", begin)
		}
		top := stack[len(stack)-1]
		if endTag != "" && endTag != top.tag {
			return "", nil, entityErr("Unmatched end tag at byte offset %d, expected \"</%s>\", found \"</%s>\"", begin, top.tag, endTag)
		}
		stack = stack[:len(stack)-1]
		if utf16 <= top.offset {
			continue // empty entities are dropped
		}
		e := MessageEntity{Offset: top.offset, Length: utf16 - top.offset}
		switch top.tag {
		case "i", "em":
			e.Type = "italic"
		case "b", "strong":
			e.Type = "bold"
		case "s", "strike", "del":
			e.Type = "strikethrough"
		case "u", "ins":
			e.Type = "underline"
		case "tg-spoiler", "span":
			e.Type = "spoiler"
		case "blockquote":
			e.Type = "blockquote"
			if top.expandable {
				e.Type = "expandable_blockquote"
			}
		case "tg-emoji":
			id, err := strconv.ParseInt(top.arg, 10, 64)
			if err != nil || id == 0 {
				return "", nil, entityErr("Invalid custom emoji identifier specified")
			}
			e.Type, e.CustomEmojiID = "custom_emoji", top.arg
		case "a":
			link := top.arg
			if link == "" {
				link = string(out[top.begin:])
			}
			if id, ok := userLink(link); ok {
				e.Type, e.User = "text_mention", &User{ID: id}
				break
			}
			if link = checkedLink(link); link == "" {
				continue
			}
			e.Type, e.URL = "text_link", link
		case "pre":
			if n := len(entities); n > 0 && entities[n-1].Type == "code" && entities[n-1].Offset == e.Offset &&
				entities[n-1].Length == e.Length && entities[n-1].Language != "" {
				entities[n-1].Type = "pre"
				continue
			}
			e.Type = "pre"
		case "code":
			if n := len(entities); n > 0 && entities[n-1].Type == "pre" && entities[n-1].Offset == e.Offset &&
				entities[n-1].Length == e.Length && top.arg != "" {
				entities[n-1].Language = top.arg
				continue
			}
			e.Type, e.Language = "code", top.arg
		}
		entities = append(entities, e)
	}
	if len(stack) > 0 {
		return "", nil, entityErr("Can't find end tag corresponding to start tag \"%s\"", stack[len(stack)-1].tag)
	}
	for i := range entities {
		if entities[i].Type == "code" {
			entities[i].Language = "" // only pre carries a language
		}
	}
	sortEntities(entities)
	return string(out), entities, nil
}

// userLink recognises tg://user?id=N, which becomes a text_mention.
func userLink(link string) (int64, bool) {
	rest, ok := strings.CutPrefix(strings.ToLower(link), "tg://user?id=")
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(rest, 10, 64)
	return id, err == nil && id > 0
}

// sortEntities orders entities by offset, longer (outer) first, as Telegram does.
func sortEntities(entities []MessageEntity) {
	sort.SliceStable(entities, func(i, j int) bool {
		if entities[i].Offset != entities[j].Offset {
			return entities[i].Offset < entities[j].Offset
		}
		return entities[i].Length > entities[j].Length
	})
}
