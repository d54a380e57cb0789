-- t-header.lua - add_header = yes: the milter asks for SMFIF_ADDHDRS and
-- adds X-SOAR-Alert-Id with the alert id (written to -D out=FILE).  The
-- field is the milter's own: copies that come with a message are
-- deleted (SMFIF_CHGHDRS), so nobody can forge one.
dofile(srcdir .. "/common.lua")

local conn = open_conn()
ok(mt.negotiate(conn, nil, nil, nil), "negotiate")
if not mt.test_action(conn, SMFIF_ADDHDRS) then
	error("SMFIF_ADDHDRS not requested with add_header = yes")
end
if not mt.test_action(conn, SMFIF_CHGHDRS) then
	error("SMFIF_CHGHDRS not requested with add_header = yes")
end
simple_message(conn, "header-1", "<h1@example.org>", { "<r1@example.com>" },
    "4HDR1")
if not mt.eom_check(conn, MT_HDRADD, "X-SOAR-Alert-Id") then
	error("X-SOAR-Alert-Id not added")
end
if mt.eom_check(conn, MT_HDRDELETE) or mt.eom_check(conn, MT_HDRCHANGE) then
	error("header-1: a header field changed although none was ours")
end
local id = mt.getheader(conn, "X-SOAR-Alert-Id", 0)
if id == nil then
	error("no value for X-SOAR-Alert-Id")
end
local f = io.open(out, "w")
f:write(id, "\n")
f:close()

-- 2: two forged copies (one in another case) are deleted, ours added
start_message(conn, { from = "<h2@example.org>",
    rcpts = { "<r2@example.com>" },
    headers = { { "X-SOAR-Alert-Id", "forged-1" },
	{ "Subject", "header-2" },
	{ "Message-ID", "<header-2@example.org>" },
	{ "x-soar-alert-id", "forged-2" } } })
send_body(conn, "text\r\n")
finish_message(conn, "4HDR2")
if not mt.eom_check(conn, MT_HDRDELETE, "X-SOAR-Alert-Id") then
	error("header-2: the incoming X-SOAR-Alert-Id fields were not deleted")
end
if not mt.eom_check(conn, MT_HDRADD, "X-SOAR-Alert-Id") then
	error("header-2: X-SOAR-Alert-Id not added")
end
local id2 = mt.getheader(conn, "X-SOAR-Alert-Id", 0)
if id2 == nil or id2 == "forged-1" or id2 == "forged-2" or id2 == id then
	error("header-2: X-SOAR-Alert-Id is " .. tostring(id2))
end

-- 3: more than 64 forged copies: a hostile message; its alert is made,
-- but no copy is deleted and ours is not added (bounded work)
local h3 = { { "Subject", "header-3" },
	{ "Message-ID", "<header-3@example.org>" } }
for i = 1, 70 do
	table.insert(h3, { "X-SOAR-Alert-Id", "forged-" .. i })
end
start_message(conn, { from = "<h3@example.org>",
    rcpts = { "<r3@example.com>" }, headers = h3 })
send_body(conn, "text\r\n")
finish_message(conn, "4HDR3")
if mt.eom_check(conn, MT_HDRADD) then
	error("header-3: a header field was added beside 70 forged copies")
end
if mt.eom_check(conn, MT_HDRDELETE) then
	error("header-3: forged copies deleted past the bound")
end
mt.disconnect(conn)
