"""HTML payloads to text: HTTP parsing, charset resolution and HTML → text extraction.

The charset of a page is resolved in this order, each candidate checked by a strict decode
(the first that decodes the whole page without an error wins):

1. a byte-order mark; then bytes that are valid UTF-8 are UTF-8, whatever the labels say (GBK or
   Big5 text is practically never valid UTF-8, whereas UTF-8 pages behind a server that says GBK
   are common, and GB18030 often decodes them, wrongly, without an error);
2. the ``charset`` parameter of the HTTP ``Content-Type`` header;
3. ``<meta charset>`` / ``<meta http-equiv="Content-Type" content="...; charset=...">`` (or an
   ``<?xml encoding?>`` declaration) within the first 8 KiB;
4. detection with uchardet (``resiliparse.parse.encoding.detect_encoding``);
5. UTF-8 and GB18030 as last resorts.

Labels are mapped the WHATWG way (``iso-8859-1`` → ``cp1252``...), then GB2312, GBK, CP936 and
EUC-CN are decoded as GB18030 (a superset: pages labelled GB2312 often use GBK characters) and
Big5 as Big5-HKSCS (then CP950). A Western single-byte label (``iso-8859-1``, ``windows-1252``,
``us-ascii``: a common server default on Chinese sites) decodes almost any bytes, so it is tried
after a declared multi-byte label and after a detected UTF-8 / CJK encoding that decode cleanly.
When nothing decodes strictly, the candidate with the fewest replacement characters is used if
they stay under ``MAX_REPLACEMENT_RATIO`` of the text; otherwise the page is undecodable.

HTML → text is resiliparse's ``extract_plain_text`` with block formatting kept (one line per
block, as in Common Crawl's WET files), no list bullets, no alt texts; the ``<title>`` comes first
on its own line, as in WET.
"""

from __future__ import annotations

import codecs
import re
import zlib
from dataclasses import dataclass
from typing import Dict, Iterator, List, Optional, Tuple

__all__ = [
    "HttpResponse",
    "Undecodable",
    "parse_http_response",
    "decode_body",
    "is_html",
    "normalize_charset",
    "declared_charset",
    "meta_charset",
    "decode_text",
    "html_to_text",
]

MAX_REPLACEMENT_RATIO = 0.02  # U+FFFD per decoded character above which a page is undecodable
META_SCAN_BYTES = 8192  # where <meta charset> is looked for (HTML5 says 1024; Chinese pages put it later)
MAX_HTTP_HEADER = 65536

HTML_MIMES = frozenset({"text/html", "application/xhtml+xml", "application/vnd.wap.xhtml+xml"})
# Content types that say nothing about the payload: sniff it.
GENERIC_MIMES = frozenset({"", "application/octet-stream", "binary/octet-stream", "unknown/unknown",
                           "application/unknown", "*/*"})

_GB = "gb18030"
_BIG5 = "big5hkscs"
_CHARSET_ALIASES = {
    # Python codec names (after codecs.lookup) mapped to the superset decoders we use.
    "gbk": _GB, "gb2312": _GB, "cp936": _GB, "euc_cn": _GB, "euc-cn": _GB, "gb18030": _GB, "x-gbk": _GB,
    "big5": _BIG5, "big5hkscs": _BIG5, "big5-hkscs": _BIG5, "cp950": _BIG5,
    "utf_8": "utf-8", "utf8": "utf-8", "utf-8": "utf-8",
}
# Codecs that decode (nearly) any byte string: weak evidence, tried after better candidates.
_WEAK = frozenset({"cp1252", "latin-1", "iso8859-1", "ascii"})
# Strict success of these on non-ASCII bytes is strong evidence.
_STRONG_DETECTED = frozenset({"utf-8", _GB, _BIG5, "shift_jis", "euc_jp", "euc-jp", "euc_kr", "euc-kr", "cp949"})
# A Big5 label also tries CP950 (Microsoft's Big5: the euro sign, a few extra rows).
_FALLBACK_CODECS = {_BIG5: ("cp950",)}

