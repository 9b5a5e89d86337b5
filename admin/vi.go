package admin

import (
	"errors"
	"strconv"
	"strings"

	"loa/calendar"
	"loa/store"
)

// The Vietnamese wording of every error of this package, for the bot and the web
// console (the CLI keeps English). Texts are plain and front-end neutral: they name no
// command; a front end adds its own hint ("Gửi /scheduled để xem …") after them.

// busyText is the wording of an error that is not the admin's to fix.
const busyText = "Xin lỗi, hệ thống đang bận, vui lòng thử lại sau."

// fieldNames name the fields mid-sentence.
var fieldNames = map[Field]string{
	FieldID:         "số",
	FieldText:       "nội dung thông báo",
	FieldTopic:      "chủ đề",
	FieldChannel:    "kênh gửi",
	FieldWhen:       "thời gian gửi",
	FieldAt:         "thời điểm gửi",
	FieldCron:       "biểu thức lặp lại (cron)",
	FieldRepeat:     "lịch lặp lại",
	FieldWeekdays:   "các ngày trong tuần",
	FieldDay:        "ngày trong tháng",
	FieldMonth:      "tháng",
	FieldEvent:      "ngày kỷ niệm",
	FieldTime:       "giờ gửi",
	FieldURL:        "địa chỉ nguồn tin",
	FieldInterval:   "chu kỳ lấy tin",
	FieldFile:       "tệp",
	FieldTitle:      "tên sự kiện",
	FieldDate:       "ngày dương lịch",
	FieldLunar:      "ngày âm lịch",
	FieldLeap:       "tháng nhuận",
	FieldFounded:    "năm gốc",
	FieldCategory:   "loại sự kiện",
	FieldAdvance:    "số ngày báo trước",
	FieldSlug:       "mã sự kiện",
	FieldSource:     "văn bản nguồn",
	FieldUserID:     "mã người dùng",
	FieldInviteName: "tên",
	FieldFrom:       "ngày bắt đầu",
	FieldTo:         "ngày kết thúc",
	FieldDays:       "số ngày",
	FieldFormat:     "định dạng",
	FieldFromYear:   "năm bắt đầu",
	FieldToYear:     "năm kết thúc",
}

// FieldName is a field's Vietnamese name, for a form's label or a sentence.
func FieldName(f Field) string {
	if n, ok := fieldNames[f]; ok {
		return n
	}
	return string(f)
}

// objectNames name the objects: "thông báo số 12".
var objectNames = map[Object]string{
	ObjAnnouncement: "thông báo",
	ObjDraft:        "bản nháp",
	ObjBroadcast:    "bản tin",
	ObjEvent:        "sự kiện",
	ObjFeed:         "nguồn tin",
	ObjAdmin:        "quản trị viên",
	ObjSubscriber:   "kênh nhận tin",
	ObjInvite:       "mã mời",
}

func capital(s string) string {
	for i, r := range s {
		return strings.ToUpper(string(r)) + s[i+len(string(r)):]
	}
	return s
}

// numbered is "thông báo số 12".
func numbered(o Object, id int64) string {
	return objectNames[o] + " số " + strconv.FormatInt(id, 10)
}

// Message says what went wrong in Vietnamese, for an admin: a field to fix, an object
// that is not there or not theirs, an edit someone else made first. An error that is not
// the admin's to fix (the database, the network) is the usual apology.
func Message(err error) string {
	var fe *FieldError
	var oe *ObjectError
	var ce *ConflictError
	var ie *ImportError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &ie):
		lines := make([]string, len(ie.Entries))
		for i, x := range ie.Entries {
			lines[i] = "• mục " + strconv.Itoa(x.N) + " (" + x.Name + "): " + Message(x.Err)
		}
		return "Không có gì được nhập từ tệp " + ie.File + ":\n" + strings.Join(lines, "\n")
	case errors.As(err, &fe):
		return fieldMessage(fe)
	case errors.As(err, &ce):
		return conflictMessage(ce)
	case errors.As(err, &oe):
		return objectMessage(oe)
	}
	return busyText
}

