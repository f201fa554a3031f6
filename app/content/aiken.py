"""Parser for Moodle's Aiken format: multiple choice questions with one right answer.

The reference is ``qformat_aiken::readquestions`` (``question/format/aiken/format.php``)::

    Thủ tướng Chính phủ do cơ quan nào bầu?
    A. Chủ tịch nước
    B) Quốc hội
    C. Ủy ban Thường vụ Quốc hội
    ANSWER: B

How a file is read (as Moodle does):

* A UTF-8 byte order mark is dropped; lines are split at ``\\n`` and ``\\r`` and trimmed; lines
  shorter than two bytes are ignored, so blank lines mean nothing: a question ends with its
  ``ANSWER:`` line.
* A line starting with a capital letter and ``.`` or ``)`` (``A.``, ``B)``; the space after it
  is optional) is an option; its text is the rest of the line, trimmed.
* A line starting with ``ANSWER:`` closes the question; the first character after the colon
  names the right option *by position*: A is the first option listed, B the second, and so on.
* Any other line starts a new question; its text is that whole line (the text must fit on one
  line).
* Question and option texts are HTML-escaped (``&``, ``<``, ``>``) and kept in format "html";
  the right option weighs 1.0 and the others 0.0; there is no feedback and no title.

Moodle reports a question not started, fewer than 2 options, or a question not completed before
the next one starts. This parser also reports, with their line: options not lettered A, B, C…
in order (Moodle would silently match ``ANSWER`` against the wrong option), an empty option, a
lower-case option label, an ``ANSWER`` letter that names no option (Moodle would import a
question without a right answer), a malformed ``ANSWER`` line such as ``Answer: B`` or
``ANSWER: A, C``, and a question left without an ``ANSWER`` line at the end of the file (Moodle
drops it silently). When a question's text runs onto a second line, Moodle reports the first
line and imports the second as a question of its own; here the fragment is dropped too.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from app.content.errors import ContentError
from app.content.questions import Answer, ParsedQuestion

_PHP_WHITESPACE = " \t\n\r\0\x0b"
_OPTION = re.compile(r"[A-Z][).]")
_LOWERCASE_OPTION = re.compile(r"[a-z][).][ \t]")
_ANSWER = "ANSWER:"
_ANSWER_LIKE = re.compile(r"answer\s*:", re.IGNORECASE)
_ANSWER_VALUE = re.compile(r"([A-Z])[).]?")


@dataclass
class _Pending:
    """A question whose ANSWER line has not been read yet."""

    line: int
    text: str
    options: list[str] = field(default_factory=list)
    broken: bool = False


def parse_aiken(
    text: str, path: str = "<string>"
) -> tuple[list[ParsedQuestion], list[ContentError]]:
    """Parse a whole Aiken file into single-answer multichoice questions.

    Never raises for bad input: every problem becomes a ContentError with its 1-based line
    and parsing continues. Questions with errors are not returned.
    """
    return _AikenParser(path).parse(text)


class _AikenParser:
    def __init__(self, path: str) -> None:
        self.path = path
        self.questions: list[ParsedQuestion] = []
        self.errors: list[ContentError] = []
        self.pending: _Pending | None = None

    def parse(self, text: str) -> tuple[list[ParsedQuestion], list[ContentError]]:
        if text.startswith("\ufeff"):
            text = text[1:]
        for number, raw in enumerate(re.split(r"\r\n|\n|\r", text), start=1):
            line = raw.strip(_PHP_WHITESPACE)
            if len(line.encode("utf-8")) < 2:
                continue
            if _OPTION.match(line):
                self._option(number, line)
            elif line.startswith(_ANSWER):
                self._answer(number, line[len(_ANSWER) :].strip(_PHP_WHITESPACE))
            elif _ANSWER_LIKE.match(line):
                self._error(number, f"malformed answer line '{line}': write 'ANSWER: B'")
                self.pending = None
            elif self.pending is not None and _LOWERCASE_OPTION.match(line):
                self._error(number, f"option label '{line[:2]}' must be an upper-case letter")
                self.pending.broken = True
            else:
                self._start(number, line)
        if self.pending is not None:
            self._error(self.pending.line, "question has no 'ANSWER:' line")
        return self.questions, self.errors

    def _error(self, line: int, message: str) -> None:
        self.errors.append(ContentError(self.path, line, message))

    def _option(self, number: int, line: str) -> None:
        pending = self.pending
        if pending is None:
            self._error(number, "option line outside a question: the question text comes first")
            return
        letter, expected = line[0], chr(ord("A") + len(pending.options))
        if letter != expected:
            self._error(
                number,
                f"option {letter} is out of order: expected {expected} "
                "(options are lettered A, B, C... in order)",
            )
            pending.broken = True
        text = line[2:].strip(_PHP_WHITESPACE)
        if not text:
            self._error(number, f"option {letter} has no text")
            pending.broken = True
        pending.options.append(text)

    def _answer(self, number: int, value: str) -> None:
        pending, self.pending = self.pending, None
        if pending is None:
            self._error(number, "'ANSWER:' line outside a question")
            return
        if len(pending.options) < 2:
            count = "only 1 option" if pending.options else "no options"
            self._error(
                pending.line,
                f"question has {count}: it needs at least 2 ('A. ...', 'B. ...') "
                "before its 'ANSWER:' line",
            )
            return
        last = chr(ord("A") + len(pending.options) - 1)
        found = _ANSWER_VALUE.fullmatch(value)
        if found is None:
            self._error(number, f"'ANSWER: {value}' must name one option letter, A to {last}")
            return
        index = ord(found.group(1)) - ord("A")
        if index >= len(pending.options):
            self._error(
                number, f"'ANSWER: {found.group(1)}' names no option: the options are A to {last}"
            )
            return
        if pending.broken:
            return
        self.questions.append(
            ParsedQuestion(
                type="multichoice",
                text=html.escape(pending.text, quote=False),
                text_format="html",
                answers=[
                    Answer(
                        text=html.escape(option, quote=False),
                        fraction=1.0 if i == index else 0.0,
                        text_format="html",
                        feedback_format="html",
                    )
                    for i, option in enumerate(pending.options)
                ],
                single=True,
                line=pending.line,
                general_feedback_format="html",
            )
        )

    def _start(self, number: int, line: str) -> None:
        pending = self.pending
        continuation = pending is not None and not pending.options
        if pending is not None:
            if continuation:
                message = (
                    f"question text continues on line {number}: an Aiken question must be "
                    "on one line, followed by its options"
                )
            else:
                message = (
                    f"question has no 'ANSWER:' line before the next question on line {number}"
                )
            self._error(pending.line, message)
        # A continuation line is a fragment of the broken question, not a question of its own.
        self.pending = _Pending(number, line, broken=continuation)
