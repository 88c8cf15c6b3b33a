"""PII rules of docs/pii.md, one behaviour at a time, pinned on both the pure-Python twin and
the native kernels: what each kind finds (and exactly which span), what it must leave alone,
the overlap rule, masking, input forms, errors= and argument checking."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import TextBatch, _import

pii = _import("corpus_engine.pii")
from corpus_engine.reference import pii as ref  # noqa: E402


@pytest.fixture(params=["reference", "native"])
def impl(request):
    return ref if request.param == "reference" else pii


def found(impl, text, kinds=None):
    return [(k, text[s:e]) for k, s, e in impl.spans(text, kinds=kinds)]


# (text, expected (kind, matched text) list). Each line is one rule or one trap.
CASES = [
    # mobile
    ("电话13812345678联系", [("mobile", "13812345678")]),
    ("手机：138 1234 5678。", [("mobile", "138 1234 5678")]),
    ("手机：138-1234-5678", [("mobile", "138-1234-5678")]),
    ("手机 +86 138 1234 5678", [("mobile", "+86 138 1234 5678")]),
    ("(+86)13812345678", [("mobile", "(+86)13812345678")]),
    ("（+86）13812345678", [("mobile", "（+86）13812345678")]),
    ("8613812345678", [("mobile", "8613812345678")]),
    ("0086-13812345678", [("mobile", "0086-13812345678")]),
    ("全角１３８１２３４５６７８号码", [("mobile", "１３８１２３４５６７８")]),
    ("12812345678", []),  # second digit 3-9
    ("138123456789", []),  # 12 digits
    ("编号A13812345678", []),  # glued to a letter
    ("13812345678b", []),
    ("3.13812345678", []),  # a decimal fraction
    ("13812345678.5", []),
    ("138 1234-5678", []),  # mixed separators
    ("138 1234 5678 9", []),  # longer space-grouped number
    ("1 138 1234 5678", []),
    ("13812345678 13912345678", [("mobile", "13812345678"), ("mobile", "13912345678")]),
    # landline
    ("电话：010-88889999", [("landline", "010-88889999")]),
    ("0755-2688123转8001", [("landline", "0755-2688123转8001")]),
    ("021-68881234-123", [("landline", "021-68881234-123")]),
    ("(010)88889999", [("landline", "(010)88889999")]),
    ("（0571） 88889999", [("landline", "（0571） 88889999")]),
    ("010－88889999", [("landline", "010－88889999")]),
    ("88889999", []),  # no area code
    ("01088889999", []),  # no separator
    ("010-18889999", []),  # local numbers start 2-9
    ("0101-88889999", []),  # not an area code
    ("0155-88889999", []),
    ("010-888899991", []),  # 9 digits
    ("010-88889999-1234567", []),  # extension too long: a longer number
    ("2023-010-88889999", []),
    ("ISBN 978-7-111-12345-6", []),
    # id card
    ("身份证号11010519491231002X。", [("id_card", "11010519491231002X")]),
    ("11010519491231002x", [("id_card", "11010519491231002x")]),
    ("110105194912310021", []),  # wrong check character
    ("110105194913310027", []),  # month 13
    ("110105190002290024", []),  # 1900-02-29 does not exist
    ("910105194912310020", []),  # region starts 9
    ("11010519491231002Xa", []),
    ("911010519491231002X", []),  # 19 characters
    # bank card
    ("卡号6222021234567890129", []),  # Luhn fails
    ("卡号6222021234567890128", [("bank_card", "6222021234567890128")]),
    ("卡号4111111111111111", [("bank_card", "4111111111111111")]),
    ("卡号4111 1111 1111 1111", [("bank_card", "4111 1111 1111 1111")]),
    ("卡号4111-1111-1111-1111", [("bank_card", "4111-1111-1111-1111")]),
    ("6228480402564890018", [("bank_card", "6228480402564890018")]),
    ("6228 4804 0256 4890 018", [("bank_card", "6228 4804 0256 4890 018")]),
    ("2228480402564890011", []),  # first digit outside 3-6
    ("5555555555555555", []),  # one repeated digit
    ("4111 1111 1111 1111 1111", []),  # 20 digits
    ("4111 1111-1111 1111", []),
    # id card wins a tie with a bank card (same span, kind order)
    ("35010519491231002X", []),
    # email
    ("邮箱：zhang.san@example.com.cn。", [("email", "zhang.san@example.com.cn")]),
    ("mail me at a_b+c@mail-1.example.org.", [("email", "a_b+c@mail-1.example.org")]),
    ("user@localhost", []),
    ("user@example.c", []),
    ("user@example.c0m", []),
    ("user@-example.com", []),
    ("a..b@example.com", []),
    ("a.@example.com", []),
    ("@example.com", []),
    ("a@b@example.com", []),
    ("user@example.com_x", []),
    ("ａuser@example.com", []),
    ("见.user@example.com", [("email", "user@example.com")]),
    # ipv4
    ("服务器192.168.1.1:8080", [("ipv4", "192.168.1.1")]),
    ("IP 10.0.0.1.", [("ipv4", "10.0.0.1")]),
    ("版本1.2.3.4", []),  # all parts one digit: section / version numbers
    ("1.2.3.4.5", []),
    ("192.168.1.1.5", []),
    ("256.1.1.1", []),
    ("192.168.01.1", []),
    ("2023.10.01", []),
    ("v10.0.0.1", []),
    ("10.0.0.1a", []),
    # ipv6
    ("地址 2001:db8::8a2e:370:7334 ok", [("ipv6", "2001:db8::8a2e:370:7334")]),
    ("fe80::1", [("ipv6", "fe80::1")]),
    ("IPv6: 2001:0db8:85a3:0000:0000:8a2e:0370:7334", [("ipv6", "2001:0db8:85a3:0000:0000:8a2e:0370:7334")]),
    ("IPv6:fe80::1", []),  # the hex run starts at the "6" of "IPv6", glued to a letter
    ("时间12:30:45", []),
    ("MAC 00:1A:2B:3C:4D:5E", []),
    ("::1", []),  # one group
    ("1::2::3", []),
    ("std::cout", []),
    ("::ffff:1.2.3.4", []),
    ("1:2:3:4:5:6:7:8:9", []),
    ("fe80:::1", []),
    # qq
    ("QQ：12345678", [("qq", "12345678")]),
    ("qq12345678", [("qq", "12345678")]),
    ("QQ号码：987654321。", [("qq", "987654321")]),
    ("企鹅号 123456", [("qq", "123456")]),
    ("QQ 2011", []),  # 4 digits
    ("QQ：012345678", []),
    ("QQ：123456789012", []),
    ("QQ群：12345678", []),
    ("QQ：：：：：12345678", []),  # gap longer than 4
    ("AQQ12345678", []),
    # wechat
    ("微信：abc_123", [("wechat", "abc_123")]),
    ("微信abc123", [("wechat", "abc123")]),
    ("加我vx: wxid_abc123", [("wechat", "wxid_abc123")]),
    ("vx13812345678", [("wechat", "13812345678")]),
    ("微信 WeChat", []),  # a word, not an id: no digit, '_' or '-'
    ("wxabc123", []),  # one word
    ("微信：ab12", []),  # too short
    ("微信：abc_123@qq.com", [("email", "abc_123@qq.com")]),
    ("微信：1234567", []),
    # a keyword-named account wins a tie with a phone number
    ("微信：13812345678", [("wechat", "13812345678")]),
    ("QQ：13812345678", [("qq", "13812345678")]),
    # real non-PII digit runs
    ("2023年10月01日 20231001 ¥1299.00 第12345678号 订单号2023100112345678", []),
    ("文章编号：1000-1234(2023)01-0001-05，ISSN 1000-1234，CN 11-2345/N", []),
    ("12345678901234567890", []),
]


@pytest.mark.parametrize("text,want", CASES, ids=[c[0][:24] for c in CASES])
def test_rules(impl, text, want):
    assert found(impl, text) == want


def test_longer_match_wins(impl):
    # the +86 form and the bare number overlap: the longer one is kept
    assert found(impl, "+8613812345678") == [("mobile", "+8613812345678")]
    # an e-mail address that holds a phone number
    assert found(impl, "13812345678@163.com") == [("email", "13812345678@163.com")]
    # restricted to mobile, the number is found inside it
    assert found(impl, "13812345678@163.com", kinds=["mobile"]) == [("mobile", "13812345678")]


def test_kinds_filter(impl):
    text = "电话13812345678，邮箱a@b.cn，QQ：12345678"
    assert [k for k, _ in found(impl, text)] == ["mobile", "email", "qq"]
    assert found(impl, text, kinds=["qq"]) == [("qq", "12345678")]
    assert found(impl, text, kinds="email") == [("email", "a@b.cn")]
    assert found(impl, text, kinds=[]) == []
    counts = impl.scan([text], kinds=["mobile", "qq"])
    assert counts.tolist() == [[1, 0, 0, 0, 0, 0, 0, 1, 0]]


def test_scan_and_mask(impl):
    docs = ["电话13812345678，邮箱a@b.cn，身份证11010519491231002X", "", "没有个人信息。", "QQ:12345678 fe80::1"]
    counts = impl.scan(docs)
    assert counts.dtype == np.int64 and counts.shape == (4, len(impl.KINDS))
    assert counts.tolist() == [[1, 0, 1, 0, 1, 0, 0, 0, 0], [0] * 9, [0] * 9, [0, 0, 0, 0, 0, 0, 1, 1, 0]]
    new, c2 = impl.mask(docs)
    assert new == ["电话<PHONE>，邮箱<EMAIL>，身份证<ID>", "", "没有个人信息。", "QQ:<QQ> <IP>"]
    assert np.array_equal(c2, counts)
    new, _ = impl.mask(docs, replacements={"mobile": "", "qq": "【QQ】"})
    assert new[0] == "电话，邮箱<EMAIL>，身份证<ID>" and new[3] == "QQ:【QQ】 <IP>"
    new, c3 = impl.mask(docs, kinds=["email"])
    assert new[0] == "电话13812345678，邮箱<EMAIL>，身份证11010519491231002X"
    assert c3.sum() == 1


def test_mask_textbatch(impl):
    docs = ["电话13812345678。", "无", "a@b.cn"]
    new, counts = impl.mask(TextBatch.from_strings(docs))
    assert isinstance(new, TextBatch)
    assert new.to_strings() == ["电话<PHONE>。", "无", "<EMAIL>"]
    assert counts.sum() == 2


def test_spans_are_code_points(impl):
    text = "𠀀中文１３８１２３４５６７８ a@b.cn"
    assert impl.spans(text) == [("mobile", 3, 14), ("email", 15, 21)]
    assert impl.spans(text.encode("utf-8")) == impl.spans(text)


def test_errors(impl):
    bad = TextBatch.from_bytes([b"\xff13812345678\xfe", b"a\xc0@b.cn"])
    new, counts = impl.mask(bad)
    assert new.to_strings() == ["\ufffd<PHONE>\ufffd", "a\ufffd@b.cn"]
    assert counts.sum() == 1
    new, counts = impl.mask(bad, errors="drop")
    assert new.to_strings() == ["<PHONE>", "<EMAIL>"]  # dropping the byte glues "a@b.cn" together
    assert counts.sum() == 2
    new, _ = impl.mask(["\ud800QQ:12345"])
    assert new == ["\ufffdQQ:<QQ>"]
    new, _ = impl.mask(["\ud800QQ:12345"], errors="drop")
    assert new == ["QQ:<QQ>"]


def test_unchanged_strings_are_returned_as_is():
    docs = ["没有个人信息。", "电话13812345678"]
    new, _ = pii.mask(docs)
    assert new[0] is docs[0] and new[1] == "电话<PHONE>"


@pytest.mark.parametrize(
    "call,match",
    [
        (lambda m: m.scan(["x"], kinds=["phone"]), "kinds"),
        (lambda m: m.mask(["x"], replacements={"phone": "x"}), "replacements"),
        (lambda m: m.mask(["x"], replacements={"mobile": 1}), "replacements"),
        (lambda m: m.mask(["x"], replacements=["x"]), "replacements"),
        (lambda m: m.scan(["x"], errors="strict"), "errors"),
        (lambda m: m.spans("x", kinds=["nope"]), "kinds"),
    ],
)
def test_bad_arguments(impl, call, match):
    with pytest.raises(ValueError, match=match):
        call(impl)


def test_bad_threads_and_types():
    with pytest.raises(ValueError, match="threads"):
        pii.scan(["x"], threads=0)
    with pytest.raises(TypeError):
        pii.scan("a single string")
    with pytest.raises(TypeError):
        pii.mask([b"bytes"])
    with pytest.raises(TypeError):
        pii.spans(123)


def test_kinds_constant():
    assert pii.KINDS == ref.KINDS == (
        "mobile", "landline", "id_card", "bank_card", "email", "ipv4", "ipv6", "qq", "wechat",
    )
    assert set(pii.DEFAULT_REPLACEMENTS) == set(pii.KINDS)
