import numpy as np

from corpus_engine import TextBatch, text
from corpus_engine.reference import text as ref


def test_kernels_agree_on_a_small_page():
    docs = ["导航\n这是一个中文句子，包含标点。\r\nEnglish line.\n\x00控制\u200b字符。”尾巴", "", "\ud800一"]
    for name in ("extract_chinese", "strip_control", "trim_content"):
        assert getattr(text, name)(docs) == getattr(ref, name)(docs), name
    np.testing.assert_array_equal(text.zh_ratio(docs), ref.zh_ratio(docs))
    np.testing.assert_array_equal(text.char_lengths(TextBatch.from_strings(docs)), ref.char_lengths(docs))
