-- Runs deploy/argocd's health check and actions in plain Lua 5.1 (Argo CD runs them in
-- gopher-lua, a Lua 5.1), each script in a fresh sandbox with only the globals Argo CD offers.
--
--   lua5.1 deploy/argocd/test/run.lua                  the cases below; prints "N passed, N failed"
--   lua5.1 deploy/argocd/test/run.lua health FILE      prints "<status>\t<message>" for an object
--   lua5.1 deploy/argocd/test/run.lua action NAME FILE [key=value...]
--                                                      prints the changed object as JSON
--   lua5.1 deploy/argocd/test/run.lua discovery FILE   prints the enabled actions, one a line
local here = (arg[0]:match("^(.*)/[^/]*$") or ".")
local root = here .. "/.."
package.path = here .. "/?.lua;" .. package.path
local json = require("json")

local function read(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("*a")
  f:close()
  return s
end

local function fixture(name)
  return json.decode(read(root .. "/testdata/" .. name))
end

-- Argo CD's sandbox: base functions, table, string and math; no io, os.execute or load*.
local function sandbox(obj, params)
  return {
    obj = obj, actionParams = params or {},
    ipairs = ipairs, pairs = pairs, next = next, type = type, tostring = tostring,
    tonumber = tonumber, error = error, pcall = pcall, assert = assert, select = select,
    unpack = unpack, rawget = rawget, rawset = rawset, setmetatable = setmetatable,
    getmetatable = getmetatable,
    table = table, string = string, math = math,
  }
end

local function runscript(path, obj, params)
  local chunk = assert(loadfile(path))
  setfenv(chunk, sandbox(obj, params))
  return chunk()
end

local function health(obj) return runscript(root .. "/health.lua", obj) end
local function discovery(obj) return runscript(root .. "/actions/discovery.lua", obj) end
local function action(name, obj, params)
  return runscript(root .. "/actions/" .. name .. "/action.lua", obj, params)
end

-- ---------------------------------------------------------------------------------------------
-- Command-line modes (used by hack/ship-tests against objects from the real API server).
if arg[1] == "health" then
  local hs = health(json.decode(read(arg[2])))
  print(hs.status .. "\t" .. (hs.message or ""))
  os.exit(0)
elseif arg[1] == "action" then
  local params = {}
  for i = 4, #arg do
    local k, v = arg[i]:match("^([^=]+)=(.*)$")
    params[k] = v
  end
  print(json.encode(action(arg[2], json.decode(read(arg[3])), params)))
  os.exit(0)
elseif arg[1] == "discovery" then
  local names = {}
  for name, a in pairs(discovery(json.decode(read(arg[2])))) do
    if not a.disabled then table.insert(names, name) end
  end
  table.sort(names)
  for _, n in ipairs(names) do print(n) end
  os.exit(0)
elseif arg[1] ~= nil then
  io.stderr:write("unknown mode '" .. arg[1] .. "'\n")
  os.exit(2)
end

-- ---------------------------------------------------------------------------------------------
-- Cases.
local passed, failed = 0, 0
local function check(name, ok, detail)
  if ok then
    passed = passed + 1
    print("ok    " .. name)
  else
    failed = failed + 1
    print("FAIL  " .. name .. (detail and (": " .. detail) or ""))
  end
end

local function case(name, f)
  local ok, err = pcall(f)
  if not ok then check(name, false, tostring(err)) end
end

-- Health: fixture, expected status, a piece of the expected message.
local healthCases = {
  {"fresh.json", "Progressing", "Waiting for the Starling operator to report status"},
  {"canary.json", "Healthy", "v1=90% 2/2, v2=10% 1/1"},
  {"stale-generation.json", "Progressing", "observe generation 5 (it has seen 4)"},
  {"stale-condition.json", "Progressing", "Ready condition is from generation 4"},
  {"rolling.json", "Progressing", "RollingOut: rolling out: v2"},
  {"degraded.json", "Degraded", "ModelDigestMismatch: v2: model sha256 is 9f86d08..., expected"},
  {"suspended.json", "Suspended", "spec.suspend is true"},
  {"suspending.json", "Suspended", "every version is scaled to zero"},
  {"not-ready.json", "Progressing", "ReplicaFailure: v1: pods refused by admission"},
  {"no-conditions.json", "Progressing", "Waiting for the Ready condition"},
  {"single.json", "Healthy", "v1=100% 2/2"},
}
for _, c in ipairs(healthCases) do
  case("health " .. c[1], function()
    local hs = health(fixture(c[1]))
    local ok = hs.status == c[2] and hs.message ~= nil and hs.message:find(c[3], 1, true) ~= nil
    check("health " .. c[1] .. " -> " .. c[2], ok,
      "got " .. tostring(hs.status) .. " '" .. tostring(hs.message) .. "'")
  end)
end

-- Healthy never comes from a stale generation, whatever the conditions say.
case("health never Healthy for a stale generation", function()
  local bad = {}
  for _, f in ipairs({"canary.json", "rolling.json", "single.json", "not-ready.json"}) do
    local o = fixture(f)
    o.metadata.generation = o.metadata.generation + 1
    if health(o).status == "Healthy" then table.insert(bad, f) end
  end
  check("health never Healthy for a stale generation", #bad == 0, table.concat(bad, ", "))
end)

-- Discovery: fixture, actions expected enabled, actions expected disabled.
local discoveryCases = {
  {"canary.json", {"suspend", "set-weight", "promote", "abort"}, {"resume"}},
  {"suspended.json", {"resume", "set-weight", "promote", "abort"}, {"suspend"}},
  {"single.json", {"suspend"}, {"resume", "set-weight", "promote", "abort"}},
  {"promoted.json", {"suspend", "set-weight"}, {"resume", "promote", "abort"}},
}
for _, c in ipairs(discoveryCases) do
  case("discovery " .. c[1], function()
    local actions = discovery(fixture(c[1]))
    local wrong = {}
    for _, n in ipairs(c[2]) do
      if actions[n] == nil or actions[n].disabled then table.insert(wrong, n .. " not enabled") end
    end
    for _, n in ipairs(c[3]) do
      if actions[n] ~= nil and not actions[n].disabled then table.insert(wrong, n .. " enabled") end
    end
    check("discovery " .. c[1], #wrong == 0, table.concat(wrong, ", "))
  end)
end
case("discovery set-weight declares its parameters", function()
  local p = discovery(fixture("canary.json"))["set-weight"].params
  check("discovery set-weight declares its parameters",
    p ~= nil and p[1].name == "version" and p[1].default == "v1" and p[2].name == "weight", nil)
end)

-- Actions: everything but spec.suspend and the weights must come back unchanged.
local function withoutMutable(o)
  local c = json.decode(json.encode(o))
  if c.spec then
    c.spec.suspend = nil
    for _, v in ipairs(c.spec.versions or {}) do v.weight = nil end
  end
  return json.encode(c)
end

local function weights(o)
  local out, sum = {}, 0
  for _, v in ipairs(o.spec.versions) do
    table.insert(out, v.name .. "=" .. tostring(v.weight))
    sum = sum + (v.weight or 0)
  end
  return table.concat(out, " "), sum
end

-- action, fixture, params, expected weights ("" = unchanged), expected suspend
local actionCases = {
  {"suspend", "canary.json", nil, "v1=90 v2=10", true},
  {"resume", "suspended.json", nil, "v1=90 v2=10", false},
  {"set-weight", "canary.json", {version = "v2", weight = "100"}, "v1=0 v2=100", nil},
  {"set-weight", "canary.json", {version = "v2", weight = "0"}, "v1=100 v2=0", nil},
  {"set-weight", "canary.json", {version = "v1", weight = "0"}, "v1=0 v2=100", nil},
  {"set-weight", "three.json", {version = "v1", weight = "0"}, "v1=0 v2=80 v3=20", nil},
  {"set-weight", "three.json", {version = "v3", weight = "100"}, "v1=0 v2=0 v3=100", nil},
  {"set-weight", "promoted.json", {version = "v1", weight = "100"}, "v1=100 v2=0", nil},
  {"promote", "canary.json", nil, "v1=0 v2=100", nil},
  {"abort", "canary.json", nil, "v1=100 v2=0", nil},
  {"promote", "three.json", nil, "v1=0 v2=0 v3=100", nil},
  {"abort", "three.json", nil, "v1=70 v2=30 v3=0", nil},
}
for _, c in ipairs(actionCases) do
  local label = "action " .. c[1] .. " " .. c[2] .. (c[3] and (" " .. c[3].version .. "=" .. c[3].weight) or "")
  case(label, function()
    local before = fixture(c[2])
    local after = action(c[1], fixture(c[2]), c[3])
    local w, sum = weights(after)
    local problems = {}
    if w ~= c[4] then table.insert(problems, "weights " .. w .. ", want " .. c[4]) end
    if c[5] ~= nil and after.spec.suspend ~= c[5] then table.insert(problems, "suspend " .. tostring(after.spec.suspend)) end
    if sum ~= 100 then table.insert(problems, "weights sum to " .. sum) end
    if withoutMutable(after) ~= withoutMutable(before) then table.insert(problems, "changed more than weights/suspend") end
    check(label, #problems == 0, table.concat(problems, "; "))
  end)
end

-- Refusals: action, fixture, params, a piece of the error.
local errorCases = {
  {"set-weight", "canary.json", {version = "v2", weight = "50"}, "must be 0 or 100"},
  {"set-weight", "canary.json", {version = "v9", weight = "100"}, "no version named 'v9'"},
  {"set-weight", "canary.json", {weight = "100"}, "parameter 'version' is required"},
  {"set-weight", "single.json", {version = "v1", weight = "0"}, "only one version"},
  {"promote", "promoted.json", nil, "fewer than two versions receive traffic"},
  {"abort", "single.json", nil, "fewer than two versions receive traffic"},
}
for _, c in ipairs(errorCases) do
  local label = "refuse " .. c[1] .. " " .. c[2] .. " (" .. c[4] .. ")"
  case(label, function()
    local ok, err = pcall(action, c[1], fixture(c[2]), c[3])
    check(label, not ok and tostring(err):find(c[4], 1, true) ~= nil, ok and "no error" or tostring(err))
  end)
end

-- The weight arithmetic is pasted into each action (Argo CD actions cannot share code): the
-- copies must be identical.
case("actions share one route()", function()
  local function routeOf(name)
    return read(root .. "/actions/" .. name .. "/action.lua"):match("(local function route.-\nend\n)")
  end
  local a, b, c = routeOf("set-weight"), routeOf("promote"), routeOf("abort")
  check("actions share one route()", a ~= nil and a == b and b == c, "route() differs between actions")
end)

print(string.format("%d passed, %d failed", passed, failed))
os.exit(failed == 0 and 0 or 1)
