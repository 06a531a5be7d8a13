-- Argo CD actions of a serving.starling.dev/ModelDeployment (gopher-lua, Lua 5.1).
--   suspend / resume  set spec.suspend (every version scaled to zero, all objects kept)
--   set-weight        parameters `version` and `weight` (0 or 100): send all traffic to that
--                     version, or none (its share goes to the heaviest other version)
--   promote / abort   the same without parameters, for the canary: the live version with the
--                     smallest weight gets 100 (promote) or 0 (abort)
-- Weights must keep summing to 100 (the CRD's CEL rule), so each action rewrites all of them.
-- Actions change the live object only: with Argo CD auto-sync and self-heal on, the next sync
-- puts Git's weights back, so commit the same change to Git (or use them with self-heal off).
local actions = {}
local suspended = obj.spec ~= nil and obj.spec.suspend == true
actions["suspend"] = {["disabled"] = suspended, ["iconClass"] = "fa fa-fw fa-pause-circle"}
actions["resume"] = {["disabled"] = not suspended, ["iconClass"] = "fa fa-fw fa-play-circle"}

local versions = {}
local live = 0
if obj.spec ~= nil and obj.spec.versions ~= nil then
  versions = obj.spec.versions
end
for _, v in ipairs(versions) do
  if v.weight ~= nil and v.weight > 0 then
    live = live + 1
  end
end
local default = ""
if versions[1] ~= nil then
  default = versions[1].name
end
actions["set-weight"] = {
  ["disabled"] = #versions < 2,
  ["iconClass"] = "fa fa-fw fa-balance-scale",
  ["params"] = {
    {["name"] = "version", ["default"] = default},
    {["name"] = "weight", ["default"] = "100"}
  }
}
actions["promote"] = {["disabled"] = live < 2, ["iconClass"] = "fa fa-fw fa-forward"}
actions["abort"] = {["disabled"] = live < 2, ["iconClass"] = "fa fa-fw fa-undo"}
return actions
