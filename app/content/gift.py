"""Parser for Moodle's GIFT question format, faithful to Moodle's own importer.

The reference is ``question/format/gift/format.php`` (``qformat_gift::readquestion``) together
with ``qformat_default::readquestions`` / ``readdata`` (``question/format.php``), which split a
file into questions, and the checks Moodle applies when it saves an imported question. A bank
exported from Moodle comes in with the same questions, types, texts, formats and weights.

How a file is read (as Moodle does):

* A UTF-8 byte order mark is dropped; a file with only ``\\r`` line ends is split on ``\\r``.
  Every line is trimmed (so indentation is lost), and questions are separated by one or more
  blank lines. Lines starting with ``//`` are comments; ``[id:…]`` and ``[tag:…]`` in a question's
  comments give its ``idnumber`` and ``tags``.
* ``\\~ \\= \\# \\{ \\} \\:`` stand for the literal character, ``\\n`` for a newline and ``\\\\``
  for one backslash; any other backslash is kept as it is.
* A block starting with ``$CATEGORY:`` sets the category of the questions that follow it.
* ``::title::`` names a question. The answers sit between the first ``{`` and the first ``}``.
  With no braces the question is a *description*; ``{}`` is an *essay*. When text follows the
  answer block (*missing word*), the block is replaced by ``_____`` exactly where it stood (no
  spaces are added); when the block ends the question it is simply removed.
* The type comes from the answer block, in Moodle's order: ``#`` first → numerical; any ``~`` →
  multichoice; ``=`` and ``->`` → match; exactly ``T``, ``TRUE``, ``F`` or ``FALSE`` (upper case,
  before any ``#``) → truefalse; anything else → shortanswer.
* ``####`` (its last occurrence) starts the general feedback; ``#`` after an answer starts its
  feedback. ``[html]``, ``[markdown]``, ``[plain]`` or ``[moodle]`` at the very start of the
  question text, an answer, a feedback or a matching subquestion sets that text's format; the
  default is ``moodle`` for the question text and the question text's format for everything else.
* A multichoice question is single-answer (``single``) exactly when its answer block contains an
  ``=``; otherwise it is a multiple-answer question scored by the ``~%n%`` weights.
* True/false feedback ``{T#first#second}``: the *first* feedback is shown to a learner who gives
  the wrong answer and the *second* to one who gives the right answer, so for ``{T…}`` the "false"
  answer gets the first and the "true" answer the second, and the other way round for ``{F…}``.
* A numerical range ``{#4..6}`` is stored as Moodle stores it: value 5, tolerance 1 (computed
  numbers keep PHP's 14 significant digits, so ``{#3.141..3.142}`` gives 3.1415).
  ``~#feedback`` in a numerical block adds a 0% catch-all answer ``*`` carrying that feedback.

Lines that Moodle imports but that do not mean what they look like are imported exactly as
Moodle imports them, with a *warning* (a ``ContentError`` whose ``severity`` is ``"warning"``)
that names the line and the fix: ``{t}``, ``{f}``, ``{true}`` or ``{T extra}`` (Moodle makes a
short-answer question whose answer is that text); braces after the answer block (Moodle keeps
them as question text; the block becomes ``_____`` unless the text ends with ``}``); an unclosed
``::title``; text before the first ``~``/``=`` of a multichoice block (a wrong answer) or before
the first ``=`` of a matching block (a pair); ``=%n%`` in a multichoice block (full marks,
``%n%`` kept in the text); ``%text%`` that is not a weight (kept in the answer text); a
multiple-answer question whose positive weights do not add up to 100% and any question where
no answer gives full marks (Moodle only shows a notice); a ``[format]`` tag separated from
``####`` by a space or line break (Moodle shows it in the general feedback); an empty answer
such as the ``~`` of ``~=right`` (Moodle saves no answer with an empty text, so it is dropped);
a question with no text.

What Moodle cannot import, or would import with part of the text cut silently, stays an
error: weights Moodle's import refuses (not one of its grade options, or ``%--50%``); an
unclosed answer block or a ``}`` before any ``{``; a ``{`` inside an answer block; braces in
the title; an empty answer carrying a weight or a feedback (Moodle would drop them with it); an
empty numerical answer; fewer than 2 answers or pairs; a matching pair without ``->``; a
non-numeric, reversed or negative-tolerance numerical answer (Moodle's check is broken and
turns a non-numeric or empty value into "any answer"); ``~`` without ``#`` in a numerical
block; text on the lines following ``$CATEGORY:`` (Moodle would swallow it into the category
name); an unescaped ``=``, ``~`` or ``#`` inside an HTML tag or character reference, as in
``<span class="x">`` or ``&#39;`` (Moodle would cut the text there).

Measured on 60 distinct third-party GIFT files from public repositories (590 questions): none is
refused; 27 get warnings, mostly for ``~=`` and for a second ``{…}`` in the question text.

Shape returned by :func:`inspect_dict` (printed by ``quiz inspect --json``)::

    {
      "type": "multichoice" | "truefalse" | "shortanswer" | "match" | "numerical"
              | "essay" | "description",
      "single": true | false     (multichoice only; null for every other type),
      "title": str, "category": str, "text": str,
      "answers": [...],          (see below; [] for essay and description)
      "general_feedback": str,
      "line": int                (1-based line where the question starts)
    }

    answers, by type:
      multichoice, shortanswer: {"text": str, "weight": float, "feedback": str}
      truefalse:   exactly two, {"text": "true", ...} then {"text": "false", ...}, each with
                   "weight" 1.0 for the right one and 0.0 for the other, and its own "feedback"
      match:       {"question": str, "answer": str, "weight": float}; "weight" is the pair's
                   share of the mark (1 / number of subquestions); a pair with an empty
                   "question" is an extra distractor answer and weighs 0.0
      numerical:   {"text": str (as written, e.g. "5:0.5" or "4..6"), "value": float | null,
                   "tolerance": float | null, "min": float | null, "max": float | null,
                   "weight": float, "feedback": str}; value null means "*" (any other answer)

Weights are fractions of the question's mark (1.0 = 100%, -0.5 = -50%).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from app.content.errors import ContentError
from app.content.questions import Answer, ParsedQuestion

TEXT_FORMATS = ("moodle", "html", "plain", "markdown")
"""Formats a ``[format]`` tag may name (the names Moodle's ``format_name_to_const`` knows)."""

_POSITIVE_GRADES = (
    1.0, 0.9, 0.8333333, 0.8, 0.75, 0.7, 0.6666667, 0.6, 0.5, 0.4, 0.3333333, 0.3, 0.25, 0.2,
    0.1666667, 0.1428571, 0.125, 0.1111111, 0.1, 0.05,
)  # fmt: skip
GRADE_OPTIONS = (*_POSITIVE_GRADES, 0.0, *(-g for g in _POSITIVE_GRADES))
"""Moodle's ``question_bank::fraction_options_full()``: the only weights an import accepts."""

_GRADE_TOLERANCE = 0.00001  # match_grade_options(): "slightly fuzzy test"
_PHP_WHITESPACE = " \t\n\r\0\x0b"  # what PHP's trim() removes
_ESCAPABLE = ":#={}~"
_TRUEFALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}
_BLANK = "_____"
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_WEIGHT = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_MOODLE_WEIGHT = re.compile(r"^%-*([0-9]{1,2})\.?([0-9]*)%")  # $giftanswerweightregex
_ID_TOKEN = re.compile(r"\[id:((?:\\\]|[^\]\x00-\x1f\x7f])+)\]")
_TAG_TOKEN = re.compile(r"\[tag:((?:\\\]|[^\]<>`\x00-\x1f\x7f])*)\]")
_MARKUP = re.compile(
    r"""<[A-Za-z][\w-]*(?:\s+[\w:.-]+(?:\s*=\s*(?:"[^"<>]*"|'[^'<>]*'|[^\s"'<>=`]+))?)*\s*/?>"""
    r"|&#(?:[0-9]+|[xX][0-9A-Fa-f]+);"
)
"""A complete HTML start tag (with well-formed attributes) or a numeric character reference:
the places where an unescaped ``=``, ``~`` or ``#`` cannot be meant as a GIFT control character."""


