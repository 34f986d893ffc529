-- The baseline the Fluent Bit module is measured against in the real host: the same
-- rule as a plain Lua filter, written the way a user would write it. Raw CloudTrail only
-- (eventSource/eventName/errorCode, userIdentity.arn), a first-seen table with the
-- 14-day history window by event time, and annotate's output: every record passes; the
-- one that is a first sighting gets a small alert object under `dynamodb_scan_alerts`.
-- No ECS mapping, no reorder window, no state cap, no snapshot: a floor, not a rival.

local HISTORY_SECONDS = 14 * 86400
local last_seen = {}

-- Seconds since the epoch of CloudTrail's "YYYY-MM-DDTHH:MM:SSZ" (days from civil).
local function epoch(text)
  local y, m, d, hh, mm, ss = string.match(text or "", "^(%d+)-(%d+)-(%d+)T(%d+):(%d+):(%d+)")
  if not y then
    return nil
  end
  y, m, d = tonumber(y), tonumber(m), tonumber(d)
  if m <= 2 then
    y = y - 1
  end
  local era = math.floor(y / 400)
  local yoe = y - era * 400
  local mp = (m + 9) % 12
  local doy = math.floor((153 * mp + 2) / 5) + d - 1
  local doe = yoe * 365 + math.floor(yoe / 4) - math.floor(yoe / 100) + doy
  local days = era * 146097 + doe - 719468
  return days * 86400 + tonumber(hh) * 3600 + tonumber(mm) * 60 + tonumber(ss)
end

function dynamodb_scan_rule(tag, timestamp, record)
  if record["eventName"] ~= "Scan" or record["eventSource"] ~= "dynamodb.amazonaws.com"
      or record["errorCode"] ~= nil then
    return 0, timestamp, record
  end
  local identity = record["userIdentity"]
  local arn = type(identity) == "table" and identity["arn"] or nil
  local t = epoch(record["eventTime"])
  if type(arn) ~= "string" or t == nil then
    return 0, timestamp, record
  end
  local previous = last_seen[arn]
  if previous == nil or t > previous then
    last_seen[arn] = t
  end
  if previous ~= nil and t - previous <= HISTORY_SECONDS then
    return 0, timestamp, record
  end
  record["dynamodb_scan_alerts"] = { {
    ["kibana.alert.rule.name"] = "AWS DynamoDB Scan by Unusual User",
    ["kibana.alert.new_terms"] = { arn },
    ["event.id"] = record["eventID"],
    ["@timestamp"] = record["eventTime"],
  } }
  return 1, timestamp, record
end