func fieldMessage(e *FieldError) string {
	name := FieldName(e.Field)
	switch e.Code {
	case CodeRequired:
		if e.Field == FieldText {
			return "Vui lòng viết nội dung thông báo."
		}
		return "Vui lòng nhập " + name + "."
	case CodeTooLong:
		return capital(name) + " dài " + Number(e.N) + " ký tự, vượt quá giới hạn " + Number(e.Limit) +
			" ký tự. Vui lòng rút gọn rồi gửi lại."
	case CodePast:
		return "Thời điểm " + calendar.LongTime(e.Time) + " đã qua (bây giờ là " + calendar.LongTime(e.Now) +
			"). Vui lòng chọn một thời điểm trong tương lai."
	case CodeNever:
		return "Lịch gửi này không có lần gửi nào sắp tới. Vui lòng kiểm tra lại " + name + "."
	case CodeConflicting:
		return "Vui lòng chỉ chọn một trong hai: " + FieldName(e.Other) + " hoặc " + name + "."
	case CodeReserved:
		return "Chủ đề “" + e.Value + "” dành cho thông báo gửi tới mọi người nhận; vui lòng chọn chủ đề khác."
	case CodeBuiltin:
		return "Không đổi được mã của sự kiện có sẵn. Nếu không dùng sự kiện này nữa, vui lòng tắt nó."
	case CodeNotFeed:
		return "Không thêm được nguồn tin: địa chỉ " + e.Value + " không phải nguồn tin RSS/Atom hoặc không truy cập được" +
			" (" + e.Reason + ")."
	case CodeNotFound:
		if e.Field == FieldEvent {
			return "Không tìm thấy ngày kỷ niệm số " + e.Value + " trong lịch."
		}
		return "Không tìm thấy " + name + " " + e.Value + "."
	case CodeTaken:
		switch e.Field {
		case FieldURL:
			return "Nguồn tin " + e.Value + " đã có trong danh sách."
		case FieldUserID:
			return "Người dùng " + e.Value + " đã là quản trị viên."
		}
		return capital(name) + " “" + e.Value + "” đã được dùng; vui lòng chọn " + name + " khác."
	}
	switch e.Field { // CodeInvalid, CodeOutOfRange
	case FieldText:
		return "Nội dung thông báo có ký tự không hợp lệ. Vui lòng gõ lại nội dung rồi gửi lại."
	case FieldAt:
		return "Chưa đọc được ngày giờ. Vui lòng ghi theo dạng ngày/tháng/năm giờ:phút, ví dụ: 05/06/2024 07:00 hoặc 5/6/2024 7h30."
	case FieldTime:
		return "Chưa đọc được giờ. Vui lòng ghi theo dạng giờ:phút, ví dụ: 07:00 hoặc 7h30."
	case FieldID:
		return "Vui lòng ghi số, ví dụ: 12."
	case FieldTopic:
		return "Tên chủ đề chỉ gồm chữ, số, dấu cách và các dấu - _ /, dài tối đa " + strconv.Itoa(MaxTopic) + " ký tự."
	case FieldChannel:
		return "Kênh gửi phải là Telegram hoặc Zalo."
	case FieldURL:
		return "Địa chỉ nguồn tin phải là một địa chỉ đầy đủ, bắt đầu bằng http:// hoặc https://."
	case FieldInterval:
		return "Chu kỳ lấy tin chưa hợp lệ; ví dụ: 5m (5 phút), 1h (1 giờ); ít nhất 1 giây."
	case FieldDate:
		return "Ngày chưa hợp lệ. Vui lòng ghi theo dạng ngày/tháng hoặc ngày/tháng/năm gốc, ví dụ: 17/7 hoặc 17/7/2019."
	case FieldLunar:
		return "Ngày âm lịch chưa hợp lệ. Vui lòng ghi theo dạng ngày/tháng, ví dụ: 10/3; tháng nhuận chọn riêng."
	case FieldUserID:
		return "Mã người dùng chưa hợp lệ (với Telegram là một dãy số)."
	case FieldFile:
		return "Không đọc được tệp " + e.Value + "; không có gì được nhập."
	case FieldFrom, FieldTo:
		if strings.HasPrefix(e.Reason, "is before") {
			return "Ngày kết thúc phải từ ngày bắt đầu trở đi."
		}
		if e.Code == CodeOutOfRange {
			return "Khoảng thời gian dài nhất là " + Number(MaxUpcomingDays) + " ngày (mười năm)."
		}
		return capital(name) + " chưa hợp lệ. Vui lòng ghi theo dạng ngày/tháng/năm, ví dụ: 5/6/2024."
	case FieldDays:
		return "Số ngày phải từ 1 đến " + Number(MaxUpcomingDays) + "."
	case FieldFormat:
		return "Định dạng phải là CSV hoặc iCalendar (ics)."
	case FieldCron:
		return "Biểu thức cron chưa hợp lệ; cần năm trường: phút giờ ngày tháng thứ, ví dụ: 0 7 5 6 *."
	}
	return capital(name) + " chưa hợp lệ."
}

func objectMessage(e *ObjectError) string {
	var na *store.NotAuthorError
	switch {
	case errors.As(e.Err, &na):
		return capital(numbered(ObjDraft, e.ID)) + " do quản trị viên khác soạn; chỉ người soạn mới gửi, hẹn giờ hoặc huỷ được."
	case errors.Is(e.Err, ErrInviteInvalid):
		return "Mã mời không đúng, đã được dùng hoặc đã hết hạn. Vui lòng xin quản trị viên một mã mới."
	case errors.Is(e.Err, ErrAlreadyAdmin):
		return "Bạn đã là quản trị viên rồi; mã mời vẫn còn dùng được cho người khác."
	case errors.Is(e.Err, ErrNoPrivateChat):
		return "Chưa gửi thử được: bạn chưa nhắn tin riêng với bot trên kênh này. Vui lòng mở bot trong tin nhắn riêng, " +
			"gửi /start, rồi thử lại (có thể gửi /stop sau đó nếu không muốn nhận tin)."
	case errors.Is(e.Err, ErrNotDraft):
		return capital(numbered(ObjAnnouncement, e.ID)) + " không còn là bản nháp (đã được xác nhận hoặc đã huỷ)."
	case errors.Is(e.Err, ErrAlreadyCancelled):
		return capital(numbered(ObjAnnouncement, e.ID)) + " đã được huỷ trước đó."
	case errors.Is(e.Err, ErrNotScheduled):
		return capital(numbered(ObjAnnouncement, e.ID)) + " đã gửi xong hoặc đã bị huỷ, không sửa được nữa."
	case errors.Is(e.Err, ErrNotFound):
		switch {
		case e.Object == ObjAdmin:
			return "Người dùng " + e.Name + " không phải quản trị viên được thêm bằng lệnh (quản trị viên trong LOA_ADMINS được gỡ ở đó)."
		case e.Object == ObjDraft && e.ID == 0:
			return "Bạn chưa có bản nháp nào."
		}
		return "Không tìm thấy " + numbered(e.Object, e.ID) + "."
	}
	return busyText
}

