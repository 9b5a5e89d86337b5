package bot

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"loa/admin"
	"loa/calendar"
	"loa/chat"
	"loa/store"
)

// Every text a member or an admin reads is here, so that the wording can be reviewed in
// one place. Texts are plain; the adapter escapes them for its format.
//
// Members are addressed as "bạn"; a group or a channel as "nhóm" or "kênh". "Quản trị
// viên hệ thống" is a loa admin (LOA_ADMINS), not merely an admin of the group.

// busyText answers any update that failed on the store; it never says why.
const busyText = "Xin lỗi, hệ thống đang bận, vui lòng thử lại sau."

// topicNames are the Vietnamese names of the topics members know by name.
var topicNames = map[string]string{
	"news":                   "Tin tức",
	store.TopicAnniversaries: "Ngày kỷ niệm",
	store.TopicAnnouncements: "Thông báo",
}

// TopicName returns the Vietnamese display name of a topic: "news" is "Tin tức",
// anniversaries "Ngày kỷ niệm", announcements "Thông báo"; other topics (a feed's own,
// named by the admin who added it) are shown as they are.
func TopicName(topic string) string {
	if name, ok := topicNames[topic]; ok {
		return name
	}
	return topic
}

// who names the audience of a chat: the member in a private chat, else the group or the
// channel; capitalised for the start of a sentence.
func who(kind chat.Kind) (capital, lower string) {
	switch kind {
	case kindPrivate:
		return "Bạn", "bạn"
	case kindChannel:
		return "Kênh", "kênh"
	default:
		return "Nhóm", "nhóm"
	}
}

// whatYouReceive lists what a subscriber receives.
const whatYouReceive = "• tin bài mới đăng trên Cổng thông tin điện tử;\n" +
	"• thông báo các ngày kỷ niệm, ngày lễ lớn;\n" +
	"• các thông báo chính thức."

// commandsText lists the members' commands for a chat, without the one named skip, as
// the chat asks for them: slash commands where there is a command menu, else the words
// to type (and how to switch topics without buttons). In groups and channels it says
// which only loa admins may use; in forum groups it adds /here.
func (b *Bot) commandsText(kind chat.Kind, forum bool, skip string) string {
	caps := b.Capabilities
	var listed []*command
	var restricted []string
	for _, c := range commands {
		if !c.shown(b, forum) {
			continue
		}
		if c.who == chatAdmins {
			restricted = append(restricted, c.quoted(caps))
		}
		if c.name != skip && !c.noButtons {
			listed = append(listed, c)
		}
	}
	// The menu's order, then what only this chat shows (/here).
	rank := func(c *command) int { return cmp.Or(c.menu, len(commands)) }
	slices.SortStableFunc(listed, func(x, y *command) int { return cmp.Compare(rank(x), rank(y)) })
	var sb strings.Builder
	head, bullet := "Các lệnh:", ""
	if !caps.CommandMenu {
		head, bullet = "Các lệnh (nhắn đúng nội dung sau, có dấu hay không dấu đều được):", "• "
	}
	sb.WriteString(head)
	for _, c := range listed {
		sb.WriteString("\n" + bullet + c.label(caps) + " – " + c.description)
	}
	if !caps.Buttons {
		sb.WriteString("\n\n" + toggleTip)
	}
	if kind != kindPrivate && len(restricted) > 0 {
		_, lower := who(kind)
		sb.WriteString("\n\nTrong " + lower + ", chỉ quản trị viên hệ thống mới dùng được " + list(restricted) + ".")
	}
	return sb.String()
}

// list joins names the Vietnamese way: "a, b và c".
func list(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " và " + names[len(names)-1]
}

// hereHint tells a forum group how to choose the topic broadcasts go to.
const hereHint = "Để tin được gửi vào một chủ đề (topic) riêng của nhóm, quản trị viên hệ thống gửi /here trong chủ đề đó."

// startText answers a first /start (or a /start after /stop).
func (b *Bot) startText(kind chat.Kind, forum bool) string {
	var sb strings.Builder
	if kind == kindPrivate {
		sb.WriteString("Cảm ơn bạn đã đăng ký nhận tin! Từ nay bạn sẽ nhận được:\n")
	} else {
		capital, lower := who(kind)
		sb.WriteString(capital + " đã được đăng ký nhận tin. Từ nay " + lower + " sẽ nhận được:\n")
	}
	sb.WriteString(whatYouReceive)
	if forum {
		sb.WriteString("\n\n" + hereHint)
	}
	sb.WriteString("\n\n" + b.commandsText(kind, forum, "start"))
	return sb.String()
}

