"""Redactor: phones, e-mails and ID numbers become stable placeholders; dates and numbers stay."""

from __future__ import annotations

import pytest

from jobfirst_ai.llm.redact import RedactionMap, Redactor
from jobfirst_ai.llm.types import ChatRequest, Message

REDACTOR = Redactor()


def _mask(text: str) -> tuple[str, RedactionMap]:
    return REDACTOR.mask(text)


@pytest.mark.parametrize(
    "phone",
    ["13812345678", "138-1234-5678", "138 1234 5678", "+86 138 1234 5678", "+8613812345678",
     "+86-138-1234-5678", "(+86)13812345678", "008613812345678"],
)  # fmt: skip
def test_chinese_mobile_numbers(phone: str) -> None:
    masked, mapping = _mask(f"手机：{phone}，欢迎联系")

    assert masked == "手机：[PHONE_1]，欢迎联系"
    assert mapping.originals == {"[PHONE_1]": phone}


def test_mobile_right_after_chinese_text() -> None:
    assert _mask("电话13912345678")[0] == "电话[PHONE_1]"


@pytest.mark.parametrize(
    "phone",
    ["+1 415 555 0100", "+1 (415) 555-0100", "+44 20 7946 0958", "+44 131 651 30 77", "+49 30 901820",
     "(415) 555-0100", "415-555-0100", "010-62345678"],
)  # fmt: skip
def test_international_and_local_phone_numbers(phone: str) -> None:
    assert _mask(f"Phone: {phone}. Thanks")[0] == "Phone: [PHONE_1]. Thanks"


@pytest.mark.parametrize(
    "email", ["jane.roe@example.com", "zhang_san+jobs@mail.qq.com", "13812345678@163.com"]
)
def test_email_addresses(email: str) -> None:
    masked, mapping = _mask(f"邮箱 {email}；Email: {email}")

    assert masked == "邮箱 [EMAIL_1]；Email: [EMAIL_1]"
    assert mapping.originals == {"[EMAIL_1]": email}


@pytest.mark.parametrize("number", ["11010519491231002X", "11010519491231002x", "440308199901011234"])
def test_id_card_numbers(number: str) -> None:
    assert _mask(f"身份证号：{number}")[0] == "身份证号：[ID_1]"


def test_same_value_same_placeholder_and_different_values_count_up() -> None:
    masked, _ = _mask("a@x.com 13812345678 b@y.org 138-1234-5678 13912345678 a@x.com")

    assert masked == "[EMAIL_1] [PHONE_1] [EMAIL_2] [PHONE_1] [PHONE_2] [EMAIL_1]"


def test_round_trip_restores_the_original_text() -> None:
    text = "张三 | 13812345678 | zhang.san@example.com | 身份证 11010519491231002X\nJane: +1 415 555 0100"
    masked, mapping = _mask(text)

    assert "13812345678" not in masked and "example.com" not in masked
    assert mapping.restore(masked) == text


def test_restore_accepts_placeholders_as_models_rewrite_them() -> None:
    _, mapping = _mask("Email: jane@example.com")

    restored = mapping.restore("联系【EMAIL_1】 or [ EMAIL_1 ]; keep [EMAIL_9] and [NAME_1]")

    assert restored == "联系jane@example.com or jane@example.com; keep [EMAIL_9] and [NAME_1]"


def test_restore_obj_walks_nested_json() -> None:
    _, mapping = _mask("jane@example.com 13812345678")
    answer = {"contact": {"email": "[EMAIL_1]", "phones": ["[PHONE_1]"]}, "score": 80, "ok": True}

    restored = mapping.restore_obj(answer)

    assert restored == {
        "contact": {"email": "jane@example.com", "phones": ["13812345678"]},
        "score": 80,
        "ok": True,
    }


@pytest.mark.parametrize(
    "text",
    [
        "2019.03-2021.06 字节跳动 高级工程师",
        "2019年3月 - 2021年6月，2019-2021，2020/01-2022/12，1990-01-01",
        "营收增长35%，用户增长 +30%，年薪50万，预算 ¥1,200,000.00，12345678 条记录",
        "Python 3.11, Django 4.2.7, v2.3.1, ISO 27001, 20190312, 1,234,567 users, 0.05 ms",
        "Increased revenue by 35% to $2.5M in 2021; managed 120 people across 12 teams",
    ],
)
def test_dates_numbers_and_versions_are_untouched(text: str) -> None:
    masked, mapping = _mask(text)

    assert masked == text
    assert len(mapping) == 0


def test_mask_request_shares_one_map_across_messages() -> None:
    request = ChatRequest(
        messages=(
            Message(role="system", content="Analyse the resume."),
            Message(role="user", content="13812345678 jane@example.com"),
            Message(role="user", content="Again: 13812345678"),
        )
    )

    masked, mapping = REDACTOR.mask_request(request)

    assert [message.content for message in masked.messages] == [
        "Analyse the resume.",
        "[PHONE_1] [EMAIL_1]",
        "Again: [PHONE_1]",
    ]
    assert len(mapping) == 2


def test_a_request_masks_user_data_and_passes_the_fixed_system_text_as_it_is() -> None:
    system = Message(role="system", content="Example format: 13800000000, name@example.com")
    request = ChatRequest(messages=(system, Message(role="user", content="电话 13812345678，邮箱 li@qq.com")))

    masked, mapping = Redactor().mask_request(request)

    assert masked.messages[0] is system
    assert "13812345678" not in masked.messages[1].content and "li@qq.com" not in masked.messages[1].content
    assert mapping.restore(masked.messages[1].content) == request.messages[1].content
