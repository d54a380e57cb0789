#!/usr/bin/python3
"""gen-corpus - write a deterministic corpus of realistic, HTML-heavy mail.

Usage: gen-corpus.py [--count N] [--seed S] [--out DIR]

Every message is a file DIR/msg-NNNNN.eml.  The same seed and count give
byte-identical files on every run and every machine (no clock, no
locale, no hash randomisation is used).  The mix imitates what a
report-phishing mailbox or a corporate MX sees:

  - newsletters and notifications: multipart/alternative (text/plain +
    text/html), HTML of 10-90 KB with a <style> block, nested tables,
    inline styles, images, entities, 5-60 links (href + visible text,
    tracking URLs with &amp; in the query), plain-text URLs and www.
    forms in the text part;
  - quoted-printable, base64 and 8bit bodies; charsets UTF-8 (with Greek,
    Cyrillic, CJK and emoji), ISO-8859-1, windows-1252 and US-ASCII;
  - RFC 2047 subjects and display names (B and Q, several encoded words);
  - some small attachments (PDF-like and ZIP-like bytes, base64, names
    plain, RFC 2231 or RFC 2047 encoded);
  - some forwards: multipart/mixed with a message/rfc822 part that holds
    a complete newsletter;
  - some single-part text/html and text/plain messages;
  - about a third of the files with CRLF line endings, the rest LF.

Standard library only.
"""

import argparse
import base64
import binascii
import os
import random
import sys

GEN_VERSION = 1

# ------------------------------------------------------------ vocabulary

WORDS_EN = (
    "the of and to in is you that it for on are with as your this be at "
    "or have from an by not we can all more will one about new our if "
    "account update security order delivery invoice payment customer "
    "service offer exclusive members today week month free shipping "
    "discover collection season limited time only save percent off "
    "please review confirm details information support team help "
    "password verify access unusual activity sign login device location "
    "shipment package tracking number estimated arrival schedule "
    "webinar register event conference speakers agenda session report "
    "quarterly results growth market analysis product release notes "
    "features improvements performance reliability feedback survey "
    "subscription renewal plan upgrade storage billing statement "
    "recommended articles popular stories newsletter digest highlights"
).split()

WORDS_LATIN1 = (
    "réunion équipe été déjà très métro café crème façade garçon "
    "naïve Noël hôtel forêt château élève préféré Größe Straße "
    "Müller Bäckerei Übersicht Grüße schön Qualität Mañana niño "
    "señor año corazón información envío técnico pequeño "
    "São João ação coração você Kühlschrank Verbraucher Ærø øl "
    "smørrebrød Ångström"
).split()

WORDS_CP1252 = (
    "€ “offre” ‘spéciale’ – — … prix™ Œuvre œuf Šibenik Žilina "
    "Ÿvonne •"
).split()

WORDS_UTF8 = (
    "Ελληνικά καλημέρα ευχαριστώ Привет спасибо счёт доставка "
    "заказ 注文 配送 お知らせ 会員 限定 优惠 订单 发货 "
    "안녕하세요 주문 배송 ✓ ★ → 🎉 🚚 💳 📦 ✈️ 🔒 ẞ Łódź Kraków "
    "Dvořák Tiếng Việt"
).split()

BRANDS = [
    ("Acme Shop", "acme-shop.com"), ("Northwind", "northwind.example.net"),
    ("Globex", "globex-corp.com"), ("Initech", "initech.io"),
    ("Umbrella Health", "umbrella-health.org"),
    ("Hooli Mail", "hooli.co"), ("Stark Travel", "stark-travel.eu"),
    ("Wayne Finance", "waynefinance.com"), ("Pied Piper", "piedpiper.app"),
    ("Soylent News", "soylent-news.info"), ("Vandelay", "vandelay.biz"),
    ("Café Lumière", "cafe-lumiere.fr"), ("Bäckerei Müller", "baeckerei-mueller.de"),
    ("Ακρόπολη Τουρς", "akropoli-tours.gr"), ("Почта Экспресс", "pochta-express.ru"),
    ("さくら銀行", "sakura-bank.jp"), ("Tyrell Cloud", "tyrellcloud.com"),
    ("Cyberdyne Jobs", "cyberdyne-jobs.net"), ("Massive Dynamic", "massivedynamic.com"),
    ("Oceanic Air", "oceanic-air.com"),
]