// alreadyText answers /start from a chat that is already subscribed; its topics stay.
func (b *Bot) alreadyText(kind chat.Kind, forum bool) string {
	capital, _ := who(kind)
	return capital + " đã đăng ký nhận tin rồi, không cần đăng ký lại. " +
		"Các chủ đề đã chọn vẫn được giữ nguyên; gửi " + say(b.Capabilities, "topics") + " để xem hoặc thay đổi.\n\n" +
		b.commandsText(kind, forum, "start")
}

// greetingText answers an admin who added the bot to a group or a channel.
func (b *Bot) greetingText(kind chat.Kind, forum bool) string {
	_, lower := who(kind)
	text := "Xin chào! Bot đã được thêm vào " + lower + " và " + lower + " đã được đăng ký nhận tin. " +
		"Từ nay " + lower + " sẽ nhận được:\n" + whatYouReceive
	if forum {
		text += "\n\n" + hereHint
	}
	return text + "\n\n" + b.commandsText(kind, forum, "start")
}

// notAllowedToAddText answers someone who is not a loa admin and added the bot to a chat;
// the bot then leaves.
func notAllowedToAddText(kind chat.Kind) string {
	_, lower := who(kind)
	return "Xin lỗi, chỉ quản trị viên hệ thống mới có thể thêm bot vào " + lower + ". Bot xin phép rời " + lower + "."
}

// stoppedText confirms /stop.
func stoppedText(caps Capabilities, kind chat.Kind) string {
	start := say(caps, "start")
	if kind == kindPrivate {
		return "Bạn đã ngừng nhận tin. Cảm ơn bạn đã theo dõi!\nKhi muốn nhận tin trở lại, bạn chỉ cần gửi " + start + "."
	}
	capital, lower := who(kind)
	return capital + " đã ngừng nhận tin.\nKhi muốn nhận tin trở lại, quản trị viên hệ thống gửi " + start + " trong " + lower + "."
}

// notSubscribedText answers /stop, /topics, "bật N" or a topic button from a chat that
// is not subscribed.
func notSubscribedText(caps Capabilities, kind chat.Kind) string {
	start := say(caps, "start")
	if kind == kindPrivate {
		return "Bạn chưa đăng ký nhận tin. Vui lòng gửi " + start + " để đăng ký."
	}
	capital, lower := who(kind)
	return capital + " chưa đăng ký nhận tin. Quản trị viên hệ thống có thể gửi " + start + " để đăng ký cho " + lower + "."
}

// startNotAdminText answers /start in a group from someone who is not a loa admin.
func startNotAdminText(caps Capabilities, kind chat.Kind, _ string) string {
	_, lower := who(kind)
	return "Xin lỗi, chỉ quản trị viên hệ thống mới có thể đăng ký nhận tin cho " + lower + ". " +
		"Bạn có thể nhắn tin riêng cho bot và gửi " + say(caps, "start") + " để nhận tin cá nhân."
}

// adminOnlyText answers a group command that only loa admins may use; command is
// named as the chat asks for it ("/stop", "“chủ đề”").
func adminOnlyText(_ Capabilities, kind chat.Kind, command string) string {
	_, lower := who(kind)
	return "Xin lỗi, trong " + lower + " chỉ quản trị viên hệ thống mới dùng được lệnh " + command + "."
}

// topicsText heads the topic keyboard.
func topicsText(kind chat.Kind) string {
	if kind == kindPrivate {
		return "Chọn các chủ đề bạn muốn nhận (✅ đang nhận, ⬜ đã tắt). Nhấn vào một chủ đề để bật hoặc tắt."
	}
	_, lower := who(kind)
	return "Chọn các chủ đề " + lower + " muốn nhận (✅ đang nhận, ⬜ đã tắt). Nhấn vào một chủ đề để bật hoặc tắt."
}

// Marks on the topic buttons.
const (
	markOn  = "✅"
	markOff = "⬜"
)

// topicToast confirms a topic button.
func topicToast(on bool, topic string) string {
	if on {
		return "Đã bật: " + TopicName(topic)
	}
	return "Đã tắt: " + TopicName(topic)
}

// Toasts (answerCallbackQuery: at most 200 characters).
const (
	outdatedToast       = "Danh sách chủ đề này đã cũ. Vui lòng gửi /topics để mở lại."
	topicsAdminOnlyText = "Xin lỗi, chỉ quản trị viên hệ thống mới thay đổi được chủ đề nhận tin."
)

// notSubscribedToast is notSubscribedText, short enough for a toast.
func notSubscribedToast(kind chat.Kind) string {
	capital, _ := who(kind)
	return capital + " chưa đăng ký nhận tin. Vui lòng gửi /start trước."
}

