-- t-bounds.lua - with max_message_bytes = 64k (the runner sets it):
-- past the bound the MTA is told to skip the body (SMFIS_SKIP) when it
-- offered SKIP, is answered "continue" otherwise, and every alert says
-- it was truncated.  Huge header blocks are bounded the same way.
dofile(srcdir .. "/common.lua")

-- a body chunk just under libmilter's 64 KiB packet limit
local big = string.rep("0123456789abcdef https://bound.example/p\r\n", 1400)

-- 1: body past the bound, SKIP offered
local conn = open_conn()
start_message(conn, { from = "<b1@example.org>",
    rcpts = { "<r1@example.com>" },
    headers = { { "Subject", "bounds-1 big body" },
	{ "Message-ID", "<bounds-1@example.org>" } } })
send_body(conn, "first https://first.example/1\r\n")
send_body(conn, big)
send_body(conn, big, SMFIR_SKIP)
finish_message(conn, "4BOUND1")
-- the next message on this connection is collected normally
simple_message(conn, "bounds-2", "<b2@example.org>", { "<r2@example.com>" },
    "4BOUND2")
mt.disconnect(conn)

-- 3: the MTA does not offer SKIP: every chunk gets "continue"
conn = open_conn()
-- Every protocol step but SKIP.  The value goes in both the actions and
-- the steps argument: miltertest 1.6.0 sends them in the opposite order
-- to its manual, and unused action bits are harmless.
local noskip = 0x001FFFFF & ~SMFIP_SKIP
ok(mt.negotiate(conn, 6, noskip, noskip), "negotiate")
if mt.test_option(conn, SMFIP_SKIP) then
	error("SKIP requested although the MTA did not offer it")
end
start_message(conn, { from = "<b3@example.org>",
    rcpts = { "<r3@example.com>" },
    headers = { { "Subject", "bounds-3 no skip" },
	{ "Message-ID", "<bounds-3@example.org>" } } })
send_body(conn, big)
send_body(conn, big)
send_body(conn, big)
finish_message(conn, "4BOUND3")
mt.disconnect(conn)

-- 4: a header block larger than the bound
conn = open_conn()
ok(mt.mailfrom(conn, "<b4@example.org>"), "mailfrom")
ok(mt.rcptto(conn, "<r4@example.com>"), "rcptto")
ok(mt.header(conn, "Subject", "bounds-4 huge header block"), "header")
ok(mt.header(conn, "Message-ID", "<bounds-4@example.org>"), "header")
local filler = string.rep("x", 900)
for i = 1, 100 do
	ok(mt.header(conn, "X-Filler-" .. i, filler), "filler " .. i)
end
ok(mt.eoh(conn), "eoh")
ok(mt.bodystring(conn, "short body\r\n"), "body")
finish_message(conn, "4BOUND4")
mt.disconnect(conn)