class _Src:
    """Part of a question block after escape processing.

    ``text`` holds the literal characters. ``escaped[i]`` is True when ``text[i]`` was written
    with a backslash, so it is never a control character; ``lines[i]`` is its 1-based line.
    ``end_line`` is the line reported for a position at the end (or in an empty slice).
    """

    __slots__ = ("text", "escaped", "lines", "end_line")

    def __init__(
        self, text: str, escaped: tuple[bool, ...], lines: tuple[int, ...], end_line: int
    ) -> None:
        self.text = text
        self.escaped = escaped
        self.lines = lines
        self.end_line = end_line

    @classmethod
    def literal(cls, text: str, line: int) -> _Src:
        return cls(text, (False,) * len(text), (line,) * len(text), line)

    def __len__(self) -> int:
        return len(self.text)

    def __getitem__(self, key: slice) -> _Src:
        start, stop, _ = key.indices(len(self.text))
        return _Src(
            self.text[start:stop],
            self.escaped[start:stop],
            self.lines[start:stop],
            self.lines[stop - 1] if stop > start else self.line(start),
        )

    def __add__(self, other: _Src) -> _Src:
        return _Src(
            self.text + other.text,
            self.escaped + other.escaped,
            self.lines + other.lines,
            other.end_line,
        )

    def line(self, index: int = 0) -> int:
        """Line of the character at ``index`` (``end_line`` past the end)."""
        return self.lines[index] if 0 <= index < len(self.lines) else self.end_line

    def _unescaped(self, index: int, token: str) -> bool:
        return not any(self.escaped[index : index + len(token)])

    def find(self, token: str, start: int = 0) -> int:
        """Index of the first ``token`` made of unescaped characters, or -1."""
        index = self.text.find(token, start)
        while index != -1 and not self._unescaped(index, token):
            index = self.text.find(token, index + 1)
        return index

    def rfind(self, token: str) -> int:
        """Index of the last ``token`` made of unescaped characters, or -1."""
        index = self.text.rfind(token)
        while index != -1 and not self._unescaped(index, token):
            index = self.text.rfind(token, 0, index + len(token) - 1)
        return index

    def startswith(self, token: str) -> bool:
        return self.text.startswith(token) and self._unescaped(0, token)

    def split(self, separator: str, maxsplit: int = -1) -> list[_Src]:
        """Split on unescaped ``separator`` characters, like PHP's explode()."""
        parts: list[_Src] = []
        start = 0
        index = self.find(separator)
        while index != -1 and maxsplit != 0:
            parts.append(self[start:index])
            start = index + len(separator)
            maxsplit -= 1
            index = self.find(separator, start)
        parts.append(self[start:])
        return parts

    def strip(self) -> _Src:
        """PHP's trim(), leaving escaped characters (such as ``\\n``) alone."""
        start, stop = 0, len(self.text)
        while start < stop and self.text[start] in _PHP_WHITESPACE and not self.escaped[start]:
            start += 1
        while (
            stop > start and self.text[stop - 1] in _PHP_WHITESPACE and not self.escaped[stop - 1]
        ):
            stop -= 1
        return self[start:stop]

    def value(self) -> str:
        """The literal text, trimmed as Moodle trims every text after resolving escapes."""
        return _php_trim(self.text)


