-- t-hdrfull.lua - add_header = yes, spool_max_files = 1 and delivery
-- broken by the runner: the first alert is spooled and stays pending
-- (X-SOAR-Alert-Id added), the second is dropped as the spool is full:
-- no X-SOAR-Alert-Id for an alert that does not exist, and an incoming
-- copy is still deleted.
dofile(srcdir .. "/common.lua")

local conn = open_conn()
simple_message(conn, "hdrfull-1", "<f1@example.org>", { "<r1@example.com>" },
    "4FULL1")
if not mt.eom_check(conn, MT_HDRADD, "X-SOAR-Alert-Id") then
	error("hdrfull-1: X-SOAR-Alert-Id not added to a spooled alert")
end
start_message(conn, { from = "<f2@example.org>",
    rcpts = { "<r2@example.com>" },
    headers = { { "Subject", "hdrfull-2" },
	{ "Message-ID", "<hdrfull-2@example.org>" },
	{ "X-SOAR-Alert-Id", "forged" } } })
send_body(conn, "text\r\n")
finish_message(conn, "4FULL2")
if mt.eom_check(conn, MT_HDRADD, "X-SOAR-Alert-Id") then
	error("hdrfull-2: X-SOAR-Alert-Id added for a dropped alert")
end
if not mt.eom_check(conn, MT_HDRDELETE, "X-SOAR-Alert-Id") then
	error("hdrfull-2: the incoming X-SOAR-Alert-Id was not deleted")
end
mt.disconnect(conn)