// Texts of /latest.
const (
	latestHeader   = "Tin bài mới nhất:"
	noArticlesText = "Hiện chưa có tin bài nào. Vui lòng quay lại sau."
	untitled       = "(không có tiêu đề)"
	dateLayout     = "02/01/2006"
)

// Texts of /today and /upcoming. Dates are written the portal's way, 5/6/2024.

// todayText lists today's notices.
func todayText(d calendar.Date, notices []string) string {
	return "Hôm nay, " + d.LongDMY() + ":\n\n" + bullets(notices)
}

// noneTodayText says there is no notice today.
func noneTodayText(d calendar.Date) string {
	return "Hôm nay, " + d.LongDMY() + ", không có ngày kỷ niệm nào."
}

// nextText shows the next day with anniversaries, days after today.
func nextText(d calendar.Date, days int, notices []string) string {
	when := "ngày mai"
	if days > 1 {
		when = "còn " + strconv.Itoa(days) + " ngày"
	}
	return "Ngày kỷ niệm sắp tới (" + d.DMY() + ", " + when + "):\n" + bullets(notices)
}

// upcomingLine is one anniversary of /upcoming.
func upcomingLine(d calendar.Date, isToday bool, notice string) string {
	day := strconv.Itoa(d.Day) + "/" + strconv.Itoa(int(d.Month))
	if isToday {
		day += " (hôm nay)"
	}
	return day + ": " + notice
}

// upcomingText lists the coming anniversaries and counts those left out.
func upcomingText(lines []string, more int) string {
	text := "Các ngày kỷ niệm trong " + strconv.Itoa(upcomingDays) + " ngày tới:\n\n" + bullets(lines)
	if more > 0 {
		text += "\n… và " + strconv.Itoa(more) + " ngày kỷ niệm khác."
	}
	return text
}

// noUpcomingText answers /upcoming when nothing is coming.
var noUpcomingText = "Không có ngày kỷ niệm nào trong " + strconv.Itoa(upcomingDays) + " ngày tới."

// helpText answers /help.
func (b *Bot) helpText(kind chat.Kind, forum bool) string {
	_, lower := who(kind)
	return "Bot gửi đến " + lower + " tin bài mới của Cổng thông tin điện tử, thông báo các ngày kỷ niệm, " +
		"ngày lễ lớn và các thông báo chính thức.\n\n" + b.commandsText(kind, forum, "")
}

// Texts of /here.
const (
	hereText        = "Từ nay, tin sẽ được gửi vào chủ đề (topic) này của nhóm."
	hereGeneralText = "Từ nay, tin sẽ được gửi vào chủ đề chung (General) của nhóm."
	hereNoTopicText = "Lệnh /here chỉ dùng được bên trong một chủ đề (topic) của nhóm có bật tính năng chủ đề. " +
		"Vui lòng gửi lệnh trong chủ đề muốn nhận tin."
	hereNotSubscribedText = "Nhóm chưa đăng ký nhận tin. Vui lòng gửi /start trước, rồi gửi /here trong chủ đề muốn nhận tin."
)

// unknownCommandText answers a slash command the bot does not know.
func unknownCommandText(caps Capabilities) string {
	return "Xin lỗi, bot chưa hiểu lệnh này. Vui lòng gửi " + say(caps, "help") + " để xem các lệnh có thể dùng."
}

// hintText answers plain text in a private chat: where members type words, with the
// two that matter most; else that only commands are answered.
func hintText(caps Capabilities) string {
	if caps.CommandMenu {
		return "Bot chỉ trả lời các lệnh, chưa trả lời được tin nhắn thường. Vui lòng gửi " + say(caps, "help") + " để xem hướng dẫn."
	}
	return "Bot chưa hiểu tin nhắn này. Nhắn " + say(caps, "start") + " để nhận tin, hoặc " + say(caps, "help") + " để xem các lệnh."
}

// privateOnlyText refuses in a group a command that belongs in a private chat.
func privateOnlyText(_ Capabilities, _ chat.Kind, command string) string {
	return "Lệnh " + command + " chỉ dùng được khi nhắn riêng với bot. Vui lòng nhắn tin riêng cho bot rồi gửi lại."
}

// Texts of the chats without buttons, where members type words to choose topics.
// Quotes “…” mark what to type.

// toggleTip says how topics are chosen without buttons.
const toggleTip = "Để chọn chủ đề: nhắn “chủ đề” để xem danh sách đánh số, rồi nhắn “tắt 2” hoặc “bật 2” (2 là số thứ tự của chủ đề)."