class _QuestionError(Exception):
    """A problem that makes a question unusable; parsing moves on to the next question."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def parse_gift(
    text: str, path: str = "<string>"
) -> tuple[list[ParsedQuestion], list[ContentError]]:
    """Parse a whole GIFT file: (questions, problems).

    Never raises for bad input: every problem becomes a ContentError with the 1-based line of
    the offending character (or of the question) and parsing continues with the next question.
    Questions with errors are not returned; warnings (``problem.is_warning``) do not stop a
    question.
    """
    return _GiftParser(path).parse(text)


class _GiftParser:
    def __init__(self, path: str) -> None:
        self.path = path
        self.category = ""
        self.questions: list[ParsedQuestion] = []
        self.errors: list[ContentError] = []

    def parse(self, text: str) -> tuple[list[ParsedQuestion], list[ContentError]]:
        for block in _blocks(text):
            self._parse_block(block)
        return self.questions, self.errors

    def _error(self, line: int, message: str) -> None:
        self.errors.append(ContentError(self.path, line, message))

    def _parse_block(self, block: list[tuple[int, str]]) -> None:
        comments = "".join(line + "\n" for _, line in block if line.startswith("//"))
        src = _assemble(block)
        if not src:
            return  # comments only
        if src.startswith("$CATEGORY:"):
            self._parse_category(src[len("$CATEGORY:") :])
            return
        reader = _QuestionReader(src)
        question: ParsedQuestion | None
        try:
            question = reader.read()
        except _QuestionError as exc:
            reader.problem(exc.line, exc.message)
            question = None
        found = [(line, message, "warning") for line, message in reader.notes]
        if question is None or reader.problems:
            found += [(line, message, "error") for line, message in reader.problems]
        for line, message, severity in sorted(found, key=lambda p: p[0]):
            self.errors.append(ContentError(self.path, line, message, severity=severity))
        if question is None or reader.problems:
            return
        question.category = self.category
        question.idnumber, question.tags = _idnumber_and_tags(comments)
        self.questions.append(question)

    def _parse_category(self, rest: _Src) -> None:
        name, after = _split_first_line(rest)
        self.category = name.value()
        after = after.strip()
        if after:
            self._error(
                after.line(),
                "text after a '$CATEGORY:' line must be separated from it by a blank line "
                "(Moodle would make it part of the category name)",
            )


class _QuestionReader:
    """Reads one question block, mirroring ``qformat_gift::readquestion``.

    Structural problems raise :class:`_QuestionError`; problems with single answers are
    collected in ``problems`` so that all of them are reported.
    """

    def __init__(self, src: _Src) -> None:
        self.src = src
        self.problems: list[tuple[int, str]] = []
        self.notes: list[tuple[int, str]] = []  # warnings: imported as Moodle does
        self.text_format = "moodle"

    def problem(self, line: int, message: str) -> None:
        self.problems.append((line, message))

    def note(self, line: int, message: str) -> None:
        self.notes.append((line, message))

    def read(self) -> ParsedQuestion:
        src = self.src
        start_line = src.line()
        title = ""
        if src.startswith("::"):
            close = src.find("::", 2)
            if close == -1:
                self.note(
                    start_line,
                    "title is not closed: Moodle drops the opening '::' and names the question "
                    "after its text (write '::title::' before the question text)",
                )
                src = src[2:]
            else:
                title_src = src[2:close]
                for brace in "{}":
                    index = title_src.find(brace)
                    if index != -1:
                        raise _QuestionError(
                            title_src.line(index),
                            f"'{brace}' inside the title: close the title with '::' before the "
                            f"answer block, or write '\\{brace}' for a literal brace",
                        )
                title = title_src.value()
                src = src[close + 2 :].strip()

        question_src, answer_src, block_line = _split_answer_block(src, self.note)
        general_feedback_src: _Src | None = None
        if answer_src is not None:
            separator = answer_src.rfind("####")
            if separator != -1:
                general_feedback_src = answer_src[separator + 4 :]
                answer_src = answer_src[:separator].strip()

        text, self.text_format = _text_with_format(question_src, "moodle")
        if not text:
            self.note(
                start_line,
                "the question has no text: Moodle imports it with an empty text (write the "
                "question before the answer block, or remove a title left alone)",
            )
        if general_feedback_src is None:
            general_feedback, general_feedback_format = "", self.text_format
        elif self._check_general_feedback_format(general_feedback_src):
            general_feedback, general_feedback_format = _text_with_format(
                general_feedback_src, self.text_format
            )
        else:  # Moodle keeps the misplaced tag as text
            general_feedback, general_feedback_format = (
                general_feedback_src.value(),
                self.text_format,
            )
        question = ParsedQuestion(
            type="description",
            text=text,
            text_format=self.text_format,
            title=title,
            general_feedback=general_feedback,
            general_feedback_format=general_feedback_format,
            line=start_line,
        )
        if answer_src is None:
            return question
        question.type = _question_type(answer_src)
        if question.type == "multichoice":
            question.single = answer_src.find("=") != -1
            question.answers = self._multichoice(answer_src, question.single, block_line)
        elif question.type == "match":
            question.answers = self._match(answer_src, block_line)
        elif question.type == "truefalse":
            question.answers = self._truefalse(answer_src)
        elif question.type == "shortanswer":
            question.answers = self._shortanswer(answer_src, block_line)
        elif question.type == "numerical":
            question.answers = self._numerical(answer_src[1:], block_line)
        return question

    def _check_general_feedback_format(self, src: _Src) -> bool:
        """Moodle reads a ``[format]`` tag only right after ``####`` (it does not trim first).
        False (with a warning) when a tag comes after a space or line break: Moodle shows it."""
        stripped = src.strip()
        tag = _format_tag(stripped)
        if tag is not None and not src.startswith("["):
            self.note(
                stripped.line(),
                f"write '####[{tag}]' with nothing between '####' and '[{tag}]': after a space "
                f"or line break Moodle shows '[{tag}]' as part of the general feedback",
            )
            return False
        return True

    def _check_markup(self, src: _Src, positions: list[int]) -> None:
        """Report control characters (at ``positions``) that fall inside an HTML tag or entity:
        Moodle cuts the answer there, e.g. at the ``=`` of ``<span class="x">``."""
        for match in _MARKUP.finditer(src.text) if positions else ():
            for index in positions:
                if match.start() < index < match.end():
                    char = src.text[index]
                    kind = "character reference" if match.group()[0] == "&" else "tag"
                    self.problem(
                        src.line(index),
                        f"unescaped '{char}' inside the HTML {kind} {_quote(match.group())}: "
                        f"Moodle would split the text there (write '\\{char}')",
                    )

    def _split(self, block: _Src, markers: str) -> tuple[_Src, list[_Src]]:
        """:func:`_split_on_markers`, reporting markers that fall inside HTML markup."""
        self._check_markup(
            block, [i for i, c in enumerate(block.text) if c in markers and not block.escaped[i]]
        )
        return _split_on_markers(block, markers)

    def _weight(self, answer: _Src) -> tuple[float | None, _Src]:
        """Parse a leading ``%n%`` weight: (fraction or None when absent, rest of the answer)."""
        if not answer.startswith("%"):
            return None, answer
        close = answer.find("%", 1)
        if close == -1:
            return None, answer  # Moodle keeps it as text, e.g. "% of people"
        written = answer[1:close].text
        if not _WEIGHT.fullmatch(written):
            if any(c in _PHP_WHITESPACE for c in written):
                return None, answer  # text between two percent signs, not a weight
            if not _MOODLE_WEIGHT.match(answer.text):
                self.note(
                    answer.line(),
                    f"'%{written}%' is not a weight: Moodle keeps it in the answer text and "
                    "gives the default weight (write a percentage such as '%50%')",
                )
                return None, answer
            raise _QuestionError(  # Moodle's import stops on it (PHP cannot divide it)
                answer.line(),
                f"bad weight '%{written}%': write a percentage such as '%50%' or '%-33.33333%'",
            )
        fraction = _grade_option(float(written) / 100)
        if fraction is None:
            raise _QuestionError(
                answer.line(),
                f"weight '%{written}%' is not one of Moodle's grade options (100, 90, 83.33333, "
                "80, 75, 70, 66.66667, 60, 50, 40, 33.33333, 30, 25, 20, 16.66667, 14.28571, "
                "12.5, 11.11111, 10, 5, 0 percent and their negatives); Moodle rejects it",
            )
        return fraction, answer[close + 1 :]

    def _answer_and_feedback(self, answer: _Src) -> tuple[str, str, str, str]:
        """Moodle's commentparser(): (text, text format, feedback, feedback format)."""
        hash_index = answer.find("#")
        self._check_markup(answer, [hash_index] if hash_index != -1 else [])
        text_src, feedback_src = _split_once(answer, "#")
        text, text_format = _text_with_format(text_src.strip(), self.text_format)
        if feedback_src is None:
            return text, text_format, "", self.text_format
        feedback, feedback_format = _text_with_format(feedback_src.strip(), self.text_format)
        return text, text_format, feedback, feedback_format

    def _checked(self, parse: Callable[..., Answer | None], *args: Any) -> Answer | None:
        """Run ``parse``; record its error as a problem and return None instead of raising."""
        try:
            return parse(*args)
        except _QuestionError as exc:
            self.problem(exc.line, exc.message)
            return None

    def _multichoice(self, block: _Src, single: bool, block_line: int) -> list[Answer]:
        leading, parts = self._split(block, "~=")
        if leading:
            self.note(
                leading.line(),
                f"{_quote(leading.value())} does not start with '=' (right answer) or '~' "
                "(wrong answer); Moodle imports it as a wrong answer (write '~' before it)",
            )
            parts.insert(0, _Src.literal("~", leading.line()) + leading)
        if len(parts) < 2:
            raise _QuestionError(block_line, "a multiple choice question needs at least 2 answers")
        answers = [a for part in parts if (a := self._checked(self._choice, part)) is not None]
        if not self.problems and len(answers) < 2:
            raise _QuestionError(block_line, "a multiple choice question needs at least 2 answers")
        if self.problems or single:
            return answers
        total = round(sum(a.fraction for a in answers if a.fraction > 0), 2)
        if total == 0:
            self.note(
                block_line,
                "no right answer: nobody can score on this question, as in Moodle (mark the "
                "right answer with '=' or give positive weights such as '~%50%' that add up to "
                "100%)",
            )
        elif total != 1:
            self.note(
                block_line,
                f"the positive weights add up to {_percent(total)}%, not 100% (with no '=' "
                "answer this is a multiple-answer question): Moodle imports it, but "
                + ("nobody can get full marks" if total < 1 else "marks are capped at 100%"),
            )
        return answers

    def _choice(self, part: _Src) -> Answer | None:
        marker, body = part.text[0], part[1:].strip()
        if marker == "=":
            fraction: float | None = 1.0
            rest = body
            if _MOODLE_WEIGHT.match(body.text):
                self.note(
                    part.line(),
                    "'=%n%' in a multiple choice question: Moodle gives full marks and keeps "
                    "'%n%' in the answer text (write '~%n%' for a partial weight)",
                )
        else:
            fraction, rest = self._weight(body)
        text, text_format, feedback, feedback_format = self._answer_and_feedback(rest)
        if not text:
            self._empty_answer(
                part.line(),
                marker,
                weighted=marker == "~" and fraction is not None,
                feedback=feedback,
            )
            return None
        return Answer(
            text=text,
            fraction=0.0 if fraction is None else fraction,
            feedback=feedback,
            text_format=text_format,
            feedback_format=feedback_format,
        )

    def _truefalse(self, block: _Src) -> list[Answer]:
        bits = block.split("#", 2)
        separators = [len(bits[0])] if len(bits) > 1 else []
        if len(bits) > 2:
            separators.append(separators[0] + 1 + len(bits[1]))
        self._check_markup(block, separators)
        correct = _TRUEFALSE[bits[0].value()]
        no_feedback = ("", self.text_format)
        wrong = (
            _text_with_format(bits[1].strip(), self.text_format) if len(bits) > 1 else no_feedback
        )
        right = (
            _text_with_format(bits[2].strip(), self.text_format) if len(bits) > 2 else no_feedback
        )
        feedback = {True: right if correct else wrong, False: wrong if correct else right}
        return [
            Answer(
                text="true" if value else "false",
                fraction=1.0 if value == correct else 0.0,
                feedback=feedback[value][0],
                text_format="plain",
                feedback_format=feedback[value][1],
            )
            for value in (True, False)
        ]

    def _shortanswer(self, block: _Src, block_line: int) -> list[Answer]:
        leading, parts = self._split(block, "=")
        bodies = [(part[1:], part.line()) for part in parts]
        if leading:
            warning = _not_truefalse(leading)  # a bare first answer is allowed
            if warning:
                self.note(leading.line(), warning)
            bodies.insert(0, (leading, leading.line()))
        answers = [
            a for body, line in bodies if (a := self._checked(self._short, body, line)) is not None
        ]
        if not self.problems and not answers:
            raise _QuestionError(block_line, "a short-answer question needs at least one answer")
        if not self.problems and max(a.fraction for a in answers) != 1:
            self.note(block_line, _NO_FULL_MARKS)
        return answers

    def _empty_answer(
        self, line: int, marker: str, *, weighted: bool, feedback: str, short: bool = False
    ) -> None:
        """A bare ``~`` or ``=`` (often ``~=`` written for ``=``) is dropped with a warning:
        Moodle saves no multichoice answer with an empty text, and an empty short answer can
        never match what a learner types. One carrying a weight or a feedback would lose it
        silently, so it is an error."""
        if weighted or feedback:
            raise _QuestionError(
                line,
                f"empty answer after '{marker}': Moodle would drop it together with its "
                f"{'feedback' if feedback else 'weight'} (write the answer's text)",
            )
        if short:
            self.note(
                line,
                "empty answer after '=': no answer a learner types can match it, so it is "
                "dropped (remove the lone '=')",
            )
            return
        self.note(
            line,
            f"empty answer after '{marker}': Moodle drops it, and so does this import (remove "
            f"the lone '{marker}'; a right answer is written '=' alone, not '~=')",
        )

    def _short(self, body: _Src, line: int) -> Answer | None:
        fraction, rest = self._weight(body.strip())
        text, _, feedback, feedback_format = self._answer_and_feedback(rest)
        if not text:
            self._empty_answer(
                line, "=", weighted=fraction is not None, feedback=feedback, short=True
            )
            return None
        return Answer(
            text=text,
            fraction=1.0 if fraction is None else fraction,
            feedback=feedback,
            text_format="plain",
            feedback_format=feedback_format,
        )

    def _match(self, block: _Src, block_line: int) -> list[Answer]:
        leading, parts = self._split(block, "=")
        if leading:
            if leading.find("->") == -1:
                self.problem(
                    leading.line(),
                    f"matching pair {_quote(leading.value())} does not start with '=' "
                    "and has no '->'",
                )
            else:
                self.note(
                    leading.line(),
                    f"matching pair {_quote(leading.value())} does not start with '=': Moodle "
                    "imports it as a pair (write '=' before it)",
                )
                parts.insert(0, _Src.literal("=", leading.line()) + leading)
        if len(parts) < 2:
            raise _QuestionError(block_line, "a matching question needs at least 2 pairs")
        answers = [a for part in parts if (a := self._checked(self._pair, part)) is not None]
        if not self.problems and not any(a.question for a in answers):
            raise _QuestionError(
                block_line, "a matching question needs at least one pair with a subquestion"
            )
        return answers

    def _pair(self, part: _Src) -> Answer:
        body = part[1:].strip()
        arrow = body.find("->")
        if arrow == -1:
            raise _QuestionError(
                part.line(), f"matching pair {_quote(body.value())} has no '->' (write '=a -> b')"
            )
        question, question_format = _text_with_format(body[:arrow], self.text_format)
        answer = body[arrow + 2 :].value()
        if not answer:
            if question:
                raise _QuestionError(
                    part.line(), f"matching pair {_quote(question)} has no answer after '->'"
                )
            raise _QuestionError(part.line(), "empty matching pair")
        return Answer(
            text=answer,
            fraction=1.0 if question else 0.0,
            question=question,
            text_format="plain",
            feedback_format=self.text_format,
            question_format=question_format,
        )

    def _numerical(self, block: _Src, block_line: int) -> list[Answer]:
        tilde = block.find("~")
        catch_all = block[tilde:] if tilde != -1 else None
        self._check_markup(block, [tilde] if tilde != -1 else [])
        leading, parts = self._split(block[:tilde] if tilde != -1 else block, "=")
        bodies = [(part[1:], part.line()) for part in parts]
        if leading:
            bodies.insert(0, (leading, leading.line()))
        if not bodies:
            raise _QuestionError(block_line, "no answers found for numerical question")
        answers = [
            a
            for body, line in bodies
            if (a := self._checked(self._numerical_answer, body, line)) is not None
        ]
        if catch_all is not None:
            mark, _, feedback, feedback_format = self._answer_and_feedback(catch_all)
            if mark != "~":
                self.problem(
                    catch_all.line(),
                    "in a numerical question '~' only introduces the feedback for any other "
                    "answer: write '~#feedback'",
                )
            answers.append(
                Answer("*", 0.0, feedback, text_format="plain", feedback_format=feedback_format)
            )
        if not self.problems and max(a.fraction for a in answers) != 1:
            self.note(block_line, _NO_FULL_MARKS)
        return answers

    def _numerical_answer(self, body: _Src, line: int) -> Answer:
        fraction, rest = self._weight(body.strip())
        written, _, feedback, feedback_format = self._answer_and_feedback(rest)
        answer = Answer(
            text=written,
            fraction=1.0 if fraction is None else fraction,
            feedback=feedback,
            text_format="plain",
            feedback_format=feedback_format,
        )
        if not written:
            raise _QuestionError(line, "empty numerical answer after '='")
        if written == "*":
            return answer  # Moodle's "any other answer"
        if written.find("..") > 0:
            low_text, high_text = (_php_trim(s) for s in written.split("..", 1))
            low, high = _number(low_text, written, line), _number(high_text, written, line)
            if low > high:
                raise _QuestionError(
                    line,
                    f"numerical range '{written}' is reversed: write '{high_text}..{low_text}'",
                )
            middle = (low + high) / 2  # Moodle stores these two as PHP prints them
            answer.value, answer.tolerance = _php_float(middle), _php_float(high - middle)
            answer.min, answer.max = low, high
            return answer
        if written.find(":") > 0:
            value_text, tolerance_text = (_php_trim(s) for s in written.split(":", 1))
            value = _number(value_text, written, line)
            tolerance = _number(tolerance_text, written, line)
            if tolerance < 0:
                raise _QuestionError(line, f"negative tolerance in '{written}'")
        else:
            value, tolerance = _number(written, written, line), 0.0
        answer.value, answer.tolerance = value, tolerance
        answer.min, answer.max = _php_float(value - tolerance), _php_float(value + tolerance)
        return answer


