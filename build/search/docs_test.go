package search

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

const issuer = "ỦY BAN NHÂN DÂN PHƯỜNG BẠCH SAM"

// wardDocs are the test site: announcements and documents of a ward, with
// pages that hold the words of a query apart or spelt otherwise, to check
// that the page meant comes first.
var wardDocs = []Doc{
	{URL: "/ke-hoach/doi-thoai-thanh-nien-2023/", Section: "ke-hoach", Kind: "KẾ HOẠCH", Number: "29/KH-UBND", Issuer: issuer, Date: day("2023-03-20"),
		Title:    "Kế hoạch tổ chức Hội nghị đối thoại giữa lãnh đạo phường với thanh niên năm 2023",
		Summary:  "Lãnh đạo phường đối thoại trực tiếp với đoàn viên, thanh niên về việc làm và chuyển đổi số.",
		Headings: []string{"I. Mục đích, yêu cầu", "II. Thời gian, địa điểm", "III. Thành phần tham dự"},
		Body:     "Nhằm lắng nghe tâm tư, nguyện vọng của đoàn viên, thanh niên; mỗi chi đoàn cử 5 đại biểu. Hội nghị diễn ra lúc 8 giờ ngày 20/4/2023 tại hội trường Ủy ban nhân dân phường."},
	{URL: "/thong-bao/dang-ky-tam-tru-nguoi-lao-dong/", Section: "thong-bao", Kind: "THÔNG BÁO", Number: "15/TB-UBND", Issuer: issuer, Date: day("2023-05-04"),
		Title:   "Thông báo về việc đăng ký tạm trú cho người lao động thuê trọ",
		Summary: "Người lao động thuê trọ trên địa bàn phường đăng ký tạm trú tại Công an phường hoặc trực tuyến.",
		Body:    "Chủ nhà trọ có trách nhiệm nhắc người thuê đăng ký tạm trú trong 30 ngày. Hồ sơ gồm tờ khai thay đổi thông tin cư trú và giấy tờ chứng minh chỗ ở hợp pháp."},
	{URL: "/thong-bao/huong-dan-dang-ky-thuong-tru-truc-tuyen/", Section: "thong-bao", Date: day("2024-02-15"),
		Title: "Hướng dẫn đăng ký thường trú, tạm trú trực tuyến trên Cổng dịch vụ công",
		Body:  "Người dân có thể đăng ký thường trú và đăng ký tạm trú trực tuyến, không phải đến trụ sở. Cần tài khoản định danh điện tử mức 2."},
	{URL: "/thong-bao/lich-nghi-le-30-4/", Section: "thong-bao", Date: day("2023-04-25"),
		Title: "Lịch trực dịp nghỉ lễ 30/4 và 1/5",
		Body:  "Trong thời gian đang kỳ nghỉ lễ, bộ phận một cửa vẫn trực để tiếp nhận hồ sơ khẩn. Đang kỳ cao điểm, mời người dân đến sớm. Tạm dừng trả kết quả."},
	{URL: "/thong-bao/dang-ky-xe-khong-dau/", Section: "thong-bao", Date: day("2023-06-01"),
		Title: "Thong bao dang ky xe may tai cong an phuong",
		Body:  "Ban viet khong dau: nguoi dan dang ky xe may mang theo giay to tuy than. Tam tru khong can."},
	{URL: "/ke-hoach/chuyen-doi-so-2023-2025/", Section: "ke-hoach", Kind: "KẾ HOẠCH", Number: "41/KH-UBND", Issuer: issuer, Date: day("2023-02-10"),
		Title:    "Kế hoạch chuyển đổi số phường Bạch Sam giai đoạn 2023–2025",
		Summary:  "Đưa dịch vụ công trực tuyến đến từng tổ dân phố; mỗi tổ có một tổ công nghệ số cộng đồng.",
		Headings: []string{"I. Mục tiêu chuyển đổi số", "II. Nhiệm vụ"},
		Body:     "Chuyển đổi số là nhiệm vụ trọng tâm. Phấn đấu 80% hồ sơ được nộp trực tuyến; tổ công nghệ số cộng đồng hướng dẫn người dân cài ứng dụng."},
	{URL: "/van-ban/thanh-lap-ban-chi-dao-chuyen-doi-so/", Section: "van-ban", Kind: "QUYẾT ĐỊNH", Number: "12/QĐ-UBND", Issuer: issuer, Date: day("2023-01-16"),
		Title: "Quyết định thành lập Ban chỉ đạo chuyển đổi số phường",
		Body:  "Thành lập Ban chỉ đạo chuyển đổi số gồm 9 thành viên do Chủ tịch Ủy ban nhân dân phường làm Trưởng ban."},
	{URL: "/thong-bao/so-hoa-ho-so/", Section: "thong-bao", Date: day("2023-07-12"),
		Title: "Đổi cách nhận hồ sơ: số hóa tại bộ phận một cửa",
		Body:  "Từ tháng 8, hồ sơ giấy được số hóa khi nộp; cán bộ chuyển hồ sơ cho bộ phận chuyên môn trong ngày. Người dân không phải đổi mẫu đơn. Số điện thoại hỗ trợ: 0243 123 456."},
	{URL: "/thong-bao/dau-gia-quyen-su-dung-dat-to-3/", Section: "thong-bao", Kind: "THÔNG BÁO", Number: "22/TB-UBND", Issuer: issuer, Date: day("2023-08-21"),
		Title:   "Thông báo đấu giá quyền sử dụng đất tại tổ dân phố 3",
		Summary: "Phường đấu giá 5 thửa đất ở; hồ sơ bán từ ngày 01/9/2023.",
		Body:    "Người tham gia đấu giá nộp tiền đặt trước bằng 20% giá khởi điểm. Phiên đấu giá đất tổ chức tại hội trường phường."},
	{URL: "/thong-bao/lich-tiep-cong-dan-thang-4/", Section: "thong-bao", Kind: "THÔNG BÁO", Number: "09/TB-UBND", Issuer: issuer, Date: day("2023-03-29"),
		Title: "Lịch tiếp công dân tháng 4 năm 2023",
		Body:  "Chủ tịch Ủy ban nhân dân phường tiếp công dân vào sáng thứ Năm hằng tuần tại phòng tiếp dân. Ngày 29/3 không tiếp."},
	{URL: "/ke-hoach/ve-sinh-moi-truong-sot-xuat-huyet/", Section: "ke-hoach", Kind: "KẾ HOẠCH", Number: "33/KH-UBND", Issuer: issuer, Date: day("2023-09-05"),
		Title: "Kế hoạch tổng vệ sinh môi trường, phòng chống sốt xuất huyết",
		Body:  "Các tổ dân phố ra quân diệt bọ gậy, thu gom vật chứa nước. Nhà có người sốt xuất huyết báo ngay trạm y tế phường."},
	{URL: "/ke-hoach/dai-hoi-chi-doan-2024/", Section: "ke-hoach", Kind: "KẾ HOẠCH", Number: "30/KH-UBND", Issuer: issuer, Date: day("2024-03-01"),
		Title: "Kế hoạch hỗ trợ đại hội chi đoàn các tổ dân phố năm 2024",
		Body:  "Thực hiện Kế hoạch 29 của Đoàn phường, các chi đoàn tổ chức đại hội trước ngày 29/4/2024; thanh niên đăng ký tham gia đội hình tình nguyện."},
	{URL: "/thong-bao/thu-phi-ve-sinh-2024/", Section: "thong-bao", Kind: "THÔNG BÁO", Number: "05/TB-UBND", Issuer: issuer, Date: day("2024-01-08"),
		Title: "Thông báo thu phí vệ sinh năm 2024",
		Body:  "Mức thu 6.000 đồng/người/tháng; tổ trưởng tổ dân phố thu theo quý. ĐỐI VỚI hộ nghèo được miễn."},
}

// fillerDocs are n generated pages, dated before the ward's, to give the
// index many shards.
func fillerDocs(n int) []Doc {
	words := strings.Fields(`ủy ban nhân dân phường thanh niên đoàn viên kế hoạch thông báo tổ chức chương trình
		đối thoại lãnh đạo xây dựng đô thị văn minh kinh tế xã hội phát triển chính sách hỗ trợ đào tạo việc làm
		hướng nghiệp hội nghị đại biểu chi đoàn tổ dân phố thực hiện nhiệm vụ trọng tâm nguyện vọng kiến nghị`)
	r := rand.New(rand.NewPCG(1, 2))
	text := func(k int) string {
		w := make([]string, k)
		for i := range w {
			w[i] = words[r.IntN(len(words))]
		}
		return strings.Join(w, " ")
	}
	out := make([]Doc, n)
	for i := range out {
		out[i] = Doc{
			URL: fmt.Sprintf("/thong-bao/trang-%04d/", i), Section: "thong-bao", Date: day("2020-01-01").AddDate(0, 0, i),
			Title: text(8) + fmt.Sprintf(" số %d", i), Body: text(120),
		}
	}
	return out
}
