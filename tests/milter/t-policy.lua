-- t-policy.lua - alert_on = recipients (runner: alert_recipients =
-- phish@example.com, alert_recipient_regex = ^report-[a-z]+@example\.net$):
-- other mail is neither collected (body: SKIP) nor alerted on.
dofile(srcdir .. "/common.lua")

local conn = open_conn()
-- 1: nobody of interest: the first body chunk is answered with SKIP
start_message(conn, { from = "<p1@example.org>",
    rcpts = { "<bob@example.com>", "<phish@example.com.evil>" },
    headers = { { "Subject", "policy-1 not for us" },
	{ "Message-ID", "<policy-1@example.org>" } } })
send_body(conn, "https://policy.example/1\r\n", SMFIR_SKIP)
finish_message(conn, "4POL1")
-- 2: listed address, other case
simple_message(conn, "policy-2", "<p2@example.org>",
    { "<bob@example.com>", "<PHISH@Example.COM>" }, "4POL2")
-- 3: the regex
simple_message(conn, "policy-3", "<p3@example.org>",
    { "<report-abuse@example.net>" }, "4POL3")
-- 4: the regex is anchored: no match
start_message(conn, { from = "<p4@example.org>",
    rcpts = { "<x-report-abuse@example.net>" },
    headers = { { "Subject", "policy-4" },
	{ "Message-ID", "<policy-4@example.org>" } } })
send_body(conn, "text\r\n", SMFIR_SKIP)
finish_message(conn, "4POL4")
mt.disconnect(conn)