def _blocks(text: str) -> list[list[tuple[int, str]]]:
    """Split a file into blocks of (line number, trimmed line), as readquestions() does."""
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.split("\r") if "\n" not in text and "\r" in text else text.split("\n")
    blocks: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    for number, line in enumerate(lines, start=1):
        line = _php_trim(line)
        if line:
            current.append((number, line))
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _assemble(block: list[tuple[int, str]]) -> _Src:
    """Join a block's lines (comments blanked), trim it and resolve backslash escapes."""
    raw: list[str] = []
    raw_lines: list[int] = []
    for number, line in block:
        if raw:
            raw.append("\n")
            raw_lines.append(raw_lines[-1])
        content = " " if line.startswith("//") else line
        raw.extend(content)
        raw_lines.extend([number] * len(content))
    joined = "".join(raw)
    start = len(joined) - len(joined.lstrip(_PHP_WHITESPACE))
    stop = len(joined.rstrip(_PHP_WHITESPACE))
    chars: list[str] = []
    escaped: list[bool] = []
    lines: list[int] = []
    index = start
    while index < stop:
        char, line = joined[index], raw_lines[index]
        following = joined[index + 1] if index + 1 < stop else ""
        if char == "\\" and (following == "\\" or following == "n" or following in _ESCAPABLE):
            chars.append("\n" if following == "n" else following)
            escaped.append(True)
            lines.append(line)
            index += 2
            continue
        chars.append(char)
        escaped.append(False)
        lines.append(line)
        index += 1
    end_line = lines[-1] if lines else (block[0][0] if block else 0)
    return _Src("".join(chars), tuple(escaped), tuple(lines), end_line)