// topicsTip follows the numbered topic list.
const topicsTip = "Nhắn “tắt” hoặc “bật” kèm số thứ tự để đổi, ví dụ: tắt 2"

// topicListText is the numbered topic list with each topic's state.
func topicListText(kind chat.Kind, topics, muted []string) string {
	_, lower := who(kind)
	var sb strings.Builder
	sb.WriteString("Chủ đề nhận tin của " + lower + " (" + markOn + " đang nhận, " + markOff + " đã tắt):")
	for i, t := range topics {
		mark := markOn
		if slices.Contains(muted, t) {
			mark = markOff
		}
		sb.WriteString("\n" + strconv.Itoa(i+1) + ". " + mark + " " + TopicName(t))
	}
	sb.WriteString("\n\n" + topicsTip)
	return sb.String()
}

// noSuchTopicText answers “bật N” or “tắt N” with an N outside the list of count
// topics.
func noSuchTopicText(n, count int) string {
	which := "số " + strconv.Itoa(n)
	if n > maxTopicNumber {
		which = "mang số này"
	}
	return "Không có chủ đề " + which + ". Hiện có " + strconv.Itoa(count) + " chủ đề, đánh số từ 1 đến " +
		strconv.Itoa(count) + "; nhắn “chủ đề” để xem danh sách."
}

// toggleUsageText answers “bật” or “tắt” without a number.
const toggleUsageText = "Vui lòng nhắn “bật” hoặc “tắt” kèm số thứ tự của chủ đề, ví dụ: tắt 2. Nhắn “chủ đề” để xem danh sách."

// Texts of the admins' commands (admin.go). Admins are office staff: the texts say
// what happened and what to send next, with an example. Announcements are numbered
// ("thông báo số 12", "#12" in lists) and so are broadcasts ("bản tin số 34").

// adminRefusedText answers an admin command (named as the chat asks for it: "/stats")
// from someone who is not a loa admin.
func adminRefusedText(caps Capabilities, _ chat.Kind, command string) string {
	return "Xin lỗi, lệnh " + command + " chỉ dành cho quản trị viên hệ thống. Vui lòng gửi " + say(caps, "help") +
		" để xem các lệnh bạn có thể dùng."
}

// adminRefusedStopText is adminRefusedText for /cancel and /huy, which look like
// "unsubscribe" to a member: it points to the command that does that.
func adminRefusedStopText(caps Capabilities, _ chat.Kind, command string) string {
	return "Xin lỗi, lệnh " + command + " chỉ dành cho quản trị viên hệ thống. Nếu bạn muốn ngừng nhận tin, vui lòng gửi " +
		say(caps, "stop") + "."
}

// Toasts of the draft buttons (at most 200 characters).
const (
	adminButtonRefusedToast = "Xin lỗi, chỉ quản trị viên hệ thống mới dùng được nút này."
	draftHandledToast       = "Bản nháp này đã được xử lý."
	adminButtonOutdated     = "Nút này không còn dùng được. Vui lòng gửi lại lệnh."
	sentNowToast            = "Đã xác nhận gửi ngay."
	scheduledToast          = "Đã hẹn giờ gửi."
	discardedToast          = "Đã huỷ bản nháp."
	timeHelpToast           = "Vui lòng gửi lệnh /schedule kèm ngày giờ."
	pastButtonToast         = "Thời điểm hẹn đã qua. Vui lòng gửi lại /schedule với thời điểm mới."
	otherAdminDraftToast    = "Bản nháp này do quản trị viên khác soạn; chỉ người soạn mới gửi, hẹn giờ hoặc huỷ được."
)

// Labels of the draft buttons.
const (
	sendNowButton = "Gửi ngay"
	timeButton    = "Hẹn giờ"
	dropButton    = "Huỷ"
	confirmButton = "Xác nhận"
)

// audienceNote says who receives an announcement written in the bot.
const audienceNote = "Người nhận: mọi người đăng ký nhận tin trên Telegram và Zalo, trừ những ai đã tắt chủ đề “Thông báo”."

// formattingNote reminds admins of the formatting they may use.
const formattingNote = "Định dạng: *in đậm*, _in nghiêng_, [chữ hiển thị](https://địa-chỉ-liên-kết)."

// announceUsageText answers /announce without text.
const announceUsageText = "Vui lòng viết nội dung thông báo sau lệnh, ví dụ:\n" +
	"/announce Kính mời các đồng chí dự *Hội nghị sơ kết 6 tháng* lúc 8 giờ ngày 10/7/2024 tại Hội trường tầng 3.\n\n" +
	formattingNote + "\nBot sẽ hiện bản xem trước để bạn kiểm tra trước khi gửi."