FIRST = ["Alice", "Bob", "Chloé", "David", "Émilie", "Frank", "Grace",
         "Hannah", "Ivan", "Jürgen", "Kenji", "Laura", "Mateo", "Nadia",
         "Olivier", "Priya", "Quentin", "Rosa", "Søren", "Tomás", "Uma",
         "Viktor", "Wei", "Xavier", "Yara", "Zoë", "Дмитрий", "Ελένη"]
LAST = ["Smith", "Dupont", "García", "Müller", "Nakamura", "Kowalski",
        "O'Brien", "Rossi", "Nguyen", "Johansson", "Petrov", "Novák",
        "Silva", "Haddad", "Lefèvre", "Schäfer", "Иванова", "Παπαδόπουλος"]

CORP_DOMAINS = ["corp.example.com", "mail.example.org", "example.net",
                "staff.example.edu", "branch.example.co.uk"]

TLDS = ["com", "net", "org", "io", "co", "info", "xyz", "top", "ru", "de"]

PATH_WORDS = ["account", "verify", "login", "secure", "update", "track",
              "order", "invoice", "promo", "sale", "news", "article",
              "2024", "summer", "deals", "unsubscribe", "preferences",
              "view", "browser", "click", "open", "redirect", "u", "ls",
              "wf", "c", "e", "go", "r", "s"]

CSS = """body{margin:0;padding:0;background-color:#f4f4f4;font-family:Helvetica,Arial,sans-serif;}
table{border-collapse:collapse;mso-table-lspace:0pt;mso-table-rspace:0pt;}
img{border:0;height:auto;line-height:100%;outline:none;text-decoration:none;-ms-interpolation-mode:bicubic;}
a{color:#1a73e8;text-decoration:none;}
.wrapper{width:100%;table-layout:fixed;background-color:#f4f4f4;padding-bottom:40px;}
.main{background-color:#ffffff;margin:0 auto;width:100%;max-width:600px;border-spacing:0;color:#4a4a4a;}
.two-columns{text-align:center;font-size:0;padding:15px 0 10px;}
.two-columns .column{width:100%;max-width:300px;display:inline-block;vertical-align:top;}
.button{background-color:#1a73e8;color:#ffffff;text-decoration:none;padding:12px 20px;border-radius:5px;font-weight:bold;}
.footer{font-size:12px;color:#999999;text-align:center;padding:20px;}
@media screen and (max-width:600px){.main{width:100%!important;}.column{max-width:100%!important;}.hide-mobile{display:none!important;}}
@media (prefers-color-scheme:dark){body,.wrapper{background-color:#121212!important;}.main{background-color:#1e1e1e!important;color:#e0e0e0!important;}}
"""