def _split_answer_block(
    src: _Src, warn: Callable[[int, str], None]
) -> tuple[_Src, _Src | None, int]:
    """Return (question text, answer block or None, line of '{'), as Moodle cuts them.

    Braces after the answer block stay in the question text, as Moodle keeps them (with a
    warning); the block is then replaced by ``_____`` unless the text ends with ``}``."""
    start, finish = src.find("{"), src.find("}")
    if start == -1 and finish == -1:
        return src, None, 0
    if finish == -1:
        raise _QuestionError(
            src.line(start),
            "answer block is not closed: '{' has no matching '}' (write '\\{' for a literal brace)",
        )
    if start == -1 or finish < start:
        raise _QuestionError(
            src.line(finish),
            "'}' without an opening '{' (write '\\}' for a literal brace)",
        )
    inner = src.find("{", start + 1)
    if inner != -1 and inner < finish:
        raise _QuestionError(
            src.line(inner),
            "'{' inside an answer block: is a '}' missing? (write '\\{' for a literal brace)",
        )
    extras = [i for i in (src.find("{", finish + 1), src.find("}", finish + 1)) if i != -1]
    if extras:
        extra = min(extras)
        warn(
            src.line(extra),
            f"second '{src.text[extra]}' after the answer block: a question has a single answer "
            f"block, Moodle keeps this one as question text (write '\\{src.text[extra]}' for a "
            "literal brace, or make it a separate question after a blank line)",
        )
    line = src.line(start)
    if src.text.endswith("}") and not src.escaped[-1]:
        question_src = src[:start] + src[finish + 1 :]  # Moodle: no blank when text ends '}'
    else:
        question_src = src[:start] + _Src.literal(_BLANK, line) + src[finish + 1 :]
    return question_src, src[start + 1 : finish].strip(), line


