"""The app's translation catalogs: extract the sentences, merge them into each language, compile.

    python packaging/translations.py extract   # desktop/ -> desktop/locale/neo-usage-tray.pot
    python packaging/translations.py update    # the template -> every <lang>/.../*.po
    python packaging/translations.py compile   # every .po -> its .mo (committed beside it)
    python packaging/translations.py check     # all of the above is done and complete

`check` (run by the tests) fails when the template misses a sentence of the code, a language
misses or fuzzes a translation, a translation drops or invents a `{placeholder}` or a mnemonic,
or a committed `.mo` is not its `.po` compiled. Babel is a dependency of the app already.
"""

from __future__ import annotations

import ast
import io
import re
import sys
from collections.abc import Iterable
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "desktop"
LOCALE_DIR = SOURCES / "locale"
DOMAIN = "neo-usage-tray"
TEMPLATE = LOCALE_DIR / f"{DOMAIN}.pot"
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
PLACEHOLDER = re.compile(r"\{(\w*)\}")


def languages() -> list[str]:
    return sorted(path.parent.parent.name for path in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def extracted() -> Catalog:
    """Every sentence the code marks, with the files that say it (no line numbers: they churn)."""
    catalog = Catalog(project="Neo Usage Tray", copyright_holder="Neo Usage Tray authors")
    catalog.msgid_bugs_address = ""
    found = extract_from_dir(
        str(SOURCES),
        method_map=[("**.py", "python")],
        keywords=KEYWORDS,
        comment_tags=("Translators:",),
        strip_comment_tags=True,
    )
    for filename, _lineno, message, comments, context in found:
        catalog.add(
            message, None, [(f"desktop/{filename}", None)], auto_comments=comments, context=context
        )
    return catalog


def _write_po(path: Path, catalog: Catalog) -> None:
    catalog.fuzzy = False
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=0, sort_by_file=True, include_lineno=False, omit_header=False)
    # The creation date would change every file on every run: keep the committed one.
    text = re.sub(rb'"POT-Creation-Date: [^"]*\\n"\n', b"", buffer.getvalue())
    path.write_bytes(text)


def _compiled(catalog: Catalog) -> bytes:
    # The .po has no creation date (see _write_po), so Babel would stamp "now" into the .mo.
    catalog.creation_date = catalog.revision_date
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    return buffer.getvalue()


def read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def extract() -> None:
    _write_po(TEMPLATE, extracted())


def update() -> None:
    template = read(TEMPLATE)
    for language in languages():
        catalog = read(po_path(language), language)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        _write_po(po_path(language), catalog)


def compile_all() -> None:
    for language in languages():
        catalog = read(po_path(language), language)
        po_path(language).with_suffix(".mo").write_bytes(_compiled(catalog))


def _ids(catalog: Iterable[Message]) -> set[object]:
    return {message.id for message in catalog if message.id}


def hidden_in_fstrings() -> list[str]:
    """Sentences marked inside an f-string: Python 3.11's tokenizer hands the extractor the
    f-string whole, so a `_()` there never reaches the catalog and is never translated."""
    found = []
    for path in sorted(SOURCES.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.JoinedStr):
                continue
            for call in ast.walk(node):
                if (
                    isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Name)
                    and call.func.id in KEYWORDS
                ):
                    where = f"{path.relative_to(ROOT)}:{call.lineno}"
                    found.append(f"{where}: {call.func.id}() inside an f-string is not extracted")
    return found


def _mnemonics(text: str) -> int:
    return len(re.findall(r"&[^&\s]", text.replace("&&", "")))


def problems() -> list[str]:
    found = hidden_in_fstrings()
    code = _ids(extracted())
    template = _ids(read(TEMPLATE))
    for missing in sorted(map(str, code - template)):
        found.append(f"template: not extracted yet: {missing}")
    for stale in sorted(map(str, template - code)):
        found.append(f"template: no longer in the code: {stale}")
    for language in languages():
        catalog = read(po_path(language), language)
        if _ids(catalog) != template:
            found.append(f"{language}: not updated from the template (run update)")
        for message in catalog:
            if not message.id:
                continue
            sources = [message.id] if isinstance(message.id, str) else list(message.id)
            strings = [message.string] if isinstance(message.string, str) else list(message.string)
            where = f"{language}: {sources[0]!r}"
            if message.fuzzy or not all(strings):
                found.append(f"{where}: not translated")
                continue
            wanted = sorted(PLACEHOLDER.findall(sources[-1]))
            for string in strings:
                if sorted(PLACEHOLDER.findall(string)) != wanted:
                    found.append(f"{where}: placeholders differ in {string!r}")
                if _mnemonics(string) != _mnemonics(sources[0]):
                    found.append(f"{where}: mnemonic (&) lost or added in {string!r}")
        mo = po_path(language).with_suffix(".mo")
        if not mo.exists() or mo.read_bytes() != _compiled(catalog):
            found.append(f"{language}: {mo.name} is not the compiled .po (run compile)")
    return found


def main(argv: list[str]) -> int:
    commands = {"extract": extract, "update": update, "compile": compile_all}
    if argv[1:2] == ["check"]:
        listed = problems()
        for problem in listed:
            print(problem, file=sys.stderr)
        return 1 if listed else 0
    if len(argv) != 2 or argv[1] not in commands:
        print(__doc__, file=sys.stderr)
        return 2
    commands[argv[1]]()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
