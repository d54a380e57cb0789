-- common.lua - helpers shared by the soar-milter miltertest scripts.
-- The runner (milter.sh) defines with miltertest -D:
--   sock     the milter socket, e.g. inet:12345@127.0.0.1
--   srcdir   tests/milter in the source tree
--   out      a file a script may write results into (optional)

-- stages for mt.macro() that miltertest has no constant for
STAGE_EOH = string.byte("N")
STAGE_EOM = string.byte("E")

-- ok - fail the test unless an mt.* call returned nil (success)
function ok(r, what)
	if r ~= nil then
		error(what .. " failed: " .. tostring(r))
	end
end

-- open_conn - connect, retrying while soar-milter starts
function open_conn()
	local conn = mt.connect(sock, 100, 0.1)
	if conn == nil then
		error("cannot connect to soar-milter at " .. sock)
	end
	return conn
end

-- want_reply - the last reply must be want (an SMFIR_* value)
function want_reply(conn, want, what)
	local got = mt.getreply(conn)
	if got ~= want then
		error(string.format("%s: reply '%s', want '%s'", what,
		    string.char(got), string.char(want)))
	end
end

-- start_message - MAIL, RCPTs, headers, end of header
--   t = { from = "<a@b>", rcpts = { "<c@d>", ... },
--         headers = { { "Subject", "x" }, ... }, rcpt_qid = "Q" }
function start_message(conn, t)
	ok(mt.mailfrom(conn, t.from), "mailfrom")
	if t.rcpt_qid ~= nil then
		ok(mt.macro(conn, SMFIC_RCPT, "i", t.rcpt_qid), "rcpt macro")
	end
	for _, r in ipairs(t.rcpts) do
		ok(mt.rcptto(conn, r), "rcptto " .. r)
	end
	for _, h in ipairs(t.headers) do
		ok(mt.header(conn, h[1], h[2]), "header " .. h[1])
	end
	ok(mt.eoh(conn), "eoh")
end

-- finish_message - optional {i} at end of message, EOM, want continue
function finish_message(conn, qid, want)
	if qid ~= nil then
		ok(mt.macro(conn, STAGE_EOM, "i", qid), "eom macro")
	end
	ok(mt.eom(conn), "eom")
	want_reply(conn, want or SMFIR_CONTINUE, "eom")
end

-- send_body - one body chunk; the reply must be want (default continue)
function send_body(conn, text, want)
	ok(mt.bodystring(conn, text), "body")
	want_reply(conn, want or SMFIR_CONTINUE, "body")
end

-- simple_message - a whole small message with the given Message-ID
function simple_message(conn, mid, from, rcpts, qid)
	start_message(conn, { from = from, rcpts = rcpts, headers = {
	    { "From", "Sender <" .. string.sub(from, 2, -2) .. ">" },
	    { "To", "Recipients <" .. string.sub(rcpts[1], 2, -2) .. ">" },
	    { "Subject", "Test " .. mid },
	    { "Message-ID", "<" .. mid .. "@example.org>" },
	    { "Date", "Fri, 27 Nov 2026 10:00:00 +0000" } } })
	send_body(conn, "Hello,\r\nsee https://example.com/" .. mid ..
	    " please.\r\n")
	finish_message(conn, qid)
end