def _split_first_line(src: _Src) -> tuple[_Src, _Src]:
    """Split at the first line break between two lines of the block."""
    for index, char in enumerate(src.text):
        if char == "\n" and not src.escaped[index]:
            return src[:index], src[index + 1 :]
    return src, src[len(src) :]


def _split_once(src: _Src, separator: str) -> tuple[_Src, _Src | None]:
    parts = src.split(separator, 1)
    return parts[0], (parts[1] if len(parts) > 1 else None)


def _split_on_markers(block: _Src, markers: str) -> tuple[_Src, list[_Src]]:
    """Split an answer block before each unescaped marker character, like Moodle's
    ``explode('~', str_replace('=', '~=', ...))``: (text before the first marker, parts that
    each start with their marker)."""
    starts = [i for i, c in enumerate(block.text) if c in markers and not block.escaped[i]]
    if not starts:
        return block.strip(), []
    parts = [block[a:b] for a, b in zip(starts, [*starts[1:], len(block)], strict=True)]
    return block[: starts[0]].strip(), parts


def _question_type(block: _Src) -> str:
    """Moodle's type detection from the (trimmed) answer block."""
    if not block:
        return "essay"
    if block.text[0] == "#" and not block.escaped[0]:
        return "numerical"
    if block.find("~") != -1:
        return "multichoice"
    if block.find("=") != -1 and block.find("->") != -1:
        return "match"
    hash_index = block.find("#")
    check = block[:hash_index].strip() if hash_index > 0 else block
    if check.text in _TRUEFALSE:
        return "truefalse"
    return "shortanswer"