// replacedNote tells the admin that their earlier drafts were dropped for this one.
func replacedNote(ids []int64) string {
	if len(ids) == 0 {
		return ""
	}
	return "\n(Bản nháp trước đó, " + numbers(ids) + ", đã được thay bằng bản này.)"
}

// announcePreviewText is the caption under the preview of a draft to send now: what
// the buttons do, or, without buttons, what to type instead.
func announcePreviewText(caps Capabilities, id int64, replaced []int64, example string) string {
	n := strconv.FormatInt(id, 10)
	text := "👆 Trên đây là bản xem trước thông báo số " + n + ", đúng như người nhận sẽ thấy.\n" + audienceNote +
		replacedNote(replaced) + "\n\n"
	if !caps.Buttons {
		return text + "Nhắn /xacnhan " + n + " để gửi ngay, /huy " + n + " để bỏ bản nháp, " +
			"hoặc /schedule ngày/tháng/năm giờ:phút để hẹn giờ (ví dụ: /schedule " + example + ")."
	}
	return text + "Bạn muốn gửi ngay, hẹn giờ hay huỷ?"
}

// schedulePreviewText is the caption under the preview of a draft with a time.
func schedulePreviewText(caps Capabilities, id int64, when string, replaced []int64) string {
	n := strconv.FormatInt(id, 10)
	text := "👆 Trên đây là bản xem trước thông báo số " + n + ", đúng như người nhận sẽ thấy.\n" +
		"Thời gian gửi: " + when + ".\n" + audienceNote + replacedNote(replaced) + "\n\n"
	if !caps.Buttons {
		return text + "Nhắn /xacnhan " + n + " để xác nhận hẹn giờ, hoặc /huy " + n + " để bỏ bản nháp."
	}
	return text + "Nhấn “" + confirmButton + "” để hẹn giờ gửi, hoặc “" + dropButton + "” để bỏ bản nháp."
}

// timeHelpText answers the "Hẹn giờ" button; example is a date and time to copy.
func timeHelpText(id int64, example string) string {
	return "Để hẹn giờ gửi thông báo số " + strconv.FormatInt(id, 10) + ", vui lòng gửi lệnh:\n" +
		"/schedule ngày/tháng/năm giờ:phút\n" +
		"Ví dụ: /schedule " + example + "\n\n" +
		"Bot sẽ hiện lại bản xem trước kèm thời gian để bạn xác nhận. Hoặc chọn:"
}

// sentNowText confirms a draft sent now.
func sentNowText(id int64) string {
	return "✅ Đã lên lịch gửi ngay thông báo số " + strconv.FormatInt(id, 10) +
		". Tin sẽ được gửi đi trong giây lát; gửi /broadcast để xem tiến độ."
}

// scheduledText confirms a draft scheduled for when.
func scheduledText(id int64, when string) string {
	n := strconv.FormatInt(id, 10)
	return "✅ Đã hẹn giờ: thông báo số " + n + " sẽ được gửi lúc " + when + ".\n" +
		"Gửi /scheduled để xem các thông báo đã lên lịch, /cancel " + n + " nếu cần huỷ."
}

// discardedText confirms a dropped draft.
func discardedText(id int64) string {
	return "Đã huỷ bản nháp thông báo số " + strconv.FormatInt(id, 10) + ". Không có tin nào được gửi."
}

// Hints the bot adds to the admin layer's refusals (admin.Message): what to send next.
const (
	writeYourOwnHint = "Bạn có thể soạn thông báo của mình bằng lệnh /announce."
	seeScheduledHint = "Gửi /scheduled để xem các thông báo đã lên lịch."
	writeDraftHint   = "Vui lòng soạn thông báo bằng /announce <nội dung>, " +
		"hoặc ghi nội dung ngay sau ngày giờ: /schedule ngày/tháng/năm giờ:phút <nội dung>."
	checkNumberHint = "Vui lòng kiểm tra lại số trong bản xem trước."
	rescheduleHint  = "Gửi /schedule ngày/tháng/năm giờ:phút để hẹn lại giờ cho bản nháp này."
)

// scheduleExampleHint follows a date or time the bot could not read; example is a
// date and time to copy.
func scheduleExampleHint(example string) string {
	return "Gửi lại theo mẫu: /schedule " + example + " <nội dung>"
}

// Usage of the typed confirmations (chats without buttons).
const (
	confirmUsageText = "Vui lòng ghi số của bản nháp cần gửi, ví dụ: /xacnhan 12 (số nằm trong bản xem trước)."
	discardUsageText = "Vui lòng ghi số của bản nháp cần bỏ, ví dụ: /huy 12 (số nằm trong bản xem trước)."
)

