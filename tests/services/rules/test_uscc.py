"""USCC (GB 32100-2015) check character and normalisation."""

from hypothesis import given
from hypothesis import strategies as st

from services.core.uscc import ALPHABET, check_character, normalize, validate


def test_worked_examples_from_the_standard():
    assert validate("91350100M000100Y43").valid
    assert check_character("91350100M000100Y4") == "3"
    assert validate("91110108551385082Q").valid


def test_wrong_check_character_is_rejected_with_a_chinese_reason():
    result = validate("91350100M000100Y44")
    assert not result.valid and "校验码" in result.reason


def test_input_is_normalised_first():
    assert validate(" ９１３５０１００ｍ０００１００ｙ４３ ").normalized == "91350100M000100Y43"
    assert validate("91350100-m000100-y43").valid


def test_letters_outside_the_alphabet_and_wrong_lengths():
    assert "I" in validate("91350100I000100Y43").reason
    assert "18位" in validate("9135").reason
    assert validate("").reason == "请填写统一社会信用代码"


def test_registration_authorities_a_n_y_are_accepted():
    """python-stdnum rejects these; GB 32100 allows them (DOMAIN §6.1)."""
    for prefix in ("N1", "Y1", "A1"):
        body = prefix + "110108551385082"
        assert validate(body + check_character(body)).valid


@given(st.text(alphabet=ALPHABET[:10], min_size=6, max_size=6),
       st.text(alphabet=ALPHABET, min_size=9, max_size=9))
def test_every_generated_code_validates_and_any_other_check_fails(region, subject):
    body = "91" + region + subject
    good = check_character(body)
    assert validate(body + good).valid
    for other in ALPHABET:
        if other != good:
            assert not validate(body + other).valid
            break
    assert normalize((body + good).lower()) == body + good
