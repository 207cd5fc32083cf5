"""English glosses of non-English quotes with installed Argos Translate packages, offline.

Why only installed packages: no machine of this project reaches Argos's package index (and
``update_package_index()`` hangs for minutes before failing), so a missing pair is reported in
one notice and never downloaded. Packages are found by argostranslate's own discovery
(``ARGOS_PACKAGES_DIR``, its settings.json), so a user's ``argospm install`` is picked up.

Why not ``argostranslate.translate``: importing it takes 4–6 s (it imports spaCy and Stanza), and its
sentence splitter (MiniSBD or Stanza) downloads a model at first use. We load each package's
CTranslate2 model and tokenizer the way ``apply_packaged_translation`` does, split sentences with
quotetrace's own rules, and translate every quote of a language in one batched call.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from quotetrace.corpus import resources
from quotetrace.corpus.info import counted
from quotetrace.corpus.language import normalize_code
from quotetrace.corpus.sentences import split_sentences

# Our ISO 639-1 codes → Argos package codes, preferred first (Argos names Traditional Chinese
# `zt`, Brazilian Portuguese `pb`, and Norwegian Bokmål `nb` where langdetect says `no`).
_ARGOS_CODES: dict[str, tuple[str, ...]] = {"zh": ("zh", "zt"), "pt": ("pt", "pb"), "no": ("nb", "no")}


@dataclass(frozen=True)
class GlossOptions:
    enabled: bool = True
    target: str = "en"  # ISO 639-1 code of the gloss language
    beam_size: int = 2  # Argos uses 4; a gloss needs the gist, and 2 roughly halves the decoding work
    max_batch_tokens: int = 4096  # source tokens per CTranslate2 batch, which bounds memory
    # Decoding stops at `length_ratio` × the longest source sentence (+ 16 tokens): a degenerate
    # model repeating itself ends there instead of at CTranslate2's default of 256 tokens.
    length_ratio: float = 3.0


@dataclass(frozen=True)
class GlossResult:
    """One gloss per input text (None: no gloss), one notice for the whole call (None: nothing
    went wrong), and the Argos pairs used, e.g. ``("ru→en",)``."""

    texts: list[str | None]
    notice: str | None
    pairs_used: tuple[str, ...]

    @property
    def glossed(self) -> int:
        return sum(text is not None for text in self.texts)


def gloss(texts: Sequence[str], languages: Sequence[str | None], options: GlossOptions = GlossOptions()) -> GlossResult:
    """A gloss in ``options.target`` for each text whose language is another one and has an
    installed Argos pair into the target; every other text gets None. Never raises for a missing
    package, model or pair, and never touches the network."""
    if len(texts) != len(languages):
        raise ValueError(f"{len(texts)} texts but {len(languages)} languages")
    out: list[str | None] = [None] * len(texts)
    target = normalize_code(options.target) or options.target
    by_language: dict[str, list[int]] = {}
    for i, (text, language) in enumerate(zip(texts, languages, strict=True)):
        code = normalize_code(language)
        if code and code != target and text and text.strip():
            by_language.setdefault(code, []).append(i)
    if not options.enabled or not by_language:
        return GlossResult(out, None, ())
    wanted = sum(len(rows) for rows in by_language.values())
    target_name = _language_name(target)

    try:
        packages = _installed_packages()
    except (ImportError, OSError) as error:
        notice = (
            f"argostranslate is not usable here ({type(error).__name__}: {error}): no {target_name} gloss for "
            f"{counted(wanted, 'quote')} (install the `gloss` extra: pip install 'quotetrace[gloss]')"
        )
        return GlossResult(out, notice, ())
    except Exception as error:  # a broken package directory (e.g. a folder without metadata.json)
        what = counted(wanted, "quote")
        notice = f"cannot read the installed argostranslate packages ({error}): no {target_name} gloss for {what}"
        return GlossResult(out, notice, ())

    missing: dict[str, int] = {}
    failures: list[str] = []
    used: list[str] = []
    for code, rows in sorted(by_language.items()):
        package = _pick(packages, code, target)
        if package is None:
            missing[code] = len(rows)
            continue
        pair = f"{package.from_code}→{package.to_code}"
        try:
            translator = _translator(package)
        except Exception as error:
            failures.append(
                f"cannot load the argostranslate pair {pair} ({error}): no gloss for {counted(len(rows), 'quote')}"
            )
            continue
        glosses, errors = _translate(package, translator, [texts[i] for i in rows], code, options)
        for i, text in zip(rows, glosses, strict=True):
            out[i] = text
        if errors:
            failures.append(f"{pair} failed on {counted(len(errors), 'quote')} ({errors[0]})")
        if any(text is not None for text in glosses):
            used.append(pair)

    notices: list[str] = []
    if missing:
        pairs = ", ".join(f"{code}→{target}" for code in missing)
        to = _argos_codes(target)[0]
        commands = ", ".join(f"`argospm install translate-{_argos_codes(code)[0]}_{to}`" for code in missing)
        notices.append(
            f"no argostranslate pair {pairs} installed: "
            f"no {target_name} gloss for {counted(sum(missing.values()), 'quote')} "
            f"(install with {commands} on a connected machine, or copy the .argosmodel file here and run "
            "argostranslate.package.install_from_path on it)"
        )
    notices.extend(failures)
    return GlossResult(out, "; ".join(notices) or None, tuple(used))


def _language_name(code: str) -> str:
    """`English` for `en`: the first (English) name in corpus/data/language_names.json."""
    names = resources.load("language_names").get(code)
    return names[0].capitalize() if isinstance(names, list) and names else f"'{code}'"


def _argos_codes(code: str) -> tuple[str, ...]:
    return _ARGOS_CODES.get(code, (code,))


def _installed_packages() -> list[Any]:
    """Installed Argos translate packages; imports argostranslate.package (≈0.2 s) and CTranslate2
    only now, so quotetrace runs without them."""
    import ctranslate2  # noqa: F401  (fail here, with the import notice, when it is missing)
    from argostranslate import package

    return [p for p in package.get_installed_packages() if p.type == "translate"]


def _pick(packages: list[Any], code: str, target: str) -> Any | None:
    """The newest installed package from ``code`` into ``target``, in the order of Argos's codes."""
    import packaging.version

    def version(p: Any) -> packaging.version.Version:
        try:
            return packaging.version.Version(p.package_version)
        except packaging.version.InvalidVersion:
            return packaging.version.Version("0")

    for source in _argos_codes(code):
        for to in _argos_codes(target):
            found = [p for p in packages if p.from_code == source and p.to_code == to]
            if found:
                return max(found, key=version)
    return None


