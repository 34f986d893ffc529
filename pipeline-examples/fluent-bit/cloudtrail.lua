-- Two small record splitters for the advanced pipeline (Fluent Bit's Lua filter can
-- turn one record into several by returning an array of records).

-- A CloudTrail S3 file read as one record, {"Records":[...]}, becomes one record per
-- CloudTrail event, so that routing sees each event's eventName. Anything else passes.
function split_s3_records(tag, timestamp, record)
  local events = record["Records"]
  if type(events) ~= "table" or #events == 0 then
    return 0, timestamp, record
  end
  return 2, timestamp, events
end

-- The detector's alerts-only output is one alert document per record, except when one
-- record raised several documents; then it is {"dynamodb_scan_alerts":[...]}, which
-- this turns back into one record per alert document.
-- The heartbeat's answer (the detector's counters, {"dynamodb_scan_detector":"stats",...})
-- keeps its own record, beside the alerts decided at it.
function expand_alert_bundles(tag, timestamp, record)
  local alerts = record["dynamodb_scan_alerts"]
  if type(alerts) ~= "table" or #alerts == 0 then
    return 0, timestamp, record
  end
  if record["dynamodb_scan_detector"] == "stats" then
    local out = {}
    for i, alert in ipairs(alerts) do
      out[i] = alert
    end
    record["dynamodb_scan_alerts"] = nil
    out[#out + 1] = record
    return 2, timestamp, out
  end
  return 2, timestamp, alerts
end
