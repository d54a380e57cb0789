-- t-exact.lua - with max_message_bytes = 64k (the runner sets it): a
-- body chunk that fills the bound exactly is answered with SKIP, and
-- then the alert says it was truncated (the rest was never examined);
-- one byte less is answered "continue" and nothing is flagged.
dofile(srcdir .. "/common.lua")

local BOUND = 65536

-- send_exact - headers, a first chunk, then a chunk that brings what
-- the milter collected to BOUND - short; want the reply to that chunk
local function send_exact(n, short, want)
	local conn = open_conn()
	-- the milter collects "Name: value\n" (with the leading space
	-- option miltertest sends the space as part of the value, else
	-- the milter writes ": "), a blank line, then the body (LF kept)
	local sep = ": "
	local headers = { { "Subject", "exact-" .. n },
	    { "Message-ID", "<exact-" .. n .. "@example.org>" } }
	local used = 1
	for _, h in ipairs(headers) do
		used = used + #h[1] + #sep + #h[2] + 1
	end
	start_message(conn, { from = "<x" .. n .. "@example.org>",
	    rcpts = { "<r" .. n .. "@example.com>" }, headers = headers })
	local first = "see https://exact.example/" .. n .. "\n" ..
	    string.rep(string.rep("a", 63) .. "\n", 500)
	send_body(conn, first)
	used = used + #first
	local rest = BOUND - short - used
	send_body(conn, string.rep("b", rest - 1) .. "\n", want)
	finish_message(conn, "4EXACT" .. n)
	mt.disconnect(conn)
end

send_exact(1, 0, SMFIR_SKIP)
send_exact(2, 1, SMFIR_CONTINUE)
