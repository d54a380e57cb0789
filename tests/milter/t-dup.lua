-- t-dup.lua - the same message twice (same Message-ID): one alert; the
-- second end of message still answers "continue".
dofile(srcdir .. "/common.lua")

for i = 1, 2 do
	local conn = open_conn()
	simple_message(conn, "dup-1", "<d@example.org>", { "<r@example.com>" },
	    "4DUP" .. i)
	mt.disconnect(conn)
end
