-- t-multi.lua - several messages on one connection: one alert each, and
-- no recipient, sender or macro of one message leaks into the next.
dofile(srcdir .. "/common.lua")

local conn = open_conn()
ok(mt.conninfo(conn, "multi.example.net", "192.0.2.20"), "conninfo")
ok(mt.helo(conn, "multi.example.net"), "helo")
ok(mt.macro(conn, SMFIC_MAIL, "{auth_authen}", "first-user"), "macro")
simple_message(conn, "multi-1", "<m1@example.org>",
    { "<x1@example.com>", "<y1@example.com>" }, "4MULTI1")
-- (libmilter keeps MAIL macros until the MTA sends new ones)
simple_message(conn, "multi-2", "<m2@example.org>", { "<x2@example.com>" },
    "4MULTI2")
-- third: no Message-ID (id from the content), no queue id
start_message(conn, { from = "<>", rcpts = { "<x3@example.com>" },
    headers = { { "From", "MAILER-DAEMON@example.org" },
	{ "Subject", "multi-3 without a Message-ID" } } })
send_body(conn, "bounce text https://example.com/multi-3\r\n")
finish_message(conn, nil)
-- RSET-like: an envelope started and dropped by a new MAIL FROM
ok(mt.mailfrom(conn, "<dropped@example.org>"), "mailfrom")
ok(mt.rcptto(conn, "<dropped@example.com>"), "rcptto")
ok(mt.abort(conn), "abort")
simple_message(conn, "multi-4", "<m4@example.org>", { "<x4@example.com>" },
    "4MULTI4")
mt.disconnect(conn)
