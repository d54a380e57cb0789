-- t-abort.lua - aborted messages leave no alert and no state behind:
-- abort after the headers, abort mid-body, then a good message on the
-- same connection, then a connection dropped in the middle of a message.
dofile(srcdir .. "/common.lua")

local conn = open_conn()
ok(mt.conninfo(conn, "client.example.net", "192.0.2.8"), "conninfo")
ok(mt.helo(conn, "helo.example.net"), "helo")

start_message(conn, { from = "<a1@example.org>",
    rcpts = { "<r1@example.com>" },
    headers = { { "Subject", "aborted after headers" },
	{ "Message-ID", "<abort-1@example.org>" } } })
ok(mt.abort(conn), "abort 1")

start_message(conn, { from = "<a2@example.org>",
    rcpts = { "<r2@example.com>" },
    headers = { { "Subject", "aborted mid body" },
	{ "Message-ID", "<abort-2@example.org>" } } })
send_body(conn, "first chunk https://abort.example/2\r\n")
ok(mt.abort(conn), "abort 2")

-- the next message must not inherit anything from the aborted ones
simple_message(conn, "kept-3", "<a3@example.org>", { "<r3@example.com>" },
    "4ABORT3")
mt.disconnect(conn)

-- a connection that goes away mid-message (abrupt close)
conn = open_conn()
ok(mt.conninfo(conn, "client.example.net", "192.0.2.9"), "conninfo")
start_message(conn, { from = "<a4@example.org>",
    rcpts = { "<r4@example.com>" },
    headers = { { "Subject", "connection lost" },
	{ "Message-ID", "<abort-4@example.org>" } } })
send_body(conn, "chunk before the connection is lost\r\n")
mt.disconnect(conn, false)

-- connections that end before any message: right after negotiation,
-- and right after connect information
conn = open_conn()
ok(mt.negotiate(conn, nil, nil, nil), "negotiate")
mt.disconnect(conn, false)
conn = open_conn()
ok(mt.conninfo(conn, "client.example.net", "192.0.2.10"), "conninfo")
mt.disconnect(conn, true)