_NO_FULL_MARKS = (
    "no answer gives full marks (100%): Moodle imports it, but nobody can get full marks"
)


def _not_truefalse(answer: _Src) -> str | None:
    """The warning for a bare short answer that looks meant as a true/false answer: Moodle
    makes ``{t}``, ``{true}`` or ``{T extra}`` a short-answer question, and so do we."""
    written = _split_once(answer, "#")[0].value()
    words = written.split()
    if not words or words[0].upper() not in _TRUEFALSE:
        return None
    if len(words) == 1:
        return (
            f"true/false answers are written in upper case ({{T}}, {{TRUE}}, {{F}} or "
            f"{{FALSE}}): Moodle makes {{{written}}} a short-answer question whose answer is "
            f"'{written}', and so does this import (write {{{words[0].upper()}}} for a "
            f"true/false question, or {{={written}}} for a short answer)"
        )
    return (
        f"true/false answer block has extra text {_quote(written)}: Moodle makes it a "
        f"short-answer question whose answer is {_quote(written)} (only '#feedback' may follow "
        "T, TRUE, F or FALSE; start short answers with '=')"
    )


def _format_tag(src: _Src) -> str | None:
    """The format named by a ``[format]`` tag at the very start of ``src``, if any."""
    if src.startswith("["):
        close = src.find("]")
        if close != -1 and src.text[1:close] in TEXT_FORMATS:
            return src.text[1:close]
    return None


