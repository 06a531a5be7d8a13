-- Argo CD health of a serving.starling.dev/ModelDeployment (gopher-lua, Lua 5.1).
--
-- First match wins:
--   1. spec.suspend                                   -> Suspended
--   2. no status, or status.observedGeneration (or the Ready condition's observedGeneration)
--      behind metadata.generation: the operator has not seen the change yet -> Progressing
--   3. Degraded=True                                  -> Degraded, with its reason and message
--   4. Ready=True                                     -> Healthy, with status.summary
--   5. Progressing=True, or Ready=False (rolling out) -> Progressing, with the condition's message
--   6. otherwise                                      -> Progressing (waiting for conditions)
-- Healthy therefore needs Ready=True for the current generation, never an older one.
local hs = {}

local function condition(status, type)
  if status == nil or status.conditions == nil then
    return nil
  end
  for _, c in ipairs(status.conditions) do
    if c.type == type then
      return c
    end
  end
  return nil
end

local function describe(c)
  if c.reason ~= nil and c.reason ~= "" and c.message ~= nil and c.message ~= "" then
    return c.reason .. ": " .. c.message
  end
  return c.message or c.reason or ""
end

local generation = 0
if obj.metadata ~= nil and obj.metadata.generation ~= nil then
  generation = obj.metadata.generation
end

if obj.spec ~= nil and obj.spec.suspend == true then
  hs.status = "Suspended"
  hs.message = "spec.suspend is true: every version is scaled to zero"
  return hs
end

local status = obj.status
if status == nil or status.observedGeneration == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the Starling operator to report status"
  return hs
end
if status.observedGeneration < generation then
  hs.status = "Progressing"
  hs.message = "Waiting for the Starling operator to observe generation " .. generation
    .. " (it has seen " .. status.observedGeneration .. ")"
  return hs
end

local ready = condition(status, "Ready")
if ready ~= nil and ready.observedGeneration ~= nil and ready.observedGeneration < generation then
  hs.status = "Progressing"
  hs.message = "Ready condition is from generation " .. ready.observedGeneration
    .. ", waiting for generation " .. generation
  return hs
end

local degraded = condition(status, "Degraded")
if degraded ~= nil and degraded.status == "True" then
  hs.status = "Degraded"
  hs.message = describe(degraded)
  return hs
end

if ready ~= nil and ready.status == "True" then
  hs.status = "Healthy"
  if status.summary ~= nil and status.summary ~= "" then
    hs.message = status.summary
  else
    hs.message = describe(ready)
  end
  return hs
end

local progressing = condition(status, "Progressing")
if progressing ~= nil and progressing.status == "True" then
  hs.status = "Progressing"
  hs.message = describe(progressing)
  return hs
end
if ready ~= nil then
  hs.status = "Progressing"
  hs.message = describe(ready)
  return hs
end

hs.status = "Progressing"
hs.message = "Waiting for the Ready condition"
return hs
