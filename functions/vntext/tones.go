package vntext

import "strings"

// ClassicTones puts the tone mark of "oa", "oe" and "uy" where the older
// spelling puts it, on the first vowel: "hoà" → "hòa", "hoè" → "hòe",
// "thuỷ" → "thủy", in either case ("HOÀ" → "HÒA"). Offices type both
// spellings, often in one document; two texts compared after ClassicTones
// (and NFC) match whichever each was typed in. It is a key for
// comparisons, applied to both sides, not a spelling to show: it also
// moves the mark of a closed syllable ("hoàn" → "hòan").
func ClassicTones(s string) string { return classicTones.Replace(s) }

var classicTones = strings.NewReplacer(
	"oà", "òa", "oá", "óa", "oả", "ỏa", "oã", "õa", "oạ", "ọa",
	"oè", "òe", "oé", "óe", "oẻ", "ỏe", "oẽ", "õe", "oẹ", "ọe",
	"uỳ", "ùy", "uý", "úy", "uỷ", "ủy", "uỹ", "ũy", "uỵ", "ụy",
	"OÀ", "ÒA", "OÁ", "ÓA", "OẢ", "ỎA", "OÃ", "ÕA", "OẠ", "ỌA",
	"OÈ", "ÒE", "OÉ", "ÓE", "OẺ", "ỎE", "OẼ", "ÕE", "OẸ", "ỌE",
	"UỲ", "ÙY", "UÝ", "ÚY", "UỶ", "ỦY", "UỸ", "ŨY", "UỴ", "ỤY",
)
