package docx

import (
	"archive/zip"
	"bytes"
)

// The styles of the default reference document, by id. The office's
// documents name these; a ward that restyles its reference in Word keeps
// the names (Word keeps a style's id when its look changes).
const (
	StyleBody       = "LoaBody"       // a paragraph of text: justified, first line indented
	StyleHeader     = "LoaHeader"     // a line of the header block: 12 pt, centred
	StyleMotto      = "LoaMotto"      // Độc lập - Tự do - Hạnh phúc: 13 pt bold, centred
	StylePlaceDate  = "LoaPlaceDate"  // Bạch Sam, ngày … tháng … năm …: 14 pt italic, centred
	StyleKind       = "LoaKind"       // BÁO CÁO: 14 pt bold capitals, centred
	StyleTitle      = "LoaTitle"      // the trích yếu under the kind: 14 pt bold, centred
	StyleHeading    = "LoaHeading"    // I., II.: 14 pt bold
	StyleItem       = "LoaItem"       // a numbered entry: justified, first line indented
	StyleNote       = "LoaNote"       // the line under an entry: 13 pt italic
	StyleRecipients = "LoaRecipients" // Nơi nhận and its list: 11 pt
	StyleSign       = "LoaSign"       // the signature block: 14 pt bold, centred
	StyleCenter     = "LoaCenter"     // 14 pt centred (invitations)
	StyleTableText  = "LoaTableText"  // a cell of a list: 13 pt
)

// Decree 30/2020/NĐ-CP, Appendix I: A4; margins top and bottom 20–25 mm,
// left 30–35 mm, right 15–20 mm; the page number centred in the top
// margin from the second page on (titlePg: the first page's header is
// empty).
const defaultSectPr = `<w:sectPr><w:headerReference w:type="default" r:id="rIdLoaHeader"/>` +
	`<w:pgSz w:w="11906" w:h="16838"/>` +
	`<w:pgMar w:top="1247" w:right="1077" w:bottom="1247" w:left="1928" w:header="567" w:footer="567" w:gutter="0"/>` +
	`<w:titlePg/></w:sectPr>`