_CHARSET_PARAM = re.compile(rb"""charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.+]+)""", re.I)
_META_TAG = re.compile(rb"<meta\b[^>]*>", re.I)
_XML_DECL = re.compile(rb"""<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_\-:.]+)["']""", re.I)
_HEADER_END = re.compile(rb"\n\r?\n")
_HTML_SNIFF = re.compile(rb"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]|<title[\s>]", re.I)


class Undecodable(ValueError):
    """A payload that cannot be turned into text (bad content encoding, unknown charset...)."""


# ---------------------------------------------------------------------------
# HTTP


@dataclass
class HttpResponse:
    status: Optional[int]
    headers: Dict[str, str]  # lower-case names; the first occurrence wins
    body: bytes

    @property
    def content_type(self) -> str:
        """The MIME type, lower case, without parameters ('' when absent)."""
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()

    @property
    def charset(self) -> Optional[str]:
        """The raw ``charset`` parameter of Content-Type (not normalised), or None."""
        m = _CHARSET_PARAM.search(self.headers.get("content-type", "").encode("latin-1", "replace"))
        return m.group(1).decode("ascii", "replace") if m else None


def parse_http_response(block: bytes) -> HttpResponse:
    """Splits a WARC ``response`` block into status, headers and body (CRLF or LF lines).

    Raises ``ValueError`` when the block does not start with an HTTP status line or its header
    never ends.
    """
    if not block.startswith(b"HTTP/"):
        raise ValueError("no HTTP status line")
    m = _HEADER_END.search(block, 0, MAX_HTTP_HEADER)
    if m is None:
        # A response with headers only (no blank line before EOF) is legal enough.
        if len(block) < MAX_HTTP_HEADER and b"\n" in block:
            head, body = block, b""
        else:
            raise ValueError("HTTP header does not end")
    else:
        head, body = block[: m.start()], block[m.end():]
    lines = head.decode("latin-1").split("\n")
    status_line = lines[0].strip()
    parts = status_line.split(None, 2)
    status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
    headers: Dict[str, str] = {}
    last = None
    for ln in lines[1:]:
        ln = ln.rstrip("\r")
        if not ln:
            continue
        if ln[0] in " \t" and last is not None:  # obsolete line folding
            headers[last] += " " + ln.strip()
            continue
        name, sep, value = ln.partition(":")
        if not sep:
            continue
        key = name.strip().lower()
        if key not in headers:
            headers[key] = value.strip()
            last = key
        else:
            last = None
    return HttpResponse(status, headers, body)


def _dechunk(body: bytes) -> Optional[bytes]:
    """Decodes ``Transfer-Encoding: chunked``; None when the body is not chunked after all."""
    out = []
    pos = 0
    n = len(body)
    while pos < n:
        eol = body.find(b"\n", pos)
        if eol < 0:
            return None if not out else b"".join(out)
        size_s = body[pos:eol].split(b";", 1)[0].strip()
        try:
            size = int(size_s, 16)
        except ValueError:
            return None if not out else b"".join(out)
        if size == 0:
            break
        start = eol + 1
        out.append(body[start:start + size])
        pos = start + size
        # CRLF after the chunk
        if body.startswith(b"\r\n", pos):
            pos += 2
        elif body.startswith(b"\n", pos):
            pos += 1
    return b"".join(out)


def _inflate(data: bytes, wbits: int) -> bytes:
    d = zlib.decompressobj(wbits)
    out = d.decompress(data)
    try:
        out += d.flush()
    except zlib.error:
        pass
    return out  # a truncated stream (Common Crawl cuts payloads at 1 MiB) keeps what decoded


