-- t-reload.lua - one message (runner: -D rcpt=<addr> -D mid=ID -D qid=Q
-- -D want=skip|continue): "skip" when the policy does not want it (the
-- body is answered with SKIP), "continue" when it does.
dofile(srcdir .. "/common.lua")

local conn = open_conn()
start_message(conn, { from = "<r@example.org>", rcpts = { rcpt },
    headers = { { "From", "R <r@example.org>" },
	{ "Subject", "reload " .. mid },
	{ "Message-ID", "<" .. mid .. "@example.org>" } } })
send_body(conn, "https://reload.example/" .. mid .. "\r\n",
    want == "skip" and SMFIR_SKIP or SMFIR_CONTINUE)
finish_message(conn, qid)
mt.disconnect(conn)
