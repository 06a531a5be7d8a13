-- A small JSON reader and writer for the tests (plain Lua 5.1, no modules): objects become
-- tables, arrays become 1-based lists, null becomes nil (as in Argo CD's Lua objects).
local json = {}

local function err(s, i, what)
  error(string.format("json: %s at byte %d near '%s'", what, i, s:sub(i, i + 10)), 0)
end

local function skip(s, i)
  return s:find("[^ \t\r\n]", i) or #s + 1
end

local escapes = {['"'] = '"', ["\\"] = "\\", ["/"] = "/", b = "\b", f = "\f", n = "\n", r = "\r", t = "\t"}

local function utf8(code)
  if code < 0x80 then return string.char(code) end
  if code < 0x800 then return string.char(0xC0 + math.floor(code / 64), 0x80 + code % 64) end
  return string.char(0xE0 + math.floor(code / 4096), 0x80 + math.floor(code / 64) % 64, 0x80 + code % 64)
end

local value

local function str(s, i)
  local out, j = {}, i + 1
  while true do
    local c = s:sub(j, j)
    if c == "" then err(s, i, "unterminated string") end
    if c == '"' then return table.concat(out), j + 1 end
    if c == "\\" then
      local e = s:sub(j + 1, j + 1)
      if e == "u" then
        table.insert(out, utf8(tonumber(s:sub(j + 2, j + 5), 16)))
        j = j + 6
      elseif escapes[e] then
        table.insert(out, escapes[e])
        j = j + 2
      else
        err(s, j, "bad escape")
      end
    else
      table.insert(out, c)
      j = j + 1
    end
  end
end

value = function(s, i)
  i = skip(s, i)
  local c = s:sub(i, i)
  if c == "{" then
    local obj = {}
    i = skip(s, i + 1)
    if s:sub(i, i) == "}" then return obj, i + 1 end
    while true do
      if s:sub(i, i) ~= '"' then err(s, i, "expected a key") end
      local k
      k, i = str(s, i)
      i = skip(s, i)
      if s:sub(i, i) ~= ":" then err(s, i, "expected ':'") end
      local v
      v, i = value(s, i + 1)
      obj[k] = v
      i = skip(s, i)
      local d = s:sub(i, i)
      if d == "}" then return obj, i + 1 end
      if d ~= "," then err(s, i, "expected ',' or '}'") end
      i = skip(s, i + 1)
    end
  elseif c == "[" then
    local arr, n = {}, 0
    i = skip(s, i + 1)
    if s:sub(i, i) == "]" then return arr, i + 1 end
    while true do
      local v
      v, i = value(s, i)
      n = n + 1
      arr[n] = v
      i = skip(s, i)
      local d = s:sub(i, i)
      if d == "]" then return arr, i + 1 end
      if d ~= "," then err(s, i, "expected ',' or ']'") end
      i = i + 1
    end
  elseif c == '"' then
    return str(s, i)
  elseif s:sub(i, i + 3) == "true" then
    return true, i + 4
  elseif s:sub(i, i + 4) == "false" then
    return false, i + 5
  elseif s:sub(i, i + 3) == "null" then
    return nil, i + 4
  else
    local num = s:match("^-?%d+%.?%d*[eE]?[-+]?%d*", i)
    if num == nil or num == "" then err(s, i, "unexpected character") end
    return tonumber(num), i + #num
  end
end

function json.decode(s)
  local v, i = value(s, 1)
  i = skip(s, i)
  if i <= #s then err(s, i, "trailing characters") end
  return v
end

local function isarray(t)
  local n = 0
  for _ in pairs(t) do n = n + 1 end
  return n == #t and (n > 0 or getmetatable(t) == json.array)
end

json.array = {}

-- Keys sorted, so the output is stable and comparable.
function json.encode(v)
  local t = type(v)
  if t == "nil" then return "null" end
  if t == "boolean" then return tostring(v) end
  if t == "number" then
    if v == math.floor(v) and math.abs(v) < 2 ^ 53 then return string.format("%d", v) end
    return string.format("%.17g", v)
  end
  if t == "string" then
    return '"' .. v:gsub('[%c"\\]', function(c)
      for k, e in pairs(escapes) do
        if e == c and k ~= "/" then return "\\" .. k end
      end
      return string.format("\\u%04x", c:byte())
    end) .. '"'
  end
  if isarray(v) then
    local out = {}
    for _, x in ipairs(v) do table.insert(out, json.encode(x)) end
    return "[" .. table.concat(out, ",") .. "]"
  end
  local keys = {}
  for k in pairs(v) do table.insert(keys, k) end
  table.sort(keys)
  local out = {}
  for _, k in ipairs(keys) do table.insert(out, json.encode(k) .. ":" .. json.encode(v[k])) end
  return "{" .. table.concat(out, ",") .. "}"
end

return json
