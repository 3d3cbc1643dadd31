"""Export one quiz as an IMS QTI 2.1 content package that learning-management systems import.

The package holds ``imsmanifest.xml`` (IMS Content Packaging 1.1), one ``assessmentItem`` per question
under ``items/`` and an ``assessmentTest`` (``test.xml``) that draws and shuffles them as the quiz says.

Scoring: every item scores 0 to 1 (``SCORE``) and is weighted by the question's points in the test
(``<weight identifier="W">``); the test sums the weighted scores into ``SCORE``, the weighted maxima into
``MAXSCORE`` and sets ``PASS`` when ``SCORE`` reaches the pass mark.

Answers and feedback are written for exams too: the package goes to the vendor's own LMS, which keeps
them from candidates.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

from generator.atomic import write_atomically
from generator.errors import PartnerkitError
from generator.reporter import NullReporter, Reporter
from generator.model.content import Question, Quiz

QTI = "http://www.imsglobal.org/xsd/imsqti_v2p1"
QTI_XSD = "http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_v2p1.xsd"
CP = "http://www.imsglobal.org/xsd/imscp_v1p1"
CP_XSD = "http://www.imsglobal.org/xsd/imscp_v1p1.xsd"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
TEMPLATES = "http://www.imsglobal.org/question/qti_v2p1/rptemplates/"
TEST_FILE = "test.xml"
MANIFEST_FILE = "imsmanifest.xml"


def ncname(value: str, prefix: str) -> str:
    """``value`` as an XML NCName (QTI identifiers must be one): characters other than letters, digits,
    ``-``, ``.`` and ``_`` become ``_``, and ``prefix`` goes in front unless it starts with a letter or ``_``.
    Letters of any script (e.g. Japanese) are kept."""
    cleaned = "".join(char if char.isalnum() or char in "-._" else "_" for char in value)
    return cleaned if cleaned[:1].isalpha() or cleaned[:1] == "_" else f"{prefix}{cleaned}"


def _root(tag: str, namespace: str, schema: str, **attrs: str) -> ET.Element:
    """A document element declaring ``namespace`` as the default one (tags below are written bare, as
    ElementTree cannot give two documents different default namespaces otherwise)."""
    return ET.Element(tag, {"xmlns": namespace, f"{{{XSI}}}schemaLocation": f"{namespace} {schema}", **attrs})


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    element.text = text
    return element


def _number(value: float) -> str:
    return f"{value:.6g}"


def _serialise(root: ET.Element) -> bytes:
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _choice_ids(question: Question) -> list[str]:
    return [f"choice_{index + 1}" for index in range(len(question.choices or question.items))]


def _declarations(item: ET.Element, question: Question) -> None:
    """responseDeclaration (with the correct response and, where needed, a mapping) and outcomes.

    Partial credit maps each right choice to ``1 / right choices`` and each wrong one to minus that,
    bounded to 0..1. Short-text answers are mapped to 1 case-insensitively; the other normalisation
    partnerkit applies (width, spaces, punctuation) has no QTI equivalent."""
    ids = _choice_ids(question)
    if question.type == "short-text":
        cardinality, base_type, correct = "single", "string", question.answers[:1]
    elif question.type == "ordering":
        cardinality, base_type, correct = "ordered", "identifier", ids
    else:
        cardinality = "multiple" if question.type == "multiple" else "single"
        base_type, correct = "identifier", [ids[index] for index in question.correct_choices]
    response = _sub(item, "responseDeclaration", identifier="RESPONSE", cardinality=cardinality, baseType=base_type)
    if correct:
        correct_response = _sub(response, "correctResponse")
        for value in correct:
            _sub(correct_response, "value", value)
    if question.type == "short-text" and question.answers:
        mapping = _sub(response, "mapping", defaultValue="0", lowerBound="0", upperBound="1")
        for answer in dict.fromkeys(question.answers):
            _sub(mapping, "mapEntry", mapKey=answer, mappedValue="1", caseSensitive="false")
    if question.partial_credit:
        share = 1 / len(question.correct_choices)
        mapping = _sub(response, "mapping", defaultValue="0", lowerBound="0", upperBound="1")
        for identifier, choice in zip(ids, question.choices):
            _sub(mapping, "mapEntry", mapKey=identifier, mappedValue=_number(share if choice.correct else -share))
    score = _sub(item, "outcomeDeclaration", identifier="SCORE", cardinality="single", baseType="float")
    _sub(_sub(score, "defaultValue"), "value", "0")
    maximum = _sub(item, "outcomeDeclaration", identifier="MAXSCORE", cardinality="single", baseType="float")
    _sub(_sub(maximum, "defaultValue"), "value", "1")
    _sub(item, "outcomeDeclaration", identifier="FEEDBACK", cardinality="multiple", baseType="identifier")


def _body(item: ET.Element, question: Question, shuffle_choices: bool) -> None:
    body = _sub(item, "itemBody")
    ids = _choice_ids(question)
    if question.type == "short-text":
        _sub(body, "p", question.prompt)
        interaction = _sub(_sub(body, "p"), "textEntryInteraction", responseIdentifier="RESPONSE")
        if question.pattern is not None:
            # QTI has no way to state the rule exactly: the pattern is a Python regular expression matched
            # after normalising width, case, spaces and punctuation, while patternMask is an XML Schema
            # regular expression applied to the raw input. It is passed on as a hint to the LMS; the
            # listed answers (if any) are what the LMS scores as correct.
            interaction.set("patternMask", question.pattern)
        return
    if question.type == "ordering":
        interaction = _sub(body, "orderInteraction", responseIdentifier="RESPONSE", shuffle="true")
        _sub(interaction, "prompt", question.prompt)
        # Written rotated by one, so an LMS that ignores shuffle never shows the answer as given.
        order = list(range(1, len(ids))) + [0]
        for index in order:
            _sub(interaction, "simpleChoice", question.items[index], identifier=ids[index])
        return
    interaction = _sub(body, "choiceInteraction", responseIdentifier="RESPONSE",
                       shuffle="true" if shuffle_choices else "false",
                       maxChoices="0" if question.type == "multiple" else "1")
    _sub(interaction, "prompt", question.prompt)
    for identifier, choice in zip(ids, question.choices):
        simple = _sub(interaction, "simpleChoice", choice.text, identifier=identifier)
        if choice.feedback:
            _sub(simple, "feedbackInline", f" {choice.feedback}", outcomeIdentifier="FEEDBACK",
                 identifier=identifier, showHide="show")


def _processing(item: ET.Element, question: Question) -> None:
    """The standard template (match_correct, or map_response where a mapping scores) named in
    ``template``, with its rules written out and one more that sets FEEDBACK (the picked choices and
    ``EXPLANATION``) so feedback shows; QTI 2.1 prefers the written rules when both are given."""
    mapped = question.partial_credit or (question.type == "short-text" and bool(question.answers))
    pattern_only = question.type == "short-text" and not question.answers
    template = "map_response" if mapped else "match_correct"
    processing = _sub(item, "responseProcessing")
    if not pattern_only:
        processing.set("template", TEMPLATES + template)
    condition = _sub(processing, "responseCondition")
    branch = _sub(condition, "responseIf")
    _sub(_sub(branch, "isNull"), "variable", identifier="RESPONSE")
    _sub(_sub(branch, "setOutcomeValue", identifier="SCORE"), "baseValue", "0", baseType="float")
    otherwise = _sub(condition, "responseElse")
    if mapped:
        _sub(_sub(otherwise, "setOutcomeValue", identifier="SCORE"), "mapResponse", identifier="RESPONSE")
    else:
        inner = _sub(otherwise, "responseCondition")
        right = _sub(inner, "responseIf")
        if pattern_only:
            # Approximate: XML Schema regular expressions differ from Python's, and no normalisation.
            check = _sub(right, "patternMatch", pattern=question.pattern or "")
            _sub(check, "variable", identifier="RESPONSE")
        else:
            check = _sub(right, "match")
            _sub(check, "variable", identifier="RESPONSE")
            _sub(check, "correct", identifier="RESPONSE")
        _sub(_sub(right, "setOutcomeValue", identifier="SCORE"), "baseValue", "1", baseType="float")
        _sub(_sub(_sub(inner, "responseElse"), "setOutcomeValue", identifier="SCORE"), "baseValue", "0", baseType="float")
    feedback = _sub(_sub(processing, "setOutcomeValue", identifier="FEEDBACK"), "multiple")
    if question.choices:
        _sub(feedback, "variable", identifier="RESPONSE")
    _sub(feedback, "baseValue", "EXPLANATION", baseType="identifier")


def qti_item(question: Question, identifier: str, shuffle_choices: bool = False) -> bytes:
    """One question as a QTI 2.1 ``assessmentItem`` document."""
    item = _root("assessmentItem", QTI, QTI_XSD, identifier=identifier, title=question.prompt[:200],
                 adaptive="false", timeDependent="false")
    _declarations(item, question)
    _body(item, question, shuffle_choices)
    _processing(item, question)
    if question.explanation:
        _sub(item, "modalFeedback", question.explanation, outcomeIdentifier="FEEDBACK", identifier="EXPLANATION",
             showHide="show", title="Explanation")
    return _serialise(item)


def _item_files(quiz: Quiz) -> list[tuple[str, str, Question]]:
    """(identifier, archive path, question) per question; ASCII file names so every LMS unpacks them."""
    rows: list[tuple[str, str, Question]] = []
    used: set[str] = set()
    for number, question in enumerate(quiz.questions, start=1):
        identifier = ncname(question.id, "q-")
        if identifier in used:
            identifier = f"{identifier}_{number}"
        used.add(identifier)
        name = identifier if identifier.isascii() else f"item-{number:03d}"
        rows.append((identifier, f"items/{name}.xml", question))
    return rows


def _outcome(parent: ET.Element, identifier: str, base_type: str) -> None:
    _sub(parent, "outcomeDeclaration", identifier=identifier, cardinality="single", baseType=base_type)


def qti_test(quiz: Quiz, items: list[tuple[str, str, Question]]) -> bytes:
    """The quiz as a QTI 2.1 ``assessmentTest``: one testPart and section drawing ``draw`` items."""
    test = _root("assessmentTest", QTI, QTI_XSD, identifier=ncname(quiz.id, "quiz-"), title=quiz.title,
                 toolName="partnerkit")
    for identifier, base_type in (("SCORE", "float"), ("MAXSCORE", "float"), ("PASS", "boolean")):
        _outcome(test, identifier, base_type)
    if quiz.time_limit_minutes:
        _sub(test, "timeLimits", maxTime=str(quiz.time_limit_minutes * 60))
    part = _sub(test, "testPart", identifier="part", navigationMode="nonlinear", submissionMode="simultaneous")
    show = "true" if quiz.review_policy == "answers" else "false"
    _sub(part, "itemSessionControl", maxAttempts="1", showFeedback=show, showSolution=show)
    section = _sub(part, "assessmentSection", identifier="section", title=quiz.title, visible="true")
    if quiz.draw is not None:
        _sub(section, "selection", select=str(quiz.draw))
    if quiz.shuffle_questions:
        _sub(section, "ordering", shuffle="true")
    for identifier, href, question in items:
        ref = _sub(section, "assessmentItemRef", identifier=identifier, href=href)
        _sub(ref, "weight", identifier="W", value=str(question.points))
    processing = _sub(test, "outcomeProcessing")
    for outcome in ("SCORE", "MAXSCORE"):
        total = _sub(_sub(processing, "setOutcomeValue", identifier=outcome), "sum")
        _sub(total, "testVariables", variableIdentifier=outcome, weightIdentifier="W")
    passed = _sub(_sub(processing, "setOutcomeValue", identifier="PASS"), "gte")
    _sub(passed, "variable", identifier="SCORE")
    threshold = _sub(passed, "product")
    _sub(threshold, "variable", identifier="MAXSCORE")
    _sub(threshold, "baseValue", _number(quiz.pass_mark / 100), baseType="float")
    return _serialise(test)


def qti_manifest(quiz: Quiz, items: list[tuple[str, str, Question]]) -> bytes:
    """``imsmanifest.xml``: one resource per item file and one for the test, which depends on them all."""
    manifest = _root("manifest", CP, CP_XSD, identifier=ncname(f"manifest-{quiz.id}", "m-"))
    metadata = _sub(manifest, "metadata")
    _sub(metadata, "schema", "QTIv2.1 Package")
    _sub(metadata, "schemaversion", "1.0.0")
    _sub(manifest, "organizations")
    resources = _sub(manifest, "resources")
    test = _sub(resources, "resource", identifier="test", type="imsqti_test_xmlv2p1", href=TEST_FILE)
    _sub(test, "file", href=TEST_FILE)
    for identifier, _, _ in items:
        _sub(test, "dependency", identifierref=f"item-{identifier}")
    for identifier, href, _ in items:
        resource = _sub(resources, "resource", identifier=f"item-{identifier}", type="imsqti_item_xmlv2p1", href=href)
        _sub(resource, "file", href=href)
    return _serialise(manifest)


def qti_package(quiz: Quiz) -> dict[str, bytes]:
    """Every file of the QTI 2.1 content package of ``quiz``, by path inside the archive."""
    items = _item_files(quiz)
    files = {MANIFEST_FILE: qti_manifest(quiz, items), TEST_FILE: qti_test(quiz, items)}
    for identifier, href, question in items:
        files[href] = qti_item(question, identifier, quiz.shuffle_choices)
    return files


def write_qti_package(quiz: Quiz, path: Path) -> Path:
    """Write the package of ``quiz`` as a zip at ``path`` (via a temporary file, so a failure never
    leaves half a zip); return ``path``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in qti_package(quiz).items():
            archive.writestr(name, data)
    return write_atomically(path, buffer.getvalue())


def export_quiz(root: Path, quiz_id: str, path: Path, reporter: Reporter | None = None) -> Path:
    """Load the project at ``root`` and write the package of quiz ``quiz_id`` to ``path``; raise
    PartnerkitError for an unknown quiz."""
    from generator.load.content import load_project
    from generator.load.validation import did_you_mean

    quizzes = load_project(root, reporter or NullReporter()).quizzes
    if quiz_id not in quizzes:
        raise PartnerkitError(f"unknown quiz '{quiz_id}'{did_you_mean(quiz_id, quizzes)}")
    return write_qti_package(quizzes[quiz_id], path)