// scheduleUsageText answers /schedule without a date and time; example is one to copy.
func scheduleUsageText(example string) string {
	return "Vui lòng ghi ngày giờ gửi theo dạng ngày/tháng/năm giờ:phút, rồi nội dung thông báo, ví dụ:\n" +
		"/schedule " + example + " Kính mời các đồng chí dự họp giao ban tuần.\n\n" +
		"Nếu không ghi nội dung, thời gian được đặt cho bản nháp mới nhất của bạn (soạn bằng /announce).\n" + formattingNote
}

// Texts of /scheduled.
const (
	scheduledHeader  = "Các thông báo đã lên lịch"
	noScheduledText  = "Hiện không có thông báo nào đã lên lịch. Gửi /announce <nội dung> để soạn thông báo mới."
	scheduledFooter  = "Gửi /cancel <số> để huỷ một thông báo, ví dụ: /cancel 12."
	scheduleOnceText = "một lần"
	noNextRunText    = "chưa có lần gửi tới"
	excerptEllipsis  = "…"
	emptyExcerptText = "(không có nội dung)"
)

// eventNumberText names an event that could not be looked up.
func eventNumberText(id int64) string { return "sự kiện số " + strconv.FormatInt(id, 10) }

// scheduleCronText describes a recurring announcement.
func scheduleCronText(expr string) string { return "định kỳ (cron: " + expr + ")" }

// scheduleEventText describes a yearly greeting on an event's day.
func scheduleEventText(event, clock string) string {
	return "hằng năm vào ngày " + event + ", lúc " + clock
}

// audienceText describes an announcement's audience when it is not the usual one
// (every channel, topic "Thông báo"); "" otherwise.
func audienceText(topic string, channel chat.Channel) string {
	var parts []string
	if topic != store.TopicAnnouncements {
		parts = append(parts, "chủ đề “"+TopicName(topic)+"”")
	}
	if channel != "" {
		parts = append(parts, "chỉ gửi qua "+channelName(channel))
	}
	return strings.Join(parts, ", ")
}

// scheduledLine is one announcement of /scheduled.
func scheduledLine(id int64, next, schedule, audience, excerpt string) string {
	head := "#" + strconv.FormatInt(id, 10) + " · " + next + " · " + schedule
	if audience != "" {
		head += " · " + audience
	}
	return head + "\n" + excerpt
}

// scheduledListText lists the scheduled announcements; more counts those left out.
func scheduledListText(lines []string, total, more int) string {
	text := scheduledHeader + " (" + admin.Number(total) + "):\n\n" + strings.Join(lines, "\n\n")
	if more > 0 {
		text += "\n\n… và " + admin.Number(more) + " thông báo khác (xem đủ bằng lệnh loa announcements list)."
	}
	return text + "\n\n" + scheduledFooter
}

// Texts of /cancel.
const cancelUsageText = "Vui lòng ghi số của thông báo cần huỷ, ví dụ: /cancel 12. " +
	"Gửi /scheduled để xem số của các thông báo đã lên lịch."

// cancelledText confirms /cancel: wasDone says every run had been made already,
// stopped how many pending deliveries were stopped.
func cancelledText(id int64, wasDone bool, stopped int64) string {
	n := strconv.FormatInt(id, 10)
	switch {
	case wasDone && stopped > 0:
		return "Đã huỷ thông báo số " + n + ": đã dừng " + admin.Number(stopped) + " tin còn đang chờ gửi."
	case wasDone:
		return "Thông báo số " + n + " đã được gửi xong trước đó; không còn tin nào đang chờ gửi để dừng."
	case stopped > 0:
		return "Đã huỷ thông báo số " + n + ": các lần gửi sắp tới sẽ không diễn ra, và đã dừng " +
			admin.Number(stopped) + " tin còn đang chờ gửi."
	}
	return "Đã huỷ thông báo số " + n + ": các lần gửi sắp tới sẽ không diễn ra. Không có tin nào đang chờ gửi."
}

// channelName is a channel's display name: its name capitalised ("Telegram", "Zalo").
func channelName(channel chat.Channel) string {
	first, size := utf8.DecodeRuneInString(string(channel))
	return string(unicode.ToUpper(first)) + string(channel)[size:]
}

// Texts of /stats.
const (
	statsHeader        = "📊 Thống kê"
	subscribersHeader  = "Người nhận tin:"
	noSubscribersText  = "• Chưa có ai đăng ký nhận tin."
	statsActiveText    = "đang nhận"
	statsStoppedText   = "đã ngừng"
	statsGoneText      = "không còn liên lạc được"
	kindPrivateText    = "cá nhân"
	kindGroupText      = "nhóm"
	kindChannelText    = "kênh"
	broadcastsNoteText = "tin bài, ngày kỷ niệm và thông báo; không kể cảnh báo hệ thống"
)