const stylesXML = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:docDefaults>
<w:rPrDefault><w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="Times New Roman" w:cs="Times New Roman"/><w:sz w:val="28"/><w:szCs w:val="28"/><w:lang w:val="vi-VN" w:eastAsia="en-US" w:bidi="ar-SA"/></w:rPr></w:rPrDefault>
<w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr></w:pPrDefault>
</w:docDefaults>
<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>
<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont"><w:name w:val="Default Paragraph Font"/><w:uiPriority w:val="1"/><w:semiHidden/></w:style>
<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:semiHidden/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>
<w:style w:type="paragraph" w:customStyle="1" w:styleId="LoaBody"><w:name w:val="Loa Body"/><w:basedOn w:val="Normal"/><w:qFormat/><w:pPr><w:spacing w:before="60" w:after="60" w:line="300" w:lineRule="auto"/><w:ind w:firstLine="567"/><w:jc w:val="both"/></w:pPr></w:style>
<w:style w:type="paragraph" w:customStyle="1" w:styleId="LoaHeader"><w:name w:val="Loa Header"/><w:basedOn w:val="Normal"/><w:pPr><w:jc w:val="center"/></w:pPr><w:rPr><w:sz w:val="24"/><w:szCs w:val="24"/></w:rPr></w:style>
<w:style w:type="paragraph" w:customStyle="1" w:styleId="LoaMotto"><w:name w:val="Loa Motto"/><w:basedOn w:val="Normal"/><w:pPr><w:jc w:val="center"/></w:pPr><w:rPr><w:b/><w:bCs/><w:sz w:val="26"/><w:szCs w:val="26"/></w:rPr></w:style>
<w:style w:type="paragraph" w:customStyle="1" w:styleId="LoaPlaceDate"><w:name w:val="Loa Place Date"/><w:basedOn w:val="Normal"/><w:pPr><w:spacing w:before="120"/><w:jc w:val="center"/></w:pPr><w:rPr><w:i/><w:iCs/></w:rPr></w:style>
<w:style w:type="paragraph" w:customStyle="1" w:styleId="LoaKind"><w:name w:val="Loa Kind"/><w:basedOn w:val="Normal"/><w:next w:val="LoaTitle"/><w:pPr><w:keepNext/><w:spacing w:before="360"/><w:jc w:val="center"/></w:pPr><w:rPr><w:b/><w:bCs/><w:caps/></w:rPr></w:style>
<w:style w:type="paragraph" w:customStyle="1" w:styleId="LoaTitle"><w:name w:val="Loa Title"/><w:basedOn w:val="Normal"/><w:pPr><w:keepNext/><w:spacing w:after="240"/><w:jc w:val="center"/></w:pPr><w:rPr><w:b/><w:bCs/></w:rPr></w:style>
<w:style w:type="paragraph" w:customStyle="1" w:styleId="LoaHeading"><w:name w:val="Loa Heading"/><w:basedOn w:val="Normal"/><w:next w:val="LoaItem"/><w:qFormat/><w:pPr><w:keepNext/><w:spacing w:before="180" w:after="60" w:line="300" w:lineRule="auto"/><w:ind w:firstLine="567"/><w:jc w:val="both"/><w:outlineLvl w:val="0"/></w:pPr><w:rPr><w:b/><w:bCs/></w:rPr></w:style>
<w:style w:type="paragraph" w:customStyle="1" w:styleId="LoaItem"><w:name w:val="Loa Item"/><w:basedOn w:val="LoaBody"/><w:pPr><w:keepNext/><w:spacing w:before="60" w:after="0"/></w:pPr></w:style>
<w:style w:type="paragraph" w:customStyle="1" w:styleId="LoaNote"><w:name w:val="Loa Note"/><w:basedOn w:val="LoaBody"/><w:pPr><w:spacing w:before="0" w:after="60"/></w:pPr><w:rPr><w:i/><w:iCs/><w:sz w:val="26"/><w:szCs w:val="26"/></w:rPr></w:style>
<w:style w:type="paragraph" w:customStyle="1" w:styleId="LoaRecipients"><w:name w:val="Loa Recipients"/><w:basedOn w:val="Normal"/><w:rPr><w:sz w:val="22"/><w:szCs w:val="22"/></w:rPr></w:style>
<w:style w:type="paragraph" w:customStyle="1" w:styleId="LoaSign"><w:name w:val="Loa Sign"/><w:basedOn w:val="Normal"/><w:pPr><w:jc w:val="center"/></w:pPr><w:rPr><w:b/><w:bCs/></w:rPr></w:style>
<w:style w:type="paragraph" w:customStyle="1" w:styleId="LoaCenter"><w:name w:val="Loa Center"/><w:basedOn w:val="Normal"/><w:pPr><w:spacing w:before="60" w:after="60"/><w:jc w:val="center"/></w:pPr></w:style>
<w:style w:type="paragraph" w:customStyle="1" w:styleId="LoaTableText"><w:name w:val="Loa Table Text"/><w:basedOn w:val="Normal"/><w:pPr><w:spacing w:before="40" w:after="40"/></w:pPr><w:rPr><w:sz w:val="26"/><w:szCs w:val="26"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Header"><w:name w:val="header"/><w:basedOn w:val="Normal"/><w:pPr><w:jc w:val="center"/></w:pPr></w:style>
</w:styles>
`

const headerXML = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:hdr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:p><w:pPr><w:pStyle w:val="Header"/></w:pPr>` +
	`<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>` +
	`<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>2</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p></w:hdr>
`

// Default returns the reference document Loa ships: Times New Roman 14 pt,
// A4, Decree 30's margins (top and bottom 22 mm, left 34 mm, right 19 mm)
// and page numbers, with the styles above. The ward's copy lives in content
// (data/mau-van-ban.docx), made from this; open it in Word to restyle.
func Default() []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, p := range []struct{ name, data string }{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Default Extension="png" ContentType="image/png"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/><Override PartName="/word/header1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>
`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>
`},
		{"docProps/core.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Mẫu văn bản</dc:title><dc:language>vi-VN</dc:language></cp:coreProperties>
`},
		{"word/_rels/document.xml.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rIdLoaStyles" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rIdLoaSettings" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings" Target="settings.xml"/><Relationship Id="rIdLoaHeader" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/header" Target="header1.xml"/></Relationships>
`},
		{"word/settings.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:settings xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:defaultTabStop w:val="720"/><w:characterSpacingControl w:val="doNotCompress"/><w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat></w:settings>
`},
		{"word/styles.xml", stylesXML},
		{"word/header1.xml", headerXML},
		{"word/document.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"><w:body>` +
			`<w:p><w:pPr><w:pStyle w:val="LoaKind"/></w:pPr><w:r><w:t>MẪU VĂN BẢN</w:t></w:r></w:p>` +
			`<w:p><w:pPr><w:pStyle w:val="LoaBody"/></w:pPr><w:r><w:t xml:space="preserve">Tệp này chỉ giữ kiểu chữ, cỡ chữ, khoảng cách và lề trang cho các văn bản Word mà trang quản trị soạn. Sửa các kiểu (Styles) có tên bắt đầu bằng “Loa” và lề trang rồi lưu lại; nội dung của tệp này không được dùng.</w:t></w:r></w:p>` +
			defaultSectPr + `</w:body></w:document>
`},
	} {
		w, _ := zw.Create(p.name)
		w.Write([]byte(p.data))
	}
	zw.Close()
	return b.Bytes()
}