class Gen:
    """One message generator; all randomness from one seeded Random."""

    def __init__(self, seed):
        self.r = random.Random(seed)
        self.base_time = 1704067200  # 2024-01-01T00:00:00Z, fixed

    # ------------------------------------------------------------ text

    def words(self, n, charset):
        r = self.r
        out = []
        for _ in range(n):
            x = r.random()
            if charset == "utf-8" and x < 0.10:
                out.append(r.choice(WORDS_UTF8))
            elif charset in ("utf-8", "iso-8859-1", "windows-1252") \
                    and x < 0.18:
                out.append(r.choice(WORDS_LATIN1))
            elif charset == "windows-1252" and x < 0.22:
                out.append(r.choice(WORDS_CP1252))
            else:
                out.append(r.choice(WORDS_EN))
        return out

    def sentence(self, charset, lo=6, hi=22):
        w = self.words(self.r.randint(lo, hi), charset)
        w[0] = w[0][:1].upper() + w[0][1:]
        return " ".join(w) + self.r.choice([".", ".", ".", "!", "?"])

    def paragraph(self, charset):
        return " ".join(self.sentence(charset)
                        for _ in range(self.r.randint(2, 6)))

    def token(self, n):
        alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
        return "".join(self.r.choice(alphabet) for _ in range(n))

    def hexid(self, n):
        return "".join(self.r.choice("0123456789abcdef") for _ in range(n))

    # ------------------------------------------------------------ URLs

    def url(self, brand_domain):
        r = self.r
        x = r.random()
        if x < 0.45:
            host = r.choice(["click", "links", "email", "t", "track",
                             "go", "mailer"]) + "." + brand_domain
        elif x < 0.75:
            host = r.choice(["www.", "", "shop.", "support."]) + brand_domain
        else:
            host = self.token(r.randint(5, 12)).lower() + "." + r.choice(TLDS)
        scheme = "https" if r.random() < 0.85 else "http"
        path = "/".join(r.choice(PATH_WORDS)
                        for _ in range(r.randint(0, 4)))
        u = "%s://%s/%s" % (scheme, host, path)
        if r.random() < 0.6:
            q = ["utm_source=newsletter", "utm_medium=email",
                 "utm_campaign=%s" % self.token(8).lower(),
                 "id=%s" % self.hexid(r.randint(8, 32))]
            if r.random() < 0.4:
                q.append("upn=%s" % self.token(r.randint(40, 160)))
            r.shuffle(q)
            u += "?" + "&".join(q[:r.randint(1, len(q))])
        return u

    # ------------------------------------------------------------ headers

    @staticmethod
    def qp_word(data):
        out = []
        for b in data:
            c = chr(b)
            if b == 0x20:
                out.append("_")
            elif (c.isalnum() and b < 128) or c in "!*+-/":
                out.append(c)
            else:
                out.append("=%02X" % b)
        return "".join(out)

    def rfc2047(self, text, charset):
        """Encode text as one or more encoded words, split on characters."""
        enc = "B" if self.r.random() < 0.5 else "Q"
        cs = {"utf-8": "UTF-8", "iso-8859-1": "ISO-8859-1",
              "windows-1252": "windows-1252"}.get(charset, "UTF-8")
        words = []
        cur = ""
        limit = 40 if enc == "B" else 28
        for ch in text:
            if len((cur + ch).encode(charset)) > limit:
                words.append(cur)
                cur = ""
            cur += ch
        if cur:
            words.append(cur)
        out = []
        for w in words:
            b = w.encode(charset)
            if enc == "B":
                payload = base64.b64encode(b).decode("ascii")
            else:
                payload = self.qp_word(b)
            out.append("=?%s?%s?%s?=" % (cs, enc, payload))
        return "\n ".join(out)

    def header_text(self, text, charset):
        try:
            text.encode("ascii")
            return text
        except UnicodeEncodeError:
            pass
        try:
            text.encode(charset)
        except (UnicodeEncodeError, LookupError):
            charset = "utf-8"
        return self.rfc2047(text, charset)

    def mailbox(self, name, addr, charset):
        if name is None:
            return addr
        h = self.header_text(name, charset)
        if h == name and any(c in name for c in "'.,"):
            h = '"%s"' % name
        return "%s <%s>" % (h, addr)

    def person(self, domain=None):
        r = self.r
        first = r.choice(FIRST)
        last = r.choice(LAST)
        local = "%s.%s" % (first, last)
        local = "".join(c for c in local.lower()
                        if c.isascii() and (c.isalnum() or c == "."))
        if not local.strip(".") or local.startswith(".") or \
                local.endswith(".") or ".." in local:
            local = "user%d" % r.randint(1, 9999)
        return "%s %s" % (first, last), "%s@%s" % (
            local, domain or r.choice(CORP_DOMAINS))

    @staticmethod
    def fold(name, value):
        """Fold a long unstructured/structured header at spaces."""
        line = "%s: %s" % (name, value)
        if len(line) <= 78 or "\n" in value:
            return line
        out = []
        cur = ""
        for tok in line.split(" "):
            if cur and len(cur) + 1 + len(tok) > 76:
                out.append(cur)
                cur = " " + tok
            else:
                cur = tok if not cur else cur + " " + tok
        out.append(cur)
        return "\n".join(out)

    def date(self, idx):
        r = self.r
        t = self.base_time + idx * 397 + r.randint(0, 300)
        tz = r.choice([0, 60, 120, -300, -240, 330, 540, -480, 600])
        lt = t + tz * 60
        days = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
        months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug",
                  "Sep", "Oct", "Nov", "Dec"]
        # civil-from-days (proleptic Gregorian), no time module needed
        z = lt // 86400
        secs = lt % 86400
        wd = days[z % 7]
        z += 719468
        era = z // 146097
        doe = z - era * 146097
        yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
        y = yoe + era * 400
        doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
        mp = (5 * doy + 2) // 153
        d = doy - (153 * mp + 2) // 5 + 1
        m = mp + 3 if mp < 10 else mp - 9
        if m <= 2:
            y += 1
        sign = "+" if tz >= 0 else "-"
        return "%s, %d %s %d %02d:%02d:%02d %s%02d%02d" % (
            wd, d, months[m - 1], y, secs // 3600, secs // 60 % 60,
            secs % 60, sign, abs(tz) // 60, abs(tz) % 60)

    def received(self, brand_domain, idx):
        r = self.r
        ip = "%d.%d.%d.%d" % (r.randint(11, 223), r.randint(0, 255),
                              r.randint(0, 255), r.randint(1, 254))
        return self.fold("Received", "from mta%d.%s (mta%d.%s [%s]) by "
                         "mx%d.corp.example.com (Postfix) with ESMTPS id "
                         "%s for <inbox@corp.example.com>; %s" % (
                             r.randint(1, 40), brand_domain,
                             r.randint(1, 40), brand_domain, ip,
                             r.randint(1, 4), self.token(11).upper(),
                             self.date(idx)))

    # ------------------------------------------------------------ bodies

    def html_body(self, brand, domain, charset, links, target):
        r = self.r
        parts = []
        meta_cs = {"utf-8": "UTF-8", "iso-8859-1": "ISO-8859-1",
                   "windows-1252": "windows-1252",
                   "us-ascii": "US-ASCII"}[charset]
        parts.append(
            '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
            '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
            '<html xmlns="http://www.w3.org/1999/xhtml" lang="en">\n<head>\n'
            '<meta http-equiv="Content-Type" content="text/html; charset=%s">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1.0">\n'
            '<title>%s</title>\n<style type="text/css">\n%s</style>\n</head>\n'
            '<body>\n<center class="wrapper">\n'
            '<table class="main" width="100%%" cellpadding="0" cellspacing="0" '
            'role="presentation">\n' % (meta_cs, brand, CSS))
        parts.append(
            '<tr><td style="padding:10px 20px;font-size:11px;color:#888888;'
            'text-align:right;">Trouble viewing this email? '
            '<a href="%s" style="color:#888888;text-decoration:underline;">'
            'View it in your browser</a></td></tr>\n' % links[0].replace(
                "&", "&amp;"))
        parts.append(
            '<tr><td style="padding:20px;text-align:center;">'
            '<a href="https://www.%s/"><img src="https://cdn.%s/img/logo-%s.png" '
            'width="180" height="48" alt="%s" style="display:block;margin:0 auto;">'
            '</a></td></tr>\n' % (domain, domain, self.hexid(8), brand))
        li = 1
        size = sum(len(p) for p in parts)
        while size < target and li < len(links) - 2 or \
                size < target // 3:
            kind = r.random()
            if kind < 0.35 and li < len(links) - 2:
                u = links[li]
                li += 1
                vis = r.choice(["Shop now", "Read more &raquo;",
                                "Learn more", "Track your package",
                                "Verify your account", "Download",
                                "See the offer", u.replace("&", "&amp;"),
                                " ".join(self.words(3, charset))])
                s = ('<tr><td class="two-columns" style="padding:15px 20px;">'
                     '<table width="100%%" role="presentation"><tr>'
                     '<td class="column" style="padding:10px;">'
                     '<img src="https://cdn.%s/img/%s.jpg" width="260" '
                     'alt="" style="width:100%%;max-width:260px;"></td>'
                     '<td class="column" style="padding:10px;font-size:15px;'
                     'line-height:22px;text-align:left;">'
                     '<h3 style="margin:0 0 8px;font-size:18px;">%s</h3>'
                     '<p style="margin:0 0 12px;">%s</p>'
                     '<a class="button" href="%s" target="_blank" '
                     'style="background-color:#1a73e8;color:#ffffff;'
                     'padding:12px 20px;border-radius:5px;">%s</a>'
                     '</td></tr></table></td></tr>\n' % (
                         domain, self.hexid(12),
                         " ".join(self.words(r.randint(3, 7), charset)),
                         self.sentence(charset), u.replace("&", "&amp;"),
                         vis))
            elif kind < 0.45 and li < len(links) - 2:
                u = links[li]
                li += 1
                s = ('<tr><td style="padding:0 20px 12px;font-size:14px;">'
                     '%s <a href="%s">%s</a> %s</td></tr>\n' % (
                         self.sentence(charset), u.replace("&", "&amp;"),
                         " ".join(self.words(r.randint(2, 5), charset)),
                         self.sentence(charset)))
            else:
                p = self.paragraph(charset)
                p = p.replace("&", "&amp;")
                if r.random() < 0.3:
                    p += " &copy; &nbsp;&#8212;&nbsp; &#x2019;"
                s = ('<tr><td style="padding:0 20px 16px;font-family:'
                     'Georgia,serif;font-size:15px;line-height:23px;'
                     'color:#333333;"><p style="margin:0;">%s</p>'
                     '</td></tr>\n' % p)
            parts.append(s)
            size += len(s)
        if li < len(links) - 3:
            # link-dense block: "more stories", as digests have
            items = []
            while li < len(links) - 3:
                items.append('<li style="margin:0 0 6px;"><a href="%s" '
                             'style="color:#1a73e8;">%s</a></li>' % (
                                 links[li].replace("&", "&amp;"),
                                 " ".join(self.words(r.randint(3, 8),
                                                     charset))))
                li += 1
            parts.append('<tr><td style="padding:0 20px 16px;font-size:14px;'
                         '"><h3>More stories</h3><ul>%s</ul></td></tr>\n'
                         % "\n".join(items))
        foot = []
        for u in links[li:]:
            foot.append('<a href="%s" style="color:#999999;">%s</a>' % (
                u.replace("&", "&amp;"),
                r.choice(["Unsubscribe", "Manage preferences",
                          "Privacy policy", "Contact us", "Terms"])))
        parts.append(
            '<tr><td class="footer" style="padding:20px;font-size:12px;'
            'color:#999999;text-align:center;">%s<br>%s &copy; 2024 %s, '
            '1 Example Plaza, Springfield<br>%s</td></tr>\n' % (
                self.sentence(charset), brand, brand, " | ".join(foot)))
        parts.append('</table>\n</center>\n'
                     '<img src="https://t.%s/open/%s.gif" width="1" height="1" '
                     'alt="" style="display:none;">\n</body>\n</html>\n' % (
                         domain, self.token(24)))
        return "".join(parts)

    def text_body(self, charset, links, target):
        r = self.r
        out = []
        size = 0
        li = 0
        while size < target or li < len(links):
            p = self.paragraph(charset)
            if li < len(links) and r.random() < 0.5:
                u = links[li]
                li += 1
                form = r.random()
                if form < 0.5:
                    p += "\n\n%s: %s" % (r.choice(["Read more", "Details",
                                                   "Link", "Go to"]), u)
                elif form < 0.7:
                    p += " <%s>" % u
                elif form < 0.85:
                    host = u.split("/")[2]
                    if not host.startswith("www."):
                        host = "www." + host.split(".", 1)[-1]
                    p += " Visit %s for more." % host
                else:
                    p += " (%s)" % u
            # wrap at ~72 columns, as mail clients do
            lines = []
            cur = ""
            for w in p.split(" "):
                if cur and len(cur) + 1 + len(w) > 72:
                    lines.append(cur)
                    cur = w
                else:
                    cur = w if not cur else cur + " " + w
            lines.append(cur)
            s = "\n".join(lines) + "\n\n"
            out.append(s)
            size += len(s)
        out.append("-- \nYou receive this message because you subscribed.\n"
                   "Unsubscribe: %s\n" % links[-1])
        return "".join(out)

    # ------------------------------------------------------------ MIME

    def encode_text(self, text, charset, cte, html=False):
        # HTML writes what the charset lacks as character references,
        # as HTML mailers do; plain text only holds encodable words.
        data = text.encode(charset,
                           "xmlcharrefreplace" if html else "strict")
        if cte == "base64":
            return base64.encodebytes(data).decode("ascii")
        if cte == "quoted-printable":
            return binascii.b2a_qp(data, quotetabs=False, istext=True,
                                   header=False).decode("ascii")
        # 7bit/8bit: lines are already short; keep raw bytes
        return data.decode(charset)

    def text_part(self, subtype, text, charset, cte):
        body = self.encode_text(text, charset, cte, subtype == "html")
        hdr = "Content-Type: text/%s; charset=\"%s\"\n" \
              "Content-Transfer-Encoding: %s\n\n" % (subtype, charset, cte)
        # body is str; bytes of 8bit text are produced at the end with
        # the message charset, so keep track of it
        return hdr, body, charset

    def boundary(self):
        return "----=_Part_%d_%s.%d" % (self.r.randint(1, 999999),
                                        self.token(10),
                                        self.r.randint(10 ** 9, 10 ** 10))

    def attachment(self):
        r = self.r
        kind = r.random()
        n = r.randint(2000, 30000)
        if kind < 0.55:
            ctype = "application/pdf"
            ext = "pdf"
            head = (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog "
                    b"/Pages 2 0 R >>\nendobj\n")
        elif kind < 0.85:
            ctype = "application/zip"
            ext = "zip"
            head = b"PK\x03\x04\x14\x00\x00\x00\x08\x00"
        else:
            ctype = "application/vnd.openxmlformats-officedocument." \
                    "wordprocessingml.document"
            ext = "docx"
            head = b"PK\x03\x04\x14\x00\x06\x00\x08\x00"
        data = head + bytes(r.getrandbits(8) for _ in range(n))
        base = r.choice(["Invoice_%d" % r.randint(1000, 99999),
                         "Rechnung_März_%d" % r.randint(1, 99),
                         "facture-été", "report-q%d" % r.randint(1, 4),
                         "scan_%s" % self.hexid(6), "Überweisung",
                         "заказ_%d" % r.randint(1, 999), "document"])
        fname = "%s.%s" % (base, ext)
        if fname.isascii():
            disp = 'attachment; filename="%s"' % fname
            ct = '%s; name="%s"' % (ctype, fname)
        elif r.random() < 0.5:
            enc = "".join(
                c if (c.isascii() and (c.isalnum() or c in ".-_")) else
                "".join("%%%02X" % b for b in c.encode("utf-8"))
                for c in fname)
            disp = "attachment;\n filename*=utf-8''%s" % enc
            ct = "%s" % ctype
        else:
            w = self.rfc2047(fname, "utf-8").replace("\n ", "")
            disp = 'attachment; filename="%s"' % w
            ct = '%s; name="%s"' % (ctype, w)
        return ("Content-Type: %s\nContent-Disposition: %s\n"
                "Content-Transfer-Encoding: base64\n\n%s" % (
                    ct, disp, base64.encodebytes(data).decode("ascii")))

    def newsletter(self, idx, charset, brand, domain, with_headers=True):
        """A complete multipart/alternative newsletter: (headers, body)."""
        r = self.r
        nlinks = r.randint(5, 60)
        links = [self.url(domain) for _ in range(nlinks)]
        html_target = int(r.triangular(4000, 60000, 12000))
        text_target = int(html_target * r.uniform(0.10, 0.3))
        html = self.html_body(brand, domain, charset, links, html_target)
        tlinks = [u for u in links if r.random() < 0.4] or links[:1]
        text = self.text_body(charset, tlinks, text_target)
        bnd = self.boundary()
        tcte = r.choice(["quoted-printable", "quoted-printable", "base64",
                         "8bit" if charset != "us-ascii" else "7bit"])
        hcte = r.choice(["quoted-printable", "quoted-printable", "base64"])
        th, tb, _ = self.text_part("plain", text, charset, tcte)
        hh, hb, _ = self.text_part("html", html, charset, hcte)
        body = ("This is a multi-part message in MIME format.\n\n"
                "--%s\n%s%s\n--%s\n%s%s\n--%s--\n" % (
                    bnd, th, tb, bnd, hh, hb, bnd))
        ctype = 'multipart/alternative;\n boundary="%s"' % bnd
        return ctype, body

    def headers(self, idx, charset, brand, domain, ctype, forward=False):
        r = self.r
        h = []
        for _ in range(r.randint(2, 5)):
            h.append(self.received(domain, idx))
        sender_local = r.choice(["news", "no-reply", "info", "alerts",
                                 "support", "billing", "service"])
        from_addr = "%s@%s" % (sender_local, domain)
        if forward:
            name, from_addr = self.person()
            from_mb = self.mailbox(name, from_addr, charset)
        else:
            from_mb = self.mailbox(brand, from_addr, charset)
        h.append("Return-Path: <bounce-%s@%s>" % (self.hexid(16), domain))
        h.append("Authentication-Results: mx1.corp.example.com; "
                 "spf=pass smtp.mailfrom=%s;\n dkim=pass header.d=%s "
                 "header.s=s1; dmarc=pass header.from=%s" % (
                     domain, domain, domain))
        h.append("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; "
                 "d=%s; s=s1;\n t=%d; bh=%s=;\n h=From:To:Subject:Date:"
                 "Message-ID:MIME-Version:Content-Type;\n b=%s\n %s" % (
                     domain, self.base_time + idx, self.token(43),
                     self.token(70), self.token(100)))
        h.append(self.fold("From", from_mb))
        tos = []
        for _ in range(r.choice([1, 1, 1, 2, 3])):
            n, a = self.person()
            tos.append(self.mailbox(n, a, charset)
                       if r.random() < 0.7 else a)
        h.append(self.fold("To", ", ".join(tos)))
        if r.random() < 0.2:
            n, a = self.person()
            h.append(self.fold("Cc", self.mailbox(n, a, charset)))
        if r.random() < 0.15:
            h.append("Reply-To: <reply-%s@%s>" % (self.hexid(8), domain))
        subj = " ".join(self.words(r.randint(3, 10), charset))
        subj = subj[:1].upper() + subj[1:]
        if forward:
            subj = "Fwd: " + subj
        h.append(self.fold("Subject", self.header_text(subj, charset)))
        h.append("Date: %s" % self.date(idx))
        h.append("Message-ID: <%s.%d@%s>" % (self.hexid(24), idx,
                                              "mail." + domain))
        h.append("MIME-Version: 1.0")
        h.append(self.fold("List-Unsubscribe",
                           "<mailto:unsub-%s@%s>, <https://%s/u/%s>" % (
                               self.hexid(12), domain, domain,
                               self.token(32))))
        h.append("X-Mailer: %s" % r.choice([
            "Microsoft Outlook 16.0", "Apple Mail (2.3731)",
            "MailChimp Mailer - **CID%s**" % self.hexid(20),
            "PHPMailer 6.8.0 (https://github.com/PHPMailer/PHPMailer)",
            "Thunderbird 115.6.0"]))
        h.append("X-Campaign-ID: %s" % self.hexid(32))
        h.append("Content-Type: %s" % ctype)
        return "\n".join(h) + "\n"

    def message(self, idx):
        """Return one message as bytes."""
        r = self.r
        charset = r.choices(["utf-8", "iso-8859-1", "windows-1252",
                             "us-ascii"], weights=[55, 20, 15, 10])[0]
        brand, domain = r.choice(BRANDS)
        shape = r.random()
        if shape < 0.60:
            ctype, body = self.newsletter(idx, charset, brand, domain)
            forward = False
        elif shape < 0.82:
            # newsletter + attachments
            actype, abody = self.newsletter(idx, charset, brand, domain)
            bnd = self.boundary()
            atts = "".join("--%s\n%s\n" % (bnd, self.attachment())
                           for _ in range(r.randint(1, 2)))
            body = ("This is a multi-part message in MIME format.\n\n"
                    "--%s\nContent-Type: %s\n\n%s\n%s--%s--\n" % (
                        bnd, actype, abody, atts, bnd))
            ctype = 'multipart/mixed;\n boundary="%s"' % bnd
            forward = False
        elif shape < 0.92:
            # forward of a newsletter as message/rfc822
            icharset = r.choice(["utf-8", "iso-8859-1", "windows-1252"])
            ibrand, idomain = r.choice(BRANDS)
            ictype, ibody = self.newsletter(idx, icharset, ibrand, idomain)
            inner = self.headers(idx, icharset, ibrand, idomain, ictype) + \
                "\n" + ibody
            intro_links = [self.url(idomain) for _ in range(r.randint(1, 3))]
            intro = "Hi,\n\nplease have a look at the mail below, is this " \
                "phishing?\nIt links to %s\n\n%s\n" % (
                    intro_links[0], self.paragraph(charset))
            for u in intro_links[1:]:
                intro += "Also %s\n" % u
            bnd = self.boundary()
            icte = "8bit" if charset != "us-ascii" else "7bit"
            if r.random() < 0.5:
                icte = "quoted-printable"
            th, tb, _ = self.text_part("plain", intro, charset, icte)
            body = ("This is a multi-part message in MIME format.\n\n"
                    "--%s\n%s%s\n--%s\nContent-Type: message/rfc822\n"
                    "Content-Disposition: attachment; filename=\"fwd.eml\""
                    "\n\n%s\n--%s--\n" % (bnd, th, tb, bnd, inner, bnd))
            ctype = 'multipart/mixed;\n boundary="%s"' % bnd
            # the inner message may carry its own charset; 8bit bytes of
            # the whole file are produced per part below
            forward = True
            msg = self.headers(idx, charset, brand, domain, ctype,
                               forward) + "\n" + body
            return self.finish(msg)
        elif shape < 0.97:
            nlinks = r.randint(5, 60)
            links = [self.url(domain) for _ in range(nlinks)]
            html = self.html_body(brand, domain, charset, links,
                                  int(r.triangular(4000, 60000, 12000)))
            cte = r.choice(["quoted-printable", "base64"])
            ctype = 'text/html; charset="%s"\nContent-Transfer-Encoding: %s' \
                % (charset, cte)
            body = self.encode_text(html, charset, cte, True)
            forward = False
        else:
            nlinks = r.randint(5, 60)
            links = [self.url(domain) for _ in range(nlinks)]
            text = self.text_body(charset, links,
                                  int(r.uniform(6000, 25000)))
            cte = r.choice(["quoted-printable", "base64",
                            "8bit" if charset != "us-ascii" else "7bit"])
            ctype = 'text/plain; charset="%s"\nContent-Transfer-Encoding: %s' \
                % (charset, cte)
            body = self.encode_text(text, charset, cte)
            forward = False
        msg = self.headers(idx, charset, brand, domain, ctype, forward) + \
            "\n" + body
        return self.finish(msg)

    def finish(self, msg):
        # 8bit bodies were kept as str: produce bytes per line, in the
        # charset the part declared.  Simplest correct way: the whole
        # message text is ASCII except 8bit parts; encode each 8bit
        # part's text with its charset.  We do it by re-encoding with a
        # charset tag embedded while building is overkill: the only
        # non-ASCII str content comes from 8bit parts, so encode lines
        # by the most recent charset= seen.
        out = bytearray()
        cs = "utf-8"
        for line in msg.split("\n"):
            low = line.lower()
            k = low.find("charset=")
            if k >= 0 and low.lstrip().startswith("content-type:"):
                v = line[k + 8:].strip().strip('"').split(";")[0].strip('"')
                cs = v.lower()
            try:
                out += line.encode(cs)
            except (UnicodeEncodeError, LookupError):
                out += line.encode("utf-8")
            out += b"\n"
        out = bytes(out[:-1])
        if self.r.random() < 0.33:
            out = out.replace(b"\n", b"\r\n")
        return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--count", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", default="bench/out/corpus")
    a = ap.parse_args()
    if a.count < 1:
        ap.error("--count must be >= 1")
    os.makedirs(a.out, exist_ok=True)
    g = Gen(a.seed)
    total = 0
    for i in range(1, a.count + 1):
        data = g.message(i)
        path = os.path.join(a.out, "msg-%05d.eml" % i)
        tmp = path + ".tmp"
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
        total += len(data)
    stamp = os.path.join(a.out, "STAMP")
    with open(stamp, "w") as f:
        f.write("gen-corpus version=%d seed=%d count=%d bytes=%d\n" % (
            GEN_VERSION, a.seed, a.count, total))
    print("gen-corpus: %d messages, %.1f MB in %s" % (
        a.count, total / 1e6, a.out), file=sys.stderr)


if __name__ == "__main__":
    main()