// statsChannelLine is one channel's subscribers: active (with the breakdown by kind of
// chat), then stopped and gone when there are any.
func statsChannelLine(channel chat.Channel, active int, kinds []string, stopped, gone int) string {
	line := "• " + channelName(channel) + ": " + admin.Number(active) + " " + statsActiveText
	if len(kinds) > 0 {
		line += " (" + strings.Join(kinds, ", ") + ")"
	}
	if stopped > 0 {
		line += "; " + admin.Number(stopped) + " " + statsStoppedText
	}
	if gone > 0 {
		line += "; " + admin.Number(gone) + " " + statsGoneText
	}
	return line
}

// statsWeekText is this week's activity since monday (a long date).
func statsWeekText(monday string, broadcasts, sent, failed, pending, cancelled int) string {
	text := "Tuần này (từ " + monday + "):\n" +
		"• " + admin.Number(broadcasts) + " bản tin (" + broadcastsNoteText + ")\n" +
		"• Lượt gửi: " + admin.Number(sent) + " thành công, " + admin.Number(failed) + " thất bại, " + admin.Number(pending) + " đang chờ gửi"
	if cancelled > 0 {
		text += ", " + admin.Number(cancelled) + " đã huỷ"
	}
	return text
}

// Texts of /broadcast.
const (
	broadcastUsageText   = "Vui lòng ghi số của bản tin, ví dụ: /broadcast 34. Gửi /broadcast (không kèm số) để xem các bản tin gần đây."
	noBroadcastsText     = "Chưa có bản tin nào."
	recentBroadcastsHead = "Các bản tin gần đây:"
	recentBroadcastsFoot = "Gửi /broadcast <số> để xem chi tiết, ví dụ: /broadcast "
	failuresHeader       = "Lý do không gửi được:"
)

// broadcastNotFoundText answers /broadcast with a number that names no broadcast.
func broadcastNotFoundText(id int64) string {
	return "Không tìm thấy bản tin số " + strconv.FormatInt(id, 10) + ". Gửi /broadcast để xem các bản tin gần đây."
}

// kinds name the kinds of broadcast, for admins' reports and for the heading members
// read: a notice that is not an article is headed by its mark, then its title or,
// without one, the kind's name. The adapters render headings from here (Heading).
var kinds = map[store.BroadcastKind]struct{ name, mark string }{
	store.KindArticle:      {name: "Tin bài"},
	store.KindAnniversary:  {name: "Ngày kỷ niệm", mark: "🇻🇳"},
	store.KindAnnouncement: {name: "Thông báo", mark: "📢"},
	store.KindAlert:        {name: "Cảnh báo hệ thống", mark: "⚠️"},
}

// kindName names a kind of broadcast; an unknown kind is shown as it is.
func kindName(kind store.BroadcastKind) string {
	if k, ok := kinds[kind]; ok {
		return k.name
	}
	return string(kind)
}

// Heading returns how a broadcast of the kind is headed: an emoji marking the kind
// and the kind's name, which stands in for a missing title. mark is "" for articles
// and kinds added later, which are headed by their title alone.
func Heading(kind store.BroadcastKind) (mark, label string) {
	k := kinds[kind]
	if k.mark == "" {
		return "", ""
	}
	return k.mark, k.name
}

// broadcastHead names a broadcast: number, kind, creation time and, for a run of an
// announcement, which one.
func broadcastHead(id int64, kind store.BroadcastKind, created string, announcement int64) string {
	head := "Bản tin số " + strconv.FormatInt(id, 10) + " · " + kindName(kind)
	if announcement > 0 {
		head += " (thông báo số " + strconv.FormatInt(announcement, 10) + ")"
	}
	return head + " · tạo lúc " + created
}

// broadcastProgress is the delivery counts of one broadcast.
func broadcastProgress(total, sent, failed, pending, cancelled int) string {
	if total == 0 {
		return "Bản tin này không có người nhận nào (không ai đăng ký chủ đề của bản tin lúc tạo)."
	}
	state := "đã gửi xong"
	if pending > 0 {
		state = "đang gửi"
	}
	return "Người nhận: " + admin.Number(total) + " (" + state + ")\n" +
		"• Đã gửi: " + admin.Number(sent) + " (" + strconv.Itoa(sent*100/total) + "%)\n" +
		"• Thất bại: " + admin.Number(failed) + "\n" +
		"• Đang chờ gửi: " + admin.Number(pending) + "\n" +
		"• Đã huỷ: " + admin.Number(cancelled)
}

