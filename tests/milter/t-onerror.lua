-- t-onerror.lua - the spool cannot take the alert (the runner broke it):
-- the answer at end of message is what on_error says (-D want=...).
dofile(srcdir .. "/common.lua")

local conn = open_conn()
start_message(conn, { from = "<e1@example.org>",
    rcpts = { "<r1@example.com>" },
    headers = { { "Subject", "on_error" },
	{ "Message-ID", "<onerror-1@example.org>" } } })
send_body(conn, "body\r\n")
if want == "tempfail" then
	finish_message(conn, "4ERR1", SMFIR_TEMPFAIL)
else
	finish_message(conn, "4ERR1", SMFIR_CONTINUE)
end
mt.disconnect(conn)
