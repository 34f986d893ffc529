-- Exercises pipeline-examples/fluent-bit/cloudtrail.lua as Fluent Bit would call it.
-- Usage: luajit tests/fluent-bit/cloudtrail_lua_check.lua pipeline-examples/fluent-bit/cloudtrail.lua
dofile(arg[1])
local function check(name, got, want) if got ~= want then error(name .. ": got " .. tostring(got) .. ", want " .. tostring(want)) end end
local c, t, r = split_s3_records("cloudtrail.s3", 1.5, {Records = {{eventName = "Scan"}, {eventName = "GetItem"}}})
check("split code", c, 2); check("split count", #r, 2); check("split first", r[1].eventName, "Scan"); check("time", t, 1.5)
c, t, r = split_s3_records("cloudtrail.s3", 1.5, {eventName = "Scan"})
check("plain record code", c, 0); check("plain record kept", r.eventName, "Scan")
c, t, r = split_s3_records("cloudtrail.s3", 1.5, {Records = "nope"})
check("bad Records code", c, 0)
c, t, r = expand_alert_bundles("dynamodb.scan", 2, {dynamodb_scan_alerts = {{["kibana.alert.uuid"] = "a"}, {["kibana.alert.uuid"] = "b"}}})
check("bundle code", c, 2); check("bundle count", #r, 2); check("bundle second", r[2]["kibana.alert.uuid"], "b")
c, t, r = expand_alert_bundles("dynamodb.scan", 2, {["kibana.alert.uuid"] = "single"})
check("single alert code", c, 0)
print("lua ok")
