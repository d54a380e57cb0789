#!/bin/sh
# after.sh - imap_after: mark \Seen or move, only after the alerts are
# durably spooled, never in a dry run; MOVE and, on a server without
# MOVE, COPY + \Deleted + UID EXPUNGE.
. "$top_srcdir/tests/lib/dovecot.sh"
it_init

# unseen_uids FOLDER - UIDs without \Seen
unseen_uids()
{
	dv_imapctl flags "$1" | grep -v 'Seen' | cut -f1
}

# --- imap_after=seen, through the spool (soar_api=none: the outbox)
it_load Reports
dv_imapctl flags Reports >"$T/flags0"
bf -o imap_folders=Reports -o imap_after=seen backfill --dry-run \
    --no-progress >/dev/null 2>&1 || it_fail "dry run"
dv_imapctl flags Reports | cmp -s - "$T/flags0" ||
    it_fail "a dry run changed flags"
bf -o imap_folders=Reports -o imap_after=seen -o soar_api=none backfill \
    --no-progress 2>"$T/seen1.log" || it_fail "seen run: exit $?"
[ "$(find "$STATE/outbox" -name '*.json' | wc -l)" = "$IT_NUNSEEN" ] ||
    it_fail "seen run: outbox"
[ -z "$(unseen_uids Reports)" ] || it_fail "still unseen: $(unseen_uids Reports)"
[ "$(dv_imapctl count Reports)" = "$IT_NMSG" ] || it_fail "messages lost"
it_ok "imap_after=seen: $IT_NUNSEEN alerts, then every message \\Seen"

# a new message: only it is alerted and marked
printf 'From: x@example.test\r\nSubject: late\r\nMessage-ID: <late-1@example.test>\r\n\r\nhttp://late.example.test/\r\n' \
    >"$T/late.eml"
dv_imapctl append Reports "$T/late.eml" >/dev/null || it_fail "append"
bf -o imap_folders=Reports -o imap_after=seen -o soar_api=none backfill \
    --no-progress 2>"$T/seen2.log" || it_fail "seen run 2: exit $?"
grep -q "seen 1, alerted 1, duplicate 0" "$T/seen2.log" ||
    it_fail "seen run 2: $(grep summary "$T/seen2.log")"
[ -z "$(unseen_uids Reports)" ] || it_fail "the new message is not \\Seen"
it_ok "a new message: 1 alert, marked \\Seen"

# messages already alerted (the sent record knows them) are marked too
it_load Again
bf -o imap_folders=Again -o imap_after=seen -o soar_api=none backfill \
    --no-progress 2>"$T/seen3.log" || it_fail "seen run 3: exit $?"
grep -q "seen $IT_NUNSEEN, alerted 0, duplicate $IT_NUNSEEN" "$T/seen3.log" ||
    it_fail "seen run 3: $(grep summary "$T/seen3.log")"
[ -z "$(unseen_uids Again)" ] || it_fail "duplicates were not marked \\Seen"
it_ok "already alerted elsewhere: $IT_NUNSEEN duplicates, still marked \\Seen"

# --- imap_after=move (MOVE); a fresh state: the same messages were
# alerted above, and the sent record would make them duplicates
STATE=$T/state-move
it_load Inbound
dv_imapctl create Done || it_fail "create Done"
bf -o imap_folders=Inbound -o imap_after=move -o imap_move_folder=Done \
    -o imap_batch=7 backfill --output "$T/mv" --no-progress \
    2>"$T/move.log" || it_fail "move run: exit $?"
[ "$(it_count "$T/mv")" = "$IT_NUNSEEN" ] || it_fail "move: alerts"
[ "$(dv_imapctl count Done)" = "$IT_NUNSEEN" ] ||
    it_fail "Done has $(dv_imapctl count Done), want $IT_NUNSEEN"
[ "$(dv_imapctl count Inbound)" = $((IT_NMSG - IT_NUNSEEN)) ] ||
    it_fail "Inbound keeps $(dv_imapctl count Inbound)"
[ -z "$(unseen_uids Inbound)" ] || it_fail "an unseen message was not moved"
[ "$(unseen_uids Done | wc -l)" = "$IT_NUNSEEN" ] ||
    it_fail "moving changed \\Seen"
bf -o imap_folders=Inbound -o imap_after=move -o imap_move_folder=Done \
    backfill --output "$T/mv" --no-progress 2>"$T/move2.log" ||
    it_fail "move re-run"
[ "$(dv_imapctl count Done)" = "$IT_NUNSEEN" ] || it_fail "re-run moved more"
it_ok "imap_after=move (MOVE): $IT_NUNSEEN moved to Done, unseen, in batches of 7"

# --- a server without MOVE: COPY, \Deleted, UID EXPUNGE
dv_stop
DV_NO_MOVE=1
dv_setup "$T/nomove" || it_fail "second Dovecot"
it_load Inbound
dv_imapctl create Done || it_fail "create Done"
STATE=$T/state-nomove
bf -o imap_folders=Inbound -o imap_after=move -o imap_move_folder=Done \
    -o log_level=debug backfill --output "$T/mv2" --no-progress \
    2>"$T/nomove.log" || it_fail "no-MOVE run: exit $?"
grep -q "C: b[0-9]* UID COPY " "$T/nomove.log" || it_fail "no UID COPY sent"
grep -q "C: b[0-9]* UID EXPUNGE " "$T/nomove.log" ||
    it_fail "no UID EXPUNGE sent"
! grep -q "C: b[0-9]* UID MOVE " "$T/nomove.log" ||
    it_fail "UID MOVE sent to a server without MOVE"
[ "$(dv_imapctl count Done)" = "$IT_NUNSEEN" ] || it_fail "no-MOVE: Done"
[ "$(dv_imapctl count Inbound)" = $((IT_NMSG - IT_NUNSEEN)) ] ||
    it_fail "no-MOVE: Inbound keeps $(dv_imapctl count Inbound)"
dv_imapctl flags Inbound | grep -q Deleted &&
    it_fail "\\Deleted messages left in Inbound"
it_ok "no MOVE capability: COPY + \\Deleted + UID EXPUNGE moved $IT_NUNSEEN"
exit 0
