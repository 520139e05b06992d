"""BIBs as runners type them: tidied before they are checked (docs/runners.md lists the rules)."""

import pytest
from django import forms

from photos import identifiers
from photos.forms import clean_bib

# What a runner typed, and the BIB the search form makes of it.
TYPED_BIBS = [
    ("1234", "1234"),
    (" 1234 ", "1234"),
    (" 1 234 ", "1234"),
    ("12\t34\n", "1234"),
    ("1\u00a0234", "1234"),  # no-break space, as results pages print it
    ("1\u202f234", "1234"),  # narrow no-break space (French grouping)
    ("1.234", "1234"),
    ("1,234", "1234"),
    ("1'234", "1234"),  # Swiss grouping
    ("1’234", "1234"),
    ("#1234", "1234"),
    ("# 1234", "1234"),
    ("＃1234", "1234"),  # full-width number sign
    ("1234.", "1234"),
    ("1234!", "1234"),
    ("(1234)", "1234"),
    ('"1234"', "1234"),
    ("«1234»", "1234"),
    ("１２３４", "1234"),  # full-width digits (Japanese, Chinese keyboards)
    ("Ａ－１７", "A-17"),  # full-width letter and hyphen
    ("A-17", "A-17"),
    ("A–17", "A-17"),  # en dash, as phones' smart punctuation types it
    ("A—17", "A-17"),  # em dash
    ("A‐17", "A-17"),  # Unicode hyphen
    ("A\u221217", "A-17"),  # minus sign
    ("A - 17", "A-17"),
    ("\u200b1234\u200d", "1234"),  # zero-width characters copied along
]


@pytest.mark.parametrize(("typed", "tidied"), TYPED_BIBS)
def test_a_typed_bib_is_tidied_to_its_canonical_form(typed, tidied):
    assert identifiers.tidy_bib_input(typed) == tidied
    assert clean_bib(typed) == tidied


def test_tidying_leaves_letter_case_to_the_bib_check():
    assert identifiers.tidy_bib_input("a-17") == "a-17"


@pytest.mark.parametrize(
    "typed",
    [
        "#",
        ".",
        "12_34",
        "12/34",
        "12*34",
        "<b>1</b>",
        "1234567890123456789012",
        "1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1",
    ],
)
def test_what_tidying_cannot_save_is_still_refused(typed):
    tidied = identifiers.tidy_bib_input(typed)
    with pytest.raises(forms.ValidationError):
        clean_bib(typed)
    assert tidied == identifiers.tidy_bib_input(tidied), "tidying is idempotent"
