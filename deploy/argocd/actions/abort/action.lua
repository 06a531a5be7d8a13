-- abort: the canary (the live version with the smallest weight) gets no traffic; its share
-- goes back to the heaviest version.
-- route(name, weight): version `name` gets weight 0 or 100; the others are rewritten so that
-- the weights still sum to 100 (the CRD's CEL rule):
--   100 -> every other version 0          v1=90 v2=10, route(v2, 100) -> v1=0   v2=100
--   0   -> its share goes to the heaviest v1=90 v2=10, route(v2, 0)   -> v1=100 v2=0
--          other version (first on a tie) v1=50 v2=30 v3=20, route(v1, 0) -> v1=0 v2=80 v3=20
local function route(name, weight)
  local versions = obj.spec.versions
  local target = nil
  for _, v in ipairs(versions) do
    if v.weight == nil then
      v.weight = 0
    end
    if v.name == name then
      target = v
    end
  end
  if target == nil then
    error("no version named '" .. tostring(name) .. "'", 0)
  end
  if #versions < 2 then
    error("only one version: it always gets all the traffic", 0)
  end
  if weight == 100 then
    for _, v in ipairs(versions) do
      v.weight = 0
    end
    target.weight = 100
    return
  end
  local heaviest = nil
  for _, v in ipairs(versions) do
    if v ~= target and (heaviest == nil or v.weight > heaviest.weight) then
      heaviest = v
    end
  end
  heaviest.weight = heaviest.weight + target.weight
  target.weight = 0
end

-- The canary: of the versions with traffic, the one with the smallest weight (the last on a tie).
local function canary()
  local found = nil
  for _, v in ipairs(obj.spec.versions) do
    if v.weight ~= nil and v.weight > 0 and (found == nil or v.weight <= found.weight) then
      found = v
    end
  end
  local live = 0
  for _, v in ipairs(obj.spec.versions) do
    if v.weight ~= nil and v.weight > 0 then
      live = live + 1
    end
  end
  if live < 2 then
    error("no canary: fewer than two versions receive traffic", 0)
  end
  return found.name
end

route(canary(), 0)
return obj
