-- The words of a document's body, in reading order, for TestCorpus: tables
-- are read cell by cell, row by row (a grid's lines would interleave their
-- columns), and the two tables that lay out the header block (issuer and
-- number beside the motto, place and date) and the closing block ("Nơi
-- nhận" beside the signature) are left out: the page prints those as
-- fields in its own layout, and the test compares them field by field.
local seen = 0

local function rows(rs, out)
  for _, r in ipairs(rs) do
    for _, c in ipairs(r.cells or r[2]) do
      for _, b in ipairs(c.contents or c[5]) do
        table.insert(out, b)
      end
    end
  end
end

function Table(t)
  seen = seen + 1
  local text = pandoc.utils.stringify(t)
  if text:find("Nơi nhận", 1, true) or text:find("Kính gửi", 1, true) and seen <= 3 or
     seen <= 2 and text:find("Số", 1, true) and (text:find("CỘNG H", 1, true) or text:find("ngày", 1, true)) then
    return {}
  end
  local out = {}
  rows(t.head.rows or t.head[2], out)
  for _, body in ipairs(t.bodies) do
    rows(body.head or body[3], out)
    rows(body.body or body[4], out)
  end
  rows(t.foot.rows or t.foot[2], out)
  return out
end

-- A header and a closing block laid out as paragraphs (their columns set
-- with tabs) are left out too: the paragraphs from the start up to the
-- place and date, when a number ("Số: …") comes before them; and from the
-- last "Nơi nhận:" on, as long as the lines are short.
local function words(s)
  local _, n = s:gsub("%S+", "")
  return n
end

local function dropClosing(blocks)
  local k = nil
  for i = #blocks, 1, -1 do
    local s = pandoc.utils.stringify(blocks[i])
    if s:find("^%s*Nơi nhận") then
      k = i
      break
    end
  end
  if not k then
    return blocks
  end
  local e = k
  while e + 1 <= #blocks do
    local b = blocks[e + 1]
    local s = pandoc.utils.stringify(b)
    if not (b.t == "Para" or b.t == "Plain" or b.t == "BulletList" or b.t == "BlockQuote") or words(s) > 40 or
       (b.t == "Para" or b.t == "Plain") and words(s) > 12 then
      break
    end
    e = e + 1
  end
  local out = {}
  for i = 1, #blocks do
    if i < k or i > e then
      table.insert(out, blocks[i])
    end
  end
  return out
end

function Pandoc(doc)
  local number = false
  local blocks = doc.blocks
  for i = 1, math.min(#blocks, 12) do
    local s = pandoc.utils.stringify(blocks[i])
    if s:find("Số:", 1, true) or s:find("Số %d") then
      number = true
    end
    if number and words(s) <= 25 and s:find(", ngày", 1, true) and s:find("tháng", 1, true) and s:find("năm", 1, true) then
      local rest = {}
      for j = i + 1, #blocks do
        table.insert(rest, blocks[j])
      end
      blocks = rest
      break
    end
  end
  doc.blocks = dropClosing(blocks)
  return doc
end
