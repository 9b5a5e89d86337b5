package bot

import (
	"strconv"
	"strings"

	"loa/calendar"
	"loa/store"
)

// Every text a member or an admin reads is here, so that the wording can be reviewed in
// one place. Texts are plain; the adapter escapes them for its format.
//
// Members are addressed as "bạn"; a group or a channel as "nhóm" or "kênh". "Quản trị
// viên hệ thống" is a loa admin (LOA_ADMINS), not merely an admin of the group.

// busyText answers any update that failed on the store; it never says why.
const busyText = "Xin lỗi, hệ thống đang bận, vui lòng thử lại sau."

// commandList is the order commands are shown in, with their descriptions. /here is left
// out: it is for loa admins in forum groups only, and help in groups mentions it.
var commandList = []Command{
	{Name: "start", Description: "Đăng ký nhận tin"},
	{Name: "topics", Description: "Chọn chủ đề muốn nhận"},
	{Name: "latest", Description: "Xem 5 tin bài mới nhất"},
	{Name: "today", Description: "Ngày kỷ niệm hôm nay"},
	{Name: "upcoming", Description: "Các ngày kỷ niệm trong 30 ngày tới"},
	{Name: "stop", Description: "Ngừng nhận tin"},
	{Name: "help", Description: "Hướng dẫn sử dụng"},
}

// hereCommand describes /here where it applies (forum supergroups).
var hereCommand = Command{Name: "here", Description: "Nhận tin vào chủ đề (topic) đang gửi lệnh"}

