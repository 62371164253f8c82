"""Every UI text exists in Korean and English, with the same placeholders, for every key the code uses."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from ui.i18n import LANGUAGES, catalog

ROOT = Path(__file__).resolve().parents[1]
# t("page.key") with a literal key; keys built at run time (f-strings) are not seen here.
LITERAL_KEY = re.compile(r"""\bt\(\s*["']([a-z_]+\.[a-z0-9_]+)["']""")


def placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


def test_every_entry_has_every_language():
    missing = [
        f"{key} [{lang}]" for key, entry in catalog().items() for lang in LANGUAGES if not entry.get(lang)
    ]
    assert not missing, f"missing translations: {missing}"


def test_translations_take_the_same_placeholders():
    mismatched = [
        key
        for key, entry in catalog().items()
        if len({frozenset(placeholders(entry[lang])) for lang in LANGUAGES if lang in entry}) > 1
    ]
    assert not mismatched, f"placeholders differ between languages: {mismatched}"


def test_every_key_the_code_uses_exists():
    sources = [ROOT / "app.py", *sorted((ROOT / "views").glob("*.py")), *sorted((ROOT / "ui").glob("*.py"))]
    used = {
        (path.name, key) for path in sources for key in LITERAL_KEY.findall(path.read_text(encoding="utf-8"))
    }
    assert used, "no t('...') call found: the pattern is out of date"
    unknown = sorted(f"{name}: {key}" for name, key in used if key not in catalog())
    assert not unknown, f"keys used but not in any catalog: {unknown}"


@pytest.mark.parametrize("page", sorted(p.stem for p in (ROOT / "views").glob("*.py")))
def test_every_page_has_a_title_and_a_summary(page):
    assert f"{page}.title" in catalog()
    assert f"{page}.summary" in catalog()
