"""Analysis layer: pure functions of text, HTML and CSS (words, sentences, syllables and rhyme,
verse, dialogue, phrases, crisis resources, the HTML and CSS of an artefact, colour contrast, the selector subset rubric items use) and
the diversity measures of many texts. It imports only the package root (errors, data files).

Private: `_css` (CSS parsing and matching, used through `contrast`)."""

from __future__ import annotations

from .._lazy import submodule_loader

__all__ = [
    "contrast",
    "crisis_resources",
    "dialogue",
    "diversity",
    "html_extract",
    "html_memo",
    "letters",
    "phrases",
    "regex_guard",
    "rhymes",
    "selectors",
    "sentences",
    "syllables",
    "text_units",
    "verse",
]

__getattr__ = submodule_loader(__name__, __all__)
