-- t-basic.lua - one message with every envelope fact a milter sees:
-- the negotiated options, then one alert (checked by milter.sh).
dofile(srcdir .. "/common.lua")

local conn = open_conn()
ok(mt.negotiate(conn, nil, nil, nil), "negotiate")
-- observe only: no replies before end of message, SKIP, no DATA/unknown
for _, o in ipairs({ SMFIP_NR_CONN, SMFIP_NR_HELO, SMFIP_NR_MAIL,
    SMFIP_NR_RCPT, SMFIP_NR_HDR, SMFIP_NR_EOH, SMFIP_SKIP,
    SMFIP_HDR_LEADSPC, SMFIP_NODATA, SMFIP_NOUNKNOWN }) do
	if not mt.test_option(conn, o) then
		error(string.format("option 0x%x not requested", o))
	end
end
-- body chunks need a reply (SKIP is one); nothing is ever turned off
for _, o in ipairs({ SMFIP_NR_BODY, SMFIP_NOCONNECT, SMFIP_NOHELO,
    SMFIP_NOMAIL, SMFIP_NORCPT, SMFIP_NOHDRS, SMFIP_NOEOH, SMFIP_NOBODY,
    SMFIP_RCPT_REJ }) do
	if mt.test_option(conn, o) then
		error(string.format("option 0x%x requested", o))
	end
end
if mt.test_action(conn, SMFIF_ADDHDRS) then
	error("asked to add headers with add_header = no")
end

ok(mt.macro(conn, SMFIC_CONNECT, "{daemon_name}", "smtpd-test"), "macro")
ok(mt.conninfo(conn, "client.example.net", "192.0.2.7"), "conninfo")
ok(mt.helo(conn, "helo.example.net"), "helo")
ok(mt.macro(conn, SMFIC_MAIL, "{auth_authen}", "alice",
    "{auth_type}", "PLAIN", "{tls_version}", "TLSv1.3",
    "{cipher}", "TLS_AES_256_GCM_SHA384"), "mail macros")
start_message(conn, {
    from = "<alice@example.org>",
    rcpts = { "<bob@example.com>", "<Carol@Example.COM>",
        "<bcc-only@example.net>" },
    rcpt_qid = "4BASIC1",
    headers = {
	{ "From", "Alice <alice@example.org>" },
	{ "To", "Bob <bob@example.com>, carol@example.com" },
	{ "Subject", "=?UTF-8?B?SGVsbG8gd29ybGQ=?=" },
	{ "Message-ID", "<basic-1@example.org>" },
	{ "Date", "Fri, 27 Nov 2026 10:00:00 +0000" },
	{ "MIME-Version", "1.0" },
	{ "Content-Type", "text/plain; charset=utf-8" } } })
send_body(conn, "Hello Bob,\r\n\r\nplease check https://phish.example/login" ..
    "?u=bob and\r\nwww.example.net/x.\r\n")
finish_message(conn, "4BASIC1")
if mt.eom_check(conn, MT_HDRADD) then
	error("a header was added with add_header = no")
end
mt.disconnect(conn)