def decode_body(resp: HttpResponse) -> bytes:
    """The payload with transfer and content encodings undone.

    Common Crawl stores payloads already decoded and renames the headers (``X-Crawler-Content-
    Encoding``), so a remaining ``Content-Encoding`` means the bytes really are encoded. Raises
    ``Undecodable`` when a content encoding cannot be undone.
    """
    body = resp.body
    te = resp.headers.get("transfer-encoding", "").lower()
    if "chunked" in te:
        dechunked = _dechunk(body)
        if dechunked is not None:
            body = dechunked
    ce = resp.headers.get("content-encoding", "").lower().strip()
    for enc in [e.strip() for e in ce.split(",") if e.strip()][::-1]:
        try:
            if enc in ("gzip", "x-gzip"):
                body = _inflate(body, 47)  # gzip or zlib header
            elif enc == "deflate":
                try:
                    body = _inflate(body, 15)
                except zlib.error:
                    body = _inflate(body, -15)  # raw deflate, as some servers send
            elif enc == "br":
                import brotli

                body = brotli.decompress(body)
            elif enc in ("zstd", "x-zstd"):
                import zstandard

                body = zstandard.ZstdDecompressor().decompressobj().decompress(body)
            elif enc in ("identity", "none", "utf-8", "text", "binary"):
                pass
            else:
                raise Undecodable(f"unknown content-encoding {enc!r}")
        except Undecodable:
            raise
        except Exception as e:  # zlib.error, brotli.error, ZstdError...
            raise Undecodable(f"content-encoding {enc}: {e}") from None
    return body


def is_html(content_type: str, body: bytes, payload_type: Optional[str] = None) -> bool:
    """True for an HTML payload: by its MIME type, else (generic or missing type) by sniffing."""
    if content_type in HTML_MIMES:
        return True
    if content_type not in GENERIC_MIMES:
        return False
    if payload_type and payload_type.split(";", 1)[0].strip().lower() in HTML_MIMES:
        return True
    return _HTML_SNIFF.search(body, 0, 1024) is not None


# ---------------------------------------------------------------------------
# Charsets


def normalize_charset(label: Optional[str]) -> Optional[str]:
    """A Python codec name for a charset label (WHATWG mapping, GBK→GB18030, Big5→Big5-HKSCS); None
    when the label is unknown."""
    if not label:
        return None
    lab = label.strip().strip("\"'").strip().lower()
    if not lab:
        return None
    if lab in _CHARSET_ALIASES:
        return _CHARSET_ALIASES[lab]
    try:
        from resiliparse.parse.encoding import map_encoding_to_html5

        mapped = map_encoding_to_html5(lab, fallback_utf8=False)
    except Exception:  # pragma: no cover - resiliparse missing or odd label
        mapped = None
    name = mapped or lab
    try:
        name = codecs.lookup(name).name
    except LookupError:
        return None
    return _CHARSET_ALIASES.get(name, name)


def declared_charset(content_type_header: Optional[str]) -> Optional[str]:
    if not content_type_header:
        return None
    m = _CHARSET_PARAM.search(content_type_header.encode("latin-1", "replace"))
    return m.group(1).decode("ascii", "replace") if m else None


def meta_charset(body: bytes, limit: int = META_SCAN_BYTES) -> Optional[str]:
    """The charset declared inside the page: ``<meta charset>``, ``http-equiv`` or ``<?xml encoding?>``."""
    head = body[:limit]
    for m in _META_TAG.finditer(head):
        c = _CHARSET_PARAM.search(m.group(0))
        if c:
            return c.group(1).decode("ascii", "replace")
    x = _XML_DECL.search(head)
    if x:
        return x.group(1).decode("ascii", "replace")
    return None


def _bom(body: bytes) -> Optional[Tuple[str, int]]:
    if body.startswith(codecs.BOM_UTF8):
        return "utf-8", 3
    if body.startswith(codecs.BOM_UTF16_LE):
        return "utf-16-le", 2
    if body.startswith(codecs.BOM_UTF16_BE):
        return "utf-16-be", 2
    return None


def _detect(body: bytes) -> Optional[str]:
    try:
        from resiliparse.parse.encoding import detect_encoding
    except ImportError:  # pragma: no cover
        return None
    return normalize_charset(detect_encoding(body, max_len=65536, html5_compatible=True))