def _text_with_format(src: _Src, default: str) -> tuple[str, str]:
    """Moodle's parse_text_with_format(): a leading ``[format]`` tag, then the trimmed text."""
    tag = _format_tag(src)
    if tag is not None:
        return src[len(tag) + 2 :].value(), tag
    return src.value(), default


def _grade_option(fraction: float) -> float | None:
    """Moodle's match_grade_options() in "error" mode: the grade option within 0.00001."""
    for option in GRADE_OPTIONS:
        if abs(fraction - option) < _GRADE_TOLERANCE:
            return option
    return None


def _number(text: str, written: str, line: int) -> float:
    """A number as PHP's is_numeric() accepts it (finite only)."""
    if _NUMBER.fullmatch(text):
        number = float(text)
        if math.isfinite(number):
            return number
    hint = " (use '.' as the decimal separator)" if "," in text else ""
    raise _QuestionError(line, f"numerical answer '{written}': '{text}' is not a number{hint}")


def _php_float(number: float) -> float:
    """A computed number as PHP turns it into text (14 significant digits), so that
    ``3.141..3.142`` gives 3.1415 and ``3.1415:0.0005`` gives a maximum of 3.142, not
    3.1414999999999997 and 3.1420000000000003."""
    return float(f"{number:.14g}")


def _idnumber_and_tags(comments: str) -> tuple[str, list[str]]:
    """Moodle's extract_idnumber_and_tags_from_comment()."""
    found = _ID_TOKEN.search(comments)
    idnumber = _php_trim(found.group(1)).replace("\\]", "]") if found else ""
    tags = [_php_trim(raw).replace("\\]", "]") for raw in _TAG_TOKEN.findall(comments)]
    return idnumber, [tag for tag in tags if tag]


def _php_trim(text: str) -> str:
    return text.strip(_PHP_WHITESPACE)


def _percent(fraction: float) -> str:
    return f"{fraction * 100:.15g}"


def _quote(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return "'" + (text if len(text) <= limit else text[: limit - 3] + "...") + "'"


def inspect_dict(q: ParsedQuestion) -> dict[str, Any]:
    """The stable shape printed by ``quiz inspect --json`` (documented in the module docstring)."""
    return {
        "type": q.type,
        "single": q.single if q.type == "multichoice" else None,
        "title": q.title,
        "category": q.category,
        "text": q.text,
        "answers": [_inspect_answer(q, a) for a in q.answers],
        "general_feedback": q.general_feedback,
        "line": q.line,
    }


def _inspect_answer(q: ParsedQuestion, a: Answer) -> dict[str, Any]:
    if q.type == "match":
        stems = sum(1 for other in q.answers if other.question)
        return {
            "question": a.question,
            "answer": a.text,
            "weight": 1 / stems if a.question else 0.0,
        }
    if q.type == "numerical":
        return {
            "text": a.text,
            "value": a.value,
            "tolerance": a.tolerance,
            "min": a.min,
            "max": a.max,
            "weight": a.fraction,
            "feedback": a.feedback,
        }
    return {"text": a.text, "weight": a.fraction, "feedback": a.feedback}