def _translator(package: Any) -> Any:
    import ctranslate2
    from argostranslate import settings

    if not hasattr(package, "tokenizer"):
        raise ValueError(f"{package.package_path} has neither sentencepiece.model nor bpe.model")
    return ctranslate2.Translator(
        str(package.package_path / "model"),
        device=settings.device,
        inter_threads=settings.inter_threads,
        intra_threads=settings.intra_threads,
        compute_type=settings.compute_type,
    )


def _translate(
    package: Any, translator: Any, texts: list[str], language: str, options: GlossOptions
) -> tuple[list[str | None], list[str]]:
    """Glosses of ``texts`` and the errors met. All sentences go through one batched call; if it
    fails, each text is tried alone so that one bad text costs only its own gloss."""
    try:
        return _translate_texts(package, translator, texts, language, options), []
    except Exception:
        pass
    glosses: list[str | None] = []
    errors: list[str] = []
    for text in texts:
        try:
            glosses.extend(_translate_texts(package, translator, [text], language, options))
        except Exception as error:
            glosses.append(None)
            errors.append(f"{type(error).__name__}: {error}")
    return glosses, errors


def _translate_texts(
    package: Any, translator: Any, texts: list[str], language: str, options: GlossOptions
) -> list[str | None]:
    sentences: list[list[str]] = []
    owner: list[int] = []
    for row, text in enumerate(texts):
        for start, end in split_sentences(text, language) or [(0, len(text))]:
            sentences.append(package.tokenizer.encode(text[start:end]))
            owner.append(row)
    if not sentences:
        return [None] * len(texts)
    prefix = package.target_prefix
    results = translator.translate_batch(
        sentences,
        target_prefix=[[prefix]] * len(sentences) if prefix else None,
        max_batch_size=options.max_batch_tokens,
        batch_type="tokens",
        beam_size=options.beam_size,
        length_penalty=0.2,  # as Argos does
        replace_unknowns=True,
        max_decoding_length=int(options.length_ratio * max(len(s) for s in sentences)) + 16,
    )
    tokens: list[list[str]] = [[] for _ in texts]
    for row, result in zip(owner, results, strict=True):
        tokens[row].extend(result.hypotheses[0])
    glosses: list[str | None] = []
    for row_tokens in tokens:
        value = package.tokenizer.decode(row_tokens)
        if prefix and value.startswith(prefix):
            value = value[len(prefix) :]
        glosses.append(value.strip() or None)
    return glosses
