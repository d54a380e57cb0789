-- t-header.lua - add_header = yes: the milter asks for SMFIF_ADDHDRS and
-- adds X-SOAR-Alert-Id with the alert id (written to -D out=FILE).
dofile(srcdir .. "/common.lua")

local conn = open_conn()
ok(mt.negotiate(conn, nil, nil, nil), "negotiate")
if not mt.test_action(conn, SMFIF_ADDHDRS) then
	error("SMFIF_ADDHDRS not requested with add_header = yes")
end
simple_message(conn, "header-1", "<h1@example.org>", { "<r1@example.com>" },
    "4HDR1")
if not mt.eom_check(conn, MT_HDRADD, "X-SOAR-Alert-Id") then
	error("X-SOAR-Alert-Id not added")
end
local id = mt.getheader(conn, "X-SOAR-Alert-Id", 0)
if id == nil then
	error("no value for X-SOAR-Alert-Id")
end
local f = io.open(out, "w")
f:write(id, "\n")
f:close()
mt.disconnect(conn)