func conflictMessage(e *ConflictError) string {
	text := capital(numbered(e.Object, e.ID)) + " vừa được người khác sửa sau khi bạn mở"
	var parts []string
	for _, c := range e.Changes {
		names := make([]string, len(c.Fields))
		for i, f := range c.Fields {
			names[i] = FieldName(f)
		}
		parts = append(parts, c.By+" đã sửa "+strings.Join(names, ", "))
	}
	if len(parts) > 0 {
		text += " (" + strings.Join(parts, "; ") + ")"
	}
	return text + ". Vui lòng xem lại nội dung mới rồi sửa lại."
}

// Number writes n the Vietnamese way, with dots between thousands: 12.345. The bot's
// replies write counts with it too.
func Number[N ~int | ~int64](n N) string {
	s := strconv.FormatInt(int64(n), 10)
	sign := ""
	if n < 0 {
		sign, s = "-", s[1:]
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "." + s[i:]
	}
	return sign + s
}

// ResumedMessage says what lifting a chat's pause did (ResumeSubscriber): its waiting
// messages go out now, or nothing changed because it was not paused.
func ResumedMessage(r Resumed) string {
	who := numbered(ObjSubscriber, r.ID)
	if t := strings.TrimSpace(r.Title); t != "" {
		who += " («" + t + "»)"
	}
	if !r.WasPaused {
		return capital(who) + " không bị tạm dừng; không có gì thay đổi."
	}
	return "Đã cho gửi tiếp tới " + who + ": các tin đang chờ sẽ được gửi ngay."
}

// ConversionText says a date conversion (ConvertDate) in a sentence, the date asked
// about first: "Thứ Tư, 2/12/2026 dương lịch là ngày 13 tháng 10 năm Bính Ngọ (2026) âm
// lịch", or with toSolar the lunar date "… là thứ Tư, 2/12/2026 dương lịch".
func ConversionText(solar calendar.Date, lunar calendar.LunarDate, toSolar bool) string {
	s := calendar.WeekdayName(solar.Weekday()) + ", " + solar.DMY() + " dương lịch"
	if toSolar {
		return capital(lunar.LongString()) + " là " + s
	}
	return capital(s) + " là " + lunar.LongString()
}

// reasonNames explain why deliveries failed or were cancelled, by the code they are
// counted under (store.Reason), for the bot's reports and the console.
var reasonNames = map[store.Reason]string{
	store.ReasonNone:               "không rõ lý do",
	store.ReasonBlocked:            "người nhận đã chặn bot",
	store.ReasonDeactivated:        "tài khoản người nhận đã bị xoá",
	store.ReasonKicked:             "bot đã bị mời ra khỏi nhóm",
	store.ReasonChatNotFound:       "không tìm thấy cuộc trò chuyện",
	store.ReasonNotFoundRepeatedly: "nhiều lần liền không tìm thấy cuộc trò chuyện (hơn một ngày)",
	store.ReasonMigrated:           "nhóm đã chuyển thành siêu nhóm",
	store.ReasonTooLong:            "tin quá dài",
	store.ReasonRejected:           "nền tảng nhắn tin từ chối tin",
	store.ReasonMaxAge:             "gửi lại nhiều lần không được, đã quá hạn",
	store.ReasonBroadcastCancelled: "bản tin đã bị huỷ",
	store.ReasonSubscriberGone:     "người nhận đã ngừng nhận tin hoặc không còn liên lạc được",
	store.ReasonUnauthorized:       "mã bot bị từ chối",
	store.ReasonPanic:              "lỗi nội bộ khi gửi",
	store.ReasonLegacy:             "lý do cũ, không phân loại được",
	// Codes rows finished before the reasons were recorded may carry (the adapters'
	// own, counted as they were by migration 008).
	"forbidden":        "bot không được phép gửi tin vào cuộc trò chuyện",
	"chat_deactivated": "nhóm đã bị giải tán",
	"not_following":    "người nhận đã bỏ theo dõi",
}

// ReasonText explains in Vietnamese why deliveries did not go out; a code without a name
// is shown as it is.
func ReasonText(r store.Reason) string {
	if n, ok := reasonNames[r]; ok {
		return n
	}
	return string(r)
}