// Commands returns the commands and their Vietnamese descriptions for setMyCommands
// (command 1–32 characters [a-z0-9_], description 1–256 characters).
func Commands() []Command {
	return append([]Command(nil), commandList...)
}

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
func who(kind string) (capital, lower string) {
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

// commandsText lists the commands for a chat, without the one named skip. In groups and
// channels it says who may use which; in forum groups it adds /here.
func commandsText(kind string, forum bool, skip string) string {
	var sb strings.Builder
	sb.WriteString("Các lệnh:")
	for _, c := range commandList {
		if c.Name == skip {
			continue
		}
		sb.WriteString("\n/" + c.Name + " – " + c.Description)
	}
	if forum {
		sb.WriteString("\n/" + hereCommand.Name + " – " + hereCommand.Description)
	}
	if kind != kindPrivate {
		_, lower := who(kind)
		if forum {
			sb.WriteString("\n\nTrong " + lower + ", chỉ quản trị viên hệ thống mới dùng được /start, /stop, /topics và /here.")
		} else {
			sb.WriteString("\n\nTrong " + lower + ", chỉ quản trị viên hệ thống mới dùng được /start, /stop và /topics.")
		}
	}
	return sb.String()
}

// hereHint tells a forum group how to choose the topic broadcasts go to.
const hereHint = "Để tin được gửi vào một chủ đề (topic) riêng của nhóm, quản trị viên hệ thống gửi /here trong chủ đề đó."

// startText answers a first /start (or a /start after /stop).
func startText(kind string, forum bool) string {
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
	sb.WriteString("\n\n" + commandsText(kind, forum, "start"))
	return sb.String()
}

// alreadyText answers /start from a chat that is already subscribed; its topics stay.
func alreadyText(kind string, forum bool) string {
	capital, _ := who(kind)
	return capital + " đã đăng ký nhận tin rồi, không cần đăng ký lại. " +
		"Các chủ đề đã chọn vẫn được giữ nguyên; gửi /topics để xem hoặc thay đổi.\n\n" +
		commandsText(kind, forum, "start")
}

// greetingText answers an admin who added the bot to a group or a channel.
func greetingText(kind string, forum bool) string {
	_, lower := who(kind)
	text := "Xin chào! Bot đã được thêm vào " + lower + " và " + lower + " đã được đăng ký nhận tin. " +
		"Từ nay " + lower + " sẽ nhận được:\n" + whatYouReceive
	if forum {
		text += "\n\n" + hereHint
	}
	return text + "\n\n" + commandsText(kind, forum, "start")
}

// notAllowedToAddText answers someone who is not a loa admin and added the bot to a chat;
// the bot then leaves.
func notAllowedToAddText(kind string) string {
	_, lower := who(kind)
	return "Xin lỗi, chỉ quản trị viên hệ thống mới có thể thêm bot vào " + lower + ". Bot xin phép rời " + lower + "."
}

// stoppedText confirms /stop.
func stoppedText(kind string) string {
	if kind == kindPrivate {
		return "Bạn đã ngừng nhận tin. Cảm ơn bạn đã theo dõi!\nKhi muốn nhận tin trở lại, bạn chỉ cần gửi /start."
	}
	capital, lower := who(kind)
	return capital + " đã ngừng nhận tin.\nKhi muốn nhận tin trở lại, quản trị viên hệ thống gửi /start trong " + lower + "."
}

// notSubscribedText answers /stop, /topics or a topic button from a chat that is not
// subscribed.
func notSubscribedText(kind string) string {
	if kind == kindPrivate {
		return "Bạn chưa đăng ký nhận tin. Vui lòng gửi /start để đăng ký."
	}
	capital, lower := who(kind)
	return capital + " chưa đăng ký nhận tin. Quản trị viên hệ thống có thể gửi /start để đăng ký cho " + lower + "."
}

// startNotAdminText answers /start in a group from someone who is not a loa admin.
func startNotAdminText(kind string) string {
	_, lower := who(kind)
	return "Xin lỗi, chỉ quản trị viên hệ thống mới có thể đăng ký nhận tin cho " + lower + ". " +
		"Bạn có thể nhắn tin riêng cho bot và gửi /start để nhận tin cá nhân."
}

// adminOnlyText answers a group command that only loa admins may use.
func adminOnlyText(kind, command string) string {
	_, lower := who(kind)
	return "Xin lỗi, trong " + lower + " chỉ quản trị viên hệ thống mới dùng được lệnh /" + command + "."
}

// topicsText heads the topic keyboard.
func topicsText(kind string) string {
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
func notSubscribedToast(kind string) string {
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

// weekdayNames name the days of the week mid-sentence.
var weekdayNames = [7]string{"chủ nhật", "thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy"}

// longDate is "thứ Tư, ngày 5/6/2024".
func longDate(d calendar.Date) string {
	return weekdayNames[d.Weekday()] + ", ngày " + d.DMY()
}

// todayText lists today's notices.
func todayText(d calendar.Date, notices []string) string {
	return "Hôm nay, " + longDate(d) + ":\n\n" + bullets(notices)
}

// noneTodayText says there is no notice today.
func noneTodayText(d calendar.Date) string {
	return "Hôm nay, " + longDate(d) + ", không có ngày kỷ niệm nào."
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
func helpText(kind string, forum bool) string {
	_, lower := who(kind)
	return "Bot gửi đến " + lower + " tin bài mới của Cổng thông tin điện tử, thông báo các ngày kỷ niệm, " +
		"ngày lễ lớn và các thông báo chính thức.\n\n" + commandsText(kind, forum, "")
}

// Texts of /here.
const (
	hereText        = "Từ nay, tin sẽ được gửi vào chủ đề (topic) này của nhóm."
	hereGeneralText = "Từ nay, tin sẽ được gửi vào chủ đề chung (General) của nhóm."
	hereNoTopicText = "Lệnh /here chỉ dùng được bên trong một chủ đề (topic) của nhóm có bật tính năng chủ đề. " +
		"Vui lòng gửi lệnh trong chủ đề muốn nhận tin."
	hereNotSubscribedText = "Nhóm chưa đăng ký nhận tin. Vui lòng gửi /start trước, rồi gửi /here trong chủ đề muốn nhận tin."
)

// Answers to what the bot does not understand.
const (
	unknownCommandText = "Xin lỗi, bot chưa hiểu lệnh này. Vui lòng gửi /help để xem các lệnh có thể dùng."
	plainTextHint      = "Bot chỉ trả lời các lệnh, chưa trả lời được tin nhắn thường. Vui lòng gửi /help để xem hướng dẫn."
)

// Texts of the Zalo channel, where members type words instead of pressing buttons (see
// zalo_text.go). Quotes “…” mark what to type.

// zaloCommandsHeader heads the typed-command menu.
const zaloCommandsHeader = "Các lệnh (nhắn đúng nội dung sau, có dấu hay không dấu đều được):"

// zaloToggleTip says how topics are chosen without buttons.
const zaloToggleTip = "Để chọn chủ đề: nhắn “chủ đề” để xem danh sách đánh số, rồi nhắn “tắt 2” hoặc “bật 2” (2 là số thứ tự của chủ đề)."

// zaloTopicsTip follows the numbered topic list.
const zaloTopicsTip = "Nhắn “tắt” hoặc “bật” kèm số thứ tự để đổi, ví dụ: tắt 2"

// zaloAdminOnlyNote says who may change a group's subscription; lower names the chat.
func zaloAdminOnlyNote(lower string) string {
	return "Trong " + lower + ", chỉ quản trị viên hệ thống mới dùng được “đăng ký”, “hủy”, “chủ đề”, “bật” và “tắt”."
}

// zaloTopicsHeader heads the numbered topic list.
func zaloTopicsHeader(kind string) string {
	_, lower := who(kind)
	return "Chủ đề nhận tin của " + lower + " (✅ đang nhận, ⬜ đã tắt):"
}

// zaloHelpText answers “trợ giúp” and /help on Zalo.
func zaloHelpText(kind string) string {
	_, lower := who(kind)
	return "Bot gửi đến " + lower + " tin bài mới của Cổng thông tin điện tử, thông báo các ngày kỷ niệm, " +
		"ngày lễ lớn và các thông báo chính thức.\n\n" + zaloCommandsText(kind, "")
}

// zaloNotSubscribedText answers “chủ đề”, “bật N” or “tắt N” from a chat that is not
// subscribed.
func zaloNotSubscribedText(kind string) string {
	if kind == kindPrivate {
		return "Bạn chưa đăng ký nhận tin. Vui lòng nhắn “đăng ký” để đăng ký."
	}
	capital, lower := who(kind)
	return capital + " chưa đăng ký nhận tin. Quản trị viên hệ thống có thể nhắn “đăng ký” để đăng ký cho " + lower + "."
}

// zaloNoSuchTopicText answers “bật N” or “tắt N” with an N outside the list of count
// topics.
func zaloNoSuchTopicText(n, count int) string {
	which := "số " + strconv.Itoa(n)
	if n > maxTopicNumber {
		which = "mang số này"
	}
	return "Không có chủ đề " + which + ". Hiện có " + strconv.Itoa(count) + " chủ đề, đánh số từ 1 đến " +
		strconv.Itoa(count) + "; nhắn “chủ đề” để xem danh sách."
}

// Answers on Zalo to what the bot does not understand.
const (
	zaloToggleUsageText = "Vui lòng nhắn “bật” hoặc “tắt” kèm số thứ tự của chủ đề, ví dụ: tắt 2. Nhắn “chủ đề” để xem danh sách."
	zaloHintText        = "Bot chưa hiểu tin nhắn này. Nhắn “đăng ký” để nhận tin, hoặc “trợ giúp” để xem các lệnh."
)
