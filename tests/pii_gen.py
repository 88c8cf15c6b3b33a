"""Generators of valid personal data (checksums right) for the PII tests: every kind, in the
formats docs/pii.md accepts. Each returns (kind, text, start, end): the span that must be
found inside ``text`` (for QQ/WeChat the account only, not the keyword)."""

from __future__ import annotations

import datetime
import random
from typing import Callable, List, Tuple

Planted = Tuple[str, str, int, int]

FULLWIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def digits(r: random.Random, n: int) -> str:
    return "".join(r.choice("0123456789") for _ in range(n))


def id_check(body17: str) -> str:
    return "10X98765432"[sum(int(c) * w for c, w in zip(body17, ID_WEIGHTS)) % 11]


def luhn_check(body: str) -> str:
    total = 0
    for i, c in enumerate(reversed(body)):  # the check digit goes to the right: double every other from here
        d = int(c)
        if i % 2 == 0:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return str((10 - total % 10) % 10)


def id_number(r: random.Random) -> str:
    region = str(r.randint(1, 8)) + digits(r, 5)
    day = datetime.date(1900, 1, 1) + datetime.timedelta(days=r.randrange(73048))  # to 2099-12-31
    body = region + day.strftime("%Y%m%d") + digits(r, 3)
    return body + id_check(body)


def bank_number(r: random.Random, n: int = 0) -> str:
    n = n or r.randint(16, 19)
    while True:
        body = r.choice(["62", "4", "5", "35", "60", "3", "6"])
        body += digits(r, n - 1 - len(body))
        num = body + luhn_check(body)
        if len(set(num)) > 1:
            return num


def mobile_number(r: random.Random) -> str:
    return "1" + r.choice("3456789") + digits(r, 9)


def _fw(r: random.Random, s: str) -> str:
    return s.translate(FULLWIDTH_DIGITS) if r.random() < 0.15 else s


def mobile(r: random.Random) -> Planted:
    m = mobile_number(r)
    form = r.randrange(6)
    if form == 1:
        m = f"{m[:3]} {m[3:7]} {m[7:]}"
    elif form == 2:
        m = f"{m[:3]}-{m[3:7]}-{m[7:]}"
    m = _fw(r, m)
    prefix = r.choice(["", "", "+86", "+86 ", "+86-", "86", "0086 ", "(+86)", "（+86）", "＋86 "])
    text = prefix + m
    return "mobile", text, 0, len(text)


AREAS = ["010", "020", "021", "022", "023", "024", "025", "027", "028", "029", "0311", "0371", "0411", "0512",
         "0571", "0591", "0731", "0755", "0756", "0898", "0931", "0991"]


def landline(r: random.Random) -> Planted:
    area = r.choice(AREAS)
    num = r.choice("23456789") + digits(r, r.choice([6, 7]))
    text = r.choice([f"{area}-{num}", f"({area}){num}", f"（{area}）{num}", f"({area}) {num}", f"{area}－{num}"])
    if r.random() < 0.3:
        text += r.choice(["-", "转"]) + digits(r, r.randint(1, 6))
    return "landline", _fw(r, text), 0, len(text)


def id_card(r: random.Random) -> Planted:
    num = id_number(r)
    if num.endswith("X") and r.random() < 0.5:
        num = num[:-1] + "x"
    num = _fw(r, num)
    return "id_card", num, 0, len(num)


def bank_card(r: random.Random) -> Planted:
    n = r.choice([16, 16, 17, 18, 19, 19])
    num = bank_number(r, n)
    if r.random() < 0.4:
        sep = r.choice(" -")
        num = sep.join(num[i : i + 4] for i in range(0, n, 4))
    num = _fw(r, num)
    return "bank_card", num, 0, len(num)


def _label(r: random.Random, n: int) -> str:
    alnum = "abcdefghijklmnopqrstuvwxyz0123456789"
    if n <= 2:
        return "".join(r.choice(alnum) for _ in range(n))
    return r.choice(alnum) + "".join(r.choice(alnum + "-") for _ in range(n - 2)) + r.choice(alnum)


def email(r: random.Random) -> Planted:
    chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_%+-"
    local = ".".join("".join(r.choice(chars) for _ in range(r.randint(1, 8))) for _ in range(r.randint(1, 3)))
    domain = ".".join(_label(r, r.randint(1, 10)) for _ in range(r.randint(1, 3)))
    tld = r.choice(["com", "cn", "net", "org", "edu", "io", "COM"])
    text = f"{local}@{domain}.{tld}"
    return "email", text, 0, len(text)


def ipv4(r: random.Random) -> Planted:
    while True:
        parts = [str(r.choice([r.randint(0, 9), r.randint(10, 99), r.randint(100, 255)])) for _ in range(4)]
        if any(len(p) > 1 for p in parts):
            text = ".".join(parts)
            return "ipv4", text, 0, len(text)


def ipv6(r: random.Random) -> Planted:
    groups = ["%x" % r.randrange(1 << r.choice([4, 8, 12, 16])) for _ in range(8)]
    if r.random() < 0.5:
        text = ":".join(groups)
    else:
        a = r.randint(0, 5)
        b = r.randint(0, 6 - a)
        if a + b < 2:
            b = 2 - a
        text = ":".join(groups[:a]) + "::" + ":".join(groups[8 - b :])
    if r.random() < 0.3:
        text = text.upper()
    return "ipv6", text, 0, len(text)


def qq(r: random.Random) -> Planted:
    kw = r.choice(["QQ", "qq", "QQ号", "QQ号码", "Q号", "企鹅号", "QQ：", "qq: ", "QQ号是", "QQ "])
    acc = _fw(r, r.choice("123456789") + digits(r, r.randint(4, 10)))
    return "qq", kw + acc, len(kw), len(kw) + len(acc)


def wechat(r: random.Random) -> Planted:
    if r.random() < 0.3:
        kw = r.choice(["微信", "微信号：", "vx", "VX:", "wx ", "WeChat: ", "weixin：", "微信号是"])
        acc = mobile_number(r)
    else:
        kw = r.choice(["微信", "微信号：", "微信: ", "vx:", "VX ", "wx：", "WeChat: ", "Weixin 号", "微信号为"])
        chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"
        body = "".join(r.choice(chars) for _ in range(r.randint(4, 18)))
        acc = r.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") + body + r.choice("0123456789_-")
    return "wechat", kw + acc, len(kw), len(kw) + len(acc)


GENERATORS: List[Callable[[random.Random], Planted]] = [
    mobile, landline, id_card, bank_card, email, ipv4, ipv6, qq, wechat,
]