def _candidates(body: bytes, declared: List[Tuple[Optional[str], str]], detect: bool) -> Iterator[Tuple[str, str]]:
    """(codec, source) in the order they are tried; detection only runs when reached."""
    seen = set()

    def emit(codec, source):
        if codec and codec not in seen:
            seen.add(codec)
            yield codec, source
            for extra in _FALLBACK_CODECS.get(codec, ()):
                if extra not in seen:
                    seen.add(extra)
                    yield extra, source

    weak = []
    for label, source in declared:
        codec = normalize_charset(label)
        if codec is None:
            continue
        if codec in _WEAK:
            weak.append((codec, source))
        else:
            yield from emit(codec, source)
    detected = _detect(body) if detect else None
    if weak:
        if detected in _STRONG_DETECTED:
            yield from emit(detected, "detected")
        for codec, source in weak:
            yield from emit(codec, source)
    if detected:
        yield from emit(detected, "detected")
    yield from emit("utf-8", "fallback")
    yield from emit(_GB, "fallback")


def decode_text(body: bytes, declared: List[Tuple[Optional[str], str]], *, detect: bool = True) -> Tuple[str, str, str]:
    """Decodes bytes to text: ``(text, codec, source)``; source is bom/http/meta/detected/fallback.

    ``declared``: ``[(label, source), ...]`` in order of precedence. Raises ``Undecodable``.
    """
    bom = _bom(body)
    if bom is not None:
        codec, skip = bom
        try:
            return body[skip:].decode(codec), codec, "bom"
        except UnicodeDecodeError:
            pass
    head = body[:4096]
    if head.count(b"\x00") * 50 > len(head) and not any(
            (normalize_charset(lab) or "").startswith("utf-16") for lab, _ in declared):
        raise Undecodable("binary payload (NUL bytes)")
    if body.isascii():
        codec = next((normalize_charset(lab) for lab, _ in declared if normalize_charset(lab)), None) or "utf-8"
        return body.decode("ascii"), codec, "ascii"
    # Bytes that are valid UTF-8 (and not ASCII) are UTF-8 whatever the labels say: GBK or Big5
    # text of any length is practically never valid UTF-8, while UTF-8 pages labelled GBK by a
    # server default are common (and GB18030 often decodes them without an error, as mojibake).
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return text, "utf-8", next((src for lab, src in declared if normalize_charset(lab) == "utf-8"), "utf-8-valid")
    tried = []
    for codec, source in _candidates(body, declared, detect):
        try:
            return body.decode(codec), codec, source
        except (UnicodeDecodeError, LookupError):
            tried.append((codec, source))
    best = None
    for codec, source in tried:
        try:
            txt = body.decode(codec, "replace")
        except LookupError:
            continue
        bad = txt.count("\ufffd")
        if best is None or bad < best[0]:
            best = (bad, txt, codec, source)
    if best is not None and best[0] <= MAX_REPLACEMENT_RATIO * max(len(best[1]), 1):
        return best[1], best[2], best[3] + "+replace"
    names = ", ".join(c for c, _ in tried)
    raise Undecodable(f"no charset decodes the payload (tried {names}; best has "
                      f"{best[0] if best else '?'} replacement characters)")


# ---------------------------------------------------------------------------
# HTML → text


def html_to_text(html: str, *, main_content: bool = False, title: bool = True) -> str:
    """Visible text of an HTML page, one line per block (resiliparse HTML2Text).

    ``main_content``: resiliparse's boilerplate heuristics (drops navigation, footers...).
    ``title``: put the ``<title>`` first on its own line, as Common Crawl's WET files do.
    """
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.html import HTMLTree

    tree = HTMLTree.parse(html)
    text = extract_plain_text(tree, preserve_formatting=True, main_content=main_content,
                              list_bullets=False, alt_texts=False, links=False, form_fields=False,
                              noscript=False)
    if title:
        t = " ".join((tree.title or "").split())
        if t and not text.startswith(t):
            text = t + "\n" + text if text else t
    return text