// recentBroadcastLine is one broadcast of the recent list.
func recentBroadcastLine(id int64, kind store.BroadcastKind, created string, sent, total int, title string) string {
	return "#" + strconv.FormatInt(id, 10) + " · " + kindName(kind) + " · " + created + " · đã gửi " +
		admin.Number(sent) + "/" + admin.Number(total) + "\n" + title
}

// failureStatus names the end of a delivery that did not go out.
func failureStatus(status store.DeliveryStatus) string {
	if status == store.DeliveryCancelled {
		return "đã huỷ"
	}
	return "thất bại"
}

// adminHelpText is the admins' part of /help, in a private chat with a loa admin: the
// admins' commands of the table, the typed confirmations only where there are no
// buttons.
func (b *Bot) adminHelpText() string {
	caps := b.Capabilities
	var sb strings.Builder
	sb.WriteString("Lệnh dành cho quản trị viên hệ thống:")
	for _, c := range commands {
		if c.who != admins || !b.offers(c) || (c.noButtons && caps.Buttons) {
			continue
		}
		line := c.label(caps)
		if c.usage != "" {
			line += " " + c.usage
		}
		sb.WriteString("\n" + line + " – " + c.description)
	}
	sb.WriteString("\n\nKhông có tin nào được gửi đi trước khi bạn xác nhận bản xem trước. " + formattingNote)
	return sb.String()
}

// numbers writes ids as "số 9, 11".
func numbers(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return "số " + strings.Join(parts, ", ")
}

// Texts of the web console's entry points (web.go).

// webLinkText gives an admin their sign-in link. The link works once, for a few
// minutes; the button on its page, not opening it, uses it, so a link preview cannot.
func webLinkText(link string) string {
	return "Liên kết đăng nhập trang quản trị (chỉ dùng được một lần, hết hạn sau 10 phút):\n" + link + "\n\n" +
		"Mở liên kết rồi nhấn nút “Đăng nhập”. Không chuyển liên kết này cho người khác: ai có nó đều đăng nhập được bằng tài khoản của bạn."
}

// webNotConfiguredText answers /web when the console has no public address.
const webNotConfiguredText = "Trang quản trị chưa có địa chỉ công khai nên bot chưa gửi được liên kết đăng nhập. " +
	"Người vận hành máy chủ cần đặt biến LOA_PUBLIC_URL (ví dụ https://loa.tinhuy.example.vn) rồi khởi động lại loa; " +
	"liên kết tới localhost không mở được trên điện thoại."

// inviteUsageText answers /moi without a code.
func inviteUsageText(caps Capabilities) string {
	return "Vui lòng gửi kèm mã mời, ví dụ: " + exampleInvite(caps) +
		". Mã mời do một quản trị viên tạo trên trang quản trị và gửi cho bạn."
}

// exampleInvite shows how to send an invite code.
func exampleInvite(caps Capabilities) string {
	return lookup("moi").label(caps) + " K7QX-42MD"
}

// inviteInvalidText answers a code that cannot be used: one text for unknown, used and
// expired codes, so that guessing learns nothing.
const inviteInvalidText = "Mã mời không dùng được: mã có thể đã gõ sai, đã được dùng hoặc đã hết hạn. " +
	"Vui lòng kiểm tra lại, hoặc xin quản trị viên đã mời bạn tạo một mã mới."

// alreadyAdminText answers an admin who sends an invite code; the code stays unused.
func alreadyAdminText(caps Capabilities) string {
	return "Bạn đã là quản trị viên hệ thống nên không cần dùng mã mời; mã này vẫn còn nguyên cho người được mời. " +
		"Gửi " + say(caps, "help") + " để xem các lệnh dành cho quản trị viên."
}

// welcomeAdminText confirms a redeemed invite.
func welcomeAdminText(caps Capabilities) string {
	return "✅ Bạn đã trở thành quản trị viên hệ thống. Gửi " + say(caps, "help") + " để xem các lệnh dành cho quản trị viên, " +
		"hoặc " + say(caps, "web") + " để nhận liên kết đăng nhập trang quản trị."
}

// inviteInGroupText refuses an invite code sent in a group: the code is not used, and
// since the group has seen it, a new one is safer.
func inviteInGroupText(caps Capabilities, _ chat.Kind, command string) string {
	return "Mã mời chỉ dùng được khi nhắn riêng với bot: vui lòng nhắn tin riêng cho bot và gửi " + command +
		" kèm mã. Vì mã đã hiện trong nhóm, bạn nên xin quản trị viên một mã mới."
}
