-- t-macros.lua - what the MTA does not send is simply absent from the
-- alert; what it sends only as macros is used as a fallback.
dofile(srcdir .. "/common.lua")

-- 1: no client address, name "unknown" (Postfix's word), no macros
local conn = open_conn()
ok(mt.conninfo(conn, "unknown", "unspec"), "conninfo")
simple_message(conn, "macros-1", "<nomacro@example.org>",
    { "<r1@example.com>" }, nil)
mt.disconnect(conn)

-- 2: IPv6 client, Sendmail's "[addr]" form for a client without a name
conn = open_conn()
ok(mt.conninfo(conn, "[2001:db8::25]", "2001:db8::25"), "conninfo")
simple_message(conn, "macros-2", "<v6@example.org>", { "<r2@example.com>" },
    "4MACRO2")
mt.disconnect(conn)

-- 3: address and name only as connect macros; queue id only at eoh
conn = open_conn()
ok(mt.macro(conn, SMFIC_CONNECT, "{client_addr}", "198.51.100.9",
    "{client_name}", "mx.example.net"), "connect macros")
ok(mt.conninfo(conn, "unknown", "unspec"), "conninfo")
ok(mt.mailfrom(conn, "<m3@example.org>"), "mailfrom")
ok(mt.rcptto(conn, "<r3@example.com>"), "rcptto")
ok(mt.header(conn, "Subject", "macros-3"), "header")
ok(mt.header(conn, "Message-ID", "<macros-3@example.org>"), "header")
ok(mt.macro(conn, STAGE_EOH, "i", "4MACRO3"), "eoh macro")
ok(mt.eoh(conn), "eoh")
send_body(conn, "body\r\n")
finish_message(conn, nil)
mt.disconnect(conn)

-- 4: Postfix for a client without reverse DNS: "unknown" as the name
-- and as {client_name}, the address as {client_addr}
conn = open_conn()
ok(mt.macro(conn, SMFIC_CONNECT, "{client_addr}", "203.0.113.44",
    "{client_name}", "unknown"), "connect macros")
ok(mt.conninfo(conn, "unknown", "unspec"), "conninfo")
simple_message(conn, "macros-4", "<m4@example.org>", { "<r4@example.com>" },
    "4MACRO4")
mt.disconnect(conn)
